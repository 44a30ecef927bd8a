package assessment

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/kexie/techbroker/evaluation"
	"github.com/shopspring/decimal"
)

var approx = cmpopts.EquateApprox(0, 1e-12)

func TestNormalize(t *testing.T) {
	m := [][]float64{{1, 10}, {2, 20}, {4, 40}}
	tests := []struct {
		name   string
		method Normalization
		opts   *NormalizeOptions
		want   [][]float64
	}{
		{"none", None, nil, [][]float64{{1, 10}, {2, 20}, {4, 40}}},
		{"minmax benefit/cost", MinMax, &NormalizeOptions{Directions: []Direction{Benefit, Cost}},
			[][]float64{{0, 1}, {1.0 / 3, 2.0 / 3}, {1, 0}}},
		{"sum", Sum, nil, [][]float64{{1.0 / 7, 10.0 / 70}, {2.0 / 7, 20.0 / 70}, {4.0 / 7, 40.0 / 70}}},
		{"vector", Vector, nil, [][]float64{{1 / math.Sqrt(21), 10 / math.Sqrt(2100)}, {2 / math.Sqrt(21), 20 / math.Sqrt(2100)}, {4 / math.Sqrt(21), 40 / math.Sqrt(2100)}}},
		{"target capped", Target, &NormalizeOptions{Directions: []Direction{Benefit, Cost}, Targets: []float64{2, 20}, Cap: 1},
			[][]float64{{0.5, 1}, {1, 1}, {1, 0.5}}},
		{"target uncapped", Target, &NormalizeOptions{Directions: []Direction{Benefit, Cost}, Targets: []float64{2, 20}},
			[][]float64{{0.5, 2}, {1, 1}, {2, 0.5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(m, tt.method, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, approx); d != "" {
				t.Errorf("Normalize(%s) mismatch (-want +got):\n%s", tt.method, d)
			}
		})
	}
}

func TestNormalizeZScore(t *testing.T) {
	got, err := Normalize([][]float64{{1, 1}, {3, 3}, {5, 5}, {2, 7}}, ZScore, &NormalizeOptions{Directions: []Direction{Benefit, Cost}})
	if err != nil {
		t.Fatal(err)
	}
	for j := range 2 {
		var s, ss float64
		for i := range got {
			s += got[i][j]
			ss += got[i][j] * got[i][j]
		}
		if math.Abs(s) > 1e-12 || math.Abs(ss/4-1) > 1e-12 {
			t.Errorf("column %d: got mean %g, variance %g, want 0 and 1", j, s/4, ss/4)
		}
	}
	if !(got[3][1] < got[0][1]) {
		t.Errorf("cost column: got %g for 7 and %g for 1, want the larger cost lower", got[3][1], got[0][1])
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		name   string
		m      [][]float64
		method Normalization
		opts   *NormalizeOptions
		want   error
	}{
		{"NaN", [][]float64{{math.NaN()}}, MinMax, nil, ErrInvalid},
		{"negative sum", [][]float64{{-1}, {2}}, Sum, nil, ErrInvalid},
		{"zero sum", [][]float64{{0}, {0}}, Sum, nil, ErrUndefined},
		{"zero norm", [][]float64{{0}, {0}}, Vector, nil, ErrUndefined},
		{"zero target", [][]float64{{1}}, Target, &NormalizeOptions{Targets: []float64{0}}, ErrInvalid},
		{"zero cost value", [][]float64{{0}}, Target, &NormalizeOptions{Targets: []float64{1}, Directions: []Direction{Cost}}, ErrInvalid},
		{"bad direction", [][]float64{{1}}, MinMax, &NormalizeOptions{Directions: []Direction{0}}, ErrInvalid},
		{"unknown", [][]float64{{1}}, "rank", nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Normalize(tt.m, tt.method, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestBaseIndex(t *testing.T) {
	got, err := BaseIndex([]float64{50, 100, 125}, 1, Benefit)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]float64{50, 100, 125}, got, approx); d != "" {
		t.Errorf("benefit (-want +got):\n%s", d)
	}
	got, err = BaseIndex([]float64{50, 100, 125}, 0, Cost)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]float64{100, 50, 40}, got, approx); d != "" {
		t.Errorf("cost (-want +got):\n%s", d)
	}
	if _, err := BaseIndex([]float64{0, 1}, 0, Benefit); !errors.Is(err, ErrUndefined) {
		t.Errorf("zero base: got %v, want ErrUndefined", err)
	}
}

func TestFixedWeights(t *testing.T) {
	got, err := FixedWeights([]float64{10, 30, 30, 20, 10})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]float64{0.1, 0.3, 0.3, 0.2, 0.1}, got, approx); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range [][]float64{{0, 0}, {1, -1}, {math.NaN()}} {
		if _, err := FixedWeights(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("FixedWeights(%v): got %v, want ErrInvalid", bad, err)
		}
	}
}

func TestAHPWeights(t *testing.T) {
	// Consistent matrix from weights 0.5, 0.3, 0.2: a_ij = w_i/w_j.
	w := []float64{0.5, 0.3, 0.2}
	m := make([][]float64, 3)
	for i := range m {
		m[i] = make([]float64, 3)
		for j := range m[i] {
			m[i][j] = w[i] / w[j]
		}
	}
	got, res, err := AHPWeights(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(w, got, cmpopts.EquateApprox(0, 1e-9)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if math.Abs(res.CR) > 1e-9 {
		t.Errorf("got CR %g, want 0 for a consistent matrix", res.CR)
	}
	if _, _, err := AHPWeights([][]float64{{1, 2}, {2, 1}}, nil); !errors.Is(err, evaluation.ErrInvalid) {
		t.Errorf("non-reciprocal: got %v, want evaluation.ErrInvalid", err)
	}
}

func TestEntropyWeightsErrors(t *testing.T) {
	if _, err := EntropyWeights([][]float64{{1, 2}}, nil); !errors.Is(err, ErrUndefined) {
		t.Errorf("one row: got %v, want ErrUndefined", err)
	}
	if _, err := EntropyWeights([][]float64{{1, 2}, {1, 2}}, nil); !errors.Is(err, ErrUndefined) {
		t.Errorf("constant: got %v, want ErrUndefined", err)
	}
	if _, err := EntropyWeights([][]float64{{-1, 2}, {1, 2}}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative: got %v, want ErrInvalid", err)
	}
	if _, err := EntropyWeights([][]float64{{1}, {2}}, &EntropyOptions{Normalization: ZScore}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zscore: got %v, want ErrInvalid", err)
	}
}

func TestCRITICWeights(t *testing.T) {
	// Expected weights recomputed independently in plain Python
	// (min-max by direction, sample sd, Pearson r).
	m := [][]float64{{3, 7, 1}, {5, 4, 2}, {9, 8, 2}, {4, 1, 5}}
	got, err := CRITICWeights(m, []Direction{Benefit, Benefit, Cost})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.45134729433538623, 0.2201720387731573, 0.32848066689145644}
	if d := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	got, err = CRITICWeights([][]float64{{1, 5, 3}, {2, 5, 2}, {3, 5, 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Column 2 is constant (weight 0); columns 1 and 3 are mirror images
	// (r = −1), so they share the weight equally.
	if d := cmp.Diff([]float64{0.5, 0, 0.5}, got, approx); d != "" {
		t.Errorf("constant column (-want +got):\n%s", d)
	}
}

func TestWeightedAggregates(t *testing.T) {
	m := [][]float64{{1, 4}, {0, 9}, {2, 2}}
	w := []float64{0.5, 0.5}
	if d := cmp.Diff([]float64{2.5, 4.5, 2}, WeightedSum(m, w), approx); d != "" {
		t.Errorf("WeightedSum (-want +got):\n%s", d)
	}
	got, err := WeightedProduct(m, w)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]float64{2, 0, 2}, got, approx); d != "" {
		t.Errorf("WeightedProduct (-want +got):\n%s", d)
	}
	if _, err := WeightedProduct([][]float64{{-1}}, []float64{1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative: got %v, want ErrInvalid", err)
	}
}

func TestRank(t *testing.T) {
	scores := []float64{70, 90, 70, 50, 90 + 1e-12}
	tests := []struct {
		name string
		opts *RankOptions
		want []int
	}{
		{"competition", nil, []int{3, 1, 3, 5, 1}},
		{"dense", &RankOptions{Ties: Dense}, []int{2, 1, 2, 3, 1}},
		{"ascending", &RankOptions{Ascending: true}, []int{2, 4, 2, 1, 4}},
		{"exact", &RankOptions{Tol: -1}, []int{3, 2, 3, 5, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Rank(scores, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := Rank([]float64{1, math.NaN()}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("NaN: got %v, want ErrInvalid", err)
	}
}

func TestGrades(t *testing.T) {
	labels := []string{"A", "B", "C", "D"}
	got, err := GradeByThresholds([]float64{92, 85, 84.9, 60, 12}, labels, []float64{85, 70, 60})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A", "A", "B", "C", "D"}; !slices.Equal(got, want) {
		t.Errorf("thresholds: got %v, want %v", got, want)
	}
	if _, err := GradeByThresholds(nil, labels, []float64{60, 70, 85}); !errors.Is(err, ErrInvalid) {
		t.Errorf("increasing thresholds: got %v, want ErrInvalid", err)
	}
	// 10 entities, shares 20/30/30 → ranks 1–2 A, 3–5 B, 6–8 C, 9–10 D;
	// the tie at ranks 2/3 lifts both to A.
	scores := []float64{100, 95, 95, 80, 70, 60, 50, 40, 30, 20}
	got, err = GradeByQuantiles(scores, labels, []float64{0.2, 0.3, 0.3})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A", "A", "A", "B", "B", "C", "C", "C", "D", "D"}; !slices.Equal(got, want) {
		t.Errorf("quantiles: got %v, want %v", got, want)
	}
	if _, err := GradeByQuantiles(scores, labels, []float64{0.5, 0.5, 0.5}); !errors.Is(err, ErrInvalid) {
		t.Errorf("shares > 1: got %v, want ErrInvalid", err)
	}
}

// TestArticleFigures checks the shares printed on the article's page.
func TestArticleFigures(t *testing.T) {
	tests := []struct {
		name        string
		part, total string
		want        string
	}{
		{"electromechanical exports of exports (亿元)", "3297.6", "4823.5", "68.4"},
		{"private firms of total trade (亿元)", "3847.2", "7386.1", "52.1"},
		{"complaints resolved", "428", "441", "97.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SharePercent(decimal.RequireFromString(tt.part), decimal.RequireFromString(tt.total), 1)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("SharePercent(%s, %s): got %s%%, want %s%%", tt.part, tt.total, got, tt.want)
			}
			f, _ := Share(decimal.RequireFromString(tt.part).InexactFloat64(), decimal.RequireFromString(tt.total).InexactFloat64())
			if math.Abs(100*f-decimal.RequireFromString(tt.want).InexactFloat64()) > 0.05 {
				t.Errorf("Share: got %.4f, want about %s%%", 100*f, tt.want)
			}
		})
	}
	// Exports 4823.5 and imports 2562.6 make the total 7386.1.
	if sum := decimal.RequireFromString("4823.5").Add(decimal.RequireFromString("2562.6")); sum.String() != "7386.1" {
		t.Errorf("exports + imports: got %s, want 7386.1", sum)
	}
	if _, err := SharePercent(decimal.NewFromInt(1), decimal.Zero, 1); !errors.Is(err, ErrUndefined) {
		t.Errorf("zero total: got %v, want ErrUndefined", err)
	}
}

func TestGrowth(t *testing.T) {
	g, err := GrowthPercent(decimal.RequireFromString("313.1"), decimal.RequireFromString("340.0"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if g.String() != "8.6" {
		t.Errorf("GrowthPercent(313.1, 340.0): got %s, want 8.6", g)
	}
	if got, _ := Growth(-10, -5); got != 0.5 {
		t.Errorf("Growth(-10, -5): got %g, want 0.5", got)
	}
	if _, err := Growth(0, 1); !errors.Is(err, ErrUndefined) {
		t.Errorf("Growth(0, 1): got %v, want ErrUndefined", err)
	}
	gs := GrowthSeries([]float64{100, 110, 0, 5})
	if !math.IsNaN(gs[0]) || math.Abs(gs[1]-0.1) > 1e-12 || gs[2] != -1 || !math.IsNaN(gs[3]) {
		t.Errorf("GrowthSeries: got %v, want [NaN 0.1 -1 NaN]", gs)
	}
}

func TestContributions(t *testing.T) {
	w := []float64{0.5, 0.3, 0.2}
	prev := []float64{0.6, 0.5, 0.9}
	cur := []float64{0.8, 0.4, 0.9}
	delta, c := ArithmeticContributions(w, prev, cur)
	if d := cmp.Diff([]float64{0.1, -0.03, 0}, c, cmpopts.EquateApprox(0, 1e-12)); d != "" {
		t.Errorf("arithmetic (-want +got):\n%s", d)
	}
	if want := WeightedSum([][]float64{cur}, w)[0] - WeightedSum([][]float64{prev}, w)[0]; math.Abs(delta-want) > 1e-12 {
		t.Errorf("arithmetic delta: got %g, want %g", delta, want)
	}
	delta, c, err := GeometricContributions(w, prev, cur)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := WeightedProduct([][]float64{prev}, w)
	sc, _ := WeightedProduct([][]float64{cur}, w)
	if math.Abs(delta-(sc[0]-sp[0])) > 1e-12 {
		t.Errorf("geometric delta: got %g, want %g", delta, sc[0]-sp[0])
	}
	var s float64
	for _, x := range c {
		s += x
	}
	if math.Abs(s-delta) > 1e-12 || c[2] != 0 || !(c[0] > 0) || !(c[1] < 0) {
		t.Errorf("geometric contributions %v: sum %g, want %g with signs +, −, 0", c, s, delta)
	}
}

func TestComputeIndex(t *testing.T) {
	inds := []Indicator{
		{ID: "rd", NameEN: "R&D spending", Direction: Benefit},
		{ID: "patents", NameEN: "Patents", Direction: Benefit},
		{ID: "energy", NameEN: "Energy per output", Direction: Cost},
	}
	periods := []string{"2020", "2021", "2022"}
	series := [][]float64{{10, 100, 2}, {12, 110, 2}, {15, 121, 1.6}}
	w := []float64{0.5, 0.3, 0.2}
	for _, method := range []IndexMethod{FixedBase, Chained} {
		t.Run(string(method), func(t *testing.T) {
			res, err := ComputeIndex(periods, series, IndexSpec{Indicators: inds, Weights: w, Base: 0, Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if res.Values[0] != 100 {
				t.Errorf("base: got %g, want 100", res.Values[0])
			}
			// 2021: 0.5·1.2 + 0.3·1.1 + 0.2·1 = 1.13 either way.
			if math.Abs(res.Values[1]-113) > 1e-9 {
				t.Errorf("2021: got %g, want 113", res.Values[1])
			}
			var want2022 float64
			if method == FixedBase { // 0.5·150 + 0.3·121 + 0.2·125
				want2022 = 75 + 36.3 + 25
			} else { // 113·(0.5·1.25 + 0.3·1.1 + 0.2·1.25)
				want2022 = 113 * (0.625 + 0.33 + 0.25)
			}
			if math.Abs(res.Values[2]-want2022) > 1e-9 {
				t.Errorf("2022: got %g, want %g", res.Values[2], want2022)
			}
			for y := 1; y < 3; y++ {
				var s float64
				for _, c := range res.Contributions[y] {
					s += c
				}
				if math.Abs(s-(res.Values[y]-res.Values[y-1])) > 1e-9 {
					t.Errorf("%s: contributions sum to %g, want %g", periods[y], s, res.Values[y]-res.Values[y-1])
				}
			}
			if math.Abs(res.Growth[1]-0.13) > 1e-12 || !math.IsNaN(res.Growth[0]) {
				t.Errorf("growth: got %v", res.Growth)
			}
		})
	}
	// Base in the middle: chained backwards.
	res, err := ComputeIndex(periods, series, IndexSpec{Indicators: inds, Weights: w, Base: 1, Method: Chained})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Values[0]-100/1.13) > 1e-9 || res.Values[1] != 100 {
		t.Errorf("base 2021: got %v, want [%g 100 …]", res.Values, 100/1.13)
	}
	if _, err := ComputeIndex(periods, [][]float64{{0, 1, 1}, {1, 1, 1}, {1, 1, 1}}, IndexSpec{Indicators: inds, Weights: w}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero value: got %v, want ErrInvalid", err)
	}
}

// TestYangpuLikeIndex reproduces the shape of the article's figure (340.0
// for 2022, +8.6 %) with a synthetic single-indicator series; the real
// indicator data of the Yangpu index is not public in the article.
func TestYangpuLikeIndex(t *testing.T) {
	inds := []Indicator{{ID: "x", Direction: Benefit}}
	res, err := ComputeIndex([]string{"2014", "2021", "2022"}, [][]float64{{50}, {156.55}, {170}},
		IndexSpec{Indicators: inds, Weights: []float64{1}, Base: 0, Method: Chained})
	if err != nil {
		t.Fatal(err)
	}
	if got := decimal.NewFromFloat(res.Values[2]).Round(1).StringFixed(1); got != "340.0" {
		t.Errorf("2022 index: got %s, want 340.0", got)
	}
	if got := decimal.NewFromFloat(100 * res.Growth[2]).Round(1).StringFixed(1); got != "8.6" {
		t.Errorf("2022 growth: got %s%%, want 8.6%%", got)
	}
}

func TestDatasetMissing(t *testing.T) {
	inds := []Indicator{{ID: "a", Direction: Benefit}, {ID: "b", Direction: Cost}}
	ents := []Entity{{ID: "x", Group: "g1"}, {ID: "y", Group: "g1"}, {ID: "z", Group: "g2"}, {ID: "w", Group: "g2"}}
	d, err := NewDataset(inds, ents, []string{"2024"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Set("2024", "x", "a", 1))
	must(d.Set("2024", "x", "b", 2))
	must(d.Set("2024", "y", "a", 3))
	// y.b missing; its group mean is x.b = 2.
	must(d.Set("2024", "z", "a", 5))
	must(d.Set("2024", "z", "b", 0)) // a real zero, not a gap
	must(d.Set("2024", "w", "a", 7))
	must(d.Set("2024", "w", "b", 4))

	_, err = d.Matrix("2024", MissingError)
	var me *MissingValueError
	if !errors.As(err, &me) || me.Entity != "y" || me.Indicator != "b" || !errors.Is(err, ErrMissing) {
		t.Errorf("error policy: got %v, want missing y/b", err)
	}
	m, err := d.Matrix("2024", MissingSkip)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Skipped, []string{"y"}) || len(m.Values) != 3 || m.Values[1][1] != 0 {
		t.Errorf("skip policy: got skipped %v, values %v", m.Skipped, m.Values)
	}
	m, err = d.Matrix("2024", MissingImputeGroupMean)
	if err != nil {
		t.Fatal(err)
	}
	if m.Values[1][1] != 2 || !m.Imputed[1][1] || m.Imputed[0][1] {
		t.Errorf("impute policy: got %v imputed %v, want y.b = 2 (imputed)", m.Values, m.Imputed)
	}
	if err := d.Set("2024", "x", "a", math.Inf(1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("Set(Inf): got %v, want ErrInvalid", err)
	}
	if err := d.Set("2025", "x", "a", 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("Set(unknown period): got %v, want ErrInvalid", err)
	}
	if _, err := NewDataset([]Indicator{{ID: "a"}, {ID: "a", Direction: Benefit}}, nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("NewDataset: got %v, want ErrInvalid", err)
	} else if ve := (*ValidationError)(nil); !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Errorf("NewDataset: got %v, want 2 problems (direction, duplicate)", err)
	}
}

func TestDatasetSeriesIndex(t *testing.T) {
	inds := []Indicator{{ID: "rd", Direction: Benefit}, {ID: "energy", Direction: Cost}}
	ents := []Entity{{ID: "yangpu", Group: "sh"}, {ID: "xuhui", Group: "sh"}}
	periods := []string{"2020", "2021", "2022"}
	d, err := NewDataset(inds, ents, periods)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string][3][2]float64{
		"yangpu": {{10, 2}, {12, 2}, {15, 1.6}},
		"xuhui":  {{20, 3}, {22, 3}, {25, 2}},
	}
	for e, rows := range vals {
		for p, row := range rows {
			if e == "yangpu" && p == 1 {
				continue // a gap in 2021's R&D figure
			}
			for j, ind := range inds {
				if err := d.Set(periods[p], e, ind.ID, row[j]); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, _, _, err := d.Series("yangpu", MissingError); !errors.Is(err, ErrMissing) {
		t.Fatalf("error policy: got %v, want ErrMissing", err)
	}
	per, series, skipped, err := d.Series("yangpu", MissingSkip)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(per, []string{"2020", "2022"}) || !slices.Equal(skipped, []string{"2021"}) {
		t.Errorf("skip policy: got periods %v, skipped %v", per, skipped)
	}
	res, err := ComputeIndex(per, series, IndexSpec{Indicators: inds, Weights: []float64{0.5, 0.5}, Method: FixedBase})
	if err != nil {
		t.Fatal(err)
	}
	// 0.5·150 + 0.5·125 = 137.5
	if math.Abs(res.Values[1]-137.5) > 1e-9 {
		t.Errorf("index 2022: got %g, want 137.5", res.Values[1])
	}
	// Imputing with the peer group's mean uses xuhui's 2021 values (22, 3).
	_, series, _, err = d.Series("yangpu", MissingImputeGroupMean)
	if err != nil {
		t.Fatal(err)
	}
	if series[1][0] != 22 || series[1][1] != 3 {
		t.Errorf("impute policy: got %v for 2021, want [22 3]", series[1])
	}
}
