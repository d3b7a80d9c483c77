// Package pprofedit changes profiles parsed with google/pprof's profile
// package: it keeps some of their sample types, puts labels on every
// sample, and leaves out what no sample uses. The stages that must edit a
// profile someone else wrote (the portable delta profilers, and sinks given
// a profile that is not finished) share these, so that an edit means the
// same wherever it is made. Profiles Ember builds itself are written
// finished by internal/pprofenc instead, and never come here.
package pprofedit

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/internal/pprofenc"
)

// KeepSampleTypes keeps the sample types of p at the indexes keep, which
// must be ascending, and the samples with a kept value that is not zero. A
// default sample type that is not kept is cleared.
func KeepSampleTypes(p *profile.Profile, keep []int) {
	// keep is ascending, so every slice is cut in place.
	types := p.SampleType[:0]
	for _, i := range keep {
		types = append(types, p.SampleType[i])
	}
	p.SampleType = types
	if !slices.ContainsFunc(types, func(t *profile.ValueType) bool { return t.Type == p.DefaultSampleType }) {
		p.DefaultSampleType = ""
	}
	out := p.Sample[:0]
	for _, s := range p.Sample {
		v, nonZero := s.Value[:0], false
		for _, i := range keep {
			x := s.Value[i]
			v = append(v, x)
			nonZero = nonZero || x != 0
		}
		s.Value = v
		if nonZero {
			out = append(out, s)
		}
	}
	clear(p.Sample[len(out):])
	p.Sample = out
}

// SetLabels puts every label on every sample of p as a string label, so
// that a tool reading only the pprof (`go tool pprof -tagfocus`, the
// server splitting a profile into series) sees what the series carries. A
// label replaces a sample's label, string or numeric, of the same key.
// Samples that had no string label share one map: p is meant to be
// written, not changed further.
func SetLabels(p *profile.Profile, labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	shared := make(map[string][]string, len(labels))
	for k, v := range labels {
		shared[k] = []string{v}
	}
	for _, s := range p.Sample {
		for k := range labels {
			delete(s.NumLabel, k)
			delete(s.NumUnit, k)
		}
		if len(s.Label) == 0 {
			s.Label = shared
			continue
		}
		for k, v := range shared {
			s.Label[k] = v
		}
	}
}

// DropUnused leaves out of p the locations no sample uses and the
// functions no kept location uses.
func DropUnused(p *profile.Profile) {
	usedLocs := make(map[*profile.Location]bool, len(p.Location))
	for _, s := range p.Sample {
		for _, l := range s.Location {
			usedLocs[l] = true
		}
	}
	usedFuncs := make(map[*profile.Function]bool, len(p.Function))
	p.Location = slices.DeleteFunc(p.Location, func(l *profile.Location) bool {
		if !usedLocs[l] {
			return true
		}
		for _, ln := range l.Line {
			usedFuncs[ln.Function] = true
		}
		return false
	})
	p.Function = slices.DeleteFunc(p.Function, func(f *profile.Function) bool { return !usedFuncs[f] })
}

// Rewrite decodes the pprof data (gzipped or not), keeps the sample types
// for which keep is true (all of them if keep is nil) with KeepSampleTypes,
// puts labels on every sample with SetLabels, and encodes the result,
// gzipped with the compressor every stage shares (pprofenc.Compress).
func Rewrite(data []byte, labels map[string]string, keep func(sampleType string) bool) ([]byte, error) {
	p, err := profile.ParseData(data)
	if err == nil {
		err = p.CheckValid() // Write dereferences what parsing let through
	}
	if err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	if keep != nil {
		var kept []int
		for i, st := range p.SampleType {
			if keep(st.Type) {
				kept = append(kept, i)
			}
		}
		if len(kept) < len(p.SampleType) {
			KeepSampleTypes(p, kept)
		}
	}
	SetLabels(p, labels)
	var buf bytes.Buffer
	buf.Grow(len(data))
	if err := pprofenc.Compress(&buf, p.WriteUncompressed); err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	return buf.Bytes(), nil
}
