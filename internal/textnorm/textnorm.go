// Package textnorm is the text normalization that package broker and its
// feature packages apply to every record on write.
//
// Text: Unicode NFKC (which also folds full-width ASCII such as "ＡＢＣ１２３"
// to "ABC123" and the ideographic space to a space), then width folding
// (golang.org/x/text/width.Fold: half-width katakana to full width and the
// remaining width variants), invalid UTF-8 replaced by U+FFFD, control
// characters dropped, runs of white space collapsed to one space and the
// ends trimmed. Multiline keeps line breaks: each line is normalized and
// empty lines are dropped. Every function is idempotent (FuzzNormText).
//
// The transformers used here (norm.NFKC, width.Fold, cases.Fold) are
// stateless values and safe to share.
package textnorm

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

var folder = cases.Fold()

// Text normalizes single-line text.
func Text(s string) string {
	if isPlainASCII(s) {
		return collapseSpaces(s)
	}
	if out, ok := fastFold(s); ok {
		return out
	}
	// Dropping a control character or a space can bring together runes
	// that NFKC reorders or composes: repeat until nothing changes (twice
	// for all but contrived input), so that normalization is idempotent.
	for range 4 {
		t := collapseSpaces(foldWidth(s))
		if t == s {
			break
		}
		s = t
	}
	return s
}

// fastFold normalizes the common case of Chinese text without running the
// general NFKC transform: it handles printable ASCII, CJK ideographs and
// CJK punctuation that NFKC leaves alone, full-width ASCII (U+FF01–U+FF5E,
// which NFKC maps to U+0021–U+007E) and the ideographic space (U+3000 →
// space), collapsing white space as collapseSpaces does. On any other rune
// it reports false and the caller takes the general path; the result is the
// same either way (FuzzNormText checks this).
func fastFold(s string) (string, bool) {
	if clean, ok := alreadyFolded(s); !ok {
		return "", false
	} else if clean {
		return s, true // the common case: nothing to change, nothing to allocate
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); {
		var r rune     // the rune to write, or
		var raw string // bytes to copy as they are
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			space = true
			i++
			continue
		case c > 0x20 && c < 0x7f:
			raw = s[i : i+1]
			i++
		case c < utf8.RuneSelf:
			return "", false
		case ideograph3(s, i):
			raw = s[i : i+3]
			i += 3
		default:
			var n int
			r, n = utf8.DecodeRuneInString(s[i:])
			switch {
			case r == 0x3000:
				space = true
				i += n
				continue
			case r >= 0xFF01 && r <= 0xFF5E:
				r -= 0xFEE0
			case stableCJK(r):
				raw = s[i : i+n]
			default:
				return "", false
			}
			i += n
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		if raw != "" {
			b = append(b, raw...)
		} else {
			b = utf8.AppendRune(b, r)
		}
	}
	out := string(b)
	if out == s {
		return s, true
	}
	return out, true
}

// ideograph3 reports whether s[i:] starts with a valid three-byte UTF-8
// sequence of a CJK ideograph in U+4000–U+4DBF or U+4E00–U+9FFF (all
// stableCJK), telling it from the lead and continuation bytes alone.
func ideograph3(s string, i int) bool {
	if i+2 >= len(s) || s[i+1]&0xC0 != 0x80 || s[i+2]&0xC0 != 0x80 {
		return false
	}
	switch c := s[i]; {
	case c >= 0xE5 && c <= 0xE9: // U+5000–U+9FFF
		return true
	case c == 0xE4: // U+4000–U+4FFF, but U+4DC0–U+4DFF are hexagram symbols
		return s[i+1] != 0xB7
	}
	return false
}

// alreadyFolded reports whether fastFold would return s unchanged (clean),
// and false for ok when s holds a rune fastFold does not handle.
func alreadyFolded(s string) (clean, ok bool) {
	clean = true
	space := true // a leading space is a change
	for i := 0; i < len(s); {
		c := s[i]
		if ideograph3(s, i) {
			space = false
			i += 3
			continue
		}
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ':
				if space {
					clean = false
				}
				space = true
			case c > 0x20 && c < 0x7f:
				space = false
			case c == '\t':
				clean = false
			default:
				return false, false
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case stableCJK(r):
			space = false
		case r == 0x3000 || (r >= 0xFF01 && r <= 0xFF5E):
			clean = false
		default:
			return false, false
		}
	}
	return clean && (!space || s == ""), true
}

// stableCJK reports runes that NFKC and width folding leave unchanged and
// that never combine with their neighbours: CJK ideographs (URO and
// extension A) and common CJK punctuation.
func stableCJK(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF:
		return true
	case r >= 0x3001 && r <= 0x3003, r >= 0x3008 && r <= 0x3011, r >= 0x3014 && r <= 0x301B:
		return true
	case r == 0x2014 || r == 0x2018 || r == 0x2019 || r == 0x201C || r == 0x201D:
		return true
	}
	return false
}

// Multiline normalizes text that may hold line breaks.
func Multiline(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return Text(s)
	}
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	out := lines[:0]
	for _, l := range lines {
		if l = Text(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Code normalizes a code (discipline, industry, region code): text
// normalization, no inner spaces, upper case.
func Code(s string) string {
	s = Text(s)
	s = strings.ReplaceAll(s, " ", "")
	return strings.ToUpper(s)
}

// Enum normalizes an enumeration code: text normalization, no inner
// spaces, ASCII lower case (codes are ASCII; anything else fails the
// oneof check anyway).
func Enum(s string) string {
	return LowerASCII(strings.ReplaceAll(Text(s), " ", ""))
}

// List normalizes each entry, drops empty ones and removes duplicates
// compared case-insensitively (cases.Fold), keeping the first spelling.
func List(xs []string) []string {
	return dedup(xs, Text)
}

// Codes is List for codes.
func Codes(xs []string) []string {
	return dedup(xs, Code)
}

func dedup(xs []string, f func(string) string) []string {
	if len(xs) == 0 {
		return nil
	}
	if len(xs) <= 16 && dedupClean(xs, f) {
		return xs // already normalized and distinct: nothing to copy
	}
	out := make([]string, 0, len(xs))
	keys := make([]string, 0, len(xs))
	var seen map[string]struct{} // only for long lists; short ones scan keys
	for _, x := range xs {
		x = f(x)
		if x == "" || f(x) != x {
			continue
		}
		k := FoldKey(x)
		if len(xs) > 16 {
			if seen == nil {
				seen = make(map[string]struct{}, len(xs))
			}
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
		} else if slices.Contains(keys, k) {
			continue
		}
		keys = append(keys, k)
		out = append(out, x)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// dedupClean reports whether dedup would return xs unchanged: every entry
// is non-empty and normalized, and no two fold alike.
func dedupClean(xs []string, f func(string) string) bool {
	var keys [16]string
	for i, x := range xs {
		if x == "" || f(x) != x {
			return false
		}
		keys[i] = FoldKey(x)
		if slices.Contains(keys[:i], keys[i]) {
			return false
		}
	}
	return true
}

// FoldKey is the comparison key of already-normalized text.
func FoldKey(s string) string {
	simple := true
	for _, r := range s {
		if r >= 0x80 && !stableCJK(r) {
			simple = false
			break
		}
	}
	if simple {
		// ASCII letters are the only ones that fold here.
		for i := 0; i < len(s); i++ {
			if 'A' <= s[i] && s[i] <= 'Z' {
				return LowerASCII(s)
			}
		}
		return s
	}
	return folder.String(s)
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

func foldWidth(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !norm.NFKC.IsNormalString(s) {
		s = norm.NFKC.String(s)
	}
	// NFKC already maps every <wide> and <narrow> compatibility character;
	// width.Fold is kept for the few width variants NFKC does not cover.
	return width.Fold.String(s)
}

// collapseSpaces trims, drops control characters and collapses white space.
func collapseSpaces(s string) string {
	clean := true
	prevSpace := true // leading space counts as a run to drop
	for i, r := range s {
		if unicode.IsSpace(r) {
			if prevSpace || r != ' ' {
				clean = false
				break
			}
			prevSpace = true
			continue
		}
		if unicode.IsControl(r) || (r == utf8.RuneError && isBadRune(s, i)) {
			clean = false
			break
		}
		prevSpace = false
	}
	if clean && !prevSpace {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isBadRune(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 1
}

// LowerASCII lowers ASCII letters only, without copying s when it has none.
func LowerASCII(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s // nothing to lower: no copy
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
