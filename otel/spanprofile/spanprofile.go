// Package spanprofile links OpenTelemetry traces to CPU profiles.
//
// NewTracerProvider wraps any [trace.TracerProvider]. While a sampled span
// runs, the goroutine that started it carries the pprof labels span_id (16
// hex digits) and span_name, and the span gets the attribute
// pyroscope.profile.id with the same span ID. A profiler that keeps pprof
// labels, such as Ember (github.com/emberprof/ember), sends CPU samples with
// these labels to Grafana Pyroscope, where "traces to profiles" and
// SelectMergeSpanProfile find the CPU a span used by its ID.
//
// The labels are set on the goroutine when the span starts and the labels of
// the context the span was started with are put back when it ends, so End
// must be called on the goroutine that started the span. Code run on other
// goroutines gets the labels when it is started from the span's context with
// pprof.SetGoroutineLabels or pprof.Do, or when it starts a child span.
//
// The labels cost a few allocations per sampled local-root span whether or
// not a profiler runs; without one they are simply never read.
//
// The package depends only on the OpenTelemetry trace API, not on Ember, and
// is a replacement for github.com/grafana/otel-profiling-go.
package spanprofile

import (
	"context"
	"fmt"
	"runtime/pprof"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// Keys of the pprof labels and of the span attribute this package sets.
// Pyroscope and Grafana look for exactly these names.
const (
	// LabelSpanID is the pprof label holding a span ID as 16 hex digits.
	LabelSpanID = "span_id"
	// LabelSpanName is the pprof label holding a span's name.
	LabelSpanName = "span_name"
	// LabelTraceID is the pprof label holding the trace ID as 32 hex
	// digits; set only with WithTraceID.
	LabelTraceID = "trace_id"
	// AttributeProfileID is the span attribute naming the span ID under
	// which the span's samples are labelled.
	AttributeProfileID = "pyroscope.profile.id"
)

// Scope says which spans set a label.
type Scope uint8

const (
	// RootSpan sets the label on local-root spans only: spans whose parent
	// is remote, absent, or not labelled by this package. Their children
	// inherit the root's value, so a root's profile holds all its
	// children's CPU. This is the default.
	RootSpan Scope = iota
	// AllSpans sets the label on every sampled span; a child's CPU is then
	// labelled with the child's own value.
	AllSpans
)

// String returns the scope's Go name.
func (s Scope) String() string {
	switch s {
	case RootSpan:
		return "RootSpan"
	case AllSpans:
		return "AllSpans"
	}
	return fmt.Sprintf("Scope(%d)", uint8(s))
}

type config struct {
	spanIDScope   Scope
	spanNameScope Scope
	spanName      bool
	traceID       bool
}

// Option changes which labels NewTracerProvider's spans set.
type Option func(*config)

// WithSpanIDScope says which spans set the span_id label and the
// pyroscope.profile.id attribute (default RootSpan). It panics on a value
// other than RootSpan and AllSpans.
func WithSpanIDScope(s Scope) Option {
	mustBeScope("WithSpanIDScope", s)
	return func(c *config) { c.spanIDScope = s }
}

// WithSpanNameScope says which spans set the span_name label (default
// RootSpan). Span names that hold IDs, URLs or queries make many label
// values; keep those at RootSpan or turn the label off. It panics on a value
// other than RootSpan and AllSpans.
func WithSpanNameScope(s Scope) Option {
	mustBeScope("WithSpanNameScope", s)
	return func(c *config) { c.spanNameScope = s }
}

// WithoutSpanName leaves out the span_name label.
func WithoutSpanName() Option {
	return func(c *config) { c.spanName = false }
}

// WithTraceID adds the trace_id label on local-root spans, inherited by
// their children. It is off by default: every trace makes a new label value,
// which makes profiles larger and the server's index busier.
func WithTraceID() Option {
	return func(c *config) { c.traceID = true }
}

func mustBeScope(option string, s Scope) {
	if s != RootSpan && s != AllSpans {
		panic(fmt.Sprintf("spanprofile: %s(%v): want RootSpan or AllSpans", option, s))
	}
}

// NewTracerProvider returns a TracerProvider whose tracers start spans with
// tp and label the goroutine's profile samples with the span, as the package
// documentation describes. Spans that are not sampled are left alone.
func NewTracerProvider(tp trace.TracerProvider, opts ...Option) trace.TracerProvider {
	p := &tracerProvider{tp: tp, cfg: config{spanName: true}}
	for _, o := range opts {
		o(&p.cfg)
	}
	return p
}

type tracerProvider struct {
	embedded.TracerProvider
	tp  trace.TracerProvider
	cfg config
}

// Tracer returns a tracer that labels the spans of the wrapped provider's
// tracer of the same name and options.
func (p *tracerProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return &tracer{tr: p.tp.Tracer(name, opts...), cfg: &p.cfg}
}

type tracer struct {
	embedded.Tracer
	tr  trace.Tracer
	cfg *config
}

// Start starts a span with the wrapped tracer and, when it is sampled, sets
// the goroutine's pprof labels for it.
func (t *tracer) Start(parent context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	ctx, span := t.tr.Start(parent, name, opts...)
	sc := span.SpanContext()
	if !sc.IsSampled() {
		return ctx, span
	}
	root := isLocalRoot(parent, sc)
	setID := root || t.cfg.spanIDScope == AllSpans
	setName := t.cfg.spanName && (root || t.cfg.spanNameScope == AllSpans)
	setTrace := root && t.cfg.traceID
	if !setID && !setName && !setTrace {
		// The labels are the parent's: make sure this goroutine has them
		// (it may not be the one that started the parent), and there is
		// nothing to undo at End.
		pprof.SetGoroutineLabels(ctx)
		return ctx, span
	}
	s := &labelledSpan{Span: span, parent: parent}
	var kv [6]string // key, value pairs, in pprof's (sorted) key order
	n := 0
	if setID {
		id := sc.SpanID().String()
		s.attr[0] = attribute.String(AttributeProfileID, id)
		span.SetAttributes(s.attr[:]...)
		kv[n], kv[n+1] = LabelSpanID, id
		n += 2
	}
	if setName {
		kv[n], kv[n+1] = LabelSpanName, name
		n += 2
	}
	if setTrace {
		kv[n], kv[n+1] = LabelTraceID, sc.TraceID().String()
		n += 2
	}
	ctx = pprof.WithLabels(ctx, pprof.Labels(kv[:n]...))
	pprof.SetGoroutineLabels(ctx)
	return ctx, s
}

// isLocalRoot reports whether the span sc, started from parent, begins this
// process's part of a trace as far as labels go: its parent is absent,
// remote or of another trace, or no span_id label is on parent.
func isLocalRoot(parent context.Context, sc trace.SpanContext) bool {
	psc := trace.SpanContextFromContext(parent)
	if !psc.IsValid() || psc.IsRemote() || psc.TraceID() != sc.TraceID() {
		return true
	}
	_, labelled := pprof.Label(parent, LabelSpanID)
	return !labelled
}

// labelledSpan puts the parent context's labels back on the goroutine when
// the span ends.
type labelledSpan struct {
	trace.Span
	parent context.Context
	attr   [1]attribute.KeyValue // SetAttributes' argument, allocated with the span
}

// End ends the span and restores the labels the goroutine had before the
// span started (those of the context the span was started with).
func (s *labelledSpan) End(opts ...trace.SpanEndOption) {
	s.Span.End(opts...)
	pprof.SetGoroutineLabels(s.parent)
}
