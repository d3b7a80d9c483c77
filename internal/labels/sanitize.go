package labels

import "strings"

// SanitizeKey returns k made acceptable as a label name to the server:
// every character it refuses becomes '_', and a leading digit gets a '_'
// in front. Keys that are already acceptable come back unchanged, so
// SanitizeKey(k) == k tells whether k needs a rewrite.
func SanitizeKey(k string) string {
	if k == "" {
		return "_"
	}
	ok := true
	for i, r := range k {
		if !keyRuneAllowed(r, i == 0) {
			ok = false
			break
		}
	}
	if ok {
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
	return b.String()
}
