package labels

import "strings"

// SanitizeKey returns k made acceptable as a label name to the server:
// every character it refuses becomes '_', a leading digit gets a '_' in
// front, and so does a [Reserved] name, so that a user's key never takes
// the place of one the server or Ember set. Keys that are already
// acceptable come back unchanged, so SanitizeKey(k) == k tells whether k
// needs a rewrite. Keys longer than MaxKeyLength are cut to it.
func SanitizeKey(k string) string {
	if k == "" {
		return "_"
	}
	if _, ok := reserved[k]; ok {
		return "_" + k
	}
	if CheckKey(k) == nil {
		return k
	}
	var b strings.Builder
	b.Grow(len(k) + 1)
	for i, r := range k {
		switch {
		case keyRuneAllowed(r, i == 0):
			b.WriteRune(r)
		case i == 0 && r >= '0' && r <= '9':
			b.WriteByte('_')
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > MaxKeyLength {
		out = out[:MaxKeyLength] // only ASCII is left, so any cut is clean
	}
	if _, ok := reserved[out]; ok {
		out = "_" + out
	}
	return out
}
