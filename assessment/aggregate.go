package assessment

import (
	"fmt"
	"math"
)

// WeightedSum returns Σ_j w_j·x_ij for every row: the weighted arithmetic
// mean when the weights sum to 1. Columns should be oriented (see
// Normalization.Oriented). It panics if the shapes do not match.
func WeightedSum(m [][]float64, w []float64) []float64 {
	cols := shape(m)
	if len(w) != cols {
		panic(fmt.Sprintf("assessment: WeightedSum: %d weights for %d columns", len(w), cols))
	}
	out := make([]float64, len(m))
	for i, r := range m {
		var s float64
		for j, x := range r {
			s += w[j] * x
		}
		out[i] = s
	}
	return out
}

// WeightedProduct returns Π_j x_ij^w_j for every row: the weighted geometric
// mean when the weights sum to 1. A zero value gives 0 (when its weight is
// positive); a negative or non-finite value is a *ValueError.
func WeightedProduct(m [][]float64, w []float64) ([]float64, error) {
	cols := shape(m)
	if len(w) != cols {
		panic(fmt.Sprintf("assessment: WeightedProduct: %d weights for %d columns", len(w), cols))
	}
	out := make([]float64, len(m))
	for i, r := range m {
		var ls float64
		zero := false
		for j, x := range r {
			if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, &ValueError{Op: "WeightedProduct", Row: i, Col: j, Value: x, Reason: "value must be finite and non-negative"}
			}
			if w[j] == 0 {
				continue
			}
			if x == 0 {
				zero = true
				continue
			}
			ls += w[j] * math.Log(x)
		}
		if !zero {
			out[i] = math.Exp(ls)
		}
	}
	return out, nil
}

// TOPSISOptions configures TOPSIS. A nil *TOPSISOptions means vector
// normalization and all columns benefit.
type TOPSISOptions struct {
	// Normalization: Vector (default), MinMax or None.
	Normalization Normalization
	// Directions per column; nil means all Benefit.
	Directions []Direction
}

// TOPSISResult holds the closeness coefficients and the pieces behind them.
type TOPSISResult struct {
	Closeness []float64 // C_i = D⁻_i/(D⁺_i + D⁻_i), in [0, 1], larger is better
	DPlus     []float64 // distance to the ideal point
	DMinus    []float64 // distance to the anti-ideal point
	Ideal     []float64 // weighted normalized ideal point
	AntiIdeal []float64
}

// TOPSIS ranks alternatives by closeness to the ideal solution (Hwang &
// Yoon 1981, Multiple Attribute Decision Making, Springer LNEMS 186):
//
//  1. normalize: Vector r_ij = x_ij/√Σ_i x_ij², None r = x, or MinMax with
//     cost columns mapped to (max − x)/(max − min) so that every column is
//     then a benefit column;
//  2. weight: v_ij = w_j·r_ij (weights are used as given; closeness does
//     not change when all weights are scaled by the same factor);
//  3. ideal A⁺_j = max_i v_ij for benefit and min_i v_ij for cost columns,
//     anti-ideal the opposite (after MinMax every column counts as benefit);
//  4. Euclidean distances D⁺, D⁻ and closeness C = D⁻/(D⁺ + D⁻).
//
// When D⁺ + D⁻ = 0 (all alternatives identical on every weighted column)
// the closeness is 0.5 for every alternative. Weights must be finite and
// non-negative.
func TOPSIS(m [][]float64, w []float64, opts *TOPSISOptions) (TOPSISResult, error) {
	o := TOPSISOptions{Normalization: Vector}
	if opts != nil {
		o = *opts
		if o.Normalization == "" {
			o.Normalization = Vector
		}
	}
	cols := shape(m)
	if len(w) != cols {
		panic(fmt.Sprintf("assessment: TOPSIS: %d weights for %d columns", len(w), cols))
	}
	for j, x := range w {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return TOPSISResult{}, &ValueError{Op: "TOPSIS", Row: -1, Col: j, Value: x, Reason: "weight must be finite and non-negative"}
		}
	}
	dirs, err := directions(o.Directions, cols)
	if err != nil {
		return TOPSISResult{}, err
	}
	switch o.Normalization {
	case Vector, MinMax, None:
	default:
		return TOPSISResult{}, fmt.Errorf("%w: TOPSIS normalization %q: want vector, minmax or none", ErrInvalid, o.Normalization)
	}
	r, err := Normalize(m, o.Normalization, &NormalizeOptions{Directions: dirs})
	if err != nil {
		return TOPSISResult{}, err
	}
	res := TOPSISResult{
		Closeness: make([]float64, len(m)),
		DPlus:     make([]float64, len(m)),
		DMinus:    make([]float64, len(m)),
		Ideal:     make([]float64, cols),
		AntiIdeal: make([]float64, cols),
	}
	for j := range cols {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range r {
			v := w[j] * r[i][j]
			r[i][j] = v
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if dirs[j] == Cost && o.Normalization != MinMax {
			res.Ideal[j], res.AntiIdeal[j] = lo, hi
		} else {
			res.Ideal[j], res.AntiIdeal[j] = hi, lo
		}
	}
	for i, row := range r {
		var dp, dm float64
		for j, v := range row {
			a, b := v-res.Ideal[j], v-res.AntiIdeal[j]
			dp += a * a
			dm += b * b
		}
		dp, dm = math.Sqrt(dp), math.Sqrt(dm)
		res.DPlus[i], res.DMinus[i] = dp, dm
		if dp+dm == 0 {
			res.Closeness[i] = 0.5
		} else {
			res.Closeness[i] = dm / (dp + dm)
		}
	}
	return res, nil
}
