package router

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// The LinearSVM router model (see bench/routerselect/ROUTER_SOURCES.md):
//
//   - each text is a vector of its terms' sublinear TF-IDF weights,
//     (1 + ln tf) · (ln((1+n)/(1+df)) + 1), scaled to unit length;
//   - one L2-regularized, squared-hinge-loss linear SVM per label against
//     the others, with a bias feature of value 1, trained by the dual
//     coordinate descent of Hsieh et al. (ICML 2008), as LIBLINEAR's
//     default solver;
//   - every example costs C when the combination below is stacked; with
//     a fixed mix the examples of a label cost C·n/(L·n_label) when they
//     are the positive side of their label's problem and C when they are
//     negative (LIBLINEAR's class weights, "balanced"), so that rare
//     labels are not drowned by the common ones;
//   - by default, the margins and the label vote of the 10 training
//     examples nearest by cosine (see cosineKNN) are the features of a
//     multinomial logistic regression fitted on their out-of-fold values
//     (5 folds), whose probabilities are the model's (stacking; see
//     stack.go);
//   - with a fixed neighbour weight λ, or fewer than 50 examples,
//     probabilities are softmax(T · margins), with the single
//     temperature T fitted by maximum likelihood on out-of-fold margins
//     (a multi-class form of Platt scaling; with fewer than 30 examples
//     there is no calibration and T = 1), mixed 1−λ : λ with the vote
//     (λ = 0.3 when not given).

// calibrationFolds is the number of folds whose out-of-fold margins fit
// the softmax temperature.
const calibrationFolds = 3

// linearModel is a trained LinearSVM.
type linearModel struct {
	nc, nf int
	idf    []float64 // per term
	w      []float64 // label-major while training: w[c*(nf+1)+t], the last entry of a row the bias
	wt     []float64 // term-major after training: wt[t*nc+c], so that a term's weights are adjacent
	bias   []float64 // per label, after training
	temp   float64   // softmax temperature
	nn     *cosineKNN
	lambda float64 // the share of nn's vote in the probabilities
	// stack, when set, combines the margins and nn's vote instead of the
	// temperature and lambda (see stack.go).
	stack *stackModel
}

// linearOptions are the LinearSVM's training options.
type linearOptions struct {
	cost       float64 // C
	unbalanced bool    // every example costs C
	balanced   bool    // balanced costs even when stacked
	neighbours int     // k of the kNN vote; 0: none
	lambda     float64 // the vote's share; 0: learned by stacking
	seed       uint64
}

// sparseVec is a sparse vector with increasing indices.
type sparseVec struct {
	idx []int32
	val []float64
}

// trainLinear trains a linearModel on examples given as term ids (ids <
// nf, repeated per occurrence) with labels y in 0..nc-1.
func trainLinear(terms [][]int32, y []int, nc, nf int, o linearOptions) *linearModel {
	n, cost, seed := len(terms), o.cost, o.seed
	fold := make([]int, n)
	folds := 0
	stack := o.neighbours > 0 && o.lambda == 0 && n >= 10*stackFolds
	switch {
	case stack:
		folds = stackFolds
	case n >= 10*calibrationFolds:
		folds = calibrationFolds
	}
	if !stack && o.lambda == 0 {
		o.lambda = fixedNeighbourWeight
	}
	// The stacked regression learns each label's bias: its SVMs weigh
	// every example alike unless asked otherwise. (Should its fit fail,
	// the fallback mix below keeps those SVMs.)
	unbalanced := o.unbalanced || stack && !o.balanced
	if folds > 0 {
		rng := rand.New(rand.NewPCG(seed, 0xca1))
		for i, p := range rng.Perm(n) {
			fold[p] = i % folds
		}
	}
	// Model 0 is trained on every example, model f+1 on all but fold f.
	models := make([]*linearModel, folds+1)
	vecs := make([][]sparseVec, folds+1)
	ys := make([][]int, folds+1)
	costPos := make([][]float64, folds+1) // model -> label -> C of its positive examples
	for m := range models {
		var sub []int
		for i := range n {
			if m == 0 || fold[i] != m-1 {
				sub = append(sub, i)
			}
		}
		lm := &linearModel{nc: nc, nf: nf, idf: make([]float64, nf), w: make([]float64, nc*(nf+1))}
		counts := make([]sparseVec, len(sub))
		ys[m] = make([]int, len(sub))
		for j, i := range sub {
			counts[j] = termCounts(terms[i])
			ys[m][j] = y[i]
			for _, t := range counts[j].idx {
				lm.idf[t]++
			}
		}
		for t, df := range lm.idf {
			lm.idf[t] = math.Log(float64(1+len(sub))/(1+df)) + 1
		}
		costPos[m] = balancedCosts(ys[m], nc, cost, unbalanced)
		vecs[m] = make([]sparseVec, len(sub))
		for j := range counts {
			vecs[m][j] = lm.weigh(counts[j])
		}
		models[m] = lm
	}

	// The (model, label) problems are independent: solve them in
	// parallel, each with its own seeded random order.
	type job struct{ m, c int }
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (folds+1)*nc) {
		wg.Go(func() {
			sign := make([]float64, n)
			for jb := range jobs {
				lm, xs := models[jb.m], vecs[jb.m]
				for j := range xs {
					sign[j] = -1
					if ys[jb.m][j] == jb.c {
						sign[j] = 1
					}
				}
				rng := rand.New(rand.NewPCG(seed, uint64(jb.m*nc+jb.c)))
				svmDualCD(xs, sign[:len(xs)], costPos[jb.m][jb.c], cost, 0.1, rng, lm.w[jb.c*(nf+1):(jb.c+1)*(nf+1)])
			}
		})
	}
	for m := range models {
		for c := range nc {
			jobs <- job{m, c}
		}
	}
	close(jobs)
	wg.Wait()

	for _, m := range models {
		m.transpose()
	}
	out := models[0]
	out.temp = 1
	if stack {
		if out.stack = fitStack(stackFeatures(models, vecs, ys, fold, terms, o.neighbours), y, nc, stackRidge, stackTolerance); out.stack != nil {
			out.nn = newCosineKNN(vecs[0], y, nf, o.neighbours)
			return out
		}
		// The optimizer failed (it does not on any data we know of):
		// fall back to the calibrated fixed mix.
		o.lambda = fixedNeighbourWeight
	}
	if folds > 0 {
		margins := make([][]float64, n)
		for i := range n {
			m := models[fold[i]+1]
			margins[i] = m.margins(m.weigh(termCounts(terms[i])))
		}
		out.temp = fitTemperature(margins, y)
	}
	if o.neighbours > 0 && o.lambda > 0 {
		out.nn, out.lambda = newCosineKNN(vecs[0], y, nf, o.neighbours), o.lambda
	}
	return out
}

// fixedNeighbourWeight is the LinearSVM's share of the kNN vote when it
// is not learned: with too few examples to stack, or if stacking fails.
const fixedNeighbourWeight = 0.3

// stackFeatures returns the out-of-fold features of the stacked
// combination for each example i of fold f = fold[i]: the margins of
// models[f+1], trained without the fold, and the label vote of the k
// nearest examples among those it was trained on (vectors vecs[f+1],
// labels ys[f+1]).
func stackFeatures(models []*linearModel, vecs [][]sparseVec, ys [][]int, fold []int, terms [][]int32, k int) [][]float64 {
	nf := models[0].nf
	nns := make([]*cosineKNN, len(models)-1)
	for f := range nns {
		nns[f] = newCosineKNN(vecs[f+1], ys[f+1], nf, k)
	}
	out := make([][]float64, len(terms))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(terms); i += workers {
				m := models[fold[i]+1]
				x := m.weigh(termCounts(slices.Clone(terms[i])))
				out[i] = m.features(x, nns[fold[i]])
			}
		})
	}
	wg.Wait()
	return out
}

// features returns the stacked combination's features of x: the margins,
// then nn's label vote (zeros when x shares no term with an example).
func (m *linearModel) features(x sparseVec, nn *cosineKNN) []float64 {
	f := make([]float64, 2*m.nc)
	copy(f, m.margins(x))
	nn.vote(x, f[m.nc:], 1)
	return f
}

// balancedCosts returns each label's C for its positive examples:
// C·n/(nc·n_c) for the n_c examples of label c among n ("balanced" class
// weights), or C for every label when unbalanced.
func balancedCosts(y []int, nc int, cost float64, unbalanced bool) []float64 {
	out := make([]float64, nc)
	cnt := make([]int, nc)
	for _, c := range y {
		cnt[c]++
	}
	for c := range out {
		out[c] = cost
		if !unbalanced && cnt[c] > 0 {
			out[c] = cost * float64(len(y)) / float64(nc*cnt[c])
		}
	}
	return out
}

// transpose moves the trained weights to the term-major layout.
func (m *linearModel) transpose() {
	m.wt = make([]float64, m.nf*m.nc)
	m.bias = make([]float64, m.nc)
	for c := range m.nc {
		row := m.w[c*(m.nf+1) : (c+1)*(m.nf+1)]
		for t, v := range row[:m.nf] {
			m.wt[t*m.nc+c] = v
		}
		m.bias[c] = row[m.nf]
	}
	m.w = nil
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

// weigh turns term counts into a unit-length sublinear TF-IDF vector.
// The result shares counts' index slice.
func (m *linearModel) weigh(counts sparseVec) sparseVec {
	return m.weighInto(counts, make([]float64, len(counts.val)))
}

// weighInto is weigh writing the weights into val (which may be
// counts.val).
func (m *linearModel) weighInto(counts sparseVec, val []float64) sparseVec {
	v := sparseVec{idx: counts.idx, val: val}
	norm := 0.0
	for k, t := range counts.idx {
		x := m.idf[t]
		if tf := counts.val[k]; tf != 1 {
			x *= 1 + math.Log(tf)
		}
		v.val[k] = x
		norm += x * x
	}
	if norm > 0 {
		norm = 1 / math.Sqrt(norm)
		for k := range v.val {
			v.val[k] *= norm
		}
	}
	return v
}

// margins returns each label's SVM decision value for x.
func (m *linearModel) margins(x sparseVec) []float64 {
	s := slices.Clone(m.bias)
	for k, t := range x.idx {
		xv := x.val[k]
		for c, w := range m.wt[int(t)*m.nc : int(t+1)*m.nc] {
			s[c] += w * xv
		}
	}
	return s
}

// probs returns the label probabilities of a text given as term ids
// (which it sorts).
func (m *linearModel) probs(ids []int32) []float64 {
	counts := termCounts(ids)
	x := m.weighInto(counts, counts.val)
	if m.stack != nil {
		s := m.stack.scores(m.features(x, m.nn))
		softmax(s)
		return s
	}
	s := m.margins(x)
	for c := range s {
		s[c] *= m.temp
	}
	softmax(s)
	if m.nn != nil {
		m.nn.vote(x, s, m.lambda)
	}
	return s
}

// termIDs returns the vocabulary ids of text's terms (unknown terms
// dropped).
func (r *Router) termIDs(text string) []int32 {
	toks := r.an.Analyze(text)
	ids := make([]int32, 0, len(toks))
	for _, tk := range toks {
		if id, ok := r.vocab[tk.Term]; ok {
			ids = append(ids, id)
		}
	}
	return ids
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
