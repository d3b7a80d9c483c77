package godeltaprof

import (
	"io"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// recordContention turns on full mutex and block profiling for a test.
func recordContention(t *testing.T) {
	oldFraction := runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	t.Cleanup(func() {
		runtime.SetMutexProfileFraction(oldFraction)
		runtime.SetBlockProfileRate(0)
	})
}

// pauseContentionRecording stops recording mutex and block events, so
// that reading the profiles (which allocates, so GC runs and takes the
// runtime's own locks) adds none, and returns what starts recording every
// event again.
func pauseContentionRecording() (resume func()) {
	runtime.SetMutexProfileFraction(0)
	runtime.SetBlockProfileRate(0)
	return func() {
		runtime.SetMutexProfileFraction(1)
		runtime.SetBlockProfileRate(1)
	}
}

// stableRead reads our profile between two runtime/pprof profiles, again
// until both runtime profiles agree (the runtime can record contention of
// its own at any time). Our deltas of every attempt are summed, so the
// result is our delta since the previous stableRead, and the runtime
// profile is the state that delta ends at.
func stableRead(t *testing.T, name string, profile func(io.Writer) error) (ours, rt map[string][]int64) {
	t.Helper()
	defer pauseContentionRecording()() // records stay

	ours = make(map[string][]int64)
	for range 20 {
		r1 := byStack(runtimeProfile(t, name))
		for k, v := range byStack(profileOf(t, profile)) {
			if o := ours[k]; o != nil {
				for i := range v {
					v[i] += o[i]
				}
			}
			ours[k] = v
		}
		r2 := byStack(runtimeProfile(t, name))
		if maps.EqualFunc(r1, r2, slices.Equal) {
			return ours, r2
		}
	}
	t.Fatalf("%s profile kept changing", name)
	return nil, nil
}

func TestContentionDeltaMatchesRuntime(t *testing.T) {
	for _, k := range []*kind{mutexKind, blockKind} {
		for _, path := range paths {
			t.Run(k.name+"/"+path.name, func(t *testing.T) {
				recordContention(t)
				rng := rand.New(rand.NewPCG(uint64(len(path.name)), 7))
				stacks := randomStacks(rng)
				p := &BlockProfiler{src: newSource(k, defaultOptions, path.fallback)}
				_, before := stableRead(t, k.name, p.Profile)

				for round := range 3 {
					used := map[int]bool{}
					if round < 2 {
						for range 12 {
							i := rng.IntN(len(stacks))
							used[i] = true
							atStack(stacks[i], contend, 50+rng.IntN(200))
						}
					}
					got, after := stableRead(t, k.name, p.Profile)
					// Our own zero-free delta: drop zero stacks
					// from the sum of attempts too.
					maps.DeleteFunc(got, func(_ string, v []int64) bool {
						return !slices.ContainsFunc(v, func(x int64) bool { return x != 0 })
					})
					want := expectDelta(before, after, 2)
					diffStacks(t, got, want)
					before = after
					if round == 0 && depth(got, "contend") < 100 {
						t.Errorf("deepest contend stack has %d frames, want >= 100", depth(got, "contend"))
					}
					if round == 2 && depth(got, "contend") != 0 {
						t.Errorf("round without contention shows contend stacks")
					}
				}
			})
		}
	}
}
