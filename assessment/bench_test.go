package assessment

import (
	"math/rand/v2"
	"testing"
)

func randomMatrix(rows, cols int, seed uint64) ([][]float64, []float64, []Direction) {
	rng := rand.New(rand.NewPCG(seed, seed))
	m := make([][]float64, rows)
	for i := range m {
		m[i] = make([]float64, cols)
		for j := range m[i] {
			m[i][j] = 1 + 100*rng.Float64()
		}
	}
	w := make([]float64, cols)
	dirs := make([]Direction, cols)
	for j := range w {
		w[j] = rng.Float64()
		dirs[j] = Benefit
		if j%4 == 3 {
			dirs[j] = Cost
		}
	}
	return m, w, dirs
}

// BenchmarkTOPSIS: 10,000 entities × 30 indicators (target < 50 ms).
func BenchmarkTOPSIS(b *testing.B) {
	m, w, dirs := randomMatrix(10000, 30, 1)
	opts := &TOPSISOptions{Normalization: Vector, Directions: dirs}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := TOPSIS(m, w, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEntropyWeights(b *testing.B) {
	m, _, dirs := randomMatrix(10000, 30, 2)
	opts := &EntropyOptions{Normalization: MinMax, Directions: dirs}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EntropyWeights(m, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCRITICWeights(b *testing.B) {
	m, _, dirs := randomMatrix(10000, 30, 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CRITICWeights(m, dirs); err != nil {
			b.Fatal(err)
		}
	}
}
