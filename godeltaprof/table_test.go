package godeltaprof

import (
	"slices"
	"testing"
)

// runTableModel feeds profiles decoded from data through a table and
// checks every delta against a plain map keyed by bucket. Like the
// runtime's, each bucket's stack is allocated once, and every record of it
// points there; buckets 0-4 and 5-9 have equal PCs (as heap buckets of one
// stack and two object sizes do) and must stay apart. Each record is 2
// bytes: bucket, value. A zero bucket byte ends a profile.
func runTableModel(t *testing.T, data []byte) {
	var buckets [10][]uintptr
	for i := range buckets {
		n := 1 + i%5*9
		buckets[i] = make([]uintptr, n)
		for j := range n {
			buckets[i][j] = 0x1000 + uintptr(j)
		}
	}
	tb := newTable()
	prev := map[int]int64{}
	for len(data) > 0 {
		tb.begin()
		cur := map[int]int64{}
		for len(data) >= 2 && data[0] != 0 {
			b, v := int(data[0]%10), int64(data[1])
			data = data[2:]
			e := tb.add(buckets[b], int64(b/5))
			e.cur[0] += v
			e.cur[1] += 2 * v
			cur[b] += v
		}
		if len(data) > 0 {
			data = data[1:]
		}
		for _, e := range tb.touched {
			b := slices.IndexFunc(buckets[:], func(s []uintptr) bool { return &s[0] == e.stk })
			if b < 0 || !slices.Equal(e.pcs(), buckets[b]) || e.size != int64(b/5) {
				t.Fatalf("entry of stack %x, size %d is no bucket's", e.pcs(), e.size)
			}
			d0, d1 := e.delta()
			if want := cur[b] - prev[b]; d0 != want || d1 != 2*want {
				t.Fatalf("bucket %d: delta %d, %d; want %d, %d", b, d0, d1, want, 2*want)
			}
		}
		if len(tb.touched) != len(cur) {
			t.Fatalf("%d entries touched, %d buckets reported", len(tb.touched), len(cur))
		}
		tb.sweep()
		if len(tb.m) != len(cur) {
			t.Fatalf("table holds %d entries after sweep, %d buckets reported", len(tb.m), len(cur))
		}
		prev = cur
	}
}

func FuzzTableDelta(f *testing.F) {
	f.Add([]byte{3, 5, 3, 5, 8, 9, 0, 3, 7, 4, 1})
	f.Add([]byte{1, 1, 6, 1, 2, 1, 7, 1, 0, 6, 3, 0, 0, 2, 2})
	f.Add([]byte{10, 4, 15, 4, 0, 10, 6, 0, 0, 15, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		runTableModel(t, data)
	})
}

func TestTableKeepsNoCopy(t *testing.T) {
	stk := []uintptr{1, 2, 3}
	e := newTable().add(stk, 0)
	if &e.pcs()[0] != &stk[0] || len(e.pcs()) != 3 {
		t.Errorf("entry's stack is not the record's")
	}
}
