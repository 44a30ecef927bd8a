package router

import "sync"

// cosineKNN is the k-nearest-neighbour part of the LinearSVM router: the
// label vote of the training vectors with the largest cosine similarity
// (dot product of unit TF-IDF vectors) to a text's vector, each weighted
// by its similarity to the fourth power so that the nearest few dominate
// (the power chosen by cross-validation among 1, 2, 4 and 8; see
// bench/routerselect/ROUTER_SOURCES.md).
//
// Sources: cosine kNN for text, Y. Yang, X. Liu, "A re-examination of
// text categorization methods", SIGIR 1999; distance-weighted votes,
// S. A. Dudani, "The Distance-Weighted k-Nearest-Neighbor Rule", IEEE
// Trans. SMC 6(4), 1976.
//
// The training vectors are held as an inverted index, so a vote costs
// one pass over the posting lists of the text's terms and one scan of
// the per-example similarities. Similarities are float32 (half the
// memory traffic); the vote itself is float64.
type cosineKNN struct {
	k     int
	start []int32   // the postings of term t are doc[start[t]:start[t+1]]
	doc   []int32   // example index
	val   []float32 // the example's weight of the term
	label []int32   // per example
	pool  *sync.Pool
}

// knnScratch is one vote's working memory: a similarity per example
// (zero between votes) and the best examples.
type knnScratch struct {
	sim  []float32
	best []int32
}

// newCosineKNN indexes the vectors xs (term ids < nf) with labels y.
func newCosineKNN(xs []sparseVec, y []int, nf, k int) *cosineKNN {
	nn := &cosineKNN{k: k, start: make([]int32, nf+1), label: make([]int32, len(xs))}
	for i, x := range xs {
		nn.label[i] = int32(y[i])
		for _, t := range x.idx {
			nn.start[t+1]++
		}
	}
	for t := range nf {
		nn.start[t+1] += nn.start[t]
	}
	nn.doc = make([]int32, nn.start[nf])
	nn.val = make([]float32, nn.start[nf])
	next := make([]int32, nf)
	copy(next, nn.start[:nf])
	for i, x := range xs {
		for j, t := range x.idx {
			p := next[t]
			nn.doc[p], nn.val[p] = int32(i), float32(x.val[j])
			next[t]++
		}
	}
	n := len(xs)
	nn.pool = &sync.Pool{New: func() any { return &knnScratch{sim: make([]float32, n)} }}
	return nn
}

// vote adds to dist the label vote of x's nearest examples as a
// distribution times weight, and scales dist by 1 − weight first. It
// returns false, leaving dist alone, when x shares no term with any
// example.
func (nn *cosineKNN) vote(x sparseVec, dist []float64, weight float64) bool {
	s := nn.pool.Get().(*knnScratch)
	defer nn.pool.Put(s)
	sim := s.sim
	for j, t := range x.idx {
		xv := float32(x.val[j])
		val := nn.val[nn.start[t]:nn.start[t+1]]
		for p, d := range nn.doc[nn.start[t]:nn.start[t+1]] {
			sim[d] += val[p] * xv
		}
	}
	// The k best by similarity, ties to the earlier example, best first.
	// A sequential scan of every similarity costs less than tracking the
	// examples touched in the loop above.
	// One well-predicted comparison per example: thr is 0 until k
	// examples are in, then the k-th best similarity.
	best := s.best[:0]
	var thr float32
	for d, v := range sim {
		if v <= thr {
			continue
		}
		if len(best) < nn.k {
			best = append(best, int32(d))
		}
		i := len(best) - 1
		for ; i > 0 && v > sim[best[i-1]]; i-- {
			best[i] = best[i-1]
		}
		best[i] = int32(d)
		if len(best) == nn.k {
			thr = sim[best[nn.k-1]]
		}
	}
	total := 0.0
	for _, d := range best {
		w := float64(sim[d]) * float64(sim[d])
		total += w * w
	}
	if total > 0 {
		for c := range dist {
			dist[c] *= 1 - weight
		}
		for _, d := range best {
			w := float64(sim[d]) * float64(sim[d])
			dist[nn.label[d]] += weight * w * w / total
		}
	}
	clear(sim)
	s.best = best
	return total > 0
}
