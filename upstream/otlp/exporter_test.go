package otlp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"go.opentelemetry.io/collector/pdata/pprofile/pprofileotlp"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
)

// goroutineProfile returns this process's goroutine profile as Ember hands
// it over.
func goroutineProfile(t *testing.T) *interval.Profile {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	until := time.Now()
	return &interval.Profile{
		Application: "app", Tags: map[string]string{"env": "test"}, Type: interval.TypeGoroutines,
		From: until.Add(-time.Second), Until: until, Data: buf.Bytes(),
	}
}

func newTestExporter(t *testing.T, url string, cfg Config) *Exporter {
	t.Helper()
	cfg.Endpoint = url
	cfg.UploadJitter = -1
	cfg.backoff = &retry.Backoff{Base: time.Millisecond, Max: time.Millisecond, MaxRetryAfter: 50 * time.Millisecond}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

func flush(t *testing.T, e *Exporter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// A request carries the OTLP/HTTP headers, the user's, and a gzipped
// protobuf body the receiver's decoder reads.
func TestRequest(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r)
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer srv.Close()
	e := newTestExporter(t, srv.URL+"/prefix/", Config{Headers: map[string]string{"X-Api-Key": "k"}})
	e.UploadBatch([]*interval.Profile{goroutineProfile(t), goroutineProfile(t)})
	flush(t, e)

	if len(got) != 1 {
		t.Fatalf("%d requests for one interval; want 1", len(got))
	}
	r := got[0]
	for k, want := range map[string]string{
		"Content-Type":                      "application/x-protobuf",
		"Content-Encoding":                  "gzip",
		"OTLP-Profiles-Development-Version": pprofileotlp.DevelopmentVersion,
		"X-Api-Key":                         "k",
	} {
		if v := r.Header.Get(k); v != want {
			t.Errorf("%s = %q; want %q", k, v, want)
		}
	}
	if r.URL.Path != "/prefix"+Path {
		t.Errorf("path %s; want /prefix%s", r.URL.Path, Path)
	}
	zr, err := gzip.NewReader(bytes.NewReader(bodies[0]))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	req := pprofileotlp.NewExportRequest()
	if err := req.UnmarshalProto(raw); err != nil {
		t.Fatal(err)
	}
	if n := req.Profiles().ProfileCount(); n != 2 {
		t.Errorf("%d profiles in the request; want 2 (one goroutine profile each)", n)
	}
	if s := e.Stats(); s.Delivered != 2 || s.BytesSent != uint64(len(bodies[0])) {
		t.Errorf("Stats = %+v; want 2 delivered, %d bytes", s, len(bodies[0]))
	}
}

// versionRefusal answers as the Collector's receiver does to a version it
// does not speak.
func versionRefusal(w http.ResponseWriter, _ *http.Request) {
	msg, _ := proto.Marshal(&status.Status{Code: 3, Message: "invalid or unsupported OTLP-Profiles-Development-Version: supported version is 2"})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(msg)
}

func TestVersionRefusedIsFinal(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		versionRefusal(w, r)
	}))
	defer srv.Close()
	e := newTestExporter(t, srv.URL, Config{})
	e.Upload(goroutineProfile(t))
	flush(t, e)
	s := e.Stats()
	if calls.Load() != 1 || s.Failed != 1 || s.Retried != 0 {
		t.Errorf("%d calls, Stats %+v; want one attempt, failed", calls.Load(), s)
	}
	if !strings.Contains(s.LastError, ErrVersionRefused.Error()) || !strings.Contains(s.LastError, "supported version is 2") {
		t.Errorf("LastError = %q; want the refusal and the receiver's message", s.LastError)
	}
	_, err := (&sender{endpoint: srv.URL + Path, client: srv.Client(), timeout: time.Second, header: headers(nil)}).send(context.Background(), []byte{})
	if !errors.Is(err, ErrVersionRefused) {
		t.Errorf("send error %v; want ErrVersionRefused", err)
	}
}

// 503 with Retry-After and 429 are retried; the interval arrives once.
// It was encoded once, as it was queued: every attempt sends the same
// bytes, and the profile's pprof data is released at once.
func TestRetryable(t *testing.T) {
	var calls atomic.Int32
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	e := newTestExporter(t, srv.URL, Config{})
	p := goroutineProfile(t)
	e.Upload(p)
	if p.Data != nil {
		t.Error("the profile's pprof data is kept after its request was encoded")
	}
	flush(t, e)
	if s := e.Stats(); calls.Load() != 3 || s.Retried != 2 || s.Delivered != 1 {
		t.Errorf("%d calls, Stats %+v; want 2 retries then delivered", calls.Load(), s)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 3 || bodies[0] == "" || bodies[1] != bodies[0] || bodies[2] != bodies[0] {
		t.Error("the attempts did not send the same request")
	}
}

// A 400 (other than the version) and a 500 are final, as OTLP/HTTP says.
func TestFinal(t *testing.T) {
	for _, code := range []int{http.StatusBadRequest, http.StatusInternalServerError, http.StatusUnauthorized} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			calls.Add(1)
			http.Error(w, "no", code)
		}))
		e := newTestExporter(t, srv.URL, Config{})
		e.Upload(goroutineProfile(t))
		flush(t, e)
		if s := e.Stats(); calls.Load() != 1 || s.Failed != 1 || !strings.Contains(s.LastError, `"no"`) {
			t.Errorf("%d: %d calls, Stats %+v; want one final failure quoting the answer", code, calls.Load(), s)
		}
		srv.Close()
	}
}

// A redirect to another host is not followed, so Headers stay with the
// endpoint; one within the host is.
func TestRedirect(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("X-Api-Key") != "")
	}))
	defer other.Close()
	var here atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == Path {
			http.Redirect(w, r, "/moved", http.StatusPermanentRedirect)
			return
		}
		here.Add(1)
		http.Redirect(w, r, other.URL+Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	e := newTestExporter(t, srv.URL, Config{Headers: map[string]string{"X-Api-Key": "secret"}})
	e.Upload(goroutineProfile(t))
	flush(t, e)
	s := e.Stats()
	if here.Load() != 1 || leaked.Load() || s.Failed != 1 || strings.Contains(s.LastError, "secret") {
		t.Errorf("followed within host %d times, leaked %v, Stats %+v", here.Load(), leaked.Load(), s)
	}
}

// A stalled receiver is cut off by Timeout and retried until Shutdown's
// deadline drops the interval.
func TestStall(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	e := newTestExporter(t, srv.URL, Config{Timeout: 20 * time.Millisecond})
	e.Upload(goroutineProfile(t))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := e.Shutdown(ctx); err == nil || !strings.Contains(err.Error(), "1 profiles not delivered") {
		t.Errorf("Shutdown = %v; want the interval reported lost", err)
	}
	if s := e.Stats(); s.Retried == 0 || s.Dropped != 1 || s.Delivered+s.Failed != 0 {
		t.Errorf("Stats %+v; want retries after timeouts, then dropped at the deadline", s)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "Endpoint is empty"},
		{Config{Endpoint: "collector:4318"}, "must start with http://"},
		{Config{Endpoint: "http://u:pw@collector:4318"}, "user info"},
		{Config{Endpoint: "http://c:4318", MaxQueueProfiles: -1}, "MaxQueueProfiles is -1"},
		{Config{Endpoint: "http://c:4318", Timeout: -time.Second}, "Timeout is -1s"},
	} {
		_, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw") {
			t.Errorf("New(%+v) = %v; want an error with %q", tc.cfg, err, tc.want)
		}
	}
}

// A profile that does not parse is left out and logged; the rest goes.
func TestBadProfileLeftOut(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer srv.Close()
	log := &testLogger{}
	e := newTestExporter(t, srv.URL, Config{Logger: log})
	bad := goroutineProfile(t)
	bad.Type, bad.Data = interval.TypeHeap, []byte("not a profile")
	e.UploadBatch([]*interval.Profile{bad, goroutineProfile(t)})
	e.UploadBatch([]*interval.Profile{bad})
	flush(t, e)
	s := e.Stats()
	if calls.Load() != 1 || s.Delivered != 2 || s.Failed != 1 || !strings.Contains(log.String(), "app heap profile left out") {
		t.Errorf("%d requests, Stats %+v, log %q; want 1 request, the lone bad profile failed and named", calls.Load(), s, log.String())
	}
}

type testLogger struct {
	mu    sync.Mutex
	lines strings.Builder
}

func (l *testLogger) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines.WriteString(strings.TrimSpace(fmt.Sprintf(format, args...)) + "\n")
}

func (l *testLogger) Infof(format string, args ...any)  { l.add(format, args...) }
func (l *testLogger) Debugf(format string, args ...any) { l.add(format, args...) }
func (l *testLogger) Errorf(format string, args ...any) { l.add(format, args...) }

func (l *testLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines.String()
}

// A partial success counts as delivered, and the rejection is logged.
func TestPartialSuccess(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r := pprofileotlp.NewExportResponse()
		r.PartialSuccess().SetRejectedProfiles(2)
		r.PartialSuccess().SetErrorMessage("sample type not supported")
		b, _ := r.MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	log := &testLogger{}
	e := newTestExporter(t, srv.URL, Config{Logger: log})
	e.Upload(goroutineProfile(t))
	flush(t, e)
	if s := e.Stats(); s.Delivered != 1 || !strings.Contains(log.String(), `rejected 2 profiles of an interval: "sample type not supported"`) {
		t.Errorf("Stats %+v, log %q; want delivered and the rejection logged", s, log.String())
	}
}
