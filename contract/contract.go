package contract

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// ErrInvalid is the sentinel every input error of this package unwraps to.
var ErrInvalid = errors.New("contract: invalid input")

// FieldError names one bad input: the field (a Go-style path such as
// "Terms.Instalments"), the offending value and why it is bad. It unwraps
// to ErrInvalid.
type FieldError struct {
	Field  string
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("contract: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("contract: %s = %s: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func bad(field, value, reason string) error {
	if r := []rune(value); len(r) > 40 {
		value = string(r[:40]) + "…"
	}
	return &FieldError{Field: field, Value: value, Reason: reason}
}

// Type is a kind of technology contract (技术合同) under Civil Code Art. 843:
// development, transfer, licence, consulting and service.
type Type string

// Technology contract types (Civil Code Art. 843; Art. 862–863 separate
// transfer from licence).
const (
	Development Type = "development" // 技术开发合同
	Transfer    Type = "transfer"    // 技术转让合同
	License     Type = "license"     // 技术许可合同
	Consulting  Type = "consulting"  // 技术咨询合同
	Service     Type = "service"     // 技术服务合同
)

// Valid reports whether t is one of the five Art. 843 types.
func (t Type) Valid() bool {
	switch t {
	case Development, Transfer, License, Consulting, Service:
		return true
	}
	return false
}

// ZH returns the Chinese name of the contract type.
func (t Type) ZH() string {
	switch t {
	case Development:
		return "技术开发合同"
	case Transfer:
		return "技术转让合同"
	case License:
		return "技术许可合同"
	case Consulting:
		return "技术咨询合同"
	case Service:
		return "技术服务合同"
	}
	return string(t)
}

// Contract describes a technology contract for the compliance checks. It is
// a plain value: the caller fills what it knows; fields a rule needs and
// that are missing make that rule fail with a reason.
type Contract struct {
	Type   Type
	Seller Party // the party that transfers, licenses or performs
	Buyer  Party
	// Amount is the contract price in yuan (for royalty terms: the entry
	// fee plus the royalties expected over the term, as estimated).
	Amount decimal.Decimal
	Terms  Terms
	// Signed is the date the contract was signed; zero if not yet signed.
	Signed time.Time
	// Written reports whether the contract is in writing (书面合同).
	Written bool
	// Subject says what technology the contract is about (the 标的).
	Subject string
	// Pricing is the evidence of how the price was set (Art. 18).
	Pricing PricingEvidence
	// Licence holds the licence's scope for License contracts.
	Licence LicenceScope
	// PatentExpires is the expiry of the patent licensed or transferred;
	// zero when no patent is involved or it is unknown.
	PatentExpires time.Time
	// Registered reports whether the contract has passed 技术合同认定登记.
	Registered bool
}

// Party is one side of a contract.
type Party struct {
	Name string
	// Public marks a state-funded research institute or university
	// (国家设立的研究开发机构、高等院校), to which Art. 18's pricing rules apply.
	Public bool
}

// LicenceScope is what a licence grants.
type LicenceScope struct {
	Exclusive bool      `json:"exclusive,omitempty"` // 独占许可
	Worldwide bool      `json:"worldwide,omitempty"` // 全球范围
	Start     time.Time `json:"start,omitzero"`      // licence term start
	End       time.Time `json:"end,omitzero"`        // licence term end
}

// Years returns the licence term in whole years (0 when unset).
func (l LicenceScope) Years() int {
	if l.Start.IsZero() || l.End.IsZero() || !l.End.After(l.Start) {
		return 0
	}
	y := l.End.Year() - l.Start.Year()
	if addMonths(l.Start, 12*y).After(l.End) {
		y--
	}
	return y
}

// PricingPath is how a public unit set the price (Art. 18).
type PricingPath string

// Pricing paths allowed by Art. 18 of the Law on Promoting the
// Transformation of S&T Achievements.
const (
	ByAgreement PricingPath = "agreement" // 协议定价 (then 公示 is required)
	ByListing   PricingPath = "listing"   // 在技术交易市场挂牌交易
	ByAuction   PricingPath = "auction"   // 拍卖
)

// PricingEvidence is the record of how the price was set.
type PricingEvidence struct {
	Path PricingPath
	// Notice is the public notice (公示) for an agreement price.
	Notice *Notice
	// Venue and Reference identify the exchange and the listing or auction
	// (e.g. "上海技术交易所", "lst-000001") for the listing and auction paths.
	Venue     string
	Reference string
}

// Notice is a public notice (公示) of a result's name and price.
type Notice struct {
	Name  string          // the result's name as published
	Price decimal.Decimal // the price as published
	Start time.Time
	End   time.Time
}

// Days returns the number of whole calendar days the notice ran: the
// largest d such that Start plus d days (time.AddDate) is not after End,
// on the calendar of Start's time zone, so a day with a daylight-saving
// change counts as one day. It is 0 when End is not after Start.
func (n Notice) Days() int {
	if !n.End.After(n.Start) {
		return 0
	}
	// Count calendar dates with Unix seconds rather than End.Sub(Start),
	// which saturates after about 292 years.
	d := int(civilDay(n.End.In(n.Start.Location())) - civilDay(n.Start))
	if n.Start.AddDate(0, 0, d).After(n.End) {
		d-- // End's time of day is earlier than Start's: the last day is not whole
	}
	return d
}

// civilDay numbers t's calendar date: days since 1970-01-01 (exact, also
// before 1970: midnight UTC is a whole multiple of 86400 seconds).
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

var hundred = decimal.NewFromInt(100)

// checkAmount checks an amount in yuan: not negative, at most 1万亿, at
// most two decimal places; the message names the first of these that
// fails, so 1e20 is "at most 1万亿", not "at most 2 decimal places".
func checkAmount(field string, d decimal.Decimal) error {
	return checkYuan(field, d, "must be at most 1万亿 (10^12) yuan", false)
}

// checkYuan checks an amount in yuan of at most 1万亿 in size with at most
// two decimal places, and not negative unless negativeOK; tooLarge is the
// message for a size above 1万亿. It never does arithmetic on a number
// sane refuses.
func checkYuan(field string, d decimal.Decimal, tooLarge string, negativeOK bool) error {
	switch {
	case d.Sign() < 0 && !negativeOK:
		return bad(field, short(d), "must not be negative")
	case above(d, 12):
		return bad(field, short(d), tooLarge)
	case d.IsZero() && d.Exponent() > 18: // "0e30"
		return bad(field, short(d), "must be written without an exponent above 18")
	case !sane(d) || !d.Equal(d.Truncate(2)):
		// Not above 10^12 and refused by sane: more than 40 decimal
		// places, or 49 digits or more of which at most 13 are whole.
		return bad(field, short(d), "must be an amount in yuan with at most 2 decimal places")
	case d.Abs().GreaterThan(maxAmount):
		return bad(field, short(d), tooLarge)
	}
	return nil
}

var maxAmount = decimal.New(1, 12)

// sane rejects decimals whose size would make arithmetic expensive.
func sane(d decimal.Decimal) bool {
	e := d.Exponent()
	return e <= 18 && e >= -40 && d.Coefficient().BitLen() <= 160
}

// above reports whether |d| is certainly greater than 10^k, judged from
// the exponent and the coefficient's bit length alone (|d| ≥
// 2^(bits−1)·10^exp), so it is cheap for any decimal. A false result says
// nothing: compare exactly once sane(d) holds.
func above(d decimal.Decimal, k int) bool {
	b := d.Coefficient().BitLen()
	return b > 0 && float64(b-1)*math.Log10(2)+float64(d.Exponent()) > float64(k)
}

// saneReason says, in the reader's words, why sane refuses d that is not
// above 10^18: too many decimal places or digits, or a zero written with a
// large exponent ("0e30"). It is "" when sane(d).
func saneReason(d decimal.Decimal) string {
	switch {
	case sane(d):
		return ""
	case d.Exponent() < -40:
		return "must have at most 40 decimal places"
	case d.Coefficient().BitLen() > 160:
		return "must have at most 48 significant digits"
	}
	return "must be written without an exponent above 18"
}

func short(d decimal.Decimal) string {
	if e := d.Exponent(); e > 30 || e < -30 {
		return d.Coefficient().String() + "e" + fmt.Sprint(e)
	}
	return d.String()
}

// addMonths adds n months to t, clamping to the last day of the target
// month (Jan 31 + 1 month = Feb 28 or 29), unlike time.AddDate, which
// would overflow into March.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}
