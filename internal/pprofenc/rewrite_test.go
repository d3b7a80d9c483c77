package pprofenc

import (
	"bytes"
	"errors"
	"fmt"
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

func TestRewriteSetsTimesAndKeepsEverythingElse(t *testing.T) {
	var r Rewriter
	for _, name := range []string{"goroutine", "heap", "mutex"} {
		t.Run(name, func(t *testing.T) {
			orig := runtimeProfile(t, name)
			input := bytes.Clone(orig)
			start := time.Date(2026, 11, 24, 23, 0, 0, 123456789, time.UTC)
			const d = 15 * time.Second

			stamped, err := r.Rewrite(input, Changes{Start: start, Duration: d})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(orig, input) {
				t.Fatal("Rewrite changed its input")
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

func TestRewriteReplacesAnEarlierStamp(t *testing.T) {
	var r Rewriter
	once, err := r.Rewrite(runtimeProfile(t, "heap"), Changes{Start: time.Unix(1000, 0), Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	second := time.Unix(2000, 5)
	twice, err := r.Rewrite(once, Changes{Start: second, Duration: 2 * time.Second})
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

func TestRewriteRejectsDamagedInput(t *testing.T) {
	var r Rewriter
	good := runtimeProfile(t, "goroutine")
	if _, err := r.Rewrite([]byte("not gzip"), Changes{Start: time.Now(), Duration: time.Second}); err == nil {
		t.Error("non-gzip input: no error")
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte{0x0a, 0x05, 'a'}) // a string field that claims 5 bytes and has 1
	zw.Close()
	if _, err := r.Rewrite(buf.Bytes(), Changes{Start: time.Now(), Duration: time.Second}); err == nil {
		t.Error("truncated protobuf: no error")
	}
	// The Rewriter still works after a failure.
	if _, err := r.Rewrite(good, Changes{Start: time.Now(), Duration: time.Second}); err != nil {
		t.Errorf("after a failure: %v", err)
	}
}

// BenchmarkRewrite measures what stamping costs the session per profile,
// on the heap profile of the test process and on a CPU-sized one.
func BenchmarkRewrite(b *testing.B) {
	for _, name := range []string{"heap", "goroutine"} {
		b.Run(name, func(b *testing.B) {
			data := runtimeProfile(b, name)
			var r Rewriter
			start := time.Now()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Rewrite(data, Changes{Start: start, Duration: time.Second}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRewriteFixRunsInTheSamePass checks that Fix gets the decompressed
// profile and that what it returns is what gets stamped and compressed,
// and that its error fails the restamp.
func TestRewriteFixRunsInTheSamePass(t *testing.T) {
	orig := runtimeProfile(t, "goroutine")
	var seen []byte
	r := Rewriter{Fix: func(raw []byte) ([]byte, error) {
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
	stamped, err := r.Rewrite(orig, Changes{Start: start, Duration: time.Second})
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
	if _, err := r.Rewrite(orig, Changes{Start: start, Duration: time.Second}); err == nil {
		t.Error("Rewrite ignored Fix's error")
	}
}

// labelledProfile is a gzipped profile whose samples carry string and
// numeric labels, some with the keys TestRewritePutsLabelsOnEverySample
// sets.
func labelledProfile(t testing.TB) []byte {
	t.Helper()
	fn := &profile.Function{ID: 1, Name: "main.work", SystemName: "main.work", Filename: "main.go"}
	loc := &profile.Location{ID: 1, Address: 0x1000, Line: []profile.Line{{Function: fn, Line: 7}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10000000,
		Function:   []*profile.Function{fn},
		Location:   []*profile.Location{loc},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{loc}, Value: []int64{1, 10}},
			{Location: []*profile.Location{loc}, Value: []int64{2, 20}, Label: map[string][]string{"region": {"us"}, "span_id": {"ab"}}},
			{Location: []*profile.Location{loc}, Value: []int64{3, 30}, NumLabel: map[string][]int64{"pod": {5}, "bytes": {64}}},
		},
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRewritePutsLabelsOnEverySample: every sample gets every label, a
// label of the same key (string or numeric) gives way, other labels and
// everything else stay.
func TestRewritePutsLabelsOnEverySample(t *testing.T) {
	orig := labelledProfile(t)
	var r Rewriter
	start := time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)
	labels := []StringLabel{{"pod", "web-1"}, {"region", "eu"}, {"service_name", "main.work"}}
	out, err := r.Rewrite(orig, Changes{Start: start, Duration: time.Second, Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	got, err := profile.ParseData(out)
	if err != nil {
		t.Fatalf("google/pprof cannot read the rewritten profile: %v", err)
	}
	if err := got.CheckValid(); err != nil {
		t.Fatal(err)
	}
	want, err := profile.ParseData(orig)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range want.Sample {
		if s.Label == nil {
			s.Label = map[string][]string{}
		}
		for _, l := range labels {
			s.Label[l.Key] = []string{l.Value}
			delete(s.NumLabel, l.Key)
		}
		if len(s.NumLabel) == 0 {
			s.NumLabel = nil
		}
	}
	want.TimeNanos, want.DurationNanos = start.UnixNano(), int64(time.Second)
	if got.String() != want.String() {
		t.Errorf("rewritten profile:\n%s\nwant:\n%s", got, want)
	}
	// "main.work" and "region" were already strings: the labels reuse
	// them, and only the new ones are appended.
	var g Gunzipper
	raw, err := g.Gunzip(out)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	Walk(raw, func(f Field) error {
		if f.Num == ProfileStringTable {
			count[string(f.Bytes)]++
		}
		return nil
	})
	for _, s := range []string{"main.work", "region", "pod", "eu", "web-1", "service_name"} {
		if count[s] != 1 {
			t.Errorf("string %q is %d times in the table, want once", s, count[s])
		}
	}
}

// TestRewriteWithoutLabelsCopiesSamples: with no labels, samples are
// copied byte for byte.
func TestRewriteWithoutLabelsCopiesSamples(t *testing.T) {
	orig := labelledProfile(t)
	var r Rewriter
	out, err := r.Rewrite(orig, Changes{Start: time.Unix(5, 0), Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	samples := func(gz []byte) [][]byte {
		var g Gunzipper
		raw, err := g.Gunzip(gz)
		if err != nil {
			t.Fatal(err)
		}
		var s [][]byte
		Walk(raw, func(f Field) error {
			if f.Num == ProfileSample {
				s = append(s, bytes.Clone(f.Bytes))
			}
			return nil
		})
		return s
	}
	if a, b := samples(orig), samples(out); !slices.EqualFunc(a, b, bytes.Equal) || len(a) != 3 {
		t.Errorf("samples changed: %x → %x", a, b)
	}
}

// BenchmarkRewriteLabels: what putting two labels on every sample of a
// CPU-sized profile adds to a rewrite.
func BenchmarkRewriteLabels(b *testing.B) {
	data := runtimeProfile(b, "heap")
	for _, labels := range [][]StringLabel{nil, {{"env", "prod"}, {"region", "eu, west"}}} {
		b.Run(fmt.Sprintf("labels=%d", len(labels)), func(b *testing.B) {
			var r Rewriter
			c := Changes{Start: time.Now(), Duration: time.Second, Labels: labels}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Rewrite(data, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRewriteTakesUncompressedProfiles: a profile that is not gzipped (a
// merged CPU window) is rewritten as a gzipped one is, and compressed once.
func TestRewriteTakesUncompressedProfiles(t *testing.T) {
	gz := labelledProfile(t)
	var g Gunzipper
	raw, err := g.Gunzip(gz)
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.Clone(raw)
	var r Rewriter
	c := Changes{Start: time.Unix(7, 0), Duration: time.Second, Labels: []StringLabel{{"region", "eu"}}}
	fromGz, err := r.Rewrite(gz, c)
	if err != nil {
		t.Fatal(err)
	}
	fromRaw, err := r.Rewrite(raw, c)
	if err != nil {
		t.Fatal(err)
	}
	if !IsGzip(fromRaw) || !bytes.Equal(fromGz, fromRaw) {
		t.Error("an uncompressed profile was not rewritten as its gzipped form is")
	}
}

// FuzzRewrite: whatever the input, Rewrite does not panic; for an input
// google/pprof reads as a valid profile, the output is valid too, with the
// same samples and values, every one of them carrying the labels.
func FuzzRewrite(f *testing.F) {
	var g Gunzipper
	for _, gz := range [][]byte{labelledProfile(f), runtimeProfile(f, "heap"), runtimeProfile(f, "goroutine")} {
		raw, err := g.Gunzip(gz)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.Clone(raw), "region", "eu")
	}
	f.Add([]byte{}, "", "")
	f.Fuzz(func(t *testing.T, raw []byte, key, value string) {
		if key == "" || value == "" {
			key, value = "k", "v" // pprof reads an empty key or value as no label
		}
		var r Rewriter
		out, err := r.Rewrite(raw, Changes{Start: time.Unix(1, 0), Duration: time.Second, Labels: []StringLabel{{key, value}}})
		in, perr := profile.ParseUncompressed(raw)
		if perr != nil || in.CheckValid() != nil {
			return // only "no panic" is asked of a damaged input
		}
		if err != nil {
			t.Fatalf("valid input, Rewrite failed: %v", err)
		}
		got, err := profile.ParseData(out)
		if err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
		if err := got.CheckValid(); err != nil {
			t.Fatalf("output is not valid: %v", err)
		}
		if len(got.Sample) != len(in.Sample) {
			t.Fatalf("%d samples, input had %d", len(got.Sample), len(in.Sample))
		}
		for i, s := range got.Sample {
			if !slices.Equal(s.Value, in.Sample[i].Value) {
				t.Fatalf("sample %d values %v, input had %v", i, s.Value, in.Sample[i].Value)
			}
			if v := s.Label[key]; len(v) != 1 || v[0] != value {
				t.Fatalf("sample %d labels %v, want %s=%q", i, s.Label, key, value)
			}
		}
	})
}
