package pprof

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

func TestHandlersOnDefaultMux(t *testing.T) {
	runtime.SetMutexProfileFraction(1)
	defer runtime.SetMutexProfileFraction(0)
	srv := httptest.NewServer(http.DefaultServeMux)
	defer srv.Close()

	for _, tc := range []struct{ path, sampleType string }{
		{"/debug/pprof/delta_heap?gc=1", "alloc_space"},
		{"/debug/pprof/delta_mutex", "delay"},
		{"/debug/pprof/delta_block", "delay"},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", tc.path, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("%s: Content-Type %q", tc.path, ct)
		}
		name := strings.TrimPrefix(strings.Split(tc.path, "?")[0], "/debug/pprof/")
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+name+`"` {
			t.Errorf("%s: Content-Disposition %q", tc.path, cd)
		}
		p, err := profile.ParseData(body)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if !hasSampleType(p, tc.sampleType) {
			t.Errorf("%s: sample types %v lack %s", tc.path, p.SampleType, tc.sampleType)
		}
	}
}

func hasSampleType(p *profile.Profile, typ string) bool {
	for _, st := range p.SampleType {
		if st.Type == typ {
			return true
		}
	}
	return false
}

// TestMutexDeltaBetweenScrapes checks the handler serves deltas: contention
// made between two scrapes shows up in the second, and not again in a third.
func TestMutexDeltaBetweenScrapes(t *testing.T) {
	runtime.SetMutexProfileFraction(1)
	defer runtime.SetMutexProfileFraction(0)
	scrape := func() *profile.Profile {
		rec := httptest.NewRecorder()
		Mutex(rec, httptest.NewRequest("GET", "/debug/pprof/delta_mutex", nil))
		p, err := profile.ParseData(rec.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	scrape()
	// The waiter may not reach Lock in time on a busy machine; then nothing
	// was contended, and the next try makes the contention again.
	var n int64
	for try := 0; try < 50 && n == 0; try++ {
		contendBetweenScrapes()
		n = contentionsIn(scrape(), "contendBetweenScrapes")
	}
	if n == 0 {
		t.Fatal("contention made between scrapes is missing")
	}
	if n := contentionsIn(scrape(), "contendBetweenScrapes"); n != 0 {
		t.Fatalf("contention counted again in the next scrape: %d", n)
	}
}

//go:noinline
func contendBetweenScrapes() {
	var mu sync.Mutex
	mu.Lock()
	done := make(chan bool)
	go func() {
		mu.Lock()
		mu.Unlock()
		close(done)
	}()
	time.Sleep(10 * time.Millisecond) // the goroutine should now wait for mu
	mu.Unlock()
	<-done
}

func contentionsIn(p *profile.Profile, fn string) int64 {
	var n int64
	for _, s := range p.Sample {
		for _, l := range s.Location {
			for _, ln := range l.Line {
				if strings.Contains(ln.Function.Name, "."+fn) {
					n += s.Value[0]
				}
			}
		}
	}
	return n
}

func TestBadGCParameter(t *testing.T) {
	rec := httptest.NewRecorder()
	Heap(rec, httptest.NewRequest("GET", "/debug/pprof/delta_heap?gc=yes", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status %d, want 400", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("error Content-Type %q", ct)
	}
	if !strings.Contains(rec.Body.String(), "gc") {
		t.Errorf("error body %q does not name the parameter", rec.Body.String())
	}
}
