package godeltaprof

import (
	"io"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// cutStacks is what a profile cut to the sample types at keep holds of
// the stacks m: their kept values, and none whose kept values are zero.
func cutStacks(m map[string][]int64, keep []int) map[string][]int64 {
	out := make(map[string][]int64)
	for k, v := range m {
		var kept []int64
		for _, i := range keep {
			kept = append(kept, v[i])
		}
		if slices.ContainsFunc(kept, func(x int64) bool { return x != 0 }) {
			out[k] = kept
		}
	}
	return out
}

// withoutNumLabels removes the numeric labels of keys from every sample of
// p and returns p, so its stacks key as those of a profile whose string
// labels replaced them.
func withoutNumLabels(p *profile.Profile, keys map[string]string) *profile.Profile {
	for _, s := range p.Sample {
		for k := range keys {
			delete(s.NumLabel, k)
		}
	}
	return p
}

// checkCut checks what the options promise of every profile beyond its
// values: the kept sample types, the labels on every sample in place of
// numeric ones, and no location or function that no sample uses.
func checkCut(t *testing.T, p *profile.Profile, types []string, labels map[string]string) {
	t.Helper()
	var got []string
	for _, st := range p.SampleType {
		got = append(got, st.Type)
	}
	if !slices.Equal(got, types) {
		t.Errorf("sample types %v, want %v", got, types)
	}
	for _, s := range p.Sample {
		if len(s.Label) != len(labels) {
			t.Errorf("sample labels %v, want %v", s.Label, labels)
		}
		for k, v := range labels {
			if !slices.Equal(s.Label[k], []string{v}) || s.NumLabel[k] != nil {
				t.Errorf("sample labels %v, numeric %v; want %s=%q only", s.Label, s.NumLabel, k, v)
			}
		}
	}
	usedLocs, usedFuncs := map[uint64]bool{}, map[uint64]bool{}
	for _, s := range p.Sample {
		for _, l := range s.Location {
			usedLocs[l.ID] = true
			for _, ln := range l.Line {
				usedFuncs[ln.Function.ID] = true
			}
		}
	}
	if len(p.Location) != len(usedLocs) || len(p.Function) != len(usedFuncs) {
		t.Errorf("%d locations and %d functions written, samples use %d and %d",
			len(p.Location), len(p.Function), len(usedLocs), len(usedFuncs))
	}
}

func TestHeapCutMatchesUncut(t *testing.T) {
	labels := map[string]string{"service": "api", "bytes": "replaced", "env": "test"}
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			freezeHeap(t)
			rng := rand.New(rand.NewPCG(uint64(len(path.name)), 11))
			stacks := randomStacks(rng)
			opts := defaultOptions
			opts.SampleTypes = []string{"alloc_space", "no_such_type"}
			opts.Labels = labels
			cut := &HeapProfiler{src: newSource(heapKind, opts, path.fallback)}
			full := &HeapProfiler{src: newSource(heapKind, defaultOptions, path.fallback)}

			runtime.GC()
			profileOf(t, cut.Profile) // baselines
			profileOf(t, full.Profile)
			droppedSome := false
			for range 3 {
				heapRound(rng, stacks)
				runtime.GC()
				got := profileOf(t, cut.Profile)
				checkCut(t, got, []string{"alloc_space"}, labels)
				all := profileOf(t, full.Profile)
				for _, s := range all.Sample {
					droppedSome = droppedSome || s.Value[1] == 0
				}
				want := cutStacks(byStack(withoutNumLabels(all, labels)), []int{1})
				diffStacks(t, byStack(got), want)
			}
			if !droppedSome {
				t.Error("no sample with only in-use values: the test left nothing out")
			}
		})
	}
}

// readBoth reads the profiles of a and b with contention recording off,
// again until the runtime's profile is the same before and after both
// reads, and returns each one's deltas summed over the attempts, all-zero
// stacks left out; a and b's are then deltas between the same two states.
// a's profiles must be cut to types and labelled with labels.
func readBoth(t *testing.T, name string, a, b func(io.Writer) error, types []string, labels map[string]string) (sumA, sumB map[string][]int64) {
	t.Helper()
	defer pauseContentionRecording()()
	add := func(sum map[string][]int64, p *profile.Profile) {
		for k, v := range byStack(withoutNumLabels(p, labels)) {
			if s := sum[k]; s != nil {
				for i := range v {
					v[i] += s[i]
				}
			}
			sum[k] = v
		}
	}
	sumA, sumB = map[string][]int64{}, map[string][]int64{}
	for range 20 {
		r1 := byStack(runtimeProfile(t, name))
		pa := profileOf(t, a)
		checkCut(t, pa, types, labels)
		add(sumA, pa)
		add(sumB, profileOf(t, b))
		if maps.EqualFunc(r1, byStack(runtimeProfile(t, name)), slices.Equal) {
			noZero := func(_ string, v []int64) bool { return !slices.ContainsFunc(v, func(x int64) bool { return x != 0 }) }
			maps.DeleteFunc(sumA, noZero)
			maps.DeleteFunc(sumB, noZero)
			return sumA, sumB
		}
	}
	t.Fatalf("%s profile kept changing", name)
	return nil, nil
}

func TestContentionCutMatchesUncut(t *testing.T) {
	labels := map[string]string{"service": "db"}
	for _, c := range []struct {
		k     *kind
		types []string // asked for
		kept  []string // in the profile's order
		keep  []int
	}{
		{mutexKind, []string{"delay"}, []string{"delay"}, []int{1}},
		{blockKind, []string{"delay", "nope", "contentions"}, []string{"contentions", "delay"}, []int{0, 1}},
	} {
		for _, path := range paths {
			t.Run(c.k.name+"/"+path.name, func(t *testing.T) {
				recordContention(t)
				rng := rand.New(rand.NewPCG(uint64(len(path.name)), 13))
				stacks := randomStacks(rng)
				opts := defaultOptions
				opts.SampleTypes = c.types
				opts.Labels = labels
				cut := &BlockProfiler{src: newSource(c.k, opts, path.fallback)}
				full := &BlockProfiler{src: newSource(c.k, defaultOptions, path.fallback)}
				readBoth(t, c.k.name, cut.Profile, full.Profile, c.kept, labels) // baselines

				for range 2 {
					for range 12 {
						atStack(stacks[rng.IntN(len(stacks))], contend, 50+rng.IntN(200))
					}
					got, all := readBoth(t, c.k.name, cut.Profile, full.Profile, c.kept, labels)
					if depth(all, "contend") == 0 {
						t.Fatal("no contention recorded: the test compares nothing")
					}
					diffStacks(t, got, cutStacks(all, c.keep))
				}
			})
		}
	}
}

func TestSampleTypesNoneMatch(t *testing.T) {
	opts := defaultOptions
	opts.SampleTypes = []string{"cpu", "samples"}
	for _, path := range paths {
		for _, k := range []*kind{heapKind, mutexKind, blockKind} {
			t.Run(k.name+"/"+path.name, func(t *testing.T) {
				src := newSource(k, opts, path.fallback)
				var buf strings.Builder
				var types []string
				for _, st := range k.sampleTypes {
					types = append(types, st.Type)
				}
				for range 2 { // and again: the options do not change
					err := (&HeapProfiler{src: src}).Profile(&buf)
					if err == nil || !strings.Contains(err.Error(), strings.Join(types, ", ")) || !strings.Contains(err.Error(), "cpu") {
						t.Fatalf("error %v; want one naming cpu and the types %v", err, types)
					}
				}
				if buf.Len() != 0 {
					t.Errorf("%d bytes written with the error", buf.Len())
				}
			})
		}
	}
	if err := NewMutexProfilerWithOptions(opts).Profile(io.Discard); err == nil {
		t.Error("NewMutexProfilerWithOptions: no error for sample types it lacks")
	}
}
