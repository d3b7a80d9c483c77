package overhead

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/godeltaprof"
	"github.com/emberprof/ember/internal/collect"
	"github.com/emberprof/ember/internal/cpuprof"
	"github.com/emberprof/ember/internal/labels"
	"github.com/emberprof/ember/internal/overhead/synth"
	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream/remote"
)

// The steps of one Ember interval, each next to runtime/pprof's equivalent
// where there is one, on a process with 10,000 unique heap stacks, 10,000
// unique block stacks and 1,000 goroutines. Run them apart from the scale
// benchmarks, which grow the process:
//
//	go test -run '^$' -bench 'Step|Tag' -benchmem ./internal/overhead

func stepProcess() (release func()) {
	synth.HeapStacks(10000)
	synth.BlockStacks(10000, collect.DefaultBlockRate)
	runtime.SetMutexProfileFraction(collect.DefaultMutexFraction)
	return synth.Park(1000)
}

// burn keeps one goroutine busy so CPU profiles have samples, until the
// returned function is called.
func burn() (stop func()) {
	var done atomic.Bool
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for i := uint64(0); !done.Load(); i++ {
			hashUnit(i)
		}
	}()
	return func() { done.Store(true); <-finished }
}

func BenchmarkStepCPU(b *testing.B) {
	defer burn()()
	b.Run("impl=ember", func(b *testing.B) { // cpuprof cut and label check, as the session does
		c, err := collect.NewCPU()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Cut(false); err != nil {
				b.Fatal(err)
			}
		}
		c.Cut(true)
	})
	b.Run("impl=cpuprof-rotate", func(b *testing.B) { // the cut alone
		w, err := cpuprof.Start()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, w, err = w.Rotate(); err != nil {
				b.Fatal(err)
			}
		}
		w.Stop()
	})
	b.Run("impl=runtime-pprof", func(b *testing.B) { // StopCPUProfile and StartCPUProfile
		var buf bytes.Buffer
		if err := pprof.StartCPUProfile(&buf); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			pprof.StopCPUProfile()
			buf.Reset()
			if err := pprof.StartCPUProfile(&buf); err != nil {
				b.Fatal(err)
			}
		}
		pprof.StopCPUProfile()
	})
}

// BenchmarkStepSanitize is the label check Ember runs on every CPU and
// goroutine profile from runtime/pprof, on a CPU profile of a busy second.
func BenchmarkStepSanitize(b *testing.B) {
	var gz bytes.Buffer
	zw := newGzip(&gz)
	zw.Write(realProfiles()[1].raw)
	zw.Close()
	b.SetBytes(int64(gz.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := labels.SanitizeProfile(gz.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStepRewrite is the session's one pass over each profile
// runtime/pprof writes (pprofenc.Rewriter): a gunzip and a gzip of the
// whole profile, with its time_nanos and duration_nanos set, here on
// Ember's delta heap profile of 10k stacks and a CPU profile of a busy
// second.
func BenchmarkStepRewrite(b *testing.B) {
	for _, p := range realProfiles()[:2] {
		b.Run("profile="+p.name, func(b *testing.B) {
			var gz bytes.Buffer
			zw := newGzip(&gz)
			zw.Write(p.raw)
			zw.Close()
			var r pprofenc.Rewriter
			at := time.Now()
			b.SetBytes(int64(gz.Len()))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Rewrite(gz.Bytes(), pprofenc.Changes{Start: at, Duration: 15 * time.Second}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStepGoroutines(b *testing.B) {
	defer stepProcess()()
	b.Run("impl=ember", func(b *testing.B) {
		g := collect.NewGoroutines(-1)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.Collect(time.Now(), false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=runtime-pprof", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := pprof.Lookup("goroutine").WriteTo(io.Discard, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// deltaVsRuntime benchmarks one godeltaprof profiler at steady state
// (after its first call) against runtime/pprof's profile of the same name.
func deltaVsRuntime(b *testing.B, name string, prof interface{ Profile(io.Writer) error }) {
	b.Run("impl=ember", func(b *testing.B) {
		var buf bytes.Buffer
		if err := prof.Profile(&buf); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := prof.Profile(&buf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "B/profile")
	})
	b.Run("impl=runtime-pprof", func(b *testing.B) {
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "B/profile")
	})
}

func BenchmarkStepHeap(b *testing.B) {
	defer stepProcess()()
	deltaVsRuntime(b, "heap", godeltaprof.NewHeapProfiler())
}

func BenchmarkStepMutex(b *testing.B) {
	defer stepProcess()()
	deltaVsRuntime(b, "mutex", godeltaprof.NewMutexProfiler())
}

func BenchmarkStepBlock(b *testing.B) {
	defer stepProcess()()
	deltaVsRuntime(b, "block", godeltaprof.NewBlockProfiler())
}

// BenchmarkStepEnqueue hands a 30 KB profile to upstream/remote's Upload,
// which queues it for delivery to a local server that answers 200.
func BenchmarkStepEnqueue(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	up, err := remote.New(remote.Config{ServerAddress: srv.URL, UploadJitter: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		up.Shutdown(ctx)
	}()
	data := make([]byte, 30<<10)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		up.Upload(&interval.Profile{Application: "bench", Type: interval.TypeHeap, From: now, Until: now.Add(time.Second), Data: data})
	}
}

// BenchmarkTag compares ember.TagWrapper with pprof.Do: they must cost the
// same, because TagWrapper sits on the application's hot path.
func BenchmarkTag(b *testing.B) {
	ctx := context.Background()
	var n int
	fn := func(context.Context) { n++ }
	b.Run("impl=ember-TagWrapper", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ember.TagWrapper(ctx, ember.Labels("function", "fast"), fn)
		}
	})
	b.Run("impl=pprof-Do", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			pprof.Do(ctx, pprof.Labels("function", "fast"), fn)
		}
	})
}

// BenchmarkStepForcedGC is the collection Ember's heap collector runs at the
// end of an interval in which none completed, at several live heap sizes:
// its cost is the application's heap, not Ember's. cpu-ns/op is the whole
// process's CPU time per collection (the GC's workers included).
func BenchmarkStepForcedGC(b *testing.B) {
	for _, mib := range []int{16, 256} {
		b.Run(fmt.Sprintf("live=%dMiB", mib), func(b *testing.B) {
			live := make([]*node, mib<<20/64)
			for i := range live {
				live[i] = &node{}
			}
			runtime.GC()
			cpu0 := processCPU()
			for b.Loop() {
				runtime.GC()
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			runtime.KeepAlive(live)
		})
	}
}
