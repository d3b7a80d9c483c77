package pprofenc

import (
	"bytes"
	"errors"
	"reflect"
	"runtime/pprof"
	"slices"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/klauspost/compress/gzip"
)

func runtimeProfile(t testing.TB, name string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRestampSetsTimesAndKeepsEverythingElse(t *testing.T) {
	var r Restamper
	for _, name := range []string{"goroutine", "heap", "mutex"} {
		t.Run(name, func(t *testing.T) {
			orig := runtimeProfile(t, name)
			input := bytes.Clone(orig)
			start := time.Date(2026, 11, 24, 23, 0, 0, 123456789, time.UTC)
			const d = 15 * time.Second

			stamped, err := r.Restamp(input, start, d)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(orig, input) {
				t.Fatal("Restamp changed its input")
			}
			before, err := profile.ParseData(orig)
			if err != nil {
				t.Fatal(err)
			}
			after, err := profile.ParseData(stamped)
			if err != nil {
				t.Fatalf("google/pprof cannot read the restamped profile: %v", err)
			}
			if after.TimeNanos != start.UnixNano() || after.DurationNanos != int64(d) {
				t.Errorf("time %d duration %d, want %d and %d", after.TimeNanos, after.DurationNanos, start.UnixNano(), int64(d))
			}
			before.TimeNanos, before.DurationNanos = after.TimeNanos, after.DurationNanos
			if !reflect.DeepEqual(before.String(), after.String()) {
				t.Errorf("restamping changed more than the times:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func TestRestampReplacesAnEarlierStamp(t *testing.T) {
	var r Restamper
	once, err := r.Restamp(runtimeProfile(t, "heap"), time.Unix(1000, 0), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	second := time.Unix(2000, 5)
	twice, err := r.Restamp(once, second, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.ParseData(twice)
	if err != nil {
		t.Fatal(err)
	}
	if p.TimeNanos != second.UnixNano() || p.DurationNanos != int64(2*time.Second) {
		t.Errorf("time %d duration %d, want the second stamp", p.TimeNanos, p.DurationNanos)
	}
}

func TestRestampRejectsDamagedInput(t *testing.T) {
	var r Restamper
	good := runtimeProfile(t, "goroutine")
	if _, err := r.Restamp([]byte("not gzip"), time.Now(), time.Second); err == nil {
		t.Error("non-gzip input: no error")
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte{0x0a, 0x05, 'a'}) // a string field that claims 5 bytes and has 1
	zw.Close()
	if _, err := r.Restamp(buf.Bytes(), time.Now(), time.Second); err == nil {
		t.Error("truncated protobuf: no error")
	}
	// The Restamper still works after a failure.
	if _, err := r.Restamp(good, time.Now(), time.Second); err != nil {
		t.Errorf("after a failure: %v", err)
	}
}

// BenchmarkRestamp measures what stamping costs the session per profile,
// on the heap profile of the test process and on a CPU-sized one.
func BenchmarkRestamp(b *testing.B) {
	for _, name := range []string{"heap", "goroutine"} {
		b.Run(name, func(b *testing.B) {
			data := runtimeProfile(b, name)
			var r Restamper
			start := time.Now()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Restamp(data, start, time.Second); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRestampFixRunsInTheSamePass checks that Fix gets the decompressed
// profile and that what it returns is what gets stamped and compressed,
// and that its error fails the restamp.
func TestRestampFixRunsInTheSamePass(t *testing.T) {
	orig := runtimeProfile(t, "goroutine")
	var seen []byte
	r := Restamper{Fix: func(raw []byte) ([]byte, error) {
		seen = bytes.Clone(raw)
		p, err := profile.ParseUncompressed(raw)
		if err != nil {
			return nil, err
		}
		p.Comments = append(p.Comments, "fixed")
		var out bytes.Buffer
		err = p.WriteUncompressed(&out)
		return out.Bytes(), err
	}}
	start := time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)
	stamped, err := r.Restamp(orig, start, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := profile.ParseUncompressed(seen); err != nil {
		t.Fatalf("Fix was not given the decompressed profile: %v", err)
	}
	p, err := profile.ParseData(stamped)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Comments, []string{"fixed"}) || p.TimeNanos != start.UnixNano() {
		t.Errorf("comments %q, time_nanos %d: want Fix's profile, stamped", p.Comments, p.TimeNanos)
	}
	r.Fix = func([]byte) ([]byte, error) { return nil, errors.New("no") }
	if _, err := r.Restamp(orig, start, time.Second); err == nil {
		t.Error("Restamp ignored Fix's error")
	}
}
