//go:build go1.26 && !go1.28

package godeltaprof

import (
	"math"
	"testing"
)

// TestHeapScalerMatchesFormula checks the cached factors against
// runtime/pprof's formula computed afresh, for more sizes than the cache
// has slots (so slots are overwritten) and across a rate change.
func TestHeapScalerMatchesFormula(t *testing.T) {
	var s heapScaler
	for _, rate := range []int64{512 * 1024, 4096, 512 * 1024} {
		s.setRate(rate)
		for round := range 2 {
			for size := int64(1); size < 5000; size += 7 {
				count := 3 + size%11
				avg := float64(count*size) / float64(count)
				f := 1 / (1 - math.Exp(-avg/float64(rate)))
				wantC, wantB := int64(float64(count)*f), int64(float64(count*size)*f)
				if c, b := s.scale(count, float64(count*size), avg); c != wantC || b != wantB {
					t.Fatalf("rate %d, round %d, size %d: scaled to %d, %d; want %d, %d", rate, round, size, c, b, wantC, wantB)
				}
			}
		}
	}
}
