package routerselect

// The Crammer–Singer solver is a candidate of the model selection
// (select_test.go), not a Router model: it lost to the one-vs-rest
// LinearSVM in cross-validation, so it lives with the tests that compare
// them and ships in no binary.

import (
	"math"
	"math/rand/v2"
	"slices"
)

// svmCrammerSinger trains the multi-class linear SVM of Crammer and
// Singer,
//
//	min_W ½ Σₘ ‖wₘ‖² + C Σᵢ max_m (eᵢᵐ + wₘ·xᵢ − w_yᵢ·xᵢ),  eᵢᵐ = [m ≠ yᵢ],
//
// with xᵢ extended by a bias feature of 1, by the sequential dual method
// of Keerthi, Sundararajan, Chang, Hsieh and Lin ("A Sequential Dual
// Method for Large Scale Multi-Class Linear SVMs", KDD 2008), as
// LIBLINEAR's solver 4 without shrinking. The dual is
//
//	min_α ½ Σₘ ‖Σᵢ αᵢᵐ xᵢ‖² + Σᵢ Σₘ eᵢᵐ αᵢᵐ
//	s.t. αᵢᵐ ≤ 0 (m ≠ yᵢ), αᵢ^yᵢ ≤ C, Σₘ αᵢᵐ = 0,
//
// with wₘ = Σᵢ αᵢᵐ xᵢ. Each step solves the sub-problem of one example's
// nc variables exactly (Crammer and Singer's sort-based solution), visiting
// the examples in a random order each pass; it stops when every example's
// gradient spread, max_m Gₘ − min_{m: αᵐ below its bound} Gₘ, is under eps
// (LIBLINEAR's default is 0.1), or after maxPasses passes, and returns the
// number of passes. cost[c] is C for the examples of label c (class
// weights); y[i] is in 0..nc−1. w is term-major, w[t*nc+m] for the
// features t < nf and w[nf*nc+m] for the bias, and must be zero on entry.
func svmCrammerSinger(xs []sparseVec, y []int, nc int, cost []float64, rng *rand.Rand, w []float64, eps float64, maxPasses int) int {
	n := len(xs)
	if len(w)%nc != 0 || len(cost) != nc || len(y) != n {
		panic("router: svmCrammerSinger: shape mismatch")
	}
	bias := len(w)/nc - 1
	alpha := make([]float64, n*nc)
	qd := make([]float64, n)
	for i, x := range xs {
		q := 1.0 // the bias feature
		for _, v := range x.val {
			q += v * v
		}
		qd[i] = q
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	g := make([]float64, nc)
	b := make([]float64, nc)
	scratch := make([]float64, nc)
	next := make([]float64, nc)
	for pass := range maxPasses {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		stop := 0.0
		for _, i := range order {
			x, yi, ai := xs[i], y[i], alpha[i*nc:(i+1)*nc]
			copy(g, w[bias*nc:(bias+1)*nc])
			for k, t := range x.idx {
				xv := x.val[k]
				for m, wv := range w[int(t)*nc : int(t+1)*nc] {
					g[m] += wv * xv
				}
			}
			for m := range g {
				if m != yi {
					g[m]++
				}
			}
			minG, maxG := math.Inf(1), math.Inf(-1)
			for m, gm := range g {
				if ai[m] < 0 && gm < minG {
					minG = gm
				}
				maxG = max(maxG, gm)
			}
			if ai[yi] < cost[yi] && g[yi] < minG {
				minG = g[yi]
			}
			if maxG-minG <= 1e-12 {
				continue
			}
			stop = max(stop, maxG-minG)
			a := qd[i]
			for m := range b {
				b[m] = g[m] - a*ai[m]
			}
			csSubproblem(a, b, yi, cost[yi], scratch, next)
			for m, v := range next {
				d := v - ai[m]
				ai[m] = v
				if math.Abs(d) < 1e-12 {
					continue
				}
				for k, t := range x.idx {
					w[int(t)*nc+m] += d * x.val[k]
				}
				w[bias*nc+m] += d
			}
		}
		if stop < eps {
			return pass + 1
		}
	}
	return maxPasses
}

// csSubproblem solves one example's sub-problem of the Crammer–Singer dual,
//
//	min_α ½ A ‖α‖² + b·α  s.t. αᵐ ≤ [m = y]·c, Σₘ αᵐ = 0,
//
// into out, by Crammer and Singer's sort-based solution ("On the
// Algorithmic Implementation of Multiclass Kernel-based Vector Machines",
// JMLR 2, 2001, §6; LIBLINEAR's solve_sub_problem): αᵐ = min(boundᵐ,
// (β − bᵐ)/A) with the β that makes the sum zero. d is scratch of len(b).
func csSubproblem(a float64, b []float64, y int, c float64, d, out []float64) {
	copy(d, b)
	d[y] += a * c
	slices.Sort(d)
	slices.Reverse(d)
	beta := d[0] - a*c
	r := 1
	for ; r < len(d) && beta < float64(r)*d[r]; r++ {
		beta += d[r]
	}
	beta /= float64(r)
	for m := range out {
		ub := 0.0
		if m == y {
			ub = c
		}
		out[m] = min(ub, (beta-b[m])/a)
	}
}
