package pgo

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/emberprof/ember/internal/pprofenc"
)

// ErrNoCPUValue is returned by Add for a profile without a cpu/nanoseconds
// sample type, such as a heap profile.
var ErrNoCPUValue = errors.New("profile has no cpu/nanoseconds sample type")

// A Merger sums CPU profiles, trimmed to what the compiler reads (see the
// package documentation). The zero value is not ready; use NewMerger. It is
// not safe for concurrent use.
type Merger struct {
	sel Selector

	// Everything kept, interned. IDs are indexes plus one, so 0 means none.
	names     map[string]uint32 // function name -> index in nameStrs
	nameStrs  []string
	funcs     map[funcKey]uint32 // -> ID; funcList[ID-1] is the key
	funcList  []funcKey
	locs      map[string]uint32 // encoded location (see locKey) -> ID
	locList   []location
	lines     []line // the lines of every location, back to back
	stacks    map[[2]uint32]int
	stackList []stack

	stats Stats
	// The earliest start and latest end of the profiles, in Unix ns.
	start, end int64
	period     int64

	p parse // the profile being added
}

type funcKey struct {
	name      uint32 // index in nameStrs
	startLine int64
}

type line struct {
	fn   uint32 // function ID
	line int64
}

// location is a kept location: its address and lines[first:first+n].
type location struct {
	addr     uint64
	first, n int32
}

// stack is a kept sample: its innermost location, the one that called it
// (0 if none) and the summed cpu nanoseconds.
type stack struct {
	locs  [2]uint32
	value int64
}

// Stats counts what a Merger read and kept.
type Stats struct {
	Profiles    int   // profiles added
	InputBytes  int64 // their bytes, as given to Add (compressed or not)
	Samples     int   // samples read
	Selected    int   // samples that matched the selector and had a value
	CPU         int64 // their summed cpu nanoseconds
	Stacks      int   // distinct trimmed stacks kept
	Locations   int   // distinct locations kept
	Functions   int   // distinct functions kept
	OutputBytes int64 // bytes of the last profile written
}

// NewMerger returns a Merger that keeps the samples sel matches (every
// sample if sel is empty).
func NewMerger(sel Selector) *Merger {
	return &Merger{
		sel:    sel,
		names:  make(map[string]uint32),
		funcs:  make(map[funcKey]uint32),
		locs:   make(map[string]uint32),
		stacks: make(map[[2]uint32]int),
	}
}

// Stats returns what the Merger has read and kept so far.
func (m *Merger) Stats() Stats {
	s := m.stats
	s.Stacks, s.Locations, s.Functions = len(m.stackList), len(m.locList), len(m.funcList)
	return s
}

// parse holds one profile's tables while it is added. Its slices point
// into raw and are reused from profile to profile, so the memory a Merger
// holds is bounded by its largest profile plus its tables.
type parse struct {
	gz      pprofenc.Gunzipper
	strs    [][]byte
	samples [][]byte
	types   [][2]uint64 // sample types: string indexes of type and unit
	locs    table       // location ID -> message
	funcs   table       // function ID -> message
	locIDs  idMap       // location ID -> kept location ID
	funcIDs idMap       // function ID -> kept function ID
	key     []byte
	labels  [][2][]byte
}

// Add merges one profile, gzipped or not, into m. A profile with samples
// but without a cpu/nanoseconds sample type is refused with ErrNoCPUValue
// and leaves m as it was; an empty one (as a server answers when it has no
// data) adds nothing.
func (m *Merger) Add(data []byte) error {
	raw, err := m.p.decompress(data)
	if err != nil {
		return err
	}
	p := &m.p
	p.reset()
	var timeNanos, durNanos, period int64
	err = pprofenc.Walk(raw, func(f pprofenc.Field) error {
		switch f.Num {
		case pprofenc.ProfileSampleType:
			var vt [2]uint64
			err := pprofenc.Walk(f.Bytes, func(f pprofenc.Field) error {
				if f.Num == pprofenc.ValueTypeType || f.Num == pprofenc.ValueTypeUnit {
					vt[f.Num-1] = f.Value
				}
				return nil
			})
			p.types = append(p.types, vt)
			return err
		case pprofenc.ProfileSample:
			p.samples = append(p.samples, f.Bytes)
		case pprofenc.ProfileLocation:
			return p.locs.add(f.Bytes, pprofenc.LocationID)
		case pprofenc.ProfileFunction:
			return p.funcs.add(f.Bytes, pprofenc.FunctionID)
		case pprofenc.ProfileStringTable:
			p.strs = append(p.strs, f.Bytes)
		case pprofenc.ProfileTimeNanos:
			timeNanos = int64(f.Value)
		case pprofenc.ProfileDurationNanos:
			durNanos = int64(f.Value)
		case pprofenc.ProfilePeriod:
			period = int64(f.Value)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading profile: %w", err)
	}
	vi := -1
	for i, vt := range p.types {
		if p.str(vt[0]) == "cpu" && p.str(vt[1]) == "nanoseconds" {
			vi = i
			break
		}
	}
	if vi < 0 && len(p.samples) > 0 {
		return ErrNoCPUValue
	}
	for _, s := range p.samples {
		if err := m.addSample(s, vi); err != nil {
			return fmt.Errorf("reading profile: %w", err)
		}
	}
	m.stats.Profiles++
	m.stats.InputBytes += int64(len(data))
	if m.period == 0 {
		m.period = period
	}
	if timeNanos != 0 && (m.start == 0 || timeNanos < m.start) {
		m.start = timeNanos
	}
	m.end = max(m.end, timeNanos+durNanos)
	return nil
}

func (p *parse) decompress(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil // not gzipped
	}
	raw, err := p.gz.Gunzip(data)
	if err != nil {
		return nil, fmt.Errorf("decompressing profile: %w", err)
	}
	return raw, nil
}

func (p *parse) reset() {
	p.strs, p.samples, p.types = p.strs[:0], p.samples[:0], p.types[:0]
	p.locs.reset()
	p.funcs.reset()
	p.locIDs.reset()
	p.funcIDs.reset()
}

// str returns the string at index i of the profile's table, or "" when
// out of range; the conversion in a comparison does not allocate.
func (p *parse) str(i uint64) string {
	if i >= uint64(len(p.strs)) {
		return ""
	}
	return string(p.strs[i])
}

func (p *parse) strBytes(i uint64) []byte {
	if i >= uint64(len(p.strs)) {
		return nil
	}
	return p.strs[i]
}

// addSample adds one sample message, whose value vi is the cpu time.
func (m *Merger) addSample(msg []byte, vi int) error {
	p := &m.p
	m.stats.Samples++
	var locs [2]uint64
	nlocs, vals := 0, 0
	var value int64
	p.labels = p.labels[:0]
	err := pprofenc.Walk(msg, func(f pprofenc.Field) error {
		switch f.Num {
		case pprofenc.SampleLocationID:
			if f.Bytes == nil { // not packed
				if nlocs < 2 {
					locs[nlocs] = f.Value
				}
				nlocs++
				return nil
			}
			for b := f.Bytes; len(b) > 0 && nlocs < 2; nlocs++ {
				x, n := binary.Uvarint(b)
				if n <= 0 {
					return errMalformed
				}
				locs[nlocs], b = x, b[n:]
			}
		case pprofenc.SampleValue:
			if f.Bytes == nil {
				if vals == vi {
					value = int64(f.Value)
				}
				vals++
				return nil
			}
			for b := f.Bytes; len(b) > 0 && vals <= vi; vals++ {
				x, n := binary.Uvarint(b)
				if n <= 0 {
					return errMalformed
				}
				if vals == vi {
					value = int64(x)
				}
				b = b[n:]
			}
		case pprofenc.SampleLabel:
			if len(m.sel) == 0 {
				return nil
			}
			k, v, err := pprofenc.ReadLabel(f.Bytes)
			p.labels = append(p.labels, [2][]byte{p.strBytes(k), p.strBytes(v)})
			return err
		}
		return nil
	})
	if err != nil || value == 0 || nlocs == 0 || !m.sel.matches(p.labels) {
		return err
	}
	var key [2]uint32
	for i := range min(nlocs, 2) {
		if key[i], err = m.location(locs[i]); err != nil {
			return err
		}
	}
	m.stats.Selected++
	m.stats.CPU += value
	m.addStack(key, value)
	return nil
}

func (m *Merger) addStack(key [2]uint32, value int64) {
	i, ok := m.stacks[key]
	if !ok {
		i = len(m.stackList)
		m.stacks[key] = i
		m.stackList = append(m.stackList, stack{locs: key})
	}
	m.stackList[i].value += value
}

var errMalformed = errors.New("malformed profile")

// location returns the kept ID of the profile's location id, adding it
// the first time.
func (m *Merger) location(id uint64) (uint32, error) {
	p := &m.p
	if kept := p.locIDs.get(id); kept != 0 {
		return kept, nil
	}
	msg := p.locs.get(id)
	if msg == nil {
		return 0, fmt.Errorf("%w: sample refers to missing location %d", errMalformed, id)
	}
	var addr uint64
	first := len(m.lines)
	err := pprofenc.Walk(msg, func(f pprofenc.Field) error {
		switch f.Num {
		case pprofenc.LocationAddress:
			addr = f.Value
		case pprofenc.LocationLine:
			var fnID uint64
			var ln int64
			if err := pprofenc.Walk(f.Bytes, func(f pprofenc.Field) error {
				switch f.Num {
				case pprofenc.LineFunctionID:
					fnID = f.Value
				case pprofenc.LineLine:
					ln = int64(f.Value)
				}
				return nil
			}); err != nil {
				return err
			}
			fn, err := m.function(fnID)
			if err != nil {
				return err
			}
			m.lines = append(m.lines, line{fn: fn, line: ln})
		}
		return nil
	})
	if err != nil {
		m.lines = m.lines[:first]
		return 0, err
	}
	// The key: address, then function and line of each line.
	k := binary.AppendUvarint(p.key[:0], addr)
	for _, l := range m.lines[first:] {
		k = binary.AppendUvarint(k, uint64(l.fn))
		k = binary.AppendUvarint(k, uint64(l.line))
	}
	p.key = k
	kept, ok := m.locs[string(k)]
	if ok {
		m.lines = m.lines[:first] // already kept
	} else {
		m.locList = append(m.locList, location{addr: addr, first: int32(first), n: int32(len(m.lines) - first)})
		kept = uint32(len(m.locList))
		m.locs[string(k)] = kept
	}
	p.locIDs.set(id, kept)
	return kept, nil
}

// function returns the kept ID of the profile's function id.
func (m *Merger) function(id uint64) (uint32, error) {
	p := &m.p
	if kept := p.funcIDs.get(id); kept != 0 {
		return kept, nil
	}
	msg := p.funcs.get(id)
	if msg == nil {
		return 0, fmt.Errorf("%w: location refers to missing function %d", errMalformed, id)
	}
	var name []byte
	var start int64
	err := pprofenc.Walk(msg, func(f pprofenc.Field) error {
		switch f.Num {
		case pprofenc.FunctionName:
			name = p.strBytes(f.Value)
		case pprofenc.FunctionStartLine:
			start = int64(f.Value)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	ni, ok := m.names[string(name)]
	if !ok {
		m.nameStrs = append(m.nameStrs, string(name))
		ni = uint32(len(m.nameStrs) - 1)
		m.names[m.nameStrs[ni]] = ni
	}
	fk := funcKey{name: ni, startLine: start}
	kept, ok := m.funcs[fk]
	if !ok {
		m.funcList = append(m.funcList, fk)
		kept = uint32(len(m.funcList))
		m.funcs[fk] = kept
	}
	p.funcIDs.set(id, kept)
	return kept, nil
}
