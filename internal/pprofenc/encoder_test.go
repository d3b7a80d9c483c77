package pprofenc

import (
	"bytes"
	"compress/gzip"
	"io"
	"runtime"
	"testing"

	"github.com/google/pprof/profile"
)

func encode(t *testing.T, e *Encoder, h Header, samples func()) *profile.Profile {
	t.Helper()
	var buf bytes.Buffer
	if err := e.Write(&buf, h, samples); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	return p
}

func stackOf(ids []uint64) Stack { return AppendStack(nil, ids) }

var header = Header{
	SampleTypes:   []ValueType{{"alloc_objects", "count"}, {"alloc_space", "bytes"}},
	PeriodType:    ValueType{"space", "bytes"},
	Period:        512 * 1024,
	TimeNanos:     1e18,
	DurationNanos: 15e9,
}

func TestRoundTrip(t *testing.T) {
	e := New([]Mapping{{Start: 0x1000, Limit: 0x9000, Offset: 0x100, File: "/bin/app", BuildID: "abc"}})
	leaf := e.AddLocation(0x1234, []Line{
		{Function: "main.inner", File: "a.go", Line: 10, StartLine: 8},
		{Function: "main.outer", File: "a.go", Line: 20, StartLine: 18},
	}, true)
	root := e.AddLocation(0x2000, []Line{{Function: "main.main", File: "main.go", Line: 5, StartLine: 3}}, true)
	unused := e.AddLocation(0x3000, []Line{{Function: "main.unused", File: "u.go", Line: 1, StartLine: 1}}, true)
	bytesKey := e.String("bytes")

	p := encode(t, e, header, func() {
		e.Sample(stackOf([]uint64{leaf, root}), []int64{3, 300}, Label{Key: bytesKey, Num: 100})
		e.Sample(stackOf([]uint64{root}), []int64{1, 0}, Label{})
	})

	if p.TimeNanos != 1e18 || p.DurationNanos != 15e9 || p.Period != 512*1024 || p.PeriodType.Type != "space" {
		t.Errorf("header: time %d duration %d period %d %v", p.TimeNanos, p.DurationNanos, p.Period, p.PeriodType)
	}
	if len(p.Sample) != 2 {
		t.Fatalf("%d samples", len(p.Sample))
	}
	s := p.Sample[0]
	if s.Value[0] != 3 || s.Value[1] != 300 || s.NumLabel["bytes"][0] != 100 {
		t.Errorf("sample values %v labels %v", s.Value, s.NumLabel)
	}
	l := s.Location[0]
	if l.Address != 0x1234 || len(l.Line) != 2 || l.Line[0].Function.Name != "main.inner" || l.Line[1].Line != 20 ||
		l.Line[0].Function.StartLine != 8 || l.Line[0].Function.Filename != "a.go" || l.Line[0].Function.SystemName != "main.inner" {
		t.Errorf("leaf location %+v", l)
	}
	if l.Mapping == nil || l.Mapping.File != "/bin/app" || l.Mapping.BuildID != "abc" || l.Mapping.Offset != 0x100 || !l.Mapping.HasFunctions {
		t.Errorf("mapping %+v", l.Mapping)
	}
	for _, loc := range p.Location {
		if loc.ID == unused {
			t.Errorf("location no sample uses was written")
		}
	}

	// A second profile reuses the tables: IDs stay valid, and only what
	// its samples use is written.
	p2 := encode(t, e, header, func() {
		e.Sample(stackOf([]uint64{unused}), []int64{1, 1}, Label{})
	})
	if len(p2.Location) != 1 || p2.Location[0].Line[0].Function.Name != "main.unused" || len(p2.Function) != 1 {
		t.Errorf("second profile: %d locations, %d functions", len(p2.Location), len(p2.Function))
	}

	// Its string table holds only what it uses.
	var buf bytes.Buffer
	if err := e.Write(&buf, header, func() {
		e.Sample(stackOf([]uint64{unused}), []int64{1, 1}, Label{})
	}); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("main.inner")) || bytes.Contains(raw, []byte("a.go")) || !bytes.Contains(raw, []byte("main.unused")) {
		t.Errorf("string table of a profile using only main.unused: %q", raw)
	}
}

func TestUnsymbolizedClearsHasFunctions(t *testing.T) {
	e := New(nil)
	id := e.AddLocation(0x10, []Line{{Function: "", Line: 0}}, false)
	p := encode(t, e, header, func() { e.Sample(stackOf([]uint64{id}), []int64{1, 1}, Label{}) })
	if len(p.Mapping) != 1 || p.Mapping[0].HasFunctions {
		t.Errorf("mappings %+v", p.Mapping)
	}
}

func TestParseProcMaps(t *testing.T) {
	maps := `00400000-0040b000 r-xp 00000000 fc:01 787766                             /bin/cat
0060a000-0060b000 r--p 0000a000 fc:01 787766                             /bin/cat
014ab000-014cc000 rw-p 00000000 00:00 0                                  [heap]
7f7d7797c000-7f7d77b36000 r-xp 00001000 fc:01 1180226                    /lib/x86_64-linux-gnu/libc-2.19.so
7f7d77b40000-7f7d77b41000 r-xp 00000000 fc:01 1180227                    /tmp/my lib.so (deleted)
7f7d77d3c000-7f7d77d41000 r-xp 00000000 00:00 0
7ffc34343000-7ffc34345000 r-xp 00000000 00:00 0                          [vdso]
`
	got := ParseProcMaps([]byte(maps))
	want := []Mapping{
		{Start: 0x400000, Limit: 0x40b000, File: "/bin/cat"},
		{Start: 0x7f7d7797c000, Limit: 0x7f7d77b36000, Offset: 0x1000, File: "/lib/x86_64-linux-gnu/libc-2.19.so"},
		{Start: 0x7f7d77b40000, Limit: 0x7f7d77b41000, File: "/tmp/my lib.so"},
		{Start: 0x7ffc34343000, Limit: 0x7ffc34345000, File: "[vdso]"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d mappings: %+v", len(got), got)
	}
	for i := range want {
		g := got[i]
		g.BuildID = "" // depends on the files of this machine
		if g != want[i] {
			t.Errorf("mapping %d: %+v, want %+v", i, g, want[i])
		}
	}
}

func TestProcessMappingsHasThisBinary(t *testing.T) {
	ms := ProcessMappings()
	if len(ms) == 0 {
		t.Skip("no /proc/self/maps")
	}
	if ms[0].BuildID == "" {
		t.Logf("no build ID for %s", ms[0].File)
	}
	pc := uint64(0)
	for _, m := range ms {
		if m.Start <= uint64(funcAddr()) && uint64(funcAddr()) < m.Limit {
			pc = m.Start
		}
	}
	if pc == 0 {
		t.Errorf("no mapping holds this test's code; mappings %+v", ms)
	}
}

// funcAddr returns a PC in this package's code.
func funcAddr() uintptr {
	pc, _, _, _ := runtime.Caller(0)
	return pc
}
