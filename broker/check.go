package broker

import (
	"strconv"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/internal/decimalx"
	"github.com/kexie/techbroker/internal/textnorm"
)

// Check collects the bad fields of one record or one request. A record's
// Validate method adds to it; the System turns a non-empty Check into a
// *ValidationError listing every field.
type Check struct {
	errs   []FieldError
	prefix string
	sys    *System
}

// Add records one bad field: its JSON path, the rule broken (a code such
// as "required", "max", "oneof"; see FieldError), the rule's parameter and
// the offending value (shortened to 40 characters).
func (c *Check) Add(field, code, param, value string) {
	if utf8.RuneCountInString(value) > 40 {
		value = string([]rune(value)[:40]) + "…"
	}
	c.errs = append(c.errs, FieldError{Field: c.prefix + field, Code: code, Param: param, Value: value})
}

// Len is the number of bad fields so far.
func (c *Check) Len() int { return len(c.errs) }

// Money checks an amount in yuan: a number with at most 2 decimal places
// (分), not negative, at most 1万亿.
func (c *Check) Money(field string, d decimal.Decimal) {
	if !decimalx.Sane(d, 2) {
		switch {
		case d.Sign() < 0:
			c.Add(field, "negative", "", decimalx.Short(d))
			return
		case over(d, decimalx.MaxMoney(), 13):
			c.Add(field, "max", decimalx.MaxMoney().String(), decimalx.Short(d))
			return
		}
		c.Add(field, "malformed", "amount in yuan with at most 2 decimal places", decimalx.Short(d))
		return
	}
	if d.Sign() < 0 {
		c.Add(field, "negative", "", d.String())
		return
	}
	if decimalx.GreaterThanPow10(d, 12) {
		c.Add(field, "max", decimalx.MaxMoney().String(), d.String())
	}
}

// Percent checks a share in percent: not negative, at most 100, at most 4
// decimal places, in that order, so that a message says what is wrong
// first. It reports whether the share is good.
func (c *Check) Percent(field string, d decimal.Decimal) bool {
	sane := decimalx.Sane(d, 4)
	switch {
	case d.Sign() < 0,
		sane && decimalx.GreaterThanPow10(d, 2),
		!sane && over(d, decimal.NewFromInt(100), 3):
		c.Add(field, "share_range", "", decimalx.Short(d))
		return false
	case !sane:
		c.Add(field, "malformed", "percentage with at most 4 decimal places", decimalx.Short(d))
		return false
	}
	return true
}

// over reports whether a decimal too odd for cheap arithmetic exceeds max,
// which has maxDigits integer digits: by comparison when its exponent and
// digits are moderate, else by counting its integer digits (an integer with
// a huge exponent is over any maximum).
func over(d, max decimal.Decimal, maxDigits int) bool {
	if e := d.Exponent(); e > -60 && e < 60 && d.Coefficient().BitLen() < 700 {
		return d.GreaterThan(max)
	}
	return d.Exponent() >= 0 || int(d.NumDigits())+int(d.Exponent()) > maxDigits
}

// Text checks that s has at most max characters.
func (c *Check) Text(field, s string, max int) {
	if len(s) > max && utf8.RuneCountInString(s) > max {
		c.Add(field, "max_len", strconv.Itoa(max), s)
	}
}

// Refs checks a list of references to documents or records: at most 50,
// each at most 500 characters.
func (c *Check) Refs(field string, refs []string) {
	if len(refs) > 50 {
		c.Add(field, "max_len", "50", strconv.Itoa(len(refs)))
	}
	for i, r := range refs {
		c.Text(field+"["+strconv.Itoa(i)+"]", r, 500)
	}
}

// Disciplines checks discipline codes against the System's list
// (Options.Disciplines), if it has one.
func (c *Check) Disciplines(field string, codes []string) {
	if c.sys != nil {
		checkCodes(c, field, "discipline", codes, c.sys.disciplines)
	}
}

// Industries checks industry codes against the System's list
// (Options.IndustryCodes), if it has one.
func (c *Check) Industries(field string, codes []string) {
	if c.sys != nil {
		checkCodes(c, field, "industry", codes, c.sys.industries)
	}
}

func checkCodes(c *Check, field, what string, codes []string, known map[string]bool) {
	if known == nil {
		return
	}
	for i, code := range codes {
		if !known[code] {
			c.Add(field+"["+strconv.Itoa(i)+"]", "code", what, code)
		}
	}
}

// Err returns a *ValidationError of kind listing the bad fields, or nil.
func (c *Check) Err(kind Kind) error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Kind: kind, Fields: c.errs}
}

func invalid(kind Kind, fields ...FieldError) error {
	return &ValidationError{Kind: kind, Fields: fields}
}

// Text normalization (package internal/textnorm), under the names this
// package's records use.
func normText(s string) string                         { return textnorm.Text(s) }
func normMultiline(s string) string                    { return textnorm.Multiline(s) }
func normCode(s string) string                         { return textnorm.Code(s) }
func normEnum(s string) string                         { return textnorm.Enum(s) }
func normList(xs []string) []string                    { return textnorm.List(xs) }
func normCodes(xs []string) []string                   { return textnorm.Codes(xs) }
func foldKey(s string) string                          { return textnorm.FoldKey(s) }
func lowerASCII(s string) string                       { return textnorm.LowerASCII(s) }
func itoa(i int) string                                { return strconv.Itoa(i) }
func checkMoney(c *Check, f string, d decimal.Decimal) { c.Money(f, d) }
func checkText(c *Check, f, s string, max int)         { c.Text(f, s, max) }
func checkRefs(c *Check, f string, refs []string)      { c.Refs(f, refs) }
