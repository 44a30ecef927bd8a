package contract

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/money"
)

// RuleValuation names the finding of CheckValuation.
const RuleValuation = "price-within-valuation"

// ArtValuation is the basis of CheckValuation: the national guide to the
// economic valuation of S&T achievements, and Art. 18's prices set by
// agreement, which a valuation supports.
const ArtValuation = "GB/T 39057-2020 科技成果经济价值评估指南; 促进科技成果转化法 第十八条 (a price by agreement, supported by a valuation)"

// Valuation is the range a signed valuation report gives a result, and the
// report it comes from.
type Valuation struct {
	Report    string // the report's ID, for the reader
	Low, High decimal.Decimal
}

// CheckValuation compares a price with a valuation's range: it passes when
// the price lies within [Low, High] and fails, naming by how much it is
// below or above, when it lies outside — the case a pricing dispute is made
// of (REFERENCE: "the university appraised ¥15M, the buyer offered ¥9M, no
// deal"). The finding informs; it does not refuse a deal. A valuation
// without a positive range passes with the reason that nothing was
// compared.
func CheckValuation(price decimal.Decimal, v Valuation) Finding {
	f := Finding{Rule: RuleValuation, Article: ArtValuation}
	if v.Low.Sign() <= 0 || v.High.LessThan(v.Low) {
		f.Pass, f.Why = true, fmt.Sprintf("valuation %s gives no range to compare with", v.Report)
		return f
	}
	rng := money.FormatZH(v.Low) + "–" + money.FormatZH(v.High)
	switch {
	case price.LessThan(v.Low):
		off := v.Low.Sub(price).Div(v.Low).Mul(decimal.NewFromInt(100)).Round(1)
		f.Why = fmt.Sprintf("the price %s is %s%% below the range %s of valuation %s", money.FormatZH(price), off, rng, v.Report)
	case price.GreaterThan(v.High):
		off := price.Sub(v.High).Div(v.High).Mul(decimal.NewFromInt(100)).Round(1)
		f.Why = fmt.Sprintf("the price %s is %s%% above the range %s of valuation %s", money.FormatZH(price), off, rng, v.Report)
	default:
		f.Pass, f.Why = true, fmt.Sprintf("the price %s lies within the range %s of valuation %s", money.FormatZH(price), rng, v.Report)
	}
	return f
}
