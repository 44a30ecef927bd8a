package textindex

import "sort"

// cursor iterates one posting list in document order.
type cursor struct {
	p       *postings
	pos     int    // byte offset of the next posting
	blk     int    // block holding the next posting
	doc     uint32 // current document (valid after next/advance returned true)
	tf      uint32
	started bool
	done    bool
	decoded int // postings decoded
}

func newCursor(p *postings) cursor { return cursor{p: p} }

// next moves to the following posting; false at the end.
func (c *cursor) next() bool {
	if c.done {
		return false
	}
	data := c.p.data
	if c.pos >= len(data) {
		c.done = true
		return false
	}
	v, n := uvarint(data[c.pos:])
	c.pos += n
	tf := uint32(1)
	if v&1 == 0 {
		t, m := uvarint(data[c.pos:])
		c.pos += m
		tf = uint32(t)
	}
	delta := uint32(v >> 1)
	if c.started {
		c.doc += delta
	} else {
		c.doc = delta
		c.started = true
	}
	c.tf = tf
	c.decoded++
	if sk := c.p.skipList(); c.blk < len(sk) && uint32(c.pos) >= sk[c.blk].end {
		c.blk++
	}
	return true
}

// advance moves to the first posting with doc ≥ target, skipping whole
// blocks without decoding them; false at the end.
func (c *cursor) advance(target uint32) bool {
	if c.done {
		return false
	}
	if c.started && c.doc >= target {
		return true
	}
	sk := c.p.skipList()
	if c.blk < len(sk) && sk[c.blk].lastDoc < target {
		// First block whose last document reaches target (binary search:
		// a probe for a far document must not walk every skip entry).
		b := c.blk + sort.Search(len(sk)-c.blk, func(i int) bool { return sk[c.blk+i].lastDoc >= target })
		// Jump to the start of block b: after block b-1.
		c.pos = int(sk[b-1].end)
		c.doc = sk[b-1].lastDoc
		c.started = true
		c.blk = b
	}
	for c.next() {
		if c.doc >= target {
			return true
		}
	}
	return false
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	var s uint
	for i, c := range b {
		if c < 0x80 {
			return x | uint64(c)<<s, i + 1
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, len(b) // truncated: treated as end by callers checking pos
}
