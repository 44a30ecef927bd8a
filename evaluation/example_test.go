package evaluation_test

import (
	"fmt"
	"time"

	"github.com/kexie/techbroker/evaluation"
)

func ExampleAHP() {
	// Three criteria judged pairwise on Saaty's 1–9 scale.
	m := [][]float64{
		{1, 3, 5},
		{1.0 / 3, 1, 2},
		{1.0 / 5, 1.0 / 2, 1},
	}
	r, err := evaluation.AHP(m, &evaluation.AHPOptions{MaxCR: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("weights %.3f, λmax %.4f, CR %.4f\n", r.Weights, r.LambdaMax, r.CR)
	// Output: weights [0.648 0.230 0.122], λmax 3.0037, CR 0.0032
}

func ExampleFuzzyEvaluate() {
	weights := []float64{0.3, 0.3, 0.25, 0.15}
	// Rows: factors; columns: grades 优 良 中 差.
	r := [][]float64{
		{0.5, 0.3, 0.2, 0.0},
		{0.1, 0.4, 0.4, 0.1},
		{0.2, 0.5, 0.2, 0.1},
		{0.0, 0.3, 0.5, 0.2},
	}
	b, _ := evaluation.FuzzyEvaluate(weights, r, evaluation.WeightedAverage, true)
	fmt.Printf("B = %.3f, grade %d, score %.1f\n", b, evaluation.MaxMembership(b), evaluation.FuzzyScore(b, []float64{95, 80, 65, 45}))
	// Output: B = [0.230 0.380 0.305 0.085], grade 1, score 75.9
}

func ExampleKendallW() {
	// Four criteria ranked by three experts.
	ratings := [][]float64{{1, 1, 2}, {2, 3, 1}, {3, 2, 3}, {4, 4, 4}}
	k, _ := evaluation.KendallW(ratings, true)
	fmt.Printf("W %.3f, χ² %.2f, df %d, p %.3f\n", k.W, k.Chi2, k.DF, k.P)
	// Output: W 0.778, χ² 7.00, df 3, p 0.072
}

func ExamplePanel() {
	tmpl := evaluation.DefaultTemplate()
	p, _ := evaluation.NewPanel("achievement-42", []string{"zhang", "li", "wang"}, tmpl, nil)
	for _, s := range []evaluation.ScoreSheet{
		{Expert: "zhang", Scores: map[string]float64{"novelty": 85, "advancement": 80, "maturity": 70, "market": 75, "ip": 80, "team": 85}},
		{Expert: "li", Scores: map[string]float64{"novelty": 80, "advancement": 85, "maturity": 65, "market": 70, "ip": 75, "team": 80}},
		{Expert: "wang", Scores: map[string]float64{"novelty": 90, "advancement": 85, "maturity": 75, "market": 80, "ip": 85, "team": 90}},
	} {
		if err := p.Submit(s); err != nil {
			fmt.Println(err)
		}
	}
	_ = p.Lock()
	v, _ := p.Aggregate()
	fmt.Printf("score %.2f, pass %v, grade %s %s, %s\n", v.Score, v.Pass, v.Grade.Grade, v.Grade.Label.Zh, v.Recommendation.Label().Zh)
	err := p.Submit(evaluation.ScoreSheet{Expert: "li"})
	fmt.Println(err)
	// Output:
	// score 78.75, pass true, grade B 良好, 推荐
	// evaluation: panel achievement-42, expert li: panel is locked
}

func ExampleAssess() {
	s := evaluation.NASAScale()
	answers := []evaluation.Answer{
		{Item: s.Levels[0].Evidence[0].ID, Met: true, Evidence: "doi:10.1000/paper"},
		{Item: s.Levels[1].Evidence[0].ID, Met: true, Evidence: "concept note v2"},
		{Item: s.Levels[2].Evidence[0].ID, Met: true, Evidence: "lab report 2026-03"},
		{Item: s.Levels[3].Evidence[0].ID, Met: false, Note: "breadboard not built yet"},
	}
	a, err := evaluation.Assess(s, answers, "expert-1", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	l, _ := s.Level(a.Level)
	fmt.Printf("TRL %d: %s\n", a.Level, l.Description.En)
	fmt.Println("next:", a.Next[0].Text.Zh)
	c, _ := evaluation.Crosswalk(evaluation.NASATRL, a.Level, evaluation.GBT37264)
	fmt.Println("GB/T 37264 level", c.Level, "approximate:", c.Approximate)
	// Output:
	// TRL 3: Analytical and experimental critical function and/or characteristic proof of concept
	// next: 有与分析预测一致的测试性能文档，并定义了相关环境
	// GB/T 37264 level 3 approximate: true
}
