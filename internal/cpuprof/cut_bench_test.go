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
