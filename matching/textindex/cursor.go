package textindex

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// cursor iterates one posting list in document order. Full blocks are
// decoded whole into a buffer; the tail of the list posting by posting.
type cursor struct {
	p       *postings
	pos     int    // byte offset of the next undecoded block or tail posting
	blk     int    // next block to load (len(skips) once in the tail)
	doc     uint32 // current document (valid after next/advance returned true)
	tf      uint32
	started bool
	done    bool
	decoded int // postings decoded
	bi, bn  int // next entry and number of entries in the buffer
	docs    [blockSize]uint32
	tfs     [blockSize]uint32
}

func newCursor(p *postings) cursor { return cursor{p: p} }

// next moves to the following posting; false at the end.
func (c *cursor) next() bool {
	if c.done {
		return false
	}
	if c.bi < c.bn {
		c.doc, c.tf = c.docs[c.bi], c.tfs[c.bi]
		c.bi++
		c.started = true
		return true
	}
	if sk := c.p.skipList(); c.blk < len(sk) {
		c.bn = decodeBlock(c.p.data[c.pos:sk[c.blk].end], c.doc, &c.docs, &c.tfs)
		c.decoded += c.bn
		c.pos = int(sk[c.blk].end)
		c.blk++
		c.bi = 1
		c.doc, c.tf = c.docs[0], c.tfs[0]
		c.started = true
		return true
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
	c.doc += uint32(v >> 1)
	c.started = true
	c.tf = tf
	c.decoded++
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
	if c.bi < c.bn && c.docs[c.bn-1] >= target {
		// In the buffered block.
		i, j := c.bi, c.bn-1 // docs[j] >= target
		for i < j {
			h := int(uint(i+j) >> 1)
			if c.docs[h] >= target {
				j = h
			} else {
				i = h + 1
			}
		}
		c.doc, c.tf = c.docs[i], c.tfs[i]
		c.bi = i + 1
		return true
	}
	sk := c.p.skipList()
	if c.blk < len(sk) && (c.blk == 0 || sk[c.blk-1].lastDoc < target) {
		// First block whose last document reaches target (binary search:
		// a probe for a far document must not walk every skip entry).
		b, hi := c.blk, len(sk) // first skip with lastDoc >= target, or len(sk)
		for b < hi {
			h := int(uint(b+hi) >> 1)
			if sk[h].lastDoc >= target {
				hi = h
			} else {
				b = h + 1
			}
		}
		if b > 0 {
			c.pos = int(sk[b-1].end)
			c.doc = sk[b-1].lastDoc
			c.started = true
		}
		c.blk = b
		c.bi, c.bn = 0, 0
	}
	for c.next() {
		if c.doc >= target {
			return true
		}
	}
	return false
}

// Block encodings: a full block is stored either as varint postings after
// a 0 byte, or bit-packed: a byte with the width w of the document deltas
// (1..32), a byte with the width v of tf-1 (0..32), then 128 deltas of w
// bits and 128 values of v bits, least significant bits first.

// packBlock re-encodes the last blockSize postings of p.data, starting at
// byte start as varints, in the smaller of the two block encodings.
func (p *postings) packBlock(start int) {
	var deltas, tfs [blockSize]uint32
	maxD, maxT := readVarints(deltas[:], tfs[:], p.data[start:])
	p.writeBits(start, &deltas, &tfs, maxD, maxT)
}

// readVarints decodes len(d) postings from the varint stream data (the
// encoding of a tail) into d and tf1 as document gaps and tf−1, and
// returns the largest of each.
func readVarints(d, tf1 []uint32, data []byte) (maxD, maxT uint32) {
	tf1 = tf1[:len(d)]
	pos := 0
	for i := range d {
		var v uint64
		if b := data[pos]; b < 0x80 {
			v = uint64(b)
			pos++
		} else {
			var n int
			v, n = uvarint(data[pos:])
			pos += n
		}
		tf := uint32(1)
		if v&1 == 0 {
			x, m := uvarint(data[pos:])
			pos += m
			tf = uint32(x)
		}
		d[i], tf1[i] = uint32(v>>1), tf-1
		maxD, maxT = max(maxD, uint32(v>>1)), max(maxT, tf-1)
	}
	return maxD, maxT
}

// writeBits replaces p.data[start:] by a full block of document gaps and
// tf−1 values, whose largest are maxD and maxT, in the smaller of the two
// encodings.
func (p *postings) writeBits(start int, deltas, tfs *[blockSize]uint32, maxD, maxT uint32) {
	w, v := bits.Len32(maxD), bits.Len32(maxT)
	packed := 2 + blockSize/8*(w+v)
	// The varints take at least a byte per posting: only a wider packing
	// needs their size to be counted.
	if w == 0 || packed > blockSize && packed >= 1+varintSize(deltas, tfs, maxD, maxT) {
		// Varint block: a 0 marker, then the postings.
		p.data = append(p.data[:start], 0)
		for i := range blockSize {
			if tfs[i] == 0 {
				p.data = appendUvarint(p.data, uint64(deltas[i])<<1|1)
			} else {
				p.data = appendUvarint(appendUvarint(p.data, uint64(deltas[i])<<1), uint64(tfs[i])+1)
			}
		}
		return
	}
	p.data = append(p.data[:start], byte(w), byte(v))
	p.data = packBits(p.data, deltas[:], w)
	p.data = packBits(p.data, tfs[:], v)
}

// varintSize returns the size of a block's postings as varints (without
// the marker); maxD and maxT are the largest delta and tf−1.
func varintSize(deltas, tfs *[blockSize]uint32, maxD, maxT uint32) int {
	if maxD < 1<<13 && maxT < 1<<6 {
		// Each delta takes one byte below 64, else two; each frequency
		// other than 1 (tf−1 > 0) one more: count them without branches.
		n := blockSize
		for i := range blockSize {
			n += int((63-deltas[i])>>31 + (-tfs[i])>>31)
		}
		return n
	}
	n := 0
	for i := range blockSize {
		// A delta d is written as d<<1|1 or d<<1, of bits.Len32(d)+1
		// bits; a frequency other than 1 (tfs[i] > 0) follows it.
		n += (bits.Len32(deltas[i]) + 7) / 7
		if x := tfs[i]; x > 0 {
			n += (bits.Len32(x+1) + 6) / 7
		}
	}
	return n
}

func packBits(dst []byte, vals []uint32, w int) []byte {
	if w == 0 {
		return dst
	}
	n := (len(vals)*w + 7) / 8
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n] // every byte is written below
	out := dst[start:]
	var acc uint64
	nb, o, uw := uint(0), 0, uint(w)
	for _, x := range vals {
		acc |= uint64(x) << (nb & 63) // nb < 32: the mask only spares the compiler a check
		nb += uw
		if nb >= 32 {
			binary.LittleEndian.PutUint32(out[o:], uint32(acc))
			o += 4
			acc >>= 32
			nb -= 32
		}
	}
	for ; nb > 0; nb -= 8 {
		out[o] = byte(acc)
		o++
		acc >>= 8
	}
	return dst
}

func unpackBits(src []byte, vals *[blockSize]uint32, w int) []byte {
	if w == 0 {
		*vals = [blockSize]uint32{}
		return src
	}
	// 128 values of w bits are 16·w bytes, a whole number of 32-bit
	// words: read them one word at a time into a 64-bit accumulator.
	n := blockSize / 8 * w
	b := src[:n]
	mask := uint64(1)<<w - 1
	var acc uint64
	nb, o := 0, 0
	for i := range vals {
		if nb < w {
			acc |= uint64(binary.LittleEndian.Uint32(b[o:o+4])) << nb
			o += 4
			nb += 32
		}
		vals[i] = uint32(acc & mask)
		acc >>= w
		nb -= w
	}
	return src[n:]
}

// decodeBlock decodes one full block (b holds exactly its bytes) into
// documents, starting after document base, and tfs; it returns the count.
func decodeBlock(b []byte, base uint32, docs, tfs *[blockSize]uint32) int {
	if len(b) == 0 {
		return 0
	}
	// Gaps and tf−1 values, from either encoding.
	if b[0] == 0 {
		readVarints(docs[:], tfs[:], b[1:])
	} else {
		w, v := int(b[0]), int(b[1])
		rest := unpackBits(b[2:], docs, w)
		unpackBits(rest, tfs, v)
	}
	doc := base
	for i := range docs {
		doc += docs[i]
		docs[i] = doc
		tfs[i]++
	}
	return blockSize
}

// appendStream appends the postings of p as one varint stream (the
// encoding of the tail), the form snapshots store.
func appendStream(dst []byte, p *postings) []byte {
	c := newCursor(p)
	prev := uint32(0)
	for c.next() {
		delta := c.doc - prev
		prev = c.doc
		if c.tf == 1 {
			dst = appendUvarint(dst, uint64(delta)<<1|1)
		} else {
			dst = appendUvarint(appendUvarint(dst, uint64(delta)<<1), uint64(c.tf))
		}
	}
	return dst
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
