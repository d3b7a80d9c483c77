package cpuprof

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCut measures one cut of the runtime CPU profile (Rotate of a
// window) while another goroutine burns CPU, and reports the time with
// sampling off per cut as gap-ns/cut, and the longest as max-gap-ns.
func BenchmarkCut(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			burn("bench", 10*time.Millisecond)
		}
	}()
	defer func() { cancel(); <-done }()

	w, err := Start()
	if err != nil {
		b.Fatal(err)
	}
	var total, longest time.Duration
	for b.Loop() {
		before := ReadStats().GapTotal
		_, next, err := w.Rotate()
		if err != nil {
			b.Fatal(err)
		}
		w = next
		gap := ReadStats().GapTotal - before
		total += gap
		longest = max(longest, gap)
	}
	b.StopTimer()
	if _, err := w.Stop(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(total)/float64(b.N), "gap-ns/cut")
	b.ReportMetric(float64(longest), "max-gap-ns")
}

// BenchmarkMerge measures closing a window that holds three segments
// (another window opened and closed inside it): parsing them, merging and
// writing the result.
func BenchmarkMerge(b *testing.B) {
	w, err := Start()
	if err != nil {
		b.Fatal(err)
	}
	burn("first", 100*time.Millisecond)
	inner, err := Start()
	if err != nil {
		b.Fatal(err)
	}
	burn("second", 100*time.Millisecond)
	if _, err := inner.Stop(); err != nil {
		b.Fatal(err)
	}
	if _, err := w.Stop(); err != nil {
		b.Fatal(err)
	}
	if len(w.segs) != 3 {
		b.Fatalf("window holds %d segments, want 3", len(w.segs))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := build(w.segs, w.from, w.until); err != nil {
			b.Fatal(err)
		}
	}
}
