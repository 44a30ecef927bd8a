package textindex

import (
	"hash/maphash"
	"math"
	"slices"
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

// hash returns the hash of id that places it in the table.
func (t *idTable) hash(id string) uint64 { return maphash.String(t.seed, id) }

func (t *idTable) home(id string) uint64 {
	return t.hash(id) & uint64(len(t.slots)-1)
}

// lookup returns the live document with this id.
func (t *idTable) lookup(id string) (uint32, bool) { return t.lookupHash(id, t.hash(id)) }

// lookupHash is lookup for an id whose hash is h.
func (t *idTable) lookupHash(id string, h uint64) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
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
	if id == "" {
		return t.addHash(id, 0)
	}
	return t.addHash(id, t.hash(id))
}

// addHash is add for an id whose hash is h.
func (t *idTable) addHash(id string, h uint64) uint32 {
	d := uint32(t.n())
	t.buf = append(t.buf, id...)
	t.off = append(t.off, uint32(len(t.buf)))
	if id != "" {
		t.insert(h, d)
	}
	return d
}

// insert places document d, whose id's hash is h.
func (t *idTable) insert(h uint64, d uint32) {
	if (t.used+1)*4 > len(t.slots)*3 {
		t.rehash(t.live + 1)
	}
	t.place(h&uint64(len(t.slots)-1), d)
}

// reserve makes room for n more ids of about idLen bytes each, so that
// adding them neither rehashes the table nor grows the buffers.
func (t *idTable) reserve(n, idLen int) {
	if (t.used+n)*4 > len(t.slots)*3 {
		t.rehash(t.live + n)
	}
	t.buf = slices.Grow(t.buf, n*idLen)
	t.off = slices.Grow(t.off, n)
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

// rehash rebuilds the table, dropping tombstones, with room for n live
// documents and more.
func (t *idTable) rehash(n int) {
	size := 16
	for size < 2*n {
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
