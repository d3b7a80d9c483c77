package labels

import (
	"bytes"
	"testing"

	"github.com/google/pprof/profile"
)

func encode(t *testing.T, labels map[string][]string, num map[string][]int64) []byte {
	t.Helper()
	fn := &profile.Function{ID: 1, Name: "main.work"}
	loc := &profile.Location{ID: 1, Line: []profile.Line{{Function: fn, Line: 3}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{loc}, Value: []int64{4}, Label: labels, NumLabel: num},
			{Location: []*profile.Location{loc}, Value: []int64{1}},
		},
		Location: []*profile.Location{loc},
		Function: []*profile.Function{fn},
	}
	var b bytes.Buffer
	if err := p.WriteUncompressed(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSanitizeProfileLeavesGoodProfileAlone(t *testing.T) {
	in := encode(t, map[string][]string{"function": {"slow"}, "a.b": {"x,y}"}}, map[string][]int64{"bytes": {3}})
	out, changed, err := SanitizeProfile(in)
	if err != nil {
		t.Fatal(err)
	}
	if changed || &out[0] != &in[0] {
		t.Fatalf("a profile with acceptable labels was rewritten")
	}
}

func TestSanitizeProfileRewritesBadKeysAndValues(t *testing.T) {
	in := encode(t, map[string][]string{"user-id": {"42"}, "function": {"bad\xffvalue"}}, map[string][]int64{"req-size": {7}})
	out, changed, err := SanitizeProfile(in)
	if err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Fatal("profile with a '-' key reported unchanged")
	}
	p, err := profile.ParseData(out)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Sample[0]
	if got := s.Label["user_id"]; len(got) != 1 || got[0] != "42" {
		t.Errorf("user-id not carried as user_id: %v", s.Label)
	}
	if _, ok := s.Label["user-id"]; ok {
		t.Errorf("original key kept: %v", s.Label)
	}
	if got := s.Label["function"]; len(got) != 1 || got[0] != "bad\uFFFDvalue" {
		t.Errorf("invalid UTF-8 value not repaired: %q", got)
	}
	if got := s.NumLabel["req_size"]; len(got) != 1 || got[0] != 7 {
		t.Errorf("numeric label not carried: %v", s.NumLabel)
	}
	if p.Sample[0].Value[0] != 4 || p.Sample[1].Value[0] != 1 {
		t.Errorf("sample values changed: %v %v", p.Sample[0].Value, p.Sample[1].Value)
	}
}

func TestSanitizeProfileRejectsGarbage(t *testing.T) {
	if _, _, err := SanitizeProfile([]byte("not a profile")); err == nil {
		t.Fatal("garbage accepted")
	}
}
