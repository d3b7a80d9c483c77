package labels

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestCheckKey(t *testing.T) {
	for _, k := range []string{"region", "a.b", "_x", ".x", "A9_z", "__name__", "__session_id__"} {
		if err := CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q) = %v, want nil", k, err)
		}
	}
	bad := map[string]string{
		"":                                  "empty",
		"a-b":                               `'-'`,
		"9lives":                            `'9'`,
		"é":                                 "not ASCII",
		"a b":                               `' '`,
		"a\xffb":                            "not UTF-8",
		strings.Repeat("k", MaxKeyLength+1): "at most",
	}
	for k, want := range bad {
		err := CheckKey(k)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckKey(%.20q) = %v, want error mentioning %s", k, err, want)
		}
	}
}

func TestValidateValue(t *testing.T) {
	for _, v := range []string{"", "a,b", "x}y{", "k=v", "ünïcödé"} {
		if err := ValidateValue("k", v); err != nil {
			t.Errorf("ValidateValue(%q) = %v, want nil", v, err)
		}
	}
	for _, v := range []string{"a\nb", "\xff", strings.Repeat("x", MaxValueLength+1)} {
		err := ValidateValue("region", v)
		if err == nil || !strings.Contains(err.Error(), `"region"`) {
			t.Errorf("ValidateValue(%.20q) = %v, want error naming the tag", v, err)
		}
	}
}

func TestSanitizeKey(t *testing.T) {
	for in, want := range map[string]string{
		"ok_key":         "ok_key",
		"a.b":            "a.b",
		".lead":          ".lead",
		"user-id":        "user_id",
		"9th":            "_9th",
		"":               "_",
		"héllo wd":       "h_llo_wd",
		"__name__":       "___name__",
		"service_name":   "_service_name",
		"service-name":   "_service_name",
		"__session_id__": "___session_id__",
	} {
		got := SanitizeKey(in)
		if got != want {
			t.Errorf("SanitizeKey(%q) = %q, want %q", in, got, want)
		}
		if err := CheckKey(got); err != nil {
			t.Errorf("SanitizeKey(%q) = %q is still refused: %v", in, got, err)
		}
		if _, res := Reserved(got); res {
			t.Errorf("SanitizeKey(%q) = %q is reserved", in, got)
		}
	}
	long := SanitizeKey(strings.Repeat("-", 2*MaxKeyLength))
	if CheckKey(long) != nil {
		t.Errorf("a long key comes back refused: %d bytes", len(long))
	}
}

func TestCleanTagsRewritesKeysLikePprofLabels(t *testing.T) {
	in := map[string]string{"user-id": "42", "9lives": "cat", "region": "eu", "service_name": "x", "a.b": "c"}
	got, renames, err := CleanTags(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"user_id": "42", "_9lives": "cat", "region": "eu", "_service_name": "x", "a.b": "c"}
	if !maps.Equal(got, want) {
		t.Errorf("CleanTags(%v) = %v, want %v", in, got, want)
	}
	wantRenames := []Rename{{"9lives", "_9lives"}, {"service_name", "_service_name"}, {"user-id", "user_id"}}
	if !slices.Equal(renames, wantRenames) {
		t.Errorf("renames %v, want %v", renames, wantRenames)
	}
	for k := range got {
		if k != SanitizeKey(k) {
			t.Errorf("tag key %q is not what a pprof label key %q becomes", k, SanitizeKey(k))
		}
	}
}

func TestCleanTagsRefusesWhatCannotBeRewritten(t *testing.T) {
	for _, c := range []struct {
		tags map[string]string
		want string
	}{
		{map[string]string{"": "v"}, "empty key"},
		{map[string]string{"user-id": "1", "user_id": "2"}, `"user-id" and "user_id" both become "user_id"`},
		{map[string]string{"k": "a\nb"}, "control character"},
		{map[string]string{"k": "\xff"}, "UTF-8"},
	} {
		_, _, err := CleanTags(c.tags)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CleanTags(%q) = %v, want an error mentioning %s", c.tags, err, c.want)
		}
	}
}

func TestCheckCount(t *testing.T) {
	many := map[string]string{}
	for i := range MaxTags {
		many["k"+strings.Repeat("x", i)] = "v"
	}
	if err := CheckCount(many); err != nil {
		t.Fatalf("%d tags refused: %v", len(many), err)
	}
	many["one_more"] = "v"
	if err := CheckCount(many); err == nil {
		t.Fatalf("%d tags accepted", len(many))
	}
}

func TestParseAppName(t *testing.T) {
	name, tags, err := ParseAppName("my-app.prod{env=staging, region = eu, user-id=4}")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"env": "staging", "region": "eu", "user-id": "4"}; name != "my-app.prod" || !maps.Equal(tags, want) {
		t.Fatalf("got %q %v", name, tags)
	}
	name, tags, err = ParseAppName("plain")
	if err != nil || name != "plain" || tags != nil {
		t.Fatalf("got %q %v %v", name, tags, err)
	}
	for full, want := range map[string]string{
		"":             "empty",
		"my app":       `' '`,
		"café":         `'é' (not ASCII)`,
		"app{env=x":    "'}'",
		"app{env}":     "not key=value",
		"app{=x}":      "empty key",
		"app{a=1,a=2}": "twice",
	} {
		_, _, err := ParseAppName(full)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAppName(%q) = %v, want error mentioning %s", full, err, want)
		}
	}
}

func TestParsePairs(t *testing.T) {
	got, err := ParsePairs(" a = 1 ,, b=x=y ,")
	if err != nil || !maps.Equal(got, map[string]string{"a": "1", "b": "x=y"}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if got, err := ParsePairs(""); got != nil || err != nil {
		t.Fatalf("empty: %v, %v", got, err)
	}
}
