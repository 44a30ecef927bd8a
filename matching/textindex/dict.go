package textindex

import "github.com/kexie/techbroker/matching/analysis"

// dict maps the terms of one field to posting ids. Terms of one or two
// runes (CJK unigrams and bigrams, most of the vocabulary) are keyed by
// their runes packed in a uint64 and kept in an open-addressing table
// (linear probing, Fibonacci hashing), which is faster and smaller than a
// Go map; longer terms go to a map keyed by string.
type dict struct {
	slots []dictSlot
	n     int // occupied slots
	shift uint8
	long  map[string]uint32
}

// dictSlot is a key and its value side by side, so that a lookup touches
// one cache line.
type dictSlot struct {
	key uint64 // 0 marks an empty slot
	val uint32
}

const minDictSlots = 16

func newDict() dict {
	return dict{slots: make([]dictSlot, minDictSlots), shift: 64 - 4, long: map[string]uint32{}}
}

func (d *dict) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> d.shift }

func (d *dict) getShort(k uint64) (uint32, bool) {
	mask := uint64(len(d.slots) - 1)
	for i := d.slot(k); ; i = (i + 1) & mask {
		switch s := d.slots[i]; s.key {
		case k:
			return s.val, true
		case 0:
			return 0, false
		}
	}
}

func (d *dict) setShort(k uint64, pid uint32) {
	if (d.n+1)*4 > len(d.slots)*3 {
		d.grow()
	}
	mask := uint64(len(d.slots) - 1)
	for i := d.slot(k); ; i = (i + 1) & mask {
		switch s := &d.slots[i]; s.key {
		case k:
			s.val = pid
			return
		case 0:
			s.key, s.val = k, pid
			d.n++
			return
		}
	}
}

func (d *dict) grow() {
	old := d.slots
	d.slots = make([]dictSlot, 2*len(old))
	d.shift--
	d.n = 0
	for _, s := range old {
		if s.key != 0 {
			d.setShort(s.key, s.val)
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
