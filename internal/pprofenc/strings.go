package pprofenc

// stringTable keeps every string an Encoder has seen, and gives each
// profile its own string table holding only the strings that profile uses,
// so a small delta profile does not carry every function name ever seen.
type stringTable struct {
	ids  map[string]int64
	strs []string

	// Per profile: which strings are used, in the order of their index
	// in this profile's table.
	gen   uint32
	mark  []uint32
	local []int64
	order []int64
}

func newStringTable() stringTable {
	return stringTable{ids: make(map[string]int64)}
}

// id returns s's stable ID, adding s if new.
func (t *stringTable) id(s string) int64 {
	if i, ok := t.ids[s]; ok {
		return i
	}
	i := int64(len(t.strs))
	t.ids[s] = i
	t.strs = append(t.strs, s)
	t.mark = append(t.mark, 0)
	t.local = append(t.local, 0)
	return i
}

// reset starts a new profile's table, which always begins with "".
func (t *stringTable) reset() {
	t.gen++
	t.order = t.order[:0]
	t.index(t.id(""))
}

// index returns the index of the string with ID id in this profile's table.
func (t *stringTable) index(id int64) int64 {
	if t.mark[id] != t.gen {
		t.mark[id] = t.gen
		t.local[id] = int64(len(t.order))
		t.order = append(t.order, id)
	}
	return t.local[id]
}

// str returns the index of s in this profile's table.
func (t *stringTable) str(s string) int64 { return t.index(t.id(s)) }
