//go:build go1.26 && !go1.28

package godeltaprof

import (
	"io"
	"slices"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
)

// newFastSource returns the source that reads k's runtime records directly
// and writes them cut as c says.
func newFastSource(k *kind, opts ProfileOptions, c cut) source {
	enc := pprofenc.New(pprofenc.ProcessMappings())
	base := fastBase{kind: k, opts: opts, cut: c, enc: enc, sym: newSymbolizer(enc, opts.GenericsFrames), t: newTable()}
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
	opts ProfileOptions
	cut  cut
	enc  *pprofenc.Encoder
	sym  *symbolizer
	t    *table
	win  window

	// Scratch for symbolizing a new stack: its location IDs and their
	// encoding.
	locs   []uint64
	packed []byte
}

// newStack returns the pprofenc.Stack of the location IDs in b.locs, in a
// slice of its own exact size.
func (b *fastBase) newStack() pprofenc.Stack {
	b.packed = pprofenc.AppendStack(b.packed[:0], b.locs)
	return slices.Clone(b.packed)
}

// write writes the profile whose samples samples adds, for the window
// ending at now, then forgets the stacks the runtime no longer reports.
// samples gives every value of every changed stack, so deltas are
// computed on all of them; the encoder writes the cut.
func (b *fastBase) write(w io.Writer, now time.Time, period int64, samples func()) error {
	start, dur := b.win.next(now)
	err := b.enc.Write(w, pprofenc.Header{
		SampleTypes:   b.kind.sampleTypes,
		Keep:          b.cut.keep,
		Labels:        b.cut.labels,
		PeriodType:    b.kind.periodType,
		Period:        period,
		TimeNanos:     start,
		DurationNanos: dur,
	}, samples)
	b.t.sweep()
	b.sym.done()
	return err
}
