package godeltaprof

import (
	"github.com/emberprof/ember/internal/pprofenc"
	"hash/maphash"
	"slices"
	"unsafe"
)

// entry is what we keep between profiles for one runtime bucket: its stack
// (plus object size for the heap), its location IDs once symbolized, and the
// converted values it had at the previous profile.
type entry struct {
	stk  []uintptr
	size int64
	hash uint64
	next *entry // next entry with the same hash

	stack      pprofenc.Stack // location IDs, once symbolized
	symbolized bool

	prev [2]int64 // previous converted cumulative values
	cur  [4]int64 // values of this profile (cumulative ones first)
	gen  uint32   // profile in which cur was last reset
}

// table maps stacks to entries. The key is a maphash of every PC and the
// size, so stacks that differ only deep down still spread; equal hashes are
// told apart by comparing the whole stack.
type table struct {
	seed    maphash.Seed
	hash    func(seed maphash.Seed, stk []uintptr, size int64) uint64
	m       map[uint64]*entry
	n       int      // entries in m
	touched []*entry // entries seen in the current profile, in order
	gen     uint32
}

func newTable() *table {
	return &table{seed: maphash.MakeSeed(), hash: hashStack, m: make(map[uint64]*entry)}
}

func hashStack(seed maphash.Seed, stk []uintptr, size int64) uint64 {
	var h uint64
	if len(stk) > 0 {
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(stk))), len(stk)*int(unsafe.Sizeof(stk[0])))
		h = maphash.Bytes(seed, b)
	}
	return h ^ mix(uint64(size))
}

// mix spreads the bits of x (the splitmix64 finaliser).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// begin starts a profile: every entry counts as unseen until add finds it.
func (t *table) begin() {
	t.gen++
	t.touched = t.touched[:0]
}

// add finds or creates the entry for stk and size and returns it, with cur
// zeroed the first time it is seen in this profile. Records sharing a key
// (the runtime can report them) are summed into one entry by the caller.
func (t *table) add(stk []uintptr, size int64) *entry {
	h := t.hash(t.seed, stk, size)
	head := t.m[h]
	e := head
	for e != nil && (e.size != size || !slices.Equal(e.stk, stk)) {
		e = e.next
	}
	if e == nil {
		e = &entry{stk: slices.Clone(stk), size: size, hash: h, next: head}
		t.m[h] = e
		t.n++
	}
	if e.gen != t.gen {
		e.gen = t.gen
		e.cur = [4]int64{}
		t.touched = append(t.touched, e)
	}
	return e
}

// sweep forgets entries the runtime no longer reported, so what we hold is
// bounded by the runtime's own bucket count.
func (t *table) sweep() {
	if len(t.touched) == t.n {
		return
	}
	for h, head := range t.m {
		var keep *entry
		for e := head; e != nil; {
			next := e.next
			if e.gen == t.gen {
				e.next = keep
				keep = e
			} else {
				t.n--
			}
			e = next
		}
		if keep == nil {
			delete(t.m, h)
		} else {
			t.m[h] = keep
		}
	}
}

// delta returns the change of the cumulative values since the previous
// profile and remembers the current ones.
func (e *entry) delta() (d0, d1 int64) {
	d0, d1 = e.cur[0]-e.prev[0], e.cur[1]-e.prev[1]
	e.prev[0], e.prev[1] = e.cur[0], e.cur[1]
	return d0, d1
}
