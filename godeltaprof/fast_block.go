//go:build go1.26 && !go1.28

package godeltaprof

import (
	"io"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
)

// blockSource writes delta mutex or block profiles from the runtime's
// contention records.
type blockSource struct {
	fastBase
	read     func([]blockRecord) (int, bool)
	recs     []blockRecord
	maxDepth int       // runtime/pprof's limit on expanded stacks
	expanded []uintptr // scratch for expanding stacks
}

func (b *blockSource) profile(w io.Writer, now time.Time) error {
	b.recs = readRecords(b.recs, b.read)
	// runtime/pprof converts each record's cycles to nanoseconds exactly
	// like this; we subtract converted values so deltas match it exactly.
	cpuGHz := float64(runtime_cyclesPerSecond()) / 1e9
	b.t.begin()
	for i := range b.recs {
		r := &b.recs[i]
		e := b.t.add(r.Stack, 0)
		e.cur[0] += r.Count
		e.cur[1] += int64(float64(r.Cycles) / cpuGHz)
	}
	return b.write(w, now, 1, b.samples)
}

// samples adds a sample for each stack with contention in the window.
func (b *blockSource) samples() {
	for _, e := range b.t.touched {
		d0, d1 := e.delta()
		if d0 == 0 && d1 == 0 {
			continue
		}
		if !e.symbolized {
			b.expanded = expandStack(b.expanded[:0], e.pcs(), b.maxDepth)
			b.locs = b.sym.appendLocs(b.locs[:0], b.expanded)
			e.stack, e.symbolized = b.newStack(), true
		}
		values := [2]int64{d0, d1}
		b.enc.Sample(e.stack, values[:], pprofenc.Label{})
	}
}
