package godeltaprof

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/google/pprof/profile"
)

// fallbackSource computes deltas from runtime/pprof's own profiles: it
// writes one, parses it and subtracts the previous one sample by sample.
// Slower than reading runtime records, but it needs only public APIs, so it
// works on any Go release.
type fallbackSource struct {
	kind *kind
	opts ProfileOptions
	cut  cut
	prev map[string][]int64 // cumulative values by sample key
	buf  bytes.Buffer
	win  window
}

func newFallbackSource(k *kind, opts ProfileOptions, c cut) source {
	return &fallbackSource{kind: k, opts: opts, cut: c, prev: make(map[string][]int64)}
}

func (f *fallbackSource) profile(w io.Writer, now time.Time) error {
	f.buf.Reset()
	if err := pprof.Lookup(f.kind.name).WriteTo(&f.buf, 0); err != nil {
		return fmt.Errorf("godeltaprof: writing %s profile: %w", f.kind.name, err)
	}
	p, err := profile.ParseData(f.buf.Bytes())
	if err != nil {
		return fmt.Errorf("godeltaprof: parsing %s profile: %w", f.kind.name, err)
	}
	if err := f.checkTypes(p); err != nil {
		return err
	}
	// Deltas of every value first, then the cut, as the fast path.
	f.prev = subtractPrevious(p, f.kind.cumulative, f.prev)
	f.cut.apply(p)
	if !f.opts.GenericsFrames {
		for _, fn := range p.Function {
			fn.Name = printedName(fn.Name)
			fn.SystemName = printedName(fn.SystemName)
		}
		p = p.Compact() // one function per name
	}
	p.TimeNanos, p.DurationNanos = f.win.next(now)
	return p.Write(w)
}

// checkTypes returns an error if f cuts sample types and p does not have
// those of f's kind, the ones the cut's indexes refer to.
func (f *fallbackSource) checkTypes(p *profile.Profile) error {
	if f.cut.keep == nil {
		return nil
	}
	ok := len(p.SampleType) == len(f.kind.sampleTypes)
	for i := 0; ok && i < len(p.SampleType); i++ {
		ok = p.SampleType[i].Type == f.kind.sampleTypes[i].Type
	}
	if !ok {
		return fmt.Errorf("godeltaprof: runtime/pprof's %s profile has unexpected sample types %v", f.kind.name, p.SampleType)
	}
	return nil
}

// subtractPrevious turns p's first n values of every sample into the change
// since prev, the cumulative values by sample key of the previous profile,
// and returns the cumulative values of p for the next call. Samples with the
// same key (stack and numeric labels) are merged into the first of them;
// samples whose values are then all zero are dropped.
func subtractPrevious(p *profile.Profile, n int, prev map[string][]int64) map[string][]int64 {
	cur := make(map[string][]int64, len(p.Sample))
	first := make(map[string]*profile.Sample, len(p.Sample))
	var key []byte
	kept := p.Sample[:0]
	for _, s := range p.Sample {
		key = sampleKey(key[:0], s)
		if f, ok := first[string(key)]; ok {
			for i := range f.Value {
				if i < len(s.Value) {
					f.Value[i] += s.Value[i]
				}
			}
			continue
		}
		first[string(key)] = s
		kept = append(kept, s)
	}
	out := kept[:0]
	for _, s := range kept {
		k := string(sampleKey(key[:0], s))
		c := make([]int64, min(n, len(s.Value)))
		copy(c, s.Value)
		cur[k] = c
		old := prev[k]
		zero := true
		for i := range s.Value {
			if i < len(c) && i < len(old) {
				s.Value[i] -= old[i]
			}
			if s.Value[i] != 0 {
				zero = false
			}
		}
		if !zero {
			out = append(out, s)
		}
	}
	clear(p.Sample[len(out):])
	p.Sample = out
	return cur
}

// sampleKey appends a key naming s's stack (location addresses; runtime/pprof
// gives each location its own address) and numeric labels.
func sampleKey(b []byte, s *profile.Sample) []byte {
	for _, l := range s.Location {
		b = binary.AppendUvarint(b, l.Address)
		b = binary.AppendUvarint(b, uint64(len(l.Line)))
	}
	b = append(b, 0xff)
	for _, k := range slices.Sorted(maps.Keys(s.NumLabel)) {
		b = append(b, k...)
		b = append(b, 0)
		for _, v := range s.NumLabel[k] {
			b = binary.AppendVarint(b, v)
		}
		b = append(b, 0xff)
	}
	return b
}
