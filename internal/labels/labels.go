// Package labels holds the one set of rules Ember applies to application
// names, tags and pprof label keys so that the Pyroscope server takes them.
//
// The rules come from the server's own validation: a series label name
// (a tag key, or a pprof label key, which the server turns into a series
// label) starts with a letter, '_' or '.', and goes on with ASCII letters,
// digits, '_' and '.'; the server turns dots into underscores. Values are
// UTF-8. The names the server or Ember set themselves (see [Reserved]) are
// not the user's to set.
//
// Keys are never refused for their spelling: [SanitizeKey] rewrites a key
// the server would refuse into one it takes, the same way for tags (from
// Config, the environment or the application name) and for pprof labels.
// What cannot be rewritten (an empty key, a value that is not UTF-8 text,
// too many tags) is an error when the profiler starts, naming the culprit,
// instead of a profile the server refuses hours later.
package labels

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits the Pyroscope server applies by default.
const (
	MaxKeyLength   = 1024 // validation.max-length-label-name
	MaxValueLength = 2048 // validation.max-length-label-value
	// MaxTags leaves room, under the server's 30 label names per series,
	// for the labels the server and Ember add (__name__, service_name,
	// __session_id__) and for a few pprof labels.
	MaxTags = 24
)

// reserved are label names the server or Ember set themselves.
var reserved = map[string]string{
	"__name__":       "the server sets it to the profile type",
	"service_name":   "it comes from the application name",
	"__session_id__": "Ember sets it to the process's session ID",
}

// Reserved reports whether k is a label name the server or Ember set
// themselves, and why.
func Reserved(k string) (why string, ok bool) {
	why, ok = reserved[k]
	return why, ok
}

// CheckKey reports why the server would refuse k as a label name, or nil
// if it takes it. It does not look at [Reserved] names: Ember itself sends
// them.
func CheckKey(k string) error {
	if k == "" {
		return fmt.Errorf("label key is empty")
	}
	if len(k) > MaxKeyLength {
		return fmt.Errorf("label key %.40q... is %d bytes long; the server accepts at most %d", k, len(k), MaxKeyLength)
	}
	for i, r := range k {
		if !keyRuneAllowed(r, i == 0) {
			return fmt.Errorf("label key %q: %s at byte %d is not allowed (use ASCII letters, digits, '_' and '.', not starting with a digit)", k, describeRune(r), i)
		}
	}
	return nil
}

// ValidateValue reports why v cannot be the value of tag k, or nil if it
// can. Any printable UTF-8 text is fine, including ',', '=', '{' and '}':
// the uploader carries values where the server reads them back intact.
func ValidateValue(k, v string) error {
	if len(v) > MaxValueLength {
		return fmt.Errorf("tag %q: value is %d bytes long; the server accepts at most %d", k, len(v), MaxValueLength)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("tag %q: value %q is not valid UTF-8", k, v)
	}
	for i, r := range v {
		if unicode.IsControl(r) {
			return fmt.Errorf("tag %q: value %q holds control character %U at byte %d", k, v, r, i)
		}
	}
	return nil
}

// Rename is a tag key [CleanTags] rewrote, for the caller to log.
type Rename struct{ From, To string }

// CleanTags returns tags with every key passed through [SanitizeKey], and
// the keys it rewrote, in key order. It refuses empty keys, two keys that
// become the same, and values [ValidateValue] refuses, naming the first
// culprit in key order so the error is the same every time.
func CleanTags(tags map[string]string) (map[string]string, []Rename, error) {
	if len(tags) == 0 {
		return nil, nil, nil
	}
	out := make(map[string]string, len(tags))
	from := make(map[string]string, len(tags))
	var renames []Rename
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if k == "" {
			return nil, nil, fmt.Errorf("a tag has an empty key")
		}
		if err := ValidateValue(k, tags[k]); err != nil {
			return nil, nil, err
		}
		nk := SanitizeKey(k)
		if other, dup := from[nk]; dup {
			return nil, nil, fmt.Errorf("tag keys %q and %q both become %q; keep one", other, k, nk)
		}
		from[nk] = k
		out[nk] = tags[k]
		if nk != k {
			renames = append(renames, Rename{From: k, To: nk})
		}
	}
	return out, renames, nil
}

// CheckCount reports an error if tags has more entries than fit in a
// series.
func CheckCount(tags map[string]string) error {
	if len(tags) > MaxTags {
		return fmt.Errorf("%d tags given; at most %d fit in a series (the server allows 30 labels, some of them its own)", len(tags), MaxTags)
	}
	return nil
}

// ValidateAppName reports why name cannot be an application name (the
// server's service_name), or nil if it can. name must not hold tags; see
// [ParseAppName].
func ValidateAppName(name string) error {
	if name == "" {
		return fmt.Errorf("application name is empty")
	}
	if len(name) > MaxValueLength {
		return fmt.Errorf("application name is %d bytes long; the server accepts at most %d", len(name), MaxValueLength)
	}
	for i, r := range name {
		if !appNameRuneAllowed(r) {
			return fmt.Errorf("application name %q: %s at byte %d is not allowed (use ASCII letters a-z and A-Z, digits, '_', '-' and '.')", name, describeRune(r), i)
		}
	}
	return nil
}

// ParseAppName splits a name of the form `app{k=v,k2=v2}`, as pyroscope-go
// accepts it, into the application name and its tags. It validates the
// name; the tags are as written (trimmed), for [CleanTags]. A name without
// braces has no tags. Values inside the braces cannot hold ',' or '}'
// (there is no escaping in this form); put such tags in Config.Tags
// instead.
func ParseAppName(full string) (string, map[string]string, error) {
	name, rest, hasTags := strings.Cut(full, "{")
	if err := ValidateAppName(name); err != nil {
		return "", nil, err
	}
	if !hasTags {
		return name, nil, nil
	}
	body, ok := strings.CutSuffix(rest, "}")
	if !ok {
		return "", nil, fmt.Errorf("application name %q: tags must end with '}'", full)
	}
	tags, err := ParsePairs(body)
	if err != nil {
		return "", nil, fmt.Errorf("application name %q: %w", full, err)
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return name, tags, nil
}

// ParsePairs reads `k=v,k2=v2`, trimming spaces around keys and values and
// skipping empty items. Values cannot hold ','. It refuses an item without
// '=', an empty key and a key given twice; an empty s gives nil.
func ParsePairs(s string) (map[string]string, error) {
	var tags map[string]string
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok {
			return nil, fmt.Errorf("%q is not key=value", strings.TrimSpace(pair))
		}
		if k == "" {
			return nil, fmt.Errorf("%q has an empty key", strings.TrimSpace(pair))
		}
		if _, dup := tags[k]; dup {
			return nil, fmt.Errorf("key %q appears twice", k)
		}
		if tags == nil {
			tags = make(map[string]string)
		}
		tags[k] = v
	}
	return tags, nil
}

func keyRuneAllowed(r rune, first bool) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == '.':
		return true
	case r >= '0' && r <= '9':
		return !first
	}
	return false
}

func appNameRuneAllowed(r rune) bool {
	return r == '-' || keyRuneAllowed(r, false)
}

func describeRune(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "a byte that is not UTF-8"
	case r > unicode.MaxASCII && unicode.IsPrint(r):
		return fmt.Sprintf("%q (not ASCII)", r)
	case unicode.IsPrint(r):
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("%U", r)
}
