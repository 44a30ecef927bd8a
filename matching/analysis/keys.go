package analysis

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TermKey packs a term of one or two runes into a nonzero integer — the
// first rune in the high 32 bits, the second (or 1<<31 for a single rune)
// in the low ones — so that an index can key most CJK terms (unigrams and
// bigrams) without a string. ok is false for any other term, including
// one holding invalid UTF-8.
func TermKey(term string) (key uint64, ok bool) {
	if term == "" || len(term) > 8 {
		return 0, false
	}
	r1, n1 := utf8.DecodeRuneInString(term)
	if r1 == utf8.RuneError && n1 == 1 {
		return 0, false
	}
	if n1 == len(term) {
		return key1(r1), true
	}
	r2, n2 := utf8.DecodeRuneInString(term[n1:])
	if n1+n2 != len(term) || r2 == utf8.RuneError && n2 == 1 {
		return 0, false
	}
	k := key2(r1, r2)
	return k, k != 0
}

// KeyTerm returns the term of a key made by TermKey.
func KeyTerm(key uint64) string {
	r1 := rune(key >> 32)
	if uint32(key) == 1<<31 {
		return string(r1)
	}
	var b [2 * utf8.UTFMax]byte
	return string(utf8.AppendRune(utf8.AppendRune(b[:0], r1), rune(uint32(key))))
}

func key1(r rune) uint64      { return uint64(r)<<32 | 1<<31 }
func key2(r1, r2 rune) uint64 { return uint64(r1)<<32 | uint64(uint32(r2)) }

// AppendKeys appends the terms of text to keys in the order AppendTokens
// gives them: a term of one or two runes as its TermKey, any other term as
// 0, with its text appended to long. It returns both extended slices.
//
// It does the work of AppendTokens and TermKey without building tokens or
// a normalized copy of the text: text made of runes whose normalization
// does not depend on their neighbours (ASCII, full-width forms, CJK,
// most punctuation, symbols, Latin, Greek and Cyrillic letters without
// combining marks) is normalized, tokenized and packed in one pass, which
// is what an index wants when it counts terms; other text, or an analyzer
// with synonyms, stop bigrams or without unigrams, takes the path of
// AppendTokens.
func (a *Analyzer) AppendKeys(keys []uint64, long []string, text string) ([]uint64, []string) {
	if a.hasSynonym || !a.unigrams || a.stopBigrams {
		return a.appendKeysSlow(keys, long, text)
	}
	k0, l0 := len(keys), len(long)
	t := keyTokenizer{a: a, text: text, keys: keys, long: long, prev: -1, word: -1}
	for i := 0; i < len(text); {
		if b0 := text[i]; 0xE4 <= b0 && b0 <= 0xE9 && t.word < 0 {
			// A run of CJK unified ideographs (U+4E00..U+9FFF) outside a
			// word, most of Chinese text: decoded and emitted here.
			if j := a.cjkKeys(&t, text, i); j > i {
				i = j
				continue
			}
		}
		c, n := asciiAt(text, i)
		if n > 0 {
			if isWordRune(rune(c)) || isJoiner(rune(c)) {
				t.feed(rune(c), i, i+n, n == 1 && text[i] == c)
			} else {
				t.sep()
			}
			i += n
			continue
		}
		if text[i] == 0xE3 && i+2 < len(text) && text[i+1] == 0x80 && (text[i+2] == 0x81 || text[i+2] == 0x82) {
			t.sep() // 、 and 。
			i += 3
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if 0x4E00 <= r && r <= 0x9FFF || 0x3000 < r && r <= 0x3035 || 0x3400 <= r && r <= 0x4DBF {
			t.feed(r, i, i+n, true)
			i += n
			continue
		}
		if r == 0x3000 {
			t.feed(' ', i, i+n, false)
			i += n
			continue
		}
		m, ok := inertRunes()[r]
		if !ok {
			return a.appendKeysSlow(keys[:k0], long[:l0], text)
		}
		same := m == text[i:i+n]
		for _, mr := range m {
			t.feed(mr, i, i+n, same)
		}
		i += n
	}
	t.endWord()
	return t.keys, t.long
}

// cjkKeys emits the keys of the run of CJK unified ideographs that starts
// at text[i] (outside a word) and returns the offset after it (i when
// text[i] does not start one).
func (a *Analyzer) cjkKeys(t *keyTokenizer, text string, i int) int {
	// The loop calls nothing (a call would make the compiler keep its
	// variables in memory): keys has room for two keys a rune of the rest
	// of the text.
	rest := text[i:]
	keys, prev := slices.Grow(t.keys, 2*(len(rest)/3)), t.prev
	n := len(keys)
	keys = keys[:cap(keys)]
	stop, bigrams := a.stopCJK, a.bigrams
	p := 0
	for ; p+3 <= len(rest); p += 3 {
		c := rest[p : p+3]
		b0, b1, b2 := c[0], c[1], c[2]
		if b0-0xE4 > 0xE9-0xE4 || (uint(b1)<<8|uint(b2))&0xC0C0 != 0x8080 {
			break
		}
		// U+4000..U+9FFF: three bytes from E4..E9
		r := rune(b0&0x0F)<<12 | rune(b1&0x3F)<<6 | rune(b2&0x3F)
		if r < cjkFirst {
			break
		}
		if prev >= 0 && bigrams {
			keys[n] = key2(prev, r)
			n++
		}
		if stop[r>>6&(1<<10-1)]&(1<<(r&63)) == 0 {
			keys[n] = key1(r)
			n++
		}
		prev = r
	}
	t.keys, t.prev = keys[:n], prev
	return i + p
}

// keyTokenizer is the state of AppendKeys: it receives the normalized
// text rune by rune and delimits terms as AppendTokens does.
type keyTokenizer struct {
	a    *Analyzer
	text string
	keys []uint64
	long []string
	prev rune // the previous character of the current CJK run, or -1

	word    int    // input offset of the current word, or -1
	wordEnd int    // input offset after its last rune
	exact   bool   // the word's runes are text[word:wordEnd] unchanged
	buf     []byte // the normalized word when not exact
	joiner  rune   // a joiner after the word, kept if a word rune follows
	jStart  int    // its input offsets
	jEnd    int
	jExact  bool
}

// feed takes the normalized rune r, which comes from text[start:end];
// same says that r is the whole of text[start:end] unchanged.
func (t *keyTokenizer) feed(r rune, start, end int, same bool) {
	if t.word >= 0 {
		wordRune := isLatinWordRune(r)
		if t.joiner != 0 {
			if wordRune {
				t.extend(t.joiner, t.jStart, t.jEnd, t.jExact)
				t.joiner = 0
				t.extend(r, start, end, same)
				return
			}
			t.endWord()
		} else {
			if wordRune {
				t.extend(r, start, end, same)
				return
			}
			if isJoiner(r) {
				t.joiner, t.jStart, t.jEnd, t.jExact = r, start, end, same
				return
			}
			t.endWord()
		}
	}
	switch {
	case isCJK(r):
		if t.prev >= 0 && t.a.bigrams {
			t.keys = append(t.keys, key2(t.prev, r))
		}
		if !t.a.stopRune(r) {
			t.keys = append(t.keys, key1(r))
		}
		t.prev = r
	case isWordRune(r):
		t.prev = -1
		t.word, t.wordEnd, t.exact = start, start, true
		t.buf = t.buf[:0]
		t.extend(r, start, end, same)
	default:
		t.prev = -1
	}
}

// sep takes a rune that is neither a word rune, a joiner nor CJK, as
// feed would: it ends the current word and CJK run.
func (t *keyTokenizer) sep() {
	if t.word >= 0 {
		t.endWord()
	}
	t.prev = -1
}

// extend adds r to the current word.
func (t *keyTokenizer) extend(r rune, start, end int, same bool) {
	if t.exact && (!same || start != t.wordEnd) {
		t.exact = false
		t.buf = append(t.buf[:0], t.text[t.word:t.wordEnd]...)
	}
	if t.exact {
		if end > t.wordEnd {
			t.wordEnd = end
		}
		return
	}
	t.buf = utf8.AppendRune(t.buf, r)
	if end > t.wordEnd {
		t.wordEnd = end
	}
}

// endWord emits the current word, if any; a pending joiner is dropped.
func (t *keyTokenizer) endWord() {
	if t.word < 0 {
		return
	}
	var w string
	if t.exact {
		w = t.text[t.word:t.wordEnd]
	} else {
		w = string(t.buf)
	}
	t.word, t.joiner = -1, 0
	t.keys, t.long = t.a.wordKeys(t.keys, t.long, w)
}

// appendKeysSlow is AppendKeys through AppendTokens.
func (a *Analyzer) appendKeysSlow(keys []uint64, long []string, text string) ([]uint64, []string) {
	for _, tk := range a.AppendTokens(nil, text) {
		keys, long = appendKey(keys, long, tk.Term)
	}
	return keys, long
}

func appendKey(keys []uint64, long []string, term string) ([]uint64, []string) {
	if k, ok := TermKey(term); ok {
		return append(keys, k), long
	}
	return append(keys, 0), append(long, term)
}

// wordKeys appends the terms of the normalized word w as word does.
func (a *Analyzer) wordKeys(keys []uint64, long []string, w string) ([]uint64, []string) {
	if a.keep(w) {
		keys, long = appendKey(keys, long, w)
	}
	if strings.IndexByte(w, '-') < 0 {
		return keys, long
	}
	for part := range strings.SplitSeq(w, "-") {
		if part != "" && a.keep(part) {
			keys, long = appendKey(keys, long, part)
		}
	}
	return keys, long
}

// inertRunes maps each rune outside the fast set of Normalize whose
// normalization does not depend on what precedes it to its normalized
// form: it and every rune of that form are starters with a normalization
// boundary before them. (What follows such a rune cannot change it either,
// unless it is a rune without that boundary, such as a combining mark,
// and AppendKeys sends text holding one of those down the slow path.)
// The table covers the blocks that Chinese technical text borrows from
// (Latin, Greek, Cyrillic, punctuation, symbols, kana, half- and
// full-width forms) and is computed once.
var inertRunes = sync.OnceValue(func() map[rune]string {
	out := map[rune]string{}
	for _, rg := range [][2]rune{{0x80, 0x52F}, {0x1E00, 0x1FFF}, {0x2000, 0x2BFF}, {0x3036, 0x30FF}, {0xFE30, 0xFE6F}, {0xFF00, 0xFFEF}} {
		for r := rg[0]; r <= rg[1]; r++ {
			if fastRuneOK(r) || !inert(r) {
				continue
			}
			m := Normalize(string(r))
			ok := true
			for _, mr := range m {
				ok = ok && inert(mr)
			}
			if ok {
				out[r] = m
			}
		}
	}
	return out
})

func fastRuneOK(r rune) bool { _, ok := fastRune(r); return ok }

// inert reports whether r is an assigned letter, number, punctuation,
// symbol or space that starts a new normalization segment.
func inert(r rune) bool {
	if !unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S, unicode.Zs) {
		return false
	}
	p := norm.NFKC.PropertiesString(string(r))
	q := norm.NFC.PropertiesString(string(r))
	return p.CCC() == 0 && p.LeadCCC() == 0 && p.BoundaryBefore() && q.BoundaryBefore()
}

// asciiAt returns the normalized ASCII byte at text[i] when text[i] is
// ASCII (n = 1) or a full-width ASCII character (n = 3); n = 0 otherwise.
func asciiAt(text string, i int) (c byte, n int) {
	c = text[i]
	if c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return c, 1
	}
	// U+FF01..U+FF5E is EF BC 81..EF BD 9E.
	if c != 0xEF || i+2 >= len(text) {
		return 0, 0
	}
	b1, b2 := text[i+1], text[i+2]
	var r rune
	switch {
	case b1 == 0xBC && 0x81 <= b2 && b2 <= 0xBF:
		r = 0xFF00 + rune(b2-0x80)
	case b1 == 0xBD && 0x80 <= b2 && b2 <= 0x9E:
		r = 0xFF40 + rune(b2-0x80)
	default:
		return 0, 0
	}
	c = byte(r - 0xFEE0)
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	return c, 3
}
