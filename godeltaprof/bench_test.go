package godeltaprof

import (
	"io"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"
)

// Benchmarks compare our steady-state Profile (second and later calls) with
// runtime/pprof's WriteTo of the same profile in the same process. Run:
//
//	go test -run '^$' -bench . -benchmem ./godeltaprof/
//
// BenchmarkHeapScale grows the heap profile to 100k stacks; run it alone
// (-bench HeapScale) for clean 1k and 10k rows.

const benchStackDepth = 9 // 4^9 distinct paths

var heapStacksMade int

// heapStacks makes sure at least n distinct allocation stacks are in the
// heap profile, each with a retained object so every one is in every
// profile, and returns how many records the runtime has.
func heapStacks(b *testing.B, n int) int {
	b.Helper()
	if heapStacksMade < n {
		old := runtime.MemProfileRate
		runtime.MemProfileRate = 1
		for ; heapStacksMade < n; heapStacksMade++ {
			atStack(pathFor(heapStacksMade, benchStackDepth), allocBytes, 16)
		}
		runtime.MemProfileRate = old
		runtime.GC()
		runtime.GC()
	}
	records, _ := runtime.MemProfile(nil, true)
	return records
}

func benchProfile(b *testing.B, records int, profile func(io.Writer) error) {
	if err := profile(io.Discard); err != nil { // the first call is not steady state
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := profile(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(records), "stacks")
}

func runtimeWriter(name string) func(io.Writer) error {
	return func(w io.Writer) error { return pprof.Lookup(name).WriteTo(w, 0) }
}

func BenchmarkHeap(b *testing.B) {
	n := heapStacks(b, 4096)
	b.Run("impl=ours", func(b *testing.B) { benchProfile(b, n, NewHeapProfiler().Profile) })
	b.Run("impl=ours/cut", func(b *testing.B) { benchProfile(b, n, NewHeapProfilerWithOptions(cutOptions).Profile) })
	b.Run("impl=fallback", func(b *testing.B) {
		benchProfile(b, n, (&HeapProfiler{src: newSource(heapKind, defaultOptions, true)}).Profile)
	})
	b.Run("impl=fallback/cut", func(b *testing.B) {
		benchProfile(b, n, (&HeapProfiler{src: newSource(heapKind, cutOptions, true)}).Profile)
	})
	b.Run("impl=runtime-pprof", func(b *testing.B) { benchProfile(b, n, runtimeWriter("heap")) })
}

// cutOptions keep two of the heap profile's four sample types and put a
// label on every sample, in place of the numeric "bytes" one.
var cutOptions = ProfileOptions{
	GenericsFrames: true,
	SampleTypes:    []string{"alloc_space", "inuse_space"},
	Labels:         map[string]string{"service": "bench", "bytes": "any"},
}

var contentionOnce sync.Once

// contentionStacks fills the mutex and block profiles with at least 4,000
// distinct stacks each.
func contentionStacks(b *testing.B) (mutexRecords, blockRecords int) {
	contentionOnce.Do(func() {
		oldFraction := runtime.SetMutexProfileFraction(1)
		runtime.SetBlockProfileRate(1)
		next := 0
		for {
			m, _ := runtime.MutexProfile(nil)
			bl, _ := runtime.BlockProfile(nil)
			if m >= 4000 && bl >= 4000 {
				break
			}
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func(first int) {
					defer wg.Done()
					for i := first; i < first+64; i++ {
						atStack(pathFor(i, benchStackDepth), contend, 20)
					}
				}(next + w*64)
			}
			wg.Wait()
			next += 8 * 64
		}
		runtime.SetMutexProfileFraction(oldFraction)
		runtime.SetBlockProfileRate(0)
	})
	m, _ := runtime.MutexProfile(nil)
	bl, _ := runtime.BlockProfile(nil)
	return m, bl
}

func BenchmarkMutex(b *testing.B) {
	n, _ := contentionStacks(b)
	b.Run("impl=ours", func(b *testing.B) { benchProfile(b, n, NewMutexProfiler().Profile) })
	b.Run("impl=runtime-pprof", func(b *testing.B) { benchProfile(b, n, runtimeWriter("mutex")) })
}

func BenchmarkBlock(b *testing.B) {
	_, n := contentionStacks(b)
	b.Run("impl=ours", func(b *testing.B) { benchProfile(b, n, NewBlockProfiler().Profile) })
	b.Run("impl=runtime-pprof", func(b *testing.B) { benchProfile(b, n, runtimeWriter("block")) })
}

// BenchmarkHeapScale shows cost against the number of stacks; ns/op per
// stack should stay flat.
func BenchmarkHeapScale(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		records := heapStacks(b, n)
		b.Run("stacks="+strconv.Itoa(n)+"/impl=ours", func(b *testing.B) {
			benchProfile(b, records, NewHeapProfiler().Profile)
		})
		b.Run("stacks="+strconv.Itoa(n)+"/impl=runtime-pprof", func(b *testing.B) {
			benchProfile(b, records, runtimeWriter("heap"))
		})
	}
}
