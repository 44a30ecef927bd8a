package evaluation

import (
	"errors"
	"math"
	"testing"
)

func TestWeightedSum(t *testing.T) {
	got, err := WeightedSum([]float64{0.5, 0.3, 0.2}, []float64{80, 70, 90})
	if err != nil || !near(got, 79, 1e-12) {
		t.Errorf("got %v, %v; want 79", got, err)
	}
	if _, err := WeightedSum([]float64{0.5, 0.6}, []float64{1, 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("weights summing to 1.1: got %v, want ErrInvalid", err)
	}
	if _, err := WeightedSum([]float64{1}, []float64{math.Inf(1)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("infinite score: got %v, want ErrInvalid", err)
	}
}

func TestNormalizeWeights(t *testing.T) {
	got, err := NormalizeWeights([]float64{1, 3})
	if err != nil || got[0] != 0.25 || got[1] != 0.75 {
		t.Errorf("got %v, %v; want [0.25 0.75]", got, err)
	}
	if _, err := NormalizeWeights([]float64{0, 0}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero sum: got %v", err)
	}
}

func TestTrimmedMean(t *testing.T) {
	tests := []struct {
		x    []float64
		k    int
		want float64
		ok   bool
	}{
		{[]float64{90, 60, 85, 80, 100}, 1, 85, true},
		{[]float64{1, 2, 3}, 1, 2, true},
		{[]float64{1, 2}, 1, 0, false},
		{[]float64{4, 6}, 0, 5, true},
		{[]float64{1, 2, 3}, -1, 0, false},
	}
	for _, tt := range tests {
		got, err := TrimmedMean(tt.x, tt.k)
		if (err == nil) != tt.ok || (tt.ok && !near(got, tt.want, 1e-12)) {
			t.Errorf("TrimmedMean(%v, %d): got %v, %v; want %v ok=%v", tt.x, tt.k, got, err, tt.want, tt.ok)
		}
	}
}

func TestZCalibrate(t *testing.T) {
	// Expert 2 is expert 1 shifted by +10 and doubled spread; after
	// calibration both columns coincide.
	r := [][]float64{{60, 130}, {70, 150}, {80, 170}}
	got := ZCalibrate(r)
	for i := range got {
		if !near(got[i][0], got[i][1], 1e-9) {
			t.Errorf("row %d: got %v, want equal columns", i, got[i])
		}
	}
	if got[0][0] >= got[1][0] || got[1][0] >= got[2][0] {
		t.Errorf("order not kept: %v", got)
	}
	// A constant expert maps to the pooled mean.
	c := ZCalibrate([][]float64{{5, 1}, {5, 3}})
	if pm := (5 + 5 + 1 + 3) / 4.0; c[0][0] != pm || c[1][0] != pm {
		t.Errorf("constant column: got %v, want %v", c, pm)
	}
}

func TestGroupAHP(t *testing.T) {
	a := [][]float64{{1, 2, 4}, {0.5, 1, 2}, {0.25, 0.5, 1}}
	b := [][]float64{{1, 8, 4}, {1.0 / 8, 1, 0.5}, {0.25, 2, 1}}
	m, err := AggregateJudgements([][][]float64{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !near(m[0][1], 4, 1e-12) || !near(m[1][0]*m[0][1], 1, 1e-12) {
		t.Errorf("AIJ: got %v, want m[0][1] = sqrt(2·8) = 4 and reciprocal", m)
	}
	r, err := GroupAHPAIJ([][][]float64{a, b}, []float64{0.5, 0.5}, nil)
	if err != nil || len(r.Weights) != 3 {
		t.Fatalf("AIJ AHP: %v, %v", r, err)
	}
	w, rs, err := GroupAHPAIP([][][]float64{a, a}, nil, nil)
	if err != nil || len(rs) != 2 {
		t.Fatal(err)
	}
	for i, want := range []float64{4.0 / 7, 2.0 / 7, 1.0 / 7} {
		if !near(w[i], want, 1e-12) {
			t.Errorf("AIP of identical experts: w[%d] = %v, want %v", i, w[i], want)
		}
	}
	bad := [][]float64{{1, 2}, {2, 1}}
	var ee *ExpertError
	if _, err := AggregateJudgements([][][]float64{a, bad}, nil); !errors.As(err, &ee) || ee.Expert != 1 {
		t.Errorf("bad expert matrix: got %v, want *ExpertError for expert 1", err)
	}
	if _, _, err := GroupAHPAIP([][][]float64{a, b}, []float64{1}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("wrong weight count: got %v", err)
	}
}

func TestCompose(t *testing.T) {
	g, err := Compose([]float64{0.6, 0.4}, [][]float64{{0.5, 0.5}, {0.25, 0.75}})
	if err != nil {
		t.Fatal(err)
	}
	if !near(g[0], 0.4, 1e-12) || !near(g[1], 0.6, 1e-12) {
		t.Errorf("got %v, want [0.4 0.6]", g)
	}
	if _, err := Compose([]float64{1}, [][]float64{{0.5, 0.5}, {1, 0}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("count mismatch: got %v", err)
	}
	cr, err := CompositeCR([]float64{0.5, 0.5}, []AHPResult{{Weights: make([]float64, 3), CI: 0.058}, {Weights: make([]float64, 3), CI: 0}}, Saaty1980)
	if err != nil || !near(cr, 0.05, 1e-12) {
		t.Errorf("CompositeCR: got %v, %v; want 0.05", cr, err)
	}
}

func TestFuzzyTreeAndGrading(t *testing.T) {
	r1 := []float64{0.5, 0.3, 0.2, 0}
	r2 := []float64{0.1, 0.4, 0.4, 0.1}
	tree := []FuzzyNode{
		{Weight: 0.6, Children: []FuzzyNode{{Weight: 0.5, Membership: r1}, {Weight: 0.5, Membership: r2}}},
		{Weight: 0.4, Membership: r2},
	}
	got, err := FuzzyEvaluateTree(tree, WeightedAverage, true)
	if err != nil {
		t.Fatal(err)
	}
	// Inner: (0.3, 0.35, 0.3, 0.05); top: 0.6·inner + 0.4·r2.
	want := []float64{0.22, 0.37, 0.34, 0.07}
	for j := range want {
		if !near(got[j], want[j], 1e-12) {
			t.Errorf("b[%d]: got %v, want %v", j, got[j], want[j])
		}
	}
	if g := MaxMembership(got); g != 1 {
		t.Errorf("MaxMembership: got %d, want 1", g)
	}
	if MaxMembership(nil) != -1 {
		t.Error("MaxMembership(nil) should be -1")
	}
	if s := FuzzyScore(got, []float64{95, 80, 65, 40}); !near(s, 0.22*95+0.37*80+0.34*65+0.07*40, 1e-9) {
		t.Errorf("FuzzyScore: got %v", s)
	}
	if s := FuzzyScore([]float64{0, 0}, []float64{1, 2}); !math.IsNaN(s) {
		t.Errorf("FuzzyScore of zero B: got %v, want NaN", s)
	}
	if _, err := FuzzyEvaluate([]float64{1}, [][]float64{{1.2}}, WeightedAverage, false); !errors.Is(err, ErrInvalid) {
		t.Errorf("membership > 1: got %v", err)
	}
	if _, err := ParseFuzzyOperator("M(+,+)"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad operator: got %v", err)
	}
	if op, err := ParseFuzzyOperator("M(^,v)"); err != nil || op != MinMax {
		t.Errorf("ASCII alias: got %v, %v", op, err)
	}
}

func TestAHPHierarchy(t *testing.T) {
	crit := [][]float64{{1, 3}, {1.0 / 3, 1}}
	alt := [][][]float64{
		{{1, 2, 4}, {0.5, 1, 2}, {0.25, 0.5, 1}},
		{{1, 0.5, 0.25}, {2, 1, 0.5}, {4, 2, 1}},
	}
	h, err := AHPHierarchy(crit, alt, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 0.75·(4,2,1)/7 + 0.25·(1,2,4)/7.
	want := []float64{(0.75*4 + 0.25) / 7, (0.75*2 + 0.5) / 7, (0.75 + 1) / 7}
	for i := range want {
		if !near(h.Global[i], want[i], 1e-12) {
			t.Errorf("global[%d]: got %v, want %v", i, h.Global[i], want[i])
		}
	}
	if !near(h.CR, 0, 1e-12) {
		t.Errorf("CR: got %v, want 0", h.CR)
	}
	bad := [][][]float64{alt[0], {{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}}}
	var ie *InconsistencyError
	if _, err := AHPHierarchy(crit, bad, &AHPOptions{MaxCR: 0.1}); !errors.As(err, &ie) {
		t.Errorf("inconsistent alternatives: got %v, want *InconsistencyError", err)
	}
	if _, err := AHPHierarchy(crit, alt[:1], nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("one matrix for two criteria: got %v", err)
	}
}
