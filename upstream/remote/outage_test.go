package remote

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
)

// outageServer is an ingest server that answers 503 while it is down and
// counts, per profile (from, until and type), the attempts and deliveries.
type outageServer struct {
	t          testing.TB
	retryAfter string // sent with each 503; empty for none

	mu        sync.Mutex
	down      bool
	refused   int            // 503s answered
	attempts  map[string]int // per profile
	delivered map[string]int // per profile
}

func newOutageServer(t testing.TB, retryAfter string) (*outageServer, *httptest.Server) {
	o := &outageServer{t: t, retryAfter: retryAfter, down: true,
		attempts: map[string]int{}, delivered: map[string]int{}}
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	return o, srv
}

// profileKey names a profile by its interval and type.
func profileKey(from, until string, typ interval.Type) string {
	return from + "-" + until + "/" + string(typ)
}

func (o *outageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := parseIngest(o.t, r)
	m := marker(o.t, req.Profile) // "TYPE-NNN"
	key := profileKey(req.Query.Get("from"), req.Query.Get("until"), interval.Type(m[:len(m)-4]))
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempts[key]++
	if o.down {
		o.refused++
		if o.retryAfter != "" {
			w.Header().Set("Retry-After", o.retryAfter)
		}
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	o.delivered[key]++
}

func (o *outageServer) recover() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = false
}

// seen returns the attempts at the profile named by key and the 503s
// answered so far.
func (o *outageServer) seen(key string) (attempts, refused int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.attempts[key], o.refused
}

// check fails the test unless exactly the profiles in want were delivered,
// each once.
func (o *outageServer) check(t *testing.T, want map[string]bool) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	for k := range want {
		if n := o.delivered[k]; n != 1 {
			t.Errorf("%s delivered %d times, want once", k, n)
		}
	}
	for k, n := range o.delivered {
		if !want[k] {
			t.Errorf("%s delivered %d times, want never (it was dropped)", k, n)
		}
	}
}

// shutdownSoon stops u within a second, so that a failing test does not
// wait out a server's Retry-After.
func shutdownSoon(u *Uploader) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = u.Shutdown(ctx)
}

// uploadInterval uploads the profiles of interval i and adds their keys.
func uploadInterval(t *testing.T, u *Uploader, i int, types []interval.Type, keys map[string]bool) {
	for _, typ := range types {
		p := newProfile(t, typ, i)
		u.Upload(p)
		keys[profileKey(fmt.Sprint(p.From.UnixNano()), fmt.Sprint(p.Until.UnixNano()), typ)] = true
	}
}

// defaultTypes are the upstream profiles of Ember's default profile types.
var defaultTypes = []interval.Type{interval.TypeCPU, interval.TypeHeap}

// TestOutageWithinBoundsLosesNothing: the server is down for as many
// intervals of the default types as the default bounds hold, and far longer
// than any count of attempts: every profile is still delivered once it is
// back, exactly once, and none is counted lost.
func TestOutageWithinBoundsLosesNothing(t *testing.T) {
	o, srv := newOutageServer(t, "")
	cfg := fastConfig(srv.URL) // the default bounds
	// Waits of up to 20 ms: the old limit of 8 attempts passes in the
	// first intervals, without flooding the test with 503s.
	cfg.backoff = &retry.Backoff{Base: 20 * time.Millisecond, Max: 20 * time.Millisecond}
	u := mustNew(t, cfg)
	defer shutdownSoon(u)
	intervals := DefaultMaxQueueProfiles / len(defaultTypes)
	want := map[string]bool{}
	for i := range intervals {
		_, before := o.seen("")
		uploadInterval(t, u, i, defaultTypes, want)
		// The interval passes in the outage: a few more 503s.
		waitFor(t, func() bool { _, n := o.seen(""); return n >= before+len(defaultTypes) })
	}
	// Stay down until the oldest profile of each type has been refused
	// more often than the old limit of attempts (8), or a profile is given up.
	waitFor(t, func() bool {
		if u.Stats().Failed > 0 {
			return true
		}
		for _, typ := range defaultTypes {
			p := newProfile(t, typ, 0)
			if n, _ := o.seen(profileKey(fmt.Sprint(p.From.UnixNano()), fmt.Sprint(p.Until.UnixNano()), typ)); n <= 8 {
				return false
			}
		}
		return true
	})
	o.recover()
	flush(t, u)

	o.check(t, want)
	s := u.Stats()
	if s.Delivered != uint64(len(want)) || s.Failed != 0 || s.Dropped != 0 {
		t.Errorf("stats %+v, want %d delivered, none failed or dropped", s, len(want))
	}
	balanced(t, s)
}

// TestOutageBeyondBoundsDropsOnlyTheOldest: the server is down (asking for
// a minute's wait) while more intervals pile up than the queue holds: the
// oldest, and only they, are dropped and counted; once the server is back,
// the first delivery ends the others' wait and the rest arrive once each.
func TestOutageBeyondBoundsDropsOnlyTheOldest(t *testing.T) {
	o, srv := newOutageServer(t, "60")
	cfg := fastConfig(srv.URL)
	cfg.Workers = 2
	cfg.MaxQueueProfiles = 2 * len(threeTypes) // two intervals
	u := mustNew(t, cfg)
	defer shutdownSoon(u)
	const intervals = 6
	all := make([]map[string]bool, intervals)
	for i := range intervals {
		all[i] = map[string]bool{}
		uploadInterval(t, u, i, threeTypes, all[i])
		// From the third interval on, each upload pushes the oldest
		// interval out; the oldest left is then tried once, refused, and
		// waits a minute. Wait for that, so that nothing is in flight
		// when the next interval comes.
		oldest := max(i-1, 0)
		if i == 1 {
			continue // interval 1 waits behind interval 0
		}
		waitFor(t, func() bool {
			for k := range all[oldest] {
				if n, _ := o.seen(k); n == 0 {
					return false
				}
			}
			return u.Stats().Retried >= uint64(len(threeTypes)*(oldest+1))
		})
		if s := u.Stats(); s.Dropped != uint64(len(threeTypes)*oldest) {
			t.Fatalf("after interval %d: stats %+v, want the %d oldest intervals dropped", i, s, oldest)
		}
	}
	o.recover()
	// A profile of another type is not held back by the waiting ones; its
	// delivery shows the server is back, and the others go at once. It is
	// one more than the queue holds: the oldest (interval 4's cpu) goes.
	probe := map[string]bool{}
	uploadInterval(t, u, intervals, []interval.Type{interval.TypeMutex}, probe)
	oldest := newProfile(t, interval.TypeCPU, intervals-2)
	delete(all[intervals-2], profileKey(fmt.Sprint(oldest.From.UnixNano()), fmt.Sprint(oldest.Until.UnixNano()), interval.TypeCPU))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := u.Flush(ctx); err != nil {
		t.Fatalf("the backlog was not delivered after the server came back: %v", err)
	}

	want := probe
	for i := intervals - 2; i < intervals; i++ {
		for k := range all[i] {
			want[k] = true
		}
	}
	o.check(t, want)
	s := u.Stats()
	dropped := uint64(len(threeTypes)*(intervals-2) + 1)
	if s.Dropped != dropped || s.Failed != 0 || s.Delivered != uint64(len(want)) {
		t.Errorf("stats %+v, want %d dropped (the oldest), %d delivered", s, dropped, len(want))
	}
	balanced(t, s)
}
