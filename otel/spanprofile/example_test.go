package spanprofile_test

import (
	"context"
	"fmt"
	"runtime/pprof"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/emberprof/ember/otel/spanprofile"
)

// Wrap the application's tracer provider once, at start-up, and install it
// globally; start Ember (ember.Start) as usual. CPU samples taken while a
// sampled span runs carry its span_id and span_name labels.
func Example() {
	exporter := tracetest.NewInMemoryExporter() // an OTLP exporter in a real program
	sdk := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = sdk.Shutdown(context.Background()) }()
	otel.SetTracerProvider(spanprofile.NewTracerProvider(sdk))

	ctx, span := otel.Tracer("checkout").Start(context.Background(), "pay")
	spanID, _ := pprof.Label(ctx, spanprofile.LabelSpanID)
	name, _ := pprof.Label(ctx, spanprofile.LabelSpanName)
	fmt.Println("labels match the span:", spanID == span.SpanContext().SpanID().String(), name)
	span.End()

	for _, a := range exporter.GetSpans()[0].Attributes {
		fmt.Println("exported attribute:", a.Key, a.Value.AsString() == spanID)
	}
	// Output:
	// labels match the span: true pay
	// exported attribute: pyroscope.profile.id true
}
