package godeltaprof

import (
	"fmt"
	"testing"

	"github.com/google/pprof/profile"
)

// profilesFrom decodes data into a sequence of profiles for the fallback's
// subtraction. Each sample is 4 bytes: leaf address (mod 8; 0 ends the
// profile), depth (mod 4), bytes label (mod 3; 0 for none) and a value.
func profilesFrom(data []byte) []*profile.Profile {
	locs := map[uint64]*profile.Location{}
	loc := func(addr uint64) *profile.Location {
		if l, ok := locs[addr]; ok {
			return l
		}
		l := &profile.Location{ID: uint64(len(locs) + 1), Address: addr}
		locs[addr] = l
		return l
	}
	var ps []*profile.Profile
	p := &profile.Profile{}
	for len(data) >= 4 {
		leaf, depth, label, v := uint64(data[0]%8), int(data[1]%4), int64(data[2]%3), int64(data[3])
		data = data[4:]
		if leaf == 0 {
			ps = append(ps, p)
			p = &profile.Profile{}
			continue
		}
		s := &profile.Sample{Value: []int64{v, 2 * v, v % 5}, Location: []*profile.Location{loc(leaf)}}
		for d := range depth {
			s.Location = append(s.Location, loc(uint64(100+d)))
		}
		if label != 0 {
			s.NumLabel = map[string][]int64{"bytes": {label * 8}}
		}
		p.Sample = append(p.Sample, s)
	}
	return append(ps, p)
}

func modelKey(s *profile.Sample) string {
	var addrs []uint64
	for _, l := range s.Location {
		addrs = append(addrs, l.Address)
	}
	return fmt.Sprint(addrs, s.NumLabel["bytes"])
}

// FuzzSubtractPrevious checks the fallback's per-sample subtraction
// against sums kept in a plain map: merged duplicates, the first two values
// as deltas, the third as it is, all-zero samples gone.
func FuzzSubtractPrevious(f *testing.F) {
	f.Add([]byte{1, 0, 0, 5, 1, 0, 0, 5, 2, 3, 1, 9, 0, 0, 0, 0, 1, 0, 0, 7, 2, 3, 1, 9})
	f.Add([]byte{3, 1, 2, 0, 0, 0, 0, 0, 3, 1, 2, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		prev := map[string][]int64{}
		model := map[string][]int64{}
		for _, p := range profilesFrom(data) {
			cur := map[string][]int64{}
			for _, s := range p.Sample {
				k := modelKey(s)
				if cur[k] == nil {
					cur[k] = make([]int64, 3)
				}
				for i, v := range s.Value {
					cur[k][i] += v
				}
			}
			prev = subtractPrevious(p, 2, prev)
			got := map[string][]int64{}
			for _, s := range p.Sample {
				k := modelKey(s)
				if got[k] != nil {
					t.Fatalf("stack %s written twice", k)
				}
				got[k] = s.Value
			}
			for k, c := range cur {
				want := []int64{c[0], c[1], c[2]}
				if m := model[k]; m != nil {
					want[0] -= m[0]
					want[1] -= m[1]
				}
				g := got[k]
				if want[0] == 0 && want[1] == 0 && want[2] == 0 {
					if g != nil {
						t.Fatalf("stack %s: all-zero sample %v kept", k, g)
					}
					continue
				}
				if g == nil || g[0] != want[0] || g[1] != want[1] || g[2] != want[2] {
					t.Fatalf("stack %s: got %v, want %v", k, g, want)
				}
			}
			if len(got) > len(cur) {
				t.Fatalf("%d samples written for %d stacks", len(got), len(cur))
			}
			model = cur
		}
	})
}
