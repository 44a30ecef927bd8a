package assessment

import (
	"fmt"
	"math"

	"github.com/shopspring/decimal"
)

// Growth returns the growth of cur on prev, (cur − prev)/|prev| (so a loss
// shrinking from −10 to −5 is +50 %). A zero prev is a *ValueError wrapping
// ErrUndefined.
func Growth(prev, cur float64) (float64, error) {
	if prev == 0 || math.IsNaN(prev) || math.IsNaN(cur) {
		return math.NaN(), &ValueError{Op: "Growth", Row: -1, Col: -1, Value: prev, Reason: "growth on a zero or NaN base", Err: ErrUndefined}
	}
	return (cur - prev) / math.Abs(prev), nil
}

// GrowthSeries returns period-on-period growth for a series; element 0 (no
// previous period) and elements whose previous value is zero are NaN.
func GrowthSeries(series []float64) []float64 {
	out := make([]float64, len(series))
	for t := range series {
		out[t] = math.NaN()
		if t > 0 {
			if g, err := Growth(series[t-1], series[t]); err == nil {
				out[t] = g
			}
		}
	}
	return out
}

// Share returns part/total. A zero total is a *ValueError wrapping
// ErrUndefined.
func Share(part, total float64) (float64, error) {
	if total == 0 || math.IsNaN(total) || math.IsNaN(part) {
		return math.NaN(), &ValueError{Op: "Share", Row: -1, Col: -1, Value: total, Reason: "share of a zero or NaN total", Err: ErrUndefined}
	}
	return part / total, nil
}

// SharePercent returns 100·part/total for exact amounts (money, counts),
// rounded to places decimals half away from zero (四舍五入). For example
// 3297.6 of 4823.5 (亿元) is 68.4 %. A zero total is an error wrapping
// ErrUndefined.
func SharePercent(part, total decimal.Decimal, places int32) (decimal.Decimal, error) {
	if total.IsZero() {
		return decimal.Decimal{}, fmt.Errorf("%w: share of a zero total", ErrUndefined)
	}
	// Keep 10 guard digits beyond the requested places before rounding.
	q := part.Shift(2).DivRound(total, places+10)
	return q.Round(places), nil
}

// GrowthPercent returns 100·(cur − prev)/|prev| for exact amounts, rounded
// to places decimals half away from zero. A zero prev is an error wrapping
// ErrUndefined.
func GrowthPercent(prev, cur decimal.Decimal, places int32) (decimal.Decimal, error) {
	if prev.IsZero() {
		return decimal.Decimal{}, fmt.Errorf("%w: growth on a zero base", ErrUndefined)
	}
	q := cur.Sub(prev).Shift(2).DivRound(prev.Abs(), places+10)
	return q.Round(places), nil
}

// ArithmeticContributions decomposes the change of a weighted sum
// S = Σ w_j z_j between two periods: contribution_j = w_j·(cur_j − prev_j),
// which add up exactly to delta = S_cur − S_prev. Use it with the
// normalized values that entered the score. It panics if lengths differ.
func ArithmeticContributions(w, prev, cur []float64) (delta float64, contrib []float64) {
	if len(w) != len(prev) || len(w) != len(cur) {
		panic(fmt.Sprintf("assessment: ArithmeticContributions: lengths %d, %d, %d", len(w), len(prev), len(cur)))
	}
	contrib = make([]float64, len(w))
	for j := range w {
		contrib[j] = w[j] * (cur[j] - prev[j])
		delta += contrib[j]
	}
	return delta, contrib
}

// GeometricContributions decomposes the change of a weighted product
// S = Π z_j^w_j with the logarithmic-mean (Sato–Vartia) split:
// contribution_j = L(S_cur, S_prev)·w_j·ln(cur_j/prev_j), where
// L(a, b) = (a − b)/(ln a − ln b) and L(a, a) = a. The contributions add up
// exactly to delta = S_cur − S_prev. Values must be positive.
func GeometricContributions(w, prev, cur []float64) (delta float64, contrib []float64, err error) {
	if len(w) != len(prev) || len(w) != len(cur) {
		panic(fmt.Sprintf("assessment: GeometricContributions: lengths %d, %d, %d", len(w), len(prev), len(cur)))
	}
	var lp, lc float64
	for j := range w {
		if !(prev[j] > 0) || !(cur[j] > 0) {
			return 0, nil, &ValueError{Op: "GeometricContributions", Row: -1, Col: j, Value: math.Min(prev[j], cur[j]), Reason: "values must be positive"}
		}
		lp += w[j] * math.Log(prev[j])
		lc += w[j] * math.Log(cur[j])
	}
	sp, sc := math.Exp(lp), math.Exp(lc)
	l := sc
	if lc != lp {
		l = (sc - sp) / (lc - lp)
	}
	contrib = make([]float64, len(w))
	for j := range w {
		contrib[j] = l * w[j] * math.Log(cur[j]/prev[j])
	}
	return sc - sp, contrib, nil
}
