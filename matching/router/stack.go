package router

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// The LinearSVM router's default combination of its two parts (see
// bench/routerselect/ROUTER_SOURCES.md): stacked generalization (D. H. Wolpert,
// "Stacked Generalization", Neural Networks 5(2), 1992). A multinomial
// logistic regression with a ridge penalty takes as its features the
// SVMs' margins and the kNN's label vote, and is fitted on out-of-fold
// values of both: each training example's margins and vote come from
// models trained without its fold, so the regression learns how much to
// trust each part (per label) on texts they have not seen. The
// probability outputs as level-1 features follow K. M. Ting,
// I. H. Witten, "Issues in Stacked Generalization", JAIR 10, 1999.

// stackFolds is the number of folds whose out-of-fold scores fit the
// stacked combination.
const stackFolds = 5

// stackRidge is the ridge penalty λ of the stacked regression, the
// middle of 1e-5, 1e-4 and 1e-3 by cross-validation on the CSL training
// titles (bench/routerselect/ROUTER_SOURCES.md).
const stackRidge = 1e-4

// stackTolerance is the L-BFGS's stopping threshold on the largest
// entry of the gradient (in the standardized coordinates of fitStack).
// On the CSL training titles it takes about 100 iterations, and the dev
// accuracy is the same as with a fit run to 1e-9 (seeds 0–4).
const stackTolerance = 1e-6

// stackModel is a multinomial logistic regression over nf features: the
// label scores are w·f + b, their probabilities a softmax.
type stackModel struct {
	nc, nf int
	w      []float64 // w[j*nc+c] for feature j and label c; then the nc biases
}

// scores returns the label scores (log-probabilities up to a constant)
// of the features f.
func (s *stackModel) scores(f []float64) []float64 {
	out := slices.Clone(s.w[s.nf*s.nc:])
	for j, v := range f {
		if v == 0 {
			continue
		}
		for c, w := range s.w[j*s.nc : (j+1)*s.nc] {
			out[c] += w * v
		}
	}
	return out
}

// fitStack fits a stackModel to the features xs (each of the same
// length) with labels y in 0..nc-1 by minimizing the mean negative
// log-likelihood plus λ/2 times the squared norm of the weights (the
// biases are not penalized), with L-BFGS (gonum's optimize) until the
// largest entry of the gradient is under gtol. The weights of the
// minimum are unique for λ > 0 (the biases up to a shared constant; the
// fit keeps their sum 0). It returns nil if the optimizer fails.
func fitStack(xs [][]float64, y []int, nc int, lambda, gtol float64) *stackModel {
	nf := len(xs[0])
	n := float64(len(xs))
	// The optimizer works on standardized features, x′ = (x − μ)/σ, with
	// weights w′ = w·σ and the penalty λ/2·Σ (w′/σ)²: the same problem
	// (the biases absorb the means, and are not penalized), better
	// conditioned for L-BFGS, which is not scale-invariant.
	mu, sigma := make([]float64, nf), make([]float64, nf)
	for _, x := range xs {
		for j, v := range x {
			mu[j] += v / n
		}
	}
	for _, x := range xs {
		for j, v := range x {
			sigma[j] += (v - mu[j]) * (v - mu[j]) / n
		}
	}
	for j := range sigma {
		sigma[j] = max(math.Sqrt(sigma[j]), 1e-3)
	}
	zs := make([][]float64, len(xs))
	for i, x := range xs {
		zs[i] = make([]float64, nf)
		for j, v := range x {
			zs[i][j] = (v - mu[j]) / sigma[j]
		}
	}
	dim := (nf + 1) * nc
	// The objective and its gradient, computed together (L-BFGS asks for
	// both at the same points) over shares of the examples in parallel.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(zs)/512))
	grads := make([][]float64, workers)
	losses := make([]float64, workers)
	for k := range grads {
		grads[k] = make([]float64, dim)
	}
	var last []float64
	lastF, lastG := 0.0, make([]float64, dim)
	eval := func(w []float64) {
		if last != nil && slices.Equal(last, w) {
			return
		}
		last = append(last[:0], w...)
		m := stackModel{nc: nc, nf: nf, w: w}
		var wg sync.WaitGroup
		for k := range workers {
			wg.Go(func() {
				g, loss := grads[k], 0.0
				clear(g)
				for i := k; i < len(zs); i += workers {
					p := m.scores(zs[i])
					loss -= p[y[i]] - floats.LogSumExp(p)
					softmax(p)
					p[y[i]]--
					for j, v := range zs[i] {
						for c := range nc {
							g[j*nc+c] += p[c] * v
						}
					}
					for c := range nc {
						g[nf*nc+c] += p[c]
					}
				}
				losses[k] = loss
			})
		}
		wg.Wait()
		lastF = 0
		clear(lastG)
		for k := range workers {
			lastF += losses[k] / n
			for j, v := range grads[k] {
				lastG[j] += v / n
			}
		}
		for j := range nf {
			l := lambda / (sigma[j] * sigma[j])
			for c := range nc {
				v := w[j*nc+c]
				lastF += l / 2 * v * v
				lastG[j*nc+c] += l * v
			}
		}
	}
	p := optimize.Problem{
		Func: func(w []float64) float64 { eval(w); return lastF },
		Grad: func(g, w []float64) { eval(w); copy(g, lastG) },
	}
	res, err := optimize.Minimize(p, make([]float64, dim), &optimize.Settings{GradientThreshold: gtol}, &optimize.LBFGS{})
	if res == nil || !finite(res.X) || err != nil && floats.Norm(res.Gradient, math.Inf(1)) > 1e3*gtol {
		// A line search that stalls near the minimum (err set, the
		// gradient small) still ends with a usable fit.
		return nil
	}
	// Back to the raw features: w = w′/σ, b = b′ − Σ w·μ.
	s := &stackModel{nc: nc, nf: nf, w: res.X}
	for j := range nf {
		for c := range nc {
			s.w[j*nc+c] /= sigma[j]
			s.w[nf*nc+c] -= s.w[j*nc+c] * mu[j]
		}
	}
	return s
}

func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
