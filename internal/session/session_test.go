package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/collect"
	"github.com/emberprof/ember/internal/cpuprof"
	"github.com/emberprof/ember/internal/leaktest"
	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/interval"
	"github.com/google/pprof/profile"
)

type testLogger struct{ t *testing.T }

func (l testLogger) Infof(f string, a ...any)  { l.t.Logf("INFO "+f, a...) }
func (l testLogger) Debugf(f string, a ...any) { l.t.Logf("DEBUG "+f, a...) }
func (l testLogger) Errorf(f string, a ...any) { l.t.Logf("ERROR "+f, a...) }

var allTypes = []string{"cpu", "inuse_objects", "alloc_objects", "inuse_space", "alloc_space",
	"goroutines", "mutex_count", "mutex_duration", "block_count", "block_duration"}

func start(t *testing.T, rate time.Duration, types []string) (*Session, *recorder.Recorder) {
	t.Helper()
	rec := &recorder.Recorder{}
	s, err := Start(Options{
		Application:  "test.app",
		Tags:         map[string]string{"env": "test"},
		Rate:         rate,
		ProfileTypes: types,
		Upstream:     rec,
		Logger:       testLogger{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, rec
}

func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

func TestIntervalsAdjoinAlignAndAgreeAcrossTypes(t *testing.T) {
	const rate = time.Second
	before := time.Now()
	s, rec := start(t, rate, allTypes)
	started := time.Now()
	spin(3300 * time.Millisecond)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	byType := map[interval.Type][]*interval.Profile{}
	for _, p := range rec.Profiles() {
		byType[p.Type] = append(byType[p.Type], p)
	}
	for _, typ := range []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeGoroutines, interval.TypeMutex, interval.TypeBlock} {
		if len(byType[typ]) < 4 {
			t.Fatalf("%s: %d profiles in 3.3s at %v", typ, len(byType[typ]), rate)
		}
	}
	cpu := byType[interval.TypeCPU]
	if cpu[0].From.Before(before) || cpu[0].From.After(started) {
		t.Errorf("first interval starts at %v, not within Start (%v to %v)", cpu[0].From, before, started)
	}
	for i, p := range cpu {
		if !p.From.Before(p.Until) {
			t.Errorf("interval %d: from %v not before until %v", i, p.From, p.Until)
		}
		if i > 0 && !cpu[i-1].Until.Equal(p.From) {
			t.Errorf("interval %d does not adjoin the previous: %v != %v", i, cpu[i-1].Until, p.From)
		}
		if i < len(cpu)-1 {
			// Each cut falls just after its boundary (timer latency, up to
			// hundreds of milliseconds on a loaded CI machine), and the
			// boundaries are consecutive multiples of the rate: no drift,
			// none skipped.
			if late := time.Duration(p.Until.UnixNano() % int64(rate)); late > rate/2 {
				t.Errorf("interval %d ends %v after a multiple of %v", i, late, rate)
			}
			if i > 0 && p.Until.UnixNano()/int64(rate) != cpu[i-1].Until.UnixNano()/int64(rate)+1 {
				t.Errorf("interval %d ends at %v, not one rate after interval %d's boundary", i, p.Until, i-1)
			}
		}
	}
	for typ, ps := range byType {
		if len(ps) != len(cpu) {
			t.Errorf("%s has %d intervals, cpu %d", typ, len(ps), len(cpu))
			continue
		}
		for i := range ps {
			if !ps[i].From.Equal(cpu[i].From) || !ps[i].Until.Equal(cpu[i].Until) {
				t.Errorf("%s interval %d is [%v, %v), cpu's [%v, %v)", typ, i, ps[i].From, ps[i].Until, cpu[i].From, cpu[i].Until)
			}
			// The server files a profile under its own time_nanos, so the
			// profile must say exactly the interval it is uploaded for.
			pp, err := profile.ParseData(ps[i].Data)
			if err != nil {
				t.Fatalf("%s interval %d: %v", typ, i, err)
			}
			from, until := ps[i].From.UnixNano(), ps[i].Until.UnixNano()
			if pp.TimeNanos != from || pp.TimeNanos+pp.DurationNanos != until {
				t.Errorf("%s interval %d: profile says [%d, +%d), uploaded as [%d, %d)", typ, i,
					pp.TimeNanos, pp.DurationNanos, from, until)
			}
		}
	}
	heap := byType[interval.TypeHeap][0]
	if heap.SampleTypes != nil || heap.Tags[IDTag] != ID() || heap.Tags["env"] != "test" || heap.Application != "test.app" {
		t.Errorf("heap profile metadata: %+v", heap)
	}
	st := s.Stats()
	if st.Intervals != uint64(len(cpu)) || st.Types[interval.TypeCPU].Collected != uint64(len(cpu)) {
		t.Errorf("stats %+v for %d intervals", st, len(cpu))
	}
}

func TestCPUWindowIsTheInterval(t *testing.T) {
	s, rec := start(t, 300*time.Millisecond, []string{"cpu"})
	spin(700 * time.Millisecond)
	s.Stop(context.Background())
	ps := rec.Profiles(interval.TypeCPU)
	if len(ps) < 2 {
		t.Fatalf("%d CPU profiles", len(ps))
	}
	// Sampling pauses at each cut while the runtime finishes a segment.
	tol := 2*cpuprof.ReadStats().GapMax + 5*time.Millisecond
	for i, p := range ps {
		prof, err := profile.ParseData(p.Data)
		if err != nil {
			t.Fatal(err)
		}
		want := p.Until.Sub(p.From)
		got := time.Duration(prof.DurationNanos)
		if diff := got - want; diff < -tol || diff > tol {
			t.Errorf("interval %d lasts %v, its CPU profile %v (tolerance %v)", i, want, got, tol)
		}
		if d := time.Unix(0, prof.TimeNanos).Sub(p.From); d < -tol || d > tol {
			t.Errorf("interval %d: profile starts %v after From (tolerance %v)", i, d, tol)
		}
	}
}

// TestSampleTypesSubset: the session writes only the sample types asked
// for, so its profiles need no cut later (SampleTypes nil).
func TestSampleTypesSubset(t *testing.T) {
	s, rec := start(t, time.Hour, []string{"alloc_space", "inuse_space", "mutex_count"})
	s.Stop(context.Background())
	heap := rec.Profiles(interval.TypeHeap)
	mutex := rec.Profiles(interval.TypeMutex)
	if len(heap) != 1 || len(mutex) != 1 || len(rec.Profiles()) != 2 {
		t.Fatalf("got %d profiles: %d heap, %d mutex", len(rec.Profiles()), len(heap), len(mutex))
	}
	for _, c := range []struct {
		p    *interval.Profile
		want []string
	}{{heap[0], []string{"alloc_space", "inuse_space"}}, {mutex[0], []string{"contentions"}}} {
		if c.p.SampleTypes != nil {
			t.Errorf("%s: SampleTypes %q, want nil (Data already cut)", c.p.Type, c.p.SampleTypes)
		}
		prof, err := profile.ParseData(c.p.Data)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, st := range prof.SampleType {
			got = append(got, st.Type)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s profile has sample types %q, want %q", c.p.Type, got, c.want)
		}
	}
}

// labelingSink is a recorder that asks for one tag on every sample.
type labelingSink struct{ recorder.Recorder }

func (*labelingSink) SampleLabels(tags map[string]string) map[string]string {
	return map[string]string{"env": tags["env"]}
}

// TestProfilesCarryTheLabelsTheSinkAsks: every profile of every type has
// the sink's labels on every sample, written as the session built it, and
// says so in SampleLabels.
func TestProfilesCarryTheLabelsTheSinkAsks(t *testing.T) {
	sink := &labelingSink{}
	s, err := Start(Options{
		Application:  "test.app",
		Tags:         map[string]string{"env": "a, b"},
		Rate:         time.Hour,
		ProfileTypes: []string{"cpu", "alloc_space", "inuse_space", "goroutine", "mutex_count", "block_duration"},
		Upstream:     sink,
		Logger:       testLogger{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 { // contention and allocation, so that profiles have samples
		wg.Go(func() {
			for range 2000 {
				mu.Lock()
				sink := make([]byte, 1<<10)
				_ = sink
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	spin(50 * time.Millisecond)
	s.Stop(context.Background())
	types := map[interval.Type]bool{}
	for _, p := range sink.Profiles() {
		types[p.Type] = true
		if !maps.Equal(p.SampleLabels, map[string]string{"env": "a, b"}) {
			t.Errorf("%s: SampleLabels %v", p.Type, p.SampleLabels)
		}
		prof, err := profile.ParseData(p.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, smp := range prof.Sample {
			if v := smp.Label["env"]; len(v) != 1 || v[0] != "a, b" {
				t.Fatalf("%s: a sample has labels %v, want env=\"a, b\"", p.Type, smp.Label)
			}
		}
	}
	if n := len(sink.Profiles(interval.TypeCPU)); n != 1 {
		t.Errorf("%d CPU profiles, want 1", n)
	}
	if len(types) != 5 {
		t.Errorf("profile types %v, want cpu, heap, goroutines, mutex, block", types)
	}
}

func TestUnknownProfileType(t *testing.T) {
	_, err := Start(Options{Rate: time.Second, ProfileTypes: []string{"cpu", "heap"}, Upstream: &recorder.Recorder{}, Logger: testLogger{t}})
	if err == nil {
		t.Fatal("unknown type accepted")
	}
}

func TestFlushStopSemantics(t *testing.T) {
	goroutines := leaktest.Take()
	s, rec := start(t, time.Hour, []string{"cpu", "goroutines"})
	spin(50 * time.Millisecond)
	if err := s.Flush(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Profiles(interval.TypeCPU)); n != 1 || rec.Flushes() != 1 {
		t.Fatalf("after Flush: %d CPU profiles, %d upstream flushes", n, rec.Flushes())
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	cpu := rec.Profiles(interval.TypeCPU)
	if len(cpu) != 2 || !cpu[0].Until.Equal(cpu[1].From) {
		t.Fatalf("Stop did not deliver the final partial interval: %d CPU profiles", len(cpu))
	}
	if !rec.IsShutdown() {
		t.Fatal("upstream not shut down")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	done := make(chan struct{})
	go func() { s.Flush(context.Background(), true); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Flush after Stop hangs")
	}
	goroutines.Check(t)
}

func TestNextBoundary(t *testing.T) {
	rate := 10 * time.Second
	for _, c := range []struct{ from, want int64 }{
		{from: 3e9, want: 10e9},
		{from: 10e9, want: 20e9},
		{from: 19.5e9, want: 30e9}, // 0.5s left: merged into the next
		{from: 18e9, want: 20e9},
	} {
		if got := nextBoundary(time.Unix(0, c.from), rate).UnixNano(); got != c.want {
			t.Errorf("nextBoundary(%d) = %d, want %d", c.from, got, c.want)
		}
	}
}

func TestPlan(t *testing.T) {
	p, err := plan([]string{"alloc_space", "inuse_space", "alloc_objects", "inuse_objects", "cpu", "block_duration"})
	if err != nil {
		t.Fatal(err)
	}
	types := make([]string, 0, len(p))
	for k := range p {
		types = append(types, string(k))
	}
	sort.Strings(types)
	if len(p) != 3 || p[interval.TypeHeap] != nil || p[interval.TypeCPU] != nil || len(p[interval.TypeBlock]) != 1 {
		t.Fatalf("plan %v", p)
	}
}

type countingLogger struct{ info, debug, errors int }

func (l *countingLogger) Infof(string, ...any)  { l.info++ }
func (l *countingLogger) Debugf(string, ...any) { l.debug++ }
func (l *countingLogger) Errorf(string, ...any) { l.errors++ }

func TestSkipsAreLoggedOncePerRun(t *testing.T) {
	log := &countingLogger{}
	s := &Session{opts: Options{Logger: log}, skipping: map[interval.Type]bool{}, lastErr: map[interval.Type]string{}}
	for i := range 5 {
		s.account(interval.TypeGoroutines, nil, fmt.Errorf("%w: %d goroutines", collect.ErrSkipped, 10001+i))
	}
	if log.info != 1 || log.debug != 4 {
		t.Fatalf("5 skips in a row: %d info, %d debug lines; want 1 and 4", log.info, log.debug)
	}
	s.account(interval.TypeGoroutines, []byte{1}, nil)
	if log.info != 2 {
		t.Fatal("the end of a run of skips was not logged")
	}
	for range 3 {
		s.account(interval.TypeHeap, nil, errors.New("boom"))
	}
	s.account(interval.TypeHeap, nil, errors.New("other"))
	if log.errors != 2 {
		t.Fatalf("%d error lines for boom x3 then other; want 2", log.errors)
	}
	if st := s.Stats().Types; st[interval.TypeGoroutines].Skipped != 5 || st[interval.TypeHeap].Failed != 4 || st[interval.TypeHeap].LastError != "other" {
		t.Fatalf("stats %+v", st)
	}
}

type panicky struct{}

func (panicky) Type() interval.Type                     { return interval.TypeMutex }
func (panicky) Collect(time.Time, bool) ([]byte, error) { panic("bug") }

func TestCollectorPanicCostsOnlyItsProfile(t *testing.T) {
	rec := &recorder.Recorder{}
	log := &countingLogger{}
	s := &Session{
		opts:       Options{Upstream: rec, Logger: log},
		collectors: []collect.Collector{panicky{}, collect.NewGoroutines(-1)},
		skipping:   map[interval.Type]bool{},
		lastErr:    map[interval.Type]string{},
		from:       time.Now(),
	}
	s.cut(false)
	if n := len(rec.Profiles(interval.TypeGoroutines)); n != 1 {
		t.Fatalf("%d goroutine profiles after a mutex collector panicked, want 1", n)
	}
	st := s.Stats().Types[interval.TypeMutex]
	if st.Failed != 1 || !strings.Contains(st.LastError, "panicked: bug") || log.errors != 1 {
		t.Fatalf("panic not counted and logged: %+v, %d error lines", st, log.errors)
	}
}

// batchRecorder takes whole intervals, as a one-request-per-interval
// transport does.
type batchRecorder struct {
	recorder.Recorder
	mu      sync.Mutex
	batches [][]*interval.Profile
}

func (b *batchRecorder) UploadBatch(ps []*interval.Profile) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batches = append(b.batches, ps)
}

func TestBatchUploaderGetsEachIntervalInOneCall(t *testing.T) {
	rec := &batchRecorder{}
	s, err := Start(Options{
		Application: "test.app", Rate: 500 * time.Millisecond, ProfileTypes: allTypes,
		Upstream: rec, Logger: testLogger{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	spin(1200 * time.Millisecond)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Profiles()); n != 0 {
		t.Errorf("%d profiles went through Upload one by one; want all in batches", n)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.batches) < 3 {
		t.Fatalf("%d batches in 1.2 s at 500 ms; want at least 3", len(rec.batches))
	}
	for i, b := range rec.batches {
		types := map[interval.Type]bool{}
		for _, p := range b {
			if !p.From.Equal(b[0].From) || !p.Until.Equal(b[0].Until) {
				t.Errorf("batch %d mixes intervals: %v-%v and %v-%v", i, b[0].From, b[0].Until, p.From, p.Until)
			}
			types[p.Type] = true
		}
		for _, typ := range []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeGoroutines, interval.TypeMutex, interval.TypeBlock} {
			if !types[typ] {
				t.Errorf("batch %d lacks %s: %v", i, typ, types)
			}
		}
	}
}

// untilRecorder is a collector that remembers the interval ends it was
// given and delivers nothing.
type untilRecorder struct{ untils []time.Time }

func (*untilRecorder) Type() interval.Type { return interval.TypeGoroutineLeak }
func (u *untilRecorder) Collect(until time.Time, _ bool) ([]byte, error) {
	u.untils = append(u.untils, until)
	return nil, collect.ErrSkipped
}

// TestEveryCollectorGetsTheCPUCut checks that the interval's end comes
// from the CPU window's cut whatever order the collectors run in: a
// collector running first is given the same until as the batch says, and
// the heap, mutex and block profiles' windows are exactly the batch's.
func TestEveryCollectorGetsTheCPUCut(t *testing.T) {
	rec := &batchRecorder{}
	s, err := Start(Options{
		Application: "test.app", Rate: time.Hour, ProfileTypes: allTypes,
		Upstream: rec, Logger: testLogger{t}, FlushOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The run goroutine reads the collectors only at a cut, and Flush
	// hands it the cut after this write.
	first := &untilRecorder{}
	s.collectors = append([]collect.Collector{first}, s.collectors...)
	slices.Reverse(s.collectors[1:])
	spin(50 * time.Millisecond)
	for range 2 {
		if err := s.Flush(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		spin(20 * time.Millisecond)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.batches) != 3 || len(first.untils) != 3 {
		t.Fatalf("%d batches and %d untils for two flushes and a stop, want 3", len(rec.batches), len(first.untils))
	}
	for i, b := range rec.batches {
		from, until := b[0].From, b[0].Until
		if !first.untils[i].Equal(until) {
			t.Errorf("batch %d: the first collector was told %v, the batch ends at %v", i, first.untils[i], until)
		}
		if i == len(rec.batches)-1 && !s.cpu.LastCut().Equal(until) {
			t.Errorf("last batch ends at %v, the CPU window was cut at %v", until, s.cpu.LastCut())
		}
		deltas := 0
		for _, p := range b {
			if !p.From.Equal(from) || !p.Until.Equal(until) {
				t.Errorf("batch %d: %s is [%v, %v), the batch [%v, %v)", i, p.Type, p.From, p.Until, from, until)
			}
			switch p.Type {
			case interval.TypeHeap, interval.TypeMutex, interval.TypeBlock:
				deltas++
			default:
				continue
			}
			pp, err := profile.ParseData(p.Data)
			if err != nil {
				t.Fatal(err)
			}
			if pp.TimeNanos != from.UnixNano() || pp.TimeNanos+pp.DurationNanos != until.UnixNano() {
				t.Errorf("batch %d: %s profile says [%d, +%d), the batch is [%d, %d)", i, p.Type,
					pp.TimeNanos, pp.DurationNanos, from.UnixNano(), until.UnixNano())
			}
		}
		if deltas != 3 {
			t.Errorf("batch %d has %d of the heap, mutex and block profiles", i, deltas)
		}
	}
}

// TestGoroutineLabelsAreSanitisedWithTheStamp checks that the runtime's
// goroutine profile reaches the upstream with label keys the server takes
// and the interval's start, from the one restamp pass.
func TestGoroutineLabelsAreSanitisedWithTheStamp(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ready := make(chan struct{})
	go pprof.Do(context.Background(), pprof.Labels("user-id", "42"), func(context.Context) {
		close(ready)
		<-release
	})
	<-ready
	s, rec := start(t, time.Hour, []string{"goroutines"})
	s.Stop(context.Background())
	got := rec.Profiles(interval.TypeGoroutines)
	if len(got) != 1 {
		t.Fatalf("%d goroutine profiles, want 1", len(got))
	}
	p, err := profile.ParseData(got[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if p.TimeNanos != got[0].From.UnixNano() {
		t.Errorf("time_nanos %d, want the interval's start %d", p.TimeNanos, got[0].From.UnixNano())
	}
	found := false
	for _, smp := range p.Sample {
		if _, bad := smp.Label["user-id"]; bad {
			t.Fatalf("label key user-id left in: %v", smp.Label)
		}
		found = found || slices.Equal(smp.Label["user_id"], []string{"42"})
	}
	if !found {
		t.Error("no sample carries user_id=42")
	}
}
