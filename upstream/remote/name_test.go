package remote

import (
	"maps"

	"github.com/emberprof/ember/internal/labels"
	"math/rand/v2"
	"strings"
	"testing"
)

// serverParse reads a name the way Pyroscope v1.9.0's segment key parser
// does (as read from its source): the application up to the first '{',
// then key=value pairs where ',' or '}' ends a value, '}' outside a value
// ends the tags, and keys and values are trimmed of spaces.
func serverParse(name string) (app string, tags map[string]string) {
	tags = map[string]string{}
	i := strings.IndexByte(name, '{')
	if i < 0 {
		return strings.TrimSpace(name), tags
	}
	app = strings.TrimSpace(name[:i])
	var key, value strings.Builder
	inValue := false
	for _, r := range name[i+1:] {
		switch {
		case !inValue && r == '}':
			return app, tags
		case !inValue && r == '=':
			inValue = true
			value.Reset()
		case !inValue:
			key.WriteRune(r)
		case r == ',' || r == '}':
			tags[strings.TrimSpace(key.String())] = strings.TrimSpace(value.String())
			key.Reset()
			inValue = false
			if r == '}' {
				return app, tags
			}
		default:
			value.WriteRune(r)
		}
	}
	return app, tags
}

func TestSeriesNameExamples(t *testing.T) {
	cases := []struct {
		tags   map[string]string
		name   string
		labels map[string]string
	}{
		{nil, "app{}", nil},
		{map[string]string{"b": "2", "a": "1"}, "app{a=1,b=2}", nil},
		{map[string]string{"v": "x=y", "w": "{z"}, "app{v=x=y,w={z}", nil},
		{map[string]string{"a": "1", "v": "a,b"}, "app{a=1}", map[string]string{"v": "a,b"}},
		{map[string]string{"v": "a}b", "w": " pad", "x": "pad\t"}, "app{}",
			map[string]string{"v": "a}b", "w": " pad", "x": "pad\t"}},
		{map[string]string{"k.v": "", "x": "ünï"}, "app{k.v=,x=ünï}", nil},
	}
	for _, c := range cases {
		name, labels, err := seriesName("app", c.tags)
		if err != nil || name != c.name || !maps.Equal(labels, c.labels) {
			t.Errorf("seriesName(%v) = %q, %v, %v; want %q, %v", c.tags, name, labels, err, c.name, c.labels)
		}
	}
}

func TestSeriesNameRejectsKeysTheServerRejects(t *testing.T) {
	for _, k := range []string{"", "a-b", "a b", "ключ", "a{b", "9lives"} {
		if _, _, err := seriesName("app", map[string]string{k: "v"}); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
}

// TestSeriesNameTakesWhatLabelsTakes checks that the uploader and
// internal/labels apply one rule: every key a user's tag or pprof label
// is rewritten to is sent, and Ember's own keys too.
func TestSeriesNameTakesWhatLabelsTakes(t *testing.T) {
	for _, k := range []string{"user-id", "9lives", "a.b", "service_name", "é", "__session_id__", "otel.scope.name"} {
		key := labels.SanitizeKey(k)
		if k == "__session_id__" || k == "otel.scope.name" {
			key = k
		}
		if _, _, err := seriesName("app", map[string]string{key: "v"}); err != nil {
			t.Errorf("key %q (from %q) refused: %v", key, k, err)
		}
	}
}

// TestSeriesNameRoundTrips checks, on random tags, that the server reads
// back from the name exactly the tags not moved to labels, and that the
// two parts together are the tags.
func TestSeriesNameRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab ,}{=.\t_éx1")
	word := func(n int) string {
		var b strings.Builder
		for range rng.IntN(n) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	keyChars := "abcXYZ09_."
	firstChars := "abcXYZ_." // a key starts with no digit
	for range 2000 {
		tags := map[string]string{}
		for range rng.IntN(5) {
			k := string(firstChars[rng.IntN(len(firstChars))]) + strings.Map(func(r rune) rune {
				if strings.ContainsRune(keyChars, r) {
					return r
				}
				return 'k'
			}, word(4))
			if k == "__name__" {
				continue
			}
			tags[k] = word(6)
		}
		name, labels, err := seriesName("my-app.v1", tags)
		if err != nil {
			t.Fatal(err)
		}
		app, got := serverParse(name)
		if app != "my-app.v1" {
			t.Fatalf("app %q from %q", app, name)
		}
		for k, v := range labels {
			if _, ok := got[k]; ok {
				t.Fatalf("%q in both the name %q and the labels", k, name)
			}
			got[k] = v
		}
		if !maps.Equal(got, tags) {
			t.Fatalf("tags %q: the server reads %q from name %q, labels %q", tags, got, name, labels)
		}
	}
}
