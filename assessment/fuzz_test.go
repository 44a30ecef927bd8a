package assessment

import (
	"encoding/binary"
	"math"
	"testing"
)

// matrixFromBytes builds a small non-negative matrix from fuzz input.
func matrixFromBytes(b []byte, rows, cols int) [][]float64 {
	m := make([][]float64, rows)
	for i := range m {
		m[i] = make([]float64, cols)
		for j := range m[i] {
			k := 2 * (i*cols + j)
			if k+2 <= len(b) {
				m[i][j] = float64(binary.LittleEndian.Uint16(b[k:]))
			}
		}
	}
	return m
}

func FuzzWeightsSumToOne(f *testing.F) {
	f.Add([]byte{1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0}, uint8(3), uint8(2))
	f.Add([]byte{0, 0, 0, 0, 9, 9}, uint8(2), uint8(3))
	f.Fuzz(func(t *testing.T, b []byte, r, c uint8) {
		rows, cols := int(r%6)+2, int(c%5)+1
		m := matrixFromBytes(b, rows, cols)
		check := func(name string, w []float64, err error) {
			if err != nil {
				return // undefined for constant data; must not panic
			}
			var s float64
			for _, x := range w {
				if x < 0 || math.IsNaN(x) {
					t.Fatalf("%s: weight %g in %v for %v", name, x, w, m)
				}
				s += x
			}
			if math.Abs(s-1) > 1e-9 {
				t.Fatalf("%s: weights %v sum to %g for %v", name, w, s, m)
			}
		}
		w, err := EntropyWeights(m, nil)
		check("entropy/sum", w, err)
		w, err = EntropyWeights(m, &EntropyOptions{Normalization: MinMax})
		check("entropy/minmax", w, err)
		w, err = CRITICWeights(m, nil)
		check("critic", w, err)
		res, err := TOPSIS(m, make([]float64, cols), &TOPSISOptions{Normalization: MinMax})
		if err == nil {
			for _, c := range res.Closeness {
				if c < 0 || c > 1 || math.IsNaN(c) {
					t.Fatalf("closeness %g outside [0,1]", c)
				}
			}
		}
	})
}

func FuzzMinMaxIdempotent(f *testing.F) {
	f.Add([]byte{1, 0, 200, 0, 3, 7}, uint8(3))
	f.Fuzz(func(t *testing.T, b []byte, r uint8) {
		rows := int(r%8) + 1
		m := matrixFromBytes(b, rows, 2)
		dirs := []Direction{Benefit, Cost}
		once, err := Normalize(m, MinMax, &NormalizeOptions{Directions: dirs})
		if err != nil {
			t.Fatal(err)
		}
		twice, err := Normalize(once, MinMax, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range once {
			for j := range once[i] {
				if math.Abs(once[i][j]-twice[i][j]) > 1e-12 || once[i][j] < 0 || once[i][j] > 1 {
					t.Fatalf("cell %d,%d: once %g, twice %g", i, j, once[i][j], twice[i][j])
				}
			}
		}
	})
}
