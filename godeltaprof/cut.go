package godeltaprof

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember/internal/pprofedit"
	"github.com/emberprof/ember/internal/pprofenc"
)

// cut is what ProfileOptions.SampleTypes and Labels make of a profile: the
// sample types it keeps and the string labels on every sample.
type cut struct {
	keep     []int                  // indexes into kind.sampleTypes, ascending; nil keeps all
	labels   []pprofenc.StringLabel // sorted by key, for the fast path's encoder
	labelMap map[string]string      // the same, for the portable path
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
	c.labelMap = maps.Clone(opts.Labels)
	for _, key := range slices.Sorted(maps.Keys(opts.Labels)) {
		c.labels = append(c.labels, pprofenc.StringLabel{Key: key, Value: opts.Labels[key]})
	}
	return c, nil
}

// apply cuts p, a profile with the sample types of the kind c was made
// for, after its deltas are computed: it keeps the sample types of c, leaves
// out the samples whose kept values are all zero, and puts c's labels on
// every sample, in place of numeric labels of the same keys. The
// locations and functions no sample uses any more are left out, as the
// fast path leaves them out.
func (c cut) apply(p *profile.Profile) {
	if c.keep != nil {
		pprofedit.KeepSampleTypes(p, c.keep)
	}
	pprofedit.SetLabels(p, c.labelMap)
	pprofedit.DropUnused(p)
}
