package routerselect

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
	"github.com/kexie/techbroker/matching/router"
	"github.com/kexie/techbroker/matching/textindex"
)

// The model selection of ROUTER_SOURCES.md: every candidate is scored by
// 5-fold cross-validation on cls_ctg_train.tsv (one seeded split, the
// same folds for all) and, for the finalists, once on cls_ctg_dev.tsv.
// It runs only when asked, as it trains hundreds of models (from bench/):
//
//	TECHBROKER_ROUTER_SELECT=all go test -run TestRouterSelection -v ./routerselect/
//	TECHBROKER_ROUTER_SELECT=cs-C1,ovr-C2 TECHBROKER_ROUTER_DEV=1 go test ...
//
// (a comma-separated list of candidate names; a trailing * matches a
// prefix).

// openCSL opens a file of the CSL sample from $TECHBROKER_CSL, else
// ../shared/data/csl beside the library's root, and skips the test when
// it is absent.
func openCSL(tb testing.TB, name string) *os.File {
	tb.Helper()
	dir := os.Getenv("TECHBROKER_CSL")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "csl")
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		tb.Skipf("CSL sample not found: %v", err)
	}
	return f
}

// cslTSV reads a labelled-titles file of the CSL sample, skipping when
// it is absent. It parses the file itself, as it did when it was an
// internal test of the library that could not import matching/eval, so
// that it reads the examples behind the figures of ROUTER_SOURCES.md.
func cslTSV(tb testing.TB, name string) []router.Example {
	tb.Helper()
	f := openCSL(tb, name)
	defer f.Close()
	var out []router.Example
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if len(c) != 3 || c[0] == "task" {
			continue
		}
		out = append(out, router.Example{Text: c[1], Label: c[2]})
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
	// binary sets every present feature to 1 (before idf, weights and
	// norm, which noIDF and norm 0 turn off).
	binary bool
	// ngram, when > 0, weighs the CJK n-gram features of featNgrams
	// (names "n:...") by this factor.
	ngram float64
	// bm25 replaces the tf factor by BM25's saturated, length-normalized
	// tf·(k1+1)/(tf + k1·(1 − b + b·len/avglen)), k1 = 1.2, b = 0.75
	// (S. E. Robertson, H. Zaragoza, "The Probabilistic Relevance
	// Framework: BM25 and Beyond", 2009).
	bm25 bool
}

type vectorizer struct {
	o          tfidfOpts
	vocab      map[string]int32
	idf        []float64
	single     []bool  // the term is one rune
	gram       []bool  // the term is a featNgrams n-gram
	avgUnique  float64 // mean number of distinct terms per document
	pivotScale float64 // mean l2 norm of the unnormalized vectors
	avgLen     float64 // mean number of terms per document
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
	v.gram = make([]bool, len(df))
	for t, d := range df {
		v.idf[t] = math.Log(float64(1+len(docs))/(1+d)) + 1
		sum += d
	}
	for t, id := range v.vocab {
		v.single[id] = utf8.RuneCountInString(t) == 1
		v.gram[id] = len(t) > 2 && t[0] >= '1' && t[0] <= '9' && t[1] == ':'
	}
	v.avgUnique = max(sum/float64(len(docs)), 1)
	for _, d := range docs {
		v.avgLen += float64(len(d)) / float64(len(docs))
	}
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
		switch {
		case v.o.bm25:
			const k1, b = 1.2, 0.75
			tf = tf * (k1 + 1) / (tf + k1*(1-b+b*float64(len(terms))/max(v.avgLen, 1)))
		case v.o.binary:
			tf = 1
		case !v.o.raw:
			tf = 1 + math.Log(tf)
		}
		if !v.o.noIDF {
			tf *= v.idf[t]
		}
		if v.o.uni > 0 && v.single[t] {
			tf *= v.o.uni
		}
		if v.o.ngram > 0 && v.gram[t] {
			tf *= v.o.ngram
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

// learnNBSVM is the one-vs-rest NBSVM of S. Wang, C. D. Manning,
// "Baselines and Bigrams: Simple, Good Sentiment and Topic
// Classification", ACL 2012 (§2.3): for label k, the features are scaled
// by the log-count ratio r = log((p/‖p‖₁)/(q/‖q‖₁)), p = α + Σ_{y=k} f,
// q = α + Σ_{y≠k} f (f the feature vectors, or their presence when
// binR), an SVM is trained on x∘r, and its weights are interpolated,
// w' = (1−β)·mean(|w|) + β·w. The returned weights act on x: w'∘r.
// Label k's positive examples cost C·(n/(nc·n_k))^power.
func learnNBSVM(c, power, beta, alpha float64, binR bool) learner {
	return func(xs []sparseVec, y []int, nc, nf int, seed uint64) []float64 {
		costs := classCosts(y, nc, c, power)
		w := make([]float64, (nf+1)*nc)
		sign := make([]float64, len(xs))
		row := make([]float64, nf+1)
		scaled := make([]sparseVec, len(xs))
		for k := range nc {
			r := nbRatio(xs, y, k, nf, alpha, binR)
			for i, x := range xs {
				sign[i] = -1
				if y[i] == k {
					sign[i] = 1
				}
				v := make([]float64, len(x.val))
				for j, t := range x.idx {
					v[j] = x.val[j] * r[t]
				}
				scaled[i] = sparseVec{idx: x.idx, val: v}
			}
			clear(row)
			svmDualCD(scaled, sign, costs[k], c, 0.1, rand.New(rand.NewPCG(seed, uint64(k))), row)
			mean := 0.0
			for _, v := range row[:nf] {
				mean += math.Abs(v)
			}
			mean /= float64(nf)
			for t := range nf {
				w[t*nc+k] = ((1-beta)*mean + beta*row[t]) * r[t]
			}
			w[nf*nc+k] = row[nf]
		}
		return w
	}
}

// nbRatio returns label k's log-count ratio per feature,
// log((p/‖p‖₁)/(q/‖q‖₁)) with p = α + Σ_{y=k} f, q = α + Σ_{y≠k} f, f
// the feature values of xs (or 1 for each present feature when bin).
func nbRatio(xs []sparseVec, y []int, k, nf int, alpha float64, bin bool) []float64 {
	p, q := make([]float64, nf), make([]float64, nf)
	for t := range nf {
		p[t], q[t] = alpha, alpha
	}
	for i, x := range xs {
		side := q
		if y[i] == k {
			side = p
		}
		for j, t := range x.idx {
			f := x.val[j]
			if bin {
				f = 1
			}
			side[t] += f
		}
	}
	sp, sq := 0.0, 0.0
	for t := range nf {
		sp += p[t]
		sq += q[t]
	}
	r := make([]float64, nf)
	for t := range nf {
		r[t] = math.Log(p[t]/sp) - math.Log(q[t]/sq)
	}
	return r
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
	// simGate, with knn, appends to the vote the vote times the nearest
	// example's similarity (so that a stacked regression can trust the
	// vote by how near the neighbours are).
	simGate bool
	// classMax, with knn, appends to the vote each label's largest
	// similarity over all its training examples (a nearest example per
	// label, whatever k).
	classMax bool
}

// scorer returns per-label scores of a text: margins or log-probabilities.
type scorer func(text string) []float64

func (v view) fit(an *analysis.Analyzer, train []router.Example, y []int, nc int, seed uint64) scorer {
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
		vote := fitKNN(xs, y, nc, nf, v.knn, v.pow, v.simGate, v.classMax)
		return func(text string) []float64 { return vote(reweigh(vz.vec(v.feat(an, text)))) }
	}
	w := v.learn(xs, y, nc, nf, seed)
	return func(text string) []float64 { return scoreW(w, nc, nf, vz.vec(v.feat(an, text))) }
}

// fitKNN returns the label vote of the k training vectors with the
// largest dot products (cosines, for unit vectors) with a query, each
// weighted by its similarity^pow, as a distribution.
func fitKNN(xs []sparseVec, y []int, nc, nf, k int, pow float64, simGate, classMax bool) func(sparseVec) []float64 {
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
		vote = shares(vote, total)
		if simGate {
			s1 := 0.0
			if len(touched) > 0 {
				s1 = sim[touched[0]]
			}
			for c := range nc {
				vote = append(vote, vote[c]*s1)
			}
		}
		if classMax {
			best := make([]float64, nc)
			for _, d := range touched {
				best[y[d]] = max(best[y[d]], sim[d])
			}
			vote = append(vote, best...)
		}
		return vote
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
	opts      *router.Options // non-nil: router.Train with these options instead of views
	// offsets adds to the combined scores per-label offsets tuned for
	// accuracy on out-of-fold combined scores (folds of the training
	// set only).
	offsets bool
	// stack replaces the weighted sum by a multinomial logistic
	// regression (ridge λ = stack) over the views' raw scores (margins,
	// votes) fitted on out-of-fold scores of the training set.
	stack float64
	// zstack standardizes the stacked scores (on the out-of-fold ones).
	zstack bool
	// logVotes stacks the kNN views' votes v as log(v + 0.01) (a learned
	// product rule rather than a sum).
	logVotes bool
}

// innerFolds is the number of folds of the training set whose
// out-of-fold scores tune offsets and stacking.
const innerFolds = 5

// fit trains the candidate and returns its label predictor.
func (cd candidate) fit(an *analysis.Analyzer, train []router.Example, y []int, nc int, seed uint64) func(string) int {
	var score func(string) []float64
	switch {
	case cd.stack > 0:
		score = cd.fitStacked(an, train, y, nc, seed)
	case cd.offsets:
		inner := cd
		inner.offsets = false
		oof, _ := outOfFold(train, y, innerFolds, func(sub []router.Example, suby []int) func(string) []float64 {
			return inner.fitScores(an, sub, suby, nc, seed)
		})
		off := tuneOffsets(oof, y, nc)
		base := inner.fitScores(an, train, y, nc, seed)
		score = func(text string) []float64 {
			s := base(text)
			for c := range s {
				s[c] += off[c]
			}
			return s
		}
	default:
		score = cd.fitScores(an, train, y, nc, seed)
	}
	return func(text string) int { return argmax(score(text)) }
}

func argmax(s []float64) int {
	best := 0
	for c := range s {
		if s[c] > s[best] {
			best = c
		}
	}
	return best
}

// outOfFold returns each training example's scores from a model fitted
// (by fit) on the other folds (example i in fold i mod k), and each
// example's fold.
func outOfFold(train []router.Example, y []int, k int, fit func([]router.Example, []int) func(string) []float64) ([][]float64, []int) {
	out := make([][]float64, len(train))
	fold := make([]int, len(train))
	for f := range k {
		var sub []router.Example
		var suby []int
		for i := range train {
			if i%k != f {
				sub = append(sub, train[i])
				suby = append(suby, y[i])
			}
		}
		sc := fit(sub, suby)
		for i := f; i < len(train); i += k {
			out[i], fold[i] = sc(train[i].Text), f
		}
	}
	return out, fold
}

// tuneOffsets returns per-label offsets b maximizing the accuracy of
// argmax(sᵢ + b) by coordinate ascent over a grid (3 rounds; ties keep
// the offset of least magnitude).
func tuneOffsets(s [][]float64, y []int, nc int) []float64 {
	off := make([]float64, nc)
	acc := func() int {
		ok := 0
		for i, si := range s {
			best, bv := 0, math.Inf(-1)
			for c, v := range si {
				if v+off[c] > bv {
					best, bv = c, v+off[c]
				}
			}
			if best == y[i] {
				ok++
			}
		}
		return ok
	}
	cur := acc()
	for range 3 {
		changed := false
		for c := range nc {
			keep, bestB := cur, off[c]
			for g := -30; g <= 30; g++ {
				b := float64(g) / 100
				off[c] = b
				if a := acc(); a > keep || a == keep && math.Abs(b) < math.Abs(bestB) {
					keep, bestB = a, b
				}
			}
			if bestB != off[c] {
				changed = changed || keep > cur
			}
			off[c], cur = bestB, keep
		}
		if !changed {
			break
		}
	}
	return off
}

// fitStacked fits the views on the whole training set and a multinomial
// logistic regression over their concatenated raw scores on out-of-fold
// scores, and returns the regression's log-probabilities.
func (cd candidate) fitStacked(an *analysis.Analyzer, train []router.Example, y []int, nc int, seed uint64) func(string) []float64 {
	raw := func(sub []router.Example, suby []int) func(string) []float64 {
		scs := make([]scorer, len(cd.views))
		for k, v := range cd.views {
			scs[k] = v.fit(an, sub, suby, nc, seed)
		}
		return func(text string) []float64 {
			var out []float64
			for k, sc := range scs {
				s := sc(text)
				if v := cd.views[k]; cd.logVotes && (v.knn > 0 || v.bm25 > 0) {
					for c := range s {
						s[c] = math.Log(s[c] + 0.01)
					}
				}
				out = append(out, s...)
			}
			return out
		}
	}
	oof, _ := outOfFold(train, y, innerFolds, raw)
	nf := len(oof[0])
	// With zstack, each feature standardized (mean 0, variance 1 on the
	// out-of-fold scores), for the solver's sake.
	mean, scale := make([]float64, nf), make([]float64, nf)
	if !cd.zstack {
		for j := range scale {
			scale[j] = 1
		}
	}
	for _, f := range oof {
		for j, v := range f {
			if cd.zstack {
				mean[j] += v / float64(len(oof))
			}
		}
	}
	for _, f := range oof {
		for j, v := range f {
			if cd.zstack {
				scale[j] += (v - mean[j]) * (v - mean[j]) / float64(len(oof))
			}
		}
	}
	for j := range scale {
		if cd.zstack {
			scale[j] = 1 / max(math.Sqrt(scale[j]), 1e-9)
		}
	}
	std := func(f []float64) sparseVec {
		for j := range f {
			f[j] = (f[j] - mean[j]) * scale[j]
		}
		return denseVec(f)
	}
	xs := make([]sparseVec, len(oof))
	for i, f := range oof {
		xs[i] = std(f)
	}
	// FISTA as in the first round of 2026-11-27; with $STACK_LBFGS set,
	// the library's L-BFGS fit (fitStack) of the same problem.
	var w []float64
	if os.Getenv("STACK_LBFGS") != "" {
		dense := make([][]float64, len(xs))
		for i, x := range xs {
			dense[i] = x.val
		}
		w = fitStack(dense, y, nc, cd.stack, stackTolerance).w
	} else {
		w = learnLR(0, cd.stack, 1000)(xs, y, nc, nf, seed)
	}
	full := raw(train, y)
	return func(text string) []float64 { return scoreW(w, nc, nf, std(full(text))) }
}

func denseVec(f []float64) sparseVec {
	x := sparseVec{idx: make([]int32, len(f)), val: f}
	for j := range f {
		x.idx[j] = int32(j)
	}
	return x
}

// fitScores trains the candidate and returns its combined label scores.
func (cd candidate) fitScores(an *analysis.Analyzer, train []router.Example, y []int, nc int, seed uint64) func(string) []float64 {
	if cd.opts != nil {
		o := *cd.opts
		o.Analyzer, o.Seed = an, seed
		r, err := router.Train(train, &o)
		if err != nil {
			panic(err)
		}
		// train's labels are y: map the router's labels to them.
		idx := map[string]int{}
		for i, ex := range train {
			idx[ex.Label] = y[i]
		}
		return func(text string) []float64 {
			s := make([]float64, nc)
			for _, ls := range r.Route(text).Scores {
				s[idx[ls.Label]] = ls.Score
			}
			return s
		}
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
		margins, _ := outOfFold(train, y, folds, func(sub []router.Example, suby []int) func(string) []float64 {
			return v.fit(an, sub, suby, nc, seed)
		})
		temps[k] = fitTemperature(margins, y)
	}
	return func(text string) []float64 {
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
		return total
	}
}

// labelIDs maps labels to 0..nc-1 in first-seen order.
func labelIDs(ex []router.Example) (map[string]int, int) {
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
func crossValidate(an *analysis.Analyzer, cd candidate, ex []router.Example, k int, seed uint64) (acc float64) {
	ids, nc := labelIDs(ex)
	fold := make([]int, len(ex))
	for i, p := range rand.New(rand.NewPCG(seed, 0xf01d)).Perm(len(ex)) {
		fold[p] = i % k
	}
	ok := 0
	for f := range k {
		var train []router.Example
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

func devAccuracy(an *analysis.Analyzer, cd candidate, train, dev []router.Example, seed uint64) float64 {
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
		{name: "router-default", opts: &router.Options{}},
		{name: "router-former-default", opts: &router.Options{C: 2, Unbalanced: true, NoNeighbours: true}},
		{name: "router-unbalanced", opts: &router.Options{Unbalanced: true}},
		{name: "router-no-neighbours", opts: &router.Options{NoNeighbours: true}},
		{name: "router-unbalanced-no-neighbours", opts: &router.Options{Unbalanced: true, NoNeighbours: true}},
		{name: "router-neighbours-20", opts: &router.Options{Neighbours: 20}},
		{name: "router-mix-0.3", opts: &router.Options{NeighbourWeight: 0.3}},
		{name: "router-weight-0.2", opts: &router.Options{NeighbourWeight: 0.2}},
		{name: "router-weight-0.4", opts: &router.Options{NeighbourWeight: 0.4}},
		{name: "router-C0.5", opts: &router.Options{C: 0.5}},
		{name: "router-C0.7", opts: &router.Options{C: 0.7}},
		{name: "router-C1.4", opts: &router.Options{C: 1.4}},
		{name: "router-C2", opts: &router.Options{C: 2}},
		{name: "router-naive-bayes", opts: &router.Options{Model: router.NaiveBayes}},
		{name: "router-balanced", opts: &router.Options{Balanced: true}},
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
	// 2026-11-27: NBSVM, CJK trigrams in the same vector, per-label
	// offsets, stacking, kNN retuned (issue 5).
	// Their baseline is knn10-0.3-pow4-ovrw1-C1, the harness's form of
	// the default (balanced SVM, C = 1, mixed 0.7 : 0.3 with the cosine
	// kNN vote, k 10, sim⁴).
	knn4 := view{feat: featTerms, tfidf: l2, knn: 10, pow: 4}
	mix := func(name string, v view) {
		out = append(out, candidate{name: name, views: []view{v, knn4}, weights: []float64{0.7, 0.3}, calibrate: true})
	}
	for _, c := range []float64{0.1, 0.3, 1} {
		for _, beta := range []float64{0.25, 1} {
			add(fmt.Sprintf("nbsvm-C%g-b%g", c, beta), false, terms(learnNBSVM(c, 1, beta, 1, true)))
			add(fmt.Sprintf("nbsvm-bin-C%g-b%g", c, beta), false, view{feat: featTerms, tfidf: tfidfOpts{binary: true, noIDF: true}, learn: learnNBSVM(c, 1, beta, 1, true)})
			add(fmt.Sprintf("nbsvm-binl2-C%g-b%g", c, beta), false, view{feat: featTerms, tfidf: tfidfOpts{binary: true, noIDF: true, norm: 2}, learn: learnNBSVM(c, 1, beta, 1, true)})
			add(fmt.Sprintf("nbsvm-valr-C%g-b%g", c, beta), false, terms(learnNBSVM(c, 1, beta, 1, false)))
		}
	}
	for _, c := range []float64{0.1, 0.3, 1} {
		for _, beta := range []float64{0.25, 0.5, 1} {
			mix(fmt.Sprintf("mix-nbsvm-C%g-b%g", c, beta), terms(learnNBSVM(c, 1, beta, 1, true)))
			mix(fmt.Sprintf("mix-nbsvm-binl2-C%g-b%g", c, beta), view{feat: featTerms, tfidf: tfidfOpts{binary: true, noIDF: true, norm: 2}, learn: learnNBSVM(c, 1, beta, 1, true)})
		}
	}
	triFeat := featConcat(featTerms, featNgrams(3))
	for _, g := range []float64{0.3, 0.5, 0.7, 1} {
		vt := view{feat: triFeat, tfidf: tfidfOpts{norm: 2, ngram: g}, learn: learnOvR(1, 1)}
		kt := view{feat: triFeat, tfidf: tfidfOpts{norm: 2, ngram: g}, knn: 10, pow: 4}
		out = append(out,
			candidate{name: fmt.Sprintf("mix-tri%g-ovrw1-C1", g), views: []view{vt, kt}, weights: []float64{0.7, 0.3}, calibrate: true},
			candidate{name: fmt.Sprintf("mix-tri%g-svmonly-ovrw1-C1", g), views: []view{vt, knn4}, weights: []float64{0.7, 0.3}, calibrate: true})
	}
	out = append(out,
		candidate{name: "router-default-offsets", opts: &router.Options{}, offsets: true},
		candidate{name: "router-no-neighbours-offsets", opts: &router.Options{NoNeighbours: true}, offsets: true})
	for _, l := range []float64{1e-5, 1e-4, 1e-3} {
		out = append(out, candidate{name: fmt.Sprintf("stack-ovrw1-C1+knn-l2=%g", l), views: []view{terms(learnOvR(1, 1)), knn4}, stack: l})
	}
	for _, l := range []float64{1e-4, 1e-3} {
		out = append(out,
			candidate{name: fmt.Sprintf("stackz-ovrw1-C1+knn-l2=%g", l), views: []view{terms(learnOvR(1, 1)), knn4}, stack: l, zstack: true},
			candidate{name: fmt.Sprintf("stackz-wide-l2=%g", l), views: []view{terms(learnOvR(1, 1)), knn4, terms(learnNBSVM(0.3, 1, 1, 1, true)), tri, {feat: featTerms, nb: 0.1}}, stack: l, zstack: true})
	}
	for _, k := range []struct {
		name string
		v    []view
	}{
		{"k10+k30pow1", []view{knn4, {feat: featTerms, tfidf: l2, knn: 30, pow: 1}}},
		{"k10+k3", []view{knn4, {feat: featTerms, tfidf: l2, knn: 3, pow: 4}}},
		{"k5", []view{{feat: featTerms, tfidf: l2, knn: 5, pow: 4}}},
		{"k20", []view{{feat: featTerms, tfidf: l2, knn: 20, pow: 4}}},
		{"k10+nb", []view{knn4, {feat: featTerms, nb: 0.1}}},
		{"k10gated", []view{{feat: featTerms, tfidf: l2, knn: 10, pow: 4, simGate: true}}},
		{"k10gated+k30pow1", []view{{feat: featTerms, tfidf: l2, knn: 10, pow: 4, simGate: true}, {feat: featTerms, tfidf: l2, knn: 30, pow: 1}}},
		{"k10classmax", []view{{feat: featTerms, tfidf: l2, knn: 10, pow: 4, classMax: true}}},
	} {
		out = append(out, candidate{name: "stack2-" + k.name, views: append([]view{terms(learnOvR(1, 1))}, k.v...), stack: 1e-4})
	}
	out = append(out, candidate{name: "stack-log-ovrw1-C1+knn-l2=1e-4", views: []view{terms(learnOvR(1, 1)), knn4}, stack: 1e-4, logVotes: true})
	out = append(out, candidate{name: "stack-ovrw1-C1+knn+bm25-l2=1e-4", views: []view{terms(learnOvR(1, 1)), knn4, {feat: featTerms, bm25: 10}}, stack: 1e-4})
	for _, k := range []struct {
		k        int
		lam, pow float64
	}{{10, 0.3, 3}, {10, 0.3, 6}, {15, 0.3, 4}, {15, 0.35, 6}, {7, 0.3, 4}, {10, 0.35, 4}, {10, 0.25, 4}} {
		out = append(out, candidate{name: fmt.Sprintf("knn%d-%g-pow%g-ovrw1-C1", k.k, k.lam, k.pow), views: []view{terms(learnOvR(1, 1)), {feat: featTerms, tfidf: l2, knn: k.k, pow: k.pow}}, weights: []float64{1 - k.lam, k.lam}, calibrate: true})
	}
	for _, o := range []struct {
		name string
		o    tfidfOpts
	}{{"bin-idf", tfidfOpts{binary: true, norm: 2}}, {"raw", tfidfOpts{raw: true, norm: 2}}, {"noidf", tfidfOpts{noIDF: true, norm: 2}}, {"bm25w", tfidfOpts{bm25: true, norm: 2}}} {
		out = append(out, candidate{name: "knn10-0.3-pow4-" + o.name + "-ovrw1-C1", views: []view{terms(learnOvR(1, 1)), {feat: featTerms, tfidf: o.o, knn: 10, pow: 4}}, weights: []float64{0.7, 0.3}, calibrate: true})
	}
	bw := tfidfOpts{bm25: true, norm: 2}
	out = append(out, candidate{name: "knn10-0.3-pow4-bm25w-both-ovrw1-C1", views: []view{{feat: featTerms, tfidf: bw, learn: learnOvR(1, 1)}, {feat: featTerms, tfidf: bw, knn: 10, pow: 4}}, weights: []float64{0.7, 0.3}, calibrate: true})
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
	var dev []router.Example
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

// TestNBRatio checks the log-count ratios of learnNBSVM against hand
// computation on three examples (α = 1), for label 0: with presence
// counts p = (1+2, 1+1), q = (1+0, 1+1), so r = (ln((3/5)/(1/3)),
// ln((2/5)/(2/3))) = (ln 9/5, ln 3/5); with the feature values
// p = (1+0.5+1, 1+2), q = (1, 1+3), so r = (ln 25/11, ln 15/22).
func TestNBRatio(t *testing.T) {
	xs := []sparseVec{
		{idx: []int32{0}, val: []float64{0.5}},
		{idx: []int32{0, 1}, val: []float64{1, 2}},
		{idx: []int32{1}, val: []float64{3}},
	}
	y := []int{0, 0, 1}
	tests := []struct {
		bin  bool
		want []float64
	}{
		{true, []float64{math.Log(9.0 / 5), math.Log(3.0 / 5)}},
		{false, []float64{math.Log(25.0 / 11), math.Log(15.0 / 22)}},
	}
	for _, tt := range tests {
		got := nbRatio(xs, y, 0, 2, 1, tt.bin)
		for j := range got {
			if math.Abs(got[j]-tt.want[j]) > 1e-12 {
				t.Errorf("bin = %v: got r = %.6f, want %.6f", tt.bin, got, tt.want)
				break
			}
		}
	}
}

// TestLearnNBSVMInterpolation checks the interpolation of Wang and
// Manning's NBSVM: with β = 0 every weight of a label is the same
// positive multiple (the mean |w| of the SVM) of its log-count ratio, and
// the weights are affine in β (the SVM itself does not depend on β).
func TestLearnNBSVMInterpolation(t *testing.T) {
	xs, y := csTiny()
	// csTiny has negative values; the ratios need non-negative features.
	for i := range xs {
		v := make([]float64, len(xs[i].val))
		for j, x := range xs[i].val {
			v[j] = math.Abs(x)
		}
		xs[i].val = v
	}
	const nc, nf = 3, 2
	// Every point has both features, so the ratios of the values, not
	// of the presence (all 0 here), are the informative ones.
	w0 := learnNBSVM(1, 1, 0, 1, false)(xs, y, nc, nf, 1)
	w1 := learnNBSVM(1, 1, 1, 1, false)(xs, y, nc, nf, 1)
	wh := learnNBSVM(1, 1, 0.25, 1, false)(xs, y, nc, nf, 1)
	for k := range nc {
		r := nbRatio(xs, y, k, nf, 1, false)
		m := w0[0*nc+k] / r[0]
		if !(m > 0) {
			t.Errorf("label %d: β = 0 weight / ratio = %.4g, want > 0", k, m)
		}
		for f := range nf {
			if got := w0[f*nc+k]; math.Abs(got-m*r[f]) > 1e-12 {
				t.Errorf("label %d, feature %d: β = 0 weight %.6f, want %.6f (mean |w| · r)", k, f, got, m*r[f])
			}
		}
	}
	for j := range wh {
		if want := 0.75*w0[j] + 0.25*w1[j]; math.Abs(wh[j]-want) > 1e-12 {
			t.Errorf("w[%d] at β = 0.25: got %.6f, want %.6f", j, wh[j], want)
		}
	}
}

// TestTuneOffsets checks the per-label offsets on scores where label 1
// loses two of its examples by margins 0.2 and 0.1: the offsets must make
// every prediction right, and scores already right need no offset.
func TestTuneOffsets(t *testing.T) {
	s := [][]float64{{0.6, 0.4}, {0.55, 0.45}, {0.9, 0.1}}
	y := []int{1, 1, 0}
	off := tuneOffsets(s, y, 2)
	for i, si := range s {
		if got := argmax([]float64{si[0] + off[0], si[1] + off[1]}); got != y[i] {
			t.Errorf("example %d with offsets %.2f: got label %d, want %d", i, off, got, y[i])
		}
	}
	if off := tuneOffsets(s[2:], y[2:], 2); off[0] != 0 || off[1] != 0 {
		t.Errorf("offsets for right predictions: got %.2f, want zeros", off)
	}
}
