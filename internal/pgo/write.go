package pgo

import (
	"io"
	"time"

	"github.com/emberprof/ember/internal/pprofenc"
)

// defaultPeriod is Go's CPU sampling period (100 Hz), used when no input
// profile said.
const defaultPeriod = int64(10 * time.Millisecond)

// Write writes the merged profile to w, gzipped: one cpu/nanoseconds sample
// per kept stack of at least two frames, its locations and functions, and
// nothing else. It returns the bytes written, also kept in Stats.
//
// A function seen with several start lines (from several builds) is
// written once, under the first start line seen; the line numbers of its
// other versions are shifted so that every call site keeps its offset from
// the function's start, which is all the compiler reads of them.
func (m *Merger) Write(w io.Writer) (int64, error) {
	// The one mapping covers every address and names no file: the
	// compiler reads none, and the tool's own path is nobody's business.
	enc := pprofenc.New([]pprofenc.Mapping{{Limit: ^uint64(0)}})
	firstStart := make([]int64, len(m.nameStrs))
	seen := make([]bool, len(m.nameStrs))
	for _, fk := range m.funcList {
		if !seen[fk.name] {
			seen[fk.name], firstStart[fk.name] = true, fk.startLine
		}
	}
	locIDs := make([]uint64, len(m.locList)) // kept ID-1 -> encoder's ID
	var lines []pprofenc.Line
	encLoc := func(id uint32) uint64 {
		if locIDs[id-1] == 0 {
			l := m.locList[id-1]
			lines = lines[:0]
			for _, ln := range m.lines[l.first : l.first+l.n] {
				fk := m.funcList[ln.fn-1]
				start := firstStart[fk.name]
				lines = append(lines, pprofenc.Line{
					Function:  m.nameStrs[fk.name],
					Line:      ln.line - fk.startLine + start,
					StartLine: start,
				})
			}
			locIDs[id-1] = enc.AddLocation(l.addr, lines, true)
		}
		return locIDs[id-1]
	}
	var stacks []pprofenc.Stack
	var values []int64
	for _, s := range m.stackList {
		if s.value == 0 || m.frames(s.locs) < 2 {
			continue // no call edge: the compiler would ignore it
		}
		ids := []uint64{encLoc(s.locs[0])}
		if s.locs[1] != 0 {
			ids = append(ids, encLoc(s.locs[1]))
		}
		stacks = append(stacks, pprofenc.AppendStack(nil, ids))
		values = append(values, s.value)
	}
	period := m.period
	if period == 0 {
		period = defaultPeriod
	}
	cpu := pprofenc.ValueType{Type: "cpu", Unit: "nanoseconds"}
	h := pprofenc.Header{
		SampleTypes:   []pprofenc.ValueType{cpu},
		PeriodType:    cpu,
		Period:        period,
		TimeNanos:     m.start,
		DurationNanos: max(0, m.end-m.start),
	}
	cw := &countingWriter{w: w}
	err := enc.Write(cw, h, func() {
		for i, s := range stacks {
			enc.Sample(s, values[i:i+1], pprofenc.Label{})
		}
	})
	m.stats.OutputBytes = cw.n
	return cw.n, err
}

// frames counts the graph nodes a stack makes: a location's lines, or one
// for a location without lines.
func (m *Merger) frames(locs [2]uint32) int {
	n := 0
	for _, id := range locs {
		if id != 0 {
			n += max(1, int(m.locList[id-1].n))
		}
	}
	return n
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
