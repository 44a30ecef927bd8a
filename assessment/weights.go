package assessment

import (
	"fmt"
	"math"

	"github.com/kexie/techbroker/evaluation"
)

// FixedWeights returns w scaled to sum 1. Weights must be finite and
// non-negative with a positive sum.
func FixedWeights(w []float64) ([]float64, error) {
	var s float64
	for j, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return nil, &ValueError{Op: "FixedWeights", Row: -1, Col: j, Value: x, Reason: "weight must be finite and non-negative"}
		}
		s += x
	}
	if s == 0 {
		return nil, &ValueError{Op: "FixedWeights", Row: -1, Col: -1, Reason: "weights sum to zero"}
	}
	out := make([]float64, len(w))
	for j, x := range w {
		out[j] = x / s
	}
	return out, nil
}

// AHPWeights derives weights from a pairwise-comparison matrix with
// evaluation.AHP and returns them with the full result (λmax, CI, CR).
// Errors from evaluation (an invalid matrix, CR above opts.MaxCR) are
// returned as they are.
func AHPWeights(pairwise [][]float64, opts *evaluation.AHPOptions) ([]float64, evaluation.AHPResult, error) {
	res, err := evaluation.AHP(pairwise, opts)
	if err != nil {
		return nil, res, err
	}
	return res.Weights, res, nil
}

// EntropyOptions configures EntropyWeights. A nil *EntropyOptions means
// Sum normalization.
type EntropyOptions struct {
	// Normalization before the proportions: Sum (raw columns, which must be
	// non-negative; directions are ignored) or MinMax (direction-aware).
	Normalization Normalization
	// Directions per column, used by MinMax; nil means all Benefit.
	Directions []Direction
}

// EntropyWeights computes weights by the entropy weight method (熵权法,
// after Shannon; see Zou, Yun & Sun 2006, J. Environ. Sci. 18(5)):
//
//	x'_ij   = the chosen normalization of column j
//	p_ij    = x'_ij / Σ_i x'_ij
//	e_j     = −(1/ln n) Σ_i p_ij ln p_ij,  with 0·ln 0 = 0
//	w_j     = (1 − e_j) / Σ_k (1 − e_k)
//
// A column whose normalized values sum to zero carries no information and
// gets e_j = 1 (weight 0). It needs at least two rows; when no column
// varies the weights are undefined (*ValueError wrapping ErrUndefined).
func EntropyWeights(m [][]float64, opts *EntropyOptions) ([]float64, error) {
	o := EntropyOptions{Normalization: Sum}
	if opts != nil {
		o = *opts
		if o.Normalization == "" {
			o.Normalization = Sum
		}
	}
	cols := shape(m)
	if len(m) < 2 {
		return nil, &ValueError{Op: "EntropyWeights", Row: -1, Col: -1, Value: float64(len(m)), Reason: "need at least two alternatives", Err: ErrUndefined}
	}
	var x [][]float64
	switch o.Normalization {
	case Sum:
		if err := checkFinite("EntropyWeights", m); err != nil {
			return nil, err
		}
		for i, r := range m {
			for j, v := range r {
				if v < 0 {
					return nil, &ValueError{Op: "EntropyWeights(sum)", Row: i, Col: j, Value: v, Reason: "negative value"}
				}
			}
		}
		x = m
	case MinMax:
		var err error
		if x, err = Normalize(m, MinMax, &NormalizeOptions{Directions: o.Directions}); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: entropy normalization %q: want sum or minmax", ErrInvalid, o.Normalization)
	}
	k := 1 / math.Log(float64(len(m)))
	d := make([]float64, cols)
	var dsum float64
	for j := range cols {
		var s float64
		for i := range x {
			s += x[i][j]
		}
		e := 1.0
		if s > 0 {
			var h float64
			for i := range x {
				if p := x[i][j] / s; p > 0 {
					h -= p * math.Log(p)
				}
			}
			e = k * h
		}
		d[j] = math.Max(0, 1-e) // e ≤ 1 up to rounding
		dsum += d[j]
	}
	if dsum == 0 {
		return nil, &ValueError{Op: "EntropyWeights", Row: -1, Col: -1, Reason: "no column varies", Err: ErrUndefined}
	}
	for j := range d {
		d[j] /= dsum
	}
	return d, nil
}

// CRITICWeights computes weights by CRITIC (Diakoulaki, Mavrotas &
// Papayannakis 1995, Computers & Operations Research 22(7)): columns are
// min-max normalized by direction, then
//
//	C_j = σ_j · Σ_k (1 − r_jk),   w_j = C_j / Σ_k C_k
//
// with σ_j the standard deviation of column j and r_jk Pearson's
// correlation. A constant column has σ = 0, gets weight 0 and is left out of
// the other columns' conflict sums (its correlation is undefined). It needs
// at least two rows and one varying column.
func CRITICWeights(m [][]float64, dirs []Direction) ([]float64, error) {
	cols := shape(m)
	if len(m) < 2 {
		return nil, &ValueError{Op: "CRITICWeights", Row: -1, Col: -1, Value: float64(len(m)), Reason: "need at least two alternatives", Err: ErrUndefined}
	}
	x, err := Normalize(m, MinMax, &NormalizeOptions{Directions: dirs})
	if err != nil {
		return nil, err
	}
	n := float64(len(x))
	// Centred columns, column-major, for cache-friendly dot products.
	cen := make([][]float64, cols)
	sd := make([]float64, cols)
	for j := range cols {
		col := make([]float64, len(x))
		var mean float64
		for i := range x {
			col[i] = x[i][j]
			mean += col[i]
		}
		mean /= n
		var ss float64
		for i := range col {
			col[i] -= mean
			ss += col[i] * col[i]
		}
		cen[j] = col
		if !isConstant(m, j) {
			sd[j] = math.Sqrt(ss / (n - 1))
		}
	}
	conflict := make([]float64, cols)
	for j := range cols {
		if sd[j] == 0 {
			continue
		}
		for k := j + 1; k < cols; k++ {
			if sd[k] == 0 {
				continue
			}
			var cov float64
			for i, a := range cen[j] {
				cov += a * cen[k][i]
			}
			// Clamp: rounding can push |r| of nearly collinear columns past 1.
			r := math.Max(-1, math.Min(1, cov/(n-1)/(sd[j]*sd[k])))
			conflict[j] += 1 - r
			conflict[k] += 1 - r
		}
	}
	c := make([]float64, cols)
	var csum float64
	for j := range cols {
		c[j] = sd[j] * conflict[j] // r_jj = 1 adds nothing
		csum += c[j]
	}
	if csum == 0 {
		return nil, &ValueError{Op: "CRITICWeights", Row: -1, Col: -1, Reason: "no column varies", Err: ErrUndefined}
	}
	for j := range c {
		c[j] /= csum
	}
	return c, nil
}

func isConstant(m [][]float64, j int) bool {
	for i := range m {
		if m[i][j] != m[0][j] {
			return false
		}
	}
	return true
}
