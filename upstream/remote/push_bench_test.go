package remote

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/emberprof/ember/upstream"
)

// runtimeInterval returns one interval of the five runtime profiles as the
// runtime writes them, with Ember's usual tags.
func runtimeInterval(b *testing.B) []*upstream.Profile {
	var cpu bytes.Buffer
	if err := pprof.StartCPUProfile(&cpu); err != nil {
		b.Skipf("CPU profile: %v", err)
	}
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); {
		runtime.Gosched()
	}
	pprof.StopCPUProfile()
	data := map[upstream.Type][]byte{upstream.TypeCPU: cpu.Bytes()}
	for typ, name := range map[upstream.Type]string{upstream.TypeHeap: "heap", upstream.TypeGoroutines: "goroutine",
		upstream.TypeMutex: "mutex", upstream.TypeBlock: "block"} {
		var buf bytes.Buffer
		if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
			b.Fatal(err)
		}
		data[typ] = buf.Bytes()
	}
	end := time.Now()
	var batch []*upstream.Profile
	for _, typ := range []upstream.Type{upstream.TypeCPU, upstream.TypeHeap, upstream.TypeGoroutines, upstream.TypeMutex, upstream.TypeBlock} {
		batch = append(batch, &upstream.Profile{Application: "checkout", Type: typ,
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
