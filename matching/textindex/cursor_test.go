package textindex

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// TestCursorBlocks checks next and advance against the postings that
// went in, over lists whose blocks take each encoding (bit-packed with
// small and large gaps and tfs, varint) and whose tails vary.
func TestCursorBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, tc := range []struct {
		name     string
		n        int
		gap, tf  uint32
		outliers bool
	}{
		{"dense", 3*blockSize + 17, 1, 1, false},
		{"gaps", 2*blockSize + 1, 300, 3, false},
		{"bigtf", blockSize, 5, 100000, false},
		{"outliers", 4 * blockSize, 2, 1, true},
		{"tail only", blockSize - 1, 9, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := postings{minLen: 1 << 15, blkMinLen: 1 << 15}
			var docs, tfs []uint32
			doc := uint32(r.IntN(5))
			for i := range tc.n {
				tf := 1 + uint32(r.IntN(int(tc.tf)))
				if i > 0 {
					doc += 1 + uint32(r.IntN(int(tc.gap)))
					if tc.outliers && i%blockSize == 7 {
						doc += 1 << 24
					}
				}
				p.add(doc, tf, 10)
				docs, tfs = append(docs, doc), append(tfs, tf)
			}
			c := newCursor(&p)
			for i := range docs {
				if !c.next() || c.doc != docs[i] || c.tf != tfs[i] {
					t.Fatalf("posting %d: got (%d, %d), want (%d, %d)", i, c.doc, c.tf, docs[i], tfs[i])
				}
			}
			if c.next() {
				t.Fatalf("got a posting after the last")
			}
			for range 200 {
				c := newCursor(&p)
				i := 0
				for i < len(docs) {
					target := docs[i] + uint32(r.IntN(int(3*tc.gap*blockSize/2+1)))
					for i < len(docs) && docs[i] < target {
						i++
					}
					ok := c.advance(target)
					if i == len(docs) {
						if ok {
							t.Fatalf("advance(%d): got doc %d, want end", target, c.doc)
						}
						break
					}
					if !ok || c.doc != docs[i] || c.tf != tfs[i] {
						t.Fatalf("advance(%d): got (%v, %d, %d), want doc %d tf %d", target, ok, c.doc, c.tf, docs[i], tfs[i])
					}
				}
			}
			s := appendStream(nil, &p)
			q := postings{data: s}
			c = newCursor(&q)
			for i := range docs {
				if !c.next() || c.doc != docs[i] || c.tf != tfs[i] {
					t.Fatalf("stream posting %d: got (%d, %d), want (%d, %d)", i, c.doc, c.tf, docs[i], tfs[i])
				}
			}
		})
	}
}

// TestPackBits packs values of every width and unpacks them back, and
// checks the layout against a bit-by-bit reference.
func TestPackBits(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for w := 1; w <= 32; w++ {
		var vals [blockSize]uint32
		for i := range vals {
			vals[i] = uint32(r.Uint64() & (1<<w - 1))
		}
		got := packBits([]byte{7}, vals[:], w)
		want := []byte{7}
		for bit := 0; bit < blockSize*w; bit++ {
			if bit%8 == 0 {
				want = append(want, 0)
			}
			if vals[bit/w]>>(bit%w)&1 != 0 {
				want[len(want)-1] |= 1 << (bit % 8)
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("width %d: packBits gives %x, want %x", w, got, want)
		}
		var back [blockSize]uint32
		if rest := unpackBits(got[1:], &back, w); len(rest) != 0 || back != vals {
			t.Fatalf("width %d: unpackBits(packBits(v)) differs from v", w)
		}
	}
}

// TestVarintSize checks the size writeBits compares with the packed one
// against the bytes of the varint block it would write.
func TestVarintSize(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for trial := range 500 {
		var deltas, tfs [blockSize]uint32
		var maxD, maxT uint32
		for i := range blockSize {
			deltas[i] = uint32(r.Uint64() >> (32 + r.IntN(33)))
			if r.IntN(3) == 0 {
				tfs[i] = uint32(r.Uint64()>>(32+r.IntN(33))) % math.MaxUint32
			}
			if trial%2 == 0 { // the common case: small gaps and frequencies
				deltas[i] %= 1 << (6 + trial%16)
				tfs[i] %= 1 << (trial % 8)
			}
			maxD, maxT = max(maxD, deltas[i]), max(maxT, tfs[i])
		}
		var b []byte
		for i := range blockSize {
			if tfs[i] == 0 {
				b = appendUvarint(b, uint64(deltas[i])<<1|1)
			} else {
				b = appendUvarint(appendUvarint(b, uint64(deltas[i])<<1), uint64(tfs[i])+1)
			}
		}
		if got := varintSize(&deltas, &tfs, maxD, maxT); got != len(b) {
			t.Fatalf("varintSize: got %d, want %d", got, len(b))
		}
	}
}
