package ember

import (
	"context"
	"errors"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/leaktest"
	"github.com/emberprof/ember/internal/recorder"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream/remote"
	"github.com/google/pprof/profile"
)

var sink int

// work spins for n iterations: a fixed amount of CPU however loaded the
// machine is, like the seed program's work.
//
//go:noinline
func work(n int) {
	x := 0
	for i := range n {
		x += i
	}
	sink = x
}

// The seed program's scenario, shortened: a fast and a slow workload
// take turns under one mutex, labelled function=fast by TagWrapper and
// function=slow by pprof.Do, inside an outer foo=bar label.
func TestSeedLabelsReachCPUSamplesInProportion(t *testing.T) {
	rec := &recorder.Recorder{}
	p, err := Start(Config{
		ApplicationName: "seed.test",
		Upstream:        rec,
		UploadRate:      time.Second,
		ProfileTypes:    []ProfileType{ProfileCPU},
	})
	if err != nil {
		t.Fatal(err)
	}
	var m sync.Mutex
	TagWrapper(context.Background(), Labels("foo", "bar"), func(ctx context.Context) {
		for range 2 {
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				m.Lock()
				defer m.Unlock()
				TagWrapper(ctx, Labels("function", "fast"), func(context.Context) { work(250_000_000) })
			}()
			go func() {
				defer wg.Done()
				m.Lock()
				defer m.Unlock()
				pprof.Do(ctx, pprof.Labels("function", "slow"), func(context.Context) { work(1_000_000_000) })
			}()
			wg.Wait()
		}
	})
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}

	cpu := rec.Profiles(interval.TypeCPU)
	if len(cpu) == 0 {
		t.Fatal("no CPU profile")
	}
	byFunction := map[string]int64{}
	for _, up := range cpu {
		prof, err := profile.ParseData(up.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range prof.Sample {
			if f := s.Label["function"]; len(f) == 1 {
				if foo := s.Label["foo"]; len(foo) != 1 || foo[0] != "bar" {
					t.Errorf("sample labelled function=%s lacks the outer foo=bar: %v", f[0], s.Label)
				}
				byFunction[f[0]] += s.Value[1]
			}
		}
	}
	fast, slow := byFunction["fast"], byFunction["slow"]
	if fast == 0 {
		t.Fatalf("no samples for function=fast: %v", byFunction)
	}
	ratio := float64(slow) / float64(fast)
	t.Logf("slow %v, fast %v, ratio %.2f", time.Duration(slow), time.Duration(fast), ratio)
	// At 100 Hz, under -race on two busy cores, the fast side may get only
	// 20 samples (±20 % each way); swapped or lost labels would give 0.25
	// or nothing, far outside these bounds.
	if ratio < 2.5 || ratio > 6.5 {
		t.Errorf("slow:fast CPU = %.2f, want about 4", ratio)
	}
}

// slowUpstream never delivers: Flush and Shutdown wait for their context.
type slowUpstream struct {
	recorder.Recorder
}

func (*slowUpstream) Flush(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func (*slowUpstream) Shutdown(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestShutdownIsBoundedByItsContext(t *testing.T) {
	up := &slowUpstream{}
	p, err := Start(Config{ApplicationName: "a", Upstream: up, ProfileTypes: []ProfileType{ProfileCPU, ProfileGoroutines}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = p.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown past its deadline: %v", err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("Shutdown took %v with a 200ms deadline", waited)
	}
	if n := len(up.Profiles()); n != 2 {
		t.Errorf("final interval: %d profiles handed over, want cpu and goroutines", n)
	}
	if err := p.Stop(); err != nil {
		t.Errorf("Stop after Shutdown: %v", err)
	}
}

func TestStopFlushAndNoGoroutineLeft(t *testing.T) {
	before := leaktest.Take()
	began := time.Now()
	rec := &recorder.Recorder{}
	p, err := Start(Config{ApplicationName: "a", Upstream: rec, ProfileTypes: []ProfileType{
		ProfileCPU, ProfileAllocSpace, ProfileGoroutines, ProfileMutexCount, ProfileBlockDuration,
	}})
	if err != nil {
		t.Fatal(err)
	}
	p.Flush(true)
	if rec.Flushes() != 1 || len(rec.Profiles()) != 5 {
		t.Fatalf("Flush(true): %d upstream flushes, %d profiles", rec.Flushes(), len(rec.Profiles()))
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Profiles()); n != 10 {
		t.Errorf("%d profiles after Flush and Stop, want 10 (two intervals of five types)", n)
	}
	if err := p.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	done := make(chan struct{})
	go func() { p.Flush(true); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Flush after Stop did not return")
	}
	st := p.Stats()
	if st.Intervals != 2 || st.Profiles["cpu"].Collected != 2 || st.Profiles["heap"].Collected != 2 || st.Upload.Enqueued != 10 {
		t.Errorf("stats %+v", st)
	}
	// Flush restarted the CPU profile once: sampling was off for a while,
	// and for no longer than the test ran.
	if st.CPUSamplingGap <= 0 || st.CPUSamplingGap >= time.Since(began) {
		t.Errorf("CPU sampling gap %v after one restart in %v", st.CPUSamplingGap, time.Since(began))
	}
	if f := runtime.SetMutexProfileFraction(-1); f != 0 {
		t.Errorf("mutex fraction %d after Stop, want the original 0", f)
	}
	before.Check(t)
}

func TestCPUProfileHeldByTheApplication(t *testing.T) {
	var buf nopWriter
	if err := pprof.StartCPUProfile(buf); err != nil {
		t.Skip("CPU profile busy:", err)
	}
	rec := &recorder.Recorder{}
	p, err := Start(Config{ApplicationName: "a", Upstream: rec, ProfileTypes: []ProfileType{ProfileCPU, ProfileGoroutines}})
	if err != nil {
		pprof.StopCPUProfile()
		t.Fatal(err)
	}
	p.Flush(false)         // interval 1: CPU held throughout
	pprof.StopCPUProfile() // freed during interval 2
	p.Flush(false)         // Ember takes the CPU profile back here
	p.Stop()               // interval 3 has CPU
	st := p.Stats()
	if cpu := st.Profiles["cpu"]; cpu.Skipped != 2 || cpu.Collected != 1 {
		t.Errorf("cpu stats %+v, want two intervals skipped, then one collected", cpu)
	}
	gr := rec.Profiles(interval.TypeGoroutines)
	cpu := rec.Profiles(interval.TypeCPU)
	if len(cpu) != 1 || len(gr) != 3 || !cpu[0].From.Equal(gr[2].From) {
		t.Errorf("CPU profile does not cover the third interval exactly")
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

func TestFailedStartLeavesAUsableNilProfiler(t *testing.T) {
	p, err := Start(Config{ApplicationName: "bad name"})
	if err == nil || p != nil {
		t.Fatalf("got %v, %v; want nil and an error", p, err)
	}
	p.Flush(true)
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Intervals != 0 {
		t.Fatal(st)
	}
}

func TestUploadJitterStaysWithinAThirdOfTheInterval(t *testing.T) {
	for _, c := range []struct{ rate, want time.Duration }{
		{15 * time.Second, remote.DefaultUploadJitter},
		{60 * time.Second, remote.DefaultUploadJitter},
		{3 * time.Second, time.Second},
		{MinUploadRate, MinUploadRate / 3},
	} {
		if got := uploadJitter(c.rate); got != c.want {
			t.Errorf("uploadJitter(%v) = %v, want %v", c.rate, got, c.want)
		}
	}
}
