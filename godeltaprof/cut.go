package godeltaprof

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/google/pprof/profile"
)

// cut is what ProfileOptions.SampleTypes and Labels make of a profile: the
// sample types it keeps and the string labels on every sample.
type cut struct {
	keep   []int                  // indexes into kind.sampleTypes, ascending; nil keeps all
	labels []pprofenc.StringLabel // sorted by key
}

// newCut returns the cut opts ask of k's profiles, or an error if they ask
// for sample types and k has none of them.
func newCut(k *kind, opts ProfileOptions) (cut, error) {
	var c cut
	if len(opts.SampleTypes) > 0 {
		var have []string
		for i, st := range k.sampleTypes {
			have = append(have, st.Type)
			if slices.Contains(opts.SampleTypes, st.Type) {
				c.keep = append(c.keep, i)
			}
		}
		if c.keep == nil {
			return cut{}, fmt.Errorf("godeltaprof: the %s profile has none of the sample types %s; its types are %s",
				k.name, strings.Join(opts.SampleTypes, ", "), strings.Join(have, ", "))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(opts.Labels)) {
		c.labels = append(c.labels, pprofenc.StringLabel{Key: key, Value: opts.Labels[key]})
	}
	return c, nil
}

// apply cuts p, a profile with the sample types of the kind c was made
// for, after its deltas are computed: it keeps the sample types of c, leaves
// out the samples whose kept values are all zero, and puts c's labels on
// every sample, in place of numeric labels of the same keys. The
// locations and functions no sample uses any more are left out.
func (c cut) apply(p *profile.Profile) {
	if c.keep != nil {
		c.keepTypes(p)
	}
	if len(c.labels) > 0 {
		labels := make(map[string][]string, len(c.labels))
		for _, l := range c.labels {
			labels[l.Key] = []string{l.Value}
		}
		for _, s := range p.Sample {
			for _, l := range c.labels {
				delete(s.NumLabel, l.Key)
				delete(s.NumUnit, l.Key)
			}
			if len(s.Label) == 0 {
				s.Label = labels // shared: Write only reads it
				continue
			}
			maps.Copy(s.Label, labels)
		}
	}
	dropUnused(p)
}

// keepTypes keeps c's sample types of p, and the samples with a kept value
// that is not zero.
func (c cut) keepTypes(p *profile.Profile) {
	// c.keep is ascending, so every slice is cut in place.
	types := p.SampleType[:0]
	for _, i := range c.keep {
		types = append(types, p.SampleType[i])
	}
	p.SampleType = types
	if !slices.ContainsFunc(types, func(t *profile.ValueType) bool { return t.Type == p.DefaultSampleType }) {
		p.DefaultSampleType = ""
	}
	out := p.Sample[:0]
	for _, s := range p.Sample {
		v, nonZero := s.Value[:0], false
		for _, i := range c.keep {
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

// dropUnused leaves out of p the locations no sample uses and the
// functions no kept location uses, as the fast path does.
func dropUnused(p *profile.Profile) {
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
