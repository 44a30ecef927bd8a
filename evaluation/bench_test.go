package evaluation

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkAHP15 measures one 15×15 AHP: principal eigenvector, λmax, CI
// and CR (Saaty 2005 table), on a random reciprocal matrix.
func BenchmarkAHP15(b *testing.B) {
	m := randomPairwise(15, rand.New(rand.NewPCG(15, 15)))
	opts := &AHPOptions{RI: Saaty2005}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AHP(m, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPanel builds a locked panel of 7 experts scoring 20 criteria.
func benchPanel(b *testing.B) *Panel {
	const nCrit, nExp = 20, 7
	crit := make([]Criterion, nCrit)
	for i := range crit {
		crit[i] = Criterion{ID: fmt.Sprintf("c%02d", i), Label: Label{Zh: "指标", En: "criterion"}, Weight: 1.0 / nCrit}
	}
	tm := Template{ID: "bench", Criteria: crit, PassScore: 60, Grades: DefaultTemplate().Grades}
	experts := make([]string, nExp)
	for j := range experts {
		experts[j] = fmt.Sprintf("e%d", j)
	}
	p, err := NewPanel("item", experts, tm, nil)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 20))
	for _, e := range experts {
		s := ScoreSheet{Expert: e, Scores: map[string]float64{}}
		for _, c := range crit {
			s.Scores[c.ID] = float64(40 + rng.IntN(61))
		}
		if err := p.Submit(s); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.Lock(); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkPanelAggregate measures Aggregate for 7 experts × 20 criteria:
// totals, trimmed mean, Kendall's W, the six ICCs and disagreement flags.
func BenchmarkPanelAggregate(b *testing.B) {
	p := benchPanel(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Aggregate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAHP15Fallback measures the full eigendecomposition used when
// power iteration does not converge, for comparison.
func BenchmarkAHP15Fallback(b *testing.B) {
	m := randomPairwise(15, rand.New(rand.NewPCG(15, 15)))
	b.ReportAllocs()
	for b.Loop() {
		eigenFallback(m)
	}
}
