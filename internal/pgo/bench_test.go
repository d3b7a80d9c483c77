package pgo

import (
	"bytes"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"golang.org/x/sync/errgroup"
)

// A day of 15 s CPU intervals.
const dayProfiles = 24 * 60 * 60 / 15

var day struct {
	once  sync.Once
	dir   string
	paths []string
	bytes int64
	err   error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if day.dir != "" {
		os.RemoveAll(day.dir)
	}
	os.Exit(code)
}

// dayFiles writes, once per process, a day of CPU profile files of a
// service running about two thirds of a core (1,000 samples per interval) over 3,000
// distinct stacks of 1,000 functions.
func dayFiles(b *testing.B) []string {
	day.once.Do(func() {
		day.dir, day.err = os.MkdirTemp("", "ember-pgo-bench-")
		if day.err != nil {
			return
		}
		start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
		day.paths = make([]string, dayProfiles)
		var mu sync.Mutex
		var g errgroup.Group
		// google/pprof's Write marks the locations and functions it
		// encodes, so each goroutine writes from its own copy of the
		// service (the same seed makes the same one).
		workers := runtime.GOMAXPROCS(0)
		for n := range workers {
			g.Go(func() error {
				w := newWorld(42, 1000, 3000)
				for i := n * dayProfiles / workers; i < (n+1)*dayProfiles/workers; i++ {
					rng := rand.New(rand.NewPCG(uint64(i), 7))
					at := start.Add(time.Duration(i) * 15 * time.Second)
					path, err := writeProfileFile(day.dir, "svc", w.profile(rng, at, 15*time.Second, 1000), at)
					if err != nil {
						return err
					}
					day.paths[i] = path
					info, err := os.Stat(path)
					if err != nil {
						return err
					}
					mu.Lock()
					day.bytes += info.Size()
					mu.Unlock()
				}
				return nil
			})
		}
		day.err = g.Wait()
	})
	if day.err != nil {
		b.Fatal(day.err)
	}
	return day.paths
}

// peakHeap samples the heap's objects every millisecond (without stopping
// the world) until stop is called, which returns the highest value seen
// above the heap at the start.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	base, peak := s[0].Value.Uint64(), s[0].Value.Uint64()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak - base
	}
}

// BenchmarkMergeDay merges a day of 15 s CPU profiles from files, with
// this package and with google/pprof (profile.Parse of each file, then
// profile.Merge of all), and reports both wall and CPU times, peak heaps
// and allocations, and their ratios. Run it as
//
//	go test -run '^$' -bench MergeDay -benchtime 1x -count 3 -benchmem ./internal/pgo
func BenchmarkMergeDay(b *testing.B) {
	paths := dayFiles(b)
	b.Logf("%d files, %.1f MB", len(paths), float64(day.bytes)/1e6)

	var ember, pprof, emberCPU, pprofCPU time.Duration
	var emberPeak, pprofPeak uint64
	var emberAlloc, pprofAlloc uint64
	var out, fullOut int
	for b.Loop() {
		allocs := totalAlloc()
		stop := peakHeap()
		t0, c0 := time.Now(), processCPU()
		m, err := MergeFiles(paths, nil, runtime.GOMAXPROCS(0))
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := m.Write(&buf); err != nil {
			b.Fatal(err)
		}
		ember += time.Since(t0)
		emberCPU += processCPU() - c0
		emberPeak = max(emberPeak, stop())
		emberAlloc += totalAlloc() - allocs
		out = buf.Len()

		allocs = totalAlloc()
		stop = peakHeap()
		t0, c0 = time.Now(), processCPU()
		full := pprofMerge(b, paths)
		buf.Reset()
		if err := full.Write(&buf); err != nil {
			b.Fatal(err)
		}
		pprof += time.Since(t0)
		pprofCPU += processCPU() - c0
		pprofPeak = max(pprofPeak, stop())
		pprofAlloc += totalAlloc() - allocs
		fullOut = buf.Len()
	}
	n := float64(b.N)
	b.ReportMetric(ember.Seconds()/n, "ember-s")
	b.ReportMetric(pprof.Seconds()/n, "pprof-s")
	b.ReportMetric(pprof.Seconds()/ember.Seconds(), "time-ratio")
	// CPU seconds used, which a shared machine does not inflate.
	b.ReportMetric(emberCPU.Seconds()/n, "ember-cpu-s")
	b.ReportMetric(pprofCPU.Seconds()/n, "pprof-cpu-s")
	b.ReportMetric(float64(emberPeak)/1e6, "ember-peak-MB")
	b.ReportMetric(float64(pprofPeak)/1e6, "pprof-peak-MB")
	b.ReportMetric(float64(pprofPeak)/float64(emberPeak), "peak-ratio")
	b.ReportMetric(float64(emberAlloc)/n/1e6, "ember-alloc-MB")
	b.ReportMetric(float64(pprofAlloc)/n/1e6, "pprof-alloc-MB")
	b.ReportMetric(float64(out)/1e3, "pgo-kB")
	b.ReportMetric(float64(fullOut)/1e3, "full-merge-kB")
}

// pprofMerge is the google/pprof way: parse every file (on every core, as
// MergeFiles reads), then merge them all.
func pprofMerge(b *testing.B, paths []string) *profile.Profile {
	profs := make([]*profile.Profile, len(paths))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, path := range paths {
		g.Go(func() error {
			data, err := os.ReadFile(path)
			if err == nil {
				profs[i], err = profile.ParseData(data)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	full, err := profile.Merge(profs)
	if err != nil {
		b.Fatal(err)
	}
	return full
}

func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}
