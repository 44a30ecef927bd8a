package routerselect

// Copies of the router's unexported code (package matching/router:
// linear.go, router.go, stack.go) that the harness's own pipelines
// use. They are the experiment's, kept as the router had them when the
// harness moved out of the library; the router's own tests check the
// originals (against LIBLINEAR and scikit-learn). The router-* candidates
// train router.Train itself, whatever these copies say.

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// sparseVec is a sparse vector with increasing indices.
type sparseVec struct {
	idx []int32
	val []float64
}

// termCounts returns the vector of term counts of ids, which it sorts.
func termCounts(ids []int32) sparseVec {
	slices.Sort(ids)
	v := sparseVec{idx: make([]int32, 0, len(ids)), val: make([]float64, 0, len(ids))}
	for i, t := range ids {
		if i > 0 && t == ids[i-1] {
			v.val[len(v.val)-1]++
			continue
		}
		v.idx = append(v.idx, t)
		v.val = append(v.val, 1)
	}
	return v
}

// svmDualCD trains an L2-regularized squared-hinge-loss linear SVM,
//
//	min_w ½‖w‖² + C Σ max(0, 1 − yᵢ w·xᵢ)²,
//
// with xᵢ extended by a bias feature of 1 (stored in w[len(w)-1]), by
// dual coordinate descent (Hsieh et al., "A Dual Coordinate Descent
// Method for Large-scale Linear SVM", ICML 2008, Algorithm 1 with
// U = ∞ and Dᵢᵢ = 1/(2Cᵢ)), visiting the examples in a random order each
// pass. Cᵢ is costPos for the examples with yᵢ = +1 and costNeg for the
// others (LIBLINEAR's class weights). It stops when the projected
// gradient's spread is under eps (LIBLINEAR's default is 0.1) or after
// 1000 passes. w must be zero on entry.
func svmDualCD(xs []sparseVec, y []float64, costPos, costNeg, eps float64, rng *rand.Rand, w []float64) {
	n := len(xs)
	bias := len(w) - 1
	alpha := make([]float64, n)
	qd := make([]float64, n)
	diags := [2]float64{1 / (2 * costNeg), 1 / (2 * costPos)}
	for i, x := range xs {
		q := 1.0 // the bias feature
		for _, v := range x.val {
			q += v * v
		}
		qd[i] = q + diags[int(y[i]+1)/2]
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for range 1000 {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		maxPG, minPG := math.Inf(-1), math.Inf(1)
		for _, i := range order {
			x := xs[i]
			g := w[bias]
			for k, t := range x.idx {
				g += w[t] * x.val[k]
			}
			g = y[i]*g - 1 + diags[int(y[i]+1)/2]*alpha[i]
			pg := g
			if alpha[i] == 0 {
				pg = min(g, 0)
			}
			maxPG, minPG = max(maxPG, pg), min(minPG, pg)
			if pg == 0 {
				continue
			}
			old := alpha[i]
			alpha[i] = max(old-g/qd[i], 0)
			d := (alpha[i] - old) * y[i]
			for k, t := range x.idx {
				w[t] += d * x.val[k]
			}
			w[bias] += d
		}
		if maxPG-minPG < eps {
			return
		}
	}
}

// fitTemperature returns the T > 0 that maximizes the likelihood
// Π softmax(T·marginsᵢ)[yᵢ]. The negative log-likelihood is convex in T,
// so a bisection on its derivative, Σ E_T[m] − m_y, finds it.
func fitTemperature(margins [][]float64, y []int) float64 {
	deriv := func(t float64) float64 {
		d := 0.0
		p := make([]float64, 0, 16)
		for i, m := range margins {
			p = p[:0]
			for _, v := range m {
				p = append(p, t*v)
			}
			softmax(p)
			for c, v := range m {
				d += p[c] * v
			}
			d -= m[y[i]]
		}
		return d
	}
	lo, hi := math.Log(1e-2), math.Log(1e3)
	if deriv(math.Exp(hi)) <= 0 {
		return math.Exp(hi)
	}
	if deriv(math.Exp(lo)) >= 0 {
		return math.Exp(lo)
	}
	for range 60 {
		mid := (lo + hi) / 2
		if deriv(math.Exp(mid)) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp((lo + hi) / 2)
}

// softmax turns log scores into probabilities in place.
func softmax(x []float64) {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	sum := 0.0
	for i, v := range x {
		x[i] = math.Exp(v - m)
		sum += x[i]
	}
	for i := range x {
		x[i] /= sum
	}
}

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
