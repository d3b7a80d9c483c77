package integration_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinSink keeps the compiler from removing spin's loop.
var spinSink atomic.Uint64

// spin burns CPU for n loop iterations, like the seed example's work.
//
//go:noinline
func spin(n int) {
	spinSink.Add(spinLoop(n))
}

// spinLoop is spin's loop; its result keeps it from being optimised away.
//
//go:noinline
func spinLoop(n int) uint64 {
	var x uint64
	for i := 0; i < n; i++ {
		x += uint64(i) ^ x>>3
	}
	return x
}

// spinFor burns CPU on the calling goroutine until d has passed.
//
//go:noinline
func spinFor(d time.Duration) {
	var x uint64
	for end := time.Now().Add(d); time.Now().Before(end); {
		x += spinLoop(10_000)
	}
	spinSink.Add(x)
}

// loopsFor returns about how many iterations of spin burn d of CPU.
func loopsFor(d time.Duration) int {
	const n = 1_000_000
	best := time.Duration(1 << 62)
	for range 3 {
		took, ok := cpuMeter(func() { spin(n) })
		if !ok {
			took = d // no thread clock: callers skip anyway
		}
		best = min(best, max(took, time.Microsecond))
	}
	return int(float64(n) * float64(d) / float64(best))
}

// cpuMeter runs work on a goroutine locked to its OS thread and returns
// the CPU that thread burned while doing it.
func cpuMeter(work func()) (time.Duration, bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, ok := threadCPUTime()
	work()
	after, _ := threadCPUTime()
	return after - before, ok
}

// retained keeps retainBuffer's allocation alive.
var retained []byte

// retainBuffer allocates n bytes and keeps them reachable.
//
//go:noinline
func retainBuffer(n int) {
	retained = make([]byte, n)
}

// allocSink keeps allocate's chunks from being optimised away.
var allocSink []byte

// allocate allocates n bytes in chunks of chunk bytes, keeping none.
// Chunks of a few MiB are sampled by the heap profiler almost surely,
// which keeps the profile's estimate close to n.
//
//go:noinline
func allocate(n, chunk int) {
	for ; n > 0; n -= chunk {
		allocSink = make([]byte, chunk)
	}
	allocSink = nil
}

// holdLock takes mu rounds times, holding it for hold each time, and
// returns how long it waited for mu in all.
//
//go:noinline
func holdLock(mu *sync.Mutex, rounds int, hold time.Duration) time.Duration {
	var waited time.Duration
	for i := 0; i < rounds; i++ {
		t0 := time.Now()
		mu.Lock()
		waited += time.Since(t0)
		time.Sleep(hold)
		mu.Unlock()
	}
	return waited
}
