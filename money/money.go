package money

import (
	"strings"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
)

// Format writes d for readers of the language tag: Chinese tags get
// [FormatZH], all others [FormatEN].
func Format(d decimal.Decimal, tag language.Tag) string {
	if base, _ := tag.Base(); base.String() == "zh" {
		return FormatZH(d)
	}
	return FormatEN(d)
}

// FormatZH writes d in 亿元, 万元 or 元 (see the package documentation).
func FormatZH(d decimal.Decimal) string {
	v, unit := scale(d.Abs(), 4, 4, "元", "万元", "亿元")
	s := v.String() // String trims trailing zeros of the rounded value.
	if s != "0" && d.Sign() < 0 {
		s = "-" + s
	}
	return s + unit
}

// FormatEN writes d as "CNY 415.00 million", "CNY 1.20 billion" or
// "CNY 35,000.00" (see the package documentation).
func FormatEN(d decimal.Decimal) string {
	v, suffix := scale(d.Abs(), 6, 3, "", " million", " billion")
	s := group(v.StringFixed(2))
	if s != "0.00" && d.Sign() < 0 {
		s = "-" + s
	}
	return "CNY " + s + suffix
}

// scale rounds abs (≥ 0) to two decimals in the base unit; when the rounded
// value reaches 10^e1 it is expressed in the middle unit (divided by 10^e1)
// and, when that rounded value reaches 10^e2, in the top unit (divided by
// 10^(e1+e2)). Choosing after rounding keeps 9999.995 yuan from printing as
// "10000元". Shift divides by powers of ten exactly.
func scale(abs decimal.Decimal, e1, e2 int32, base, mid, top string) (decimal.Decimal, string) {
	v := abs.Round(2)
	if v.Cmp(decimal.New(1, e1)) < 0 {
		return v, base
	}
	v = abs.Shift(-e1).Round(2)
	if v.Cmp(decimal.New(1, e2)) < 0 {
		return v, mid
	}
	return abs.Shift(-e1 - e2).Round(2), top
}

// group inserts comma thousands separators into the integer part of a
// non-negative decimal string such as "35000.00".
func group(s string) string {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if len(intPart) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(intPart) % 3
	if lead > 0 {
		b.WriteString(intPart[:lead])
	}
	for i := lead; i < len(intPart); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(intPart[i : i+3])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
