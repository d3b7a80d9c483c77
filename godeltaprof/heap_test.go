package godeltaprof

import (
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
)

// freezeHeap stops garbage collection but the test's own, so the runtime
// publishes a new heap profile cycle only when the test says.
func freezeHeap(t *testing.T) {
	oldGC := debug.SetGCPercent(-1)
	t.Cleanup(func() { debug.SetGCPercent(oldGC) })
}

// sampleAll runs f with every allocation sampled, so the test's own
// allocations are all in the profile. The rest of the test (writing and
// parsing profiles) runs at the normal rate to stay fast.
func sampleAll(f func()) {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	defer func() { runtime.MemProfileRate = old }()
	f()
}

// heapRound allocates from random stacks (some repeated, some deeper than
// 32, 64 and the runtime's 128 frame limit), retaining a random part.
func heapRound(rng *rand.Rand, stacks [][]byte) {
	sampleAll(func() {
		for range 300 {
			path := stacks[rng.IntN(len(stacks))]
			leaf := allocLeaves[rng.IntN(len(allocLeaves))]
			size := []int{8, 24, 100, 1000, 5000}[rng.IntN(5)]
			atStack(path, leaf, size)
		}
	})
	retainMu.Lock()
	defer retainMu.Unlock()
	rng.Shuffle(len(retained), func(i, j int) { retained[i], retained[j] = retained[j], retained[i] })
	retained = retained[:len(retained)/2]
}

func randomStacks(rng *rand.Rand) [][]byte {
	var stacks [][]byte
	for _, d := range []int{1, 3, 10, 40, 70, 100, 150} {
		for range 3 {
			stacks = append(stacks, pathFor(rng.IntN(1<<20), d))
		}
	}
	return stacks
}

func TestHeapDeltaMatchesRuntime(t *testing.T) {
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			freezeHeap(t)
			rng := rand.New(rand.NewPCG(uint64(len(path.name)), 3))
			stacks := randomStacks(rng)
			p := &HeapProfiler{src: newSource(heapKind, defaultOptions, path.fallback)}

			runtime.GC()
			before := byStack(runtimeProfile(t, "heap"))
			profileOf(t, p.Profile) // baseline

			for round := range 4 {
				if round < 3 {
					heapRound(rng, stacks)
				} else {
					// Nothing new: free all, so stacks become zero.
					retainMu.Lock()
					retained = nil
					retainMu.Unlock()
					sink = nil
				}
				runtime.GC()
				got := byStack(profileOf(t, p.Profile))
				after := byStack(runtimeProfile(t, "heap"))
				want := expectDelta(before, after, 2)
				diffStacks(t, got, want)
				before = after

				if round == 0 {
					for _, fn := range []string{"allocBytes", "allocInlined", "allocGeneric[go.shape.int]", "allocGeneric[go.shape.string]"} {
						if d := depth(got, fn); d < 100 {
							t.Errorf("deepest stack with %s has %d frames, want >= 100", fn, d)
						}
					}
				}
				if round == 3 && depth(got, "allocBytes") != 0 {
					t.Errorf("round with no allocations still shows allocBytes stacks")
				}
			}
		})
	}
}

func TestHeapInuseIsAbsolute(t *testing.T) {
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			freezeHeap(t)
			p := &HeapProfiler{src: newSource(heapKind, defaultOptions, path.fallback)}
			stack := pathFor(12345, 20)
			sampleAll(func() { atStack(stack, allocBytes, 4096) })
			runtime.GC()
			first := byStack(profileOf(t, p.Profile))
			second := byStack(profileOf(t, p.Profile))
			rt := byStack(runtimeProfile(t, "heap"))
			found := false
			for k, v := range second {
				if depth(map[string][]int64{k: v}, "allocBytes") == 0 {
					continue
				}
				found = found || v[3] >= 4096
				if v[0] != 0 || v[1] != 0 {
					t.Errorf("second profile without a GC between has alloc delta %v", v)
				}
				if !slices.Equal(v[2:], rt[k][2:]) || !slices.Equal(v[2:], first[k][2:]) {
					t.Errorf("inuse %v, runtime %v, first profile %v", v[2:], rt[k][2:], first[k][2:])
				}
			}
			if !found {
				t.Error("retained buffer missing from the second profile's inuse_space")
			}
		})
	}
}
