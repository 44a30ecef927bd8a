package router

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/textindex"
)

// Example is a labelled text for training a Router: an achievement's title
// (or title and abstract) and the industry broker that took it.
type Example struct {
	Text  string
	Label string
}

// Model names the classifier of a Router.
type Model uint8

// Router models.
const (
	// AutoModel, the zero value, is LinearSVM, except NaiveBayes when a
	// naive Bayes option (Alpha, Complement, Binary) is set or
	// when there are fewer than 30 examples, too few to calibrate the
	// SVM's probabilities.
	AutoModel Model = iota
	// LinearSVM is one-vs-rest linear support vector machines
	// (L2-regularized, squared hinge loss, trained by dual coordinate
	// descent) over sublinear TF-IDF vectors of unit length, combined
	// with the label vote of the 10 training examples nearest by cosine. A multinomial logistic regression over
	// the margins and the vote, fitted on their out-of-fold values
	// (5 folds), turns them into probabilities (stacking); with a fixed
	// NeighbourWeight, or under 50 examples, the probabilities are
	// instead a softmax of the margins, its temperature fitted on
	// out-of-fold margins, mixed with the vote in fixed shares.
	LinearSVM
	// NaiveBayes is multinomial (or complement) naive Bayes, optionally
	// mixed with a kNN vote.
	NaiveBayes
)

// Options configure a Router. Nil or zero values mean defaults.
type Options struct {
	// Analyzer for the texts (default analysis.New(nil)).
	Analyzer *analysis.Analyzer
	// Model is the classifier (default AutoModel).
	Model Model
	// C is the LinearSVM's cost of a margin violation, the inverse of the
	// regularization strength (default 1, chosen by 5-fold
	// cross-validation on the CSL training titles).
	C float64
	// Seed seeds the LinearSVM's coordinate order and its stacking or
	// calibration folds.
	Seed uint64
	// Unbalanced gives every LinearSVM example the same cost C, and
	// Balanced gives the examples of a label the cost C·n/(L·n_label) in
	// their own label's one-vs-rest problem (n examples, L labels,
	// n_label of the label) and C in the others', so that rare labels are
	// not drowned by common ones. Setting both is an error. By default
	// the costs are balanced when the margins and the neighbour vote are
	// mixed in fixed shares, and equal when their combination is learned
	// (stacked): its regression learns each label's bias itself, and
	// equal costs gave it better accuracy (ROUTER_SOURCES.md in
	// bench/routerselect). Naive Bayes ignores both.
	Unbalanced bool
	Balanced   bool
	// Alpha is the additive (Lidstone) smoothing of the naive Bayes term
	// counts (default 0.1).
	Alpha float64
	// Neighbours is the k of the kNN part, whose label vote is mixed into
	// either model's probabilities. For the LinearSVM (default 10) the
	// neighbours are the training examples whose TF-IDF vectors are
	// nearest by cosine, each voting with its cosine to the fourth power.
	// For naive Bayes (default 0: none) they are found by a BM25 search
	// of the training texts, each voting with its score; that makes
	// Route much slower.
	Neighbours int
	// NoNeighbours turns the kNN part off (for the LinearSVM, whose
	// default has it).
	NoNeighbours bool
	// NeighbourWeight is the share, 0..1, of the kNN distribution in the
	// combined scores. For naive Bayes the default is 0.5. For the
	// LinearSVM the default, 0, learns the combination instead (see
	// [LinearSVM]); with fewer than 50 examples it is 0.3.
	NeighbourWeight float64
	// Complement uses complement naive Bayes (Rennie et al., "Tackling
	// the Poor Assumptions of Naive Bayes Text Classifiers", ICML 2003),
	// which estimates each label's term weights from the examples of all
	// other labels and copes better with unbalanced labels.
	Complement bool
	// Binary counts a term once per example (presence), not per
	// occurrence.
	Binary bool
	// Threshold is the confidence under which a routing needs a person
	// (default 0.5).
	Threshold float64
}

// LabelScore is one label's score, a probability.
type LabelScore struct {
	Label string
	Score float64
}

// Routing is the router's answer for one text.
type Routing struct {
	// Scores of every label, best first, summing to 1.
	Scores []LabelScore
	// Label is the best label, Confidence its score.
	Label      string
	Confidence float64
	// NeedsPerson is true when Confidence is under the threshold: a
	// person should decide.
	NeedsPerson bool
}

// Router classifies a text (a new achievement) to the industry brokers
// best suited for it. By default it is a one-vs-rest linear SVM over
// sublinear TF-IDF vectors of the analyzer's terms, combined with the vote
// of the nearest training examples (see [LinearSVM]); the alternative is
// multinomial naive Bayes, optionally combined with a k-nearest-neighbour
// vote over a BM25 index of the training texts. It is immutable and safe
// for concurrent use.
type Router struct {
	an         *analysis.Analyzer
	labels     []string
	labelIndex map[string]int
	logPrior   []float64
	vocab      map[string]int32
	logProb    []float64 // term*C + class
	knn        *textindex.Index
	knnLabel   []int // doc index -> class
	k          int
	lambda     float64
	threshold  float64
	complement bool
	binary     bool
	lin        *linearModel // the LinearSVM model; nil for naive Bayes
}

// The engine of package matching takes a Router for its category signal
// (matching.Options.Categorizer).
var _ matching.Categorizer = (*Router)(nil)

// Train trains a Router on labelled examples.
func Train(examples []Example, opts *Options) (*Router, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Analyzer == nil {
		o.Analyzer = analysis.New(nil)
	}
	nbOnly := o.Alpha != 0 || o.Complement || o.Binary
	switch {
	case o.Model == AutoModel && (nbOnly || len(examples) < 10*calibrationFolds):
		o.Model = NaiveBayes
	case o.Model == AutoModel:
		o.Model = LinearSVM
	case o.Model == LinearSVM && nbOnly:
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: "Alpha, Complement and Binary need Model = NaiveBayes"}
	}
	if o.Alpha == 0 {
		o.Alpha = 0.1
	}
	if o.C == 0 {
		o.C = 1
	}
	if o.Threshold == 0 {
		o.Threshold = 0.5
	}
	if o.Model == LinearSVM && o.Neighbours == 0 {
		o.Neighbours = 10
	}
	if o.NoNeighbours {
		o.Neighbours = 0
	}
	if o.Neighbours > 0 && o.NeighbourWeight == 0 && o.Model == NaiveBayes {
		o.NeighbourWeight = 0.5
	}
	switch {
	case o.Unbalanced && o.Balanced:
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: "Unbalanced and Balanced both set, want at most one"}
	case o.Model > NaiveBayes:
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: fmt.Sprintf("Model = %d, want AutoModel, LinearSVM or NaiveBayes", o.Model)}
	case !(o.C > 0) || math.IsInf(o.C, 0):
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: fmt.Sprintf("C = %v, want > 0", o.C)}
	case o.Alpha < 0 || math.IsNaN(o.Alpha) || math.IsInf(o.Alpha, 0):
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: fmt.Sprintf("Alpha = %v, want > 0", o.Alpha)}
	case o.Neighbours < 0:
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: fmt.Sprintf("Neighbours = %d, want ≥ 0", o.Neighbours)}
	case o.NeighbourWeight < 0 || o.NeighbourWeight > 1 || math.IsNaN(o.NeighbourWeight):
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: fmt.Sprintf("NeighbourWeight = %v, want 0..1", o.NeighbourWeight)}
	case o.Threshold < 0 || o.Threshold > 1 || math.IsNaN(o.Threshold):
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: fmt.Sprintf("Threshold = %v, want 0..1", o.Threshold)}
	}
	r := &Router{an: o.Analyzer, vocab: map[string]int32{}, k: o.Neighbours, lambda: o.NeighbourWeight, threshold: o.Threshold}
	classOf := map[string]int{}
	var docs []int
	var counts [][]float64 // class -> term -> count
	var terms [][]int32    // example -> term ids, for the LinearSVM
	var toks []analysis.Token
	for i, ex := range examples {
		if ex.Label == "" {
			return nil, &Error{Op: "train", Err: ErrInvalid, Msg: fmt.Sprintf("example %d has no label", i)}
		}
		c, ok := classOf[ex.Label]
		if !ok {
			c = len(r.labels)
			classOf[ex.Label] = c
			r.labels = append(r.labels, ex.Label)
			counts = append(counts, nil)
		}
		docs = append(docs, c)
		toks = r.an.AppendTokens(toks[:0], ex.Text)
		if o.Binary {
			toks = dedupTokens(toks)
		}
		var ids []int32
		if o.Model == LinearSVM {
			ids = make([]int32, 0, len(toks))
		}
		for _, tk := range toks {
			id, ok := r.vocab[tk.Term]
			if !ok {
				id = int32(len(r.vocab))
				r.vocab[tk.Term] = id
			}
			if ids != nil {
				ids = append(ids, id)
				continue
			}
			for int(id) >= len(counts[c]) {
				counts[c] = append(counts[c], 0)
			}
			counts[c][id]++
		}
		if ids != nil {
			terms = append(terms, ids)
		}
	}
	r.labelIndex = classOf
	if len(r.labels) < 2 {
		return nil, &Error{Op: "train", Err: ErrInvalid, Msg: fmt.Sprintf("%d labels, want at least 2", len(r.labels))}
	}
	if o.Model == LinearSVM {
		r.lin = trainLinear(terms, docs, len(r.labels), len(r.vocab), linearOptions{
			cost: o.C, unbalanced: o.Unbalanced, balanced: o.Balanced, neighbours: o.Neighbours, lambda: o.NeighbourWeight, seed: o.Seed,
		})
		return r, nil
	}
	nc, nv := len(r.labels), len(r.vocab)
	r.logPrior = make([]float64, nc)
	classDocs := make([]int, nc)
	for _, c := range docs {
		classDocs[c]++
	}
	r.logProb = make([]float64, nv*nc)
	r.binary = o.Binary
	if o.Complement {
		r.complement = true
		all := make([]float64, nv)
		allTotal := 0.0
		for c := range nc {
			for t, v := range counts[c] {
				all[t] += v
				allTotal += v
			}
		}
		for c := range nc {
			r.logPrior[c] = 0
			total := allTotal
			for _, v := range counts[c] {
				total -= v
			}
			denom := math.Log(total + o.Alpha*float64(nv))
			sumAbs := 0.0
			for t := range nv {
				v := all[t]
				if t < len(counts[c]) {
					v -= counts[c][t]
				}
				w := math.Log(v+o.Alpha) - denom
				r.logProb[t*nc+c] = w
				sumAbs += math.Abs(w)
			}
			// Weight normalization, and the sign: a term frequent in the
			// other labels speaks against this one.
			for t := range nv {
				r.logProb[t*nc+c] = -r.logProb[t*nc+c] / sumAbs * float64(nv)
			}
		}
	}
	for c := range nc {
		if o.Complement {
			break
		}
		r.logPrior[c] = math.Log(float64(classDocs[c]) / float64(len(docs)))
		total := 0.0
		for _, v := range counts[c] {
			total += v
		}
		denom := math.Log(total + o.Alpha*float64(nv))
		for t := range nv {
			v := 0.0
			if t < len(counts[c]) {
				v = counts[c][t]
			}
			r.logProb[t*nc+c] = math.Log(v+o.Alpha) - denom
		}
	}
	if err := r.indexNeighbours(examples, docs); err != nil {
		return nil, err
	}
	return r, nil
}

// indexNeighbours builds the kNN part's index when Neighbours > 0.
func (r *Router) indexNeighbours(examples []Example, docs []int) error {
	if r.k == 0 {
		return nil
	}
	ix, err := textindex.New(&textindex.Options{Analyzer: r.an})
	if err != nil {
		return &Error{Op: "train", Err: ErrInvalid, Msg: err.Error()}
	}
	for i, ex := range examples {
		if err := ix.Put(strconv.Itoa(i), ex.Text); err != nil {
			return &Error{Op: "train", Err: ErrInvalid, Msg: err.Error()}
		}
	}
	r.knn, r.knnLabel = ix, docs
	return nil
}

// Labels returns the labels seen in training, in first-seen order.
func (r *Router) Labels() []string { return slices.Clone(r.labels) }

// Route classifies text.
func (r *Router) Route(text string) Routing { return r.routing(r.Categorize(text)) }

// Categorize returns the probability of each label for text, in the order
// of Labels: Route's scores before they are sorted, in a new slice. It
// implements matching.Categorizer, for the engine's category signal.
func (r *Router) Categorize(text string) []float64 {
	var score []float64
	if r.lin != nil {
		score = r.lin.probs(r.termIDs(text))
	} else {
		score = r.naiveBayes(text)
	}
	if r.knn != nil && r.lambda > 0 {
		r.mixNeighbours(score, text)
	}
	return score
}

// naiveBayes returns the naive Bayes label probabilities of text.
func (r *Router) naiveBayes(text string) []float64 {
	nc := len(r.labels)
	score := slices.Clone(r.logPrior)
	toks := r.an.Analyze(text)
	if r.binary {
		toks = dedupTokens(toks)
	}
	for _, tk := range toks {
		id, ok := r.vocab[tk.Term]
		if !ok {
			continue // unseen everywhere: the same factor for every class
		}
		row := r.logProb[int(id)*nc : int(id)*nc+nc]
		for c := range nc {
			score[c] += row[c]
		}
	}
	softmax(score)
	return score
}

// mixNeighbours mixes, in place, the label vote of the text's nearest
// training examples into the label probabilities score.
func (r *Router) mixNeighbours(score []float64, text string) {
	vote := make([]float64, len(score))
	hits, _ := r.knn.Search(textindex.Query{Text: text, K: r.k})
	total := 0.0
	for _, h := range hits {
		i, err := strconv.Atoi(h.ID)
		if err != nil || i < 0 || i >= len(r.knnLabel) {
			continue
		}
		vote[r.knnLabel[i]] += h.Score
		total += h.Score
	}
	if total > 0 {
		for c := range score {
			score[c] = (1-r.lambda)*score[c] + r.lambda*vote[c]/total
		}
	}
}

// routing sorts the labels' probabilities into a Routing.
func (r *Router) routing(score []float64) Routing {
	nc := len(score)
	out := Routing{Scores: make([]LabelScore, nc)}
	for c := range nc {
		out.Scores[c] = LabelScore{Label: r.labels[c], Score: score[c]}
	}
	slices.SortStableFunc(out.Scores, func(a, b LabelScore) int { return cmp.Compare(b.Score, a.Score) })
	out.Label, out.Confidence = out.Scores[0].Label, out.Scores[0].Score
	out.NeedsPerson = out.Confidence < r.threshold
	return out
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

// dedupTokens keeps the first token of each term.
func dedupTokens(toks []analysis.Token) []analysis.Token {
	seen := make(map[string]bool, len(toks))
	out := toks[:0]
	for _, t := range toks {
		if !seen[t.Term] {
			seen[t.Term] = true
			out = append(out, t)
		}
	}
	return out
}
