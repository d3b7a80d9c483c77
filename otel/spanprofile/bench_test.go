package spanprofile_test

import (
	"context"
	"runtime"
	"runtime/pprof"
	"testing"

	otelpyroscope "github.com/grafana/otel-profiling-go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/emberprof/ember/otel/spanprofile"
)

// BenchmarkSpan measures a sampled root span, and a root with one child, on
// the SDK alone, wrapped by this package and wrapped by otel-profiling-go,
// in one run so the ratios mean something on a busy machine (cpu-ns/op,
// the thread's CPU time per span, is the steadier measure there):
//
//	go test -run '^$' -bench . -benchmem -count 8
//
// otel-profiling-go always sets trace_id on roots; "spanprofile+traceid"
// sets the same labels as it does.
func BenchmarkSpan(b *testing.B) {
	sdk := sdktrace.NewTracerProvider() // samples every span, exports none
	defer func() { _ = sdk.Shutdown(context.Background()) }()
	providers := []struct {
		name string
		tp   trace.TracerProvider
	}{
		{"sdk", sdk},
		{"spanprofile", spanprofile.NewTracerProvider(sdk)},
		{"spanprofile+traceid", spanprofile.NewTracerProvider(sdk, spanprofile.WithTraceID())},
		{"otelpyroscope", otelpyroscope.NewTracerProvider(sdk)},
	}
	shapes := []struct {
		name string
		run  func(context.Context, trace.Tracer)
	}{
		{"root", func(ctx context.Context, tr trace.Tracer) {
			_, root := tr.Start(ctx, "root")
			root.End()
		}},
		{"root+child", func(ctx context.Context, tr trace.Tracer) {
			ctx, root := tr.Start(ctx, "root")
			_, child := tr.Start(ctx, "child")
			child.End()
			root.End()
		}},
	}
	defer pprof.SetGoroutineLabels(context.Background())
	for _, shape := range shapes {
		for _, p := range providers {
			b.Run(shape.name+"/"+p.name, func(b *testing.B) {
				tr := p.tp.Tracer("bench")
				ctx := context.Background()
				b.ReportAllocs()
				// The thread's CPU time per span, besides wall time: on a
				// shared machine it does not count time spent waiting for
				// a core.
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				before, ok := threadCPUTime()
				n := 0
				for b.Loop() {
					shape.run(ctx, tr)
					n++
				}
				if after, _ := threadCPUTime(); ok {
					b.ReportMetric(float64(after-before)/float64(n), "cpu-ns/op")
				}
			})
		}
	}
}
