// Package labels checks application names and tags against the rules of the
// Pyroscope server, and makes pprof label keys acceptable to it.
//
// The rules come from the server's own validation: a series label name
// (a tag key) starts with a letter, '_' or '.', and goes on with letters,
// digits, '_' and '.'; the server turns dots into underscores. Values are
// UTF-8. Ember checks these rules when the profiler starts, so a mistake is
// an error naming the culprit instead of a profile the server refuses hours
// later.
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

// reserved are tag keys the server or Ember set themselves.
var reserved = map[string]string{
	"__name__":       "the server sets it to the profile type",
	"service_name":   "it comes from the application name",
	"__session_id__": "Ember sets it to the process's session ID",
}

// ValidateKey reports why k cannot be a tag key, or nil if it can.
func ValidateKey(k string) error {
	if k == "" {
		return fmt.Errorf("tag key is empty")
	}
	if len(k) > MaxKeyLength {
		return fmt.Errorf("tag key %.40q... is %d bytes long; the server accepts at most %d", k, len(k), MaxKeyLength)
	}
	for i, r := range k {
		if !keyRuneAllowed(r, i == 0) {
			return fmt.Errorf("tag key %q: %s at byte %d is not allowed (use letters, digits, '_' and '.', not starting with a digit)", k, describeRune(r), i)
		}
	}
	if why, ok := reserved[k]; ok {
		return fmt.Errorf("tag key %q is reserved: %s", k, why)
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

// ValidateTags checks every key and value of tags, in key order so the
// error names the same tag every time.
func ValidateTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return fmt.Errorf("%d tags given; at most %d fit in a series (the server allows 30 labels, some of them its own)", len(tags), MaxTags)
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if err := ValidateKey(k); err != nil {
			return err
		}
		if err := ValidateValue(k, tags[k]); err != nil {
			return err
		}
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
			return fmt.Errorf("application name %q: %s at byte %d is not allowed (use letters, digits, '_', '-' and '.')", name, describeRune(r), i)
		}
	}
	return nil
}

// ParseAppName splits a name of the form `app{k=v,k2=v2}`, as pyroscope-go
// accepts it, into the application name and its tags, and validates both.
// A name without braces has no tags. Values inside the braces cannot hold
// ',' or '}' (there is no escaping in this form); put such tags in
// Config.Tags instead.
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
	tags := make(map[string]string)
	if strings.TrimSpace(body) == "" {
		return name, tags, nil
	}
	for _, pair := range strings.Split(body, ",") {
		k, v, ok := strings.Cut(pair, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok {
			return "", nil, fmt.Errorf("application name %q: tag %q has no '='", full, pair)
		}
		if _, dup := tags[k]; dup {
			return "", nil, fmt.Errorf("application name %q: tag %q appears twice", full, k)
		}
		tags[k] = v
	}
	if err := ValidateTags(tags); err != nil {
		return "", nil, fmt.Errorf("application name %q: %w", full, err)
	}
	return name, tags, nil
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
	if unicode.IsPrint(r) {
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("%U", r)
}
