package integration_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream/remote"
)

// The paths of the two ways to deliver.
const (
	pushPath   = "/push.v1.PusherService/Push"
	ingestPath = "/ingest"
)

// pathOf is where each transport sends.
var pathOf = map[remote.Transport]string{remote.TransportPush: pushPath, remote.TransportIngest: ingestPath}

// countingProxy is a reverse proxy to a real server that counts requests
// and body bytes by path. Its hold, if set, is asked about each request
// after the server answered it: true keeps the answer from the client
// until the client gives up, as a slow network or server would.
type countingProxy struct {
	*httptest.Server
	hold  func(path string, n int) bool // n counts requests to path from 1
	mu    sync.Mutex
	count map[string]int
	bytes map[string]int
}

func newCountingProxy(t *testing.T, base string, hold func(path string, n int) bool) *countingProxy {
	t.Helper()
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{hold: hold, count: map[string]int{}, bytes: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.count[r.URL.Path]++
		p.bytes[r.URL.Path] += len(body)
		n := p.count[r.URL.Path]
		p.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		if p.hold == nil || !p.hold(r.URL.Path, n) {
			rp.ServeHTTP(w, r)
			return
		}
		// Let the server take and answer the request, then sit on the
		// answer until the client has given up on it.
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
		<-r.Context().Done()
	}))
	t.Cleanup(p.Close)
	return p
}

// seen returns how many requests and body bytes went to path.
func (p *countingProxy) seen(path string) (requests, bytes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count[path], p.bytes[path]
}

// total returns how many requests went through, to any path.
func (p *countingProxy) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.count {
		n += c
	}
	return n
}

// runtimeTypes are the profile types of the five runtime profiles (CPU,
// heap, goroutines, mutex, block), every sample type on.
func runtimeTypes() []ember.ProfileType {
	return slices.Collect(maps.Keys(profileTypeIDs))
}

// deliveryRun runs Ember with every runtime profile type through a
// counting proxy to base for the given number of intervals, and returns
// the run and the proxy.
func deliveryRun(t *testing.T, base string, cfg ember.Config, intervals int) (*run, *countingProxy) {
	t.Helper()
	proxy := newCountingProxy(t, base, nil)
	cfg.ServerAddress = proxy.URL
	cfg.ProfileTypes = runtimeTypes()
	cfg.ApplicationName = serviceName(t) + "-" + string(cfg.Transport)
	defer setContentionRates(1, 1)()
	sleepUntilPhase(rate / 10)
	r := startEmber(t, cfg)
	deadline := time.Now().Add(time.Duration(intervals) * rate)
	var mu sync.Mutex
	for time.Now().Before(deadline) {
		allocate(1<<20, 64<<10)
		spinFor(50 * time.Millisecond)
		// Contention of our own in every interval: the mutex profile
		// must not depend on what the runtime or the proxy happen to do.
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { holdLock(&mu, 3, time.Millisecond) })
		}
		wg.Wait()
	}
	r.StopOK()
	return r, proxy
}

// TestPushSendsOneRequestPerInterval runs the five runtime profiles over
// both transports, each through a counting proxy, and reads both back:
// the push transport sends one request per interval where /ingest sends
// one per profile, and the server holds the same series from either (the
// same profile types and label names, tags included). The requests and
// bytes per interval of each are logged: the before and after.
func TestPushSendsOneRequestPerInterval(t *testing.T) {
	base := serverURL(t)
	const intervals = 4
	tags := map[string]string{"env": "push-it", "zone": "a"}
	q := newQuerier(base, "")
	type result struct {
		requests, bytes, profiles int
		ids, names                []string
	}
	results := map[remote.Transport]result{}
	for _, tr := range []remote.Transport{remote.TransportIngest, remote.TransportPush} {
		r, proxy := deliveryRun(t, base, ember.Config{Transport: tr, Tags: tags}, intervals)
		st := r.p.Stats().Upload
		if st.Delivered != st.Enqueued || st.Delivered == 0 {
			t.Fatalf("%s: Stats().Upload = %+v, want every profile delivered", tr, st)
		}
		n, b := proxy.seen(pathOf[tr])
		if m := proxy.total() - n; m != 0 {
			t.Errorf("%s: %d requests to other paths than %s", tr, m, pathOf[tr])
		}
		res := result{requests: n, bytes: b, profiles: int(st.Delivered)}
		start, end := r.window()
		want := slices.Sorted(maps.Values(profileTypeIDs))
		res.ids = eventually(t, func() ([]string, error) {
			ids, err := q.LabelValues(context.Background(), "__profile_type__", []string{r.selector()}, start, end)
			for _, id := range want {
				if err == nil && !slices.Contains(ids, id) {
					err = fmt.Errorf("%s: profile type %s missing from %v: %w", tr, id, ids, errNoData)
				}
			}
			return ids, err
		})
		names, err := q.LabelNames(context.Background(), []string{r.selector()}, start, end)
		if err != nil {
			t.Fatal(err)
		}
		res.names = names
		sel := r.selector(`env="push-it"`, `zone="a"`)
		if fg := merged(t, q, cpuTypeID, sel, start, end); fg.FunctionTotal("integration_test.spinFor") == 0 {
			t.Errorf("%s: %s: no CPU under spinFor", tr, sel)
		}
		results[tr] = res
	}
	push, ingest := results[remote.TransportPush], results[remote.TransportIngest]
	// Every request of the push run carried all five profiles of its interval.
	if push.profiles != 5*push.requests {
		t.Errorf("push: %d profiles in %d requests, want 5 per request", push.profiles, push.requests)
	}
	if ingest.requests != ingest.profiles {
		t.Errorf("ingest: %d requests for %d profiles, want one each", ingest.requests, ingest.profiles)
	}
	if !slices.Equal(push.ids, ingest.ids) {
		t.Errorf("profile types: push %v, ingest %v; want the same", push.ids, ingest.ids)
	}
	if !slices.Equal(push.names, ingest.names) {
		t.Errorf("label names: push %v, ingest %v; want the same", push.names, ingest.names)
	}
	for _, tr := range []remote.Transport{remote.TransportIngest, remote.TransportPush} {
		res := results[tr]
		intervals := float64(res.profiles) / 5
		t.Logf("%-6s: %d profiles in %d requests, %d body bytes: %.2f requests and %.0f bytes per interval",
			tr, res.profiles, res.requests, res.bytes, float64(res.requests)/intervals, float64(res.bytes)/intervals)
	}
}

// TestPushFallsBackToIngestOnTheRealServer puts a proxy that knows no
// push route (404) in front of the server: Ember logs once that it uses
// /ingest, delivers everything there, and the data reads back.
func TestPushFallsBackToIngestOnTheRealServer(t *testing.T) {
	t.Parallel()
	base := serverURL(t)
	proxy := newCountingProxy(t, base, nil)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pushPath {
			http.NotFound(w, r)
			return
		}
		proxy.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	r, err := runGoroutines(t, ember.Config{ServerAddress: front.URL}, 3)
	if err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	st := r.p.Stats().Upload
	if n, _ := proxy.seen(ingestPath); st.Delivered == 0 || uint64(n) != st.Delivered {
		t.Errorf("%d /ingest requests, Stats().Upload = %+v; want every profile delivered through /ingest", n, st)
	}
	if lines := strings.Count(strings.Join(r.log.Lines("info"), "\n"), "/ingest instead"); lines != 1 {
		t.Errorf("the fallback was logged %d times, want once", lines)
	}
	start, end := r.window()
	merged(t, newQuerier(base, ""), goroutinesID, r.selector(), start, end)
}

// TestTenantSeesOnlyItsOwnDataOverIngest is TestTenantSeesOnlyItsOwnData
// with the /ingest transport: the tenant header reaches the server on
// both transports.
func TestTenantSeesOnlyItsOwnDataOverIngest(t *testing.T) {
	t.Parallel()
	base := mtServerURL(t)
	r, err := runGoroutines(t, ember.Config{ServerAddress: base, TenantID: "ingest-a", Transport: remote.TransportIngest}, 2)
	if err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	start, end := r.window()
	merged(t, newQuerier(base, "ingest-a"), goroutinesID, r.selector(), start, end)
	fg, err := newQuerier(base, "ingest-b").SelectMergeStacktraces(context.Background(), goroutinesID, r.selector(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	if fg.Total != 0 {
		t.Errorf("tenant ingest-b sees %d goroutines of tenant ingest-a's service", fg.Total)
	}
}

// TestRetryAfterALostAnswerCountsOnce: the server stores a profile but its
// answer never reaches Ember, which times out and sends the same bytes
// again; the server stores that too. Its queries still count the profile
// once, on both transports: Pyroscope v1.9.0 ignores the ID a push
// carries (its distributor replaces it), but its queriers keep one profile
// per series and timestamp (pkg/querier/select_merge.go), and a retry
// repeats both.
func TestRetryAfterALostAnswerCountsOnce(t *testing.T) {
	t.Parallel()
	base := serverURL(t)
	for _, tr := range []remote.Transport{remote.TransportPush, remote.TransportIngest} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			proxy := newCountingProxy(t, base, func(path string, n int) bool { return n == 1 })
			up, err := remote.New(remote.Config{ServerAddress: proxy.URL, Transport: tr, Timeout: time.Second, UploadJitter: -1})
			if err != nil {
				t.Fatal(err)
			}
			svc := serviceName(t)
			at := time.Now().Add(-time.Second).Truncate(time.Second)
			var data bytes.Buffer
			if err := handMadeCPUProfile(at).Write(&data); err != nil {
				t.Fatal(err)
			}
			up.UploadBatch([]*interval.Profile{{
				Application: svc, Tags: map[string]string{"env": "retry"}, Type: interval.TypeCPU,
				From: at, Until: at.Add(time.Second), Data: data.Bytes(),
			}})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := up.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			st := up.Stats()
			if n, _ := proxy.seen(pathOf[tr]); n != 2 || st.Retried != 1 || st.Delivered != 1 {
				t.Fatalf("%d requests to %s, Stats %+v; want the lost answer's request sent twice", n, pathOf[tr], st)
			}
			fg := merged(t, newQuerier(base, ""), cpuTypeID, fmt.Sprintf(`{service_name=%q}`, svc), at.Add(-time.Minute), at.Add(time.Minute))
			if got, want := int64(fg.Total), 450*int64(time.Millisecond); got != want {
				t.Errorf("CPU total %d after a retry, want %d: the profile counted once", got, want)
			}
		})
	}
}

// bigCPUProfile is a CPU profile at at of about 1.6 MiB uncompressed:
// 4,500 samples, each on a function of its own with a long name.
func bigCPUProfile(t *testing.T, at time.Time) []byte {
	t.Helper()
	p := handMadeCPUProfile(at)
	pad := strings.Repeat("x", 300)
	for i := range 4500 {
		f := &profile.Function{ID: uint64(100 + i), Name: fmt.Sprintf("big.f%05d_%s", i, pad), Filename: "big.go"}
		l := &profile.Location{ID: uint64(100 + i), Address: uint64(0x10000 + i), Line: []profile.Line{{Function: f, Line: 1}}}
		p.Function, p.Location = append(p.Function, f), append(p.Location, l)
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{l}, Value: []int64{1, int64(time.Millisecond)}})
	}
	var data bytes.Buffer
	if err := p.Write(&data); err != nil {
		t.Fatal(err)
	}
	return data.Bytes()
}

// TestPushBatchOverTheRateLimitBurstIsDelivered: a server with Pyroscope's
// default ingestion limits (2 MiB burst per tenant) refuses any request
// over 2 MiB uncompressed, however often it is retried. An interval of two
// profiles of about 1.6 MiB each still arrives, because a push carries at
// most 1 MiB of uncompressed profiles besides one bigger profile.
func TestPushBatchOverTheRateLimitBurstIsDelivered(t *testing.T) {
	t.Parallel()
	srv := newOwnServer(t, "-distributor.ingestion-rate-limit-mb=4", "-distributor.ingestion-burst-size-mb=2")
	up, err := remote.New(remote.Config{ServerAddress: srv.URL, UploadJitter: -1})
	if err != nil {
		t.Fatal(err)
	}
	svc := serviceName(t)
	at := time.Now().Add(-time.Second).Truncate(time.Second)
	batch := []*interval.Profile{
		{Application: svc, Type: interval.TypeCPU, From: at, Until: at.Add(time.Second), Data: bigCPUProfile(t, at)},
		{Application: svc, Type: interval.TypeCPU, Tags: map[string]string{"copy": "2"}, From: at, Until: at.Add(time.Second), Data: bigCPUProfile(t, at)},
	}
	up.UploadBatch(batch)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := up.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	fg := merged(t, newQuerier(srv.URL, ""), cpuTypeID, fmt.Sprintf(`{service_name=%q}`, svc), at.Add(-time.Minute), at.Add(time.Minute))
	if got, want := int64(fg.Total), 2*(450+4500)*int64(time.Millisecond); got != want {
		t.Errorf("CPU total %d, want %d: both profiles stored", got, want)
	}
}
