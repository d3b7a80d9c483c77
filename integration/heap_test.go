package integration_test

import (
	"context"
	"math"
	"runtime"
	"testing"

	"github.com/emberprof/ember"
)

const (
	allocSpaceID = "memory:alloc_space:bytes:space:bytes"
	inuseSpaceID = "memory:inuse_space:bytes:space:bytes"
)

// TestHeapAllocPerIntervalAndInuseFlat: a function that allocates a known
// number of bytes in every interval shows that many alloc_space bytes in
// each interval's profile, so the sum over the intervals is the sum of the
// work (not counted again at every upload); and a buffer kept alive all
// along shows the same inuse_space in every interval.
func TestHeapAllocPerIntervalAndInuseFlat(t *testing.T) {
	base := serverURL(t)
	const (
		perInterval = 32 << 20
		// Each chunk is sampled with probability 1-e^-8 at the default
		// rate, and 8 make an interval: one missed chunk (p = 0.27 %
		// per interval) is 12.5 % low, two (4e-6) would fail. With 2 MiB
		// chunks, three of 16 missed (about 1 run in 70) failed a CI run.
		chunk     = 4 << 20
		kept      = 16 << 20
		intervals = 4
	)
	sleepUntilPhase(rate / 10)
	r := startEmber(t, ember.Config{
		ServerAddress: base,
		ProfileTypes:  []ember.ProfileType{ember.ProfileAllocSpace, ember.ProfileInuseSpace},
	})
	retainBuffer(kept)
	for range intervals {
		// Allocate in the middle of the next interval, then complete a GC
		// so the heap profile at the interval's end includes it.
		sleepUntilPhase(rate / 2)
		allocate(perInterval, chunk)
		runtime.GC()
	}
	sleepUntilPhase(rate / 2)
	r.StopOK()
	runtime.KeepAlive(retained)

	q := newQuerier(base, "")
	start, end := r.window()
	// One heap profile per interval carries both sample types. Wait for
	// all of them by inuse_space, never empty thanks to the kept buffer;
	// an interval with no sampled allocation stores no alloc_space.
	n := int(r.p.Stats().Upload.Delivered)
	if n < intervals {
		t.Fatalf("%d heap profiles delivered, want at least %d", n, intervals)
	}
	allocs, err := q.profilesOf(context.Background(), allocSpaceID, r.selector(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for i, p := range allocs {
		got := p.FG.FunctionTotal("integration_test.allocate")
		sum += got
		t.Logf("alloc_space profile %d at %v: %d bytes under allocate", i, p.At.Format("15:04:05.000"), got)
	}
	full := 0
	for _, p := range allocs {
		if got := p.FG.FunctionTotal("integration_test.allocate"); got != 0 {
			full++
			if rel := float64(got)/perInterval - 1; math.Abs(rel) > 0.15 {
				t.Errorf("interval at %v: %d bytes allocated under allocate, want %d ± 15%%", p.At, got, perInterval)
			}
		}
	}
	if full != intervals {
		t.Errorf("%d intervals show allocations, want %d (one per interval)", full, intervals)
	}
	fg, err := q.SelectMergeStacktraces(context.Background(), allocSpaceID, r.selector(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	whole := fg.FunctionTotal("integration_test.allocate")
	if rel := float64(whole)/(intervals*perInterval) - 1; math.Abs(rel) > 0.1 || whole != sum {
		t.Errorf("alloc_space under allocate over the run = %d (intervals sum to %d), want %d ± 10%%", whole, sum, intervals*perInterval)
	}

	inuse := profilesWith(t, q, inuseSpaceID, r, n)
	for i, p := range inuse {
		got := p.FG.FunctionTotal("integration_test.retainBuffer")
		t.Logf("inuse_space profile %d at %v: %d bytes under retainBuffer", i, p.At.Format("15:04:05.000"), got)
		if i == 0 {
			continue // may predate the first GC that saw the buffer
		}
		if rel := float64(got)/kept - 1; math.Abs(rel) > 0.05 {
			t.Errorf("inuse_space profile %d: %d bytes under retainBuffer, want %d ± 5%%", i, got, kept)
		}
	}
}
