package collect

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Defaults Ember sets when the application asked for mutex or block
// profiles but set no rate itself.
const (
	// DefaultMutexFraction samples one in 10 contention events on
	// sync.Mutex and sync.RWMutex; contention is already the slow path.
	DefaultMutexFraction = 10
	// DefaultBlockRate records every blocking event of 10µs or more, and
	// shorter ones with a probability proportional to their duration.
	DefaultBlockRate = 10_000 // nanoseconds
)

// EnableMutex sets the mutex profile fraction to fraction unless the
// application set one, and returns a function that undoes what it did.
// The undo leaves a fraction the application changed in the meantime.
func EnableMutex(fraction int) (restore func(), set bool) {
	if runtime.SetMutexProfileFraction(-1) != 0 {
		return func() {}, false
	}
	runtime.SetMutexProfileFraction(fraction)
	return func() {
		if runtime.SetMutexProfileFraction(-1) == fraction {
			runtime.SetMutexProfileFraction(0)
		}
	}, true
}

// EnableBlock sets the block profile rate to rate unless the application
// set one, and returns a function that turns block profiling off again if
// it was turned on here.
//
// The runtime has no getter for the block rate, so a rate counts as set if
// the block profile holds records Ember did not cause, or if a short
// blocking probe (blockProbe long) gets recorded. The probe is recorded
// for sure under any rate up to blockProbe; a coarser application rate may
// go unnoticed until its first records exist, so set such rates before
// starting Ember.
func EnableBlock(rate int) (restore func(), set bool) {
	if blockRateSet() {
		return func() {}, false
	}
	runtime.SetBlockProfileRate(rate)
	return func() {
		runtime.SetBlockProfileRate(0)
		blockRecordsOurs.Store(true)
	}, true
}

// blockRecordsOurs is true once Ember has turned block profiling off
// again: records present since then may be Ember's own, so only the probe
// can tell whether the application set a rate.
var blockRecordsOurs atomic.Bool

// blockProbe is how long the probe blocks on a channel.
const blockProbe = time.Millisecond

func blockRateSet() bool {
	if n, _ := runtime.BlockProfile(nil); n > 0 && !blockRecordsOurs.Load() {
		return true
	}
	before := probeCount()
	probeBlock()
	return probeCount() > before
}

//go:noinline
func probeBlock() {
	done := make(chan struct{})
	go func() {
		time.Sleep(blockProbe)
		close(done)
	}()
	<-done
}

// probeCount returns how many of probeBlock's blocking events the block
// profile holds.
func probeCount() int64 {
	n, _ := runtime.BlockProfile(nil)
	recs := make([]runtime.BlockProfileRecord, n+16)
	n, ok := runtime.BlockProfile(recs)
	if !ok {
		return 0
	}
	var count int64
	for _, r := range recs[:n] {
		for _, pc := range r.Stack() {
			if f := runtime.FuncForPC(pc); f != nil && f.Name() == probeName {
				count += r.Count
				break
			}
		}
	}
	return count
}

const probeName = "github.com/emberprof/ember/internal/collect.probeBlock"
