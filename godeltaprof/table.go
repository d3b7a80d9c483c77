package godeltaprof

import (
	"unsafe"

	"github.com/emberprof/ember/internal/pprofenc"
)

// entry is what we keep between profiles for one runtime bucket: where its
// stack is, its object size (heap), its location IDs once symbolized, and
// the converted values it had at the previous profile.
type entry struct {
	// The bucket's stack, in the runtime's own memory: buckets are never
	// freed, and every record of a bucket points to the same PCs.
	stk    *uintptr
	stkLen uint16 // at most about 1024 PCs (runtime maxProfStackDepth)

	symbolized bool
	gen        uint32 // profile in which cur was last reset
	size       int64
	stack      pprofenc.Stack // location IDs, once symbolized

	prev [2]int64 // previous converted cumulative values
	cur  [4]int64 // values of this profile (cumulative ones first)
}

// table maps runtime buckets to entries. A bucket is known by the address
// of its stack: the runtime's profile records do not copy a bucket's PCs but
// point to them, in memory it allocates once per bucket and never frees or
// moves (runtime/mprof.go: Stack: b.stk(), for every profile on the Go
// releases the fast path builds for). So a lookup is one map access, with
// no hashing or comparing of PCs, and we keep no copy of them; the size
// needs no place in the key, since the runtime's buckets already tell
// sizes apart.
type table struct {
	m       map[*uintptr]*entry
	touched []*entry // entries seen in the current profile, in order
	gen     uint32
}

func newTable() *table {
	return &table{m: make(map[*uintptr]*entry)}
}

// begin starts a profile: every entry counts as unseen until add finds it.
func (t *table) begin() {
	t.gen++
	t.touched = t.touched[:0]
}

// add finds or creates the entry for the bucket whose record has stack stk
// and object size size, and returns it, with cur zeroed the first time it
// is seen in this profile.
func (t *table) add(stk []uintptr, size int64) *entry {
	key := unsafe.SliceData(stk)
	e := t.m[key]
	if e == nil {
		e = &entry{stk: key, stkLen: uint16(len(stk)), size: size}
		t.m[key] = e
	}
	// The size can appear late: Go 1.26 derives it from counts that are
	// zero until the bucket's first allocations are published.
	e.size = size
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
	if len(t.touched) == len(t.m) {
		return
	}
	for k, e := range t.m {
		if e.gen != t.gen {
			delete(t.m, k)
		}
	}
}

// pcs returns e's stack.
func (e *entry) pcs() []uintptr { return unsafe.Slice(e.stk, e.stkLen) }

// delta returns the change of the cumulative values since the previous
// profile and remembers the current ones.
func (e *entry) delta() (d0, d1 int64) {
	d0, d1 = e.cur[0]-e.prev[0], e.cur[1]-e.prev[1]
	e.prev[0], e.prev[1] = e.cur[0], e.cur[1]
	return d0, d1
}
