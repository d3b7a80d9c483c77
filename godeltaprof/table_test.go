package godeltaprof

import (
	"fmt"
	"hash/maphash"
	"slices"
	"testing"
)

// weakHash sends many stacks to the same map slot, so lookups must tell
// them apart by comparing whole stacks.
func weakHash(_ maphash.Seed, stk []uintptr, size int64) uint64 {
	if len(stk) == 0 {
		return uint64(size & 1)
	}
	return uint64(stk[0]&3) + uint64(size&1)
}

// runTableModel feeds profiles decoded from data through a table and
// checks every delta against a plain map keyed by the formatted stack.
// Each record is 4 bytes: stack length (mod 40), stack seed, size, value.
// A zero length byte ends a profile. Stacks share their first PCs and
// differ deep down, the shape that defeats hashes of a stack's prefix.
func runTableModel(t *testing.T, data []byte, hash func(maphash.Seed, []uintptr, int64) uint64) {
	tb := newTable()
	tb.hash = hash
	prev := map[string]int64{}
	for len(data) > 0 {
		tb.begin()
		cur := map[string]int64{}
		for len(data) >= 4 && data[0] != 0 {
			n, seed, size, v := int(data[0]%40), data[1], int64(data[2]%3), int64(data[3])
			data = data[4:]
			stk := make([]uintptr, n)
			for i := range stk {
				stk[i] = 0x1000 + uintptr(i)
			}
			if n > 0 {
				stk[n-1] += uintptr(seed % 5)
			}
			e := tb.add(stk, size)
			e.cur[0] += v
			e.cur[1] += 2 * v
			cur[fmt.Sprint(stk, size)] += v
		}
		if len(data) > 0 {
			data = data[1:]
		}
		for _, e := range tb.touched {
			k := fmt.Sprint(e.appendPCs(nil), e.size)
			d0, d1 := e.delta()
			if want := cur[k] - prev[k]; d0 != want || d1 != 2*want {
				t.Fatalf("stack %s: delta %d, %d; want %d, %d", k, d0, d1, want, 2*want)
			}
		}
		if len(tb.touched) != len(cur) {
			t.Fatalf("%d entries touched, %d distinct stacks", len(tb.touched), len(cur))
		}
		tb.sweep()
		if tb.n != len(cur) {
			t.Fatalf("table holds %d entries after sweep, %d stacks reported", tb.n, len(cur))
		}
		prev = cur
	}
}

func FuzzTableDelta(f *testing.F) {
	f.Add([]byte{3, 1, 0, 5, 3, 1, 0, 5, 3, 2, 1, 9, 0, 3, 1, 0, 7, 30, 4, 2, 1})
	f.Add([]byte{39, 0, 0, 1, 39, 1, 0, 1, 39, 2, 0, 1, 0, 39, 1, 0, 3, 0, 0, 39, 0, 0, 2})
	f.Add([]byte{1, 0, 0, 0, 0, 2, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		runTableModel(t, data, hashStack)
		runTableModel(t, data, weakHash)
	})
}

func TestHashSpreadsDeepDifferences(t *testing.T) {
	tb := newTable()
	seen := map[uint64]bool{}
	stk := make([]uintptr, 100)
	for i := range 1000 {
		stk[99] = uintptr(i) // only the outermost frame differs
		seen[tb.hash(tb.seed, stk, 0)] = true
	}
	if len(seen) != 1000 {
		t.Errorf("1000 stacks differing in their last PC hash to %d values", len(seen))
	}
}

func TestEncodedPCs(t *testing.T) {
	stacks := [][]uintptr{
		nil,
		{0},
		{^uintptr(0), 0, ^uintptr(0)},
		{0x7f12_3456_7890, 0x40_1000, 0x40_1001, 0x7f12_3456_7000},
		{1 << 63, 1<<63 - 1, 1<<63 + 1},
	}
	for _, stk := range stacks {
		pcs := encodePCs(stk)
		e := &entry{data: pcs, pcsLen: uint16(len(pcs))}
		if got := e.appendPCs(nil); !slices.Equal(got, stk) {
			t.Errorf("stack %x decodes as %x", stk, got)
		}
		if !e.hasStack(stk) {
			t.Errorf("stack %x does not match itself", stk)
		}
		if e.hasStack(append(slices.Clone(stk), 0x40_1000)) {
			t.Errorf("stack %x matches a longer stack", stk)
		}
		if len(stk) > 0 && e.hasStack(stk[:len(stk)-1]) {
			t.Errorf("stack %x matches its prefix", stk)
		}
	}
}
