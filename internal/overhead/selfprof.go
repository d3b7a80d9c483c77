package overhead

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// The profiler profiling itself: the CPU profiles a profiler uploads during
// the measurement hold its own work too. selfCPU finds the samples whose
// stack passes through profiler code, so a round can tell what share of the
// process's CPU the profiler took, and in which functions.

// isProfilerFunc reports whether fn is profiler code: Ember's packages
// (but not this harness), runtime/pprof, and this harness's runtime/pprof
// mode and counting sink.
func isProfilerFunc(fn string) bool {
	switch {
	case strings.HasPrefix(fn, "github.com/emberprof/ember/internal/overhead."):
		return strings.Contains(fn, "pprofProfiler") || strings.Contains(fn, "(*Sink)")
	case strings.HasPrefix(fn, "github.com/emberprof/ember/"), strings.HasPrefix(fn, "runtime/pprof."):
		return true
	}
	return false
}

// FuncCost is CPU time spent in one function (flat: where the sample was
// taken), as seen in CPU profiles.
type FuncCost struct {
	Func  string
	Nanos int64
}

// selfCPU merges CPU profiles and returns the sampled CPU nanoseconds in
// all, those in profiler stacks, and the top functions (flat) of the
// profiler stacks, heaviest first.
func selfCPU(profiles [][]byte, top int) (total, self int64, funcs []FuncCost, err error) {
	merged, err := mergeProfiles(profiles)
	if merged == nil || err != nil {
		return 0, 0, nil, err
	}
	vi := len(merged.SampleType) - 1 // cpu/nanoseconds comes after samples/count
	flat := map[string]int64{}
	for _, s := range merged.Sample {
		v := s.Value[vi]
		total += v
		if !inProfiler(s) {
			continue
		}
		self += v
		if len(s.Location) > 0 && len(s.Location[0].Line) > 0 {
			flat[s.Location[0].Line[0].Function.Name] += v
		}
	}
	for fn, ns := range flat {
		funcs = append(funcs, FuncCost{fn, ns})
	}
	slices.SortFunc(funcs, func(a, b FuncCost) int { return cmp.Or(cmp.Compare(b.Nanos, a.Nanos), strings.Compare(a.Func, b.Func)) })
	return total, self, funcs[:min(top, len(funcs))], nil
}

// mergeProfiles decodes and merges gzipped pprof profiles; nil for none.
func mergeProfiles(profiles [][]byte) (*profile.Profile, error) {
	var ps []*profile.Profile
	for _, data := range profiles {
		p, err := profile.Parse(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	return profile.Merge(ps)
}

func inProfiler(s *profile.Sample) bool {
	for _, loc := range s.Location {
		for _, l := range loc.Line {
			if l.Function != nil && isProfilerFunc(l.Function.Name) {
				return true
			}
		}
	}
	return false
}
