package labels

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/internal/pprofenc"
)

// SanitizeProfile makes the pprof labels of an uncompressed pprof profile
// acceptable to the server: label keys go through [SanitizeKey] and
// label values that are not valid UTF-8 get their bad bytes replaced, so
// that the server does not refuse the whole profile. Nothing is dropped.
//
// It is meant to run inside a pass that has the profile decompressed
// anyway (the session's rewrite): the common case, where every label is
// fine, costs one walk over the protobuf and returns raw itself; only a
// profile that needs a change is decoded and encoded again, uncompressed.
// It reports whether it changed anything.
func SanitizeProfile(raw []byte) ([]byte, bool, error) {
	dirty, err := needsSanitizing(raw)
	if err != nil {
		return nil, false, err
	}
	if !dirty {
		return raw, false, nil
	}
	p, err := profile.ParseUncompressed(raw)
	if err != nil {
		return nil, false, err
	}
	// Parsing accepts samples that point at missing locations, which
	// Write would then dereference (found by FuzzSanitizeProfile).
	if err := p.CheckValid(); err != nil {
		return nil, false, err
	}
	for _, s := range p.Sample {
		s.Label = sanitizeStrLabels(s.Label)
		s.NumLabel = sanitizeNumLabels(s.NumLabel)
		s.NumUnit = sanitizeNumLabels(s.NumUnit)
	}
	var out bytes.Buffer
	if err := p.WriteUncompressed(&out); err != nil {
		return nil, false, err
	}
	return out.Bytes(), true, nil
}

func sanitizeStrLabels(m map[string][]string) map[string][]string {
	if len(m) == 0 {
		return m
	}
	out := make(map[string][]string, len(m))
	for k, vs := range m {
		clean := make([]string, len(vs))
		for i, v := range vs {
			clean[i] = strings.ToValidUTF8(v, "\uFFFD")
		}
		nk := SanitizeKey(k)
		out[nk] = append(out[nk], clean...)
	}
	return out
}

func sanitizeNumLabels[V any](m map[string][]V) map[string][]V {
	if len(m) == 0 {
		return m
	}
	out := make(map[string][]V, len(m))
	for k, vs := range m {
		nk := SanitizeKey(k)
		out[nk] = append(out[nk], vs...)
	}
	return out
}

// needsSanitizing walks the encoded profile once and reports whether any
// label key would be refused or any label string value is not UTF-8.
func needsSanitizing(raw []byte) (bool, error) {
	var strs [][]byte
	keys := map[uint64]bool{}   // string indices used as label keys
	values := map[uint64]bool{} // string indices used as label values
	err := pprofenc.Walk(raw, func(f pprofenc.Field) error {
		switch f.Num {
		case pprofenc.ProfileStringTable:
			strs = append(strs, f.Bytes)
		case pprofenc.ProfileSample:
			return pprofenc.Walk(f.Bytes, func(f pprofenc.Field) error {
				if f.Num != pprofenc.SampleLabel {
					return nil
				}
				// An absent key is the empty string, which must be
				// sanitised too (found by FuzzSanitizeProfile).
				key, str, err := pprofenc.ReadLabel(f.Bytes)
				keys[key], values[str] = true, true
				return err
			})
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	for i := range keys {
		if i >= uint64(len(strs)) {
			return false, errors.New("label key outside the string table")
		}
		if k := string(strs[i]); SanitizeKey(k) != k {
			return true, nil
		}
	}
	for i := range values {
		if i < uint64(len(strs)) && !utf8.Valid(strs[i]) {
			return true, nil
		}
	}
	return false, nil
}
