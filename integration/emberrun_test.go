package integration_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember"
)

// rate is the upload interval of every test: short, so a test that needs
// several intervals takes seconds.
const rate = time.Second

// logRecorder is an ember.Logger that keeps what Ember logged, so tests
// can assert on it and print it when they fail. It never calls t.Log from
// Ember's goroutines, which may outlive the test by a moment.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) add(level, format string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+": "+fmt.Sprintf(format, args...))
}

func (l *logRecorder) Infof(format string, args ...any)  { l.add("info", format, args) }
func (l *logRecorder) Debugf(format string, args ...any) { l.add("debug", format, args) }
func (l *logRecorder) Errorf(format string, args ...any) { l.add("error", format, args) }

// Lines returns the lines logged at level ("error", "info" or "debug").
func (l *logRecorder) Lines(level string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		if strings.HasPrefix(s, level+": ") {
			out = append(out, s)
		}
	}
	return out
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// run is one profiler of a test, and the wall-clock range to query it in.
type run struct {
	t       *testing.T
	svc     string
	p       *ember.Profiler
	log     *logRecorder
	started time.Time
	stopped time.Time
}

// startEmber starts Ember for t with cfg; ApplicationName, UploadRate and
// Logger are filled in when unset. The profiler is stopped when t ends,
// and its log printed if t failed.
func startEmber(t *testing.T, cfg ember.Config) *run {
	t.Helper()
	r := &run{t: t, log: &logRecorder{}}
	if cfg.ApplicationName == "" {
		cfg.ApplicationName = serviceName(t)
	}
	if cfg.UploadRate == 0 {
		cfg.UploadRate = rate
	}
	if cfg.Logger == nil {
		cfg.Logger = r.log
	}
	r.svc = cfg.ApplicationName
	r.started = time.Now()
	p, err := ember.Start(cfg)
	if err != nil {
		t.Fatalf("ember.Start: %v", err)
	}
	r.p = p
	t.Cleanup(func() {
		_ = r.Stop() // tests that care have stopped it already
		if t.Failed() {
			t.Logf("Ember's log:\n%s", r.log)
		}
	})
	return r
}

// Stop stops the profiler, delivering the last interval, and returns
// Shutdown's error. Calling it again returns nil.
func (r *run) Stop() error {
	if !r.stopped.IsZero() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := r.p.Shutdown(ctx)
	r.stopped = time.Now()
	return err
}

// StopOK stops the profiler and fails the test if Shutdown reports an
// error (such as profiles not delivered).
func (r *run) StopOK() {
	r.t.Helper()
	if err := r.Stop(); err != nil {
		r.t.Errorf("Shutdown: %v", err)
	}
}

// selector selects the run's series, with extra matchers such as
// `function="slow"`.
func (r *run) selector(matchers ...string) string {
	return "{" + strings.Join(append([]string{fmt.Sprintf("service_name=%q", r.svc)}, matchers...), ",") + "}"
}

// window is the range to query the run in: a little wider than its life.
func (r *run) window() (time.Time, time.Time) {
	end := r.stopped
	if end.IsZero() {
		end = time.Now()
	}
	return r.started.Add(-2 * rate), end.Add(2 * rate)
}

// sleepUntilPhase sleeps until the wall clock is phase past a multiple of
// rate (Ember's interval boundaries), so tests can act at known points of
// an interval.
func sleepUntilPhase(phase time.Duration) {
	now := time.Now()
	next := now.Truncate(rate).Add(phase)
	if !next.After(now) {
		next = next.Add(rate)
	}
	time.Sleep(time.Until(next))
}
