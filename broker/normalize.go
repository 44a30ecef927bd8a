package broker

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Text normalization applied on every write.
//
// normText: Unicode NFKC (which also folds full-width ASCII such as "ＡＢＣ１２３"
// to "ABC123" and the ideographic space to a space), then width folding
// (golang.org/x/text/width.Fold: half-width katakana to full width and the
// remaining width variants), invalid UTF-8 replaced by U+FFFD, control
// characters dropped, runs of white space collapsed to one space and the
// ends trimmed. Multi-line text (abstracts) keeps its line breaks: each line
// is normalized and empty lines are dropped.
//
// The transformers used here (norm.NFKC, width.Fold, cases.Fold) are
// stateless values and safe to share.

var folder = cases.Fold()

// normText normalizes single-line text.
func normText(s string) string {
	if isPlainASCII(s) {
		return collapseSpaces(s)
	}
	return collapseSpaces(foldWidth(s))
}

// normMultiline normalizes text that may hold line breaks.
func normMultiline(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return normText(s)
	}
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	out := lines[:0]
	for _, l := range lines {
		if l = normText(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// normCode normalizes a code (discipline, industry, region code): text
// normalization, no inner spaces, upper case.
func normCode(s string) string {
	s = normText(s)
	s = strings.ReplaceAll(s, " ", "")
	return strings.ToUpper(s)
}

// normList normalizes each entry, drops empty ones and removes duplicates
// compared case-insensitively (cases.Fold), keeping the first spelling.
func normList(xs []string) []string {
	return dedup(xs, normText)
}

// normCodes is normList for codes.
func normCodes(xs []string) []string {
	return dedup(xs, normCode)
}

func dedup(xs []string, f func(string) string) []string {
	if len(xs) == 0 {
		return nil
	}
	out := make([]string, 0, len(xs))
	var seen map[string]struct{}
	for _, x := range xs {
		x = f(x)
		if x == "" {
			continue
		}
		k := foldKey(x)
		if seen == nil {
			seen = make(map[string]struct{}, len(xs))
		}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, x)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// foldKey is the comparison key of already-normalized text.
func foldKey(s string) string {
	if isPlainASCII(s) {
		return strings.ToLower(s)
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
	if n, _ := width.Fold.Span([]byte(s), true); n < len(s) {
		s = width.Fold.String(s)
	}
	return s
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
