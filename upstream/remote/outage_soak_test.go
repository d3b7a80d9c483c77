package remote

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/interval"
)

// TestOutageSoak replays issue 10's outage in real time with the default
// delivery settings: a 1 s interval of cpu and heap profiles, 30 s of 503s,
// the server back in the middle of an interval. No profile may be lost; how
// long after the recovery the backlog arrived is logged, not asserted. It
// takes 36 s a run: EMBER_OUTAGE_SOAK=RUNS enables it.
func TestOutageSoak(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("EMBER_OUTAGE_SOAK"))
	if runs <= 0 {
		t.Skip("EMBER_OUTAGE_SOAK is not a number of runs")
	}
	for run := range runs {
		var mu sync.Mutex
		down := false
		var recovered time.Time
		arrived := map[string]time.Time{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := marker(t, parseIngest(t, r).Profile)
			mu.Lock()
			defer mu.Unlock()
			if down {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			if _, ok := arrived[m]; !ok {
				arrived[m] = time.Now()
			}
		}))
		u, err := New(Config{ServerAddress: srv.URL, UploadJitter: -1})
		if err != nil {
			t.Fatal(err)
		}
		types := []interval.Type{interval.TypeCPU, interval.TypeHeap}
		var before []string // profiles uploaded before recovery
		for i := range 36 {
			switch i {
			case 2:
				mu.Lock()
				down = true
				mu.Unlock()
			}
			for _, typ := range types {
				p := newProfile(t, typ, i)
				u.Upload(p)
				if i < 32 {
					before = append(before, marker(t, p.Data))
				}
			}
			if i == 31 { // the server comes back mid-interval
				time.Sleep(time.Second / 2)
				mu.Lock()
				down = false
				recovered = time.Now()
				mu.Unlock()
				time.Sleep(time.Second / 2)
				continue
			}
			time.Sleep(time.Second)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		_ = u.Flush(ctx)
		cancel()
		_ = u.Shutdown(context.Background())
		srv.Close()
		mu.Lock()
		var last time.Time
		lost := 0
		for _, m := range before {
			at, ok := arrived[m]
			if !ok {
				lost++
				continue
			}
			if at.After(last) {
				last = at
			}
		}
		s := u.Stats()
		if lost > 0 || s.Failed > 0 || s.Dropped > 0 {
			t.Errorf("run %d: %d profiles lost; stats %+v", run, lost, s)
		}
		t.Logf("run %d: lost %d profiles of %d uploaded before recovery; backlog arrived %.1f s after recovery; stats Delivered %d Failed %d Dropped %d Retried %d",
			run, lost, len(before), last.Sub(recovered).Seconds(), s.Delivered, s.Failed, s.Dropped, s.Retried)
		mu.Unlock()
	}
}
