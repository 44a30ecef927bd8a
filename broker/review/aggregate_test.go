package review_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/evaluation"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// threeCriteria is a template with three top-level leaves scored 0–100.
func threeCriteria() evaluation.Template {
	return evaluation.Template{ID: "t3", Label: evaluation.Label{Zh: "三项指标", En: "three criteria"},
		Criteria: []evaluation.Criterion{
			{ID: "tech", Label: evaluation.Label{Zh: "技术", En: "Technology"}, Weight: 0.5},
			{ID: "market", Label: evaluation.Label{Zh: "市场", En: "Market"}, Weight: 0.3},
			{ID: "team", Label: evaluation.Label{Zh: "团队", En: "Team"}, Weight: 0.2},
		},
		PassScore: 60,
		Grades:    []evaluation.GradeBand{{Grade: "A", MinScore: 85}, {Grade: "B", MinScore: 70}, {Grade: "C", MinScore: 60}, {Grade: "D", MinScore: 0}},
	}
}

// TestAggregateWeighted: the weighted score is the trimmed mean of the
// sheets' template totals (Template.Score), and agreement is perfect for
// sheets of one shape.
func TestAggregateWeighted(t *testing.T) {
	tmpl := threeCriteria()
	sheets := []evaluation.ScoreSheet{
		{Expert: "a", Scores: map[string]float64{"tech": 90, "market": 70, "team": 60}},
		{Expert: "b", Scores: map[string]float64{"tech": 80, "market": 60, "team": 50}},
		{Expert: "c", Scores: map[string]float64{"tech": 70, "market": 50, "team": 40}},
		{Expert: "d", Scores: map[string]float64{"tech": 95, "market": 75, "team": 65}},
	}
	o, err := review.Aggregate(tmpl, review.Scoring{}, sheets)
	if err != nil {
		t.Fatal(err)
	}
	// Totals: a 78, b 68, c 58, d 83; trimmed (drop 83 and 58): 73.
	if !near(o.Score, 73, 1e-9) || !o.Passed || o.Grade.Grade != "B" || o.Method != review.Weighted {
		t.Errorf("weighted: score %.4f pass %v grade %q; want 73, true, B", o.Score, o.Passed, o.Grade.Grade)
	}
	if !near(o.KendallW, 1, 1e-9) || o.Disagreement || len(o.Experts) != 4 {
		t.Errorf("agreement: W %.4f, disagreement %v", o.KendallW, o.Disagreement)
	}
	mean, err := review.Aggregate(tmpl, review.Scoring{Aggregation: "mean"}, sheets)
	if err != nil || !near(mean.Score, (78+68+58+83)/4.0, 1e-9) {
		t.Errorf("mean: %.4f, %v; want 71.75", mean.Score, err)
	}
}

// TestAggregateAHP checks the AHP wiring against Saaty's published 3×3
// example (1, 3, 5 / 1/3, 1, 3 / 1/5, 1/3, 1): weights 0.6370, 0.2583,
// 0.1047, λmax 3.0385, CR 0.033 with the Saaty 1980 table (RI 0.58); and
// that an inconsistent matrix is refused.
func TestAggregateAHP(t *testing.T) {
	tmpl := threeCriteria()
	sc := review.Scoring{Method: review.AHP, Pairwise: [][]float64{{1, 3, 5}, {1.0 / 3, 1, 3}, {1.0 / 5, 1.0 / 3, 1}}}
	sheets := []evaluation.ScoreSheet{
		{Expert: "a", Scores: map[string]float64{"tech": 90, "market": 70, "team": 60}},
		{Expert: "b", Scores: map[string]float64{"tech": 80, "market": 60, "team": 50}},
	}
	o, err := review.Aggregate(tmpl, sc, sheets)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.6370, 0.2583, 0.1047}
	for i, w := range o.Weights {
		if !near(w.Weight, want[i], 5e-4) {
			t.Errorf("weight of %s: %.4f, want %.4f", w.ID, w.Weight, want[i])
		}
	}
	if !near(o.CR, 0.033, 1e-3) {
		t.Errorf("CR %.4f, want 0.033", o.CR)
	}
	// Two sheets: the mean of the AHP-weighted totals.
	wa := 0.6370*90 + 0.2583*70 + 0.1047*60
	wb := 0.6370*80 + 0.2583*60 + 0.1047*50
	if !near(o.Score, (wa+wb)/2, 0.05) || !strings.Contains(o.Reasons[0].Zh, "层次分析法") {
		t.Errorf("AHP score %.3f, want about %.3f; reasons %v", o.Score, (wa+wb)/2, o.Reasons)
	}
	sc.Pairwise = [][]float64{{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}}
	if _, err := review.Aggregate(tmpl, sc, sheets); !errors.Is(err, evaluation.ErrInconsistent) {
		t.Errorf("an inconsistent matrix: %v, want ErrInconsistent", err)
	}
}

// TestAggregateFuzzy checks the fuzzy evaluation against a computation by
// hand. Two leaves weighted 0.6 and 0.4; bands A ≥ 85, B ≥ 70, C ≥ 60,
// D; four panelists score (90, 90), (80, 90), (80, 65), (50, 65):
//
//	R = | 0.25 0.5 0   0.25 |   A∘R = (0.35, 0.30, 0.20, 0.15)
//	    | 0.5  0   0.5 0    |
//
// mid-points 92.5, 77.5, 65, 30 give 0.35·92.5 + 0.3·77.5 + 0.2·65 +
// 0.15·30 = 73.125; the grade of largest membership is A.
func TestAggregateFuzzy(t *testing.T) {
	tmpl := evaluation.Template{ID: "t2", Criteria: []evaluation.Criterion{
		{ID: "x", Label: evaluation.Label{Zh: "甲", En: "X"}, Weight: 0.6},
		{ID: "y", Label: evaluation.Label{Zh: "乙", En: "Y"}, Weight: 0.4},
	}, PassScore: 60, Grades: threeCriteria().Grades}
	sheets := []evaluation.ScoreSheet{
		{Expert: "a", Scores: map[string]float64{"x": 90, "y": 90}},
		{Expert: "b", Scores: map[string]float64{"x": 80, "y": 90}},
		{Expert: "c", Scores: map[string]float64{"x": 80, "y": 65}},
		{Expert: "d", Scores: map[string]float64{"x": 50, "y": 65}},
	}
	o, err := review.Aggregate(tmpl, review.Scoring{Method: review.Fuzzy}, sheets)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.35, 0.30, 0.20, 0.15}
	for i := range want {
		if !near(o.Membership[i], want[i], 1e-12) {
			t.Errorf("membership %v, want %v", o.Membership, want)
			break
		}
	}
	if !near(o.Score, 73.125, 1e-9) || o.Grade.Grade != "A" || !o.Passed {
		t.Errorf("fuzzy: score %.4f grade %q pass %v; want 73.125, A, true", o.Score, o.Grade.Grade, o.Passed)
	}
	// Zadeh's M(∧,∨): b_j = max_i min(a_i, r_ij) = (0.4, 0.5, 0.4, 0.25),
	// normalized by 1.55.
	o, err = review.Aggregate(tmpl, review.Scoring{Method: review.Fuzzy, Operator: evaluation.MinMax}, sheets)
	if err != nil {
		t.Fatal(err)
	}
	if !near(o.Membership[1], 0.5/1.55, 1e-12) || o.Grade.Grade != "B" {
		t.Errorf("M(∧,∨): membership %v grade %q; want B with 0.5/1.55", o.Membership, o.Grade.Grade)
	}
}

// TestAggregateDisagreement: a panelist whose profile runs against the
// others' is flagged, counted, and not named in the reasons.
func TestAggregateDisagreement(t *testing.T) {
	tmpl := evaluation.DefaultTemplate()
	var sheets []evaluation.ScoreSheet
	for i, e := range []string{"exp-a", "exp-b", "exp-c"} {
		sheets = append(sheets, evaluation.ScoreSheet{Expert: e, Scores: profile(75 + float64(i)).Scores})
	}
	contrary := map[string]float64{}
	for k, v := range profile(75).Scores {
		contrary[k] = 150 - v
	}
	sheets = append(sheets, evaluation.ScoreSheet{Expert: "exp-d", Scores: contrary})
	o, err := review.Aggregate(tmpl, review.Scoring{}, sheets)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Disagreement || o.Flagged != 1 || !o.Experts[3].Disagreement.Flagged {
		t.Fatalf("disagreement: %v, %d flagged, experts %+v", o.Disagreement, o.Flagged, o.Experts)
	}
	for _, r := range o.Reasons {
		if strings.Contains(r.Zh+r.En, "exp-") {
			t.Errorf("a reason names a panelist: %v", r)
		}
	}
	if _, err := review.Aggregate(tmpl, review.Scoring{}, nil); err == nil {
		t.Error("no sheet: want an error")
	}
}
