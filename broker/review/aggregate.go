package review

import (
	"fmt"
	"math"
	"strings"

	"github.com/kexie/techbroker/evaluation"
)

// Outcome is what a panel's sheets add up to under its scoring: the
// figures a Verdict records, and who scored what (Experts), which a
// verdict never records. It is pure data; Aggregate computes it.
type Outcome struct {
	Method Method
	// Score is the panel's score on 0–100.
	Score          float64
	Passed         bool // Score reaches the template's pass mark
	Grade          evaluation.GradeBand
	Recommendation evaluation.Recommendation
	// Criteria are the mean and spread of each leaf criterion's raw scores.
	Criteria []evaluation.CriterionResult
	// Weights are the top-level criteria's weights the score used (the
	// template's, or AHP's), in template order; CR is AHP's consistency
	// ratio (0 otherwise).
	Weights []CriterionWeight
	CR      float64
	// Membership is the fuzzy evaluation's B over the template's grade
	// bands, in band order (Fuzzy only).
	Membership []float64
	// Agreement over criteria × panelists, on 0–100: Kendall's W
	// (tie-corrected) with its p-value, and the intraclass correlations
	// ICC(A,1) and ICC(A,k) (Shrout–Fleiss ICC2 and ICC2k). NaN when
	// undefined (fewer than two criteria or panelists, or no variance).
	KendallW, KendallP, ICC, ICCk float64
	// Experts are each panelist's total and how it relates to the panel.
	Experts []evaluation.ExpertResult
	// Flagged is the number of panelists whose scores disagree with the
	// rest; Disagreement is Flagged > 0. A disagreement asks for a
	// moderator before the verdict is issued.
	Flagged      int
	Disagreement bool
	// Reasons explain the outcome in Chinese and English without naming
	// any panelist.
	Reasons []evaluation.Label
	Sheets  int
}

// CriterionWeight is the weight of one top-level criterion.
type CriterionWeight struct {
	ID     string           `json:"id"`
	Label  evaluation.Label `json:"label"`
	Weight float64          `json:"weight"`
}

// ahpWeights derives the top-level weights from the scoring's pairwise
// matrix; it refuses a matrix whose consistency ratio exceeds MaxCR (0.1
// by default).
func ahpWeights(tmpl evaluation.Template, sc Scoring) (evaluation.AHPResult, error) {
	maxCR := sc.MaxCR
	if maxCR == 0 {
		maxCR = 0.1
	}
	return evaluation.AHP(sc.Pairwise, &evaluation.AHPOptions{RI: sc.RITable, MaxCR: maxCR})
}

// Aggregate adds up a panel's sheets under its template and scoring (see
// Method). It needs at least one sheet, each scoring every leaf criterion
// within its range (Submit has checked that; an error says otherwise).
func Aggregate(tmpl evaluation.Template, sc Scoring, sheets []evaluation.ScoreSheet) (Outcome, error) {
	sc = sc.normalized()
	o := Outcome{Method: sc.Method, Sheets: len(sheets)}
	if len(sheets) == 0 {
		return o, &evaluation.FieldError{Field: "sheets", Value: 0, Reason: "a verdict needs at least one sheet"}
	}
	used := tmpl
	switch sc.Method {
	case AHP:
		res, err := ahpWeights(tmpl, sc)
		if err != nil {
			return o, err
		}
		if len(res.Weights) != len(tmpl.Criteria) {
			return o, &evaluation.FieldError{Field: "scoring.pairwise", Value: len(res.Weights), Reason: "one row per top-level criterion"}
		}
		w := make(map[string]float64, len(res.Weights))
		for i, c := range tmpl.Criteria {
			w[c.ID] = res.Weights[i]
		}
		if used, err = tmpl.WithWeights(w); err != nil {
			return o, err
		}
		o.CR = res.CR
	case Weighted, Fuzzy:
	default:
		return o, &evaluation.FieldError{Field: "scoring.method", Value: string(sc.Method), Reason: "not weighted, ahp or fuzzy"}
	}
	for _, c := range used.Criteria {
		o.Weights = append(o.Weights, CriterionWeight{ID: c.ID, Label: c.Label, Weight: c.Weight})
	}
	experts := make([]string, len(sheets))
	for i, s := range sheets {
		experts[i] = s.Expert
	}
	agg := evaluation.Trimmed
	if sc.Aggregation == "mean" {
		agg = evaluation.Mean
	}
	var dis *evaluation.DisagreementOptions
	if sc.MinCorrelation != 0 {
		dis = &evaluation.DisagreementOptions{MinCorrelation: sc.MinCorrelation}
	}
	ep, err := evaluation.NewPanel("panel", experts, used, &evaluation.PanelOptions{MinSheets: len(sheets), Aggregation: agg, Disagreement: dis})
	if err != nil {
		return o, err
	}
	for _, s := range sheets {
		if err := ep.Submit(s); err != nil {
			return o, err
		}
	}
	if err := ep.Lock(); err != nil {
		return o, err
	}
	ev, err := ep.Aggregate()
	if err != nil {
		return o, err
	}
	o.Score, o.Passed, o.Grade, o.Recommendation = ev.Score, ev.Pass, ev.Grade, ev.Recommendation
	o.Criteria, o.Experts = ev.Criteria, ev.Experts
	o.KendallW, o.KendallP = ev.Agreement.KendallW.W, ev.Agreement.KendallW.P
	o.ICC, o.ICCk = ev.Agreement.ICC.ICC2, ev.Agreement.ICC.ICC2k
	for _, e := range ev.Experts {
		if e.Disagreement.Flagged {
			o.Flagged++
		}
	}
	o.Disagreement = o.Flagged > 0
	if sc.Method == Fuzzy {
		if err := fuzzyOutcome(&o, tmpl, sc, sheets); err != nil {
			return o, err
		}
	}
	o.Reasons = reasons(o, tmpl, sc)
	return o, nil
}

// fuzzyOutcome replaces the weighted score with the fuzzy comprehensive
// evaluation's (see Fuzzy).
func fuzzyOutcome(o *Outcome, tmpl evaluation.Template, sc Scoring, sheets []evaluation.ScoreSheet) error {
	leaves := tmpl.Leaves()
	bands := tmpl.Grades
	if len(bands) < 2 {
		return &evaluation.FieldError{Field: "template.grades", Value: len(bands), Reason: "fuzzy evaluation needs at least two grade bands"}
	}
	a := make([]float64, len(leaves))
	r := make([][]float64, len(leaves))
	for i, l := range leaves {
		a[i] = l.GlobalWeight
		r[i] = make([]float64, len(bands))
		lo, hi := l.Range()
		for _, s := range sheets {
			r[i][band(bands, (s.Scores[l.ID]-lo)/(hi-lo)*100)] += 1 / float64(len(sheets))
		}
	}
	b, err := evaluation.FuzzyEvaluate(a, r, sc.Operator, true)
	if err != nil {
		return err
	}
	values := bandValues(bands)
	o.Membership = b
	o.Score = evaluation.FuzzyScore(b, values)
	if math.IsNaN(o.Score) {
		o.Score = 0
	}
	if k := evaluation.MaxMembership(b); k >= 0 {
		o.Grade = bands[k]
	}
	o.Passed = o.Score >= tmpl.PassScore
	rec := 75.0
	if len(bands) >= 2 {
		rec = bands[1].MinScore
	}
	switch {
	case !o.Passed:
		o.Recommendation = evaluation.NotRecommended
	case o.Score >= rec && o.Flagged == 0:
		o.Recommendation = evaluation.Recommend
	default:
		o.Recommendation = evaluation.RecommendWithConditions
	}
	return nil
}

// band is the index of the grade band (bands in descending MinScore) that
// a score on 0–100 reaches; below every band, the last one.
func band(bands []evaluation.GradeBand, score float64) int {
	for i, g := range bands {
		if score >= g.MinScore {
			return i
		}
	}
	return len(bands) - 1
}

// bandValues are the mid-points of the bands on 0–100: band i spans
// [MinScore_i, MinScore_{i−1}), the first up to 100; the last band reaches
// down to 0.
func bandValues(bands []evaluation.GradeBand) []float64 {
	out := make([]float64, len(bands))
	for i, g := range bands {
		hi := 100.0
		if i > 0 {
			hi = bands[i-1].MinScore
		}
		lo := g.MinScore
		if i == len(bands)-1 {
			lo = 0
		}
		out[i] = (lo + hi) / 2
	}
	return out
}

// reasons explains an outcome without naming a panelist.
func reasons(o Outcome, tmpl evaluation.Template, sc Scoring) []evaluation.Label {
	var out []evaluation.Label
	switch sc.Method {
	case AHP:
		out = append(out, evaluation.Label{
			Zh: fmt.Sprintf("一级指标权重由层次分析法确定（一致性比率 CR = %.3f）", o.CR),
			En: fmt.Sprintf("top-level weights by the analytic hierarchy process (consistency ratio CR = %.3f)", o.CR)})
	case Fuzzy:
		out = append(out, evaluation.Label{
			Zh: fmt.Sprintf("模糊综合评价（算子 %s），隶属度 %s", sc.Operator, formatVector(o.Membership)),
			En: fmt.Sprintf("fuzzy comprehensive evaluation (operator %s), membership %s", sc.Operator, formatVector(o.Membership))})
	default:
		out = append(out, evaluation.Label{Zh: "按评分表模板权重加权评分", En: "scores weighted by the template's weights"})
	}
	if sc.Method != Fuzzy {
		if sc.Aggregation == "mean" || o.Sheets < 3 {
			out = append(out, evaluation.Label{Zh: "总分为各专家总分的平均分", En: "the score is the mean of the panelists' totals"})
		} else {
			out = append(out, evaluation.Label{Zh: "总分为去掉一个最高分和一个最低分后的平均分", En: "the score is the mean after dropping the highest and the lowest total"})
		}
	}
	if o.Passed {
		out = append(out, evaluation.Label{
			Zh: fmt.Sprintf("总分 %.2f 达到通过线 %.2f", o.Score, tmpl.PassScore),
			En: fmt.Sprintf("score %.2f reaches the pass mark %.2f", o.Score, tmpl.PassScore)})
	} else {
		out = append(out, evaluation.Label{
			Zh: fmt.Sprintf("总分 %.2f 低于通过线 %.2f", o.Score, tmpl.PassScore),
			En: fmt.Sprintf("score %.2f is below the pass mark %.2f", o.Score, tmpl.PassScore)})
	}
	var weakZh, weakEn []string
	for _, l := range tmpl.Leaves() {
		for _, c := range o.Criteria {
			if c.ID != l.ID {
				continue
			}
			lo, hi := l.Range()
			if (c.Mean-lo)/(hi-lo)*100 < tmpl.PassScore {
				weakZh, weakEn = append(weakZh, l.Label.Zh), append(weakEn, l.Label.En)
			}
		}
	}
	if len(weakZh) > 0 {
		out = append(out, evaluation.Label{
			Zh: "低于通过线的指标：" + strings.Join(weakZh, "、"),
			En: "criteria below the pass mark: " + strings.Join(weakEn, ", ")})
	}
	if !math.IsNaN(o.KendallW) {
		out = append(out, evaluation.Label{
			Zh: fmt.Sprintf("专家一致性 Kendall W = %.3f（p = %.3g）", o.KendallW, o.KendallP),
			En: fmt.Sprintf("panel agreement Kendall's W = %.3f (p = %.3g)", o.KendallW, o.KendallP)})
	}
	if !math.IsNaN(o.ICC) {
		out = append(out, evaluation.Label{
			Zh: fmt.Sprintf("组内相关系数 ICC(A,1) = %.3f", o.ICC),
			En: fmt.Sprintf("intraclass correlation ICC(A,1) = %.3f", o.ICC)})
	}
	if o.Flagged > 0 {
		out = append(out, evaluation.Label{
			Zh: fmt.Sprintf("%d 位专家的评分与其他专家不一致", o.Flagged),
			En: fmt.Sprintf("%d of %d panelists disagree with the rest of the panel", o.Flagged, o.Sheets)})
	}
	return out
}

func formatVector(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.3f", x)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
