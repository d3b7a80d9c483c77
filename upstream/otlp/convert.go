package otlp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pprofile"

	"github.com/emberprof/ember/internal/version"
	"github.com/emberprof/ember/interval"
)

// Attribute keys this package writes besides the pprof labels and tags.
const (
	// keyServiceName is the OpenTelemetry resource attribute naming the service.
	keyServiceName = "service.name"
	// KeyProfileType is the profile attribute naming the runtime profile a
	// sample type came from (an interval.Type such as "mutex"): mutex and
	// block profiles share their sample types and differ only in this.
	KeyProfileType = "ember.profile.type"
	// The pprof labels that become a sample's link instead of attributes.
	labelSpanID  = "span_id"
	labelTraceID = "trace_id"
)

// gauges are the sample types that describe one instant (the end of the
// interval) rather than what happened during it.
var gauges = map[string]bool{
	"inuse_space":   true,
	"inuse_objects": true,
	"goroutine":     true,
	"goroutineleak": true,
}

// scopeName is the instrumentation scope of every profile sent.
const scopeName = "github.com/emberprof/ember"

// convert turns one interval's profiles into one OTLP request: a resource
// per application and tag set, and one OTLP profile per pprof sample type
// (OTLP profiles carry a single sample type each), all sharing one
// dictionary. A pprof that does not parse is left out, and the error
// names it.
func convert(batch []*interval.Profile) (pprofile.Profiles, error) {
	out := pprofile.NewProfiles()
	d := newDictionary(out.Dictionary())
	scopes := map[string]pprofile.ScopeProfiles{}
	var errs []error
	for _, p := range batch {
		src, err := profile.Parse(bytes.NewReader(p.Data))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s profile left out: %w", p.Application, p.Type, err))
			continue
		}
		key := resourceKey(p)
		scope, ok := scopes[key]
		if !ok {
			scope = newResource(out, p)
			scopes[key] = scope
		}
		d.add(scope.Profiles(), p, src)
	}
	return out, errors.Join(errs...)
}

// resourceKey identifies the resource a profile belongs to.
func resourceKey(p *interval.Profile) string {
	var b strings.Builder
	b.WriteString(strconv.Quote(p.Application))
	for _, k := range sortedKeys(p.Tags) {
		b.WriteString(strconv.Quote(k) + strconv.Quote(p.Tags[k]))
	}
	return b.String()
}

// newResource starts the resource of p's application and tags, with
// Ember's scope in it.
func newResource(out pprofile.Profiles, p *interval.Profile) pprofile.ScopeProfiles {
	rp := out.ResourceProfiles().AppendEmpty()
	attrs := rp.Resource().Attributes()
	attrs.EnsureCapacity(len(p.Tags) + 1)
	for _, k := range sortedKeys(p.Tags) {
		attrs.PutStr(k, p.Tags[k])
	}
	attrs.PutStr(keyServiceName, p.Application)
	sp := rp.ScopeProfiles().AppendEmpty()
	sp.Scope().SetName(scopeName)
	sp.Scope().SetVersion(version.Version)
	return sp
}

// sortedKeys returns m's keys in order, so that equal input gives equal
// output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// add appends one OTLP profile per wanted sample type of src.
func (d *dictionary) add(dst pprofile.ProfilesSlice, p *interval.Profile, src *profile.Profile) {
	d.startSource()
	typeAttr := d.attribute(KeyProfileType, string(p.Type), "")
	for i, st := range src.SampleType {
		if p.SampleTypes != nil && !slices.Contains(p.SampleTypes, st.Type) {
			continue
		}
		prof := dst.AppendEmpty()
		prof.SampleType().SetTypeStrindex(d.str(st.Type))
		prof.SampleType().SetUnitStrindex(d.str(st.Unit))
		if src.PeriodType != nil {
			prof.PeriodType().SetTypeStrindex(d.str(src.PeriodType.Type))
			prof.PeriodType().SetUnitStrindex(d.str(src.PeriodType.Unit))
		}
		prof.SetPeriod(src.Period)
		// A delta covers [From, Until); a gauge is what was there at Until.
		if gauges[st.Type] {
			prof.SetTime(pcommon.NewTimestampFromTime(p.Until))
		} else {
			prof.SetTime(pcommon.NewTimestampFromTime(p.From))
			prof.SetDurationNano(uint64(p.Until.Sub(p.From).Nanoseconds()))
		}
		prof.AttributeIndices().Append(typeAttr)
		var id [16]byte
		_, _ = rand.Read(id[:])
		prof.SetProfileID(id)
		samples := prof.Samples()
		samples.EnsureCapacity(len(src.Sample))
		for _, s := range src.Sample {
			if s.Value[i] == 0 {
				continue
			}
			d.sample(samples.AppendEmpty(), s, s.Value[i])
		}
	}
}

// dictionary fills a request's shared tables, adding each distinct string,
// function, mapping, location, stack, attribute and link once. Every table
// starts with its zero value, which index 0 means.
type dictionary struct {
	d         pprofile.ProfilesDictionary
	strings   map[string]int32
	functions map[function]int32
	stacks    map[string]int32
	attrs     map[attribute]int32
	links     map[[24]byte]int32
	// Per source pprof, by its IDs.
	locations map[uint64]int32
	mappings  map[uint64]int32
}

type function struct {
	name, systemName, file int32
	startLine              int64
}

// attribute is an attribute table entry: a string, an int or a bool.
type attribute struct {
	key, unit int32
	kind      pcommon.ValueType
	str       string
	num       int64
}

func newDictionary(d pprofile.ProfilesDictionary) *dictionary {
	x := &dictionary{
		d:         d,
		strings:   map[string]int32{},
		functions: map[function]int32{},
		stacks:    map[string]int32{},
		attrs:     map[attribute]int32{},
		links:     map[[24]byte]int32{},
	}
	x.str("")
	d.MappingTable().AppendEmpty()
	d.LocationTable().AppendEmpty()
	d.FunctionTable().AppendEmpty()
	d.LinkTable().AppendEmpty()
	d.AttributeTable().AppendEmpty()
	d.StackTable().AppendEmpty()
	x.stacks[""] = 0
	return x
}

// startSource forgets the IDs of the previous pprof.
func (x *dictionary) startSource() {
	x.locations = map[uint64]int32{}
	x.mappings = map[uint64]int32{}
}

// intern returns key's index in a table of n entries, calling add to
// append the entry first if key is new.
func intern[K comparable](m map[K]int32, key K, n int, add func()) int32 {
	if i, ok := m[key]; ok {
		return i
	}
	add()
	m[key] = int32(n)
	return int32(n)
}

func (x *dictionary) str(s string) int32 {
	t := x.d.StringTable()
	return intern(x.strings, s, t.Len(), func() { t.Append(s) })
}

// sample fills dst from s, with value v.
func (x *dictionary) sample(dst pprofile.Sample, s *profile.Sample, v int64) {
	dst.Values().Append(v)
	dst.SetStackIndex(x.stack(s.Location))
	var spanID, traceID string
	for _, k := range sortedKeys(s.Label) {
		for _, value := range s.Label[k] {
			switch {
			case k == labelSpanID && spanID == "" && validHex(value, 8):
				spanID = value
			case k == labelTraceID && traceID == "" && validHex(value, 16):
				traceID = value
			default:
				dst.AttributeIndices().Append(x.attribute(k, value, ""))
			}
		}
	}
	for _, k := range sortedKeys(s.NumLabel) {
		for j, n := range s.NumLabel[k] {
			unit := ""
			if j < len(s.NumUnit[k]) {
				unit = s.NumUnit[k][j]
			}
			dst.AttributeIndices().Append(x.numAttribute(k, n, unit))
		}
	}
	switch {
	case spanID != "":
		dst.SetLinkIndex(x.link(traceID, spanID))
	case traceID != "": // a trace ID without a span stays an attribute
		dst.AttributeIndices().Append(x.attribute(labelTraceID, traceID, ""))
	}
}

// validHex reports whether s is the hex form of n bytes, not all zero.
func validHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	b, err := hex.DecodeString(s)
	return err == nil && slices.ContainsFunc(b, func(c byte) bool { return c != 0 })
}

func (x *dictionary) attribute(key, value, unit string) int32 {
	return x.attr(attribute{key: x.str(key), unit: x.str(unit), kind: pcommon.ValueTypeStr, str: value})
}

func (x *dictionary) numAttribute(key string, value int64, unit string) int32 {
	return x.attr(attribute{key: x.str(key), unit: x.str(unit), kind: pcommon.ValueTypeInt, num: value})
}

// boolAttribute returns the index of key = true.
func (x *dictionary) boolAttribute(key string) int32 {
	return x.attr(attribute{key: x.str(key), kind: pcommon.ValueTypeBool})
}

func (x *dictionary) attr(a attribute) int32 {
	t := x.d.AttributeTable()
	return intern(x.attrs, a, t.Len(), func() {
		kv := t.AppendEmpty()
		kv.SetKeyStrindex(a.key)
		kv.SetUnitStrindex(a.unit)
		switch a.kind {
		case pcommon.ValueTypeInt:
			kv.Value().SetInt(a.num)
		case pcommon.ValueTypeBool:
			kv.Value().SetBool(true)
		default:
			kv.Value().SetStr(a.str)
		}
	})
}

// link returns the index of the link to the span; traceID may be empty.
func (x *dictionary) link(traceID, spanID string) int32 {
	var key [24]byte
	_, _ = hex.Decode(key[:16], []byte(traceID))
	_, _ = hex.Decode(key[16:], []byte(spanID))
	t := x.d.LinkTable()
	return intern(x.links, key, t.Len(), func() {
		l := t.AppendEmpty()
		l.SetTraceID(pcommon.TraceID(key[:16]))
		l.SetSpanID(pcommon.SpanID(key[16:]))
	})
}

func (x *dictionary) stack(locs []*profile.Location) int32 {
	ids := make([]int32, len(locs))
	var key strings.Builder
	for j, l := range locs {
		ids[j] = x.location(l)
		key.WriteString(strconv.Itoa(int(ids[j])))
		key.WriteByte(',')
	}
	t := x.d.StackTable()
	return intern(x.stacks, key.String(), t.Len(), func() { t.AppendEmpty().LocationIndices().FromRaw(ids) })
}

func (x *dictionary) location(l *profile.Location) int32 {
	t := x.d.LocationTable()
	return intern(x.locations, l.ID, t.Len(), func() {
		loc := t.AppendEmpty()
		loc.SetAddress(l.Address)
		if l.Mapping != nil {
			loc.SetMappingIndex(x.mapping(l.Mapping))
		}
		for _, line := range l.Line {
			ln := loc.Lines().AppendEmpty()
			ln.SetLine(line.Line)
			ln.SetColumn(line.Column)
			if line.Function != nil {
				ln.SetFunctionIndex(x.function(line.Function))
			}
		}
	})
}

func (x *dictionary) function(f *profile.Function) int32 {
	key := function{x.str(f.Name), x.str(f.SystemName), x.str(f.Filename), f.StartLine}
	t := x.d.FunctionTable()
	return intern(x.functions, key, t.Len(), func() {
		fn := t.AppendEmpty()
		fn.SetNameStrindex(key.name)
		fn.SetSystemNameStrindex(key.systemName)
		fn.SetFilenameStrindex(key.file)
		fn.SetStartLine(key.startLine)
	})
}

// mapping returns the index of m, with pprof's symbolization flags as the
// semantic conventions' pprof.mapping.* attributes.
func (x *dictionary) mapping(m *profile.Mapping) int32 {
	t := x.d.MappingTable()
	return intern(x.mappings, m.ID, t.Len(), func() {
		mp := t.AppendEmpty()
		mp.SetMemoryStart(m.Start)
		mp.SetMemoryLimit(m.Limit)
		mp.SetFileOffset(m.Offset)
		mp.SetFilenameStrindex(x.str(m.File))
		for _, flag := range []struct {
			key string
			on  bool
		}{
			{"pprof.mapping.has_functions", m.HasFunctions},
			{"pprof.mapping.has_filenames", m.HasFilenames},
			{"pprof.mapping.has_line_numbers", m.HasLineNumbers},
			{"pprof.mapping.has_inline_frames", m.HasInlineFrames},
		} {
			if flag.on {
				mp.AttributeIndices().Append(x.boolAttribute(flag.key))
			}
		}
	})
}
