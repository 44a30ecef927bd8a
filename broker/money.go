package broker

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Money in this package is decimal.Decimal holding yuan (CNY). These checks
// run before any arithmetic, so a value with an absurd exponent (say 1e999999)
// is rejected instead of making a comparison allocate gigabytes.

// maxMoney is the largest amount accepted: one trillion yuan (1万亿).
var maxMoney = decimal.New(1, 12)

// saneDecimal reports whether d is small enough for cheap arithmetic and
// has at most `places` significant decimal places ("1.500" has one).
func saneDecimal(d decimal.Decimal, places int32) bool {
	if c, exp, ok := smallDecimal(d); ok && exp <= 18 && exp >= -40 {
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

// checkMoney checks an amount in yuan: well-formed (at most 2 decimal
// places: 分), not negative, at most 1万亿.
func checkMoney(c *checker, field string, d decimal.Decimal) {
	if !saneDecimal(d, 2) {
		c.add(field, "malformed", "amount in yuan with at most 2 decimal places", shortDecimal(d))
		return
	}
	if d.Sign() < 0 {
		c.add(field, "negative", "", d.String())
		return
	}
	if greaterThanPow10(d, 12) { // maxMoney
		c.add(field, "max", maxMoney.String(), d.String())
	}
}

// pow10[k] is 10^k.
var pow10 = [19]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// smallDecimal returns d's coefficient and exponent when the coefficient
// has at most 18 digits (the common case, which then needs no big-number
// arithmetic).
func smallDecimal(d decimal.Decimal) (c int64, exp int32, ok bool) {
	if d.NumDigits() > 18 {
		return 0, 0, false
	}
	return d.CoefficientInt64(), d.Exponent(), true
}

// greaterThanPow10 reports whether d > 10^p, without big-number arithmetic
// for a small d. Call it on a sane d (saneDecimal).
func greaterThanPow10(d decimal.Decimal, p int32) bool {
	c, exp, ok := smallDecimal(d)
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

// shortDecimal prints a decimal without expanding a huge exponent.
func shortDecimal(d decimal.Decimal) string {
	if e := d.Exponent(); e > 30 || e < -30 {
		s := d.Coefficient().String()
		if len(s) > 20 {
			s = s[:20] + "…"
		}
		return s + "e" + itoa(int(e))
	}
	return d.String()
}

// parseDecimal parses a number as written by people: it accepts thousands
// separators ("1,000,000.00") and full-width digits (after normalization),
// and an optional unit 元, 万元 or 亿元 (scaling by 1, 1e4, 1e8).
func parseDecimal(s string) (decimal.Decimal, bool) {
	s = normText(s)
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
