package queue

import (
	"context"
	"testing"

	"github.com/emberprof/ember/interval"
)

// BenchmarkUpload measures what the session pays to hand a profile over:
// the enqueue, with a worker delivering to an exporter that does nothing.
func BenchmarkUpload(b *testing.B) {
	q := New(Config{MaxProfiles: 256, MaxBytes: 16 << 20, Workers: 2, Name: "bench"},
		exporterFunc(func(context.Context, Job) (int, error) { return 0, nil }))
	defer q.Shutdown(context.Background())
	p := &interval.Profile{Application: "app", Type: interval.TypeCPU, Data: make([]byte, 20<<10)}
	b.ReportAllocs()
	for b.Loop() {
		q.Upload(p)
	}
}
