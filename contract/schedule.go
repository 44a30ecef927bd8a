package contract

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Method is a way of paying for a technology contract (Civil Code Art. 846).
type Method string

// Payment methods of Art. 846.
const (
	LumpSum         Method = "lump_sum"          // 一次总算、一次总付
	Instalments     Method = "instalments"       // 一次总算、分期支付
	Royalty         Method = "royalty"           // 提成支付
	EntryFeeRoyalty Method = "entry_fee_royalty" // 提成支付附加预付入门费
)

// Base is what a royalty is a share of (Art. 846: 产品价格、实施专利和使用技术秘密后
// 新增的产值、利润或者产品销售额).
type Base string

// Royalty bases.
const (
	Sales          Base = "sales"            // 产品销售额
	NewOutputValue Base = "new_output_value" // 新增产值
	Profit         Base = "profit"           // 利润
)

// Trend is how a royalty rate moves from year to year (Art. 846: 固定比例或者
// 逐年递增比例或者逐年递减比例).
type Trend string

// Rate trends.
const (
	Fixed   Trend = "fixed"   // 固定比例
	Rising  Trend = "rising"  // 逐年递增
	Falling Trend = "falling" // 逐年递减
)

// Terms are the payment terms of a contract.
type Terms struct {
	Method Method `json:"method"`
	// Total is the price in yuan for LumpSum and Instalments.
	Total decimal.Decimal `json:"total,omitzero"`
	// Instalments is the number of parts (≥ 2) for Instalments.
	Instalments int `json:"instalments,omitempty"`
	// Weights, if set, are the relative sizes of the instalments (e.g.
	// 30, 40, 30); one per instalment, positive and at most 10^18. Nil
	// means equal parts.
	Weights []decimal.Decimal `json:"weights,omitempty"`
	// EveryMonths is the time between instalments; 0 means 12.
	EveryMonths int `json:"every_months,omitempty"`
	// EntryFee is the up-front fee (入门费) in yuan for EntryFeeRoyalty.
	EntryFee decimal.Decimal `json:"entry_fee,omitzero"`
	// Royalty holds the royalty for Royalty and EntryFeeRoyalty.
	Royalty RoyaltyTerms `json:"royalty,omitzero"`
}

// RoyaltyTerms describe a royalty: a percentage of a base, per year.
type RoyaltyTerms struct {
	Base Base `json:"base"`
	// Rate is the first year's rate in percent (3 means 3%).
	Rate decimal.Decimal `json:"rate"`
	// Trend and Step: the rate moves by Step percentage points a year,
	// up (Rising) or down (Falling); Step is then in (0, 100]. Step is
	// ignored for Fixed.
	Trend Trend           `json:"trend,omitempty"`
	Step  decimal.Decimal `json:"step,omitzero"`
	// Years is the number of royalty years (≥ 1).
	Years int `json:"years"`
}

// RateFor returns the royalty rate in percent for year y (1-based).
func (r RoyaltyTerms) RateFor(y int) decimal.Decimal {
	n := decimal.NewFromInt(int64(y - 1))
	switch r.Trend {
	case Rising:
		return r.Rate.Add(r.Step.Mul(n))
	case Falling:
		return r.Rate.Sub(r.Step.Mul(n))
	}
	return r.Rate
}

// PaymentKind labels a line of a schedule.
type PaymentKind string

// Payment kinds.
const (
	PayLumpSum    PaymentKind = "lump_sum"
	PayInstalment PaymentKind = "instalment"
	PayEntryFee   PaymentKind = "entry_fee"
	PayRoyalty    PaymentKind = "royalty"
)

// Payment is one dated line of a payment plan.
type Payment struct {
	Seq    int             `json:"seq"` // 1-based
	Kind   PaymentKind     `json:"kind"`
	Due    time.Time       `json:"due"`
	Amount decimal.Decimal `json:"amount"` // yuan, two decimals
	// For royalties: the year (1-based), the projected base and the rate
	// in percent that gave Amount.
	Year int             `json:"year,omitempty"`
	Base decimal.Decimal `json:"base,omitzero"`
	Rate decimal.Decimal `json:"rate,omitzero"`
}

// Schedule is a dated payment plan.
type Schedule struct {
	Method   Method          `json:"method"`
	Payments []Payment       `json:"payments"`
	Total    decimal.Decimal `json:"total"` // the sum of Amount over Payments
}

// RoundingRule states how schedules round, for reports.
const RoundingRule = "instalments: each part is total × weight / Σweights rounded down to the cent (分); " +
	"the remainder (less than one cent per instalment) is added to the last instalment, so the parts sum exactly to the total. " +
	"royalties: each year's base × rate / 100 is rounded half away from zero to the cent; " +
	"a negative base (a loss year) gives a zero royalty."

// Split divides total into parts proportional to weights (nil weights or
// an empty slice with n > 0 parts mean equal parts): every part is rounded
// down to the cent and the remainder goes to the last part, so the parts
// always sum exactly to total. total must have at most two decimal places,
// not be negative and be at most 1万亿; weights must be positive and at
// most 10^18.
func Split(total decimal.Decimal, n int, weights []decimal.Decimal) ([]decimal.Decimal, error) {
	if err := checkAmount("total", total); err != nil {
		return nil, err
	}
	if n < 1 || n > 1200 {
		return nil, bad("n", strconv.Itoa(n), "must be between 1 and 1200")
	}
	if weights != nil && len(weights) != n {
		return nil, bad("weights", strconv.Itoa(len(weights)), "need one weight per part")
	}
	sum := decimal.NewFromInt(int64(n))
	if weights != nil {
		sum = decimal.Zero
		for i, w := range weights {
			f := "weights[" + strconv.Itoa(i) + "]"
			switch {
			case w.Sign() <= 0:
				return nil, bad(f, short(w), "must be positive")
			case above(w, 18):
				return nil, bad(f, short(w), "must be at most 10^18")
			case !sane(w):
				return nil, bad(f, short(w), saneReason(w))
			case w.GreaterThan(maxWeight):
				return nil, bad(f, short(w), "must be at most 10^18")
			}
			sum = sum.Add(w)
		}
	}
	parts := make([]decimal.Decimal, n)
	acc := decimal.Zero
	for i := 0; i < n-1; i++ {
		w := decimal.NewFromInt(1)
		if weights != nil {
			w = weights[i]
		}
		// Multiply first, then divide with enough precision that the
		// truncation to cents is exact.
		p := total.Mul(w).DivRound(sum, 16).Truncate(2)
		parts[i] = p
		acc = acc.Add(p)
	}
	parts[n-1] = total.Sub(acc)
	return parts, nil
}

// Plan returns the dated payment plan for terms, starting at start (the
// contract date: a lump sum, the first instalment and the entry fee fall due
// then; instalment i falls due (i−1)·EveryMonths months later; the royalty
// of year y falls due 12·y months after start, when the year's base is
// known). projected holds the caller's projected royalty base per year, one
// per royalty year; it is ignored for LumpSum and Instalments. See
// RoundingRule.
func Plan(t Terms, start time.Time, projected []decimal.Decimal) (Schedule, error) {
	s := Schedule{Method: t.Method}
	add := func(p Payment) {
		p.Seq = len(s.Payments) + 1
		s.Payments = append(s.Payments, p)
		s.Total = s.Total.Add(p.Amount)
	}
	if start.IsZero() {
		return Schedule{}, bad("start", "", "a start date is required")
	}
	switch t.Method {
	case LumpSum:
		if err := checkAmount("Terms.Total", t.Total); err != nil {
			return Schedule{}, err
		}
		add(Payment{Kind: PayLumpSum, Due: start, Amount: t.Total})
	case Instalments:
		if t.Instalments < 2 {
			return Schedule{}, bad("Terms.Instalments", strconv.Itoa(t.Instalments), "instalments need at least 2 parts")
		}
		every := t.EveryMonths
		if every == 0 {
			every = 12
		}
		if every < 0 || every > 120 {
			return Schedule{}, bad("Terms.EveryMonths", strconv.Itoa(t.EveryMonths), "must be between 1 and 120")
		}
		parts, err := Split(t.Total, t.Instalments, t.Weights)
		if err != nil {
			if fe, ok := err.(*FieldError); ok {
				fe.Field = "Terms." + titleField(fe.Field)
			}
			return Schedule{}, err
		}
		for i, p := range parts {
			add(Payment{Kind: PayInstalment, Due: addMonths(start, i*every), Amount: p})
		}
	case Royalty, EntryFeeRoyalty:
		if t.Method == EntryFeeRoyalty {
			if err := checkAmount("Terms.EntryFee", t.EntryFee); err != nil {
				return Schedule{}, err
			}
			if t.EntryFee.IsZero() {
				return Schedule{}, bad("Terms.EntryFee", "0", "an entry fee is required for entry_fee_royalty")
			}
			add(Payment{Kind: PayEntryFee, Due: start, Amount: t.EntryFee})
		}
		r := t.Royalty
		if err := r.check(); err != nil {
			return Schedule{}, err
		}
		if len(projected) != r.Years {
			return Schedule{}, bad("projected", strconv.Itoa(len(projected)), "need one projected base per royalty year ("+strconv.Itoa(r.Years)+")")
		}
		for i, base := range projected {
			if err := checkBase(i, base); err != nil {
				return Schedule{}, err
			}
			y := i + 1
			rate := r.RateFor(y)
			amt := decimal.Zero
			if base.Sign() > 0 {
				amt = base.Mul(rate).Div(hundred).Round(2)
			}
			add(Payment{Kind: PayRoyalty, Due: addMonths(start, 12*y), Amount: amt, Year: y, Base: base, Rate: rate})
		}
	default:
		return Schedule{}, bad("Terms.Method", string(t.Method), "must be lump_sum, instalments, royalty or entry_fee_royalty")
	}
	return s, nil
}

func titleField(f string) string {
	switch f {
	case "total":
		return "Total"
	case "n":
		return "Instalments"
	}
	if len(f) >= 7 && f[:7] == "weights" {
		return "Weights" + f[7:]
	}
	return f
}

// checkBase checks a projected base: an amount in yuan, negative for a
// loss year, at most 1万亿 in size.
func checkBase(i int, base decimal.Decimal) error {
	return checkYuan("projected["+strconv.Itoa(i)+"]", base, "must be at most 1万亿 (10^12) yuan in size", true)
}

var maxWeight = decimal.New(1, 18)

// check validates royalty terms: a known base, a rate in (0, 100], a
// trend, a non-negative step, 1–50 years, and a rate that stays within
// (0, 100] in every year.
func (r RoyaltyTerms) check() error {
	switch r.Base {
	case Sales, NewOutputValue, Profit:
	default:
		return bad("Terms.Royalty.Base", string(r.Base), "must be sales, new_output_value or profit")
	}
	if r.Years < 1 || r.Years > 50 {
		return bad("Terms.Royalty.Years", strconv.Itoa(r.Years), "must be between 1 and 50")
	}
	if r.Rate.Sign() <= 0 || above(r.Rate, 2) || (sane(r.Rate) && r.Rate.GreaterThan(hundred)) {
		return bad("Terms.Royalty.Rate", short(r.Rate), "must be a percentage in (0, 100]")
	}
	if !sane(r.Rate) {
		return bad("Terms.Royalty.Rate", short(r.Rate), saneReason(r.Rate))
	}
	switch r.Trend {
	case Fixed, "":
	case Rising, Falling:
		switch {
		case r.Step.Sign() <= 0:
			return bad("Terms.Royalty.Step", short(r.Step), "a rising or falling rate needs a positive step")
		case above(r.Step, 2) || (sane(r.Step) && r.Step.GreaterThan(hundred)):
			return bad("Terms.Royalty.Step", short(r.Step), "must be at most 100 percentage points a year")
		case !sane(r.Step):
			return bad("Terms.Royalty.Step", short(r.Step), saneReason(r.Step))
		}
	default:
		return bad("Terms.Royalty.Trend", string(r.Trend), "must be fixed, rising or falling")
	}
	last := r.RateFor(r.Years)
	if last.Sign() <= 0 || last.GreaterThan(hundred) {
		return bad("Terms.Royalty.Step", r.Step.String(), "the rate in year "+strconv.Itoa(r.Years)+" would be "+last.String()+"%, outside (0, 100]")
	}
	return nil
}
