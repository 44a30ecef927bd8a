// Package decimalx holds the checks that package broker and its feature
// packages run on decimal amounts before any arithmetic, so that a value
// with an absurd exponent (say 1e999999) is rejected instead of making a
// comparison allocate gigabytes, and the parser of amounts as people write
// them (thousands separators, 元 / 万元 / 亿元).
package decimalx

import (
	"strconv"

	"github.com/kexie/techbroker/internal/textnorm"
	"strings"

	"github.com/shopspring/decimal"
)

// MaxMoney returns the largest amount accepted: one trillion yuan (1万亿).
func MaxMoney() decimal.Decimal { return decimal.New(1, 12) }

// Sane reports whether d is small enough for cheap arithmetic and
// has at most `places` significant decimal places ("1.500" has one).
func Sane(d decimal.Decimal, places int32) bool {
	if d.Sign() == 0 {
		return true // zero, however it is written (0e-41, 0e30)
	}
	if c, exp, ok := Small(d); ok && exp <= 18 && exp >= -40 {
		// d equals its truncation to places iff the dropped digits are 0.
		k := -exp - places
		switch {
		case k <= 0:
			return true
		case k > 18:
			return c == 0
		}
		return c%pow10[k] == 0
	}
	exp := d.Exponent()
	if exp > 18 || exp < -40 || d.Coefficient().BitLen() > 160 {
		return false
	}
	return exp >= -places || d.Equal(d.Truncate(places))
}

// Pow10 returns 10^k for 0 ≤ k ≤ 18.
func Pow10(k int32) int64 { return pow10[k] }

var pow10 = [19]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// Small returns d's coefficient and exponent when the coefficient
// has at most 18 digits (the common case, which then needs no big-number
// arithmetic).
func Small(d decimal.Decimal) (c int64, exp int32, ok bool) {
	if d.NumDigits() > 18 {
		return 0, 0, false
	}
	return d.CoefficientInt64(), d.Exponent(), true
}

// GreaterThanPow10 reports whether d > 10^p, without big-number arithmetic
// for a small d. Call it on a sane d (Sane).
func GreaterThanPow10(d decimal.Decimal, p int32) bool {
	c, exp, ok := Small(d)
	if !ok {
		return d.GreaterThan(decimal.New(1, p))
	}
	if c <= 0 {
		return false
	}
	switch k := p - exp; { // d > 10^p ⟺ c > 10^(p-exp)
	case k < 0:
		return true
	case k > 18:
		return false // c < 10^18
	default:
		return c > pow10[k]
	}
}

// Short prints a decimal without expanding a huge exponent.
func Short(d decimal.Decimal) string {
	if e := d.Exponent(); e > 30 || e < -30 {
		s := d.Coefficient().String()
		if len(s) > 20 {
			s = s[:20] + "…"
		}
		return s + "e" + strconv.Itoa(int(e))
	}
	return d.String()
}

// Parse parses a number as written by people: it accepts thousands
// separators ("1,000,000.00") and full-width digits (after normalization),
// and an optional unit 元, 万元 or 亿元 (scaling by 1, 1e4, 1e8).
func Parse(s string) (decimal.Decimal, bool) {
	s = textnorm.Text(s)
	s = strings.ReplaceAll(s, ",", "")
	s = strings.TrimPrefix(s, "¥")
	scale := int32(0)
	switch {
	case strings.HasSuffix(s, "亿元"):
		s, scale = strings.TrimSuffix(s, "亿元"), 8
	case strings.HasSuffix(s, "万元"):
		s, scale = strings.TrimSuffix(s, "万元"), 4
	case strings.HasSuffix(s, "元"):
		s = strings.TrimSuffix(s, "元")
	}
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 || strings.ContainsAny(s, "eE") {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, false
	}
	return d.Shift(scale), true
}
