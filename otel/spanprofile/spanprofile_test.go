package spanprofile_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/emberprof/ember/otel/spanprofile"
)

// labelProbe waits on gate; goroutineLabels finds it in the goroutine
// profile by name.
//
//go:noinline
func labelProbe(gate <-chan struct{}, started chan<- struct{}) {
	started <- struct{}{}
	<-gate
}

// goroutineLabels returns the pprof labels of the calling goroutine, or
// fails the test.
func goroutineLabels(t *testing.T) map[string]string {
	t.Helper()
	labels, err := readGoroutineLabels()
	if err != nil {
		t.Fatal(err)
	}
	return labels
}

// readGoroutineLabels returns the pprof labels of the calling goroutine: a
// goroutine inherits its creator's labels, so it starts one and reads that
// goroutine's labels from the goroutine profile.
func readGoroutineLabels() (map[string]string, error) {
	gate, started := make(chan struct{}), make(chan struct{})
	defer awaitNoProbe()
	defer close(gate)
	go labelProbe(gate, started)
	<-started
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 0); err != nil {
		return nil, err
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		return nil, err
	}
	var found []map[string]string
	for _, s := range p.Sample {
		for _, loc := range s.Location {
			for _, line := range loc.Line {
				if strings.HasSuffix(line.Function.Name, ".labelProbe") {
					labels := map[string]string{}
					for k, v := range s.Label {
						labels[k] = v[0]
					}
					found = append(found, labels)
				}
			}
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("goroutine profile has %d labelProbe goroutines, want 1 (tests using it must not run in parallel)", len(found))
	}
	return found[0], nil
}

// awaitNoProbe waits until no labelProbe goroutine is left, so the next
// readGoroutineLabels finds only its own.
func awaitNoProbe() {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if !bytes.Contains(buf[:n], []byte(".labelProbe(")) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// newSDK returns an SDK provider that samples every span and records the
// ended spans in the returned exporter.
func newSDK(t *testing.T, opts ...sdktrace.TracerProviderOption) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(append([]sdktrace.TracerProviderOption{sdktrace.WithSyncer(exp)}, opts...)...)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp
}

// withBaseLabels gives the goroutine the labels handler=pay for the test
// and takes them off afterwards; it returns the context holding them.
func withBaseLabels(t *testing.T) context.Context {
	ctx := pprof.WithLabels(context.Background(), pprof.Labels("handler", "pay"))
	pprof.SetGoroutineLabels(ctx)
	t.Cleanup(func() { pprof.SetGoroutineLabels(context.Background()) })
	return ctx
}

func profileIDs(spans tracetest.SpanStubs) map[string]string {
	ids := map[string]string{}
	for _, s := range spans {
		for _, a := range s.Attributes {
			if a.Key == "pyroscope.profile.id" {
				ids[s.Name] = a.Value.AsString()
			}
		}
	}
	return ids
}

func TestLabelsAndProfileIDs(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []spanprofile.Option
		// wantRoot and wantChild are the labels besides handler=pay while
		// the root and the child run; "ROOT", "CHILD" and "TRACE" stand
		// for the spans' IDs and the trace ID.
		wantRoot, wantChild map[string]string
		wantIDs             []string // spans carrying pyroscope.profile.id
	}{
		{
			name:      "defaults",
			wantRoot:  map[string]string{"span_id": "ROOT", "span_name": "root"},
			wantChild: map[string]string{"span_id": "ROOT", "span_name": "root"},
			wantIDs:   []string{"root"},
		},
		{
			name:      "all spans",
			opts:      []spanprofile.Option{spanprofile.WithSpanIDScope(spanprofile.AllSpans), spanprofile.WithSpanNameScope(spanprofile.AllSpans)},
			wantRoot:  map[string]string{"span_id": "ROOT", "span_name": "root"},
			wantChild: map[string]string{"span_id": "CHILD", "span_name": "child"},
			wantIDs:   []string{"root", "child"},
		},
		{
			name:      "span id of every span, name of the root",
			opts:      []spanprofile.Option{spanprofile.WithSpanIDScope(spanprofile.AllSpans)},
			wantRoot:  map[string]string{"span_id": "ROOT", "span_name": "root"},
			wantChild: map[string]string{"span_id": "CHILD", "span_name": "root"},
			wantIDs:   []string{"root", "child"},
		},
		{
			name:      "span name of every span, id of the root",
			opts:      []spanprofile.Option{spanprofile.WithSpanNameScope(spanprofile.AllSpans)},
			wantRoot:  map[string]string{"span_id": "ROOT", "span_name": "root"},
			wantChild: map[string]string{"span_id": "ROOT", "span_name": "child"},
			wantIDs:   []string{"root"},
		},
		{
			name:      "without span name, with trace id",
			opts:      []spanprofile.Option{spanprofile.WithoutSpanName(), spanprofile.WithTraceID()},
			wantRoot:  map[string]string{"span_id": "ROOT", "trace_id": "TRACE"},
			wantChild: map[string]string{"span_id": "ROOT", "trace_id": "TRACE"},
			wantIDs:   []string{"root"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			sdk, exp := newSDK(t)
			tr := spanprofile.NewTracerProvider(sdk, c.opts...).Tracer("test")
			base := withBaseLabels(t)
			before := goroutineLabels(t)

			ctx, root := tr.Start(base, "root")
			duringRoot := goroutineLabels(t)
			_, child := tr.Start(ctx, "child")
			duringChild := goroutineLabels(t)
			child.End()
			afterChild := goroutineLabels(t)
			root.End()
			afterRoot := goroutineLabels(t)

			ids := map[string]string{
				"ROOT":  root.SpanContext().SpanID().String(),
				"CHILD": child.SpanContext().SpanID().String(),
				"TRACE": root.SpanContext().TraceID().String(),
			}
			want := func(m map[string]string) map[string]string {
				w := map[string]string{"handler": "pay"}
				for k, v := range m {
					if id, ok := ids[v]; ok {
						v = id
					}
					w[k] = v
				}
				return w
			}
			if wantBase := map[string]string{"handler": "pay"}; !maps.Equal(before, wantBase) {
				t.Fatalf("labels before the root = %v, want %v", before, wantBase)
			}
			for _, s := range []struct {
				when      string
				got, want map[string]string
			}{
				{"while the root runs", duringRoot, want(c.wantRoot)},
				{"while the child runs", duringChild, want(c.wantChild)},
				{"after the child ended", afterChild, want(c.wantRoot)},
				{"after the root ended", afterRoot, before},
			} {
				if !maps.Equal(s.got, s.want) {
					t.Errorf("labels %s = %v, want %v", s.when, s.got, s.want)
				}
			}
			if len(ids["ROOT"]) != 16 {
				t.Errorf("span ID %q: want 16 hex digits", ids["ROOT"])
			}

			got := profileIDs(exp.GetSpans())
			wantIDs := map[string]string{}
			for _, name := range c.wantIDs {
				wantIDs[name] = ids[strings.ToUpper(name)]
			}
			if !maps.Equal(got, wantIDs) {
				t.Errorf("exported %s attributes by span = %v, want %v", spanprofile.AttributeProfileID, got, wantIDs)
			}
		})
	}
}

func TestUnsampledSpansAreLeftAlone(t *testing.T) {
	sdk, exp := newSDK(t, sdktrace.WithSampler(sdktrace.NeverSample()))
	tr := spanprofile.NewTracerProvider(sdk).Tracer("test")
	base := withBaseLabels(t)
	want := goroutineLabels(t)
	ctx, root := tr.Start(base, "root")
	if got := goroutineLabels(t); !maps.Equal(got, want) {
		t.Errorf("labels in an unsampled span = %v, want %v", got, want)
	}
	_, child := tr.Start(ctx, "child")
	if got := goroutineLabels(t); !maps.Equal(got, want) {
		t.Errorf("labels in an unsampled child = %v, want %v", got, want)
	}
	child.End()
	root.End()
	if got := goroutineLabels(t); !maps.Equal(got, want) {
		t.Errorf("labels after unsampled spans = %v, want %v", got, want)
	}
	if n := len(exp.GetSpans()); n != 0 {
		t.Errorf("%d spans exported, want none", n)
	}
}

// TestLocalRoots checks which spans count as local roots: one continuing a
// remote trace, and one started WithNewRoot inside another trace.
func TestLocalRoots(t *testing.T) {
	sdk, exp := newSDK(t)
	tr := spanprofile.NewTracerProvider(sdk).Tracer("test")
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1, 2, 3},
		SpanID:     trace.SpanID{4, 5, 6},
		TraceFlags: trace.FlagsSampled,
		Remote:     true,
	})
	ctx, server := tr.Start(trace.ContextWithRemoteSpanContext(context.Background(), remote), "server")
	defer pprof.SetGoroutineLabels(context.Background())
	if got := server.SpanContext().TraceID(); got != remote.TraceID() {
		t.Fatalf("server span's trace %v, want the remote one %v", got, remote.TraceID())
	}
	_, other := tr.Start(ctx, "other", trace.WithNewRoot())
	got := goroutineLabels(t)
	want := map[string]string{"span_id": other.SpanContext().SpanID().String(), "span_name": "other"}
	if !maps.Equal(got, want) {
		t.Errorf("labels in a new root inside a span = %v, want %v", got, want)
	}
	other.End()
	server.End()
	ids := profileIDs(exp.GetSpans())
	wantIDs := map[string]string{"server": server.SpanContext().SpanID().String(), "other": other.SpanContext().SpanID().String()}
	if !maps.Equal(ids, wantIDs) {
		t.Errorf("profile IDs = %v, want %v", ids, wantIDs)
	}
}

// TestChildOnAnotherGoroutine checks that a child span started from the
// span's context on a goroutine without labels gives it the root's labels.
func TestChildOnAnotherGoroutine(t *testing.T) {
	sdk, _ := newSDK(t)
	tr := spanprofile.NewTracerProvider(sdk).Tracer("test")
	ctx, root := tr.Start(context.Background(), "root")
	defer root.End()
	defer pprof.SetGoroutineLabels(context.Background())
	want := map[string]string{"span_id": root.SpanContext().SpanID().String(), "span_name": "root"}
	got := make(chan map[string]string)
	go func() {
		pprof.SetGoroutineLabels(context.Background())
		_, child := tr.Start(ctx, "child")
		defer child.End()
		labels, err := readGoroutineLabels()
		if err != nil {
			t.Error(err)
		}
		got <- labels
	}()
	if g := <-got; g != nil && !maps.Equal(g, want) {
		t.Errorf("labels in a child on another goroutine = %v, want %v", g, want)
	}
}

func TestBadScopePanics(t *testing.T) {
	for name, option := range map[string]func(spanprofile.Scope) spanprofile.Option{
		"WithSpanIDScope":   spanprofile.WithSpanIDScope,
		"WithSpanNameScope": spanprofile.WithSpanNameScope,
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, name+"(Scope(7))") {
					t.Errorf("%s(7) panicked with %q, want a message naming the option and value", name, msg)
				}
			}()
			option(7)
		}()
	}
}
