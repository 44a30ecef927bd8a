package router

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// tinyProblem is a small three-label problem, not separable (the third
// point of label 0 lies among label 1's points), in LIBLINEAR's format:
//
//	1 1:1.0 2:0.2
//	1 1:0.8 2:-0.1
//	1 1:-0.3 2:0.5
//	2 1:-0.5 2:1.0
//	2 1:-0.2 2:0.7
//	3 1:-0.6 2:-0.8
//	3 1:0.1 2:-1.0
//
// (the selection harness's csTiny in bench/routerselect, whose
// Crammer–Singer SVM is checked on it too).
func tinyProblem() ([]sparseVec, []int) {
	pts := [][3]float64{{0, 1, 0.2}, {0, 0.8, -0.1}, {0, -0.3, 0.5}, {1, -0.5, 1}, {1, -0.2, 0.7}, {2, -0.6, -0.8}, {2, 0.1, -1}}
	var xs []sparseVec
	var y []int
	for _, p := range pts {
		xs = append(xs, sparseVec{idx: []int32{0, 1}, val: []float64{p[1], p[2]}})
		y = append(y, int(p[0]))
	}
	return xs, y
}

// TestSVMDualCDLIBLINEAR compares the one-vs-rest solver's weights with
// LIBLINEAR 2.3.0's (Debian package liblinear-tools) on tinyProblem's points
// with label 0 against the rest, from
//
//	liblinear-train -s 1 -c 1 [-w1 3] -B 1 -e 1e-9 bin.txt
//
// (-w1 3: the positive examples cost 3C). The primal optimum is unique.
func TestSVMDualCDLIBLINEAR(t *testing.T) {
	xs, labels := tinyProblem()
	y := make([]float64, len(labels))
	for i, c := range labels {
		y[i] = -1
		if c == 0 {
			y[i] = 1
		}
	}
	tests := []struct {
		costPos float64
		want    []float64 // feature 1, feature 2, bias
	}{
		{1, []float64{0.98165461065850346, 0.27484506315349572, -0.19092252173417434}},
		{3, []float64{0.92778518038616886, 0.46592363403728299, 0.11515699497369669}},
	}
	for _, tt := range tests {
		w := make([]float64, 3)
		svmDualCD(xs, y, tt.costPos, 1, 1e-9, rand.New(rand.NewPCG(1, 1)), w)
		for k := range w {
			if math.Abs(w[k]-tt.want[k]) > 1e-6 {
				t.Errorf("costPos = %v: got w = %.6f, want LIBLINEAR's %.6f", tt.costPos, w, tt.want)
				break
			}
		}
	}
}

func TestBalancedCosts(t *testing.T) {
	tests := []struct {
		y          []int
		nc         int
		unbalanced bool
		want       []float64
	}{
		{[]int{0, 0, 0, 1}, 2, false, []float64{4.0 / 6, 2}},
		{[]int{0, 1, 2, 0, 1, 2}, 3, false, []float64{1, 1, 1}},
		{[]int{0, 0, 0, 1}, 2, true, []float64{1, 1}},
		{[]int{0, 0}, 2, false, []float64{0.5, 1}}, // a label without examples keeps C
	}
	for _, tt := range tests {
		got := balancedCosts(tt.y, tt.nc, 1, tt.unbalanced)
		for c := range got {
			if math.Abs(got[c]-tt.want[c]) > 1e-12 {
				t.Errorf("balancedCosts(%v, unbalanced %v) = %v, want %v", tt.y, tt.unbalanced, got, tt.want)
				break
			}
		}
	}
}

// bruteVote is cosineKNN.vote by brute force: every example's dot product
// with x (in float32, summed in x's term order, as the index does), the k
// best by similarity (ties to the earlier example), and their labels
// weighted by similarity⁴.
func bruteVote(xs []sparseVec, y []int, nc, k int, x sparseVec) ([]float64, bool) {
	sims := make([]float32, len(xs))
	var docs []int
	for i, d := range xs {
		var s float32
		for j, t := range x.idx {
			if p, ok := slices.BinarySearch(d.idx, t); ok {
				s += float32(d.val[p]) * float32(x.val[j])
			}
		}
		sims[i] = s
		if s > 0 {
			docs = append(docs, i)
		}
	}
	slices.SortStableFunc(docs, func(a, b int) int { return cmp.Compare(sims[b], sims[a]) })
	docs = docs[:min(k, len(docs))]
	vote := make([]float64, nc)
	total := 0.0
	for _, d := range docs {
		w := math.Pow(float64(sims[d]), 4)
		vote[y[d]] += w
		total += w
	}
	for c := range vote {
		vote[c] /= total
	}
	return vote, len(docs) > 0
}

// TestCosineKNN compares the indexed vote with the brute-force one on
// random unit vectors.
func TestCosineKNN(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nf := rapid.IntRange(1, 12).Draw(t, "nf")
		nc := rapid.IntRange(2, 4).Draw(t, "nc")
		n := rapid.IntRange(1, 40).Draw(t, "n")
		k := rapid.IntRange(1, 12).Draw(t, "k")
		vec := func(label string) sparseVec {
			var v sparseVec
			norm := 0.0
			for f := range nf {
				if rapid.Bool().Draw(t, label) {
					x := rapid.Float64Range(0.01, 3).Draw(t, label)
					v.idx = append(v.idx, int32(f))
					v.val = append(v.val, x)
					norm += x * x
				}
			}
			for j := range v.val {
				v.val[j] /= math.Sqrt(norm)
			}
			return v
		}
		xs := make([]sparseVec, n)
		y := make([]int, n)
		for i := range xs {
			xs[i] = vec("x")
			y[i] = rapid.IntRange(0, nc-1).Draw(t, "y")
		}
		nn := newCosineKNN(xs, y, nf, k)
		for range 3 {
			q := vec("q")
			want, wantOK := bruteVote(xs, y, nc, k, q)
			const weight = 0.3
			dist := make([]float64, nc)
			for c := range dist {
				dist[c] = 1 / float64(nc)
			}
			ok := nn.vote(q, dist, weight)
			if ok != wantOK {
				t.Fatalf("vote reports neighbours %v, want %v", ok, wantOK)
			}
			sum := 0.0
			for c := range dist {
				w := 1 / float64(nc)
				if ok {
					w = (1-weight)/float64(nc) + weight*want[c]
				}
				if math.Abs(dist[c]-w) > 1e-9 {
					t.Fatalf("dist = %v, want %v (brute-force vote %v)", dist, w, want)
				}
				sum += dist[c]
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("dist sums to %v", sum)
			}
		}
	})
}

func TestRouterNeighbourOptions(t *testing.T) {
	few := topics(4)                        // 45 examples: too few to stack
	many := append(topics(5), topics(6)...) // 90
	tests := []struct {
		name    string
		ex      []Example
		opts    *Options
		k       int // of the LinearSVM's cosine kNN; 0: none
		lambda  float64
		stacked bool
		bm25    bool
	}{
		{"default", many, nil, 10, 0, true, false},
		{"default, few examples", few, nil, 10, 0.3, false, false},
		{"fixed weight", many, &Options{NeighbourWeight: 0.3}, 10, 0.3, false, false},
		{"no neighbours", many, &Options{NoNeighbours: true}, 0, 0, false, false},
		{"neighbours", many, &Options{Neighbours: 3, NeighbourWeight: 0.5}, 3, 0.5, false, false},
		{"neighbours, stacked", many, &Options{Neighbours: 3}, 3, 0, true, false},
		{"unbalanced", many, &Options{Unbalanced: true}, 10, 0, true, false},
		{"naive Bayes", many, &Options{Model: NaiveBayes}, 0, 0, false, false},
		{"naive Bayes BM25", few, &Options{Model: NaiveBayes, Neighbours: 3}, 0, 0, false, true},
	}
	for _, tt := range tests {
		r, err := Train(tt.ex, tt.opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		k, lambda, stacked := 0, 0.0, false
		if r.lin != nil && r.lin.nn != nil {
			k, lambda, stacked = r.lin.nn.k, r.lin.lambda, r.lin.stack != nil
		}
		if k != tt.k || lambda != tt.lambda || stacked != tt.stacked || (r.knn != nil) != tt.bm25 {
			t.Errorf("%s: cosine kNN k = %d, weight %v, stacked %v, BM25 kNN %v; want %d, %v, %v, %v",
				tt.name, k, lambda, stacked, r.knn != nil, tt.k, tt.lambda, tt.stacked, tt.bm25)
		}
		if got := r.Route("电池 储能"); got.Label != "能源" {
			t.Errorf("%s: Route = %+v, want 能源", tt.name, got)
		}
		checkRouting(t, r.Route("研究"))
		checkRouting(t, r.Route("无关的文字"))
	}
}

// TestRouterBalanced checks that the label weights reach the solver:
// with one label rare, balanced costs make its examples cost more, and its
// margins on its own examples grow. A fixed mix is balanced by default, a
// stacked combination is not; Balanced and Unbalanced override either.
func TestRouterBalanced(t *testing.T) {
	var ex []Example
	for _, x := range append(topics(5), topics(6)...) {
		if x.Label != "农学" || len(ex)%5 == 0 {
			ex = append(ex, x)
		}
	}
	margin := func(opts *Options, stacked bool) float64 {
		r, err := Train(ex, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.lin.stack != nil; got != stacked {
			t.Fatalf("%+v: stacked %v, want %v", opts, got, stacked)
		}
		c, sum := r.labelIndex["农学"], 0.0
		for _, x := range ex {
			if x.Label == "农学" {
				counts := termCounts(r.termIDs(x.Text))
				sum += r.lin.margins(r.lin.weigh(counts))[c]
			}
		}
		return sum
	}
	// The SVM trained on every example does not depend on the folds, so
	// the same costs give the same margins with or without stacking.
	mix, mixUnbal := margin(&Options{NeighbourWeight: 0.3}, false), margin(&Options{NeighbourWeight: 0.3, Unbalanced: true}, false)
	stack, stackBal := margin(nil, true), margin(&Options{Balanced: true}, true)
	if mix <= mixUnbal {
		t.Errorf("rare label's margins with a fixed mix: default %.3f, unbalanced %.3f; want the default (balanced) larger", mix, mixUnbal)
	}
	if stack != mixUnbal || stackBal != mix {
		t.Errorf("rare label's margins when stacked: default %.3f, balanced %.3f; want %.3f and %.3f (unbalanced and balanced)", stack, stackBal, mixUnbal, mix)
	}
	if none := margin(&Options{NoNeighbours: true}, false); none != mix {
		t.Errorf("rare label's margins without neighbours: %.3f, want balanced %.3f", none, mix)
	}
}
