package overhead

import (
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/emberprof/ember/godeltaprof"
	"github.com/emberprof/ember/internal/collect"
	"github.com/emberprof/ember/internal/overhead/synth"
)

// The scale benchmarks show how the cost of an interval grows with unique
// stacks and with goroutines; ns/stack and ns/goroutine staying flat from
// 1k to 100k means linear growth. The process keeps what it grew (the
// runtime never forgets a stack), so run them on their own, in order:
//
//	go test -run '^$' -bench Scale -benchmem -timeout 30m ./internal/overhead

var scales = []int{1000, 10000, 100000}

func scaleName(n int) string { return fmt.Sprintf("%dk", n/1000) }

// memRecords and blockRecords read the runtime's records into buf, grown
// as needed: the floor of what any profiler of these profiles pays.
func memRecords(buf []runtime.MemProfileRecord) []runtime.MemProfileRecord {
	for {
		n, ok := runtime.MemProfile(buf[:cap(buf)], true)
		if ok {
			return buf[:n]
		}
		buf = make([]runtime.MemProfileRecord, n+n/4)
	}
}

func blockRecords(buf []runtime.BlockProfileRecord) []runtime.BlockProfileRecord {
	for {
		n, ok := runtime.BlockProfile(buf[:cap(buf)])
		if ok {
			return buf[:n]
		}
		buf = make([]runtime.BlockProfileRecord, n+n/4)
	}
}

// perStack runs one profile of each implementation at n stacks and reports
// the time per stack next to the time per profile, and for ember the live
// heap it holds between calls per stack, if held is set. runtime-records is the
// runtime's own record copy (runtime.MemProfile, runtime.BlockProfile): the
// floor under both profilers.
func perStack(b *testing.B, n int, unit string, impls map[string]func() error, held float64) {
	for _, name := range []string{"ember", "runtime-pprof", "runtime-records"} {
		f, ok := impls[name]
		if !ok {
			continue
		}
		b.Run("impl="+name, func(b *testing.B) {
			if err := f(); err != nil { // steady state: the first call is set-up
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/"+unit)
			if name == "ember" && held > 0 {
				b.ReportMetric(held, "held-B/"+unit)
			}
		})
	}
}

// heldPerStack reports the live heap a profiler holds between calls, per
// stack: the live heap after its second call less the live heap before it
// was made.
func heldPerStack[P interface{ Profile(io.Writer) error }](b *testing.B, n int, newProf func() P) (P, float64) {
	before := liveHeap()
	p := newProf()
	for range 2 {
		if err := p.Profile(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	return p, float64(liveHeap()-before) / float64(n)
}

func BenchmarkScaleHeapStacks(b *testing.B) {
	for _, n := range scales {
		b.Run("stacks="+scaleName(n), func(b *testing.B) {
			synth.HeapStacks(n)
			h, held := heldPerStack(b, n, godeltaprof.NewHeapProfiler)
			var recs []runtime.MemProfileRecord
			perStack(b, n, "stack", map[string]func() error{
				"ember":         func() error { return h.Profile(io.Discard) },
				"runtime-pprof": func() error { return pprof.Lookup("heap").WriteTo(io.Discard, 0) },
				"runtime-records": func() error {
					recs = memRecords(recs)
					return nil
				},
			}, held)
		})
	}
}

func BenchmarkScaleBlockStacks(b *testing.B) {
	for _, n := range scales {
		b.Run("stacks="+scaleName(n), func(b *testing.B) {
			synth.BlockStacks(n, 0)
			p, held := heldPerStack(b, n, godeltaprof.NewBlockProfiler)
			var recs []runtime.BlockProfileRecord
			perStack(b, n, "stack", map[string]func() error{
				"ember":         func() error { return p.Profile(io.Discard) },
				"runtime-pprof": func() error { return pprof.Lookup("block").WriteTo(io.Discard, 0) },
				"runtime-records": func() error {
					recs = blockRecords(recs)
					return nil
				},
			}, held)
		})
	}
}

func BenchmarkScaleGoroutines(b *testing.B) {
	for _, n := range scales {
		b.Run("goroutines="+scaleName(n), func(b *testing.B) {
			release := synth.Park(n)
			defer release()
			g := collect.NewGoroutines(-1)
			perStack(b, n, "goroutine", map[string]func() error{
				"ember": func() error { _, err := g.Collect(time.Now(), false); return err },
				"runtime-pprof": func() error {
					return pprof.Lookup("goroutine").WriteTo(io.Discard, 0)
				},
			}, 0)
		})
	}
}
