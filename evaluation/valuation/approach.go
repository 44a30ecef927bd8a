package valuation

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Method names a valuation approach.
type Method string

// The approaches.
const (
	IncomeMethod  Method = "income"              // 收益法 with profit-sharing rate (分成率)
	RoyaltyMethod Method = "relief-from-royalty" // 许可费节省法
	MarketMethod  Method = "market"              // 市场法
	CostMethod    Method = "cost"                // 成本法
)

// OnePoint is the step of the sensitivity table: one percentage point.
var OnePoint = decimal.New(1, -2)

// Input is one recorded input of a valuation, as text.
type Input struct {
	Name  string
	Value string
}

// Sensitivity is the value for each combination of the sharing (or
// royalty) rate and the discount rate at −1, 0 and +1 point. Values[i][j]
// uses Rates[i] and DiscountRates[j]. Combinations that make no sense (a
// negative rate, a discount rate ≤ −1) are left out of the axes.
type Sensitivity struct {
	RateName      string
	Rates         []decimal.Decimal
	DiscountRates []decimal.Decimal
	Values        [][]decimal.Decimal
}

// Report records a valuation: the method, its inputs and assumptions, the
// value and a range, and (for the income and royalty approaches) the
// sensitivity table. Money is in CNY rounded to fen (2 places, half away
// from zero); the range of the income and royalty approaches is the span of
// the sensitivity table, that of the market approach the span of the
// adjusted comparables, and the cost approach gives a point value.
type Report struct {
	Method      Method
	Inputs      []Input
	Assumptions []string
	Value       decimal.Decimal
	Low, High   decimal.Decimal
	Sensitivity *Sensitivity
}

// Text renders the report as plain text.
func (r Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "method: %s\nvalue: %s (range %s – %s)\n", r.Method, r.Value.StringFixed(2), r.Low.StringFixed(2), r.High.StringFixed(2))
	for _, in := range r.Inputs {
		fmt.Fprintf(&b, "input %s: %s\n", in.Name, in.Value)
	}
	for _, a := range r.Assumptions {
		fmt.Fprintf(&b, "assumption: %s\n", a)
	}
	if s := r.Sensitivity; s != nil {
		fmt.Fprintf(&b, "sensitivity (%s \\ discount rate):\n%8s", s.RateName, "")
		for _, d := range s.DiscountRates {
			fmt.Fprintf(&b, " %16s", d.StringFixed(4))
		}
		b.WriteByte('\n')
		for i, k := range s.Rates {
			fmt.Fprintf(&b, "%8s", k.StringFixed(4))
			for j := range s.DiscountRates {
				fmt.Fprintf(&b, " %16s", s.Values[i][j].StringFixed(2))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// BuildUp is a discount rate built up from a risk-free rate and risk
// premiums (累加法): technical, market, funding and management risk.
type BuildUp struct {
	RiskFree, Technical, Market, Funding, Management decimal.Decimal
}

// Rate returns the sum of the components.
func (b BuildUp) Rate() decimal.Decimal {
	return b.RiskFree.Add(b.Technical).Add(b.Market).Add(b.Funding).Add(b.Management)
}

// Income is the input of the income approach: the expected benefit of each
// future year (year 1 first), the share of it attributed to the technology
// (分成率, e.g. 0.25 of profit; a UNIDO study is often cited for 16–27 % of
// profit), an optional tax rate on the share, and a build-up discount rate.
type Income struct {
	Benefits    []decimal.Decimal // CNY per year, year 1 … n
	Basis       string            // what Benefits measure, e.g. "profit" or "revenue"
	SharingRate decimal.Decimal   // 分成率, 0–1
	TaxRate     decimal.Decimal   // 0–1; zero means the share is already after tax
	Discount    BuildUp
	Assumptions []string
}

// IncomeApproach values a technology as Σₜ Bₜ·K·(1 − tax)/(1 + r)ᵗ,
// t = 1 … n (end-of-year flows), with the sharing rate K and the build-up
// rate r, and a sensitivity table for K and r ± 1 point.
func IncomeApproach(in Income) (Report, error) {
	r := in.Discount.Rate()
	if err := checkFlows("Benefits", in.Benefits); err != nil {
		return Report{}, err
	}
	if err := checkFraction("SharingRate", in.SharingRate); err != nil {
		return Report{}, err
	}
	if err := checkFraction("TaxRate", in.TaxRate); err != nil {
		return Report{}, err
	}
	if r.Cmp(decimal.Zero) <= 0 {
		return Report{}, &InputError{Field: "Discount", Value: r.String(), Reason: "discount rate must be positive"}
	}
	basis := in.Basis
	if basis == "" {
		basis = "benefit"
	}
	rep := Report{
		Method: IncomeMethod,
		Inputs: []Input{
			{"benefits (" + basis + ")", joinDec(in.Benefits)},
			{"sharing rate", in.SharingRate.String()},
			{"tax rate", in.TaxRate.String()},
			{"risk-free rate", in.Discount.RiskFree.String()},
			{"technical risk premium", in.Discount.Technical.String()},
			{"market risk premium", in.Discount.Market.String()},
			{"funding risk premium", in.Discount.Funding.String()},
			{"management risk premium", in.Discount.Management.String()},
			{"discount rate", r.String()},
		},
		Assumptions: append([]string{
			"flows at the end of each year",
			fmt.Sprintf("benefits over %d years, nothing after", len(in.Benefits)),
			"discount rate built up from the risk-free rate and risk premiums",
		}, in.Assumptions...),
	}
	value := func(k, d decimal.Decimal) decimal.Decimal {
		return discounted(in.Benefits, k.Mul(one.Sub(in.TaxRate)), d)
	}
	rep.Value = value(in.SharingRate, r)
	rep.Sensitivity = sensitivity("sharing rate", in.SharingRate, r, value)
	rep.Low, rep.High = span(rep.Sensitivity)
	return rep, nil
}

// Royalty is the input of the relief-from-royalty approach: the revenue
// the technology will carry, the royalty rate a licensee would pay, the tax
// rate and the discount rate.
type Royalty struct {
	Revenues     []decimal.Decimal // CNY per year, year 1 … n
	RoyaltyRate  decimal.Decimal   // 0–1
	TaxRate      decimal.Decimal   // 0–1
	DiscountRate decimal.Decimal
	Assumptions  []string
}

// ReliefFromRoyalty values a technology as the present value of the
// after-tax royalties its owner avoids paying:
// Σₜ Revₜ·royalty·(1 − tax)/(1 + r)ᵗ, t = 1 … n. The value is very
// sensitive to the royalty rate (one point can move it 20–30 %), hence the
// sensitivity table.
func ReliefFromRoyalty(in Royalty) (Report, error) {
	if err := checkFlows("Revenues", in.Revenues); err != nil {
		return Report{}, err
	}
	if err := checkFraction("RoyaltyRate", in.RoyaltyRate); err != nil {
		return Report{}, err
	}
	if err := checkFraction("TaxRate", in.TaxRate); err != nil {
		return Report{}, err
	}
	if in.DiscountRate.Cmp(decimal.Zero) <= 0 {
		return Report{}, &InputError{Field: "DiscountRate", Value: in.DiscountRate.String(), Reason: "must be positive"}
	}
	rep := Report{
		Method: RoyaltyMethod,
		Inputs: []Input{
			{"revenues", joinDec(in.Revenues)},
			{"royalty rate", in.RoyaltyRate.String()},
			{"tax rate", in.TaxRate.String()},
			{"discount rate", in.DiscountRate.String()},
		},
		Assumptions: append([]string{
			"flows at the end of each year",
			fmt.Sprintf("royalties over %d years, nothing after", len(in.Revenues)),
			"royalty rate from comparable licences (the 25% rule is not used)",
		}, in.Assumptions...),
	}
	value := func(k, d decimal.Decimal) decimal.Decimal {
		return discounted(in.Revenues, k.Mul(one.Sub(in.TaxRate)), d)
	}
	rep.Value = value(in.RoyaltyRate, in.DiscountRate)
	rep.Sensitivity = sensitivity("royalty rate", in.RoyaltyRate, in.DiscountRate, value)
	rep.Low, rep.High = span(rep.Sensitivity)
	return rep, nil
}

// discounted returns Σₜ flowₜ·k/(1 + d)ᵗ, t = 1 … n, rounded to fen.
func discounted(flows []decimal.Decimal, k, d decimal.Decimal) decimal.Decimal {
	base := one.Add(d)
	factor := one
	sum := decimal.Zero
	for _, f := range flows {
		factor = factor.Mul(base)
		sum = sum.Add(f.Mul(k).DivRound(factor, Precision+4))
	}
	return sum.Round(2)
}

func sensitivity(name string, k, d decimal.Decimal, value func(k, d decimal.Decimal) decimal.Decimal) *Sensitivity {
	s := &Sensitivity{RateName: name}
	for _, dk := range []decimal.Decimal{OnePoint.Neg(), decimal.Zero, OnePoint} {
		if x := k.Add(dk); x.Sign() >= 0 && x.Cmp(one) <= 0 {
			s.Rates = append(s.Rates, x)
		}
		if x := d.Add(dk); x.Cmp(one.Neg()) > 0 {
			s.DiscountRates = append(s.DiscountRates, x)
		}
	}
	for _, kk := range s.Rates {
		row := make([]decimal.Decimal, len(s.DiscountRates))
		for j, dd := range s.DiscountRates {
			row[j] = value(kk, dd)
		}
		s.Values = append(s.Values, row)
	}
	return s
}

func span(s *Sensitivity) (lo, hi decimal.Decimal) {
	first := true
	for _, row := range s.Values {
		for _, v := range row {
			if first || v.Cmp(lo) < 0 {
				lo = v
			}
			if first || v.Cmp(hi) > 0 {
				hi = v
			}
			first = false
		}
	}
	return lo, hi
}

// Adjustment is one adjustment factor applied to a comparable's price
// (time, technology, market, terms, …): the price is multiplied by Factor.
type Adjustment struct {
	Name   string
	Factor decimal.Decimal // > 0; 1 means no adjustment
}

// Comparable is a past deal used by the market approach.
type Comparable struct {
	ID          string
	Price       decimal.Decimal // CNY
	Adjustments []Adjustment
	Weight      decimal.Decimal // relative weight; zero for all means equal weights
}

// Adjusted returns Price × Π factors, rounded to fen.
func (c Comparable) Adjusted() decimal.Decimal {
	p := c.Price
	for _, a := range c.Adjustments {
		p = p.Mul(a.Factor)
	}
	return p.Round(2)
}

// MarketApproach values a technology from comparable deals: each price is
// multiplied by its adjustment factors, and the value is the (weighted)
// mean of the adjusted prices; the range is their minimum and maximum.
func MarketApproach(comps []Comparable, assumptions ...string) (Report, error) {
	if len(comps) == 0 {
		return Report{}, &InputError{Field: "comparables", Value: "0", Reason: "need at least one comparable"}
	}
	rep := Report{Method: MarketMethod, Assumptions: append([]string{
		"comparable deals are similar enough that multiplicative adjustments capture the differences",
	}, assumptions...)}
	weighted := false
	for _, c := range comps {
		weighted = weighted || !c.Weight.IsZero()
	}
	sumW, sum := decimal.Zero, decimal.Zero
	for i, c := range comps {
		if c.Price.Sign() <= 0 {
			return Report{}, &InputError{Field: fmt.Sprintf("comparables[%d].Price", i), Value: c.Price.String(), Reason: "must be positive"}
		}
		var fs []string
		for j, a := range c.Adjustments {
			if a.Factor.Sign() <= 0 {
				return Report{}, &InputError{Field: fmt.Sprintf("comparables[%d].Adjustments[%d].Factor", i, j), Value: a.Factor.String(), Reason: "must be positive"}
			}
			fs = append(fs, a.Name+"×"+a.Factor.String())
		}
		w := one
		if weighted {
			w = c.Weight
			if w.Sign() < 0 {
				return Report{}, &InputError{Field: fmt.Sprintf("comparables[%d].Weight", i), Value: w.String(), Reason: "must be non-negative"}
			}
		}
		adj := c.Adjusted()
		rep.Inputs = append(rep.Inputs, Input{Name: "comparable " + c.ID, Value: fmt.Sprintf("price %s; %s; adjusted %s; weight %s", c.Price.StringFixed(2), strings.Join(fs, ", "), adj.StringFixed(2), w.String())})
		if i == 0 || adj.Cmp(rep.Low) < 0 {
			rep.Low = adj
		}
		if i == 0 || adj.Cmp(rep.High) > 0 {
			rep.High = adj
		}
		sum = sum.Add(adj.Mul(w))
		sumW = sumW.Add(w)
	}
	if sumW.Sign() <= 0 {
		return Report{}, &InputError{Field: "comparables.Weight", Value: sumW.String(), Reason: "weights sum to zero"}
	}
	rep.Value = sum.DivRound(sumW, 2)
	return rep, nil
}

// Cost is the input of the cost approach: the cost of reproducing the
// technology today, less its physical, functional and economic
// obsolescence (amounts in CNY).
type Cost struct {
	ReplacementCost                decimal.Decimal
	Physical, Functional, Economic decimal.Decimal
	Assumptions                    []string
}

// CostApproach values a technology as replacement cost − physical −
// functional − economic obsolescence. Obsolescence exceeding the cost is an
// error rather than a negative value.
func CostApproach(in Cost) (Report, error) {
	if in.ReplacementCost.Sign() < 0 {
		return Report{}, &InputError{Field: "ReplacementCost", Value: in.ReplacementCost.String(), Reason: "must be non-negative"}
	}
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"Physical", in.Physical}, {"Functional", in.Functional}, {"Economic", in.Economic}} {
		if f.v.Sign() < 0 {
			return Report{}, &InputError{Field: f.name, Value: f.v.String(), Reason: "obsolescence must be non-negative"}
		}
	}
	v := in.ReplacementCost.Sub(in.Physical).Sub(in.Functional).Sub(in.Economic)
	if v.Sign() < 0 {
		return Report{}, &InputError{Field: "obsolescence", Value: in.Physical.Add(in.Functional).Add(in.Economic).String(), Reason: "exceeds the replacement cost " + in.ReplacementCost.String()}
	}
	v = v.Round(2)
	return Report{
		Method: CostMethod,
		Inputs: []Input{
			{"replacement cost", in.ReplacementCost.String()},
			{"physical obsolescence", in.Physical.String()},
			{"functional obsolescence", in.Functional.String()},
			{"economic obsolescence", in.Economic.String()},
		},
		Assumptions: append([]string{"cost reflects value; suited to early results without income history"}, in.Assumptions...),
		Value:       v, Low: v, High: v,
	}, nil
}

func checkFlows(field string, fs []decimal.Decimal) error {
	if len(fs) == 0 {
		return &InputError{Field: field, Value: "[]", Reason: "need at least one year"}
	}
	return nil
}

func checkFraction(field string, x decimal.Decimal) error {
	if x.Sign() < 0 || x.Cmp(one) > 0 {
		return &InputError{Field: field, Value: x.String(), Reason: "must be between 0 and 1"}
	}
	return nil
}

func joinDec(ds []decimal.Decimal) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}
