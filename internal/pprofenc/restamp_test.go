package pprofenc

import (
	"bytes"
	"runtime/pprof"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/google/pprof/profile"
)

func TestRestampOverridesTheProfileTimes(t *testing.T) {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	orig := bytes.Clone(buf.Bytes())
	before, err := profile.ParseData(orig)
	if err != nil {
		t.Fatal(err)
	}

	start := time.Date(2026, 11, 24, 23, 0, 0, 123456789, time.UTC)
	const d = 15 * time.Second
	stamped := Restamp(orig, start, d)

	if !bytes.Equal(orig, buf.Bytes()) {
		t.Fatal("Restamp changed its input")
	}
	after, err := profile.ParseData(stamped)
	if err != nil {
		t.Fatalf("google/pprof cannot read the restamped profile: %v", err)
	}
	if after.TimeNanos != start.UnixNano() || after.DurationNanos != int64(d) {
		t.Errorf("time %d duration %d, want %d and %d", after.TimeNanos, after.DurationNanos, start.UnixNano(), int64(d))
	}
	if len(after.Sample) != len(before.Sample) || len(after.Location) != len(before.Location) {
		t.Errorf("restamping changed the profile: %d samples, %d locations; was %d and %d",
			len(after.Sample), len(after.Location), len(before.Sample), len(before.Location))
	}

	// The Pyroscope server reads profiles with klauspost's gzip reader.
	zr, err := kgzip.NewReader(bytes.NewReader(stamped))
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(zr); err != nil {
		t.Fatalf("klauspost gzip cannot read the restamped profile: %v", err)
	}
	reparsed, err := profile.ParseUncompressed(raw.Bytes())
	if err != nil || reparsed.TimeNanos != start.UnixNano() {
		t.Fatalf("klauspost-decompressed profile: time %v, err %v", reparsed, err)
	}
}

func TestRestampTwiceKeepsTheLast(t *testing.T) {
	var buf bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	first := time.Unix(1000, 0)
	second := time.Unix(2000, 5)
	p, err := profile.ParseData(Restamp(Restamp(buf.Bytes(), first, time.Second), second, 2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if p.TimeNanos != second.UnixNano() || p.DurationNanos != int64(2*time.Second) {
		t.Errorf("time %d duration %d, want the second stamp", p.TimeNanos, p.DurationNanos)
	}
}

func BenchmarkRestamp(b *testing.B) {
	var buf bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&buf, 0); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		Restamp(buf.Bytes(), start, time.Second)
	}
}
