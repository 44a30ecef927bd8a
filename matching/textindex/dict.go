package textindex

import "github.com/kexie/techbroker/matching/analysis"

// dict maps the terms of one field to posting ids. Terms of one or two
// runes (CJK unigrams and bigrams, most of the vocabulary) are keyed by
// their runes (analysis.TermKey): unigrams of the CJK unified ideographs
// index an array, bigrams of two of them go to an open-addressing table
// with 32-bit keys, other short terms to one with 64-bit keys (linear
// probing, Fibonacci hashing), which is faster and smaller than a Go map;
// longer terms go to a map keyed by string.
type dict struct {
	// uni holds pid+1 of the unigrams of U+4E00..U+9FFF, by rune; nil
	// until the first is set.
	uni   *[numUni]uint32
	bi    table[uint32] // bigrams of two of those: (r1−U+4E00)<<15 | (r2−U+4E00) + 1
	short table[uint64] // other keys
	long  map[string]uint32
}

// The CJK unified ideographs, which uni and bi hold.
const (
	uniFirst, uniLast = 0x4E00, 0x9FFF
	numUni            = uniLast - uniFirst + 1
	uniMark           = 1 << 31 // low half of a unigram key
)

func newDict() dict {
	return dict{bi: newTable[uint32](), short: newTable[uint64](), long: map[string]uint32{}}
}

func (d *dict) getShort(k uint64) (uint32, bool) {
	r1, r2 := k>>32, uint64(uint32(k))
	if uniFirst <= r1 && r1 <= uniLast {
		if r2 == uniMark {
			if d.uni == nil {
				return 0, false
			}
			v := d.uni[r1-uniFirst]
			return v - 1, v != 0
		}
		if uniFirst <= r2 && r2 <= uniLast {
			return d.bi.get(uint32((r1-uniFirst)<<15 | (r2 - uniFirst) + 1))
		}
	}
	return d.short.get(k)
}

func (d *dict) setShort(k uint64, pid uint32) {
	r1, r2 := k>>32, uint64(uint32(k))
	if uniFirst <= r1 && r1 <= uniLast {
		if r2 == uniMark {
			if d.uni == nil {
				d.uni = new([numUni]uint32)
			}
			d.uni[r1-uniFirst] = pid + 1
			return
		}
		if uniFirst <= r2 && r2 <= uniLast {
			d.bi.set(uint32((r1-uniFirst)<<15|(r2-uniFirst)+1), pid)
			return
		}
	}
	d.short.set(k, pid)
}

// table is an open-addressing hash table from nonzero keys to values,
// each key beside its value so that a lookup touches one cache line.
type table[K uint32 | uint64] struct {
	slots []slot[K]
	n     int // occupied slots
	shift uint8
}

type slot[K uint32 | uint64] struct {
	key K // 0 marks an empty slot
	val uint32
}

const minDictSlots = 16

func newTable[K uint32 | uint64]() table[K] {
	return table[K]{slots: make([]slot[K], minDictSlots), shift: 64 - 4}
}

func (t *table[K]) home(k K) uint64 {
	return (uint64(k) * 0x9E3779B97F4A7C15) >> (t.shift & 63) // & 63 spares a check of the shift
}

func (t *table[K]) get(k K) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := t.home(k); ; i = (i + 1) & mask {
		switch s := t.slots[i]; s.key {
		case k:
			return s.val, true
		case 0:
			return 0, false
		}
	}
}

func (t *table[K]) set(k K, v uint32) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.home(k); ; i = (i + 1) & mask {
		switch s := &t.slots[i]; s.key {
		case k:
			s.val = v
			return
		case 0:
			s.key, s.val = k, v
			t.n++
			return
		}
	}
}

func (t *table[K]) grow() {
	old := t.slots
	t.slots = make([]slot[K], 2*len(old))
	t.shift--
	t.n = 0
	for _, s := range old {
		if s.key != 0 {
			t.set(s.key, s.val)
		}
	}
}

func (d *dict) get(term string) (uint32, bool) {
	if k, ok := analysis.TermKey(term); ok {
		return d.getShort(k)
	}
	pid, ok := d.long[term]
	return pid, ok
}

func (d *dict) set(term string, pid uint32) {
	if k, ok := analysis.TermKey(term); ok {
		d.setShort(k, pid)
		return
	}
	d.long[term] = pid
}
