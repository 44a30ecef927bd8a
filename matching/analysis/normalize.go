package analysis

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Normalize returns s after NFKC, width folding and full case folding.
// Invalid UTF-8 sequences become U+FFFD. The result is idempotent.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// Fast path: everything is in the fast set and already folded.
	clean := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				clean = false
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if m, ok := fastRune(r); !ok || m != r {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s
	}
	buf := make([]byte, 0, len(s)+8)
	// Walk s; a run of runes outside the fast set goes through the
	// transformers together with the fast rune before it (which may compose
	// with a following combining mark).
	slowStart := -1            // byte offset in s of the pending slow segment
	prevSrc, prevDst := -1, -1 // offsets of the last fast rune written
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && slowStart < 0 {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			prevSrc, prevDst = i, len(buf)
			buf = append(buf, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		m, ok := fastRune(r)
		if !ok {
			if slowStart < 0 {
				slowStart = i
				if prevSrc >= 0 && prevDst >= 0 {
					slowStart = prevSrc
					buf = buf[:prevDst]
				}
			}
			i += n
			continue
		}
		if slowStart >= 0 {
			buf = append(buf, slowNormalize(s[slowStart:i])...)
			slowStart = -1
		}
		prevSrc, prevDst = i, len(buf)
		buf = utf8.AppendRune(buf, m)
		i += n
	}
	if slowStart >= 0 {
		buf = append(buf, slowNormalize(s[slowStart:])...)
	}
	return string(buf)
}

// slowNormalize applies the x/text transformers until the string stops
// changing (at most a few rounds; case folding can produce text that NFKC
// changes again).
func slowNormalize(s string) string {
	fold := cases.Fold() // a Caser carries state: one per call
	for range 4 {
		t := width.Fold.String(s)
		t = norm.NFKC.String(t)
		t = fold.String(t)
		t = norm.NFKC.String(t)
		if t == s {
			break
		}
		s = t
	}
	return s
}

// fastRune reports whether r is in the set of runes whose normalized form
// is a single rune computed without the transformers, and returns that
// form. Every rune of the set is a starter that neither decomposes nor
// composes with a following rune except through its own slow path; the
// test TestFastRuneMatchesSlow checks every rune of the set.
func fastRune(r rune) (rune, bool) {
	switch {
	case r < 0x80:
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A'), true
		}
		return r, true
	case 0xFF01 <= r && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r, true
	case r == 0x3000: // ideographic space
		return ' ', true
	case 0x3001 <= r && r <= 0x3035: // CJK punctuation without compatibility forms
		return r, true
	case 0x3400 <= r && r <= 0x4DBF, 0x4E00 <= r && r <= 0x9FFF: // CJK ideographs
		return r, true
	}
	return r, false
}
