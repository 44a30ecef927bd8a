package evaluation

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// KendallResult holds Kendall's coefficient of concordance and its
// large-sample test.
type KendallResult struct {
	W    float64 // 0 (no agreement) … 1 (complete agreement)
	Chi2 float64 // m(n − 1)W
	DF   int     // n − 1
	P    float64 // upper-tail χ² probability
}

// KendallW computes Kendall's W for ratings[i][j], the score of item i by
// rater j (n items × m raters). Each rater's scores are ranked (ties get
// average ranks), Rᵢ is the rank sum of item i, S = Σ(Rᵢ − R̄)² and
//
//	W = 12S / (m²(n³ − n))                 without tie correction,
//	W = 12S / (m²(n³ − n) − m·Σ T)         with it, T = Σ(t³ − t) per rater,
//
// where t runs over the sizes of tied groups. χ² = m(n − 1)W with n − 1
// degrees of freedom (Kendall & Babington Smith 1939; Siegel & Castellan
// 1988, §9.4). It needs n ≥ 2 and m ≥ 2 and finite scores; when every rater
// ties every item W is undefined and the result is NaN.
func KendallW(ratings [][]float64, tieCorrection bool) (KendallResult, error) {
	n, m, err := checkRatings(ratings)
	if err != nil {
		return KendallResult{}, err
	}
	rankSum := make([]float64, n)
	col := make([]float64, n)
	ranks := make([]float64, n)
	tieSum := 0.0
	for j := range m {
		for i := range n {
			col[i] = ratings[i][j]
		}
		tieSum += averageRanks(col, ranks)
		for i := range n {
			rankSum[i] += ranks[i]
		}
	}
	fn, fm := float64(n), float64(m)
	mean := fm * (fn + 1) / 2
	s := 0.0
	for _, r := range rankSum {
		s += (r - mean) * (r - mean)
	}
	den := fm * fm * (fn*fn*fn - fn)
	if tieCorrection {
		den -= fm * tieSum
	}
	res := KendallResult{DF: n - 1}
	if den <= 0 {
		res.W, res.Chi2, res.P = math.NaN(), math.NaN(), math.NaN()
		return res, nil
	}
	res.W = 12 * s / den
	res.Chi2 = fm * (fn - 1) * res.W
	res.P = distuv.ChiSquared{K: float64(res.DF)}.Survival(res.Chi2)
	return res, nil
}

// averageRanks writes 1-based ascending ranks of x into ranks, giving tied
// values their average rank, and returns Σ(t³ − t) over tied groups.
func averageRanks(x, ranks []float64) float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	ties := 0.0
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // mean of ranks i+1 … j
		for k := i; k < j; k++ {
			ranks[idx[k]] = avg
		}
		if t := float64(j - i); t > 1 {
			ties += t*t*t - t
		}
		i = j
	}
	return ties
}

func checkRatings(ratings [][]float64) (n, m int, err error) {
	n = len(ratings)
	if n < 2 {
		return 0, 0, &FieldError{Field: "ratings", Value: n, Reason: "need at least 2 rows"}
	}
	m = len(ratings[0])
	if m < 2 {
		return 0, 0, &FieldError{Field: "ratings[0]", Value: m, Reason: "need at least 2 columns (raters)"}
	}
	for i, row := range ratings {
		if len(row) != m {
			return 0, 0, &FieldError{Field: fmt.Sprintf("ratings[%d]", i), Value: len(row), Reason: fmt.Sprintf("want %d columns", m)}
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, &FieldError{Field: fmt.Sprintf("ratings[%d][%d]", i, j), Value: v, Reason: "must be finite"}
			}
		}
	}
	return n, m, nil
}

// ICCForm names one of Shrout & Fleiss's (1979) intraclass correlations.
type ICCForm string

// The six forms (McGraw & Wong 1996 names in brackets).
const (
	ICC1  ICCForm = "ICC1"  // one-way random, single rater [ICC(1)]
	ICC2  ICCForm = "ICC2"  // two-way random, absolute agreement, single [ICC(A,1)]
	ICC3  ICCForm = "ICC3"  // two-way mixed, consistency, single [ICC(C,1)]
	ICC1k ICCForm = "ICC1k" // one-way random, mean of k raters [ICC(k)]
	ICC2k ICCForm = "ICC2k" // two-way random, absolute agreement, mean of k [ICC(A,k)]
	ICC3k ICCForm = "ICC3k" // two-way mixed, consistency, mean of k [ICC(C,k)]
)

// ICCResult holds the six forms and the mean squares they come from.
type ICCResult struct {
	ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k float64
	BMS, WMS, JMS, EMS                    float64 // between targets, within targets, judges, residual
	N, K                                  int     // targets, judges
}

// Form returns the named coefficient, or an error for an unknown name.
func (r ICCResult) Form(f ICCForm) (float64, error) {
	switch f {
	case ICC1:
		return r.ICC1, nil
	case ICC2:
		return r.ICC2, nil
	case ICC3:
		return r.ICC3, nil
	case ICC1k:
		return r.ICC1k, nil
	case ICC2k:
		return r.ICC2k, nil
	case ICC3k:
		return r.ICC3k, nil
	}
	return 0, &FieldError{Field: "form", Value: string(f), Reason: "unknown ICC form"}
}

// ICC computes the six Shrout–Fleiss intraclass correlations for
// ratings[i][j], the rating of target i by judge j (n ≥ 2 targets, k ≥ 2
// judges, complete data). With the ANOVA mean squares BMS, WMS, JMS, EMS:
//
//	ICC1  = (BMS − WMS) / (BMS + (k−1)WMS)
//	ICC2  = (BMS − EMS) / (BMS + (k−1)EMS + k(JMS − EMS)/n)
//	ICC3  = (BMS − EMS) / (BMS + (k−1)EMS)
//	ICC1k = (BMS − WMS) / BMS
//	ICC2k = (BMS − EMS) / (BMS + (JMS − EMS)/n)
//	ICC3k = (BMS − EMS) / BMS
//
// A zero denominator gives NaN.
func ICC(ratings [][]float64) (ICCResult, error) {
	n, k, err := checkRatings(ratings)
	if err != nil {
		return ICCResult{}, err
	}
	fn, fk := float64(n), float64(k)
	grand := 0.0
	rowMean := make([]float64, n)
	colMean := make([]float64, k)
	for i, row := range ratings {
		for j, v := range row {
			rowMean[i] += v
			colMean[j] += v
			grand += v
		}
	}
	grand /= fn * fk
	ssr, ssc, sst := 0.0, 0.0, 0.0
	for i := range rowMean {
		rowMean[i] /= fk
		ssr += (rowMean[i] - grand) * (rowMean[i] - grand)
	}
	ssr *= fk
	for j := range colMean {
		colMean[j] /= fn
		ssc += (colMean[j] - grand) * (colMean[j] - grand)
	}
	ssc *= fn
	for _, row := range ratings {
		for _, v := range row {
			sst += (v - grand) * (v - grand)
		}
	}
	r := ICCResult{N: n, K: k}
	r.BMS = ssr / (fn - 1)
	r.WMS = (sst - ssr) / (fn * (fk - 1))
	r.JMS = ssc / (fk - 1)
	r.EMS = (sst - ssr - ssc) / ((fn - 1) * (fk - 1))
	div := func(a, b float64) float64 {
		if b == 0 {
			return math.NaN()
		}
		return a / b
	}
	r.ICC1 = div(r.BMS-r.WMS, r.BMS+(fk-1)*r.WMS)
	r.ICC2 = div(r.BMS-r.EMS, r.BMS+(fk-1)*r.EMS+fk*(r.JMS-r.EMS)/fn)
	r.ICC3 = div(r.BMS-r.EMS, r.BMS+(fk-1)*r.EMS)
	r.ICC1k = div(r.BMS-r.WMS, r.BMS)
	r.ICC2k = div(r.BMS-r.EMS, r.BMS+(r.JMS-r.EMS)/fn)
	r.ICC3k = div(r.BMS-r.EMS, r.BMS)
	return r, nil
}

// DisagreementOptions sets when an expert is flagged. A nil
// *DisagreementOptions means MinCorrelation 0.3 and no deviation limit.
type DisagreementOptions struct {
	// MinCorrelation flags an expert whose Pearson correlation with the
	// mean of the other experts is below it.
	MinCorrelation float64
	// MaxMeanAbsDiff, when positive, flags an expert whose mean absolute
	// difference from the others' mean exceeds it (in score units).
	MaxMeanAbsDiff float64
}

// Disagreement describes how one expert (column) relates to the rest.
type Disagreement struct {
	Expert      int     // column index
	Correlation float64 // with the leave-one-out mean; NaN if a side is constant
	MeanAbsDiff float64 // mean |x − leave-one-out mean|
	Flagged     bool
	Reason      string // why it was flagged, empty otherwise
}

// Disagreements compares each expert (column of ratings: rows are items or
// criteria) with the mean of the other experts and flags those beyond the
// thresholds. A NaN correlation (constant scores) is not flagged by the
// correlation rule.
func Disagreements(ratings [][]float64, opts *DisagreementOptions) ([]Disagreement, error) {
	n, k, err := checkRatings(ratings)
	if err != nil {
		return nil, err
	}
	o := DisagreementOptions{MinCorrelation: 0.3}
	if opts != nil {
		o = *opts
	}
	rowSum := make([]float64, n)
	for i, row := range ratings {
		for _, v := range row {
			rowSum[i] += v
		}
	}
	x := make([]float64, n)
	y := make([]float64, n)
	out := make([]Disagreement, k)
	for j := range k {
		mad := 0.0
		for i := range n {
			x[i] = ratings[i][j]
			y[i] = (rowSum[i] - x[i]) / float64(k-1)
			mad += math.Abs(x[i] - y[i])
		}
		d := Disagreement{Expert: j, Correlation: pearson(x, y), MeanAbsDiff: mad / float64(n)}
		switch {
		case d.Correlation < o.MinCorrelation:
			d.Flagged = true
			d.Reason = fmt.Sprintf("correlation with the panel %.2f below %.2f", d.Correlation, o.MinCorrelation)
		case o.MaxMeanAbsDiff > 0 && d.MeanAbsDiff > o.MaxMeanAbsDiff:
			d.Flagged = true
			d.Reason = fmt.Sprintf("mean absolute difference from the panel %.2f above %.2f", d.MeanAbsDiff, o.MaxMeanAbsDiff)
		}
		out[j] = d
	}
	return out, nil
}

func pearson(x, y []float64) float64 {
	mx, _ := meanSD(x)
	my, _ := meanSD(y)
	sxy, sxx, syy := 0.0, 0.0, 0.0
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}
