package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// ingestRequest is what a test server saw of one upload.
type ingestRequest struct {
	Path    string
	Query   url.Values
	Header  http.Header
	Profile []byte // the "profile" part
	Config  string // the "sample_type_config" part
	At      time.Time
}

// parseIngest reads an /ingest request the way Pyroscope does: multipart
// with file parts.
func parseIngest(t testing.TB, r *http.Request) ingestRequest {
	t.Helper()
	got := ingestRequest{Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), At: time.Now()}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Errorf("content type %q: %v", r.Header.Get("Content-Type"), err)
		return got
	}
	form, err := multipart.NewReader(r.Body, params["boundary"]).ReadForm(32 << 20)
	if err != nil {
		t.Errorf("multipart: %v", err)
		return got
	}
	defer form.RemoveAll()
	read := func(name string) []byte {
		files := form.File[name]
		if len(files) == 0 {
			return nil
		}
		f, err := files[0].Open()
		if err != nil {
			t.Error(err)
			return nil
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		return b
	}
	got.Profile = read("profile")
	got.Config = string(read("sample_type_config"))
	return got
}

// recorder is an ingest server's memory, safe for concurrent handlers.
type recorder struct {
	mu   sync.Mutex
	reqs []ingestRequest
}

func (r *recorder) add(req ingestRequest) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	return len(r.reqs)
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

func (r *recorder) all() []ingestRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ingestRequest(nil), r.reqs...)
}

// recordingServer starts an ingest server that accepts and records every
// upload; it stops when the test ends.
func recordingServer(t testing.TB) (*httptest.Server, *recorder) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(parseIngest(t, r))
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

// pprofData encodes a small profile of type typ whose samples carry the
// given pprof labels, with marker as its first function's name.
func pprofData(t testing.TB, typ interval.Type, marker string, labels map[string][]string) []byte {
	t.Helper()
	info := profileTypes[typ]
	p := &profile.Profile{TimeNanos: time.Now().UnixNano(), DurationNanos: int64(15 * time.Second)}
	for _, st := range info.sampleTypes {
		p.SampleType = append(p.SampleType, &profile.ValueType{Type: st, Unit: "count"})
	}
	p.PeriodType = &profile.ValueType{Type: info.sampleTypes[0], Unit: "count"}
	p.Period = 1
	fn := &profile.Function{ID: 1, Name: marker}
	loc := &profile.Location{ID: 1, Line: []profile.Line{{Function: fn}}}
	p.Function, p.Location = []*profile.Function{fn}, []*profile.Location{loc}
	for i := range 3 {
		values := make([]int64, len(p.SampleType))
		for j := range values {
			values[j] = int64(10*i + j + 1)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{loc}, Value: values, Label: labels})
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newProfile returns a profile of type typ over the interval number i.
func newProfile(t testing.TB, typ interval.Type, i int) *interval.Profile {
	from := time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC).Add(time.Duration(i) * 15 * time.Second)
	return &interval.Profile{
		Application: "app", Type: typ, Tags: map[string]string{"env": "test"},
		From: from, Until: from.Add(15 * time.Second),
		Data: pprofData(t, typ, fmt.Sprintf("%s-%03d", typ, i), nil),
	}
}

// marker returns the name of the first function of an uploaded profile.
func marker(t testing.TB, data []byte) string {
	t.Helper()
	p, err := profile.ParseData(data)
	if err != nil {
		t.Fatalf("uploaded profile does not parse: %v", err)
	}
	return p.Function[0].Name
}

// fastConfig is a Config for tests of /ingest: no upload jitter,
// millisecond backoff. Tests of the push transport use pushConfig.
func fastConfig(addr string) Config {
	return Config{
		ServerAddress: addr,
		Transport:     TransportIngest,
		UploadJitter:  -1,
		backoff:       &retry.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: time.Minute},
	}
}

func mustNew(t testing.TB, cfg Config) *Uploader {
	t.Helper()
	u, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = u.Shutdown(context.Background()) })
	return u
}

func flush(t testing.TB, u *Uploader) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := u.Flush(ctx); err != nil {
		t.Fatalf("%v; stats %+v", err, u.Stats())
	}
}

func balanced(t testing.TB, s upstream.Stats) {
	t.Helper()
	if s.Enqueued != s.Delivered+s.Failed+s.Dropped {
		t.Errorf("counts do not add up: %+v", s)
	}
}

// logRecorder collects log lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) add(level, f string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+": "+fmt.Sprintf(f, a...))
}
func (l *logRecorder) Infof(f string, a ...any)  { l.add("info", f, a...) }
func (l *logRecorder) Debugf(f string, a ...any) { l.add("debug", f, a...) }
func (l *logRecorder) Errorf(f string, a ...any) { l.add("error", f, a...) }
func (l *logRecorder) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// hangingServer answers no request until the test ends or the client
// gives up.
func hangingServer(t testing.TB) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}
