package collect

import (
	"bytes"
	"io"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/emberprof/ember/interval"
)

// DeltaProfiler writes the change of a cumulative runtime profile since
// its previous call, in a window ending at now, as godeltaprof's
// profilers' ProfileAt does.
type DeltaProfiler interface {
	ProfileAt(w io.Writer, now time.Time) error
}

// Delta collects a per-interval delta profile (mutex or block) from a
// DeltaProfiler.
type Delta struct {
	typ  interval.Type
	prof DeltaProfiler
	buf  bytes.Buffer
}

// NewDelta returns a collector of typ that reads prof. It calls prof once
// to set the baseline, so the first interval holds only what happened
// after now, and starts at start.
func NewDelta(typ interval.Type, prof DeltaProfiler, start time.Time) (*Delta, error) {
	if err := prof.ProfileAt(io.Discard, start); err != nil {
		return nil, err
	}
	return &Delta{typ: typ, prof: prof}, nil
}

// Type implements Collector.
func (d *Delta) Type() interval.Type { return d.typ }

// Collect implements Collector.
func (d *Delta) Collect(until time.Time, _ bool) ([]byte, error) {
	d.buf.Reset()
	if err := d.prof.ProfileAt(&d.buf, until); err != nil {
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
	forcedGC atomic.Uint64
}

// NewHeap returns a heap collector reading prof (godeltaprof's heap
// profiler). Unless noGC, it runs a collection first, so that the
// baseline, and thus the first interval (which starts at start), holds
// only what follows.
func NewHeap(prof DeltaProfiler, noGC bool, start time.Time) (*Heap, error) {
	if !noGC {
		runtime.GC()
	}
	d, err := NewDelta(interval.TypeHeap, prof, start)
	if err != nil {
		return nil, err
	}
	h := &Heap{noGC: noGC, lastGC: gcCycles(), lastGCAt: start}
	h.Delta = *d
	return h, nil
}

// Collect implements Collector. The heap's age is measured at until.
func (h *Heap) Collect(until time.Time, final bool) ([]byte, error) {
	if cycles := gcCycles(); cycles != h.lastGC {
		h.lastGC, h.lastGCAt = cycles, until
	} else if !h.noGC && (final || until.Sub(h.lastGCAt) >= MaxHeapAge) {
		runtime.GC()
		h.forcedGC.Add(1)
		h.lastGC, h.lastGCAt = gcCycles(), until
	}
	return h.Delta.Collect(until, final)
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
