package routerselect

import (
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

// csTiny is a small three-label problem, not separable (the third point
// of label 0 lies among label 1's points), in LIBLINEAR's format:
//
//	1 1:1.0 2:0.2
//	1 1:0.8 2:-0.1
//	1 1:-0.3 2:0.5
//	2 1:-0.5 2:1.0
//	2 1:-0.2 2:0.7
//	3 1:-0.6 2:-0.8
//	3 1:0.1 2:-1.0
func csTiny() ([]sparseVec, []int) {
	pts := [][3]float64{{0, 1, 0.2}, {0, 0.8, -0.1}, {0, -0.3, 0.5}, {1, -0.5, 1}, {1, -0.2, 0.7}, {2, -0.6, -0.8}, {2, 0.1, -1}}
	var xs []sparseVec
	var y []int
	for _, p := range pts {
		xs = append(xs, sparseVec{idx: []int32{0, 1}, val: []float64{p[1], p[2]}})
		y = append(y, int(p[0]))
	}
	return xs, y
}

// TestSVMCrammerSingerLIBLINEAR compares the solver's weights with
// LIBLINEAR 2.3.0's (Debian package liblinear-tools), from
//
//	liblinear-train -s 4 -c C -B 1 -e 1e-9 tiny.txt
//
// on csTiny. The primal optimum is unique, so both solvers must reach it.
func TestSVMCrammerSingerLIBLINEAR(t *testing.T) {
	tests := []struct {
		c    float64
		want []float64 // rows: feature 1, feature 2, bias; columns: labels
	}{
		{1, []float64{
			0.85198267029002328, -0.31846588032741846, -0.53351678996260554,
			0.22696862498343559, 0.53237759322532574, -0.75934621820876114,
			-0.087200619966367285, 0.02216613670081298, 0.065034483265553986,
		}},
		{10, []float64{
			0.57550343081765554, 0.25161968108878635, -0.82712311190644139,
			-0.35951673492289554, 1.8503239362177586, -1.4908072012948608,
			0.36970406550538359, -0.74838031891121137, 0.37867625340582839,
		}},
	}
	xs, y := csTiny()
	for _, tt := range tests {
		w := make([]float64, 3*3)
		cost := []float64{tt.c, tt.c, tt.c}
		passes := svmCrammerSinger(xs, y, 3, cost, rand.New(rand.NewPCG(1, 2)), w, 1e-9, 100000)
		if passes == 100000 {
			t.Errorf("C = %v: no convergence", tt.c)
		}
		for k := range w {
			if math.Abs(w[k]-tt.want[k]) > 1e-6 {
				t.Errorf("C = %v: got w = %.6f, want LIBLINEAR's %.6f", tt.c, w, tt.want)
				break
			}
		}
	}
}

// csPrimal is the Crammer–Singer primal objective of w (term-major, bias
// last).
func csPrimal(xs []sparseVec, y []int, nc int, cost []float64, w []float64) float64 {
	p := 0.0
	for _, v := range w {
		p += v * v / 2
	}
	bias := len(w)/nc - 1
	for i, x := range xs {
		s := make([]float64, nc)
		copy(s, w[bias*nc:])
		for k, t := range x.idx {
			for m := range nc {
				s[m] += w[int(t)*nc+m] * x.val[k]
			}
		}
		worst := 0.0
		for m := range nc {
			if m != y[i] {
				worst = max(worst, 1+s[m]-s[y[i]])
			}
		}
		p += cost[y[i]] * worst
	}
	return p
}

// TestSVMCrammerSingerOptimum solves a random problem with class
// weights to a tight tolerance and checks that the primal objective of
// the weights is no more than a hair above the best of many random
// perturbations of them (it is the minimum), and that loosening the
// tolerance never gives a lower primal value than the tight solve.
func TestSVMCrammerSingerOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const nc, nf = 4, 6
	var xs []sparseVec
	var y []int
	for i := range 60 {
		c := i % nc
		x := sparseVec{}
		for f := range nf {
			if rng.IntN(2) == 0 {
				continue
			}
			v := rng.NormFloat64() * 0.5
			if f == c {
				v += 1
			}
			x.idx = append(x.idx, int32(f))
			x.val = append(x.val, v)
		}
		xs = append(xs, x)
		y = append(y, c)
	}
	cost := []float64{1, 2, 0.5, 3}
	w := make([]float64, (nf+1)*nc)
	svmCrammerSinger(xs, y, nc, cost, rand.New(rand.NewPCG(5, 6)), w, 1e-10, 100000)
	best := csPrimal(xs, y, nc, cost, w)
	for range 2000 {
		v := make([]float64, len(w))
		for k := range v {
			v[k] = w[k] + rng.NormFloat64()*1e-3
		}
		if p := csPrimal(xs, y, nc, cost, v); p < best-1e-9 {
			t.Fatalf("a perturbation has primal %.9f, below the solution's %.9f", p, best)
		}
	}
	loose := make([]float64, len(w))
	svmCrammerSinger(xs, y, nc, cost, rand.New(rand.NewPCG(5, 6)), loose, 0.1, 1000)
	if p := csPrimal(xs, y, nc, cost, loose); p < best-1e-9 {
		t.Errorf("loose solve primal %.9f, below the tight solve's %.9f", p, best)
	}
}

// TestCSSubproblem checks the sub-problem's solution against its KKT
// conditions: it is feasible, and there is a β with A αᵐ + bᵐ = β where
// αᵐ is below its bound and A·boundᵐ + bᵐ ≤ β where it is at it.
func TestCSSubproblem(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nc := rapid.IntRange(2, 8).Draw(t, "nc")
		a := rapid.Float64Range(0.1, 5).Draw(t, "A")
		c := rapid.Float64Range(0.01, 10).Draw(t, "C")
		y := rapid.IntRange(0, nc-1).Draw(t, "y")
		b := rapid.SliceOfN(rapid.Float64Range(-5, 5), nc, nc).Draw(t, "b")
		out := make([]float64, nc)
		csSubproblem(a, b, y, c, make([]float64, nc), out)
		sum, beta, free := 0.0, math.NaN(), false
		for m, v := range out {
			sum += v
			ub := 0.0
			if m == y {
				ub = c
			}
			if v > ub+1e-12 {
				t.Fatalf("α[%d] = %v above its bound %v", m, v, ub)
			}
			if v < ub-1e-12 {
				g := a*v + b[m]
				if free && math.Abs(g-beta) > 1e-9 {
					t.Fatalf("free gradients differ: %v and %v (α = %v)", g, beta, out)
				}
				beta, free = g, true
			}
		}
		if math.Abs(sum) > 1e-9 {
			t.Fatalf("Σα = %v, want 0 (α = %v)", sum, out)
		}
		if !free {
			t.Fatalf("no variable below its bound (α = %v)", out)
		}
		for m, v := range out {
			ub := 0.0
			if m == y {
				ub = c
			}
			if v >= ub-1e-12 && a*ub+b[m] > beta+1e-9 {
				t.Fatalf("α[%d] at its bound with gradient %v > β = %v", m, a*ub+b[m], beta)
			}
		}
	})
}
