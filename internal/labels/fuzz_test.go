package labels

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// FuzzSanitizeKey checks the one rule for keys: what comes out is taken
// by the server, is no reserved name, is stable, and is the key itself
// when that was fine already.
func FuzzSanitizeKey(f *testing.F) {
	for _, k := range []string{"region", "user-id", "9lives", "", "__name__", "service-name", "é", "a\xffb", ".x", strings.Repeat("-", MaxKeyLength+3)} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, k string) {
		out := SanitizeKey(k)
		if err := CheckKey(out); err != nil {
			t.Fatalf("SanitizeKey(%q) = %q, refused: %v", k, out, err)
		}
		if _, res := Reserved(out); res {
			t.Fatalf("SanitizeKey(%q) = %q is reserved", k, out)
		}
		if again := SanitizeKey(out); again != out {
			t.Fatalf("SanitizeKey is not stable: %q -> %q -> %q", k, out, again)
		}
		if _, res := Reserved(k); CheckKey(k) == nil && !res && out != k {
			t.Fatalf("SanitizeKey(%q) = %q rewrote a good key", k, out)
		}
	})
}

// FuzzParseAppName checks that a name ParseAppName accepts is valid, that
// its tags clean into keys the server takes, and that writing the name
// and tags back reads the same.
func FuzzParseAppName(f *testing.F) {
	for _, s := range []string{"app", "my-app.prod{env=staging, region = eu}", "app{}", "app{a=1,a=2}", "app{=x}", "café{a=b}",
		"app{a=b}c}", "app{user-id=1,9x=2,service_name=3}", "app{k=v=w}", "app{ , }", "{a=b}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, full string) {
		name, tags, err := ParseAppName(full)
		if err != nil {
			return
		}
		if err := ValidateAppName(name); err != nil {
			t.Fatalf("ParseAppName(%q) accepted name %q: %v", full, name, err)
		}
		if clean, _, err := CleanTags(tags); err == nil {
			for k := range clean {
				if CheckKey(k) != nil || SanitizeKey(k) != k {
					t.Fatalf("ParseAppName(%q): tag key %q is not clean", full, k)
				}
			}
		}
		if tags == nil {
			return
		}
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			fmt.Fprintf(&b, "%s=%s,", k, tags[k])
		}
		name2, tags2, err := ParseAppName(name + "{" + b.String() + "}")
		if err != nil || name2 != name || !maps.Equal(tags, tags2) {
			t.Fatalf("%q read as %q %q; written back, read as %q %q, %v", full, name, tags, name2, tags2, err)
		}
	})
}

// FuzzSanitizeProfile feeds arbitrary bytes to SanitizeProfile: it must not panic, and a profile it returns
// must parse and carry only keys the server takes.
func FuzzSanitizeProfile(f *testing.F) {
	for _, labels := range []map[string][]string{
		{"function": {"slow"}},
		{"user-id": {"42"}, "9lives": {"x"}},
		{"service_name": {"other"}, "ok": {"a\xffb"}},
	} {
		var b bytes.Buffer
		p := &profile.Profile{
			SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}},
			Sample:     []*profile.Sample{{Value: []int64{1}, Label: labels, NumLabel: map[string][]int64{"bytes-x": {3}}}},
		}
		if err := p.WriteUncompressed(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte{0x12, 0x04, 0x1a, 0x02, 0x08, 0x05})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 1<<16 {
			return // a profile's label rules do not need megabytes to go wrong
		}
		out, _, err := SanitizeProfile(raw)
		if err != nil {
			return
		}
		p, err := profile.ParseData(out)
		if err != nil {
			return // bytes that needed no change come back as they are
		}
		for _, s := range p.Sample {
			for k := range s.Label {
				if SanitizeKey(k) != k {
					t.Fatalf("label key %q left in", k)
				}
			}
		}
	})
}
