package labels

import (
	"strings"
	"testing"
)

func TestValidateKey(t *testing.T) {
	for _, k := range []string{"region", "a.b", "_x", ".x", "A9_z"} {
		if err := ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", k, err)
		}
	}
	bad := map[string]string{
		"":             "empty",
		"a-b":          `'-'`,
		"9lives":       `'9'`,
		"é":            `'é'`,
		"__name__":     "reserved",
		"service_name": "reserved",
		"a b":          `' '`,
	}
	for k, want := range bad {
		err := ValidateKey(k)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateKey(%q) = %v, want error mentioning %s", k, err, want)
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

func TestValidateTagsNamesFirstBadKeyInOrder(t *testing.T) {
	err := ValidateTags(map[string]string{"ok": "1", "z-z": "2", "b-b": "3"})
	if err == nil || !strings.Contains(err.Error(), `"b-b"`) {
		t.Fatalf("got %v, want error naming b-b", err)
	}
	many := map[string]string{}
	for i := 0; i <= MaxTags; i++ {
		many["k"+strings.Repeat("x", i)] = "v"
	}
	if err := ValidateTags(many); err == nil {
		t.Fatalf("%d tags accepted", len(many))
	}
}

func TestParseAppName(t *testing.T) {
	name, tags, err := ParseAppName("my-app.prod{env=staging, region = eu}")
	if err != nil {
		t.Fatal(err)
	}
	if name != "my-app.prod" || len(tags) != 2 || tags["env"] != "staging" || tags["region"] != "eu" {
		t.Fatalf("got %q %v", name, tags)
	}
	name, tags, err = ParseAppName("plain")
	if err != nil || name != "plain" || tags != nil {
		t.Fatalf("got %q %v %v", name, tags, err)
	}
	for full, want := range map[string]string{
		"":             "empty",
		"my app":       `' '`,
		"app{env=x":    "'}'",
		"app{env}":     "no '='",
		"app{a=1,a=2}": "twice",
		"app{a-b=1}":   `"a-b"`,
	} {
		_, _, err := ParseAppName(full)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAppName(%q) = %v, want error mentioning %s", full, err, want)
		}
	}
}

func TestSanitizeKey(t *testing.T) {
	for in, want := range map[string]string{
		"ok_key":   "ok_key",
		"a.b":      "a.b",
		"user-id":  "user_id",
		"9th":      "_9th",
		"":         "_",
		"héllo wd": "h_llo_wd",
	} {
		got := SanitizeKey(in)
		if got != want {
			t.Errorf("SanitizeKey(%q) = %q, want %q", in, got, want)
		}
		if ValidateKey(got) != nil && got != "_" {
			t.Errorf("SanitizeKey(%q) = %q is still invalid", in, got)
		}
	}
}
