package pprof

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/cpuprof"
	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/google/pprof/profile"
)

// burnLabelled spins in code labelled burn=name until ctx is done.
func burnLabelled(ctx context.Context, name string) {
	x := uint64(1)
	pprof.Do(ctx, pprof.Labels("burn", name), func(ctx context.Context) {
		for ctx.Err() == nil {
			for i := range uint64(100000) {
				x = x*31 + i
			}
		}
	})
	if x == 0 {
		panic("unreachable: keeps the loop from being optimised away")
	}
}

// burning runs burnLabelled in the background until the test ends.
func burning(t *testing.T, name string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		burnLabelled(ctx, name)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// get requests path from srv and returns the response and its body.
func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return resp, body
}

// checkProfile fails t unless body is a CPU profile holding samples of
// burnLabelled labelled burn=name.
func checkProfile(t *testing.T, resp *http.Response, body []byte, name string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type %q, want application/octet-stream", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="profile"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !pprofenc.IsGzip(body) {
		t.Error("response is not gzipped, as a pprof file from net/http/pprof is")
	}
	p, err := profile.ParseData(body)
	if err != nil {
		t.Fatalf("response is not a pprof profile: %v", err)
	}
	for _, s := range p.Sample {
		if len(s.Label["burn"]) == 1 && s.Label["burn"][0] == name {
			for _, loc := range s.Location {
				for _, line := range loc.Line {
					if strings.HasSuffix(line.Function.Name, ".burnLabelled.func1") {
						return
					}
				}
			}
		}
	}
	t.Errorf("profile has %d samples, none in burnLabelled labelled burn=%s", len(p.Sample), name)
}

func newServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(Profile))
	t.Cleanup(srv.Close)
	return srv
}

func TestProfileOneSecond(t *testing.T) {
	burning(t, "one")
	resp, body := get(t, newServer(t), "/?seconds=1")
	checkProfile(t, resp, body, "one")
}

func TestProfileBadSeconds(t *testing.T) {
	srv := newServer(t)
	for _, s := range []string{"abc", "0", "-1", "1.5", "99999999999999999999"} {
		resp, body := get(t, srv, "/?seconds="+s)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Go-Pprof") != "1" ||
			!strings.Contains(string(body), "invalid seconds") {
			t.Errorf("seconds=%s: status %d, X-Go-Pprof %q, body %q; want 400 explaining the invalid seconds",
				s, resp.StatusCode, resp.Header.Get("X-Go-Pprof"), body)
		}
	}
}

// Two requests at once both get a full profile, while a continuous window
// (Ember's) is open throughout and still yields its profile after.
func TestProfileConcurrentWhileEmberRuns(t *testing.T) {
	burning(t, "shared")
	ember, err := cpuprof.Start()
	if err != nil {
		t.Fatalf("cpuprof.Start: %v", err)
	}
	srv := newServer(t)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			resp, body := get(t, srv, "/?seconds=1")
			checkProfile(t, resp, body, "shared")
		})
	}
	wg.Wait()
	data, err := ember.Stop()
	if err != nil {
		t.Fatalf("Ember's window: %v", err)
	}
	if _, err := profile.ParseData(data); err != nil {
		t.Errorf("Ember's window: %v", err)
	}
}

// When the application holds the runtime CPU profile the request fails the
// way net/http/pprof's does.
func TestProfileWhileAppHoldsTheProfiler(t *testing.T) {
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		t.Fatalf("StartCPUProfile: %v", err)
	}
	defer pprof.StopCPUProfile()
	resp, body := get(t, newServer(t), "/?seconds=1")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "Could not enable CPU profiling") {
		t.Errorf("status %d, body %q; want 500 Could not enable CPU profiling", resp.StatusCode, body)
	}
}

// A client that goes away ends the request at once and frees the profiler.
func TestProfileClientGone(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/?seconds=30", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("request returned %d before the client gave up", resp.StatusCode)
	}
	// srv.Close waits for the handler; it must not be waiting out the 30 s.
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler kept running after its client went away")
	}
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		t.Fatalf("the runtime CPU profile is still held: %v", err)
	}
	pprof.StopCPUProfile()
}

// A server WriteTimeout shorter than the profile does not cut the response:
// the deadline is moved by the profile's length, as net/http/pprof does.
func TestProfileLongerThanWriteTimeout(t *testing.T) {
	burning(t, "timeout")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(Profile))
	srv.Config.WriteTimeout = 300 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	resp, body := get(t, srv, "/?seconds=1")
	checkProfile(t, resp, body, "timeout")
}

// If the application stops the shared profile and takes it for itself while
// a request runs, the request fails with a clear error rather than serving a
// profile with a hole, and the application's profile is left running.
func TestProfileInterruptedByApp(t *testing.T) {
	ember, err := cpuprof.Start()
	if err != nil {
		t.Fatalf("cpuprof.Start: %v", err)
	}
	called := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(called)
		Profile(w, r)
	}))
	t.Cleanup(srv.Close)
	go func() {
		<-called
		time.Sleep(200 * time.Millisecond) // let the handler open its window
		pprof.StopCPUProfile()             // the application's stray stop...
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			t.Errorf("application StartCPUProfile: %v", err)
		}
	}()
	resp, body := get(t, srv, "/?seconds=1")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "CPU profile interrupted") {
		t.Errorf("status %d, body %q; want 500 CPU profile interrupted", resp.StatusCode, body)
	}
	if _, err := ember.Stop(); !errors.Is(err, cpuprof.ErrInUse) {
		t.Errorf("Ember's window: err = %v, want ErrInUse", err)
	}
	if err := pprof.StartCPUProfile(io.Discard); err == nil {
		t.Error("the application's profile was stopped")
	}
	pprof.StopCPUProfile()
}
