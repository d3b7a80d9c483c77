package integration_test

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember"
)

// profileTypeIDs is the server's ID for each profile type Ember sends.
var profileTypeIDs = map[ember.ProfileType]string{
	ember.ProfileCPU:           "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
	ember.ProfileInuseObjects:  "memory:inuse_objects:count:space:bytes",
	ember.ProfileAllocObjects:  "memory:alloc_objects:count:space:bytes",
	ember.ProfileInuseSpace:    "memory:inuse_space:bytes:space:bytes",
	ember.ProfileAllocSpace:    "memory:alloc_space:bytes:space:bytes",
	ember.ProfileGoroutines:    "goroutine:goroutine:count:goroutine:count",
	ember.ProfileMutexCount:    "mutex:contentions:count:contentions:count",
	ember.ProfileMutexDuration: "mutex:delay:nanoseconds:contentions:count",
	ember.ProfileBlockCount:    "block:contentions:count:contentions:count",
	ember.ProfileBlockDuration: "block:delay:nanoseconds:contentions:count",
}

// goroutineLeakID is the server's ID for the goroutine leak profile, which
// Ember sends where the running Go has it (Go 1.27; 1.26 with
// GOEXPERIMENT=goroutineleakprofile).
const goroutineLeakID = "goroutineleak:goroutineleak:count:goroutineleak:count"

// TestEveryProfileTypeArrivesWithItsID: with every profile type on, each
// one reaches the server under its expected ID, for this service.
func TestEveryProfileTypeArrivesWithItsID(t *testing.T) {
	base := serverURL(t)
	ids := maps.Clone(profileTypeIDs)
	if pprof.Lookup("goroutineleak") != nil {
		ids[ember.ProfileGoroutineLeak] = goroutineLeakID
		leakGoroutine()
	} else {
		t.Logf("this Go has no goroutine leak profile; %s not checked", goroutineLeakID)
	}
	types := make([]ember.ProfileType, 0, len(ids))
	for pt := range ids {
		types = append(types, pt)
	}
	defer setContentionRates(1, 1)()
	r := startEmber(t, ember.Config{ServerAddress: base, ProfileTypes: types})

	// Something for every type to show: CPU, allocations, contention.
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holdLock(&mu, 20, 5*time.Millisecond)
		}()
	}
	allocate(8<<20, 1<<20)
	spinFor(300 * time.Millisecond)
	wg.Wait()
	time.Sleep(rate)
	r.StopOK()

	q := newQuerier(base, "")
	start, end := r.window()
	want := slices.Sorted(maps.Values(ids))
	got := eventually(t, func() ([]string, error) {
		ids, err := q.LabelValues(context.Background(), "__profile_type__", []string{r.selector()}, start, end)
		for _, id := range want {
			if err == nil && !slices.Contains(ids, id) {
				err = fmt.Errorf("profile type %s missing from %v: %w", id, ids, errNoData)
			}
		}
		return ids, err
	})
	t.Logf("profile types of %s: %v", r.svc, got)

	all, err := q.ProfileTypes(context.Background(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range want {
		if !slices.ContainsFunc(all, func(p profileType) bool { return p.ID == id }) {
			t.Errorf("ProfileTypes lacks %s", id)
		}
	}
}

// leakGoroutine starts a goroutine that waits forever on a channel nothing
// else can reach: a leak the runtime can prove, for the leak profile to
// report. It stays until the test binary exits.
func leakGoroutine() {
	started := make(chan struct{})
	go func() {
		never := make(chan int)
		close(started)
		<-never
	}()
	<-started
}

// setContentionRates sets the mutex and block profile rates as an
// application would (so Ember keeps them), returning a func that puts the
// previous ones back.
func setContentionRates(mutexFraction, blockRate int) func() {
	prev := runtime.SetMutexProfileFraction(mutexFraction)
	runtime.SetBlockProfileRate(blockRate)
	return func() {
		runtime.SetMutexProfileFraction(prev)
		runtime.SetBlockProfileRate(0)
	}
}
