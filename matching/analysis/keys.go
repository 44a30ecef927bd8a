package analysis

import "unicode/utf8"

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

func key1(r rune) uint64     { return uint64(r)<<32 | 1<<31 }
func key2(r1, r2 rune) uint64 { return uint64(r1)<<32 | uint64(uint32(r2)) }

// AppendKeys appends the terms of text to keys in the order AppendTokens
// gives them: a term of one or two runes as its TermKey, any other term as
// 0, with its text appended to long. It returns both extended slices.
//
// It does the work of AppendTokens and TermKey without building tokens:
// text made of ASCII, full-width ASCII, CJK ideographs and CJK
// punctuation is normalized, tokenized and packed in one pass, which is
// what an index wants when it counts terms; other text takes the path of
// AppendTokens.
func (a *Analyzer) AppendKeys(keys []uint64, long []string, text string) ([]uint64, []string) {
	if a.hasSynonym || !a.unigrams || a.stopBigrams {
		return a.appendKeysSlow(keys, long, text)
	}
	k0, l0 := len(keys), len(long)
	prev := rune(-1) // the previous character of the current CJK run
	for i := 0; i < len(text); {
		c, n := asciiAt(text, i)
		if n > 0 {
			prev = -1
			if !isASCIIWord(c) {
				i += n
				continue
			}
			j, exact, ok := scanWord(text, i)
			if !ok {
				return a.appendKeysSlow(keys[:k0], long[:l0], text)
			}
			keys, long = a.wordKeys(keys, long, text[i:j], exact)
			i = j
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch fastClass(r) {
		case classCJK:
			if prev >= 0 && a.bigrams {
				keys = append(keys, key2(prev, r))
			}
			if !a.stopRune(r) {
				keys = append(keys, key1(r))
			}
			prev = r
		case classSep:
			prev = -1
		default:
			return a.appendKeysSlow(keys[:k0], long[:l0], text)
		}
		i += n
	}
	return keys, long
}

// appendKeysSlow is AppendKeys through AppendTokens.
func (a *Analyzer) appendKeysSlow(keys []uint64, long []string, text string) ([]uint64, []string) {
	for _, tk := range a.AppendTokens(nil, text) {
		if k, ok := TermKey(tk.Term); ok {
			keys = append(keys, k)
		} else {
			keys = append(keys, 0)
			long = append(long, tk.Term)
		}
	}
	return keys, long
}

// Rune classes of the one-pass path of AppendKeys, for runes that are not
// ASCII or full-width ASCII.
const (
	classOther = iota // anything else: take the path of AppendTokens
	classCJK          // a CJK ideograph that normalizes to itself
	classSep          // normalizes to itself or a space; neither word nor CJK
)

func fastClass(r rune) int {
	switch {
	case 0x4E00 <= r && r <= 0x9FFF, 0x3400 <= r && r <= 0x4DBF:
		return classCJK
	case r == 0x3000:
		return classSep
	case 0x3001 <= r && r <= 0x3035:
		if isCJK(r) || isWordRune(r) {
			return classOther // 々, 〇, Hangzhou numerals, kana repeat marks
		}
		return classSep
	}
	return classOther
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

func isASCIIWord(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// scanWord returns the end of the word starting at text[i] (a word
// character), as AppendTokens delimits it in the normalized text, and
// whether the word is already normalized (exact). ok is false when a rune
// next to the word is outside the one-pass path.
func scanWord(text string, i int) (j int, exact, ok bool) {
	j, exact = i, true
	for j < len(text) {
		c, n := asciiAt(text, j)
		if n == 0 {
			// A non-ASCII rune ends the word unless it is a word rune
			// (outside the one-pass path).
			r, _ := utf8.DecodeRuneInString(text[j:])
			return j, exact, fastClass(r) != classOther
		}
		if isASCIIWord(c) {
			exact = exact && n == 1 && text[j] == c
			j += n
			continue
		}
		if (c == '.' || c == '-') && j+n < len(text) {
			c3, n3 := asciiAt(text, j+n)
			if n3 == 0 {
				r, _ := utf8.DecodeRuneInString(text[j+n:])
				if fastClass(r) == classOther {
					return j, exact, false
				}
			} else if isASCIIWord(c3) {
				exact = exact && n == 1
				j += n
				continue
			}
		}
		break
	}
	return j, exact, true
}

// wordKeys appends the terms of the word w (text as in the input, exact
// when it is already normalized), as AppendTokens's word does.
func (a *Analyzer) wordKeys(keys []uint64, long []string, w string, exact bool) ([]uint64, []string) {
	if !exact {
		b := make([]byte, 0, len(w))
		for i := 0; i < len(w); {
			c, n := asciiAt(w, i)
			b = append(b, c)
			i += n
		}
		w = string(b)
	}
	keys, long = a.termKey(keys, long, w)
	hyphen := false
	for i := range len(w) {
		if w[i] == '-' {
			hyphen = true
			break
		}
	}
	if !hyphen {
		return keys, long
	}
	for start := 0; start <= len(w); {
		end := start
		for end < len(w) && w[end] != '-' {
			end++
		}
		if end > start {
			keys, long = a.termKey(keys, long, w[start:end])
		}
		start = end + 1
	}
	return keys, long
}

// termKey appends the ASCII word t unless it is a stop word.
func (a *Analyzer) termKey(keys []uint64, long []string, t string) ([]uint64, []string) {
	switch len(t) {
	case 1:
		if a.stopRune(rune(t[0])) {
			return keys, long
		}
		return append(keys, key1(rune(t[0]))), long
	case 2:
		if _, stop := a.stop[t]; stop {
			return keys, long
		}
		return append(keys, key2(rune(t[0]), rune(t[1]))), long
	}
	if _, stop := a.stop[t]; stop {
		return keys, long
	}
	return append(keys, 0), append(long, t)
}
