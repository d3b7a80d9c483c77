package pprofedit

import (
	"bytes"
	"slices"
	"testing"

	"github.com/google/pprof/profile"
)

// heapLike is a profile with four sample types, numeric and string
// labels, and a location only an all-zero-after-the-cut sample uses.
func heapLike() *profile.Profile {
	f1 := &profile.Function{ID: 1, Name: "main.alloc"}
	f2 := &profile.Function{ID: 2, Name: "main.keep"}
	l1 := &profile.Location{ID: 1, Line: []profile.Line{{Function: f1}}}
	l2 := &profile.Location{ID: 2, Line: []profile.Line{{Function: f2}}}
	vt := func(t, u string) *profile.ValueType { return &profile.ValueType{Type: t, Unit: u} }
	return &profile.Profile{
		SampleType:        []*profile.ValueType{vt("alloc_objects", "count"), vt("alloc_space", "bytes"), vt("inuse_objects", "count"), vt("inuse_space", "bytes")},
		DefaultSampleType: "alloc_objects",
		PeriodType:        vt("space", "bytes"),
		Function:          []*profile.Function{f1, f2},
		Location:          []*profile.Location{l1, l2},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{l1}, Value: []int64{1, 64, 0, 0}, NumLabel: map[string][]int64{"bytes": {64}}},
			{Location: []*profile.Location{l2}, Value: []int64{0, 0, 2, 128}, Label: map[string][]string{"span_id": {"ab"}}},
		},
	}
}

func TestKeepSampleTypesAndDropUnused(t *testing.T) {
	p := heapLike()
	KeepSampleTypes(p, []int{1, 3})
	DropUnused(p)
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	if len(p.SampleType) != 2 || p.SampleType[0].Type != "alloc_space" || p.SampleType[1].Type != "inuse_space" || p.DefaultSampleType != "" {
		t.Errorf("sample types %v, default %q; want alloc_space, inuse_space and no default", p.SampleType, p.DefaultSampleType)
	}
	if len(p.Sample) != 2 || !slices.Equal(p.Sample[0].Value, []int64{64, 0}) || !slices.Equal(p.Sample[1].Value, []int64{0, 128}) {
		t.Fatalf("samples %v", p.Sample)
	}
	KeepSampleTypes(p, []int{0}) // alloc_space only: the inuse sample goes
	DropUnused(p)
	if len(p.Sample) != 1 || len(p.Location) != 1 || len(p.Function) != 1 || p.Function[0].Name != "main.alloc" {
		t.Errorf("after keeping alloc_space: %d samples, %d locations, functions %v; want the alloc sample and what it uses", len(p.Sample), len(p.Location), p.Function)
	}
}

func TestSetLabelsReplacesLabelsOfTheSameKey(t *testing.T) {
	p := heapLike()
	SetLabels(p, map[string]string{"bytes": "x", "region": "eu"})
	for i, s := range p.Sample {
		if s.Label["region"][0] != "eu" || s.Label["bytes"][0] != "x" || len(s.NumLabel["bytes"]) != 0 {
			t.Errorf("sample %d: labels %v, numeric %v", i, s.Label, s.NumLabel)
		}
	}
	if p.Sample[1].Label["span_id"][0] != "ab" {
		t.Errorf("a label of another key was lost: %v", p.Sample[1].Label)
	}
}

func TestRewrite(t *testing.T) {
	var buf bytes.Buffer
	if err := heapLike().Write(&buf); err != nil {
		t.Fatal(err)
	}
	out, err := Rewrite(buf.Bytes(), map[string]string{"env": "prod"}, func(st string) bool { return st == "inuse_space" })
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.ParseData(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.SampleType) != 1 || len(p.Sample) != 1 || p.Sample[0].Value[0] != 128 || p.Sample[0].Label["env"][0] != "prod" {
		t.Errorf("rewritten profile:\n%s", p)
	}
	if _, err := Rewrite([]byte("not a profile"), nil, nil); err == nil {
		t.Error("a damaged profile was rewritten")
	}
}
