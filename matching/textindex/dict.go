package textindex

import "unicode/utf8"

// dict maps the terms of one field to posting ids. Terms of one or two
// runes (CJK unigrams and bigrams, most of the vocabulary) are keyed by
// their runes packed in a uint64 and kept in an open-addressing table
// (linear probing, Fibonacci hashing), which is faster and smaller than a
// Go map; longer terms go to a map keyed by string.
type dict struct {
	keys  []uint64 // 0 marks an empty slot
	vals  []uint32
	n     int // occupied slots
	shift uint8
	long  map[string]uint32
}

const minDictSlots = 16

func newDict() dict {
	return dict{keys: make([]uint64, minDictSlots), vals: make([]uint32, minDictSlots), shift: 64 - 4, long: map[string]uint32{}}
}

// shortKey packs a term of one or two runes; ok is false for other terms.
func shortKey(term string) (uint64, bool) {
	if term == "" || len(term) > 8 {
		return 0, false
	}
	r1, n1 := utf8.DecodeRuneInString(term)
	if n1 == len(term) {
		return uint64(r1)<<32 | 1<<31, true
	}
	r2, n2 := utf8.DecodeRuneInString(term[n1:])
	if n1+n2 != len(term) {
		return 0, false
	}
	k := uint64(r1)<<32 | uint64(r2)
	return k, k != 0
}

func (d *dict) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> d.shift }

func (d *dict) getShort(k uint64) (uint32, bool) {
	mask := uint64(len(d.keys) - 1)
	for i := d.slot(k); ; i = (i + 1) & mask {
		switch d.keys[i] {
		case k:
			return d.vals[i], true
		case 0:
			return 0, false
		}
	}
}

func (d *dict) setShort(k uint64, pid uint32) {
	if (d.n+1)*4 > len(d.keys)*3 {
		d.grow()
	}
	mask := uint64(len(d.keys) - 1)
	for i := d.slot(k); ; i = (i + 1) & mask {
		switch d.keys[i] {
		case k:
			d.vals[i] = pid
			return
		case 0:
			d.keys[i], d.vals[i] = k, pid
			d.n++
			return
		}
	}
}

func (d *dict) grow() {
	keys, vals := d.keys, d.vals
	d.keys = make([]uint64, 2*len(keys))
	d.vals = make([]uint32, 2*len(keys))
	d.shift--
	d.n = 0
	for i, k := range keys {
		if k != 0 {
			d.setShort(k, vals[i])
		}
	}
}

func (d *dict) get(term string) (uint32, bool) {
	if k, ok := shortKey(term); ok {
		return d.getShort(k)
	}
	pid, ok := d.long[term]
	return pid, ok
}

func (d *dict) set(term string, pid uint32) {
	if k, ok := shortKey(term); ok {
		d.setShort(k, pid)
		return
	}
	d.long[term] = pid
}
