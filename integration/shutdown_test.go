package integration_test

import (
	"testing"
	"time"

	"github.com/emberprof/ember"
)

// TestStopDeliversTheLastPartialInterval: the profiles of the interval
// Stop cuts short reach the server, so the run's last moments are not
// lost: one profile per interval, the last one after the last boundary.
func TestStopDeliversTheLastPartialInterval(t *testing.T) {
	t.Parallel()
	base := serverURL(t)
	sleepUntilPhase(rate / 10)
	r := startEmber(t, ember.Config{ServerAddress: base, ProfileTypes: []ember.ProfileType{ember.ProfileGoroutines}})
	// Stop half-way through the third interval.
	lastBoundary := r.started.Truncate(rate).Add(2 * rate)
	time.Sleep(time.Until(lastBoundary.Add(rate / 2)))
	r.StopOK()
	if time.Since(lastBoundary) >= rate {
		t.Skip("the machine is too slow for this test's timing: Stop returned after the next boundary")
	}
	if up := r.p.Stats().Upload; up.Delivered != up.Enqueued || up.Enqueued != 3 {
		t.Errorf("Stats().Upload = %+v, want 3 profiles enqueued and delivered", up)
	}
	ps := profilesWith(t, newQuerier(base, ""), goroutinesID, r, 3)
	if len(ps) != 3 {
		t.Fatalf("%d goroutine profiles stored, want 3 (two intervals and the partial one)", len(ps))
	}
	// The server keeps a profile at its start (TimeNanos): the partial
	// interval's is the last boundary, the one before it a rate earlier.
	if last := ps[2].At; last.Before(lastBoundary.Truncate(seriesStep)) {
		t.Errorf("last profile at %v, before the last boundary %v", last, lastBoundary)
	}
}
