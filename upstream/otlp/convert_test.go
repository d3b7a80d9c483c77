package otlp

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"go.opentelemetry.io/collector/pdata/pprofile"

	"github.com/emberprof/ember/interval"
)

// labelled returns a one-function mutex profile whose samples carry the
// given labels, gzipped.
func labelled(t *testing.T, labels ...map[string][]string) []byte {
	t.Helper()
	m := &profile.Mapping{ID: 1, Start: 0x1000, Limit: 0x2000, File: "/bin/app", HasFunctions: true}
	f := &profile.Function{ID: 1, Name: "main.work", Filename: "main.go"}
	loc := &profile.Location{ID: 1, Mapping: m, Address: 0x1234, Line: []profile.Line{{Function: f, Line: 7}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "contentions", Unit: "count"}, {Type: "delay", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "contentions", Unit: "count"},
		Period:     1,
		Mapping:    []*profile.Mapping{m},
		Function:   []*profile.Function{f},
		Location:   []*profile.Location{loc},
	}
	for i, l := range labels {
		p.Sample = append(p.Sample, &profile.Sample{
			Location: []*profile.Location{loc}, Value: []int64{int64(i + 1), 100},
			Label: l, NumLabel: map[string][]int64{"bytes": {64}}, NumUnit: map[string][]string{"bytes": {"bytes"}},
		})
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestConvertLabels(t *testing.T) {
	now := time.Now()
	p := &interval.Profile{
		Application: "app", Type: interval.TypeMutex, SampleTypes: []string{"delay"},
		From: now.Add(-time.Second), Until: now,
		Data: labelled(t,
			map[string][]string{"span_id": {testSpanID}},
			map[string][]string{"trace_id": {testTraceID}},          // no span: stays an attribute
			map[string][]string{"span_id": {"not-hex"}, "k": {"v"}}, // not an ID: stays an attribute
			map[string][]string{"span_id": {"0000000000000000"}},    // the invalid all-zero ID
			map[string][]string{"span_id": {testSpanID}, "trace_id": {testTraceID}}),
	}
	pd, err := convert([]*interval.Profile{p})
	if err != nil {
		t.Fatal(err)
	}
	if n := pd.ProfileCount(); n != 1 {
		t.Fatalf("%d profiles; want 1: SampleTypes asks for delay only", n)
	}
	dict := pd.Dictionary()
	prof := pd.ResourceProfiles().At(0).ScopeProfiles().At(0).Profiles().At(0)
	if got := dict.StringTable().At(int(prof.SampleType().TypeStrindex())); got != "delay" {
		t.Errorf("sample type %q; want delay", got)
	}
	type want struct {
		attrs         map[string]any
		trace, spanID string
	}
	wants := []want{
		{attrs: map[string]any{"bytes": int64(64)}, spanID: testSpanID}, // an empty trace ID
		{attrs: map[string]any{"bytes": int64(64), "trace_id": testTraceID}},
		{attrs: map[string]any{"bytes": int64(64), "span_id": "not-hex", "k": "v"}},
		{attrs: map[string]any{"bytes": int64(64), "span_id": "0000000000000000"}},
		{attrs: map[string]any{"bytes": int64(64)}, spanID: testSpanID, trace: testTraceID},
	}
	if prof.Samples().Len() != len(wants) {
		t.Fatalf("%d samples; want %d", prof.Samples().Len(), len(wants))
	}
	for i, w := range wants {
		s := prof.Samples().At(i)
		attrs, err := pprofile.FromAttributeIndices(dict.AttributeTable(), s, dict)
		if err != nil {
			t.Fatal(err)
		}
		if got := attrs.AsRaw(); len(got) != len(w.attrs) {
			t.Errorf("sample %d: attributes %v; want %v", i, got, w.attrs)
		} else {
			for k, v := range w.attrs {
				if got[k] != v {
					t.Errorf("sample %d: %s = %v; want %v", i, k, got[k], v)
				}
			}
		}
		if w.spanID == "" {
			if s.LinkIndex() != 0 {
				t.Errorf("sample %d: link %d; want none", i, s.LinkIndex())
			}
			continue
		}
		l := dict.LinkTable().At(int(s.LinkIndex()))
		if l.SpanID().String() != w.spanID || l.TraceID().String() != w.trace {
			t.Errorf("sample %d: link %s/%s; want %s/%s", i, l.TraceID(), l.SpanID(), w.trace, w.spanID)
		}
	}
	// The unit of the numeric label, and the mapping's pprof flags.
	kv := dict.AttributeTable().At(int(prof.Samples().At(0).AttributeIndices().At(0)))
	if u := dict.StringTable().At(int(kv.UnitStrindex())); u != "bytes" {
		t.Errorf("unit of bytes label %q; want bytes", u)
	}
	mp := dict.MappingTable().At(1)
	flags, err := pprofile.FromAttributeIndices(dict.AttributeTable(), mp, dict)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := flags.Get("pprof.mapping.has_functions"); !ok || !v.Bool() || flags.Len() != 1 {
		t.Errorf("mapping attributes %v; want pprof.mapping.has_functions only", flags.AsRaw())
	}
	// Index 0 of every table is its zero value.
	if dict.StringTable().At(0) != "" || dict.MappingTable().At(0).MemoryLimit() != 0 || dict.StackTable().At(0).LocationIndices().Len() != 0 {
		t.Error("a table does not start with its zero value")
	}
}
