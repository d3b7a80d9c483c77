// Package pprofenc writes gzipped pprof (profile.proto) profiles for
// collectors that emit many profiles from the same process.
//
// An Encoder is meant to live as long as its collector. Everything that does
// not change between profiles is kept: the string table, functions and
// locations (each encoded once, when first added) and the mappings; profiles
// are compressed as they are built, with one gzip writer every Encoder
// shares. A profile then costs only its samples, plus copying the already
// encoded locations and functions those samples use.
//
// The wire format follows github.com/google/pprof/proto/profile.proto.
package pprofenc

import (
	"encoding/binary"
	"fmt"
	"io"
)

// ValueType names a sample value or the sampling period, such as
// ("alloc_space", "bytes").
type ValueType struct {
	Type, Unit string
}

// Header holds the per-profile fields that are not samples.
type Header struct {
	// SampleTypes are the types of the values Sample is given, one per
	// value.
	SampleTypes []ValueType
	// Keep, if not nil, holds the indexes into SampleTypes of the types
	// the profile has, in the order it has them; the others are left out.
	// Sample is still given one value per entry of SampleTypes and writes
	// only the kept ones; a sample whose kept values are all zero is left
	// out, and the locations only it uses are not written.
	Keep []int
	// Labels are written on every sample. A numeric label of a Sample
	// whose key is one of theirs is not written: the string label
	// replaces it. Keys should be distinct.
	Labels        []StringLabel
	PeriodType    ValueType
	Period        int64
	TimeNanos     int64
	DurationNanos int64
}

// StringLabel is a string sample label such as ("service", "api").
type StringLabel struct {
	Key, Value string
}

// Line is one frame of a location: a function and a line in it. A location
// of inlined calls has several lines, the innermost (leaf) first.
type Line struct {
	Function   string // name shown to people
	SystemName string // symbol name; runtime/pprof uses the same as Function
	File       string
	Line       int64
	StartLine  int64 // first line of the function
}

// Label is a numeric sample label such as ("bytes", 64). The zero Label
// means no label.
type Label struct {
	Key int64 // from Encoder.String; 0 for none
	Num int64
}

// Encoder builds profiles. It is not safe for concurrent use.
type Encoder struct {
	strings stringTable

	funcIDs  map[string]uint64 // by name, like runtime/pprof
	funcs    []function        // by ID-1
	locMsgs  [][]byte          // encoded Location fields, by ID-1
	locFuncs [][]uint64        // functions each location uses, by ID-1

	mappings []mapping

	// The current profile's Header.Keep, the stable string IDs of its
	// labels' keys, and its labels encoded as Sample fields.
	keep      []int
	labelKeys []int64
	labels    []byte

	// Marks of what the current profile uses, so each location and
	// function is written once per profile.
	gen      uint32
	locMark  []uint32
	funcMark []uint32
	usedLocs []uint64

	out     []byte // the part of the profile not yet compressed
	scratch []byte
	zw      io.Writer // the compressor, during Write
	err     error     // the compressor's first error, during Write
}

// New returns an Encoder whose locations are attributed to mappings.
// With no mappings, one mapping covering every address is used.
func New(mappings []Mapping) *Encoder {
	e := &Encoder{
		strings: newStringTable(),
		funcIDs: make(map[string]uint64),
	}
	e.String("")
	e.setMappings(mappings)
	return e
}

// function is a Function message's content, with string IDs.
type function struct {
	name, systemName, file int64
	startLine              int64
}

// String returns a stable ID for s, for use as a Label key.
func (e *Encoder) String(s string) int64 { return e.strings.id(s) }

// AddLocation records a location at addr with the given lines (leaf first)
// and returns its ID, valid for every later profile of this Encoder.
// Callers cache the ID; adding the same location twice gives two IDs.
// symbolized reports whether every line was resolved to a function, file and
// line; it decides the mapping's has_functions flag.
func (e *Encoder) AddLocation(addr uint64, lines []Line, symbolized bool) uint64 {
	id := uint64(len(e.locMsgs)) + 1
	funcs := make([]uint64, 0, len(lines))
	m := e.scratch[:0]
	m = appendUint64(m, LocationID, id)
	if mi := e.mappingFor(addr); mi >= 0 {
		m = appendUint64(m, LocationMappingID, uint64(mi)+1)
		if !symbolized {
			e.mappings[mi].unsymbolized = true
		}
	}
	m = appendUint64(m, LocationAddress, addr)
	for _, l := range lines {
		fid := e.function(l)
		funcs = append(funcs, fid)
		var lb [24]byte
		ln := appendUint64(lb[:0], LineFunctionID, fid)
		ln = appendInt64(ln, LineLine, l.Line)
		m = appendBytes(m, LocationLine, ln)
	}
	e.scratch = m
	e.locMsgs = append(e.locMsgs, appendBytes(nil, ProfileLocation, m))
	e.locFuncs = append(e.locFuncs, funcs)
	e.locMark = append(e.locMark, 0)
	return id
}

func (e *Encoder) function(l Line) uint64 {
	if id, ok := e.funcIDs[l.Function]; ok {
		return id
	}
	sys := l.SystemName
	if sys == "" {
		sys = l.Function
	}
	e.funcs = append(e.funcs, function{
		name:       e.String(l.Function),
		systemName: e.String(sys),
		file:       e.String(l.File),
		startLine:  l.StartLine,
	})
	e.funcMark = append(e.funcMark, 0)
	id := uint64(len(e.funcs))
	e.funcIDs[l.Function] = id
	return id
}

func (e *Encoder) appendFunction(b []byte, id uint64) []byte {
	f := e.funcs[id-1]
	m := e.scratch[:0]
	m = appendUint64(m, FunctionID, id)
	m = appendInt64(m, FunctionName, e.strings.index(f.name))
	m = appendInt64(m, FunctionSystemName, e.strings.index(f.systemName))
	m = appendInt64(m, FunctionFilename, e.strings.index(f.file))
	m = appendInt64(m, FunctionStartLine, f.startLine)
	e.scratch = m
	return appendBytes(b, ProfileFunction, m)
}

// Write writes one profile to w, gzipped: h, the samples that samples adds
// with Sample, then the locations, functions, mappings and strings those
// samples use. The profile is compressed as it is built, so the Encoder
// never holds a whole one; samples runs while the gzip writer every Encoder
// shares is held, so it must not write another profile.
//
// Write fails, writing nothing, if h.Keep holds an index out of
// h.SampleTypes.
func (e *Encoder) Write(w io.Writer, h Header, samples func()) error {
	for _, i := range h.Keep {
		if i < 0 || i >= len(h.SampleTypes) {
			return fmt.Errorf("pprofenc: kept sample type %d of %d", i, len(h.SampleTypes))
		}
	}
	return Compress(w, func(zw io.Writer) error {
		e.zw, e.err = zw, nil
		defer func() { e.zw = nil }()
		e.start(h)
		samples()
		e.finish()
		e.flush()
		return e.err
	})
}

// flushAt is how much of a profile the Encoder gathers before handing it to
// the compressor: large enough that each write is cheap, small enough that
// the buffer stays small whatever the profile's size.
const flushAt = 32 << 10

// flush hands what is gathered of the profile to the compressor. After a
// write error, the rest of the profile is dropped and Write returns it.
func (e *Encoder) flush() {
	if e.err == nil {
		_, e.err = e.zw.Write(e.out)
	}
	e.out = e.out[:0]
}

// start begins a profile with its header, and prepares what every sample
// of it writes the same way: which values, and the labels.
func (e *Encoder) start(h Header) {
	e.gen++
	e.usedLocs = e.usedLocs[:0]
	e.strings.reset()
	b := e.out[:0]
	if e.keep = h.Keep; e.keep == nil {
		for _, st := range h.SampleTypes {
			b = e.appendValueType(b, ProfileSampleType, st)
		}
	} else {
		for _, i := range h.Keep {
			b = e.appendValueType(b, ProfileSampleType, h.SampleTypes[i])
		}
	}
	e.labelKeys, e.labels = e.labelKeys[:0], e.labels[:0]
	for _, l := range h.Labels {
		key := e.strings.id(l.Key)
		e.labelKeys = append(e.labelKeys, key)
		lb := appendInt64(e.scratch[:0], LabelKey, e.strings.index(key))
		lb = appendInt64(lb, LabelStr, e.strings.str(l.Value))
		e.scratch = lb
		e.labels = appendBytes(e.labels, SampleLabel, lb)
	}
	b = appendInt64(b, ProfileTimeNanos, h.TimeNanos)
	b = appendInt64(b, ProfileDurationNanos, h.DurationNanos)
	b = e.appendValueType(b, ProfilePeriodType, h.PeriodType)
	b = appendInt64(b, ProfilePeriod, h.Period)
	e.out = b
}

func (e *Encoder) appendValueType(b []byte, field int, vt ValueType) []byte {
	m := e.scratch[:0]
	m = appendInt64(m, ValueTypeType, e.strings.str(vt.Type))
	m = appendInt64(m, ValueTypeUnit, e.strings.str(vt.Unit))
	e.scratch = m
	return appendBytes(b, field, m)
}

// Stack is a sample's location IDs (leaf first), in the encoded form a
// sample is written with, so samples of the same stack in later profiles
// cost a copy. Sample reads the IDs back from it, so a stack costs about
// one byte per location and nothing else.
type Stack []byte

// AppendStack appends to b the Stack of location IDs returned by
// AddLocation; the appended bytes are the Stack. ids is not retained.
func AppendStack(b []byte, ids []uint64) []byte {
	return appendPackedUint64(b, SampleLocationID, ids)
}

// Sample adds a sample of stack with values, one per entry of the
// Header's SampleTypes, an optional numeric label and the Header's Labels,
// to the profile being written: call it only from the samples function of
// Write. With a Header.Keep, only the kept values are written, and not the
// sample at all if they are all zero.
func (e *Encoder) Sample(stack Stack, values []int64, label Label) {
	m := append(e.scratch[:0], stack...)
	if e.keep == nil {
		m = appendPackedInt64(m, SampleValue, values)
	} else {
		var ok bool
		if m, ok = appendKept(m, values, e.keep); !ok {
			e.scratch = m // as grown for the stack
			return
		}
	}
	if label.Key != 0 && !e.replaced(label.Key) {
		var lb [24]byte
		l := appendInt64(lb[:0], LabelKey, e.strings.index(label.Key))
		l = appendInt64(l, LabelNum, label.Num)
		m = appendBytes(m, SampleLabel, l)
	}
	m = append(m, e.labels...)
	e.scratch = m
	e.out = appendBytes(e.out, ProfileSample, m)
	if len(e.out) >= flushAt {
		e.flush()
	}
	for ids := stack.ids(); len(ids) > 0; {
		id, n := binary.Uvarint(ids)
		ids = ids[n:]
		if e.locMark[id-1] != e.gen {
			e.locMark[id-1] = e.gen
			e.usedLocs = append(e.usedLocs, id)
		}
	}
}

// appendKept writes the values at the indexes keep as one packed field,
// and reports whether any of them is not zero; if none is, b is returned
// as it was.
func appendKept(b []byte, values []int64, keep []int) ([]byte, bool) {
	n, nonZero := 0, false
	for _, i := range keep {
		n += varintLen(uint64(values[i]))
		nonZero = nonZero || values[i] != 0
	}
	if !nonZero {
		return b, false
	}
	b = appendKey(b, SampleValue, wireBytes)
	b = appendVarint(b, uint64(n))
	for _, i := range keep {
		b = appendVarint(b, uint64(values[i]))
	}
	return b, true
}

// replaced reports whether a numeric label of key gives way to a string
// label of the profile.
func (e *Encoder) replaced(key int64) bool {
	for _, k := range e.labelKeys {
		if k == key {
			return true
		}
	}
	return false
}

// ids returns the varints of s's location IDs: its packed field without
// the key and length.
func (s Stack) ids() []byte {
	if len(s) == 0 {
		return nil
	}
	_, k := binary.Uvarint(s)     // key
	_, l := binary.Uvarint(s[k:]) // length
	return s[k+l:]
}

// finish adds the locations and functions the samples used, the mappings
// and the profile's string table.
func (e *Encoder) finish() {
	for _, id := range e.usedLocs {
		e.out = append(e.out, e.locMsgs[id-1]...)
		for _, fid := range e.locFuncs[id-1] {
			if e.funcMark[fid-1] != e.gen {
				e.funcMark[fid-1] = e.gen
				e.out = e.appendFunction(e.out, fid)
			}
		}
		if len(e.out) >= flushAt {
			e.flush()
		}
	}
	e.out = e.appendMappings(e.out)
	for _, id := range e.strings.order {
		e.out = appendString(e.out, ProfileStringTable, e.strings.strs[id])
		if len(e.out) >= flushAt {
			e.flush()
		}
	}
}
