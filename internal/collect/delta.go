package collect

import (
	"bytes"
	"io"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/emberprof/ember/upstream"
)

// DeltaProfiler writes the change of a cumulative runtime profile since
// its previous call, as godeltaprof's profilers do.
type DeltaProfiler interface {
	Profile(w io.Writer) error
}

// Delta collects a per-interval delta profile (mutex or block) from a
// DeltaProfiler.
type Delta struct {
	typ  upstream.Type
	prof DeltaProfiler
	buf  bytes.Buffer
}

// NewDelta returns a collector of typ that reads prof. It calls prof once
// to set the baseline, so the first interval holds only what happened
// after now.
func NewDelta(typ upstream.Type, prof DeltaProfiler) (*Delta, error) {
	if err := prof.Profile(io.Discard); err != nil {
		return nil, err
	}
	return &Delta{typ: typ, prof: prof}, nil
}

// Type implements Collector.
func (d *Delta) Type() upstream.Type { return d.typ }

// Collect implements Collector.
func (d *Delta) Collect(bool) ([]byte, error) {
	d.buf.Reset()
	if err := d.prof.Profile(&d.buf); err != nil {
		return nil, err
	}
	return bytes.Clone(d.buf.Bytes()), nil
}

// MaxHeapAge bounds how stale the heap profile may get: at a boundary
// where no garbage collection has completed for this long, the heap
// collector runs one. Forcing one at every quiet boundary would cost a
// program with a large live heap a full mark every interval (73 ms of CPU
// and a 4x p99 at 256 MiB live, measured by internal/overhead), while the
// deltas are exact either way: allocations made after the last
// collection show up in the interval of the next one. The runtime itself
// collects at least every two minutes.
const MaxHeapAge = time.Minute

// Heap collects the heap profile: allocations as per-interval deltas and
// memory in use, both as of the last completed garbage collection. Unless
// told not to, it runs a collection itself when none has completed for
// MaxHeapAge, and at the final interval, so that the profile is never far
// behind and Stop delivers every allocation.
type Heap struct {
	Delta
	noGC     bool
	lastGC   uint64    // GC cycles completed at the previous boundary
	lastGCAt time.Time // when a boundary last saw a new GC cycle
	now      func() time.Time
	forcedGC atomic.Uint64
}

// NewHeap returns a heap collector reading prof (godeltaprof's heap
// profiler). Unless noGC, it runs a collection first, so that the
// baseline, and thus the first interval, starts now.
func NewHeap(prof DeltaProfiler, noGC bool) (*Heap, error) {
	if !noGC {
		runtime.GC()
	}
	d, err := NewDelta(upstream.TypeHeap, prof)
	if err != nil {
		return nil, err
	}
	h := &Heap{noGC: noGC, lastGC: gcCycles(), now: time.Now}
	h.lastGCAt = h.now()
	h.Delta = *d
	return h, nil
}

// Collect implements Collector.
func (h *Heap) Collect(final bool) ([]byte, error) {
	now := h.now()
	if cycles := gcCycles(); cycles != h.lastGC {
		h.lastGC, h.lastGCAt = cycles, now
	} else if !h.noGC && (final || now.Sub(h.lastGCAt) >= MaxHeapAge) {
		runtime.GC()
		h.forcedGC.Add(1)
		h.lastGC, h.lastGCAt = gcCycles(), now
	}
	return h.Delta.Collect(final)
}

// ForcedGCs returns how many collections Collect ran itself. It is safe
// to call while Collect runs.
func (h *Heap) ForcedGCs() uint64 { return h.forcedGC.Load() }

// gcCycles reads the number of completed GC cycles without stopping the
// world (runtime.ReadMemStats would).
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
