package creditcode

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Alphabet is the symbol set of the unified social credit code, in value
// order: the symbol at index v has value v. I, O, S, V and Z are not used.
const Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// Length is the number of characters of a code. Lengths and positions are
// counted in characters (Unicode code points; an invalid UTF-8 byte counts
// as one), never in bytes, so "９" is one character at one position.
const Length = 18

// weights are 3^i mod 31 for i = 0…16 (GB 32100-2015).
var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are the GB 11714 weights of the organization code's first
// eight characters.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// Reason says what is wrong with a code.
type Reason string

// Reasons.
const (
	// BadLength: the code does not have 18 characters.
	BadLength Reason = "length"
	// BadSymbol: a character is not in Alphabet.
	BadSymbol Reason = "symbol"
	// BadDivision: positions 3–8 (the GB/T 2260 administrative division
	// code) are not all digits.
	BadDivision Reason = "division"
	// BadOrgCheck: position 17, the GB 11714 check character of the
	// organization code (positions 9–17), does not match.
	BadOrgCheck Reason = "org_check"
	// BadCheck: position 18, the check character, does not match.
	BadCheck Reason = "check"
)

// Error says what is wrong with a code and where. Position is the 1-based
// character position (0 for a wrong length); Char is the character found
// there, as it appears in Code; Want, for the check characters, is the
// character the rest of the code calls for. It is reported, never
// substituted: the caller decides. Len is the code's length in characters
// (see Length), set for BadLength only.
type Error struct {
	Code     string
	Reason   Reason
	Position int
	Char     string
	Want     string
	Len      int
}

func (e *Error) Error() string {
	switch e.Reason {
	case BadLength:
		return fmt.Sprintf("creditcode: %q has %d characters, want %d", e.Code, e.Len, Length)
	case BadSymbol:
		return fmt.Sprintf("creditcode: %q: position %d: %q is not a code symbol (0-9 and A-Y without I, O, S, V, Z)%s", e.Code, e.Position, e.Char, foldHint(e.Char))
	case BadDivision:
		return fmt.Sprintf("creditcode: %q: position %d: %q, the administrative division code (positions 3–8) must be digits", e.Code, e.Position, e.Char)
	case BadOrgCheck:
		return fmt.Sprintf("creditcode: %q: position %d: organization code check character is %q, want %q (GB 11714)", e.Code, e.Position, e.Char, e.Want)
	case BadCheck:
		return fmt.Sprintf("creditcode: %q: position %d: check character is %q, want %q", e.Code, e.Position, e.Char, e.Want)
	}
	return fmt.Sprintf("creditcode: %q: position %d: %s", e.Code, e.Position, e.Reason)
}

// foldHint says how Normalize would fix char, when it turns char into a
// code symbol (a full-width character or a lower-case letter), and is
// empty otherwise, so the hint is never wrong.
func foldHint(char string) string {
	n := Normalize(char)
	if n == char || len(n) != 1 || value(n[0]) < 0 {
		return ""
	}
	kind := "a full-width character"
	if len(char) == 1 {
		kind = "lower case"
	}
	return fmt.Sprintf("; it is %s: Normalize folds it to %q", kind, n)
}

// Options choose how strictly Validate checks. A nil *Options is strict.
type Options struct {
	// Lenient accepts a code whose check characters (position 17, the
	// organization code's GB 11714 check, and position 18) do not match,
	// as some codes issued early in pilot regions do (e.g. Fujian codes
	// whose organization part starts with M). Length, symbols and the
	// division digits are still checked. The mismatches are reported in
	// Code.Warnings, and the code is returned exactly as given.
	Lenient bool
}

// Code is a validated unified social credit code split into its parts.
type Code struct {
	Value     string // the 18 characters, exactly as validated
	Authority byte   // position 1: registering authority (登记管理部门)
	OrgKind   byte   // position 2: organization kind (机构类别)
	Division  string // positions 3–8: GB/T 2260 administrative division
	OrgCode   string // positions 9–17: organization code (GB 11714)
	Check     byte   // position 18
	// Warnings are the check mismatches a lenient validation let through;
	// always empty after a strict one.
	Warnings []*Error
}

func value(c byte) int { return strings.IndexByte(Alphabet, c) }

// Validate checks a code and returns its parts. The code is taken exactly
// as given: it does not fold width or case, so a full-width "９" or a
// lower-case "m" is a bad symbol at its position (the message says that
// Normalize would fold it). Call Normalize first on user input to fold
// full-width characters, lower case and surrounding spaces, as the broker's
// organization registry does. Strict validation (nil or !Lenient) checks,
// in this order, the length in characters (not bytes), every symbol, the
// division digits, the GB 11714 check of positions 9–17 and the check
// character; the first failure is returned as an *Error. Validate never
// changes a character.
func Validate(code string, opts *Options) (Code, error) {
	lenient := opts != nil && opts.Lenient
	if n := utf8.RuneCountInString(code); n != Length {
		return Code{}, &Error{Code: code, Reason: BadLength, Len: n}
	}
	// 18 characters: report the first that is not a code symbol at its
	// character position. After this loop every character is one ASCII
	// byte, so byte and character positions agree below.
	pos := 0
	for i, r := range code {
		pos++
		if r >= utf8.RuneSelf || value(code[i]) < 0 {
			_, size := utf8.DecodeRuneInString(code[i:])
			return Code{}, &Error{Code: code, Reason: BadSymbol, Position: pos, Char: code[i : i+size]}
		}
	}
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return Code{}, &Error{Code: code, Reason: BadDivision, Position: i + 1, Char: code[i : i+1]}
		}
	}
	c := Code{Value: code, Authority: code[0], OrgKind: code[1], Division: code[2:8], OrgCode: code[8:17], Check: code[17]}
	if want, ok := OrgCheckChar(code[8:16]); !ok || want != code[16] {
		w := ""
		if ok {
			w = string(want)
		}
		e := &Error{Code: code, Reason: BadOrgCheck, Position: 17, Char: code[16:17], Want: w}
		if !lenient {
			return Code{}, e
		}
		c.Warnings = append(c.Warnings, e)
	}
	if want := CheckChar(code[:17]); want != code[17] {
		e := &Error{Code: code, Reason: BadCheck, Position: 18, Char: code[17:18], Want: string(want)}
		if !lenient {
			return Code{}, e
		}
		c.Warnings = append(c.Warnings, e)
	}
	return c, nil
}

// Valid reports whether code passes strict validation.
func Valid(code string) bool {
	_, err := Validate(code, nil)
	return err == nil
}

// CheckChar returns the check character for the first 17 characters of a
// code: with weights w_i = 3^i mod 31 and symbol values v_i,
// (31 − Σ w_i·v_i mod 31) mod 31, written in Alphabet. It panics if first17
// is not 17 symbols of Alphabet (a programmer error: validate first).
func CheckChar(first17 string) byte {
	if len(first17) != 17 {
		panic(fmt.Sprintf("creditcode: CheckChar needs 17 code symbols, got %q", first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := value(first17[i])
		if v < 0 {
			panic("creditcode: CheckChar: not a code symbol: " + first17[i:i+1])
		}
		sum += weights[i] * v
	}
	return Alphabet[(31-sum%31)%31]
}

// OrgCheckChar returns the GB 11714 check character of an organization
// code's first eight characters: digits have their value and letters A–Z
// the values 10–35; with weights 3, 7, 9, 10, 5, 8, 4, 2 the check is
// 11 − Σ mod 11, written as a digit, with 10 → 'X' and 11 → '0'. ok is
// false when body is not eight digits or upper-case letters.
func OrgCheckChar(body string) (c byte, ok bool) {
	if len(body) != 8 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		ch := body[i]
		var v int
		switch {
		case '0' <= ch && ch <= '9':
			v = int(ch - '0')
		case 'A' <= ch && ch <= 'Z':
			v = int(ch-'A') + 10
		default:
			return 0, false
		}
		sum += orgWeights[i] * v
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + r), true
	}
}

// Normalize prepares user input for Validate: it trims surrounding white
// space, folds full-width ASCII (Ａ → A, ０ → 0) and upper-cases ASCII
// letters. It does not remove inner characters or change any symbol into
// another, so a wrong code stays wrong.
func Normalize(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if r == 0x3000 {
			r = ' '
		}
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
