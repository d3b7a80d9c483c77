package godeltaprof

import (
	"bytes"
	"fmt"
	"io"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// profileOf calls a Profile method and parses what it wrote.
func profileOf(t testing.TB, profile func(io.Writer) error) *profile.Profile {
	t.Helper()
	var buf bytes.Buffer
	if err := profile(&buf); err != nil {
		t.Fatal(err)
	}
	return parse(t, buf.Bytes())
}

// paths are the two implementations; both run on every Go release that has
// the fast one.
var paths = []struct {
	name     string
	fallback bool
}{{"fast", false}, {"fallback", true}}

func parse(t testing.TB, data []byte) *profile.Profile {
	t.Helper()
	p, err := profile.ParseData(data)
	if err != nil {
		t.Fatalf("parsing profile: %v", err)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatalf("invalid profile: %v", err)
	}
	return p
}

func runtimeProfile(t testing.TB, name string) *profile.Profile {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	return parse(t, buf.Bytes())
}

// stackKey names a sample by its symbolized stack, location by location
// (so inlined frames must be grouped alike), and its numeric labels.
func stackKey(s *profile.Sample) string {
	var b strings.Builder
	for _, l := range s.Location {
		for _, ln := range l.Line {
			fmt.Fprintf(&b, "%s:%d:%d;", ln.Function.Name, ln.Line, ln.Function.StartLine)
		}
		b.WriteString("|")
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range s.NumLabel {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, " %s=%v", k, s.NumLabel[k])
	}
	return b.String()
}

// byStack sums a profile's sample values by stackKey.
func byStack(p *profile.Profile) map[string][]int64 {
	m := make(map[string][]int64)
	for _, s := range p.Sample {
		k := stackKey(s)
		v := m[k]
		if v == nil {
			v = make([]int64, len(s.Value))
			m[k] = v
		}
		for i, x := range s.Value {
			v[i] += x
		}
	}
	return m
}

// expectDelta returns what a delta profile between runtime profiles before
// and after must hold: the first n values subtracted, the rest as after
// has them, all-zero stacks left out.
func expectDelta(before, after map[string][]int64, n int) map[string][]int64 {
	want := make(map[string][]int64)
	for k, a := range after {
		v := slices.Clone(a)
		if b, ok := before[k]; ok {
			for i := 0; i < n; i++ {
				v[i] -= b[i]
			}
		}
		if slices.ContainsFunc(v, func(x int64) bool { return x != 0 }) {
			want[k] = v
		}
	}
	return want
}

// diffStacks reports every stack whose values differ, and fails if any did.
func diffStacks(t *testing.T, got, want map[string][]int64) {
	t.Helper()
	bad := 0
	for k, w := range want {
		if g := got[k]; !slices.Equal(g, w) {
			bad++
			if bad <= 5 {
				t.Errorf("stack %s\n got %v, want %v", short(k), g, w)
			}
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			bad++
			if bad <= 5 {
				t.Errorf("unexpected stack %s: %v", short(k), g)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d stacks differ", bad, len(want))
	}
}

func short(k string) string {
	if len(k) > 400 {
		return k[:200] + " ... " + k[len(k)-200:]
	}
	return k
}

// depth returns the number of frames (lines) of the deepest stack holding
// fn, or 0.
func depth(m map[string][]int64, fn string) int {
	d := 0
	for k := range m {
		if strings.Contains(k, fn) {
			d = max(d, strings.Count(k, ";"))
		}
	}
	return d
}
