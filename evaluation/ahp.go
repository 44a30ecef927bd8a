package evaluation

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PriorityMethod selects how AHP derives the priority vector from a
// pairwise-comparison matrix.
type PriorityMethod int

const (
	// Eigenvector is the principal right eigenvector (Saaty), normalized to
	// sum 1; λmax is its eigenvalue. The default.
	Eigenvector PriorityMethod = iota
	// GeometricMean (根法) normalizes the geometric means of the rows.
	GeometricMean
	// ArithmeticMean (和法) normalizes each column to sum 1 and averages
	// the rows.
	ArithmeticMean
)

// String returns "eigenvector", "geometric" or "arithmetic".
func (m PriorityMethod) String() string {
	switch m {
	case Eigenvector:
		return "eigenvector"
	case GeometricMean:
		return "geometric"
	case ArithmeticMean:
		return "arithmetic"
	}
	return fmt.Sprintf("PriorityMethod(%d)", int(m))
}

// DefaultReciprocalTol is the relative tolerance used when AHPOptions.
// ReciprocalTol is zero: a[i][j]·a[j][i] must be within it of 1, and the
// diagonal within it of 1. It accepts 0.333 for 1/3 but not 0.33.
const DefaultReciprocalTol = 1e-3

// AHPOptions configures AHP. A nil *AHPOptions means the defaults:
// eigenvector method, Saaty 1980 table, no CR limit.
type AHPOptions struct {
	Method PriorityMethod
	RI     RandomIndexTable // "" means Saaty1980
	// MaxCR is the largest acceptable consistency ratio; 0 means no limit.
	// Otherwise CR > MaxCR returns *InconsistencyError (result still filled).
	MaxCR float64
	// ReciprocalTol is the tolerance of the reciprocal check; 0 means
	// DefaultReciprocalTol.
	ReciprocalTol float64
}

// AHPResult is the outcome of one pairwise-comparison matrix.
type AHPResult struct {
	Weights   []float64 // priority vector, sums to 1
	LambdaMax float64   // principal eigenvalue (or its estimate)
	CI, CR    float64   // consistency index and ratio (0 when n ≤ 2)
}

// AHP computes the priority vector, λmax, CI = (λmax − n)/(n − 1) and
// CR = CI/RI(n) of the pairwise-comparison matrix m (Saaty 1980).
//
// m must be square with n ≥ 1, every entry positive and finite, the diagonal
// 1 and m[j][i] = 1/m[i][j] within the reciprocal tolerance; otherwise a
// *MatrixError is returned. For the eigenvector method λmax is the Perron
// eigenvalue (power iteration to 1e-13, falling back to a full
// eigendecomposition if it does not converge); for the approximate methods
// it is the mean of (Aw)ᵢ/wᵢ. For n ≤ 2 CI and CR are 0.
//
// If the RI table has no value for n, AHP returns the weights, λmax and CI
// with CR = NaN and a *RandomIndexError. If opts.MaxCR > 0 and CR > MaxCR,
// the full result is returned with an *InconsistencyError.
func AHP(m [][]float64, opts *AHPOptions) (AHPResult, error) {
	var o AHPOptions
	if opts != nil {
		o = *opts
	}
	if o.RI == "" {
		o.RI = Saaty1980
	}
	if !o.RI.known() {
		return AHPResult{}, &RandomIndexError{Table: o.RI}
	}
	tol := o.ReciprocalTol
	if tol <= 0 {
		tol = DefaultReciprocalTol
	}
	if err := ValidatePairwise(m, tol); err != nil {
		return AHPResult{}, err
	}
	n := len(m)
	var res AHPResult
	switch o.Method {
	case Eigenvector:
		res.Weights, res.LambdaMax = principalEigen(m)
	case GeometricMean:
		res.Weights = geometricPriorities(m)
		res.LambdaMax = lambdaEstimate(m, res.Weights)
	case ArithmeticMean:
		res.Weights = arithmeticPriorities(m)
		res.LambdaMax = lambdaEstimate(m, res.Weights)
	default:
		return AHPResult{}, &FieldError{Field: "AHPOptions.Method", Value: o.Method, Reason: "unknown priority method"}
	}
	if n <= 2 {
		return res, nil
	}
	res.CI = (res.LambdaMax - float64(n)) / float64(n-1)
	ri, err := RandomIndex(o.RI, n)
	if err != nil {
		res.CR = math.NaN()
		return res, err
	}
	res.CR = res.CI / ri
	if o.MaxCR > 0 && res.CR > o.MaxCR {
		return res, &InconsistencyError{CR: res.CR, MaxCR: o.MaxCR, N: n, Table: o.RI}
	}
	return res, nil
}

// ValidatePairwise checks that m is a positive reciprocal matrix: square,
// n ≥ 1, entries finite and positive, diagonal 1 and m[i][j]·m[j][i] = 1,
// both within the relative tolerance tol. It returns a *MatrixError naming
// the first bad cell.
func ValidatePairwise(m [][]float64, tol float64) error {
	n := len(m)
	if n == 0 {
		return &MatrixError{Row: -1, Col: -1, Reason: "empty matrix"}
	}
	for i, row := range m {
		if len(row) != n {
			return &MatrixError{Row: -1, Col: -1, Reason: fmt.Sprintf("row %d has %d entries, want %d (square matrix)", i, len(row), n)}
		}
	}
	for i, row := range m {
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
				return &MatrixError{Row: i, Col: j, Value: v, Reason: "entry must be positive and finite"}
			}
			if i == j && math.Abs(v-1) > tol {
				return &MatrixError{Row: i, Col: j, Value: v, Reason: "diagonal entry must be 1"}
			}
			if j > i && math.Abs(v*m[j][i]-1) > tol {
				return &MatrixError{Row: j, Col: i, Value: m[j][i], Reason: fmt.Sprintf("not reciprocal: want 1/%g", v)}
			}
		}
	}
	return nil
}

// principalEigen returns the Perron vector of the positive matrix m,
// normalized to sum 1, and its eigenvalue.
func principalEigen(m [][]float64) ([]float64, float64) {
	n := len(m)
	w := make([]float64, n)
	next := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	const (
		tol     = 1e-13
		maxIter = 2000
	)
	lambda := 0.0
	for range maxIter {
		sum := 0.0
		for i, row := range m {
			s := 0.0
			for j, a := range row {
				s += a * w[j]
			}
			next[i] = s
			sum += s
		}
		// w sums to 1, so sum(Aw) is the Rayleigh-like estimate of λ.
		lambda = sum
		diff := 0.0
		for i := range next {
			next[i] /= sum
			diff = math.Max(diff, math.Abs(next[i]-w[i]))
		}
		w, next = next, w
		if diff < tol {
			return w, lambda
		}
	}
	return eigenFallback(m)
}

// eigenFallback uses a full eigendecomposition (gonum) when power iteration
// is slow to converge (second eigenvalue close to the first in modulus).
func eigenFallback(m [][]float64) ([]float64, float64) {
	n := len(m)
	a := mat.NewDense(n, n, nil)
	for i, row := range m {
		a.SetRow(i, row)
	}
	var eig mat.Eigen
	if !eig.Factorize(a, mat.EigenRight) {
		panic("evaluation: eigendecomposition failed on a validated positive matrix")
	}
	vals := eig.Values(nil)
	best := 0
	for i, v := range vals {
		if real(v) > real(vals[best]) {
			best = i
		}
	}
	var vecs mat.CDense
	eig.VectorsTo(&vecs)
	w := make([]float64, n)
	sum := 0.0
	for i := range n {
		w[i] = real(vecs.At(i, best))
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w, real(vals[best])
}

func geometricPriorities(m [][]float64) []float64 {
	n := len(m)
	w := make([]float64, n)
	sum := 0.0
	for i, row := range m {
		ls := 0.0
		for _, a := range row {
			ls += math.Log(a)
		}
		w[i] = math.Exp(ls / float64(n))
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

func arithmeticPriorities(m [][]float64) []float64 {
	n := len(m)
	col := make([]float64, n)
	for _, row := range m {
		for j, a := range row {
			col[j] += a
		}
	}
	w := make([]float64, n)
	for i, row := range m {
		for j, a := range row {
			w[i] += a / col[j]
		}
		w[i] /= float64(n)
	}
	return w
}

// lambdaEstimate is the mean of (Aw)ᵢ/wᵢ.
func lambdaEstimate(m [][]float64, w []float64) float64 {
	s := 0.0
	for i, row := range m {
		aw := 0.0
		for j, a := range row {
			aw += a * w[j]
		}
		s += aw / w[i]
	}
	return s / float64(len(m))
}
