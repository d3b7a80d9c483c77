package pprofenc

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"testing"
)

// cutProfile adds three locations to e and returns a samples function
// using them: a sample with every value, one with only the first two
// values (and a numeric "bytes" label), and one with only the last two.
func cutProfile(e *Encoder) func() {
	a := e.AddLocation(0x10, []Line{{Function: "pkg.a", File: "a.go", Line: 1}}, true)
	b := e.AddLocation(0x20, []Line{{Function: "pkg.b", File: "b.go", Line: 2}}, true)
	c := e.AddLocation(0x30, []Line{{Function: "pkg.c", File: "c.go", Line: 3}}, true)
	bytesKey := e.String("bytes")
	sa, sba, sc := stackOf([]uint64{a}), stackOf([]uint64{b, a}), stackOf([]uint64{c})
	return func() {
		e.Sample(sa, []int64{1, 2, 3, 4}, Label{})
		e.Sample(sba, []int64{5, 6, 0, 0}, Label{Key: bytesKey, Num: 64})
		e.Sample(sc, []int64{0, 0, 7, 8}, Label{})
	}
}

var heapHeader = Header{
	SampleTypes: []ValueType{{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}},
	PeriodType:  ValueType{"space", "bytes"},
	Period:      512 * 1024,
}

func TestKeepWritesOnlyKeptValues(t *testing.T) {
	e := New(nil)
	samples := cutProfile(e)
	h := heapHeader
	h.Keep = []int{1, 3}
	p := encode(t, e, h, samples)
	var types []string
	for _, st := range p.SampleType {
		types = append(types, st.Type+"/"+st.Unit)
	}
	if !slices.Equal(types, []string{"alloc_space/bytes", "inuse_space/bytes"}) {
		t.Errorf("sample types %v", types)
	}
	var values [][]int64
	for _, s := range p.Sample {
		values = append(values, s.Value)
	}
	if !slices.EqualFunc(values, [][]int64{{2, 4}, {6, 0}, {0, 8}}, slices.Equal) {
		t.Errorf("values %v", values)
	}
	if p.Sample[1].NumLabel["bytes"][0] != 64 {
		t.Errorf("numeric label lost: %v", p.Sample[1].NumLabel)
	}
}

func TestKeepLeavesOutZeroSamplesAndTheirLocations(t *testing.T) {
	e := New(nil)
	samples := cutProfile(e)
	h := heapHeader
	h.Keep = []int{3, 2} // any order
	p := encode(t, e, h, samples)
	if len(p.SampleType) != 2 || p.SampleType[0].Type != "inuse_space" || p.SampleType[1].Type != "inuse_objects" {
		t.Errorf("sample types %v", p.SampleType)
	}
	if len(p.Sample) != 2 || !slices.Equal(p.Sample[0].Value, []int64{4, 3}) || !slices.Equal(p.Sample[1].Value, []int64{8, 7}) {
		t.Fatalf("samples %v", p.Sample)
	}
	// pkg.b is only on the sample cut out.
	var funcs []string
	for _, f := range p.Function {
		funcs = append(funcs, f.Name)
	}
	slices.Sort(funcs)
	if len(p.Location) != 2 || !slices.Equal(funcs, []string{"pkg.a", "pkg.c"}) {
		t.Errorf("%d locations, functions %v; want those of pkg.a and pkg.c only", len(p.Location), funcs)
	}

	h.Keep = []int{}
	if p := encode(t, e, h, samples); len(p.Sample) != 0 || len(p.SampleType) != 0 || len(p.Location) != 0 {
		t.Errorf("no kept types: %d samples, %d types, %d locations", len(p.Sample), len(p.SampleType), len(p.Location))
	}
}

func TestKeepOutOfRange(t *testing.T) {
	e := New(nil)
	h := heapHeader
	h.Keep = []int{4}
	var buf bytes.Buffer
	if err := e.Write(&buf, h, cutProfile(e)); err == nil || buf.Len() != 0 {
		t.Errorf("Write with Keep out of range: %v, %d bytes written", err, buf.Len())
	}
}

func TestLabelsOnEverySample(t *testing.T) {
	e := New(nil)
	samples := cutProfile(e)
	h := heapHeader
	h.Labels = []StringLabel{{"service", "api"}, {"bytes", "big"}}
	p := encode(t, e, h, samples)
	if len(p.Sample) != 3 {
		t.Fatalf("%d samples", len(p.Sample))
	}
	for i, s := range p.Sample {
		if len(s.Label) != 2 || !slices.Equal(s.Label["service"], []string{"api"}) ||
			!slices.Equal(s.Label["bytes"], []string{"big"}) {
			t.Errorf("sample %d: labels %v", i, s.Label)
		}
		if len(s.NumLabel) != 0 {
			t.Errorf("sample %d: numeric labels %v, want the string label to replace bytes", i, s.NumLabel)
		}
	}

	// The labels are the Header's: the next profile without them has none,
	// and the numeric label is back.
	p = encode(t, e, heapHeader, samples)
	for i, s := range p.Sample {
		if len(s.Label) != 0 {
			t.Errorf("profile without labels, sample %d: labels %v", i, s.Label)
		}
	}
	if p.Sample[1].NumLabel["bytes"][0] != 64 {
		t.Errorf("numeric label %v", p.Sample[1].NumLabel)
	}

	// A label of another key leaves the numeric one.
	h.Labels = []StringLabel{{"service", "api"}}
	h.Keep = []int{0}
	p = encode(t, e, h, samples)
	if len(p.Sample) != 2 || p.Sample[1].NumLabel["bytes"][0] != 64 || p.Sample[1].Label["service"][0] != "api" {
		t.Errorf("samples %v", p.Sample)
	}
}

// TestNoCutIsUnchanged: nil Keep and no Labels write the bytes a Header
// without those fields writes, and so do empty Labels.
func TestNoCutIsUnchanged(t *testing.T) {
	write := func(h Header) []byte {
		e := New(nil)
		samples := cutProfile(e)
		var buf bytes.Buffer
		if err := e.Write(&buf, h, samples); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	plain := write(heapHeader)
	h := heapHeader
	h.Labels = []StringLabel{}
	if !bytes.Equal(write(h), plain) {
		t.Error("empty Labels change the profile")
	}
	// Keeping every type in order writes the same values, so the same
	// bytes, as keeping all; this proves the kept path encodes values
	// exactly as the plain one.
	h.Keep = []int{0, 1, 2, 3}
	if !bytes.Equal(write(h), plain) {
		t.Error("keeping every sample type changes the profile")
	}
}

func TestCutAllocatesNothingPerSample(t *testing.T) {
	e := New(nil)
	samples := cutProfile(e)
	h := heapHeader
	h.Keep = []int{1, 3}
	h.Labels = []StringLabel{{"service", "api"}, {"bytes", "big"}}
	if err := e.Write(io.Discard, h, samples); err != nil { // warm the buffers
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		e.Write(io.Discard, h, func() {
			for range 100 {
				samples()
			}
		})
	})
	if allocs != 0 {
		t.Errorf("%v allocations for a profile of 300 samples", allocs)
	}
}

// BenchmarkCut writes a 4,096-sample heap profile of four values as it
// is, cut to two values, and cut with labels replacing the numeric one.
func BenchmarkCut(b *testing.B) {
	e := New(nil)
	bytesKey := e.String("bytes")
	var stacks []Stack
	for i := range 4096 {
		id := e.AddLocation(uint64(0x1000+i), []Line{{Function: "pkg.f" + strconv.Itoa(i), File: "f.go", Line: 1}}, true)
		stacks = append(stacks, stackOf([]uint64{id, 1}))
	}
	samples := func() {
		for i, s := range stacks {
			e.Sample(s, []int64{int64(i % 7), int64(i%7) * 512, int64(i % 3), int64(i%3) * 512}, Label{Key: bytesKey, Num: 512})
		}
	}
	cut := heapHeader
	cut.Keep = []int{1, 3}
	labelled := cut
	labelled.Labels = []StringLabel{{"bytes", "any"}, {"service", "bench"}}
	for _, c := range []struct {
		name string
		h    Header
	}{{"all", heapHeader}, {"keep=2", cut}, {"keep=2/labels=2", labelled}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := e.Write(io.Discard, c.h, samples); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
