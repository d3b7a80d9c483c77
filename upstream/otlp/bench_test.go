package otlp

import (
	"bytes"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/interval"
)

// benchInterval is an interval of this process's heap and goroutine
// profiles, gzipped as Ember hands them over, taken once so that every
// benchmark and run reads the same data.
var benchInterval = sync.OnceValue(func() []*interval.Profile {
	var out []*interval.Profile
	until := time.Now()
	for name, typ := range map[string]interval.Type{"heap": interval.TypeHeap, "goroutine": interval.TypeGoroutines} {
		var buf bytes.Buffer
		if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
			panic(err)
		}
		out = append(out, &interval.Profile{Application: "bench", Type: typ, From: until.Add(-15 * time.Second), Until: until, Data: buf.Bytes()})
	}
	return out
})

// BenchmarkEncodeRequest is what encoding an interval costs the worker
// before each attempt; compare it with BenchmarkParseOnly, the floor of
// any conversion that reads the pprof.
func BenchmarkEncodeRequest(b *testing.B) {
	batch := benchInterval()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeRequest(batch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseOnly(b *testing.B) {
	batch := benchInterval()
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range batch {
			if _, err := profile.Parse(bytes.NewReader(p.Data)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
