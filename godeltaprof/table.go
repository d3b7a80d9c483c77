package godeltaprof

import (
	"encoding/binary"
	"github.com/emberprof/ember/internal/pprofenc"
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// entry is what we keep between profiles for one runtime bucket: its stack
// (plus object size for the heap), its location IDs once symbolized, and the
// converted values it had at the previous profile.
type entry struct {
	// The stack encoded by encodePCs, followed, once symbolized, by its
	// pprofenc.Stack: one allocation of the exact size for both.
	data       []byte
	pcsLen     uint16 // bytes of data that are the PCs: at most 10 per PC, about 1024 PCs
	symbolized bool
	gen        uint32 // profile in which cur was last reset
	size       int64
	next       *entry // next entry with the same hash

	prev [2]int64 // previous converted cumulative values
	cur  [4]int64 // values of this profile (cumulative ones first)
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
	for e != nil && (e.size != size || !e.hasStack(stk)) {
		e = e.next
	}
	if e == nil {
		pcs := encodePCs(stk)
		e = &entry{data: pcs, pcsLen: uint16(len(pcs)), size: size, next: head}
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

// A stack is kept as the zigzag varints of the differences between
// successive PCs (the first from zero): PCs of one stack lie close together
// in the text segment, so most take two to four bytes instead of eight.

// encodePCs returns stk encoded, in a slice of its own exact size.
func encodePCs(stk []uintptr) []byte {
	n, prev := 0, uintptr(0)
	for _, pc := range stk {
		n += varintLen(pc - prev)
		prev = pc
	}
	b := make([]byte, 0, n)
	prev = 0
	for _, pc := range stk {
		b = binary.AppendVarint(b, int64(pc-prev))
		prev = pc
	}
	return b
}

// varintLen is the length of d as a zigzag varint.
func varintLen(d uintptr) int {
	x := int64(d)
	u := uint64(x<<1) ^ uint64(x>>63)
	return (bits.Len64(u|1) + 6) / 7
}

// pcs returns e's encoded stack.
func (e *entry) pcs() []byte { return e.data[:e.pcsLen] }

// stack returns e's location IDs; only once symbolized.
func (e *entry) stack() pprofenc.Stack { return pprofenc.Stack(e.data[e.pcsLen:]) }

// setStack keeps ids, the stack's location IDs, after the PCs. scratch is
// for encoding them; setStack returns it for the next call.
func (e *entry) setStack(ids []uint64, scratch []byte) []byte {
	scratch = pprofenc.AppendStack(scratch[:0], ids)
	data := make([]byte, 0, int(e.pcsLen)+len(scratch))
	e.data = append(append(data, e.pcs()...), scratch...)
	e.symbolized = true
	return scratch
}

// hasStack reports whether e's stack is stk.
func (e *entry) hasStack(stk []uintptr) bool {
	b, prev := e.pcs(), uintptr(0)
	for _, pc := range stk {
		d, n := binary.Varint(b)
		if n <= 0 || prev+uintptr(d) != pc {
			return false
		}
		prev, b = pc, b[n:]
	}
	return len(b) == 0
}

// appendPCs appends e's stack to dst.
func (e *entry) appendPCs(dst []uintptr) []uintptr {
	prev := uintptr(0)
	for b := e.pcs(); len(b) > 0; {
		d, n := binary.Varint(b)
		prev += uintptr(d)
		dst = append(dst, prev)
		b = b[n:]
	}
	return dst
}
