package assessment

import (
	"fmt"
	"math"
	"slices"
)

// IndexMethod says how a composite index links periods.
type IndexMethod string

const (
	// FixedBase: every indicator is indexed to the base period
	// (s_jt = 100·x_jt/x_jb, inverted for cost indicators) and the index is
	// the weighted mean I_t = Σ w_j s_jt.
	FixedBase IndexMethod = "fixed-base"
	// Chained: the index moves by the weighted mean of period-on-period
	// ratios, I_t = I_{t−1}·Σ w_j (x_jt/x_j,t−1), with I_base = 100 (and
	// backwards before the base). Chaining keeps each year's movement
	// independent of how far the base lies behind, as annual innovation
	// indices do.
	Chained IndexMethod = "chained"
)

// IndexSpec describes a composite index over indicator series.
type IndexSpec struct {
	Indicators []Indicator // columns of the series, with their directions
	Weights    []float64   // non-negative, scaled to sum 1
	Base       int         // row of the base period, which scores 100
	Method     IndexMethod // FixedBase or Chained; "" means Chained
}

// IndexResult is a composite index per period.
type IndexResult struct {
	Periods []string
	Values  []float64 // the base period is exactly 100
	// Growth on the previous period, Values[t]/Values[t−1] − 1; NaN for t = 0.
	Growth []float64
	// Contributions[t][j] is indicator j's share, in index points, of
	// Values[t] − Values[t−1]; the row adds up to that change (nil for t = 0).
	Contributions [][]float64
}

// ComputeIndex computes a composite index from series (rows are periods in
// time order, columns the spec's indicators). Values must be positive (ratios
// of a zero are undefined); bad values give a *ValueError naming the cell.
// It panics if the shapes do not match.
func ComputeIndex(periods []string, series [][]float64, spec IndexSpec) (*IndexResult, error) {
	cols := shape(series)
	if len(periods) != len(series) || len(spec.Indicators) != cols || len(spec.Weights) != cols {
		panic(fmt.Sprintf("assessment: ComputeIndex: %d periods, %d rows, %d indicators, %d weights, %d columns",
			len(periods), len(series), len(spec.Indicators), len(spec.Weights), cols))
	}
	if spec.Base < 0 || spec.Base >= len(series) {
		return nil, fmt.Errorf("%w: base period %d out of range [0,%d)", ErrInvalid, spec.Base, len(series))
	}
	w, err := FixedWeights(spec.Weights)
	if err != nil {
		return nil, err
	}
	for t, r := range series {
		for j, x := range r {
			if !(x > 0) || math.IsInf(x, 0) {
				return nil, &ValueError{Op: "ComputeIndex", Row: t, Col: j, Value: x, Reason: "index series values must be positive and finite"}
			}
		}
	}
	for j, ind := range spec.Indicators {
		if !ind.Direction.valid() {
			return nil, &ValueError{Op: "ComputeIndex", Row: -1, Col: j, Value: float64(ind.Direction), Reason: "direction must be Benefit or Cost"}
		}
	}
	ratio := func(j int, from, to float64) float64 {
		if spec.Indicators[j].Direction == Cost {
			return from / to
		}
		return to / from
	}
	n := len(series)
	res := &IndexResult{
		Periods:       slices.Clone(periods),
		Values:        make([]float64, n),
		Growth:        make([]float64, n),
		Contributions: make([][]float64, n),
	}
	switch spec.Method {
	case FixedBase:
		sub := make([][]float64, n)
		for t := range series {
			sub[t] = make([]float64, cols)
			for j := range cols {
				sub[t][j] = 100 * ratio(j, series[spec.Base][j], series[t][j])
				res.Values[t] += w[j] * sub[t][j]
			}
			if t > 0 {
				_, res.Contributions[t] = ArithmeticContributions(w, sub[t-1], sub[t])
			}
		}
	case Chained, "":
		res.Values[spec.Base] = 100
		link := func(t int) float64 { // Σ w_j r_jt, the move from t−1 to t
			var g float64
			for j := range cols {
				g += w[j] * ratio(j, series[t-1][j], series[t][j])
			}
			return g
		}
		for t := spec.Base + 1; t < n; t++ {
			res.Values[t] = res.Values[t-1] * link(t)
		}
		for t := spec.Base - 1; t >= 0; t-- {
			res.Values[t] = res.Values[t+1] / link(t+1)
		}
		for t := 1; t < n; t++ {
			c := make([]float64, cols)
			for j := range cols {
				c[j] = res.Values[t-1] * w[j] * (ratio(j, series[t-1][j], series[t][j]) - 1)
			}
			res.Contributions[t] = c
		}
	default:
		return nil, fmt.Errorf("%w: unknown index method %q", ErrInvalid, spec.Method)
	}
	res.Growth = GrowthSeries(res.Values)
	return res, nil
}
