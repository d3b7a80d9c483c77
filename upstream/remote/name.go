package remote

import (
	"fmt"
	"slices"
	"strings"
)

// seriesName builds the ingest name parameter, APP{k=v,...}, from the tags
// that survive Pyroscope's key parser, and returns the others separately.
//
// The parser (pkg/og/storage/segment/key.go in the server) has no escapes:
// ',' and '}' end a value, and spaces around a value are trimmed. So a value
// holding ',' or '}' or surrounding space cannot travel in the name; it
// travels as a pprof label on every sample instead, which the server turns
// into a series label just like a name tag (see [addLabels]).
func seriesName(app string, tags map[string]string) (name string, asLabels map[string]string, err error) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		if err := checkTagKey(k); err != nil {
			return "", nil, err
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(app)
	b.WriteByte('{')
	first := true
	for _, k := range keys {
		v := tags[k]
		if !fitsInName(v) {
			if asLabels == nil {
				asLabels = map[string]string{}
			}
			asLabels[k] = v
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	b.WriteByte('}')
	return b.String(), asLabels, nil
}

// fitsInName reports whether the key parser reads v back unchanged.
func fitsInName(v string) bool {
	return !strings.ContainsAny(v, ",}") && strings.TrimSpace(v) == v
}

// checkTagKey refuses keys the server rejects: it accepts ASCII letters,
// digits, '_' and '.' (a dot comes back as '_'), and reserves __name__.
func checkTagKey(k string) error {
	if k == "" {
		return fmt.Errorf("empty tag key")
	}
	if k == "__name__" {
		return fmt.Errorf("tag key %q is reserved", k)
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return fmt.Errorf("tag key %q: the server accepts only letters, digits, '_' and '.'", k)
		}
	}
	return nil
}
