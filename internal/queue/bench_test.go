package queue

import (
	"context"
	"testing"

	"github.com/emberprof/ember/upstream"
)

// BenchmarkUpload measures what the session pays to hand a profile over:
// the enqueue, with a worker delivering to an exporter that does nothing.
func BenchmarkUpload(b *testing.B) {
	q := New(Config{MaxJobs: 256, MaxBytes: 16 << 20, Workers: 2, Name: "bench"},
		exporterFunc(func(context.Context, []*upstream.Profile) (int, error) { return 0, nil }))
	defer q.Shutdown(context.Background())
	p := &upstream.Profile{Application: "app", Type: upstream.TypeCPU, Data: make([]byte, 20<<10)}
	b.ReportAllocs()
	for b.Loop() {
		q.Upload(p)
	}
}
