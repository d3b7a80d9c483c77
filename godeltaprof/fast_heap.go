//go:build go1.26 && !go1.28

package godeltaprof

import (
	"io"
	"runtime"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
)

// heapSource writes delta heap profiles from the runtime's memory
// profile records.
type heapSource struct {
	fastBase
	recs     []memRecord
	scaler   heapScaler
	bytesKey int64
}

func readMemProfile(p []memRecord) (int, bool) { return runtime_memProfile(p, true) }

func (h *heapSource) profile(w io.Writer, now time.Time) error {
	h.recs = readRecords(h.recs, readMemProfile)
	rate := int64(runtime.MemProfileRate)
	h.scaler.setRate(rate)
	h.t.begin()
	for i := range h.recs {
		r := &h.recs[i]
		v, size := heapValues(r, &h.scaler)
		e := h.t.add(r.Stack, size)
		for k := range v {
			e.cur[k] += v[k]
		}
	}
	return h.write(w, now, rate, h.samples)
}

// samples adds a sample for each stack with something allocated in the
// window or in use.
func (h *heapSource) samples() {
	for _, e := range h.t.touched {
		d0, d1 := e.delta()
		if d0 == 0 && d1 == 0 && e.cur[2] == 0 && e.cur[3] == 0 {
			continue
		}
		if !e.symbolized {
			pcs := e.pcs()
			h.locs = h.sym.appendLocs(h.locs[:0], heapStack(pcs))
			if len(h.locs) == 0 {
				h.locs = h.sym.appendLocs(h.locs, pcs)
			}
			e.stack, e.symbolized = h.newStack(), true
		}
		var label pprofenc.Label
		if e.size != 0 {
			label = pprofenc.Label{Key: h.bytesKey, Num: e.size}
		}
		values := [4]int64{d0, d1, e.cur[2], e.cur[3]}
		h.enc.Sample(e.stack, values[:], label)
	}
}
