package remote

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/emberprof/ember/interval"
)

// pushedSeries is one RawProfileSeries of a push request, as a test
// server decoded it.
type pushedSeries struct {
	Labels  map[string]string
	Profile []byte
	ID      string
}

// pushRequest is what a test server saw of one push.
type pushRequest struct {
	Header http.Header
	Body   []byte
	Series []pushedSeries
}

// decodePush reads a PushRequest with pprofenc.Walk, field by field as
// push.proto numbers them, and fails on anything else: a field the
// message does not have, or a series with other than one sample.
func decodePush(t testing.TB, body []byte) []pushedSeries {
	t.Helper()
	var out []pushedSeries
	walk := func(msg []byte, fn func(pprofenc.Field) error) {
		t.Helper()
		if err := pprofenc.Walk(msg, fn); err != nil {
			t.Fatalf("push request does not decode: %v", err)
		}
	}
	walk(body, func(f pprofenc.Field) error {
		if f.Num != 1 {
			return fmt.Errorf("PushRequest field %d", f.Num)
		}
		s := pushedSeries{Labels: map[string]string{}}
		samples := 0
		walk(f.Bytes, func(f pprofenc.Field) error {
			switch f.Num {
			case 1:
				var name, value string
				walk(f.Bytes, func(f pprofenc.Field) error {
					switch f.Num {
					case 1:
						name = string(f.Bytes)
					case 2:
						value = string(f.Bytes)
					default:
						return fmt.Errorf("LabelPair field %d", f.Num)
					}
					return nil
				})
				if _, dup := s.Labels[name]; dup {
					return fmt.Errorf("label %q twice", name)
				}
				s.Labels[name] = value
			case 2:
				samples++
				walk(f.Bytes, func(f pprofenc.Field) error {
					switch f.Num {
					case 1:
						s.Profile = f.Bytes
					case 2:
						s.ID = string(f.Bytes)
					default:
						return fmt.Errorf("RawSample field %d", f.Num)
					}
					return nil
				})
			default:
				return fmt.Errorf("RawProfileSeries field %d", f.Num)
			}
			return nil
		})
		if samples != 1 {
			return fmt.Errorf("series %v has %d samples, want 1", s.Labels, samples)
		}
		out = append(out, s)
		return nil
	})
	return out
}

// pushServer is a test server with a push route and an /ingest route.
// push answers each push request: its status, or 0 for 200. Requests are
// recorded in order of arrival.
type pushServer struct {
	*httptest.Server
	mu     sync.Mutex
	pushes []pushRequest
	ingest []ingestRequest
	push   func(n int) int // n counts push requests from 1
}

func newPushServer(t testing.TB, push func(n int) int) *pushServer {
	s := &pushServer{push: push}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case pushPath:
			body, _ := io.ReadAll(r.Body)
			req := pushRequest{Header: r.Header.Clone(), Body: body}
			if r.Header.Get("Content-Type") == "application/proto" {
				req.Series = decodePush(t, body)
			}
			s.mu.Lock()
			s.pushes = append(s.pushes, req)
			n := len(s.pushes)
			s.mu.Unlock()
			if code := s.push(n); code != 0 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				fmt.Fprintf(w, `{"code":"test","message":"push answer %d"}`, code)
			}
		case "/ingest":
			req := parseIngest(t, r)
			s.mu.Lock()
			s.ingest = append(s.ingest, req)
			s.mu.Unlock()
		default:
			t.Errorf("request to %s", r.URL.Path)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pushServer) seen() (pushes []pushRequest, ingests []ingestRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pushRequest(nil), s.pushes...), append([]ingestRequest(nil), s.ingest...)
}

// allTypes returns one profile of each type Ember collects, over interval
// i, as the session hands them over together.
func allTypes(t testing.TB, i int) []*interval.Profile {
	var batch []*interval.Profile
	for _, typ := range []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeGoroutines,
		interval.TypeMutex, interval.TypeBlock, interval.TypeGoroutineLeak} {
		batch = append(batch, newProfile(t, typ, i))
	}
	return batch
}

// uuidPattern matches a UUID's text form.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// testPusher returns a pusher for srv with test timeouts and log.
func testPusher(srv *httptest.Server, log interval.Logger) *pusher {
	in := &ingester{endpoint: srv.URL + "/ingest", header: http.Header{"X-Scope-Orgid": {"tenant-1"}},
		client: srv.Client(), timeout: 5 * time.Second, now: time.Now}
	return newPusher(in, log)
}

// pushConfig is fastConfig with the push transport, the default.
func pushConfig(addr string) Config {
	cfg := fastConfig(addr)
	cfg.Transport = ""
	return cfg
}
