package cpuprof

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCut measures one cut of the runtime CPU profile (Rotate of a
// window) while another goroutine burns CPU, and reports the time with
// sampling off per cut as gap-ns/cut.
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
	before := ReadStats()
	b.ResetTimer()
	for b.Loop() {
		_, next, err := w.Rotate()
		if err != nil {
			b.Fatal(err)
		}
		w = next
	}
	b.StopTimer()
	after := ReadStats()
	if _, err := w.Stop(); err != nil {
		b.Fatal(err)
	}
	cuts := after.Cuts - before.Cuts
	b.ReportMetric(float64(after.GapTotal-before.GapTotal)/float64(cuts), "gap-ns/cut")
	b.ReportMetric(float64(after.GapMax), "max-gap-ns")
}
