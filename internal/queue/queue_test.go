package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/leaktest"
	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// fakeExporter records deliveries and answers with what its script says.
// A job's ID is its profiles' Data joined by "+".
type fakeExporter struct {
	mu        sync.Mutex
	attempts  map[string]int                     // per job ID
	delivered []string                           // job IDs
	script    func(id string, attempt int) error // nil error: delivered
	gate      chan struct{}                      // if set, each Export waits for a token or ctx
}

func (f *fakeExporter) Export(ctx context.Context, job Job) (int, error) {
	batch := job.Profiles
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	ids := make([]string, len(batch))
	size := 0
	for i, p := range batch {
		ids[i] = string(p.Data)
		size += len(p.Data)
	}
	id := strings.Join(ids, "+")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.attempts == nil {
		f.attempts = map[string]int{}
	}
	f.attempts[id]++
	var err error
	if f.script != nil {
		err = f.script(id, f.attempts[id])
	}
	if err == nil {
		f.delivered = append(f.delivered, id)
		return size, nil
	}
	return 0, err
}

func (f *fakeExporter) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.delivered...)
}

// recLogger keeps log lines by level.
type recLogger struct {
	mu    sync.Mutex
	lines map[string][]string
}

func (l *recLogger) add(level, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lines == nil {
		l.lines = map[string][]string{}
	}
	l.lines[level] = append(l.lines[level], fmt.Sprintf(format, args...))
}
func (l *recLogger) Infof(f string, a ...any)  { l.add("info", f, a...) }
func (l *recLogger) Debugf(f string, a ...any) { l.add("debug", f, a...) }
func (l *recLogger) Errorf(f string, a ...any) { l.add("error", f, a...) }
func (l *recLogger) get(level string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines[level]...)
}

func prof(typ interval.Type, id string) *interval.Profile {
	return &interval.Profile{Application: "app", Type: typ, Data: []byte(id)}
}

func testConfig() Config {
	return Config{MaxProfiles: 100, MaxBytes: 1 << 20, Workers: 3, Name: "test",
		Backoff: retry.Backoff{Base: time.Microsecond, Max: time.Microsecond}}
}

func mustFlush(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func checkBalance(t *testing.T, s upstream.Stats) {
	t.Helper()
	if s.Enqueued != s.Delivered+s.Failed+s.Dropped {
		t.Errorf("counts do not add up once idle: %+v", s)
	}
}

func TestRetriesDeliverEachOnceInOrderPerType(t *testing.T) {
	// Every profile fails twice with a retryable error, then succeeds.
	f := &fakeExporter{script: func(id string, attempt int) error {
		if attempt <= 2 {
			return retry.Retryable(errors.New("503"), 0)
		}
		return nil
	}}
	q := New(testConfig(), f)
	defer q.Shutdown(context.Background())
	types := []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeMutex}
	for i := range 10 {
		for _, typ := range types {
			q.Upload(prof(typ, fmt.Sprintf("%s-%02d", typ, i)))
		}
	}
	mustFlush(t, q)

	got := f.got()
	if len(got) != 30 {
		t.Fatalf("delivered %d profiles, want 30: %v", len(got), got)
	}
	seen := map[string]bool{}
	last := map[string]string{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("%s delivered twice", id)
		}
		seen[id] = true
		typ := id[:strings.Index(id, "-")]
		if id < last[typ] {
			t.Errorf("%s delivered after %s", id, last[typ])
		}
		last[typ] = id
	}
	s := q.Stats()
	if s.Delivered != 30 || s.Retried != 60 || s.Failed != 0 || s.Dropped != 0 || s.BytesSent == 0 {
		t.Errorf("stats %+v, want 30 delivered, 60 retried", s)
	}
	if !strings.Contains(s.LastError, "503") || s.LastErrorTime.IsZero() {
		t.Errorf("last error %q at %v", s.LastError, s.LastErrorTime)
	}
	checkBalance(t, s)
}

func TestFinalErrorIsNotRetriedAndLoggedOnce(t *testing.T) {
	f := &fakeExporter{script: func(string, int) error { return errors.New("400 Bad Request: invalid name") }}
	log := &recLogger{}
	cfg := testConfig()
	cfg.Logger = log
	q := New(cfg, f)
	defer q.Shutdown(context.Background())
	for i := range 4 {
		q.Upload(prof(interval.TypeCPU, fmt.Sprint(i)))
	}
	mustFlush(t, q)
	s := q.Stats()
	if s.Failed != 4 || s.Retried != 0 || s.Delivered != 0 {
		t.Errorf("stats %+v, want 4 failed and no retries", s)
	}
	for i := range 4 {
		if n := f.attempts[fmt.Sprint(i)]; n != 1 {
			t.Errorf("profile %d attempted %d times", i, n)
		}
	}
	if errs := log.get("error"); len(errs) != 1 || !strings.Contains(errs[0], "invalid name") {
		t.Errorf("error log lines %q, want one with the server's message", errs)
	}
	if dbg := log.get("debug"); len(dbg) != 3 {
		t.Errorf("debug log lines %q, want the 3 repeats", dbg)
	}
}

func TestRetryableFailuresNeverGiveUp(t *testing.T) {
	f := &fakeExporter{script: func(_ string, attempt int) error {
		if attempt <= 50 {
			return retry.Retryable(errors.New("503"), 0)
		}
		return nil
	}}
	q := New(testConfig(), f)
	defer q.Shutdown(context.Background())
	q.Upload(prof(interval.TypeCPU, "a"))
	mustFlush(t, q)
	if n := f.attempts["a"]; n != 51 {
		t.Errorf("%d attempts, want 51", n)
	}
	if s := q.Stats(); s.Delivered != 1 || s.Failed != 0 || s.Retried != 50 {
		t.Errorf("stats %+v, want delivered after 50 retries", s)
	}
}

// hourBackoff waits exactly an hour after every failure, and honours a
// Retry-After of up to an hour.
var hourBackoff = retry.Backoff{Base: time.Hour, Max: time.Hour, MaxRetryAfter: time.Hour,
	Rand: func(n int64) int64 { return n - 1 }}

func TestNewJobEndsTheBackoffUnlessTheServerAsked(t *testing.T) {
	f := &fakeExporter{script: func(id string, attempt int) error {
		if id == "x" {
			return hourRetryAfter
		}
		return retry.Retryable(errors.New("503"), 0)
	}}
	cfg := testConfig()
	cfg.Workers = 1
	cfg.Backoff = hourBackoff
	q := New(cfg, f)
	q.Upload(prof(interval.TypeHeap, "x"))
	q.Upload(prof(interval.TypeCPU, "a"))
	waitFor(t, func() bool { return q.Stats().Retried == 2 }) // both wait an hour
	// b makes a due again (b itself waits behind a), not x: its server
	// asked for the hour. The one worker takes the oldest due job first,
	// so x would have been tried before a.
	q.Upload(prof(interval.TypeCPU, "b"))
	waitFor(t, func() bool { return q.Stats().Retried == 3 })
	f.mu.Lock()
	if f.attempts["a"] != 2 || f.attempts["x"] != 1 || f.attempts["b"] != 0 {
		t.Errorf("attempts %v, want a twice, x once, b never", f.attempts)
	}
	f.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := q.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the deadline", err)
	}
}

// hourRetryAfter is a retryable error whose server asks for an hour's wait.
var hourRetryAfter = retry.Retryable(errors.New("429, retry after an hour"), time.Hour)

func TestDeliveryEndsTheBackoffOfWaitingJobs(t *testing.T) {
	f := &fakeExporter{script: func(id string, attempt int) error {
		if id == "a" && attempt == 1 {
			return hourRetryAfter
		}
		return nil
	}}
	cfg := testConfig()
	cfg.Workers = 1
	cfg.Backoff = hourBackoff
	q := New(cfg, f)
	defer q.Shutdown(context.Background())
	q.Upload(prof(interval.TypeCPU, "a"))
	waitFor(t, func() bool { return q.Stats().Retried == 1 }) // a waits an hour, as asked
	// The only worker is free for b, whose delivery shows the destination
	// is back: a goes at once.
	q.Upload(prof(interval.TypeHeap, "b"))
	mustFlush(t, q)
	if got := strings.Join(f.got(), ","); got != "b,a" {
		t.Errorf("delivered %s, want b,a", got)
	}
}

func TestFlushKeepsBackoffShutdownEndsIt(t *testing.T) {
	f := &fakeExporter{script: func(_ string, attempt int) error {
		if attempt == 1 {
			return retry.Retryable(errors.New("503"), 0)
		}
		return nil
	}}
	cfg := testConfig()
	cfg.Backoff = hourBackoff
	q := New(cfg, f)
	q.Upload(prof(interval.TypeCPU, "a"))
	waitFor(t, func() bool { return q.Stats().Retried == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := q.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Flush = %v while a waits an hour, want the deadline", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v, want a tried again at once and delivered", err)
	}
	if s := q.Stats(); s.Delivered != 1 || f.attempts["a"] != 2 {
		t.Errorf("stats %+v after %d attempts, want a delivered on the second", s, f.attempts["a"])
	}
}

func TestWaitingJobIsPushedOutOldestFirst(t *testing.T) {
	f := &fakeExporter{script: func(id string, _ int) error {
		if id == "a" {
			return hourRetryAfter
		}
		return nil
	}}
	cfg := testConfig()
	cfg.Workers = 1
	cfg.MaxProfiles = 2
	cfg.Backoff = hourBackoff
	q := New(cfg, f)
	defer q.Shutdown(context.Background())
	q.Upload(prof(interval.TypeCPU, "a"))
	waitFor(t, func() bool { return q.Stats().Retried == 1 })
	q.Upload(prof(interval.TypeCPU, "b")) // waits behind a
	q.Upload(prof(interval.TypeCPU, "c")) // three queued: a, the oldest, goes
	mustFlush(t, q)
	if got := strings.Join(f.got(), ","); got != "b,c" {
		t.Errorf("delivered %s, want b,c", got)
	}
	s := q.Stats()
	if s.Dropped != 1 || s.Delivered != 2 || s.Failed != 0 {
		t.Errorf("stats %+v, want a dropped, b and c delivered", s)
	}
	checkBalance(t, s)
}

func TestRetryAfterIsPassedToBackoff(t *testing.T) {
	f := &fakeExporter{script: func(_ string, attempt int) error {
		if attempt == 1 {
			return retry.Retryable(errors.New("429"), 42*time.Second)
		}
		return nil
	}}
	cfg := testConfig()
	var mu sync.Mutex
	var waits []time.Duration
	// The backoff caps Retry-After at 1µs here; record what it was asked.
	cfg.Backoff = retry.Backoff{MaxRetryAfter: time.Microsecond}
	q := New(cfg, exporterFunc(func(ctx context.Context, job Job) (int, error) {
		n, err := f.Export(ctx, job)
		if after, ok := retry.IsRetryable(err); ok {
			mu.Lock()
			waits = append(waits, after)
			mu.Unlock()
		}
		return n, err
	}))
	defer q.Shutdown(context.Background())
	q.Upload(prof(interval.TypeCPU, "a"))
	mustFlush(t, q)
	if len(waits) != 1 || waits[0] != 42*time.Second || f.attempts["a"] != 2 {
		t.Errorf("waits %v, attempts %d", waits, f.attempts["a"])
	}
}

type exporterFunc func(context.Context, Job) (int, error)

func (f exporterFunc) Export(ctx context.Context, job Job) (int, error) {
	return f(ctx, job)
}

func TestOverflowDropsOldestAndBoundsBytes(t *testing.T) {
	f := &fakeExporter{gate: make(chan struct{})}
	log := &recLogger{}
	cfg := testConfig()
	cfg.Workers = 1
	cfg.MaxProfiles = 4
	cfg.MaxBytes = 1000
	cfg.Logger = log
	q := New(cfg, f)
	defer q.Shutdown(context.Background())

	// The worker takes the first profile and blocks on the gate.
	q.Upload(prof(interval.TypeCPU, "p00"))
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.inflight) == 1 })
	for i := 1; i <= 10; i++ {
		q.Upload(prof(interval.TypeCPU, fmt.Sprintf("p%02d", i)))
		q.mu.Lock()
		if len(q.pending) > cfg.MaxProfiles || q.bytes > cfg.MaxBytes {
			t.Errorf("queue holds %d jobs, %d bytes", len(q.pending), q.bytes)
		}
		q.mu.Unlock()
	}
	// A profile bigger than the byte bound pushes everything queued out.
	big := &interval.Profile{Application: "app", Type: interval.TypeHeap, Data: make([]byte, 995)}
	q.Upload(big)
	q.mu.Lock()
	if len(q.pending) != 1 || q.bytes > cfg.MaxBytes {
		t.Errorf("after a %d-byte profile: %d jobs, %d bytes queued", len(big.Data), len(q.pending), q.bytes)
	}
	q.mu.Unlock()
	close(f.gate)
	mustFlush(t, q)

	got := f.got()
	if len(got) != 2 || got[0] != "p00" || len(got[1]) != len(big.Data) {
		t.Errorf("delivered %d profiles, want p00 and the big one (the rest were pushed out)", len(got))
	}
	s := q.Stats()
	if s.Dropped != 10 || s.Enqueued != 12 {
		t.Errorf("stats %+v, want 12 enqueued, 10 dropped", s)
	}
	checkBalance(t, s)
	if errs := log.get("error"); len(errs) != 1 || !strings.Contains(errs[0], "dropped 1 profiles (queue full)") {
		t.Errorf("drop log lines %q, want one (rate-limited)", errs)
	}
}

func TestOverflowKeepsNewestInOrder(t *testing.T) {
	f := &fakeExporter{gate: make(chan struct{})}
	cfg := testConfig()
	cfg.Workers = 1
	cfg.MaxProfiles = 3
	q := New(cfg, f)
	defer q.Shutdown(context.Background())
	q.Upload(prof(interval.TypeCPU, "p0"))
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.inflight) == 1 })
	for i := 1; i <= 6; i++ {
		q.Upload(prof(interval.TypeCPU, fmt.Sprintf("p%d", i)))
	}
	close(f.gate)
	mustFlush(t, q)
	if got := strings.Join(f.got(), ","); got != "p0,p4,p5,p6" {
		t.Errorf("delivered %s, want p0,p4,p5,p6", got)
	}
}

func TestDropLogIsRateLimited(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	log := &recLogger{}
	l := newLogs("test", log, clock)
	l.dropped(1, "queue full")
	l.dropped(2, "queue full")
	l.dropped(3, "queue full")
	mu.Lock()
	now = now.Add(dropLogEvery)
	mu.Unlock()
	l.dropped(4, "queue full")
	want := []string{"test: dropped 1 profiles (queue full); see Stats().Dropped",
		"test: dropped 9 profiles (queue full); see Stats().Dropped"}
	if got := log.get("error"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("log lines %q, want %q", got, want)
	}
}

func TestFlushWaitsOnlyForEarlierProfiles(t *testing.T) {
	f := &fakeExporter{gate: make(chan struct{})}
	cfg := testConfig()
	cfg.Workers = 1
	q := New(cfg, f)
	defer q.Shutdown(context.Background())
	q.Upload(prof(interval.TypeCPU, "a"))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Flush with a done context = %v, want context.Canceled", err)
	}
	flushed := make(chan error)
	go func() { flushed <- q.Flush(context.Background()) }()
	f.gate <- struct{}{} // deliver a
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if got := f.got(); len(got) != 1 {
		t.Errorf("Flush returned with %v delivered", got)
	}
	close(f.gate)
}

func TestDelayIsSkippedByFlushAndShutdown(t *testing.T) {
	f := &fakeExporter{}
	cfg := testConfig()
	cfg.Delay = time.Hour
	q := New(cfg, f)
	q.Upload(prof(interval.TypeCPU, "a"))
	mustFlush(t, q)
	q.Upload(prof(interval.TypeCPU, "b"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.got(), ","); got != "a,b" {
		t.Errorf("delivered %s, want a,b", got)
	}
}

func TestShutdownDrainsThenIsIdempotent(t *testing.T) {
	before := leaktest.Take()
	f := &fakeExporter{}
	q := New(testConfig(), f)
	for i := range 20 {
		q.Upload(prof(interval.Type(fmt.Sprint(i%4)), fmt.Sprint(i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.got()); n != 20 {
		t.Errorf("Shutdown delivered %d of 20", n)
	}
	if err := q.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown = %v", err)
	}
	q.Upload(prof(interval.TypeCPU, "late"))
	if err := q.Flush(context.Background()); err != nil {
		t.Errorf("Flush after Shutdown = %v", err)
	}
	s := q.Stats()
	if s.Delivered != 20 || s.Dropped != 1 || s.Enqueued != 21 {
		t.Errorf("stats %+v, want 20 delivered and the late one dropped", s)
	}
	before.Check(t, "internal/queue")
}

func TestShutdownDeadlineCancelsAndCounts(t *testing.T) {
	before := leaktest.Take()
	f := &fakeExporter{gate: make(chan struct{})} // never opened: Export blocks until cancelled
	cfg := testConfig()
	cfg.Workers = 2
	q := New(cfg, f)
	for i := range 5 {
		q.Upload(prof(interval.Type(fmt.Sprint(i)), fmt.Sprint(i)))
	}
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.inflight) == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := q.Shutdown(ctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "5 profiles not delivered") {
		t.Errorf("Shutdown = %v, want 5 not delivered and the deadline", err)
	}
	s := q.Stats()
	if s.Dropped != 5 || s.Delivered != 0 {
		t.Errorf("stats %+v, want 5 dropped", s)
	}
	checkBalance(t, s)
	before.Check(t, "internal/queue")
}

func TestShutdownReportsFailures(t *testing.T) {
	f := &fakeExporter{gate: make(chan struct{}), script: func(string, int) error { return errors.New("401 Unauthorized") }}
	q := New(testConfig(), f)
	q.Upload(prof(interval.TypeCPU, "a"))
	done := make(chan error)
	go func() { done <- q.Shutdown(context.Background()) }()
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return q.closed })
	close(f.gate) // the attempt fails during Shutdown
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "1 profiles not delivered") || !strings.Contains(err.Error(), "401") {
		t.Errorf("Shutdown = %v, want 1 not delivered with the last error", err)
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// batch makes one interval's profiles, one per type, with IDs prefix-type.
func batch(prefix string, types ...interval.Type) []*interval.Profile {
	ps := make([]*interval.Profile, len(types))
	for i, typ := range types {
		ps[i] = prof(typ, prefix+"-"+string(typ))
	}
	return ps
}

func TestBatchIsOneJobCountedInProfiles(t *testing.T) {
	f := &fakeExporter{gate: make(chan struct{})}
	cfg := testConfig()
	cfg.Workers = 1
	cfg.MaxProfiles = 6
	q := New(cfg, f)
	defer q.Shutdown(context.Background())
	q.UploadBatch(batch("b1", interval.TypeCPU, interval.TypeHeap))
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.inflight) == 1 })
	three := []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeMutex}
	for _, b := range []string{"b2", "b3", "b4"} {
		q.UploadBatch(batch(b, three...)) // b4 pushes b2 out: six profiles queued at most
	}
	q.UploadBatch(nil)
	if s := q.Stats(); s.Enqueued != 11 || s.Dropped != 3 {
		t.Errorf("stats %+v, want 11 profiles enqueued and b2's 3 dropped", s)
	}
	close(f.gate)
	mustFlush(t, q)
	want := "b1-cpu+b1-heap,b3-cpu+b3-heap+b3-mutex,b4-cpu+b4-heap+b4-mutex"
	if got := strings.Join(f.got(), ","); got != want {
		t.Errorf("delivered %s, want %s", got, want)
	}
	s := q.Stats()
	if s.Delivered != 8 || s.BytesSent != uint64(len("b1-cpu"+"b1-heap")+2*len("b3-cpu"+"b3-heap"+"b3-mutex")) {
		t.Errorf("stats %+v, want 8 profiles delivered", s)
	}
	checkBalance(t, s)
}

func TestBatchWaitsForOlderJobsOfItsTypes(t *testing.T) {
	f := &fakeExporter{gate: make(chan struct{})}
	cfg := testConfig()
	cfg.Workers = 2
	q := New(cfg, f)
	defer q.Shutdown(context.Background())
	q.Upload(prof(interval.TypeCPU, "1-cpu"))
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.inflight) == 1 })
	// The batch waits for 1-cpu; 3-heap waits for the batch's heap profile,
	// although no heap profile is in flight; 3-mutex is free to go.
	q.UploadBatch(batch("2", interval.TypeCPU, interval.TypeHeap))
	q.Upload(prof(interval.TypeHeap, "3-heap"))
	q.Upload(prof(interval.TypeMutex, "3-mutex"))
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.inflight) == 2 })
	q.mu.Lock()
	var queued []string
	for _, j := range q.pending {
		queued = append(queued, strings.Join(j.keys, ","))
	}
	q.mu.Unlock()
	if got, want := strings.Join(queued, "|"), "app\x00cpu,app\x00heap|app\x00heap"; got != want {
		t.Errorf("queued %q, want the batch and 3-heap (%q)", got, want)
	}
	close(f.gate)
	mustFlush(t, q)
	got := strings.Join(slices.DeleteFunc(f.got(), func(id string) bool { return id == "3-mutex" }), ",")
	if got != "1-cpu,2-cpu+2-heap,3-heap" {
		t.Errorf("delivered %s (3-mutex left out), want 1-cpu, then the batch, then 3-heap", got)
	}
}

func TestShutdownDeadlineCountsBatchProfiles(t *testing.T) {
	f := &fakeExporter{gate: make(chan struct{})} // never opened
	cfg := testConfig()
	cfg.Workers = 1
	q := New(cfg, f)
	q.UploadBatch(batch("1", interval.TypeCPU, interval.TypeHeap))
	q.UploadBatch(batch("2", interval.TypeCPU, interval.TypeHeap, interval.TypeBlock))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := q.Shutdown(ctx); err == nil || !strings.Contains(err.Error(), "5 profiles not delivered") {
		t.Errorf("Shutdown = %v, want 5 profiles not delivered", err)
	}
	if s := q.Stats(); s.Dropped != 5 || s.Enqueued != 5 {
		t.Errorf("stats %+v, want 5 dropped", s)
	}
}

func TestSingleRefusesBatches(t *testing.T) {
	var got []string
	one := Single(func(_ context.Context, p *interval.Profile) (int, error) {
		got = append(got, string(p.Data))
		return len(p.Data), nil
	})
	if n, err := one.Export(context.Background(), Job{Profiles: batch("1", interval.TypeCPU)}); err != nil || n != len("1-cpu") {
		t.Errorf("one profile: %d, %v", n, err)
	}
	_, err := one.Export(context.Background(), Job{Profiles: batch("2", interval.TypeCPU, interval.TypeHeap)})
	if err == nil || !strings.Contains(err.Error(), "2 profiles") {
		t.Errorf("two profiles: %v, want an error", err)
	}
	if _, ok := retry.IsRetryable(err); ok {
		t.Error("a batch for a one-profile exporter is retryable; it can never succeed")
	}
	if strings.Join(got, ",") != "1-cpu" {
		t.Errorf("exported %v, want only 1-cpu", got)
	}
}

// TestEncodeOncePerJob: with Config.Encode, a job is encoded once, as it is
// queued; every attempt gets those bytes; the profiles' data is released
// and the byte bound counts the body; a job that cannot be encoded fails
// for good, at once, logged.
func TestEncodeOncePerJob(t *testing.T) {
	var mu sync.Mutex
	encoded := 0
	var bodies [][]byte
	cfg := testConfig()
	cfg.Workers = 1
	log := &recLogger{}
	cfg.Logger = log
	cfg.Encode = func(ps []*interval.Profile) ([]byte, error) {
		mu.Lock()
		encoded++
		mu.Unlock()
		if string(ps[0].Data) == "unreadable" {
			return nil, errors.New("cannot read the cpu profile")
		}
		var b []byte
		for _, p := range ps {
			b = append(b, p.Data...)
			b = append(b, '|')
		}
		return b, nil
	}
	q := New(cfg, exporterFunc(func(_ context.Context, job Job) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, job.Body)
		if len(bodies)%3 != 0 { // two refusals, then accepted
			return 0, retry.Retryable(errors.New("503"), 0)
		}
		return len(job.Body), nil
	}))
	defer q.Shutdown(context.Background())
	ps := batch("b1", interval.TypeCPU, interval.TypeHeap)
	q.UploadBatch(ps)
	for _, p := range ps {
		if p.Data != nil {
			t.Errorf("%s profile keeps its data after encoding", p.Type)
		}
	}
	q.UploadBatch([]*interval.Profile{prof(interval.TypeCPU, "unreadable")})
	mustFlush(t, q)
	mu.Lock()
	defer mu.Unlock()
	want := "b1-cpu|b1-heap|"
	if encoded != 2 || len(bodies) != 3 {
		t.Fatalf("%d encodings and %d attempts; want one encoding per job and three attempts of the first", encoded, len(bodies))
	}
	for i, b := range bodies {
		if string(b) != want {
			t.Errorf("attempt %d sent %q, want %q", i+1, b, want)
		}
	}
	s := q.Stats()
	checkBalance(t, s)
	if s.Delivered != 2 || s.Failed != 1 || s.BytesSent != uint64(len(want)) {
		t.Errorf("Stats %+v; want 2 delivered, the unreadable one failed", s)
	}
	if errs := log.get("error"); len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "app cpu profile cannot be sent: cannot read the cpu profile") {
		t.Errorf("error log %q; want the unreadable job named", errs)
	}
}
