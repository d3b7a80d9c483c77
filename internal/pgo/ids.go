package pgo

import (
	"errors"

	"github.com/emberprof/ember/internal/pprofenc"
)

// errFound stops a Walk once the field sought is read.
var errFound = errors.New("found")

// denseLimit is the largest ID kept in a slice; profiles number their
// locations and functions from 1 up, so larger IDs are rare and go to a map.
const denseLimit = 1 << 20

// table finds a profile's location or function messages by ID.
type table struct {
	dense  [][]byte
	sparse map[uint64][]byte
}

func (t *table) reset() {
	clear(t.dense)
	t.dense = t.dense[:0]
	clear(t.sparse)
}

// add records msg under the ID in its field idField.
func (t *table) add(msg []byte, idField int) error {
	var id uint64
	err := pprofenc.Walk(msg, func(f pprofenc.Field) error {
		if f.Num == idField {
			id = f.Value
			return errFound // the ID comes first: read no further
		}
		return nil
	})
	if err != nil && err != errFound {
		return err
	}
	if id == 0 {
		return nil // no ID: nothing can refer to it
	}
	if id >= denseLimit {
		if t.sparse == nil {
			t.sparse = make(map[uint64][]byte)
		}
		t.sparse[id] = msg
		return nil
	}
	for uint64(len(t.dense)) <= id {
		t.dense = append(t.dense, nil)
	}
	t.dense[id] = msg
	return nil
}

func (t *table) get(id uint64) []byte {
	if id < uint64(len(t.dense)) {
		return t.dense[id]
	}
	return t.sparse[id]
}

// idMap maps a profile's IDs to a Merger's; 0 means not mapped yet.
type idMap struct {
	dense  []uint32
	sparse map[uint64]uint32
}

func (m *idMap) reset() {
	clear(m.dense)
	clear(m.sparse)
}

func (m *idMap) get(id uint64) uint32 {
	if id < uint64(len(m.dense)) {
		return m.dense[id]
	}
	return m.sparse[id]
}

func (m *idMap) set(id uint64, v uint32) {
	if id >= denseLimit {
		if m.sparse == nil {
			m.sparse = make(map[uint64]uint32)
		}
		m.sparse[id] = v
		return
	}
	if id >= uint64(len(m.dense)) {
		m.dense = append(m.dense, make([]uint32, id+1-uint64(len(m.dense)))...)
	}
	m.dense[id] = v
}
