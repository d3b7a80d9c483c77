package integration_test

import (
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember"
)

const (
	mutexDelayID = "mutex:delay:nanoseconds:contentions:count"
	blockDelayID = "block:delay:nanoseconds:contentions:count"
)

// TestContendedLockShowsInMutexAndBlock: goroutines fighting over one
// mutex in holdLock show up under holdLock in mutex_duration and
// block_duration, with about the delay they measured themselves, summed
// over the intervals once (deltas, not running totals).
func TestContendedLockShowsInMutexAndBlock(t *testing.T) {
	base := serverURL(t)
	// Record every event, as an application that sets the rates itself:
	// then the profiles' delay is the whole measured wait.
	defer setContentionRates(1, 1)()
	r := startEmber(t, ember.Config{
		ServerAddress: base,
		ProfileTypes:  []ember.ProfileType{ember.ProfileMutexDuration, ember.ProfileBlockDuration},
	})
	var mu sync.Mutex
	var wg sync.WaitGroup
	var waitedMu sync.Mutex
	var waited time.Duration
	rounds := int(3 * rate / (3 * time.Millisecond) / 3) // ~3 intervals with three goroutines
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := holdLock(&mu, rounds, 3*time.Millisecond)
			waitedMu.Lock()
			waited += w
			waitedMu.Unlock()
		}()
	}
	wg.Wait()
	r.StopOK()

	q := newQuerier(base, "")
	start, end := r.window()
	for _, id := range []string{mutexDelayID, blockDelayID} {
		fg := merged(t, q, id, r.selector(), start, end)
		got := time.Duration(fg.FunctionTotal("integration_test.holdLock"))
		t.Logf("%s: %v under holdLock; goroutines measured %v waiting", id, got, waited)
		if got < waited/2 || got > waited*3/2 {
			t.Errorf("%s: %v under holdLock, want about the %v the goroutines waited (±50%%)", id, got, waited)
		}
	}
}
