package integration_test

import (
	"testing"
	"time"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/upstream/remote"
)

// TestIntervalsFromAnOutageArriveAfterIt: the server goes away for a few
// intervals and comes back; Ember keeps the profiles it could not deliver
// (well within its queue bound) and delivers them once the server is
// back, so every interval of the run is stored; on both transports.
func TestIntervalsFromAnOutageArriveAfterIt(t *testing.T) {
	t.Parallel()
	for _, tr := range []remote.Transport{remote.TransportPush, remote.TransportIngest} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			outage(t, tr)
		})
	}
}

// outage runs TestIntervalsFromAnOutageArriveAfterIt over transport tr.
func outage(t *testing.T, tr remote.Transport) {
	srv := newOwnServer(t)
	r := startEmber(t, ember.Config{ServerAddress: srv.URL, Transport: tr, ProfileTypes: []ember.ProfileType{ember.ProfileGoroutines}})
	time.Sleep(2 * rate)
	srv.Stop()
	down := time.Now()
	time.Sleep(3 * rate)
	srv.Start()
	up := time.Now()

	// Give the retries time to find the server back: wait until what was
	// queued when it came back is accounted for, then stop.
	backlog := r.p.Stats().Upload.Enqueued
	deadline := time.Now().Add(time.Minute)
	for {
		st := r.p.Stats().Upload
		if st.Delivered+st.Failed+st.Dropped >= backlog || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.StopOK()
	st := r.p.Stats().Upload
	t.Logf("outage %v..%v; Stats().Upload = %+v", down.Format("15:04:05.000"), up.Format("15:04:05.000"), st)
	if st.Failed != 0 || st.Dropped != 0 || st.Delivered != st.Enqueued {
		t.Errorf("Stats().Upload = %+v, want every profile delivered", st)
	}
	ps := profilesWith(t, newQuerier(srv.URL, ""), goroutinesID, r, int(st.Enqueued))
	if uint64(len(ps)) != st.Enqueued {
		t.Errorf("%d profiles stored, %d sent; stored at %v", len(ps), st.Enqueued, times(ps))
	}
	during := 0
	for _, p := range ps {
		if p.At.After(down.Add(rate)) && p.At.Before(up.Add(-rate)) {
			during++
		}
	}
	if during == 0 {
		t.Errorf("no stored profile from the outage %v..%v; stored at: %v", down, up, times(ps))
	}
}

// times lists when the profiles were stored, for failure messages.
func times(ps []stored) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.At.Format("15:04:05.000")
	}
	return out
}
