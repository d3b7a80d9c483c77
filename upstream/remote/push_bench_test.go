package remote

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emberprof/ember/interval"
)

// runtimeInterval returns one interval of the five runtime profiles as the
// runtime writes them, with Ember's usual tags.
func runtimeInterval(b *testing.B) []*interval.Profile {
	var cpu bytes.Buffer
	if err := pprof.StartCPUProfile(&cpu); err != nil {
		b.Skipf("CPU profile: %v", err)
	}
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); {
		runtime.Gosched()
	}
	pprof.StopCPUProfile()
	data := map[interval.Type][]byte{interval.TypeCPU: cpu.Bytes()}
	for typ, name := range map[interval.Type]string{interval.TypeHeap: "heap", interval.TypeGoroutines: "goroutine",
		interval.TypeMutex: "mutex", interval.TypeBlock: "block"} {
		var buf bytes.Buffer
		if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
			b.Fatal(err)
		}
		data[typ] = buf.Bytes()
	}
	end := time.Now()
	var batch []*interval.Profile
	for _, typ := range []interval.Type{interval.TypeCPU, interval.TypeHeap, interval.TypeGoroutines, interval.TypeMutex, interval.TypeBlock} {
		batch = append(batch, &interval.Profile{Application: "checkout", Type: typ,
			Tags: map[string]string{"region": "eu-west-1", "env": "prod", "__session_id__": "0123456789abcdef"},
			From: end.Add(-15 * time.Second), Until: end, Data: data[typ]})
	}
	return batch
}

// BenchmarkEncodeInterval encodes the same interval of the five runtime
// profiles for each transport and reports the requests and body bytes it
// takes: the cost per interval, before (ingest) and after (push).
func BenchmarkEncodeInterval(b *testing.B) {
	batch := runtimeInterval(b)
	ps := newPusher(&ingester{endpoint: "http://h/ingest"}, nil)
	b.Run("ingest", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n = 0
			for _, p := range batch {
				body, _, query, err := encode(p)
				if err != nil {
					b.Fatal(err)
				}
				n += len(body) + len(query)
			}
		}
		b.ReportMetric(float64(len(batch)), "requests/interval")
		b.ReportMetric(float64(n), "bytes/interval")
	})
	b.Run("push", func(b *testing.B) {
		n := 0
		for b.Loop() {
			body, err := ps.encode(batch)
			if err != nil {
				b.Fatal(err)
			}
			n = len(body)
		}
		b.ReportMetric(1, "requests/interval")
		b.ReportMetric(float64(n), "bytes/interval")
	})
}

// BenchmarkUploadInterval compares the two transports end to end: each
// op hands one interval of the five runtime profiles to an Uploader with
// UploadBatch and waits for Flush, against an httptest server that
// answers 200 on both paths and counts requests and body bytes.
// TransportIngest (before issue 14) against TransportPush (the default,
// after): ns/op, B/op and allocs/op are Ember's cost per interval, with
// the in-process server's own per-request work included (which favours
// the transport sending fewer requests). Compare with
//
//	go test -run '^$' -bench UploadInterval -benchmem -count 6 ./upstream/remote | tee /tmp/up.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /transport /tmp/up.txt
func BenchmarkUploadInterval(b *testing.B) {
	benchmarkIntervals(b, nil, false)
}

// benchmarkIntervals runs uploadIntervals on each transport against a
// server that counts requests and body bytes per interval; with
// refuseFirst it answers every other request (each first attempt) 503.
func benchmarkIntervals(b *testing.B, plan map[interval.Type][]string, refuseFirst bool) {
	batch := runtimeInterval(b)
	for _, tr := range []Transport{TransportIngest, TransportPush} {
		b.Run("transport="+string(tr), func(b *testing.B) {
			var requests, body atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != pushPath && r.URL.Path != "/ingest" {
					b.Errorf("request to %s", r.URL.Path)
				}
				n, _ := io.Copy(io.Discard, r.Body)
				body.Add(n)
				if requests.Add(1)%2 == 1 && refuseFirst {
					http.Error(w, "try again", http.StatusServiceUnavailable)
				}
			}))
			b.Cleanup(srv.Close) // after the Uploader's Shutdown
			cfg := fastConfig(srv.URL)
			cfg.Transport = tr
			cfg.Workers = 1 // so that each request's retry follows it
			uploadIntervals(b, mustNew(b, cfg), batch, plan)
			b.ReportMetric(float64(requests.Load())/float64(b.N), "requests/interval")
			b.ReportMetric(float64(body.Load())/float64(b.N), "bytes/interval")
		})
	}
}

// uploadIntervals hands copies of batch to u, one interval per op, each
// profile asking for the sample types plan gives its type, and waits for
// their delivery. It fails b if any profile was not delivered.
func uploadIntervals(b *testing.B, u *Uploader, batch []*interval.Profile, plan map[interval.Type][]string) {
	b.ReportAllocs()
	for b.Loop() {
		copies := make([]*interval.Profile, len(batch))
		for i, p := range batch {
			c := *p // the Uploader owns what it is given
			c.SampleTypes = plan[p.Type]
			copies[i] = &c
		}
		u.UploadBatch(copies)
		flush(b, u)
	}
	if st := u.Stats(); st.Failed+st.Dropped != 0 {
		b.Fatalf("stats %+v", st)
	}
}
