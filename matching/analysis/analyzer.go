package analysis

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind tells how a token was produced.
type Kind uint8

// Token kinds.
const (
	Word    Kind = iota + 1 // a run of letters and digits, such as "5g" or "li-ion"
	Unigram                 // one CJK character
	Bigram                  // two adjacent CJK characters
	Synonym                 // a member of a synonym group matched in the text
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Word:
		return "word"
	case Unigram:
		return "unigram"
	case Bigram:
		return "bigram"
	case Synonym:
		return "synonym"
	}
	return "kind(?)"
}

// Token is one index term. Term is a substring of the normalized text (or a
// normalized synonym), so producing tokens does not allocate per token.
type Token struct {
	Term string
	Kind Kind
}

// DefaultStopWords returns the words dropped unless Options.StopWords is
// set: Chinese function characters (as unigrams) and English function
// words. Bigrams are never dropped by default: BM25's idf already
// discounts common ones.
func DefaultStopWords() []string {
	return []string{
		"的", "了", "和", "与", "及", "或", "在", "是", "为", "对", "等", "并", "其", "之",
		"于", "以", "而", "也", "被", "将", "由", "从", "把", "这", "该", "此", "各", "个",
		"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it",
		"of", "on", "or", "that", "the", "this", "to", "was", "were", "with",
	}
}

// Options configure an Analyzer. The zero value (or nil) means defaults.
type Options struct {
	// StopWords replaces DefaultStopWords when non-nil; use an empty,
	// non-nil slice to keep every token. Entries are normalized.
	StopWords []string
	// Synonyms are groups of equivalent terms, e.g. {"人工智能", "AI"}.
	// Entries are normalized; empty entries are ignored.
	Synonyms [][]string
	// NoUnigrams drops CJK unigrams (a run of one character is still
	// emitted).
	NoUnigrams bool
	// NoBigrams drops CJK bigrams.
	NoBigrams bool
}

// Analyzer normalizes and tokenizes text. It is immutable and safe for
// concurrent use.
type Analyzer struct {
	stop        map[string]struct{} // multi-rune stop words
	stopRunes   []rune              // single-rune stop words, sorted
	stopCJK     *[1 << 10]uint64    // bitset of stopRunes in U+4E00..U+9FFF, by rune (bit r of the BMP)
	stopBigrams bool                // some stop word is a CJK bigram
	unigrams    bool
	bigrams     bool
	groups      [][]string          // normalized, deduplicated members
	synWord     map[string][]int    // single-word member -> groups
	synPrefix   map[rune][]synEntry // other members by first rune
	hasSynonym  bool
}

type synEntry struct {
	text  string
	group int
}

// New returns an Analyzer for opts; nil means defaults.
func New(opts *Options) *Analyzer {
	if opts == nil {
		opts = &Options{}
	}
	a := &Analyzer{
		stop:      make(map[string]struct{}),
		unigrams:  !opts.NoUnigrams,
		bigrams:   !opts.NoBigrams,
		synWord:   make(map[string][]int),
		synPrefix: make(map[rune][]synEntry),
	}
	stop := opts.StopWords
	if stop == nil {
		stop = DefaultStopWords()
	}
	for _, w := range stop {
		w = strings.TrimSpace(Normalize(w))
		if r, n := utf8.DecodeRuneInString(w); n > 0 && n == len(w) {
			a.stopRunes = append(a.stopRunes, r)
		} else if w != "" {
			a.stop[w] = struct{}{}
			if utf8.RuneCountInString(w) == 2 && isCJK(r) {
				a.stopBigrams = true
			}
		}
	}
	for _, g := range opts.Synonyms {
		var members []string
		seen := map[string]bool{}
		for _, m := range g {
			m = strings.Join(strings.Fields(Normalize(m)), " ")
			if m == "" || seen[m] {
				continue
			}
			seen[m] = true
			members = append(members, m)
		}
		if len(members) < 2 {
			continue
		}
		gi := len(a.groups)
		a.groups = append(a.groups, members)
		for _, m := range members {
			if isSingleWord(m) {
				a.synWord[m] = append(a.synWord[m], gi)
				continue
			}
			r, _ := utf8.DecodeRuneInString(m)
			a.synPrefix[r] = append(a.synPrefix[r], synEntry{m, gi})
		}
		a.hasSynonym = true
	}
	slices.Sort(a.stopRunes)
	a.stopRunes = slices.Compact(a.stopRunes)
	a.stopCJK = new([1 << 10]uint64)
	for _, r := range a.stopRunes {
		if cjkFirst <= r && r <= cjkLast {
			a.stopCJK[r>>6] |= 1 << (r & 63)
		}
	}
	return a
}

// isSingleWord reports whether s tokenizes to exactly one word token
// (letters and digits only, with inner joiners).
func isSingleWord(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if isCJK(r) {
			return false
		}
		if !isWordRune(r) {
			if !isJoiner(r) || i == 0 || i == len(s)-1 {
				return false
			}
		}
	}
	return true
}

// Analyze returns the tokens of text.
func (a *Analyzer) Analyze(text string) []Token {
	return a.AppendTokens(nil, text)
}

// Terms returns the distinct terms of text in first-seen order.
func (a *Analyzer) Terms(text string) []string {
	toks := a.Analyze(text)
	seen := make(map[string]struct{}, len(toks))
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if _, ok := seen[t.Term]; !ok {
			seen[t.Term] = struct{}{}
			out = append(out, t.Term)
		}
	}
	return out
}

// AppendTokens appends the tokens of text to dst and returns the extended
// slice. Reusing dst avoids allocations.
func (a *Analyzer) AppendTokens(dst []Token, text string) []Token {
	s := Normalize(text)
	var groupsHit []int
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case isCJK(r):
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !isCJK(r2) {
					break
				}
				j += n2
			}
			dst = a.cjkRun(dst, s[i:j])
			i = j
		case isWordRune(r):
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) && !isCJK(r2) {
					j += n2
					continue
				}
				if isJoiner(r2) && j+n2 < len(s) {
					r3, _ := utf8.DecodeRuneInString(s[j+n2:])
					if isWordRune(r3) && !isCJK(r3) {
						j += n2
						continue
					}
				}
				break
			}
			dst, groupsHit = a.word(dst, groupsHit, s[i:j])
			i = j
		default:
			i += n
		}
	}
	if a.hasSynonym {
		for i := range s {
			r, _ := utf8.DecodeRuneInString(s[i:])
			for _, e := range a.synPrefix[r] {
				if strings.HasPrefix(s[i:], e.text) && atBoundary(s, i, i+len(e.text)) {
					groupsHit = append(groupsHit, e.group)
				}
			}
		}
		dst = a.emitGroups(dst, groupsHit)
	}
	return dst
}

func (a *Analyzer) emitGroups(dst []Token, hit []int) []Token {
	for k, g := range hit {
		dup := false
		for _, h := range hit[:k] {
			if h == g {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		for _, m := range a.groups[g] {
			dst = append(dst, Token{Term: m, Kind: Synonym})
		}
	}
	return dst
}

func (a *Analyzer) keep(term string) bool {
	if r, n := utf8.DecodeRuneInString(term); n == len(term) {
		_, found := slices.BinarySearch(a.stopRunes, r)
		return !found
	}
	if len(a.stop) == 0 {
		return true
	}
	_, stop := a.stop[term]
	return !stop
}

// The block of CJK unified ideographs, where stopCJK answers stopRune.
const cjkFirst, cjkLast = 0x4E00, 0x9FFF

func (a *Analyzer) stopRune(r rune) bool {
	if cjkFirst <= r && r <= cjkLast {
		return a.stopCJK[r>>6&(1<<10-1)]&(1<<(r&63)) != 0
	}
	_, found := slices.BinarySearch(a.stopRunes, r)
	return found
}

func (a *Analyzer) cjkRun(dst []Token, run string) []Token {
	r, first := utf8.DecodeRuneInString(run)
	if first == len(run) { // a single character
		if !a.stopRune(r) {
			dst = append(dst, Token{Term: run, Kind: Unigram})
		}
		return dst
	}
	i, n := 0, first
	for i < len(run) {
		next, n2 := rune(0), 0
		if i+n < len(run) {
			next, n2 = utf8.DecodeRuneInString(run[i+n:])
		}
		if a.unigrams && !a.stopRune(r) {
			dst = append(dst, Token{Term: run[i : i+n], Kind: Unigram})
		}
		if a.bigrams && n2 > 0 && (!a.stopBigrams || a.keep(run[i:i+n+n2])) {
			dst = append(dst, Token{Term: run[i : i+n+n2], Kind: Bigram})
		}
		i += n
		r, n = next, n2
	}
	return dst
}

func (a *Analyzer) word(dst []Token, hit []int, w string) ([]Token, []int) {
	if a.keep(w) {
		dst = append(dst, Token{Term: w, Kind: Word})
	}
	if a.hasSynonym {
		hit = append(hit, a.synWord[w]...)
	}
	if strings.IndexByte(w, '-') < 0 {
		return dst, hit
	}
	for part := range strings.SplitSeq(w, "-") {
		if part != "" && a.keep(part) {
			dst = append(dst, Token{Term: part, Kind: Word})
		}
		if a.hasSynonym {
			hit = append(hit, a.synWord[part]...)
		}
	}
	return dst, hit
}

// atBoundary reports whether s[i:j] does not cut a Latin word in two.
func atBoundary(s string, i, j int) bool {
	if i > 0 {
		p, _ := utf8.DecodeLastRuneInString(s[:i])
		f, _ := utf8.DecodeRuneInString(s[i:])
		if isLatinWordRune(p) && isLatinWordRune(f) {
			return false
		}
	}
	if j < len(s) {
		l, _ := utf8.DecodeLastRuneInString(s[:j])
		n, _ := utf8.DecodeRuneInString(s[j:])
		if isLatinWordRune(l) && isLatinWordRune(n) {
			return false
		}
	}
	return true
}

func isLatinWordRune(r rune) bool { return !isCJK(r) && isWordRune(r) }

func isCJK(r rune) bool {
	if 0x4E00 <= r && r <= 0x9FFF {
		return true
	}
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isJoiner(r rune) bool { return r == '.' || r == '-' }

// IsCJK reports whether r is a character the analyzer cuts into unigrams
// and bigrams: a CJK ideograph, kana or hangul.
func IsCJK(r rune) bool { return isCJK(r) }

// StopRune reports whether the analyzer drops r as a unigram (a function
// character such as 的 or 与). Bigrams across it are kept.
func (a *Analyzer) StopRune(r rune) bool { return a.stopRune(r) }
