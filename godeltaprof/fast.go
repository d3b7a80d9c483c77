//go:build go1.26 && !go1.28

package godeltaprof

import (
	"io"
	"runtime"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
)

// newFastSource returns the source that reads k's runtime records directly.
func newFastSource(k *kind, opts ProfileOptions) source {
	enc := pprofenc.New(pprofenc.ProcessMappings())
	base := fastBase{kind: k, enc: enc, sym: newSymbolizer(enc, opts.GenericsFrames), t: newTable()}
	switch k {
	case heapKind:
		return &heapSource{fastBase: base, bytesKey: enc.String("bytes")}
	case mutexKind:
		return &blockSource{fastBase: base, read: runtime_mutexProfile, maxDepth: len(runtime_makeProfStack())}
	default:
		return &blockSource{fastBase: base, read: runtime_blockProfile, maxDepth: len(runtime_makeProfStack())}
	}
}

// fastBase is what the heap and block sources share: the encoder with its
// cached locations, the stack table with the previous values, and the
// window.
type fastBase struct {
	kind *kind
	enc  *pprofenc.Encoder
	sym  *symbolizer
	t    *table
	win  window
}

func (b *fastBase) start(now time.Time, period int64) {
	start, dur := b.win.next(now)
	b.enc.Start(pprofenc.Header{
		SampleTypes:   b.kind.sampleTypes,
		PeriodType:    b.kind.periodType,
		Period:        period,
		TimeNanos:     start,
		DurationNanos: dur,
	})
}

func (b *fastBase) finish(w io.Writer) error {
	b.t.sweep()
	b.sym.done()
	return b.enc.Finish(w)
}

type heapSource struct {
	fastBase
	recs     []memRecord
	bytesKey int64
}

func readMemProfile(p []memRecord) (int, bool) { return runtime_memProfile(p, true) }

func (h *heapSource) profile(w io.Writer) error {
	now := time.Now()
	h.recs = readRecords(h.recs, readMemProfile)
	rate := int64(runtime.MemProfileRate)
	h.t.begin()
	for i := range h.recs {
		r := &h.recs[i]
		v, size := heapValues(r, rate)
		e := h.t.add(r.Stack, size)
		for k := range v {
			e.cur[k] += v[k]
		}
	}
	h.start(now, rate)
	for _, e := range h.t.touched {
		d0, d1 := e.delta()
		if d0 == 0 && d1 == 0 && e.cur[2] == 0 && e.cur[3] == 0 {
			continue
		}
		if !e.symbolized {
			locs := h.sym.appendLocs(nil, heapStack(e.stk))
			if len(locs) == 0 {
				locs = h.sym.appendLocs(nil, e.stk)
			}
			e.stack, e.symbolized = pprofenc.NewStack(locs), true
		}
		var label pprofenc.Label
		if e.size != 0 {
			label = pprofenc.Label{Key: h.bytesKey, Num: e.size}
		}
		values := [4]int64{d0, d1, e.cur[2], e.cur[3]}
		h.enc.Sample(e.stack, values[:], label)
	}
	return h.finish(w)
}

type blockSource struct {
	fastBase
	read     func([]blockRecord) (int, bool)
	recs     []blockRecord
	maxDepth int       // runtime/pprof's limit on expanded stacks
	expanded []uintptr // scratch for expanding stacks
}

func (b *blockSource) profile(w io.Writer) error {
	now := time.Now()
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
	b.start(now, 1)
	for _, e := range b.t.touched {
		d0, d1 := e.delta()
		if d0 == 0 && d1 == 0 {
			continue
		}
		if !e.symbolized {
			b.expanded = expandStack(b.expanded[:0], e.stk, b.maxDepth)
			e.stack, e.symbolized = pprofenc.NewStack(b.sym.appendLocs(nil, b.expanded)), true
		}
		values := [2]int64{d0, d1}
		b.enc.Sample(e.stack, values[:], pprofenc.Label{})
	}
	return b.finish(w)
}
