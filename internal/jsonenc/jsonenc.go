// Package jsonenc holds the encoding primitives that the library's
// hand-written JSON encoders share: each appends exactly the bytes
// encoding/json writes for the same value (strings with HTML escaping,
// time.Time, decimal.Decimal, float64). jsonenc_test.go checks them byte
// for byte against encoding/json on random values and on every rune.
package jsonenc

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/shopspring/decimal"
)

// AppendString quotes s exactly as encoding/json does (with its HTML
// escaping of <, > and &). Text that needs no
// escaping — valid UTF-8 without control characters, quotes, backslashes,
// <, >, &, U+2028 or U+2029, as most text is — is checked in one quick pass
// (three-byte sequences such as CJK characters skip the general decoder)
// and copied in one piece; anything else goes through appendEscaped.
func AppendString(b []byte, s string) []byte {
	if !Plain(s) {
		return appendEscaped(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Plain reports whether encoding/json writes s between quotes
// unchanged.
func Plain(s string) bool {
	// Bit c is set for the bytes c < 64 that need escaping.
	const escLow = 1<<0x20 - 1 | 1<<'"' | 1<<'&' | 1<<'<' | 1<<'>'
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 64 && escLow>>c&1 != 0 || c == '\\' {
				return false
			}
			i++
			continue
		}
		// Lead bytes E3–EC, EE, EF and any two continuation bytes are a
		// valid rune from U+3000 (not a surrogate, not U+2028/2029).
		if c >= 0xE3 && c <= 0xEF && c != 0xED && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// appendEscaped quotes s as encoding/json does with HTML escaping on:
// invalid UTF-8 becomes U+FFFD; <, >, &, U+2028 and U+2029 are escaped.
func appendEscaped(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func AppendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, s)
	}
	return append(b, ']')
}

// AppendTime writes t as time.Time.MarshalJSON does (a quoted RFC 3339
// time with nanoseconds), without its allocation: MarshalJSON is '"' +
// AppendText + '"', and both fail on the same times.
func AppendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// AppendDecimal writes d as decimal.Decimal.MarshalJSON does: its
// String(), quoted. With the package's formatting knobs at their defaults
// (they are read here, never changed) and a coefficient of at most 18
// digits it formats the digits itself, as Decimal.String does, without
// allocating; otherwise it calls MarshalJSON.
func AppendDecimal(b []byte, d decimal.Decimal) []byte {
	if decimal.MarshalJSONWithoutQuotes || !decimal.TrimTrailingZeros || decimal.UseScientificNotation || d.NumDigits() > 18 {
		j, _ := d.MarshalJSON() // never fails
		return append(b, j...)
	}
	c, exp := d.CoefficientInt64(), int(d.Exponent())
	b = append(b, '"')
	if c < 0 {
		b = append(b, '-')
	}
	u := uint64(c)
	if c < 0 {
		u = -u
	}
	switch {
	case exp == 0 || c == 0:
		b = strconv.AppendUint(b, u, 10)
	case exp > 0: // the integer c·10^exp
		b = strconv.AppendUint(b, u, 10)
		for range exp {
			b = append(b, '0')
		}
	default: // c·10^exp with the fraction's trailing zeros trimmed
		n := len(b)
		b = strconv.AppendUint(b, u, 10)
		digits := len(b) - n
		frac := -exp
		for frac > 0 && b[len(b)-1] == '0' { // trailing zeros of the fraction
			b = b[:len(b)-1]
			frac--
		}
		if frac > 0 {
			if digits > -exp { // an integer part: insert the point
				p := n + digits + exp
				b = append(b, 0)
				copy(b[p+1:], b[p:])
				b[p] = '.'
			} else { // 0.000ddd: insert "0." and the leading zeros
				lead := -exp - digits
				m := len(b) - n
				b = append(b, make([]byte, 2+lead)...)
				copy(b[n+2+lead:], b[n:n+m])
				b[n], b[n+1] = '0', '.'
				for i := range lead {
					b[n+2+i] = '0'
				}
			}
		} // else only zeros followed the point, and they are gone
	}
	return append(b, '"')
}

// AppendFloat formats like encoding/json's float64 encoder.
func AppendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// Unmarshal decodes data into v as encoding/json.Unmarshal does, with
// github.com/goccy/go-json, which decodes the library's records in about
// two thirds of the time (a stored case: 20 µs of CPU per stage move with
// encoding/json against 14 µs, measured over 100,000 moves). Decoding a
// stored record is the largest cost of every write after a read, so the
// record layer uses it there; jsonenc_test.go and the record types' tests
// check that both decoders give the same values and agree on errors.
// (Its encoder is not used: it writes fields tagged omitzero.)
func Unmarshal(data []byte, v any) error { return gojson.Unmarshal(data, v) }
