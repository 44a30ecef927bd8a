package evaluation

import (
	"fmt"
	"math"
	"slices"
)

// WeightedSum returns Σ wᵢ·xᵢ. Weights must be finite, non-negative and sum
// to 1 within WeightTol (use NormalizeWeights first otherwise); scores must be
// finite. It panics if the lengths differ.
func WeightedSum(weights, scores []float64) (float64, error) {
	if len(weights) != len(scores) {
		panic("evaluation: WeightedSum: len(weights) != len(scores)")
	}
	if err := checkWeights("weights", weights); err != nil {
		return 0, err
	}
	s := 0.0
	for i, x := range scores {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, &FieldError{Field: fmt.Sprintf("scores[%d]", i), Value: x, Reason: "must be finite"}
		}
		s += weights[i] * x
	}
	return s, nil
}

// NormalizeWeights returns w scaled to sum 1. Entries must be finite and
// non-negative with a positive sum.
func NormalizeWeights(w []float64) ([]float64, error) {
	sum := 0.0
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, &FieldError{Field: fmt.Sprintf("weights[%d]", i), Value: v, Reason: "must be finite and non-negative"}
		}
		sum += v
	}
	if !(sum > 0) {
		return nil, &FieldError{Field: "weights", Value: sum, Reason: "sum must be positive"}
	}
	out := make([]float64, len(w))
	for i, v := range w {
		out[i] = v / sum
	}
	return out, nil
}

func checkWeights(field string, w []float64) error {
	if len(w) == 0 {
		return &FieldError{Field: field, Value: "[]", Reason: "no weights"}
	}
	sum := 0.0
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return &FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Value: v, Reason: "must be finite and non-negative"}
		}
		sum += v
	}
	if math.Abs(sum-1) > WeightTol {
		return &FieldError{Field: field, Value: sum, Reason: "weights must sum to 1"}
	}
	return nil
}

// TrimmedMean drops the k highest and k lowest values and averages the rest
// (the usual panel rule is k = 1: 去掉一个最高分和一个最低分). It needs
// len(x) > 2k values.
func TrimmedMean(x []float64, k int) (float64, error) {
	if k < 0 {
		return 0, &FieldError{Field: "k", Value: k, Reason: "must be non-negative"}
	}
	if len(x) <= 2*k {
		return 0, &FieldError{Field: "x", Value: len(x), Reason: fmt.Sprintf("need more than %d values to trim %d from each end", 2*k, k)}
	}
	s := slices.Clone(x)
	slices.Sort(s)
	sum := 0.0
	for _, v := range s[k : len(s)-k] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, &FieldError{Field: "x", Value: v, Reason: "must be finite"}
		}
		sum += v
	}
	return sum / float64(len(s)-2*k), nil
}

// ZCalibrate removes each expert's leniency and spread: ratings[i][j] is the
// score of item (or criterion) i by expert j; each expert's column is
// standardized, z = (x − meanⱼ)/sdⱼ (sample sd), and mapped back onto the
// pooled scale, x' = mean + z·sd of all ratings. A column with zero spread
// maps to the pooled mean. The result has the same shape. It panics on a
// ragged matrix.
func ZCalibrate(ratings [][]float64) [][]float64 {
	n := len(ratings)
	if n == 0 {
		return nil
	}
	k := len(ratings[0])
	all := make([]float64, 0, n*k)
	for _, row := range ratings {
		if len(row) != k {
			panic("evaluation: ZCalibrate: ragged matrix")
		}
		all = append(all, row...)
	}
	pm, psd := meanSD(all)
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, k)
	}
	col := make([]float64, n)
	for j := range k {
		for i := range n {
			col[i] = ratings[i][j]
		}
		m, sd := meanSD(col)
		for i := range n {
			if sd == 0 || math.IsNaN(sd) {
				out[i][j] = pm
			} else {
				out[i][j] = pm + (ratings[i][j]-m)/sd*psd
			}
		}
	}
	return out
}

// meanSD returns the mean and the sample standard deviation (n − 1).
func meanSD(x []float64) (float64, float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	if len(x) < 2 {
		return m, 0
	}
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / float64(len(x)-1))
}

// ExpertError wraps an error that concerns one expert's input (by index).
type ExpertError struct {
	Expert int
	Err    error
}

func (e *ExpertError) Error() string {
	return fmt.Sprintf("evaluation: expert %d: %s", e.Expert, trimPrefix(e.Err.Error()))
}

// Unwrap returns the wrapped error.
func (e *ExpertError) Unwrap() error { return e.Err }

// AggregateJudgements combines several experts' pairwise-comparison
// matrices by the weighted geometric mean of each judgement (AIJ, Forman &
// Peniwati 1998), which keeps the result reciprocal. expertWeights may be nil
// (equal weights); otherwise it must sum to 1.
func AggregateJudgements(ms [][][]float64, expertWeights []float64) ([][]float64, error) {
	if len(ms) == 0 {
		return nil, &FieldError{Field: "matrices", Value: 0, Reason: "no experts"}
	}
	ew, err := expertWeightsOrEqual(expertWeights, len(ms))
	if err != nil {
		return nil, err
	}
	for e, m := range ms {
		if err := ValidatePairwise(m, DefaultReciprocalTol); err != nil {
			return nil, &ExpertError{Expert: e, Err: err}
		}
		if len(m) != len(ms[0]) {
			return nil, &ExpertError{Expert: e, Err: &MatrixError{Row: -1, Col: -1, Reason: fmt.Sprintf("order %d, want %d", len(m), len(ms[0]))}}
		}
	}
	n := len(ms[0])
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, n)
		for j := range out[i] {
			ls := 0.0
			for e, m := range ms {
				ls += ew[e] * math.Log(m[i][j])
			}
			out[i][j] = math.Exp(ls)
		}
	}
	return out, nil
}

// GroupAHPAIJ aggregates the judgements (AggregateJudgements) and runs AHP
// on the combined matrix.
func GroupAHPAIJ(ms [][][]float64, expertWeights []float64, opts *AHPOptions) (AHPResult, error) {
	m, err := AggregateJudgements(ms, expertWeights)
	if err != nil {
		return AHPResult{}, err
	}
	return AHP(m, opts)
}

// GroupAHPAIP runs AHP for each expert and combines the priority vectors by
// the weighted geometric mean, renormalized to sum 1 (AIP, Forman &
// Peniwati 1998). It returns the group weights and each expert's result; an
// expert's error (including an *InconsistencyError) is returned wrapped in an
// *ExpertError, with the results computed so far.
func GroupAHPAIP(ms [][][]float64, expertWeights []float64, opts *AHPOptions) ([]float64, []AHPResult, error) {
	if len(ms) == 0 {
		return nil, nil, &FieldError{Field: "matrices", Value: 0, Reason: "no experts"}
	}
	ew, err := expertWeightsOrEqual(expertWeights, len(ms))
	if err != nil {
		return nil, nil, err
	}
	rs := make([]AHPResult, 0, len(ms))
	for e, m := range ms {
		r, err := AHP(m, opts)
		if err != nil {
			return nil, rs, &ExpertError{Expert: e, Err: err}
		}
		if len(r.Weights) != len(ms[0]) {
			return nil, rs, &ExpertError{Expert: e, Err: &MatrixError{Row: -1, Col: -1, Reason: fmt.Sprintf("order %d, want %d", len(m), len(ms[0]))}}
		}
		rs = append(rs, r)
	}
	n := len(ms[0])
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		ls := 0.0
		for e, r := range rs {
			ls += ew[e] * math.Log(r.Weights[i])
		}
		w[i] = math.Exp(ls)
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w, rs, nil
}

func expertWeightsOrEqual(w []float64, n int) ([]float64, error) {
	if w == nil {
		out := make([]float64, n)
		for i := range out {
			out[i] = 1 / float64(n)
		}
		return out, nil
	}
	if len(w) != n {
		return nil, &FieldError{Field: "expertWeights", Value: len(w), Reason: fmt.Sprintf("want %d weights, one per expert", n)}
	}
	return w, checkWeights("expertWeights", w)
}

// Compose performs hierarchy composition: given the weights of the parent
// level's elements and, for each parent element k, the local weights
// local[k] of the alternatives under it, it returns the global weights
// gᵢ = Σₖ parent[k]·local[k][i].
func Compose(parent []float64, local [][]float64) ([]float64, error) {
	if err := checkWeights("parent", parent); err != nil {
		return nil, err
	}
	if len(local) != len(parent) {
		return nil, &FieldError{Field: "local", Value: len(local), Reason: fmt.Sprintf("want %d vectors, one per parent element", len(parent))}
	}
	if len(local) == 0 {
		return nil, nil
	}
	n := len(local[0])
	g := make([]float64, n)
	for k, lw := range local {
		if len(lw) != n {
			return nil, &FieldError{Field: fmt.Sprintf("local[%d]", k), Value: len(lw), Reason: fmt.Sprintf("want %d weights", n)}
		}
		if err := checkWeights(fmt.Sprintf("local[%d]", k), lw); err != nil {
			return nil, err
		}
		for i, v := range lw {
			g[i] += parent[k] * v
		}
	}
	return g, nil
}

// CompositeCR returns the consistency ratio of a whole level (层次总排序一致
// 性): CR = Σₖ parent[k]·CIₖ / Σₖ parent[k]·RIₖ, where child k has order nₖ.
// Children of order ≤ 2 contribute 0 to both sums; if the denominator is 0,
// CR is 0.
func CompositeCR(parent []float64, children []AHPResult, table RandomIndexTable) (float64, error) {
	if len(children) != len(parent) {
		return 0, &FieldError{Field: "children", Value: len(children), Reason: fmt.Sprintf("want %d results, one per parent element", len(parent))}
	}
	num, den := 0.0, 0.0
	for k, c := range children {
		ri, err := RandomIndex(table, len(c.Weights))
		if err != nil {
			return 0, err
		}
		num += parent[k] * c.CI
		den += parent[k] * ri
	}
	if den == 0 {
		return 0, nil
	}
	return num / den, nil
}

// HierarchyResult is the outcome of a three-level AHP hierarchy (goal →
// criteria → alternatives).
type HierarchyResult struct {
	Criteria     AHPResult   // criteria compared with respect to the goal
	Alternatives []AHPResult // alternatives compared under each criterion
	Global       []float64   // global priorities of the alternatives
	CR           float64     // consistency ratio of the alternatives' level (CompositeCR)
}

// AHPHierarchy runs AHP on the criteria matrix and on one alternatives
// matrix per criterion, and composes the global priorities of the
// alternatives. A matrix's error is returned wrapped with the level it
// came from (errors.As still finds the *MatrixError or *InconsistencyError);
// it stops the computation. All alternatives matrices must have the same
// order.
func AHPHierarchy(criteria [][]float64, alternatives [][][]float64, opts *AHPOptions) (HierarchyResult, error) {
	var h HierarchyResult
	var err error
	if h.Criteria, err = AHP(criteria, opts); err != nil {
		return h, withContext(err, "criteria")
	}
	if len(alternatives) != len(h.Criteria.Weights) {
		return h, &FieldError{Field: "alternatives", Value: len(alternatives), Reason: fmt.Sprintf("want %d matrices, one per criterion", len(h.Criteria.Weights))}
	}
	local := make([][]float64, len(alternatives))
	for k, m := range alternatives {
		r, err := AHP(m, opts)
		if err != nil {
			return h, withContext(err, "alternatives under criterion %d", k)
		}
		h.Alternatives = append(h.Alternatives, r)
		local[k] = r.Weights
	}
	if h.Global, err = Compose(h.Criteria.Weights, local); err != nil {
		return h, err
	}
	table := Saaty1980
	if opts != nil && opts.RI != "" {
		table = opts.RI
	}
	h.CR, err = CompositeCR(h.Criteria.Weights, h.Alternatives, table)
	return h, err
}
