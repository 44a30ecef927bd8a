package assigntest

import (
	"math"
	"slices"
	"testing"
)

func TestSameSeedSameInstance(t *testing.T) {
	for _, s := range Shapes() {
		for _, k := range []int{0, 5} {
			c := Config{Shape: s, Items: 30, Experts: 20, Seed: 4, TopK: k}
			a, err := Generate(c)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Generate(c)
			if !slices.EqualFunc(a.Affinity, b.Affinity, slices.Equal) || !slices.Equal(a.Scores, b.Scores) || !slices.Equal(a.Conflicts, b.Conflicts) {
				t.Errorf("%v top %d: same seed, different instances", s, k)
			}
			c.Seed = 5
			d, _ := Generate(c)
			if slices.EqualFunc(a.Affinity, d.Affinity, slices.Equal) && slices.Equal(a.Scores, d.Scores) {
				t.Errorf("%v top %d: seeds 4 and 5 give the same instance", s, k)
			}
		}
	}
}

func TestShapes(t *testing.T) {
	const nI, nE = 400, 300
	gen := func(s Shape, k int) *Instance {
		t.Helper()
		in, err := Generate(Config{Shape: s, Items: nI, Experts: nE, Seed: 1, TopK: k})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	t.Run("top-k lists the k best of the dense row", func(t *testing.T) {
		dense, sparse := gen(Popular, 0), gen(Popular, 7)
		if len(sparse.Scores) != nI*7 || sparse.Affinity != nil || len(dense.Affinity) != nI {
			t.Fatalf("got %d scores and %d rows, want %d and 0", len(sparse.Scores), len(sparse.Affinity), nI*7)
		}
		for i := range nI {
			row := slices.Clone(dense.Affinity[i])
			slices.Sort(row)
			kth := row[nE-7]
			for _, s := range sparse.Scores[i*7 : i*7+7] {
				if s.Item != i || s.Value != dense.Affinity[i][s.Expert] || s.Value < kth {
					t.Fatalf("item %d: listed %+v, want one of its 7 best (7th best %v)", i, s, kth)
				}
			}
		}
	})
	t.Run("popular experts top most lists", func(t *testing.T) {
		// The expert with the largest mean affinity is in the top 10 of
		// most items under Popular, of few under Uniform.
		share := func(in *Instance) float64 {
			best, bestMean := 0, -1.0
			for e := range nE {
				m := 0.0
				for i := range nI {
					m += in.Affinity[i][e]
				}
				if m > bestMean {
					best, bestMean = e, m
				}
			}
			n := 0
			for i := range nI {
				row := slices.Clone(in.Affinity[i])
				slices.Sort(row)
				if in.Affinity[i][best] >= row[nE-10] {
					n++
				}
			}
			return float64(n) / nI
		}
		if p, u := share(gen(Popular, 0)), share(gen(Uniform, 0)); p < 0.9 || u > 0.2 {
			t.Errorf("most popular expert in the top 10 of %.2f of items (popular), %.2f (uniform); want ≥ 0.9 and ≤ 0.2", p, u)
		}
	})
	t.Run("affinities in range", func(t *testing.T) {
		for _, s := range Shapes() {
			for _, row := range gen(s, 0).Affinity {
				for _, a := range row {
					if !(a >= 0 && a <= 1+1e-12) {
						t.Fatalf("%v: affinity %v outside [0,1]", s, a)
					}
				}
			}
		}
	})
	t.Run("conflicts", func(t *testing.T) {
		for _, s := range Shapes() {
			n := len(gen(s, 0).Conflicts)
			if s == Conflicts && (n < nI*nE/20 || n > nI*nE/2) {
				t.Errorf("conflicts: got %d of %d pairs, want between 5%% and 50%%", n, nI*nE)
			}
			if s != Conflicts && n != 0 {
				t.Errorf("%v: got %d conflicts, want 0", s, n)
			}
		}
	})
	t.Run("clusters", func(t *testing.T) {
		// Within a cluster similarity is high, across it is low: the
		// best expert of each item is far above the median one.
		in := gen(Clustered, 0)
		gap := 0.0
		for _, row := range in.Affinity {
			r := slices.Clone(row)
			slices.Sort(r)
			gap += r[nE-1] - r[nE/2]
		}
		if gap/nI < 0.5 {
			t.Errorf("clustered: mean gap best − median %.3f, want ≥ 0.5", gap/nI)
		}
	})
}

func TestBadConfig(t *testing.T) {
	for _, c := range []Config{
		{Items: 0, Experts: 3},
		{Items: 3, Experts: -1},
		{Items: 3, Experts: 3, TopK: -1},
		{Items: 3, Experts: 3, Pop: 2},
		{Items: 3, Experts: 3, Alpha: math.Inf(1)},
		{Items: 3, Experts: 3, ConflictRate: 1},
		{Items: 3, Experts: 3, Shape: 9},
	} {
		if _, err := Generate(c); err == nil {
			t.Errorf("config %+v: got no error", c)
		}
	}
	if _, err := ParseShape("skewed"); err == nil {
		t.Error("ParseShape(skewed): got no error")
	}
	for _, s := range Shapes() {
		if got, err := ParseShape(s.String()); err != nil || got != s {
			t.Errorf("ParseShape(%q) = %v, %v", s, got, err)
		}
	}
}
