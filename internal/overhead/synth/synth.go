// Package synth gives a test process the shapes that make profiling
// expensive: many unique heap and block stacks, and many goroutines. The
// overhead benchmarks use it to show how the cost of an interval grows.
//
// What it creates lives for the rest of the process (the runtime never
// forgets a profiled stack), so the functions grow the process to a total
// rather than adding: HeapStacks(1000) then HeapStacks(10000) leaves
// 10,000 stacks, not 11,000.
package synth

import (
	"runtime"
	"slices"
	"sync"
	"time"
)

// depth is how many levels of step functions a synthetic stack has: four
// choices per level give 4^10 (about a million) distinct stacks.
const depth = 10

//go:noinline
func step0(path int, d int, leaf func()) { descend(path, d, leaf) }

//go:noinline
func step1(path int, d int, leaf func()) { descend(path, d, leaf) }

//go:noinline
func step2(path int, d int, leaf func()) { descend(path, d, leaf) }

//go:noinline
func step3(path int, d int, leaf func()) { descend(path, d, leaf) }

// descend calls leaf below a stack whose frames spell path in base 4.
func descend(path int, d int, leaf func()) {
	if d == depth {
		leaf()
		return
	}
	switch path % 4 {
	case 0:
		step0(path/4, d+1, leaf)
	case 1:
		step1(path/4, d+1, leaf)
	case 2:
		step2(path/4, d+1, leaf)
	default:
		step3(path/4, d+1, leaf)
	}
}

var (
	mu        sync.Mutex
	heapMade  int
	blockMade int
	kept      [][]byte
)

// HeapStacks makes sure the heap profile holds at least n stacks of this
// package, each with one small object allocated and kept, and runs the two
// garbage collections after which the heap profile shows them.
func HeapStacks(n int) {
	mu.Lock()
	defer mu.Unlock()
	if heapMade >= n {
		return
	}
	kept = slices.Grow(kept, n-heapMade) // so allocOne's append does not allocate
	prev := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	for ; heapMade < n; heapMade++ {
		descend(heapMade, 0, allocOne)
	}
	runtime.MemProfileRate = prev
	runtime.GC()
	runtime.GC()
}

//go:noinline
func allocOne() { kept = append(kept, make([]byte, 64)) }

// BlockStacks makes sure the block profile holds at least n stacks of this
// package, each a goroutine that blocked once on a channel receive. It
// turns block profiling on at every event while it runs and sets rate after.
func BlockStacks(n, rate int) {
	mu.Lock()
	defer mu.Unlock()
	runtime.SetBlockProfileRate(1)
	defer runtime.SetBlockProfileRate(rate)
	const batch = 5000
	for blockMade < n {
		k := min(batch, n-blockMade)
		release := make(chan struct{})
		var arrived, done sync.WaitGroup
		arrived.Add(k)
		done.Add(k)
		for i := range k {
			go func(path int) {
				defer done.Done()
				descend(path, 0, func() {
					arrived.Done()
					<-release
				})
			}(blockMade + i)
		}
		arrived.Wait()
		// Give the last goroutines time to park, so their receive blocks.
		time.Sleep(20 * time.Millisecond)
		close(release)
		done.Wait()
		blockMade += k
	}
}

// Park starts n goroutines that wait until the returned function is called,
// and returns once all of them have started.
func Park(n int) (release func()) {
	ch := make(chan struct{})
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			started.Done()
			<-ch
		}()
	}
	started.Wait()
	return func() {
		close(ch)
		done.Wait()
	}
}
