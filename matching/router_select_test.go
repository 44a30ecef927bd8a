package matching

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/textindex"
)

// The model selection of ROUTER_SOURCES.md: every candidate is scored by
// 5-fold cross-validation on cls_ctg_train.tsv (one seeded split, the
// same folds for all) and, for the finalists, once on cls_ctg_dev.tsv.
// It runs only when asked, as it trains hundreds of models:
//
//	TECHBROKER_ROUTER_SELECT=all go test -run TestRouterSelection -v ./matching/
//	TECHBROKER_ROUTER_SELECT=cs-C1,ovr-C2 TECHBROKER_ROUTER_DEV=1 go test ...
//
// (a comma-separated list of candidate names; a trailing * matches a
// prefix).

// cslTSV reads a labelled-titles file of the CSL sample (see
// router_csl_test.go), skipping when it is absent. It parses the file
// itself: this harness is an internal test of package matching, which
// cannot import matching/eval (eval imports matching), the package whose
// ReadLabelled router_csl_test.go uses.
func cslTSV(tb testing.TB, name string) []Example {
	tb.Helper()
	dir := os.Getenv("TECHBROKER_CSL")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "csl")
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		tb.Skipf("CSL sample not found: %v", err)
	}
	defer f.Close()
	var out []Example
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if len(c) != 3 || c[0] == "task" {
			continue
		}
		out = append(out, Example{Text: c[1], Label: c[2]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// featurizer turns a text into feature names.
type featurizer func(an *analysis.Analyzer, text string) []string

func featTerms(an *analysis.Analyzer, text string) []string {
	var out []string
	for _, t := range an.Analyze(text) {
		out = append(out, t.Term)
	}
	return out
}

// cjkRuns returns the runs of Han characters of the normalized text.
func cjkRuns(text string) [][]rune {
	var runs [][]rune
	var cur []rune
	for _, r := range analysis.Normalize(text) {
		if unicode.Is(unicode.Han, r) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// featNgrams returns the Han n-grams for n in ns, prefixed by n.
func featNgrams(ns ...int) featurizer {
	return func(_ *analysis.Analyzer, text string) []string {
		var out []string
		for _, run := range cjkRuns(text) {
			for _, n := range ns {
				for i := 0; i+n <= len(run); i++ {
					out = append(out, fmt.Sprint(n, ":", string(run[i:i+n])))
				}
			}
		}
		return out
	}
}

// featEdges returns the first and last 2- and 3-grams of the title's
// Han text, hashed into buckets when buckets > 0.
func featEdges(buckets uint32) featurizer {
	return func(_ *analysis.Analyzer, text string) []string {
		var all []rune
		for _, r := range cjkRuns(text) {
			all = append(all, r...)
		}
		var out []string
		for _, n := range []int{2, 3} {
			if len(all) >= n {
				out = append(out, "^"+string(all[:n]), "$"+string(all[len(all)-n:]))
			}
		}
		if buckets > 0 {
			for i, s := range out {
				h := fnv.New32a()
				h.Write([]byte(s))
				out[i] = fmt.Sprint("#", h.Sum32()%buckets)
			}
		}
		return out
	}
}

func featConcat(fs ...featurizer) featurizer {
	return func(an *analysis.Analyzer, text string) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f(an, text)...)
		}
		return out
	}
}

// tfidfOpts are the weighting variants.
type tfidfOpts struct {
	raw   bool    // raw tf instead of 1 + ln tf
	noIDF bool    // no idf factor
	norm  float64 // 2, 1, or 0 for no normalization
	uni   float64 // weight of single-rune (CJK unigram) terms, 0 meaning 1
	pivot float64 // > 0: pivoted unique normalization (Singhal et al. 1996) with this slope instead of norm
}

type vectorizer struct {
	o          tfidfOpts
	vocab      map[string]int32
	idf        []float64
	single     []bool  // the term is one rune
	avgUnique  float64 // mean number of distinct terms per document
	pivotScale float64 // mean l2 norm of the unnormalized vectors
}

func fitVectorizer(docs [][]string, o tfidfOpts) *vectorizer {
	v := &vectorizer{o: o, vocab: map[string]int32{}}
	var df []float64
	sum := 0.0
	for _, d := range docs {
		seen := map[int32]bool{}
		for _, t := range d {
			id, ok := v.vocab[t]
			if !ok {
				id = int32(len(v.vocab))
				v.vocab[t] = id
				df = append(df, 0)
			}
			if !seen[id] {
				seen[id] = true
				df[id]++
			}
		}
	}
	v.idf = make([]float64, len(df))
	v.single = make([]bool, len(df))
	for t, d := range df {
		v.idf[t] = math.Log(float64(1+len(docs))/(1+d)) + 1
		sum += d
	}
	for t, id := range v.vocab {
		v.single[id] = utf8.RuneCountInString(t) == 1
	}
	v.avgUnique = max(sum/float64(len(docs)), 1)
	if o.pivot > 0 {
		// The l2 norms the pivoted norm replaces, on average.
		p := v.o
		v.o = tfidfOpts{raw: p.raw, noIDF: p.noIDF, uni: p.uni, norm: 0}
		total := 0.0
		for _, d := range docs {
			x := v.vec(d)
			s := 0.0
			for _, val := range x.val {
				s += val * val
			}
			total += math.Sqrt(s)
		}
		v.o = p
		v.pivotScale = total / float64(len(docs))
	}
	return v
}

func (v *vectorizer) vec(terms []string) sparseVec {
	var ids []int32
	for _, t := range terms {
		if id, ok := v.vocab[t]; ok {
			ids = append(ids, id)
		}
	}
	x := termCounts(ids)
	norm := 0.0
	for k, t := range x.idx {
		tf := x.val[k]
		if !v.o.raw {
			tf = 1 + math.Log(tf)
		}
		if !v.o.noIDF {
			tf *= v.idf[t]
		}
		if v.o.uni > 0 && v.single[t] {
			tf *= v.o.uni
		}
		x.val[k] = tf
		switch v.o.norm {
		case 2:
			norm += tf * tf
		case 1:
			norm += tf
		}
	}
	if v.o.norm == 2 {
		norm = math.Sqrt(norm)
	}
	if v.o.pivot > 0 {
		norm = (1 - v.o.pivot + v.o.pivot*float64(len(x.idx))/v.avgUnique) * v.pivotScale
	}
	if norm > 0 {
		for k := range x.val {
			x.val[k] /= norm
		}
	}
	return x
}

// learner trains term-major weights, w[t*nc+c] with the bias at t = nf.
type learner func(xs []sparseVec, y []int, nc, nf int, seed uint64) []float64

// classCosts returns C per label: C·(n/(nc·n_c))^power (power 0: no
// weights, 1: "balanced").
func classCosts(y []int, nc int, c, power float64) []float64 {
	cnt := make([]float64, nc)
	for _, v := range y {
		cnt[v]++
	}
	out := make([]float64, nc)
	for k := range out {
		out[k] = c
		if cnt[k] > 0 {
			out[k] = c * math.Pow(float64(len(y))/(float64(nc)*cnt[k]), power)
		}
	}
	return out
}

func learnOvR(c, power float64) learner {
	return func(xs []sparseVec, y []int, nc, nf int, seed uint64) []float64 {
		costs := classCosts(y, nc, c, power)
		w := make([]float64, (nf+1)*nc)
		sign := make([]float64, len(xs))
		row := make([]float64, nf+1)
		for k := range nc {
			for i := range xs {
				sign[i] = -1
				if y[i] == k {
					sign[i] = 1
				}
			}
			clear(row)
			svmDualCD(xs, sign, costs[k], c, 0.1, rand.New(rand.NewPCG(seed, uint64(k))), row)
			for t, v := range row {
				w[t*nc+k] = v
			}
		}
		return w
	}
}

func learnCS(c, power float64) learner {
	return func(xs []sparseVec, y []int, nc, nf int, seed uint64) []float64 {
		w := make([]float64, (nf+1)*nc)
		svmCrammerSinger(xs, y, nc, classCosts(y, nc, c, power), rand.New(rand.NewPCG(seed, 4)), w, 0.1, 1000)
		return w
	}
}

// learnLR is multinomial logistic regression with an elastic-net penalty,
//
//	(1/n) Σ −log softmax(W xᵢ)_yᵢ + λ₂/2 ‖W‖² + λ₁ ‖W‖₁ (bias not penalized),
//
// by FISTA (Beck and Teboulle 2009) with a fixed step 1/L, L = ½ λmax(XᵀX/n) + λ₂.
func learnLR(l1, l2 float64, iters int) learner {
	return func(xs []sparseVec, y []int, nc, nf int, seed uint64) []float64 {
		n := float64(len(xs))
		// Power iteration for λmax(XᵀX/n) with the bias column.
		rng := rand.New(rand.NewPCG(seed, 9))
		v := make([]float64, nf+1)
		for t := range v {
			v[t] = rng.Float64()
		}
		lam := 0.0
		for range 50 {
			u := make([]float64, nf+1)
			for _, x := range xs {
				d := v[nf]
				for k, t := range x.idx {
					d += v[t] * x.val[k]
				}
				for k, t := range x.idx {
					u[t] += d * x.val[k]
				}
				u[nf] += d
			}
			s := 0.0
			for t := range u {
				u[t] /= n
				s += u[t] * u[t]
			}
			lam = math.Sqrt(s)
			for t := range u {
				v[t] = u[t] / lam
			}
		}
		step := 1 / (lam/2 + l2)
		w := make([]float64, (nf+1)*nc)
		prev := slices.Clone(w)
		z := slices.Clone(w)
		grad := make([]float64, len(w))
		p := make([]float64, nc)
		tk := 1.0
		for range iters {
			clear(grad)
			for i, x := range xs {
				copy(p, z[nf*nc:])
				for k, t := range x.idx {
					for c := range nc {
						p[c] += z[int(t)*nc+c] * x.val[k]
					}
				}
				softmax(p)
				p[y[i]]--
				for k, t := range x.idx {
					for c := range nc {
						grad[int(t)*nc+c] += p[c] * x.val[k] / n
					}
				}
				for c := range nc {
					grad[nf*nc+c] += p[c] / n
				}
			}
			copy(prev, w)
			for j := range w {
				g := grad[j]
				if j < nf*nc {
					g += l2 * z[j]
				}
				u := z[j] - step*g
				if j < nf*nc && l1 > 0 {
					u = math.Copysign(max(math.Abs(u)-step*l1, 0), u)
				}
				w[j] = u
			}
			tn := (1 + math.Sqrt(1+4*tk*tk)) / 2
			for j := range z {
				z[j] = w[j] + (tk-1)/tn*(w[j]-prev[j])
			}
			tk = tn
		}
		return w
	}
}

// learnBag averages the weights of b copies of base, each trained on a
// bootstrap sample (Breiman 1996); the average of linear models is one
// linear model.
func learnBag(base learner, b int) learner {
	return func(xs []sparseVec, y []int, nc, nf int, seed uint64) []float64 {
		rng := rand.New(rand.NewPCG(seed, 0xba9))
		w := make([]float64, (nf+1)*nc)
		for r := range b {
			sx := make([]sparseVec, len(xs))
			sy := make([]int, len(xs))
			for i := range sx {
				j := rng.IntN(len(xs))
				sx[i], sy[i] = xs[j], y[j]
			}
			for j, v := range base(sx, sy, nc, nf, seed+uint64(r)) {
				w[j] += v / float64(b)
			}
		}
		return w
	}
}

// scoreW returns the margins of x under term-major weights w.
func scoreW(w []float64, nc, nf int, x sparseVec) []float64 {
	s := slices.Clone(w[nf*nc:])
	for k, t := range x.idx {
		for c := range nc {
			s[c] += w[int(t)*nc+c] * x.val[k]
		}
	}
	return s
}

// view is one feature view with its learner.
type view struct {
	feat  featurizer
	tfidf tfidfOpts
	learn learner
	nb    float64 // > 0: multinomial naive Bayes with this α on raw counts instead
	knn   int     // > 0: a cosine kNN vote (a distribution) of this many neighbours instead
	bm25  int     // > 0: a BM25 kNN vote (textindex, score-weighted) of this many neighbours instead
	pow   float64 // the kNN vote weighs a neighbour by similarity^pow (0 meaning 1)
	// gate, with knn, weighs each term of the kNN vectors by the norm of
	// its row of weights in this learner's model (a feature-weighted
	// kNN), and scales them to unit length again.
	gate learner
}

// scorer returns per-label scores of a text: margins or log-probabilities.
type scorer func(text string) []float64

func (v view) fit(an *analysis.Analyzer, train []Example, y []int, nc int, seed uint64) scorer {
	docs := make([][]string, len(train))
	for i, ex := range train {
		docs[i] = v.feat(an, ex.Text)
	}
	if v.bm25 > 0 {
		ix, err := textindex.New(&textindex.Options{Analyzer: an})
		if err != nil {
			panic(err)
		}
		for i, ex := range train {
			if err := ix.Put(strconv.Itoa(i), ex.Text); err != nil {
				panic(err)
			}
		}
		return func(text string) []float64 {
			vote := make([]float64, nc)
			hits, _ := ix.Search(textindex.Query{Text: text, K: v.bm25})
			total := 0.0
			for _, h := range hits {
				i, _ := strconv.Atoi(h.ID)
				vote[y[i]] += h.Score
				total += h.Score
			}
			return shares(vote, total)
		}
	}
	if v.nb > 0 {
		nb := fitNB(docs, y, nc, v.nb)
		return func(text string) []float64 { return nb(v.feat(an, text)) }
	}
	vz := fitVectorizer(docs, v.tfidf)
	xs := make([]sparseVec, len(docs))
	for i, d := range docs {
		xs[i] = vz.vec(d)
	}
	nf := len(vz.idf)
	if v.knn > 0 {
		reweigh := func(x sparseVec) sparseVec { return x }
		if v.gate != nil {
			w := v.gate(xs, y, nc, nf, seed)
			g := make([]float64, nf)
			for t := range g {
				for c := range nc {
					g[t] += w[t*nc+c] * w[t*nc+c]
				}
				g[t] = math.Sqrt(g[t])
			}
			reweigh = func(x sparseVec) sparseVec {
				out := sparseVec{idx: x.idx, val: make([]float64, len(x.val))}
				norm := 0.0
				for k, t := range x.idx {
					out.val[k] = x.val[k] * g[t]
					norm += out.val[k] * out.val[k]
				}
				for k := range out.val {
					if norm > 0 {
						out.val[k] /= math.Sqrt(norm)
					}
				}
				return out
			}
			for i := range xs {
				xs[i] = reweigh(xs[i])
			}
		}
		vote := fitKNN(xs, y, nc, nf, v.knn, v.pow)
		return func(text string) []float64 { return vote(reweigh(vz.vec(v.feat(an, text)))) }
	}
	w := v.learn(xs, y, nc, nf, seed)
	return func(text string) []float64 { return scoreW(w, nc, nf, vz.vec(v.feat(an, text))) }
}

// fitKNN returns the label vote of the k training vectors with the
// largest dot products (cosines, for unit vectors) with a query, each
// weighted by its similarity^pow, as a distribution.
func fitKNN(xs []sparseVec, y []int, nc, nf, k int, pow float64) func(sparseVec) []float64 {
	type posting struct {
		doc int32
		val float64
	}
	post := make([][]posting, nf)
	for i, x := range xs {
		for j, t := range x.idx {
			post[t] = append(post[t], posting{int32(i), x.val[j]})
		}
	}
	if pow == 0 {
		pow = 1
	}
	return func(q sparseVec) []float64 {
		sim := make([]float64, len(xs))
		var touched []int32
		for j, t := range q.idx {
			for _, p := range post[t] {
				if sim[p.doc] == 0 {
					touched = append(touched, p.doc)
				}
				sim[p.doc] += p.val * q.val[j]
			}
		}
		slices.SortFunc(touched, func(a, b int32) int {
			if sim[a] != sim[b] {
				if sim[a] > sim[b] {
					return -1
				}
				return 1
			}
			return int(a - b)
		})
		vote := make([]float64, nc)
		total := 0.0
		for _, d := range touched[:min(k, len(touched))] {
			s := math.Pow(sim[d], pow)
			vote[y[d]] += s
			total += s
		}
		return shares(vote, total)
	}
}

// shares divides a vote by its total, or spreads it evenly when nothing
// voted.
func shares(vote []float64, total float64) []float64 {
	for c := range vote {
		if total > 0 {
			vote[c] /= total
		} else {
			vote[c] = 1 / float64(len(vote))
		}
	}
	return vote
}

// fitNB returns the multinomial naive Bayes log-probabilities (up to a
// constant) of a text's features.
func fitNB(docs [][]string, y []int, nc int, alpha float64) func([]string) []float64 {
	vocab := map[string]int{}
	var counts [][]float64
	prior := make([]float64, nc)
	for i, d := range docs {
		prior[y[i]]++
		for _, t := range d {
			id, ok := vocab[t]
			if !ok {
				id = len(vocab)
				vocab[t] = id
				counts = append(counts, make([]float64, nc))
			}
			counts[id][y[i]]++
		}
	}
	total := make([]float64, nc)
	for _, row := range counts {
		for c, v := range row {
			total[c] += v
		}
	}
	for c := range prior {
		prior[c] = math.Log(prior[c] / float64(len(docs)))
	}
	nv := float64(len(vocab))
	for _, row := range counts {
		for c := range row {
			row[c] = math.Log(row[c]+alpha) - math.Log(total[c]+alpha*nv)
		}
	}
	return func(terms []string) []float64 {
		s := slices.Clone(prior)
		for _, t := range terms {
			if id, ok := vocab[t]; ok {
				for c, v := range counts[id] {
					s[c] += v
				}
			}
		}
		return s
	}
}

// candidate is a model to select: a weighted sum of views' scores, each
// turned into log-probabilities by a softmax with a temperature fitted on
// 3-fold out-of-fold scores when calibrate is set (else raw scores).
type candidate struct {
	name      string
	views     []view
	weights   []float64 // nil: equal
	calibrate bool
	router    *RouterOptions // non-nil: TrainRouter with these options instead of views
}

// fit trains the candidate and returns its label predictor.
func (cd candidate) fit(an *analysis.Analyzer, train []Example, y []int, nc int, seed uint64) func(string) int {
	if cd.router != nil {
		o := *cd.router
		o.Analyzer, o.Seed = an, seed
		r, err := TrainRouter(train, &o)
		if err != nil {
			panic(err)
		}
		// train's labels are y: map the router's labels to them.
		idx := map[string]int{}
		for i, ex := range train {
			idx[ex.Label] = y[i]
		}
		return func(text string) int { return idx[r.Route(text).Label] }
	}
	scorers := make([]scorer, len(cd.views))
	temps := make([]float64, len(cd.views))
	for k, v := range cd.views {
		scorers[k] = v.fit(an, train, y, nc, seed)
		temps[k] = 1
		if !cd.calibrate || v.knn > 0 || v.bm25 > 0 {
			continue
		}
		const folds = 3
		margins := make([][]float64, len(train))
		for f := range folds {
			var sub []Example
			var suby []int
			for i := range train {
				if i%folds != f {
					sub = append(sub, train[i])
					suby = append(suby, y[i])
				}
			}
			sc := v.fit(an, sub, suby, nc, seed)
			for i := f; i < len(train); i += folds {
				margins[i] = sc(train[i].Text)
			}
		}
		temps[k] = fitTemperature(margins, y)
	}
	return func(text string) int {
		total := make([]float64, nc)
		for k, sc := range scorers {
			s := sc(text)
			if cd.calibrate && cd.views[k].knn == 0 && cd.views[k].bm25 == 0 {
				for c := range s {
					s[c] *= temps[k]
				}
				softmax(s)
			}
			wk := 1.0
			if cd.weights != nil {
				wk = cd.weights[k]
			}
			for c := range total {
				total[c] += wk * s[c]
			}
		}
		best := 0
		for c := range total {
			if total[c] > total[best] {
				best = c
			}
		}
		return best
	}
}

// labelIDs maps labels to 0..nc-1 in first-seen order.
func labelIDs(ex []Example) (map[string]int, int) {
	m := map[string]int{}
	for _, x := range ex {
		if _, ok := m[x.Label]; !ok {
			m[x.Label] = len(m)
		}
	}
	return m, len(m)
}

// crossValidate returns the k-fold accuracy of cd and its standard error
// (over examples).
func crossValidate(an *analysis.Analyzer, cd candidate, ex []Example, k int, seed uint64) (acc float64) {
	ids, nc := labelIDs(ex)
	fold := make([]int, len(ex))
	for i, p := range rand.New(rand.NewPCG(seed, 0xf01d)).Perm(len(ex)) {
		fold[p] = i % k
	}
	ok := 0
	for f := range k {
		var train []Example
		var y []int
		for i, x := range ex {
			if fold[i] != f {
				train = append(train, x)
				y = append(y, ids[x.Label])
			}
		}
		pred := cd.fit(an, train, y, nc, seed)
		for i, x := range ex {
			if fold[i] == f && pred(x.Text) == ids[x.Label] {
				ok++
			}
		}
	}
	return float64(ok) / float64(len(ex))
}

func devAccuracy(an *analysis.Analyzer, cd candidate, train, dev []Example, seed uint64) float64 {
	ids, nc := labelIDs(train)
	y := make([]int, len(train))
	for i, x := range train {
		y[i] = ids[x.Label]
	}
	pred := cd.fit(an, train, y, nc, seed)
	ok := 0
	for _, x := range dev {
		if c, known := ids[x.Label]; known && pred(x.Text) == c {
			ok++
		}
	}
	return float64(ok) / float64(len(dev))
}

func selectionCandidates() []candidate {
	l2 := tfidfOpts{norm: 2}
	out := []candidate{
		{name: "router-default", router: &RouterOptions{}},
		{name: "router-former-default", router: &RouterOptions{C: 2, Unbalanced: true, NoNeighbours: true}},
		{name: "router-unbalanced", router: &RouterOptions{Unbalanced: true}},
		{name: "router-no-neighbours", router: &RouterOptions{NoNeighbours: true}},
		{name: "router-unbalanced-no-neighbours", router: &RouterOptions{Unbalanced: true, NoNeighbours: true}},
		{name: "router-neighbours-20", router: &RouterOptions{Neighbours: 20}},
		{name: "router-weight-0.2", router: &RouterOptions{NeighbourWeight: 0.2}},
		{name: "router-weight-0.4", router: &RouterOptions{NeighbourWeight: 0.4}},
		{name: "router-C0.5", router: &RouterOptions{C: 0.5}},
		{name: "router-C0.7", router: &RouterOptions{C: 0.7}},
		{name: "router-C1.4", router: &RouterOptions{C: 1.4}},
		{name: "router-C2", router: &RouterOptions{C: 2}},
		{name: "router-naive-bayes", router: &RouterOptions{Model: NaiveBayes}},
	}
	terms := func(l learner) view { return view{feat: featTerms, tfidf: l2, learn: l} }
	add := func(name string, calibrate bool, vs ...view) {
		out = append(out, candidate{name: name, views: vs, calibrate: calibrate})
	}
	for _, c := range []float64{1, 2, 4} {
		add(fmt.Sprint("ovr-C", c), false, terms(learnOvR(c, 0)))
	}
	for _, c := range []float64{0.1, 0.2, 0.3, 0.5, 1, 2, 4, 8} {
		add(fmt.Sprint("cs-C", c), false, terms(learnCS(c, 0)))
	}
	for _, p := range []float64{0.25, 0.5, 1} {
		add(fmt.Sprint("ovr-C2-weighted", p), false, terms(learnOvR(2, p)))
		add(fmt.Sprint("cs-C2-weighted", p), false, terms(learnCS(2, p)))
	}
	for _, o := range []struct {
		name string
		o    tfidfOpts
	}{{"l1", tfidfOpts{norm: 1}}, {"none", tfidfOpts{}}, {"l2-raw", tfidfOpts{norm: 2, raw: true}}, {"l1-raw", tfidfOpts{norm: 1, raw: true}}} {
		add("ovr-C2-norm-"+o.name, false, view{feat: featTerms, tfidf: o.o, learn: learnOvR(2, 0)})
	}
	for _, b := range []uint32{1 << 12, 1 << 16, 0} {
		add(fmt.Sprint("ovr-C2-edges-hash", b), false, view{feat: featConcat(featTerms, featEdges(b)), tfidf: l2, learn: learnOvR(2, 0)})
	}
	for _, u := range []float64{0.5, 0.7, 1.4} {
		add(fmt.Sprint("ovr-C2-uni", u), false, view{feat: featTerms, tfidf: tfidfOpts{norm: 2, uni: u}, learn: learnOvR(2, 0)})
	}
	for _, p := range []float64{0.2, 0.5, 0.8} {
		add(fmt.Sprint("ovr-C2-pivot", p), false, view{feat: featTerms, tfidf: tfidfOpts{pivot: p}, learn: learnOvR(2, 0)})
	}
	add("bag-weighted+cs", true, terms(learnOvR(2, 1)), terms(learnCS(2, 0)))
	for _, k := range []int{10, 20} {
		for _, lam := range []float64{0.2, 0.3} {
			knn := view{feat: featTerms, tfidf: l2, knn: k}
			out = append(out,
				candidate{name: fmt.Sprintf("knn%d-%.1f-ovr", k, lam), views: []view{terms(learnOvR(2, 0)), knn}, weights: []float64{1 - lam, lam}, calibrate: true},
				candidate{name: fmt.Sprintf("knn%d-%.1f-ovrw", k, lam), views: []view{terms(learnOvR(2, 1)), knn}, weights: []float64{1 - lam, lam}, calibrate: true})
		}
	}
	for _, f := range []struct {
		name string
		f    featurizer
	}{{"terms+tri", featConcat(featTerms, featNgrams(3))}, {"ngram23", featNgrams(2, 3)}, {"ngram2", featNgrams(2)}} {
		knn := view{feat: f.f, tfidf: l2, knn: 10, pow: 4}
		out = append(out, candidate{name: "knn10-0.3-pow4-" + f.name + "-ovrw1", views: []view{terms(learnOvR(2, 1)), knn}, weights: []float64{0.7, 0.3}, calibrate: true})
	}
	for _, lam := range []float64{0.2, 0.3} {
		bm := view{feat: featTerms, bm25: 10}
		out = append(out,
			candidate{name: fmt.Sprintf("bm25knn10-%g-ovr", lam), views: []view{terms(learnOvR(2, 0)), bm}, weights: []float64{1 - lam, lam}, calibrate: true},
			candidate{name: fmt.Sprintf("bm25knn10-%g-ovrw1", lam), views: []view{terms(learnOvR(2, 1)), bm}, weights: []float64{1 - lam, lam}, calibrate: true})
	}
	for _, pow := range []float64{1, 4} {
		knn := view{feat: featTerms, tfidf: l2, knn: 10, pow: pow, gate: learnOvR(1, 1)}
		out = append(out, candidate{name: fmt.Sprintf("knn10-0.3-pow%g-svmgated-ovrw1-C1", pow), views: []view{terms(learnOvR(1, 1)), knn}, weights: []float64{0.7, 0.3}, calibrate: true})
	}
	out = append(out, candidate{name: "knn10-0.3-pow4-ovrw1-C1", views: []view{terms(learnOvR(1, 1)), {feat: featTerms, tfidf: l2, knn: 10, pow: 4}}, weights: []float64{0.7, 0.3}, calibrate: true})
	add("bagged10-ovr-C2", false, terms(learnBag(learnOvR(2, 0), 10)))
	add("bagged10-ovrw1-C2", false, terms(learnBag(learnOvR(2, 1), 10)))
	for _, c := range []float64{1, 4} {
		add(fmt.Sprint("ovr-weighted1-C", c), false, terms(learnOvR(c, 1)))
	}
	add("ovr-weighted0.75-C2", false, terms(learnOvR(2, 0.75)))
	for _, k := range []struct {
		k        int
		lam, pow float64
		power    float64
	}{{10, 0.3, 2, 1}, {10, 0.3, 4, 1}, {10, 0.3, 8, 1}, {20, 0.3, 4, 1}, {10, 0.4, 4, 1}, {10, 0.2, 4, 1}, {10, 0.3, 4, 0}} {
		knn := view{feat: featTerms, tfidf: l2, knn: k.k, pow: k.pow}
		out = append(out, candidate{name: fmt.Sprintf("knn%d-%g-pow%g-ovrw%g", k.k, k.lam, k.pow, k.power), views: []view{terms(learnOvR(2, k.power)), knn}, weights: []float64{1 - k.lam, k.lam}, calibrate: true})
	}
	tri := view{feat: featNgrams(3, 4), tfidf: l2, learn: learnOvR(2, 0)}
	nb := view{feat: featTerms, nb: 0.1}
	word := terms(learnOvR(2, 0))
	add("bag-tri34", false, tri)
	add("bag-word+tri34", true, word, tri)
	add("bag-word+nb", true, word, nb)
	add("bag-word+tri34+nb", true, word, tri, nb)
	add("bag-word+cs", true, word, terms(learnCS(2, 0)))
	for _, l := range []struct{ l1, l2 float64 }{{1e-4, 1e-5}, {3e-5, 1e-5}, {1e-5, 1e-5}, {0, 1e-5}, {1e-5, 1e-4}} {
		add(fmt.Sprintf("lr-l1=%g-l2=%g", l.l1, l.l2), false, terms(learnLR(l.l1, l.l2, 300)))
	}
	add("lr-l1=1e-05-l2=1e-05-1000it", false, terms(learnLR(1e-5, 1e-5, 1000)))
	add("lr-l1=0-l2=1e-05-1000it", false, terms(learnLR(0, 1e-5, 1000)))
	return out
}

// TestRouterSelection prints the cross-validated (and optionally dev)
// accuracy of the candidates named in $TECHBROKER_ROUTER_SELECT.
func TestRouterSelection(t *testing.T) {
	sel := os.Getenv("TECHBROKER_ROUTER_SELECT")
	if sel == "" {
		t.Skip("set TECHBROKER_ROUTER_SELECT to run the model selection")
	}
	train := cslTSV(t, "cls_ctg_train.tsv")
	var dev []Example
	if os.Getenv("TECHBROKER_ROUTER_DEV") != "" {
		dev = cslTSV(t, "cls_ctg_dev.tsv")
	}
	an := analysis.New(nil)
	cv := map[string]float64{}
	for _, cd := range selectionCandidates() {
		if sel != "all" && !slices.ContainsFunc(strings.Split(sel, ","), func(p string) bool {
			pre, ok := strings.CutSuffix(p, "*")
			return cd.name == p || ok && strings.HasPrefix(cd.name, pre)
		}) {
			continue
		}
		seed := uint64(1)
		if s := os.Getenv("TECHBROKER_ROUTER_SEED"); s != "" {
			if _, err := fmt.Sscan(s, &seed); err != nil {
				t.Fatal(err)
			}
		}
		acc := crossValidate(an, cd, train, 5, seed)
		cv[cd.name] = acc
		line := fmt.Sprintf("%-32s CV %.4f", cd.name, acc)
		if dev != nil {
			line += fmt.Sprintf("  dev %.4f", devAccuracy(an, cd, train, dev, 1))
		}
		t.Log(line)
	}
	// The default must stay within the noise of the best Router
	// configuration measured, and clearly above the former default.
	def, ok := cv["router-default"]
	if !ok {
		return
	}
	for name, acc := range cv {
		if strings.HasPrefix(name, "router-") && acc > def+0.005 {
			t.Errorf("%s: CV %.4f, more than 0.5 points above the default's %.4f", name, acc, def)
		}
	}
	if f, ok := cv["router-former-default"]; ok && def < f+0.003 {
		t.Errorf("default CV %.4f, want ≥ the former default's %.4f + 0.3 points", def, f)
	}
}

// TestLearnLRKKT checks the elastic-net logistic regression of the
// selection against its optimality conditions on csTiny: at the optimum
// each penalized weight wⱼ has gⱼ + λ₂wⱼ + λ₁ sign(wⱼ) = 0 when wⱼ ≠ 0 and
// |gⱼ| ≤ λ₁ when wⱼ = 0 (g the gradient of the mean log-loss), and the
// bias has gⱼ = 0.
func TestLearnLRKKT(t *testing.T) {
	xs, y := csTiny()
	const nc, nf, l1, l2 = 3, 2, 0.02, 0.01
	w := learnLR(l1, l2, 20000)(xs, y, nc, nf, 1)
	grad := make([]float64, len(w))
	for i, x := range xs {
		p := scoreW(w, nc, nf, x)
		softmax(p)
		p[y[i]]--
		for c := range nc {
			for k, f := range x.idx {
				grad[int(f)*nc+c] += p[c] * x.val[k] / float64(len(xs))
			}
			grad[nf*nc+c] += p[c] / float64(len(xs))
		}
	}
	zeros := 0
	for j, g := range grad {
		switch {
		case j >= nf*nc:
			if math.Abs(g) > 1e-6 {
				t.Errorf("bias %d: gradient %.2g, want 0", j-nf*nc, g)
			}
		case w[j] == 0:
			zeros++
			if math.Abs(g) > l1+1e-6 {
				t.Errorf("w[%d] = 0 with |gradient| %.4g > λ₁", j, math.Abs(g))
			}
		default:
			if r := g + l2*w[j] + math.Copysign(l1, w[j]); math.Abs(r) > 1e-6 {
				t.Errorf("w[%d] = %.4f: stationarity residual %.2g, want 0", j, w[j], r)
			}
		}
	}
	t.Logf("w = %.4f (%d zeros)", w, zeros)
}
