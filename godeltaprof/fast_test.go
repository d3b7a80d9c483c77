//go:build go1.26 && !go1.28

package godeltaprof

import (
	"io"
	"testing"
	"time"
)

// TestStateBoundedByRuntimeRecords checks that what a fast source keeps
// between calls grows with the runtime's records, not with calls.
func TestStateBoundedByRuntimeRecords(t *testing.T) {
	for _, k := range []*kind{heapKind, mutexKind, blockKind} {
		t.Run(k.name, func(t *testing.T) {
			src := newFastSource(k, defaultOptions, cut{})
			var tb *table
			var records func() int
			var locs func() int
			switch s := src.(type) {
			case *heapSource:
				tb, records, locs = s.t, func() int { return len(s.recs) }, func() int { return len(s.sym.locs) }
			case *blockSource:
				tb, records, locs = s.t, func() int { return len(s.recs) }, func() int { return len(s.sym.locs) }
			}
			for i := range 5 {
				if err := src.profile(io.Discard, time.Now()); err != nil {
					t.Fatal(err)
				}
				if len(tb.m) > records() {
					t.Fatalf("call %d: %d entries kept for %d runtime records", i, len(tb.m), records())
				}
			}
			// Locations are symbolized once: with no new records, a
			// call adds none.
			before, recordsBefore := locs(), records()
			if err := src.profile(io.Discard, time.Now()); err != nil {
				t.Fatal(err)
			}
			if records() == recordsBefore && locs() != before {
				t.Errorf("locations grew from %d to %d with no new records", before, locs())
			}
		})
	}
}
