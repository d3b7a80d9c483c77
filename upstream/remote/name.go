package remote

import (
	"slices"
	"strings"

	"github.com/emberprof/ember/internal/labels"
)

// seriesName builds the ingest name parameter, APP{k=v,...}, from the tags
// that survive Pyroscope's key parser, and returns the others separately.
// Keys must be ones the server takes ([labels.CheckKey], the one rule for
// tags and pprof labels); Start has already rewritten the user's.
//
// The parser (pkg/og/storage/segment/key.go in the server) has no escapes:
// ',' and '}' end a value, and spaces around a value are trimmed. So a value
// holding ',' or '}' or surrounding space cannot travel in the name; it
// travels as a pprof label on every sample instead, which the server turns
// into a series label just like a name tag (see [addLabels]).
func seriesName(app string, tags map[string]string) (name string, asLabels map[string]string, err error) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		if err := labels.CheckKey(k); err != nil {
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
