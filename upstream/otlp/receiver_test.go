package otlp

import (
	"bytes"
	"context"
	"net"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/xconsumer"
	"go.opentelemetry.io/collector/pdata/pprofile"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/collector/receiver/xreceiver"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/interval"
)

// collector runs the OpenTelemetry Collector's own OTLP receiver, HTTP
// only, and keeps every request's profiles it accepts.
type collector struct {
	URL string

	mu       sync.Mutex
	requests []pprofile.Profiles
}

func startCollector(t *testing.T) *collector {
	t.Helper()
	c := &collector{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	factory := otlpreceiver.NewFactory().(xreceiver.Factory)
	cfg := factory.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.HTTP.GetOrInsertDefault().ServerConfig.NetAddr.Endpoint = addr
	cfg.Protocols.GRPC = configoptional.None[configgrpc.ServerConfig]()

	sink, err := xconsumer.NewProfiles(func(_ context.Context, pd pprofile.Profiles) error {
		kept := pprofile.NewProfiles()
		pd.CopyTo(kept)
		c.mu.Lock()
		c.requests = append(c.requests, kept)
		c.mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := factory.CreateProfiles(context.Background(), receivertest.NewNopSettings(factory.Type()), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	c.URL = "http://" + addr
	return c
}

func (c *collector) received() []pprofile.Profiles {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]pprofile.Profiles(nil), c.requests...)
}

// recorder keeps the batches Ember hands over before the exporter gets
// them, as the oracle to compare the receiver's data with.
type recorder struct {
	*Exporter
	mu      sync.Mutex
	batches [][]*interval.Profile
}

// UploadBatch keeps a copy of each profile: the Exporter owns what it is
// handed, and releases the pprof data once the request is encoded.
func (r *recorder) UploadBatch(ps []*interval.Profile) {
	kept := make([]*interval.Profile, len(ps))
	for i, p := range ps {
		c := *p
		kept[i] = &c
	}
	r.mu.Lock()
	r.batches = append(r.batches, kept)
	r.mu.Unlock()
	r.Exporter.UploadBatch(ps)
}

const (
	testSpanID  = "00f067aa0ba902b7"
	testTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
)

// TestRealReceiver runs Ember with every profile type and this exporter
// against the Collector's OTLP receiver, and checks that each interval
// arrives as one request in which every type's every sample type has the
// pprof's sample total, with the service name, tags, labels and links.
func TestRealReceiver(t *testing.T) {
	c := startCollector(t)
	exp, err := New(Config{Endpoint: c.URL, UploadJitter: -1})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{Exporter: exp}

	defer runtime.SetMutexProfileFraction(runtime.SetMutexProfileFraction(1))
	defer runtime.SetBlockProfileRate(0)
	runtime.SetBlockProfileRate(1)

	p, err := ember.Start(ember.Config{
		ApplicationName: "otlp.test",
		Tags:            map[string]string{"env": "ci"},
		Upstream:        rec,
		UploadRate:      time.Minute, // intervals end at Flush and Stop
		ProfileTypes: []ember.ProfileType{
			ember.ProfileCPU, ember.ProfileAllocObjects, ember.ProfileAllocSpace, ember.ProfileInuseObjects,
			ember.ProfileInuseSpace, ember.ProfileGoroutines, ember.ProfileMutexCount, ember.ProfileMutexDuration,
			ember.ProfileBlockCount, ember.ProfileBlockDuration,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var parked sync.WaitGroup
	labels := pprof.Labels("span_id", testSpanID, "trace_id", testTraceID, "handler", "checkout")
	pprof.Do(context.Background(), labels, func(context.Context) {
		parked.Go(func() { <-stop }) // a labelled goroutine for the goroutine profile
		workload(200 * time.Millisecond)
	})
	p.Flush(true)
	pprof.Do(context.Background(), labels, func(context.Context) { workload(200 * time.Millisecond) })
	close(stop)
	parked.Wait()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}

	rec.mu.Lock()
	batches := rec.batches
	rec.mu.Unlock()
	got := c.received()
	if len(got) != len(batches) || len(batches) < 2 {
		t.Fatalf("%d intervals handed over, %d requests received; want one request per interval, at least 2", len(batches), len(got))
	}
	profiles := 0
	for _, b := range batches {
		profiles += len(b)
	}
	if s := exp.Stats(); s.Delivered != uint64(profiles) || s.Failed+s.Dropped != 0 {
		t.Errorf("Stats = %+v; want %d profiles delivered", s, profiles)
	}
	seen := map[interval.Type]bool{}
	linked := false
	for i, batch := range batches {
		req := got[i]
		checkResource(t, req)
		for _, p := range batch {
			src, err := profile.Parse(bytes.NewReader(p.Data))
			if err != nil {
				t.Fatal(err)
			}
			for j, st := range src.SampleType {
				var want int64
				for _, s := range src.Sample {
					want += s.Value[j]
				}
				prof, ok := find(req, p.Type, st.Type)
				if !ok {
					t.Errorf("interval %d: no %s %s profile received", i, p.Type, st.Type)
					continue
				}
				if got := total(prof); got != want {
					t.Errorf("interval %d: %s %s: received total %d, pprof total %d", i, p.Type, st.Type, got, want)
				}
				checkTime(t, prof, p, st.Type)
				if want > 0 {
					seen[p.Type] = true
				}
				linked = checkLabels(t, req.Dictionary(), prof) || linked
			}
		}
	}
	for _, typ := range []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeGoroutines, interval.TypeMutex, interval.TypeBlock} {
		if !seen[typ] {
			t.Errorf("no %s profile with samples arrived", typ)
		}
	}
	if !linked {
		t.Error("no sample carried the span and trace IDs as a link and handler=checkout as an attribute")
	}
}

// workload burns CPU, allocates, contends a mutex and blocks for at least
// d, and at least 500 rounds (some 50 ms of CPU), so that a loaded machine
// still records CPU samples.
func workload(d time.Duration) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var sink [][]byte
	deadline := time.Now().Add(d)
	for round := 0; round < 500 || time.Now().Before(deadline); round++ {
		mu.Lock()
		wg.Go(func() {
			mu.Lock() // waits for the holder: mutex contention and blocking
			sink = append(sink, make([]byte, 64<<10))
			mu.Unlock()
		})
		x := 0
		for i := range 200_000 {
			x += i * i
		}
		sink = append(sink, []byte(strconv.Itoa(x)))
		mu.Unlock()
		wg.Wait()
	}
	runtime.KeepAlive(sink)
}

// find returns the received profile of the given Ember type and sample type.
func find(req pprofile.Profiles, typ interval.Type, sampleType string) (pprofile.Profile, bool) {
	dict := req.Dictionary()
	strs := dict.StringTable()
	for _, rp := range req.ResourceProfiles().All() {
		for _, sp := range rp.ScopeProfiles().All() {
			for _, prof := range sp.Profiles().All() {
				attrs, err := pprofile.FromAttributeIndices(dict.AttributeTable(), prof, dict)
				if err != nil {
					continue
				}
				v, ok := attrs.Get(KeyProfileType)
				if ok && v.Str() == string(typ) && strs.At(int(prof.SampleType().TypeStrindex())) == sampleType {
					return prof, true
				}
			}
		}
	}
	return pprofile.Profile{}, false
}

func total(prof pprofile.Profile) int64 {
	var sum int64
	for _, s := range prof.Samples().All() {
		for _, v := range s.Values().All() {
			sum += v
		}
	}
	return sum
}

func checkResource(t *testing.T, req pprofile.Profiles) {
	t.Helper()
	if n := req.ResourceProfiles().Len(); n != 1 {
		t.Fatalf("%d resources; want 1", n)
	}
	attrs := req.ResourceProfiles().At(0).Resource().Attributes()
	for k, want := range map[string]string{"service.name": "otlp.test", "env": "ci"} {
		if v, ok := attrs.Get(k); !ok || v.Str() != want {
			t.Errorf("resource attribute %s = %v; want %q", k, v.AsRaw(), want)
		}
	}
}

// checkTime checks that deltas cover the interval and gauges are at its end.
func checkTime(t *testing.T, prof pprofile.Profile, p *interval.Profile, sampleType string) {
	t.Helper()
	start, dur := prof.Time().AsTime(), time.Duration(prof.DurationNano())
	switch sampleType {
	case "inuse_space", "inuse_objects", "goroutine": // what was there at the end
		if !start.Equal(p.Until) || dur != 0 {
			t.Errorf("%s %s: time %v duration %v; want a gauge at %v", p.Type, sampleType, start, dur, p.Until)
		}
		return
	}
	// what happened in the interval
	if !start.Equal(p.From) || dur != p.Until.Sub(p.From) {
		t.Errorf("%s %s: time %v duration %v; want the interval [%v, %v)", p.Type, sampleType, start, dur, p.From, p.Until)
	}
}

// checkLabels reports whether a sample of prof has the test's link and
// handler attribute; it fails the test if a span or trace ID was left as
// an attribute.
func checkLabels(t *testing.T, dict pprofile.ProfilesDictionary, prof pprofile.Profile) bool {
	t.Helper()
	found := false
	for _, s := range prof.Samples().All() {
		attrs, err := pprofile.FromAttributeIndices(dict.AttributeTable(), s, dict)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := attrs.Get(labelSpanID); ok {
			t.Fatalf("span_id left as an attribute: %v", attrs.AsRaw())
		}
		h, ok := attrs.Get("handler")
		if !ok || h.Str() != "checkout" || s.LinkIndex() == 0 {
			continue
		}
		link := dict.LinkTable().At(int(s.LinkIndex()))
		if link.SpanID().String() != testSpanID || link.TraceID().String() != testTraceID {
			t.Errorf("link = %s/%s; want %s/%s", link.TraceID(), link.SpanID(), testTraceID, testSpanID)
		}
		found = true
	}
	return found
}

// The Collector refuses a development version it does not speak with a
// 400; the exporter reports ErrVersionRefused once and does not retry.
func TestRealReceiverRefusesVersion(t *testing.T) {
	c := startCollector(t)
	exp, err := New(Config{Endpoint: c.URL, UploadJitter: -1, Headers: map[string]string{versionHeader: "999"}})
	if err != nil {
		t.Fatal(err)
	}
	exp.Upload(goroutineProfile(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := exp.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	_ = exp.Shutdown(ctx) // its error counts only what it lost itself
	s := exp.Stats()
	if s.Failed != 1 || s.Retried != 0 || !strings.Contains(s.LastError, ErrVersionRefused.Error()) {
		t.Errorf("Stats = %+v; want one final failure for the version", s)
	}
	if n := len(c.received()); n != 0 {
		t.Errorf("the receiver accepted %d requests", n)
	}
	t.Logf("the Collector's answer: %s", s.LastError)
}
