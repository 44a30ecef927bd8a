package valuation

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/shopspring/decimal"
	"gonum.org/v1/gonum/mat"
)

// Precision is the number of decimal places kept in intermediate divisions
// (discount factors). Results of NPV and PV are rounded to Precision places;
// report values are rounded to whole fen (2 places).
const Precision = 16

var one = decimal.NewFromInt(1)

// NPV returns the net present value of values at rate per period, following
// numpy-financial: the first value is at t = 0 and is not discounted,
// NPV = Σₜ valuesₜ/(1 + rate)ᵗ, t = 0 … n−1. (Excel's NPV starts at t = 1.)
// rate must be greater than −1.
func NPV(rate decimal.Decimal, values []decimal.Decimal) (decimal.Decimal, error) {
	if rate.Cmp(one.Neg()) <= 0 {
		return decimal.Decimal{}, &InputError{Field: "rate", Value: rate.String(), Reason: "must be greater than -1"}
	}
	base := one.Add(rate)
	factor := one
	sum := decimal.Zero
	for t, v := range values {
		if t > 0 {
			factor = factor.Mul(base)
		}
		sum = sum.Add(v.DivRound(factor, Precision+4))
	}
	return sum.Round(Precision), nil
}

// When says whether payments fall at the end or the beginning of each
// period (numpy-financial's when = 'end' / 'begin').
type When int

// Payment timing.
const (
	End When = iota
	Begin
)

// PV returns the present value (numpy-financial pv): the amount that, with
// nper payments of pmt at rate per period and a final fv, balances to zero:
//
//	pv = −(fv + pmt·(1 + rate·when)·((1 + rate)ⁿ − 1)/rate) / (1 + rate)ⁿ
//	pv = −(fv + pmt·n)                           when rate = 0
//
// Signs follow the cash-flow convention (money paid out is negative).
func PV(rate decimal.Decimal, nper int, pmt, fv decimal.Decimal, when When) (decimal.Decimal, error) {
	if nper < 0 {
		return decimal.Decimal{}, &InputError{Field: "nper", Value: fmt.Sprint(nper), Reason: "must be non-negative"}
	}
	if rate.Cmp(one.Neg()) <= 0 {
		return decimal.Decimal{}, &InputError{Field: "rate", Value: rate.String(), Reason: "must be greater than -1"}
	}
	n := decimal.NewFromInt(int64(nper))
	if rate.IsZero() {
		return fv.Add(pmt.Mul(n)).Neg().Round(Precision), nil
	}
	g := one.Add(rate).Pow(n) // exact: integer power
	w := decimal.Zero
	if when == Begin {
		w = one
	}
	annuity := pmt.Mul(one.Add(rate.Mul(w))).Mul(g.Sub(one)).DivRound(rate, Precision+4)
	return fv.Add(annuity).Neg().DivRound(g, Precision), nil
}

// IRRResult is the outcome of IRR. Found is false when no real rate
// makes the NPV zero (for example when all flows have the same sign); Rate
// is then zero and must not be used.
type IRRResult struct {
	Rate  decimal.Decimal // rounded to 12 decimal places
	Float float64         // the same rate as float64 (NaN when not found)
	Found bool
}

// IRR returns the internal rate of return of values (first at t = 0): the
// rate r > −1 with NPV(r, values) = 0. It finds every real root of the
// polynomial Σ valuesₜ·xᵗ, x = 1/(1 + r), from the eigenvalues of its
// companion matrix, polishes each by Newton steps, and — following
// numpy-financial — chooses among several roots the smallest non-negative
// rate, or, when all are negative, the one nearest zero. When there is no
// real root (all flows share a sign, or fewer than two non-zero flows) the
// result has Found = false.
//
// The search is done in float64 (rates are not money); the rate is returned
// as a decimal rounded to 12 places.
func IRR(values []decimal.Decimal) IRRResult {
	none := IRRResult{Float: math.NaN()}
	c := make([]float64, len(values))
	for i, v := range values {
		c[i] = v.InexactFloat64()
	}
	// Trim zero coefficients of highest degree (trailing flows) and count
	// leading zeros (roots at x = 0 are not rates).
	for len(c) > 0 && c[len(c)-1] == 0 {
		c = c[:len(c)-1]
	}
	lead := 0
	for lead < len(c) && c[lead] == 0 {
		lead++
	}
	c = c[lead:]
	if len(c) < 2 {
		return none
	}
	pos, neg := false, false
	for _, v := range c {
		pos = pos || v > 0
		neg = neg || v < 0
	}
	if !pos || !neg {
		return none
	}
	best, found := 0.0, false
	for _, x := range positiveRealRoots(c) {
		r := 1/x - 1
		if !found || better(r, best) {
			best, found = r, true
		}
	}
	if !found {
		return none
	}
	return IRRResult{Rate: decimal.NewFromFloat(best).Round(12), Float: best, Found: true}
}

// better reports whether rate a is preferred to b: non-negative rates first,
// then nearer to zero.
func better(a, b float64) bool {
	if (a >= 0) != (b >= 0) {
		return a >= 0
	}
	return math.Abs(a) < math.Abs(b)
}

// positiveRealRoots returns the real roots x > 0 of Σ cₜ xᵗ (c[0] ≠ 0,
// c[len-1] ≠ 0), polished by Newton's method.
func positiveRealRoots(c []float64) []float64 {
	deg := len(c) - 1
	if deg == 1 {
		x := -c[0] / c[1]
		if x > 0 {
			return []float64{x}
		}
		return nil
	}
	// Companion matrix of the monic polynomial xᵈ + Σ (cₜ/c_d) xᵗ.
	a := mat.NewDense(deg, deg, nil)
	for j := range deg {
		a.Set(0, j, -c[deg-1-j]/c[deg])
	}
	for i := 1; i < deg; i++ {
		a.Set(i, i-1, 1)
	}
	var eig mat.Eigen
	if !eig.Factorize(a, mat.EigenNone) {
		return nil
	}
	var out []float64
	for _, z := range eig.Values(nil) {
		if math.Abs(imag(z)) > 1e-7*math.Max(1, cmplx.Abs(z)) || real(z) <= 0 {
			continue
		}
		x := polish(c, real(z))
		if x <= 0 || math.IsNaN(x) {
			continue
		}
		dup := false
		for _, y := range out {
			if math.Abs(x-y) <= 1e-12*math.Max(1, x) {
				dup = true
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// polish refines a root of Σ cₜ xᵗ with a few Newton steps.
func polish(c []float64, x float64) float64 {
	for range 50 {
		p, dp := 0.0, 0.0
		for t := len(c) - 1; t >= 0; t-- {
			dp = dp*x + p
			p = p*x + c[t]
		}
		if dp == 0 {
			break
		}
		step := p / dp
		x -= step
		if math.Abs(step) <= 1e-15*math.Max(1, math.Abs(x)) {
			break
		}
	}
	return x
}

// InputError reports one bad input by field name. It unwraps to ErrInvalid.
type InputError struct {
	Field  string
	Value  string
	Reason string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("valuation: %s = %s: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrInvalid.
func (e *InputError) Unwrap() error { return ErrInvalid }
