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
	if d.GreaterThan(maxMoney) {
		c.add(field, "max", maxMoney.String(), d.String())
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
