package textindex

import "unicode/utf8"

// dict maps the terms of one field to posting ids. Terms of one or two
// runes (CJK unigrams and bigrams, most of the vocabulary) are keyed by
// their runes packed in a uint64, which hashes and compares faster than a
// string; longer terms by string.
type dict struct {
	short map[uint64]uint32
	long  map[string]uint32
}

func newDict() dict {
	return dict{short: map[uint64]uint32{}, long: map[string]uint32{}}
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
	return uint64(r1)<<32 | uint64(r2), true
}

func (d dict) get(term string) (uint32, bool) {
	if k, ok := shortKey(term); ok {
		pid, ok := d.short[k]
		return pid, ok
	}
	pid, ok := d.long[term]
	return pid, ok
}

func (d dict) set(term string, pid uint32) {
	if k, ok := shortKey(term); ok {
		d.short[k] = pid
		return
	}
	d.long[term] = pid
}
