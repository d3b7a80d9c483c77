package spanprofile_test

// Tests against the real Pyroscope server: they read EMBER_PYROSCOPE_URL
// (`bash .ci/run` starts a server and sets it) and skip when it is unset.
// They live in this module, not in the root module's integration/, because
// the root module does not depend on OpenTelemetry.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	otelpyroscope "github.com/grafana/otel-profiling-go"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/otel/spanprofile"
)

const cpuTypeID = "process_cpu:cpu:nanoseconds:cpu:nanoseconds"

// TestSpanProfilesOnServer runs a traced HTTP service with this package's
// tracer provider and Ember: the CPU of chosen requests' spans, read back
// with SelectMergeSpanProfile, matches the CPU those requests burned.
func TestSpanProfilesOnServer(t *testing.T) {
	checkSpanProfilesOnServer(t, func(tp trace.TracerProvider) trace.TracerProvider {
		return spanprofile.NewTracerProvider(tp)
	})
}

// TestOtelProfilingGoWithEmberOnServer is the same service as a user of
// github.com/grafana/otel-profiling-go writes it, with Ember in place of
// pyroscope-go (issue 11, item 8).
func TestOtelProfilingGoWithEmberOnServer(t *testing.T) {
	checkSpanProfilesOnServer(t, func(tp trace.TracerProvider) trace.TracerProvider {
		return otelpyroscope.NewTracerProvider(tp)
	})
}

// The requests: chosen ones and others alternate. The others burn enough
// that a query which ignored the span selector would miss the ±30 % bound.
const (
	requestsEach = 4
	chosenBurn   = 400 * time.Millisecond
	otherBurn    = 250 * time.Millisecond
	tolerance    = 0.30
)

func checkSpanProfilesOnServer(t *testing.T, wrap func(trace.TracerProvider) trace.TracerProvider) {
	base := strings.TrimRight(os.Getenv("EMBER_PYROSCOPE_URL"), "/")
	if base == "" {
		t.Skip("EMBER_PYROSCOPE_URL is not set; run `bash .ci/run` to start a real Pyroscope server")
	}
	if _, ok := threadCPUTime(); !ok {
		t.Skip("no thread CPU clock to measure the burned CPU with")
	}
	svc := serviceName(t)
	started := time.Now()

	p, err := ember.Start(ember.Config{
		ApplicationName: svc,
		ServerAddress:   base,
		UploadRate:      5 * time.Second,
		ProfileTypes:    []ember.ProfileType{ember.ProfileCPU},
	})
	if err != nil {
		t.Fatalf("ember.Start: %v", err)
	}
	defer func() { _ = p.Stop() }()

	sdk := sdktrace.NewTracerProvider()
	defer func() { _ = sdk.Shutdown(context.Background()) }()
	srv := httptest.NewServer(tracedService(wrap(sdk).Tracer("service")))
	defer srv.Close()

	// The client traces too, with a plain provider, and propagates the
	// trace: the service's spans have remote parents, as in production.
	client := sdktrace.NewTracerProvider().Tracer("client")
	var chosen, others []string
	var chosenCPU, otherCPU time.Duration
	for i := range 2 * requestsEach {
		burn := otherBurn
		if i%2 == 0 {
			burn = chosenBurn
		}
		id, used := callService(t, client, srv.URL, burn)
		if i%2 == 0 {
			chosen, chosenCPU = append(chosen, id), chosenCPU+used
		} else {
			others, otherCPU = append(others, id), otherCPU+used
		}
	}
	if err := p.Stop(); err != nil { // delivers the last, partial interval
		t.Fatalf("Stop: %v", err)
	}

	start, end := started.Add(-time.Minute), time.Now().Add(time.Minute)
	for _, set := range []struct {
		name   string
		ids    []string
		burned time.Duration
	}{
		{"chosen", chosen, chosenCPU},
		{"others", others, otherCPU},
	} {
		got := settledCPU(t, func() (time.Duration, error) {
			return selectMergeSpanProfile(base, svc, set.ids, start, end)
		})
		ratio := float64(got) / float64(set.burned)
		t.Logf("%s spans: server has %v of CPU, the requests burned %v: ratio %.3f", set.name, got, set.burned, ratio)
		if ratio < 1-tolerance || ratio > 1+tolerance {
			t.Errorf("%s spans %v: server has %v of CPU, the requests burned %v (ratio %.2f, want 1±%.2f)",
				set.name, set.ids, got, set.burned, ratio, tolerance)
		}
	}

	// The span_name label is a series label users can filter on: every
	// request's CPU is under its server span's name.
	byName := settledCPU(t, func() (time.Duration, error) {
		return selectMergeStacktraces(base, fmt.Sprintf(`{service_name=%q,span_name="GET /work"}`, svc), start, end)
	})
	burned := chosenCPU + otherCPU
	ratio := float64(byName) / float64(burned)
	t.Logf(`span_name="GET /work": server has %v of CPU, the requests burned %v: ratio %.3f`, byName, burned, ratio)
	if ratio < 1-tolerance || ratio > 1+tolerance {
		t.Errorf(`span_name="GET /work": server has %v of CPU, the requests burned %v (ratio %.2f, want 1±%.2f)`, byName, burned, ratio, tolerance)
	}
}

// tracedService is an HTTP service that burns the CPU time its ms query
// parameter asks for, in a child span of the request's server span, and
// answers with the server span's ID and the CPU it burned.
func tracedService(tr trace.Tracer) http.Handler {
	prop := propagation.TraceContext{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tr.Start(ctx, "GET /work", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
		if err != nil {
			http.Error(w, "ms: "+err.Error(), http.StatusBadRequest)
			return
		}
		_, child := tr.Start(ctx, "burn")
		used := burnCPU(time.Duration(ms) * time.Millisecond)
		child.End()
		w.Header().Set("X-Span-ID", span.SpanContext().SpanID().String())
		w.Header().Set("X-CPU-Nanoseconds", strconv.FormatInt(int64(used), 10))
	})
}

// callService asks the service to burn d of CPU in a client span and
// returns the service's span ID and the CPU it burned.
func callService(t *testing.T, client trace.Tracer, url string, d time.Duration) (string, time.Duration) {
	t.Helper()
	ctx, span := client.Start(context.Background(), "call", trace.WithSpanKind(trace.SpanKindClient))
	defer span.End()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/work?ms=%d", url, d.Milliseconds()), nil)
	if err != nil {
		t.Fatal(err)
	}
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("service: HTTP %d", res.StatusCode)
	}
	id := res.Header.Get("X-Span-ID")
	used, err := strconv.ParseInt(res.Header.Get("X-CPU-Nanoseconds"), 10, 64)
	if len(id) != 16 || err != nil {
		t.Fatalf("service answered span ID %q, CPU %q", id, res.Header.Get("X-CPU-Nanoseconds"))
	}
	return id, time.Duration(used)
}

// burnSink keeps burnCPU's loop from being optimised away.
var burnSink atomic.Uint64

// burnCPU spins on the calling goroutine, held on its thread, until the
// thread has used d of CPU, and returns the CPU it used.
//
//go:noinline
func burnCPU(d time.Duration) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	begin, _ := threadCPUTime()
	var x uint64
	for {
		for i := range 20_000 {
			x += uint64(i) ^ x>>3
		}
		if now, _ := threadCPUTime(); now-begin >= d {
			burnSink.Add(x)
			return now - begin
		}
	}
}

// settledCPU polls query until the CPU it returns is non-zero and has
// stayed the same for a second (the server makes pushes queryable one by
// one, about a second after accepting them).
func settledCPU(t *testing.T, query func() (time.Duration, error)) time.Duration {
	t.Helper()
	const wait, settle = 60 * time.Second, time.Second
	deadline := time.Now().Add(wait)
	var last time.Duration
	var lastAt time.Time
	for {
		got, err := query()
		switch {
		case err != nil:
		case got != last:
			last, lastAt = got, time.Now()
		case got != 0 && time.Since(lastAt) >= settle:
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: CPU %v, last error %v", wait, last, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// selectMergeSpanProfile asks the server for the merged CPU of spanIDs in
// service svc, and returns its total.
func selectMergeSpanProfile(base, svc string, spanIDs []string, start, end time.Time) (time.Duration, error) {
	return queryTotal(base, "SelectMergeSpanProfile", map[string]any{
		"profileTypeID": cpuTypeID,
		"labelSelector": fmt.Sprintf(`{service_name=%q}`, svc),
		"spanSelector":  spanIDs,
		"start":         start.UnixMilli(),
		"end":           end.UnixMilli(),
	})
}

// selectMergeStacktraces asks the server for the merged CPU of the series
// selector picks, and returns its total.
func selectMergeStacktraces(base, selector string, start, end time.Time) (time.Duration, error) {
	return queryTotal(base, "SelectMergeStacktraces", map[string]any{
		"profileTypeID": cpuTypeID,
		"labelSelector": selector,
		"start":         start.UnixMilli(),
		"end":           end.UnixMilli(),
	})
}

// queryTotal calls the querier's method (connect's JSON over HTTP) with
// request, and returns the total of the flame graph it answers with.
func queryTotal(base, method string, request map[string]any) (time.Duration, error) {
	body, err := json.Marshal(request)
	if err != nil {
		return 0, err
	}
	res, err := http.Post(base+"/querier.v1.QuerierService/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: HTTP %d: %s", method, res.StatusCode, data)
	}
	var answer struct {
		Flamegraph struct {
			Total int64 `json:"total,string"`
		} `json:"flamegraph"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return 0, fmt.Errorf("%s: %w in %.200s", method, err, data)
	}
	return time.Duration(answer.Flamegraph.Total), nil
}

// serviceName returns a service_name unique to this test and this run.
func serviceName(t *testing.T) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "ember-it-" + strings.ToLower(t.Name()) + "-" + hex.EncodeToString(b[:])
}
