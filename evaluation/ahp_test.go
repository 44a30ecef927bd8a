package evaluation

import (
	"errors"
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestAHPConsistentMatrix(t *testing.T) {
	// Built from weights 4:2:1, so every method must give them exactly.
	m := [][]float64{{1, 2, 4}, {0.5, 1, 2}, {0.25, 0.5, 1}}
	want := []float64{4.0 / 7, 2.0 / 7, 1.0 / 7}
	for _, meth := range []PriorityMethod{Eigenvector, GeometricMean, ArithmeticMean} {
		t.Run(meth.String(), func(t *testing.T) {
			r, err := AHP(m, &AHPOptions{Method: meth})
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if !near(r.Weights[i], want[i], 1e-12) {
					t.Errorf("w[%d]: got %v, want %v", i, r.Weights[i], want[i])
				}
			}
			if !near(r.LambdaMax, 3, 1e-12) || !near(r.CI, 0, 1e-12) || !near(r.CR, 0, 1e-12) {
				t.Errorf("got λ=%v CI=%v CR=%v, want 3, 0, 0", r.LambdaMax, r.CI, r.CR)
			}
		})
	}
}

func TestAHPThreeByThreeClosedForm(t *testing.T) {
	// For n = 3, λmax = 1 + c + 1/c with c = (a12·a23/a13)^(1/3), and the
	// eigenvector equals the geometric-mean vector (Crawford & Williams 1985).
	m := [][]float64{{1, 3, 5}, {1.0 / 3, 1, 2}, {1.0 / 5, 1.0 / 2, 1}}
	c := math.Cbrt(3 * 2 / 5.0)
	wantLambda := 1 + c + 1/c
	ev, err := AHP(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	gm, err := AHP(m, &AHPOptions{Method: GeometricMean})
	if err != nil {
		t.Fatal(err)
	}
	if !near(ev.LambdaMax, wantLambda, 1e-10) {
		t.Errorf("λmax: got %v, want %v", ev.LambdaMax, wantLambda)
	}
	for i := range ev.Weights {
		if !near(ev.Weights[i], gm.Weights[i], 1e-10) {
			t.Errorf("w[%d]: eigenvector %v, geometric %v", i, ev.Weights[i], gm.Weights[i])
		}
	}
	wantCR := (wantLambda - 3) / 2 / 0.58
	if !near(ev.CR, wantCR, 1e-10) {
		t.Errorf("CR: got %v, want %v", ev.CR, wantCR)
	}
}

func TestAHPErrors(t *testing.T) {
	tests := []struct {
		name string
		m    [][]float64
		opts *AHPOptions
		as   any
	}{
		{"empty", nil, nil, new(*MatrixError)},
		{"not square", [][]float64{{1, 2}, {0.5}}, nil, new(*MatrixError)},
		{"zero", [][]float64{{1, 0}, {0, 1}}, nil, new(*MatrixError)},
		{"negative", [][]float64{{1, -2}, {-0.5, 1}}, nil, new(*MatrixError)},
		{"NaN", [][]float64{{1, math.NaN()}, {1, 1}}, nil, new(*MatrixError)},
		{"diagonal", [][]float64{{2, 1}, {1, 1}}, nil, new(*MatrixError)},
		{"not reciprocal", [][]float64{{1, 3}, {0.5, 1}}, nil, new(*MatrixError)},
		{"unknown table", [][]float64{{1}}, &AHPOptions{RI: "nope"}, new(*RandomIndexError)},
		{"unknown method", [][]float64{{1}}, &AHPOptions{Method: 9}, new(*FieldError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AHP(tt.m, tt.opts)
			if err == nil {
				t.Fatal("got nil error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want it to unwrap to ErrInvalid", err)
			}
			switch want := tt.as.(type) {
			case **MatrixError:
				if !errors.As(err, want) {
					t.Errorf("got %T, want *MatrixError", err)
				}
			case **RandomIndexError:
				if !errors.As(err, want) {
					t.Errorf("got %T, want *RandomIndexError", err)
				}
			case **FieldError:
				if !errors.As(err, want) {
					t.Errorf("got %T, want *FieldError", err)
				}
			}
		})
	}
}

func TestAHPMaxCR(t *testing.T) {
	// A deliberately inconsistent matrix: 1>2 (9), 2>3 (9), but 3>1 (9).
	m := [][]float64{{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}}
	r, err := AHP(m, &AHPOptions{MaxCR: 0.1})
	var ie *InconsistencyError
	if !errors.As(err, &ie) || !errors.Is(err, ErrInconsistent) {
		t.Fatalf("got %v, want *InconsistencyError", err)
	}
	if len(r.Weights) != 3 || r.CR <= 0.1 || ie.CR != r.CR {
		t.Errorf("result not filled: %+v, err CR %v", r, ie.CR)
	}
}

func TestAHPSaaty1980Beyond11(t *testing.T) {
	n := 12
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		for j := range m[i] {
			m[i][j] = 1
		}
	}
	r, err := AHP(m, nil)
	var re *RandomIndexError
	if !errors.As(err, &re) || re.N != 12 {
		t.Fatalf("got %v, want *RandomIndexError for n=12", err)
	}
	if !math.IsNaN(r.CR) || len(r.Weights) != 12 {
		t.Errorf("got %+v, want weights and CR NaN", r)
	}
	if r, err = AHP(m, &AHPOptions{RI: Saaty2005}); err != nil || r.CR != 0 {
		t.Errorf("saaty2005 n=12: got %+v, %v", r, err)
	}
}

func TestRandomIndex(t *testing.T) {
	tests := []struct {
		table RandomIndexTable
		n     int
		want  float64
		ok    bool
	}{
		{"", 3, 0.58, true},
		{Saaty1980, 1, 0, true},
		{Saaty1980, 2, 0, true},
		{Saaty1980, 11, 1.51, true},
		{Saaty1980, 12, 0, false},
		{Saaty1980, 0, 0, false},
		{Saaty2005, 15, 1.59, true},
		{Saaty2005, 16, 0, false},
		{DoneganDodd, 16, 1.5078, true},
		{DoneganDodd, 22, 1.5371 + 2.0/5*(1.5619-1.5371), true},
		{DoneganDodd, 50, 1.6102, true},
		{DoneganDodd, 51, 0, false},
		{TummalaLing, 9, 1.4537, true},
		{AlonsoLamata, 15, 1.5838, true},
		{AlonsoLamata, 16, (1.7699*16 - 4.3513) / 15, true},
		{AlonsoLamata, 100, (1.7699*100 - 4.3513) / 99, true},
		{GongXu, 6, 1.26, true},
		{"bogus", 3, 0, false},
	}
	for _, tt := range tests {
		got, err := RandomIndex(tt.table, tt.n)
		if (err == nil) != tt.ok {
			t.Errorf("RandomIndex(%q, %d): err %v, want ok=%v", tt.table, tt.n, err, tt.ok)
			continue
		}
		if !near(got, tt.want, 1e-12) {
			t.Errorf("RandomIndex(%q, %d): got %v, want %v", tt.table, tt.n, got, tt.want)
		}
	}
}

func TestPrincipalEigenFallbackAgrees(t *testing.T) {
	m := [][]float64{
		{1, 2, 5, 9}, {0.5, 1, 1.0 / 3, 7}, {0.2, 3, 1, 1.0 / 4}, {1.0 / 9, 1.0 / 7, 4, 1},
	}
	w1, l1 := principalEigen(m)
	w2, l2 := eigenFallback(m)
	if !near(l1, l2, 1e-9) {
		t.Errorf("λ: power %v, eigen %v", l1, l2)
	}
	for i := range w1 {
		if !near(w1[i], w2[i], 1e-9) {
			t.Errorf("w[%d]: power %v, eigen %v", i, w1[i], w2[i])
		}
	}
}
