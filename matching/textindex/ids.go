package textindex

import (
	"hash/maphash"
	"math"
)

// idTable holds the external ids of the documents in one byte buffer and
// maps them back to documents with an open-addressing table of document
// numbers, which costs a fraction of a []string plus a map[string]uint32.
type idTable struct {
	seed  maphash.Seed
	buf   []byte
	off   []uint32 // document d's id is buf[off[d]:off[d+1]]
	slots []uint32 // doc+1; 0 empty, tombstone deleted
	used  int      // slots not empty (tombstones included)
	live  int
}

const tombstone = math.MaxUint32

func newIDTable() idTable {
	return idTable{seed: maphash.MakeSeed(), off: []uint32{0}, slots: make([]uint32, 16)}
}

// n returns the number of documents, deleted ones included.
func (t *idTable) n() int { return len(t.off) - 1 }

// str returns document d's id.
func (t *idTable) str(d uint32) string { return string(t.buf[t.off[d]:t.off[d+1]]) }

// eq reports whether document d's id is id, without allocating.
func (t *idTable) eq(d uint32, id string) bool { return string(t.buf[t.off[d]:t.off[d+1]]) == id }

func (t *idTable) home(id string) uint64 {
	return maphash.String(t.seed, id) & uint64(len(t.slots)-1)
}

// lookup returns the live document with this id.
func (t *idTable) lookup(id string) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := t.home(id); ; i = (i + 1) & mask {
		switch s := t.slots[i]; s {
		case 0:
			return 0, false
		case tombstone:
		default:
			if t.eq(s-1, id) {
				return s - 1, true
			}
		}
	}
}

// add appends a document with this id, which must not be live already;
// an empty id appends a deleted document.
func (t *idTable) add(id string) uint32 {
	d := uint32(t.n())
	t.buf = append(t.buf, id...)
	t.off = append(t.off, uint32(len(t.buf)))
	if id != "" {
		t.insert(id, d)
	}
	return d
}

func (t *idTable) insert(id string, d uint32) {
	if (t.used+1)*4 > len(t.slots)*3 {
		t.rehash()
	}
	t.place(t.home(id), d)
}

// place puts document d in the first free slot from i.
func (t *idTable) place(i uint64, d uint32) {
	mask := uint64(len(t.slots) - 1)
	for ; ; i = (i + 1) & mask {
		if t.slots[i] == 0 {
			t.slots[i] = d + 1
			t.used++
			t.live++
			return
		}
	}
}

// remove drops the live document d with this id from the lookup table.
func (t *idTable) remove(id string, d uint32) {
	mask := uint64(len(t.slots) - 1)
	for i := t.home(id); ; i = (i + 1) & mask {
		switch t.slots[i] {
		case 0:
			return
		case d + 1:
			t.slots[i] = tombstone
			t.live--
			return
		}
	}
}

// rehash rebuilds the table, dropping tombstones, with room to grow.
func (t *idTable) rehash() {
	size := 16
	for size < 2*(t.live+1) {
		size *= 2
	}
	old := t.slots
	t.slots = make([]uint32, size)
	t.used, t.live = 0, 0
	for _, s := range old {
		if s != 0 && s != tombstone {
			b := t.buf[t.off[s-1]:t.off[s]]
			t.place(maphash.Bytes(t.seed, b)&uint64(size-1), s-1)
		}
	}
}
