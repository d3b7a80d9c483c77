package pgo

import (
	"bytes"
	"errors"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// edge is a call edge as the compiler names it (cmd/internal/pgo).
type edge struct {
	caller string
	offset int64
	callee string
}

// compilerEdges computes, from a whole profile, the call edge weights that
// cmd/internal/pgo.FromPProf derives (through internal/profile.NewGraph),
// using the cpu/nanoseconds value: written out independently of the
// Merger, as the reference it must agree with.
func compilerEdges(t *testing.T, p *profile.Profile) map[edge]int64 {
	t.Helper()
	vi := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			vi = i
		}
	}
	if vi < 0 {
		t.Fatal("profile has no cpu/nanoseconds")
	}
	type node struct {
		name        string
		addr        uint64
		start, line int64
	}
	out := map[edge]int64{}
	for _, s := range p.Sample {
		w := s.Value[vi]
		if w == 0 {
			continue
		}
		seenNode := map[node]bool{}
		seenEdge := map[[2]node]bool{}
		var parent *node
		for i := min(1, len(s.Location)-1); i >= 0; i-- {
			l := s.Location[i]
			lines := l.Line
			if len(lines) == 0 {
				lines = []profile.Line{{}}
			}
			for j := len(lines) - 1; j >= 0; j-- {
				n := node{addr: l.Address}
				if f := lines[j].Function; f != nil {
					n = node{f.Name, l.Address, f.StartLine, lines[j].Line}
				}
				saw := seenNode[n]
				seenNode[n] = true
				if parent != nil && *parent != n && (!saw || !seenEdge[[2]node{*parent, n}]) {
					seenEdge[[2]node{*parent, n}] = true
					out[edge{parent.name, parent.line - parent.start, n.name}] += w
				}
				parent = &n
			}
		}
	}
	return out
}

func encode(t testing.TB, p *profile.Profile) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeMerged(t *testing.T, m *Merger) *profile.Profile {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMergeKeepsTheCompilersEdges merges synthetic CPU profiles (deep
// stacks, inlined frames, labels) and checks that the trimmed result gives
// the compiler exactly the call edge weights of google/pprof's full merge.
func TestMergeKeepsTheCompilersEdges(t *testing.T) {
	w := newWorld(1, 200, 500)
	rng := rand.New(rand.NewPCG(2, 2))
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var profs []*profile.Profile
	m := NewMerger(nil)
	var in int64
	for i := range 20 {
		p := w.profile(rng, start.Add(time.Duration(i)*15*time.Second), 15*time.Second, 800)
		profs = append(profs, p)
		data := encode(t, p)
		in += int64(len(data))
		if err := m.Add(data); err != nil {
			t.Fatal(err)
		}
	}
	full, err := profile.Merge(profs)
	if err != nil {
		t.Fatal(err)
	}
	want := compilerEdges(t, full)
	got := writeMerged(t, m)
	if g := compilerEdges(t, got); !maps.Equal(g, want) {
		t.Fatalf("merged edges differ: %d edges, want %d", len(g), len(want))
	}
	if len(want) < 100 {
		t.Fatalf("only %d edges: the test's profiles are too small to tell", len(want))
	}
	st := m.Stats()
	if st.Profiles != 20 || st.InputBytes != in {
		t.Errorf("Stats = %+v, want 20 profiles of %d bytes", st, in)
	}
	if fullSize := int64(len(encode(t, full))); st.OutputBytes*2 > fullSize {
		t.Errorf("trimmed profile is %d bytes, the full merge %d: not trimmed", st.OutputBytes, fullSize)
	} else {
		t.Logf("trimmed profile %d bytes, full merge %d, inputs %d", st.OutputBytes, fullSize, in)
	}
	if len(got.SampleType) != 1 || got.SampleType[0].Type != "cpu" || len(got.Mapping) != 1 || got.Mapping[0].File != "" {
		t.Errorf("trimmed profile keeps more than cpu/nanoseconds: types %v, mappings %v", got.SampleType, got.Mapping)
	}
	for _, s := range got.Sample {
		if len(s.Location) > 2 || len(s.Label) > 0 {
			t.Fatalf("trimmed sample %v keeps %d locations and labels %v", s, len(s.Location), s.Label)
		}
	}
	if got.TimeNanos != start.UnixNano() || got.DurationNanos != int64(20*15*time.Second) {
		t.Errorf("time %d + %d, want %d + %d", got.TimeNanos, got.DurationNanos, start.UnixNano(), 20*15*time.Second)
	}
}

// TestMergeFilesInSharesEqualsOneMerger: splitting the files among
// workers changes nothing the compiler reads, nor the counts, with a
// selector too.
func TestMergeFilesInSharesEqualsOneMerger(t *testing.T) {
	w := newWorld(3, 100, 200)
	rng := rand.New(rand.NewPCG(4, 4))
	dir := t.TempDir()
	var paths []string
	for i := range 7 {
		at := time.Unix(int64(i)*15, 0)
		path, err := writeProfileFile(dir, "svc", w.profile(rng, at, 15*time.Second, 300), at)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	// A selector the workers' trimmed, label-free results would fail.
	sel, err := ParseSelector(`{handler=~"/api/.*"}`)
	if err != nil {
		t.Fatal(err)
	}
	one, err := MergeFiles(paths, sel, 1)
	if err != nil {
		t.Fatal(err)
	}
	three, err := MergeFiles(paths, sel, 3)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := compilerEdges(t, writeMerged(t, one)), compilerEdges(t, writeMerged(t, three)); !maps.Equal(a, b) || len(a) == 0 {
		t.Errorf("3 workers give %d edges, 1 worker %d", len(b), len(a))
	}
	s1, s3 := one.Stats(), three.Stats()
	s1.OutputBytes, s3.OutputBytes = 0, 0
	if s1 != s3 {
		t.Errorf("stats with 3 workers %+v, with 1 %+v", s3, s1)
	}
}

// TestSelectorPicksSamplesByLabel: only samples whose labels match count,
// and a label a sample lacks counts as "".
func TestSelectorPicksSamplesByLabel(t *testing.T) {
	w := newWorld(5, 50, 40)
	p := w.profile(rand.New(rand.NewPCG(6, 6)), time.Unix(0, 0), 15*time.Second, 2000)
	cases := []struct {
		sel  string
		keep func(handler string) bool
	}{
		{`{handler="/api/orders"}`, func(h string) bool { return h == "/api/orders" }},
		{`{handler!="/api/orders"}`, func(h string) bool { return h != "/api/orders" }},
		{`{handler=~"/api/(users|cart)"}`, func(h string) bool { return h == "/api/users" || h == "/api/cart" }},
		{`{handler!~"/api/.*"}`, func(h string) bool { return h == "/healthz" || h == "" }},
		{`{handler=""}`, func(h string) bool { return h == "" }},
	}
	for _, c := range cases {
		sel, err := ParseSelector(c.sel)
		if err != nil {
			t.Fatal(err)
		}
		var want int64
		for _, s := range p.Sample {
			var h string
			if v := s.Label["handler"]; len(v) > 0 {
				h = v[0]
			}
			if c.keep(h) {
				want += s.Value[1]
			}
		}
		m := NewMerger(sel)
		if err := m.Add(encode(t, p)); err != nil {
			t.Fatal(err)
		}
		if got := m.Stats().CPU; got != want || want == 0 {
			t.Errorf("%s: %d ns selected, want %d (nonzero)", c.sel, got, want)
		}
	}
}

func TestParseSelector(t *testing.T) {
	sel, err := ParseSelector(` { a = "x\"y" , b!~"v.*",c=~"" } `)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sel.String(), `{a="x\"y",b!~"v.*",c=~""}`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	for _, bad := range []string{`a="b"`, `{a}`, `{a="b"`, `{a=b}`, `{a="b" c="d"}`, `{a=~"("}`, `{1a="b"}`, `{a=="b"}`} {
		if _, err := ParseSelector(bad); err == nil {
			t.Errorf("ParseSelector(%s) accepted", bad)
		}
	}
	if sel, err := ParseSelector("{}"); err != nil || len(sel) != 0 {
		t.Errorf("ParseSelector({}) = %v, %v", sel, err)
	}
}

// TestAddRefusesOtherProfiles: a heap profile is refused, and changes
// nothing.
func TestAddRefusesOtherProfiles(t *testing.T) {
	w := newWorld(7, 10, 10)
	p := w.profile(rand.New(rand.NewPCG(8, 8)), time.Unix(0, 0), time.Second, 50)
	p.SampleType = []*profile.ValueType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"}}
	m := NewMerger(nil)
	if err := m.Add(encode(t, p)); !errors.Is(err, ErrNoCPUValue) {
		t.Fatalf("Add(heap) = %v, want ErrNoCPUValue", err)
	}
	if st := m.Stats(); st != (Stats{}) {
		t.Errorf("Stats after a refused profile = %+v", st)
	}
	if err := m.Add(nil); err != nil || m.Stats().Profiles != 1 {
		t.Errorf("Add(empty profile) = %v, %d profiles counted", err, m.Stats().Profiles)
	}
	if err := m.Add([]byte{0x1f, 0x8b, 1, 2, 3}); err == nil {
		t.Error("Add(bad gzip) accepted")
	}
}

// TestFunctionsMovedBetweenBuildsKeepTheirCallSites: a function whose
// start line differs between two builds is written once, and each build's
// call sites keep their offset from the start, which is what the compiler
// keys call edges by.
func TestFunctionsMovedBetweenBuildsKeepTheirCallSites(t *testing.T) {
	build := func(start int64, addr uint64) *profile.Profile {
		caller := &profile.Function{ID: 1, Name: "main.caller", StartLine: start}
		callee := &profile.Function{ID: 2, Name: "main.callee", StartLine: 100}
		leaf := &profile.Location{ID: 1, Address: addr, Line: []profile.Line{{Function: callee, Line: 101}}}
		site := &profile.Location{ID: 2, Address: addr + 0x10, Line: []profile.Line{{Function: caller, Line: start + 5}}}
		return &profile.Profile{
			SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
			Sample:     []*profile.Sample{{Location: []*profile.Location{leaf, site}, Value: []int64{1, 10}}},
			Location:   []*profile.Location{leaf, site},
			Function:   []*profile.Function{caller, callee},
		}
	}
	old, moved := build(10, 0x1000), build(20, 0x2000)
	m := NewMerger(nil)
	for _, p := range []*profile.Profile{old, moved} {
		if err := m.Add(encode(t, p)); err != nil {
			t.Fatal(err)
		}
	}
	got := writeMerged(t, m)
	want := map[edge]int64{{"main.caller", 5, "main.callee"}: 20}
	if g := compilerEdges(t, got); !maps.Equal(g, want) {
		t.Errorf("edges %v, want %v", g, want)
	}
	if n := len(got.Function); n != 2 {
		t.Errorf("%d functions written, want 2: %v", n, got.Function)
	}
}

// TestFromDirSelectsByServiceTags: tags in the service name select the
// samples whose labels (files carry tags as labels) hold them, and only
// the service's files in the range are read.
func TestFromDirSelectsByServiceTags(t *testing.T) {
	w := newWorld(9, 50, 60)
	rng := rand.New(rand.NewPCG(10, 10))
	dir := t.TempDir()
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var paths []string
	for i := range 4 {
		at := start.Add(time.Duration(i) * 15 * time.Second)
		for _, app := range []string{"svc", "other"} {
			path, err := writeProfileFile(dir, app, w.profile(rng, at, 15*time.Second, 500), at)
			if err != nil {
				t.Fatal(err)
			}
			if app == "svc" && i < 3 {
				paths = append(paths, path)
			}
		}
	}
	sel, _ := ParseSelector(`{handler="/api/orders"}`)
	want, err := MergeFiles(paths, sel, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := FromDir(dir, "svc{handler=/api/orders}", nil, start, start.Add(45*time.Second), 2)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := got.Stats(), want.Stats(); g.Profiles != 3 || g.CPU != w.CPU || g.CPU == 0 {
		t.Errorf("FromDir read %d profiles, %d ns selected; want 3 and %d ns", g.Profiles, g.CPU, w.CPU)
	}
	if _, err := FromDir(dir, "nobody", nil, start, start.Add(time.Hour), 1); err == nil || !strings.Contains(err.Error(), "no CPU profile files of nobody") {
		t.Errorf("FromDir of a service without files: %v", err)
	}
}
