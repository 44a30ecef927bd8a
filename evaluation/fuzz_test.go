package evaluation

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomPairwise builds an n×n reciprocal matrix with judgements on
// Saaty's scale (1/9 … 9) from a seeded source.
func randomPairwise(n int, rng *rand.Rand) [][]float64 {
	scale := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		m[i][i] = 1
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := scale[rng.IntN(len(scale))]
			if rng.IntN(2) == 0 {
				v = 1 / v
			}
			m[i][j], m[j][i] = v, 1/v
		}
	}
	return m
}

// FuzzAHP checks the invariants of AHP on random reciprocal matrices:
// weights positive and summing to 1, λmax ≥ n (Saaty), CI ≥ 0, and the
// eigenvector method agreeing with a full eigendecomposition.
func FuzzAHP(f *testing.F) {
	f.Add(uint64(1), uint8(3))
	f.Add(uint64(7), uint8(9))
	f.Add(uint64(42), uint8(15))
	f.Fuzz(func(t *testing.T, seed uint64, size uint8) {
		n := 1 + int(size)%15
		rng := rand.New(rand.NewPCG(seed, seed))
		m := randomPairwise(n, rng)
		for _, meth := range []PriorityMethod{Eigenvector, GeometricMean, ArithmeticMean} {
			r, err := AHP(m, &AHPOptions{Method: meth, RI: Saaty2005})
			if err != nil {
				t.Fatal(err)
			}
			sum := 0.0
			for _, w := range r.Weights {
				if !(w > 0) {
					t.Fatalf("%v: non-positive weight in %v", meth, r.Weights)
				}
				sum += w
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("%v: weights sum to %v", meth, sum)
			}
			if r.LambdaMax < float64(n)-1e-9 || r.CI < -1e-9 {
				t.Fatalf("%v: λmax %v < n = %d or CI %v < 0", meth, r.LambdaMax, n, r.CI)
			}
			if meth == Eigenvector && n > 1 {
				w, l := eigenFallback(m)
				if math.Abs(l-r.LambdaMax) > 1e-8 {
					t.Fatalf("λmax: power %v, eigen %v", r.LambdaMax, l)
				}
				for i := range w {
					if math.Abs(w[i]-r.Weights[i]) > 1e-8 {
						t.Fatalf("w[%d]: power %v, eigen %v", i, r.Weights[i], w[i])
					}
				}
			}
		}
	})
}

// FuzzTemplateWeights checks that valid sibling weights give leaves whose
// global weights sum to 1, and that a template score stays within 0–100.
func FuzzTemplateWeights(f *testing.F) {
	f.Add(0.2, 0.3, 0.5, 0.4, 0.6, 50.0)
	f.Add(1.0, 0.0, 0.0, 1.0, 0.0, 100.0)
	f.Fuzz(func(t *testing.T, a, b, c, d, e, s float64) {
		for _, x := range []float64{a, b, c, d, e, s} {
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 || x > 1e6 {
				return
			}
		}
		top, err := NormalizeWeights([]float64{a, b, c})
		if err != nil {
			return
		}
		sub, err := NormalizeWeights([]float64{d, e})
		if err != nil {
			return
		}
		tm := Template{Criteria: []Criterion{
			{ID: "g", Weight: top[0], Children: []Criterion{{ID: "g1", Weight: sub[0]}, {ID: "g2", Weight: sub[1]}}},
			{ID: "b", Weight: top[1]},
			{ID: "c", Weight: top[2]},
		}, PassScore: 60}
		if err := tm.Validate(); err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, l := range tm.Leaves() {
			sum += l.GlobalWeight
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Fatalf("global weights sum to %v", sum)
		}
		score := math.Mod(s, 100)
		got, err := tm.Score(map[string]float64{"g1": score, "g2": score, "b": score, "c": score})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-score) > 1e-9*math.Max(1, score) {
			t.Fatalf("equal scores %v gave total %v", score, got)
		}
	})
}

// FuzzKendallW checks 0 ≤ W ≤ 1 and 0 ≤ p ≤ 1 on random ratings with ties.
func FuzzKendallW(f *testing.F) {
	f.Add(uint64(3), uint8(5), uint8(3), true)
	f.Add(uint64(9), uint8(2), uint8(7), false)
	f.Fuzz(func(t *testing.T, seed uint64, nn, mm uint8, tc bool) {
		n, m := 2+int(nn)%10, 2+int(mm)%8
		rng := rand.New(rand.NewPCG(seed, seed))
		r := make([][]float64, n)
		for i := range r {
			r[i] = make([]float64, m)
			for j := range r[i] {
				r[i][j] = float64(rng.IntN(5))
			}
		}
		k, err := KendallW(r, tc)
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(k.W) {
			return
		}
		if k.W < -1e-12 || k.W > 1+1e-12 || k.P < 0 || k.P > 1 {
			t.Fatalf("W %v p %v out of range for %v", k.W, k.P, r)
		}
	})
}
