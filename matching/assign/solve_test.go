package assign

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// grid makes a dense problem from affinity rows [item][expert].
func grid(aff [][]float64, cover, minLoad, maxLoad int) *Problem {
	p := &Problem{Affinity: aff, Cover: cover, MinLoad: minLoad, MaxLoad: maxLoad}
	for e := range aff[0] {
		p.Experts = append(p.Experts, "E"+string(rune('A'+e)))
	}
	for i := range aff {
		p.Items = append(p.Items, "P"+string(rune('1'+i)))
	}
	return p
}

func TestSolveSmall(t *testing.T) {
	// Greedy would give P1 to EA (0.9) and leave P2 with EA blocked;
	// the optimum gives P1 to EB and P2 to EA.
	p := grid([][]float64{{0.9, 0.8}, {0.7, 0.0}}, 1, 0, 1)
	res, err := Solve(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Panels, [][]int{{1}, {0}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("panels got %v, want %v", got, want)
	}
	if got, want := res.Total, 1.5; math.Abs(got-want) > 1e-12 {
		t.Errorf("total got %v, want %v", got, want)
	}
	if got, want := res.MinItem, 1; got != want {
		t.Errorf("MinItem got %d, want %d", got, want)
	}
}

func TestInfeasible(t *testing.T) {
	tests := []struct {
		name    string
		p       func() *Problem
		reason  Reason
		items   []string
		experts []string
		msg     string
	}{
		{
			name:   "capacity",
			p:      func() *Problem { return grid([][]float64{{1, 1}, {1, 1}, {1, 1}}, 2, 0, 2) },
			reason: Capacity,
			msg:    "items need 6 expert slots",
		},
		{
			name: "item whose experts are all in conflict",
			p: func() *Problem {
				p := grid([][]float64{{1, 1, 1}, {1, 1, 1}}, 2, 0, 2)
				p.Forbidden = []Conflict{{0, 1, "same institution"}, {2, 1, "co-author"}}
				return p
			},
			reason:  ItemConflicts,
			items:   []string{"P2"},
			experts: []string{"EA", "EC"},
			msg:     `EA/P2: same institution`,
		},
		{
			name:   "min loads exceed coverage",
			p:      func() *Problem { return grid([][]float64{{1, 1, 1}}, 2, 1, 1) },
			reason: MinLoad,
			msg:    "minimum loads need 3",
		},
		{
			name: "min load of one expert unreachable",
			p: func() *Problem {
				// EC may only review P1, whose single slot must go to EA
				// (forced), so EC cannot reach its minimum of 1.
				p := grid([][]float64{{1, 1, 1}, {1, 1, 1}}, 1, 0, 1)
				p.LoadOverride = map[int]Load{2: {1, 1}}
				p.Forbidden = []Conflict{{2, 1, "declared"}}
				p.Forced = []Pair{{0, 0}}
				return p
			},
			reason:  MinLoad,
			experts: []string{"EC"},
		},
		{
			name: "forced pair over max load",
			p: func() *Problem {
				p := grid([][]float64{{1, 1}, {1, 1}}, 1, 0, 1)
				p.Forced = []Pair{{0, 0}, {0, 1}}
				return p
			},
			reason:  ForcedLoad,
			experts: []string{"EA"},
		},
		{
			name: "forced pairs over coverage",
			p: func() *Problem {
				p := grid([][]float64{{1, 1}}, 1, 0, 1)
				p.Forced = []Pair{{0, 0}, {1, 0}}
				return p
			},
			reason: ForcedCover,
			items:  []string{"P1"},
		},
		{
			name: "forced pair forbidden",
			p: func() *Problem {
				p := grid([][]float64{{1, 1}}, 1, 0, 1)
				p.Forced = []Pair{{1, 0}}
				p.Forbidden = []Conflict{{1, 0, "co-inventor"}}
				return p
			},
			reason:  ForcedConflict,
			items:   []string{"P1"},
			experts: []string{"EB"},
			msg:     "co-inventor",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Solve(context.Background(), tt.p(), nil)
			if res != nil {
				t.Fatalf("got result %v with error %v, want no result", res.Panels, err)
			}
			var ie *InfeasibleError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInfeasible) {
				t.Fatalf("got error %v, want *InfeasibleError", err)
			}
			if tt.reason != ie.Reason {
				t.Errorf("got reason %v, want %v (%v)", ie.Reason, tt.reason, err)
			}
			if tt.items != nil && !slices.Equal(ie.Items, tt.items) {
				t.Errorf("got items %q, want %q", ie.Items, tt.items)
			}
			if tt.experts != nil && !slices.Equal(ie.Experts, tt.experts) {
				t.Errorf("got experts %q, want %q", ie.Experts, tt.experts)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got message %q, want it to contain %q", err, tt.msg)
			}
		})
	}
}

// TestInfeasibleHall reaches the flow's own infeasibility proof: every
// item has enough allowed experts and total capacity suffices, but three
// items share two experts.
func TestInfeasibleHall(t *testing.T) {
	p := grid([][]float64{
		{1, 1, 0, 0},
		{1, 1, 0, 0},
		{1, 1, 0, 0},
		{0, 0, 1, 1},
	}, 1, 0, 1)
	p.LoadOverride = map[int]Load{2: {0, 2}, 3: {0, 2}}
	for i := range 3 {
		p.Forbidden = append(p.Forbidden, Conflict{2, i, "same city"}, Conflict{3, i, "same city"})
	}
	_, err := Solve(context.Background(), p, &Options{Candidates: 1})
	var ie *InfeasibleError
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v, want *InfeasibleError", err)
	}
	if ie.Reason != Capacity {
		t.Errorf("got reason %v, want %v", ie.Reason, Capacity)
	}
	if want := []string{"P1", "P2", "P3"}; !slices.Equal(ie.Items, want) {
		t.Errorf("got items %q, want %q", ie.Items, want)
	}
	if want := []string{"EA", "EB"}; !slices.Equal(ie.Experts, want) {
		t.Errorf("got experts %q, want %q", ie.Experts, want)
	}
}

func TestInvalid(t *testing.T) {
	ok := func() *Problem { return grid([][]float64{{1, 2}, {3, 4}}, 1, 0, 2) }
	tests := []struct {
		name  string
		edit  func(p *Problem)
		field string
	}{
		{"no experts", func(p *Problem) { p.Experts = nil; p.Affinity = [][]float64{{}, {}} }, "Experts"},
		{"no items", func(p *Problem) { p.Items = nil; p.Affinity = nil }, "Items"},
		{"NaN affinity", func(p *Problem) { p.Affinity[1][0] = math.NaN() }, "Affinity"},
		{"Inf affinity", func(p *Problem) { p.Affinity[0][1] = math.Inf(1) }, "Affinity"},
		{"negative k", func(p *Problem) { p.Cover = -1 }, "Cover"},
		{"negative k override", func(p *Problem) { p.CoverOverride = map[int]int{1: -2} }, "CoverOverride"},
		{"min above max", func(p *Problem) { p.MinLoad = 3 }, "MinLoad"},
		{"override min above max", func(p *Problem) { p.LoadOverride = map[int]Load{0: {2, 1}} }, "LoadOverride"},
		{"ragged rows", func(p *Problem) { p.Affinity[1] = []float64{1} }, "Affinity"},
		{"dense and sparse", func(p *Problem) { p.Scores = []Score{{0, 0, 1}} }, "Affinity"},
		{"duplicate ID", func(p *Problem) { p.Experts[1] = p.Experts[0] }, "Experts"},
		{"empty ID", func(p *Problem) { p.Items[0] = "" }, "Items"},
		{"forced out of range", func(p *Problem) { p.Forced = []Pair{{5, 0}} }, "Forced"},
		{"forbidden out of range", func(p *Problem) { p.Forbidden = []Conflict{{0, -1, "x"}} }, "Forbidden"},
		{"forced twice", func(p *Problem) { p.Forced = []Pair{{0, 0}, {0, 0}} }, "Forced"},
		{"sparse NaN", func(p *Problem) { p.Affinity = nil; p.Scores = []Score{{0, 0, math.NaN()}} }, "Scores"},
		{"sparse duplicate", func(p *Problem) { p.Affinity = nil; p.Scores = []Score{{0, 0, 1}, {0, 0, 2}} }, "Scores"},
		{"too large for scale", func(p *Problem) { p.Affinity[0][0] = 1e300 }, "Affinity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok()
			tt.edit(p)
			_, err := Solve(context.Background(), p, nil)
			var iv *InvalidError
			if !errors.As(err, &iv) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got error %v, want *InvalidError", err)
			}
			if got := iv.Issues[0].Field; got != tt.field {
				t.Errorf("got field %q, want %q (%v)", got, tt.field, err)
			}
		})
	}
	t.Run("NaN on forbidden pair is ignored", func(t *testing.T) {
		p := ok()
		p.Affinity[0][0] = math.Inf(-1)
		p.Forbidden = []Conflict{{0, 0, "declared"}}
		if _, err := Solve(context.Background(), p, nil); err != nil {
			t.Fatalf("got %v, want success", err)
		}
	})
	t.Run("bad options", func(t *testing.T) {
		for _, o := range []*Options{{Scale: -1}, {Scale: math.NaN()}, {Candidates: -1}} {
			if _, err := Solve(context.Background(), ok(), o); !errors.Is(err, ErrInvalid) {
				t.Errorf("options %+v: got %v, want ErrInvalid", o, err)
			}
		}
	})
}

func TestBuilder(t *testing.T) {
	var b Builder
	b.SetAffinity("alice", "paper-1", 0.9)
	b.SetAffinity("bob", "paper-1", 0.4)
	b.SetAffinity("alice", "paper-2", 0.8)
	b.SetAffinity("alice", "paper-2", 0.2) // replaces
	b.Forbid("bob", "paper-2", "same institution")
	b.Item("paper-3")
	b.Expert("carol")
	b.Force("carol", "paper-3")
	b.SetCover("paper-3", 2)
	b.SetLoad("carol", 1, 1)
	p := b.Problem(1, 0, 2)
	if got, want := p.Experts, []string{"alice", "bob", "carol"}; !slices.Equal(got, want) {
		t.Errorf("experts got %q, want %q", got, want)
	}
	if got, want := p.Items, []string{"paper-1", "paper-2", "paper-3"}; !slices.Equal(got, want) {
		t.Errorf("items got %q, want %q", got, want)
	}
	res, err := Solve(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	// alice takes both papers she likes (her load is 2), so paper-3's
	// second seat goes to bob at affinity 0.
	want := [][]int{{0}, {0}, {1, 2}}
	if !slices.EqualFunc(res.Panels, want, slices.Equal) {
		t.Errorf("panels got %v, want %v", res.Panels, want)
	}
	if got, want := res.Total, 0.9+0.2; math.Abs(got-want) > 1e-12 {
		t.Errorf("total got %v, want %v", got, want)
	}
	// The builder is reusable: later changes do not leak into p.
	b.SetCover("paper-1", 3)
	if p.CoverOverride[0] != 0 {
		t.Errorf("builder change leaked into an earlier problem")
	}
}

func TestContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := randomDense(1, 400, 200, 3, 0, 7)
	if _, err := Solve(ctx, p, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestCandidateSizesAgree solves medium instances with tiny and complete
// candidate sets: pricing and growth must reach the same optimum.
func TestCandidateSizesAgree(t *testing.T) {
	for seed := range uint64(4) {
		p := randomDense(seed, 120, 60, 3, int(seed%2)*3, 7)
		if seed == 3 {
			p.Forbidden = nil
			rng := rand.New(rand.NewPCG(seed, 1))
			for range 2000 {
				p.Forbidden = append(p.Forbidden, Conflict{rng.IntN(60), rng.IntN(120), "random"})
			}
		}
		full, err := Solve(context.Background(), p, &Options{Candidates: 60})
		if err != nil {
			t.Fatal(err)
		}
		small, err := Solve(context.Background(), p, &Options{Candidates: 1})
		if err != nil {
			t.Fatal(err)
		}
		if small.Objective != full.Objective {
			t.Errorf("seed %d: got objective %d with 1 candidate, %d with all", seed, small.Objective, full.Objective)
		}
		if small.Stats.Rounds < 2 {
			t.Errorf("seed %d: got %d rounds with 1 candidate, want pricing to add pairs", seed, small.Stats.Rounds)
		}
		checkAssignment(t, p, small)
		if err := small.Verify(p); err != nil {
			t.Error(err)
		}
	}
}

// TestComplementarySlacknessLarge checks the certificate of a large dense
// instance with min loads, overrides and conflicts, computing the reduced
// costs here rather than trusting Verify.
func TestComplementarySlacknessLarge(t *testing.T) {
	nI, nE := 1500, 800
	if testing.Short() {
		nI, nE = 400, 200
	}
	p := randomDense(42, nI, nE, 3, 2, 7)
	rng := rand.New(rand.NewPCG(42, 43))
	p.CoverOverride = map[int]int{}
	for range nI / 20 {
		p.CoverOverride[rng.IntN(nI)] = 4
	}
	p.LoadOverride = map[int]Load{}
	for range nE / 20 {
		p.LoadOverride[rng.IntN(nE)] = Load{0, 3}
	}
	forb := map[Pair]bool{}
	for range nI * 2 {
		c := Conflict{rng.IntN(nE), rng.IntN(nI), "random"}
		p.Forbidden = append(p.Forbidden, c)
		forb[Pair{c.Expert, c.Item}] = true
	}
	res, err := Solve(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAssignment(t, p, res)
	c := res.Certificate
	assigned := make([][]bool, nI)
	for i, panel := range res.Panels {
		assigned[i] = make([]bool, nE)
		for _, e := range panel {
			assigned[i][e] = true
		}
	}
	var slack, tight int
	for i := range nI {
		for e := range nE {
			if forb[Pair{e, i}] {
				continue
			}
			rc := -int64(math.Round(p.Affinity[i][e]*c.Scale)) + c.Item[i] - c.Expert[e]
			switch {
			case assigned[i][e] && rc > 0:
				t.Fatalf("assigned (%d,%d): reduced cost %d > 0", i, e, rc)
			case !assigned[i][e] && rc < 0:
				t.Fatalf("unassigned (%d,%d): reduced cost %d < 0", i, e, rc)
			case rc == 0:
				tight++
			default:
				slack++
			}
		}
	}
	for e := range nE {
		l := p.load(e)
		rc := c.Expert[e] - c.Sink
		if res.Load[e] < l.Max && rc < 0 {
			t.Fatalf("expert %d below max load %d has load reduced cost %d < 0", e, l.Max, rc)
		}
		if res.Load[e] > l.Min && rc > 0 {
			t.Fatalf("expert %d above min load %d has load reduced cost %d > 0", e, l.Min, rc)
		}
	}
	if tight == 0 || slack == 0 {
		t.Fatalf("degenerate certificate: %d tight, %d slack", tight, slack)
	}
	// Verify agrees, and rejects a tampered certificate.
	if err := res.Verify(p); err != nil {
		t.Fatal(err)
	}
	res.Certificate.Expert[res.Panels[0][0]] -= 1e9
	if err := res.Verify(p); !errors.Is(err, ErrNotOptimal) {
		t.Fatalf("tampered certificate: got %v, want ErrNotOptimal", err)
	}
}

func TestFairRaisesWorstItem(t *testing.T) {
	p := randomDense(9, 300, 120, 3, 0, 8)
	plain, err := Solve(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	fair, err := Solve(context.Background(), p, &Options{Fair: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := fair.Verify(p); err != nil {
		t.Fatal(err)
	}
	checkAssignment(t, p, fair)
	// The bottleneck guarantee: every item's total is at least k·τ.
	tau := fair.Certificate.Threshold
	for i, s := range fair.ItemTotal {
		if s < 3*tau-1e-9 {
			t.Fatalf("item %d total %v below 3τ = %v", i, s, 3*tau)
		}
	}
	minPair := func(r *Result) float64 {
		m := math.Inf(1)
		for i, panel := range r.Panels {
			for _, e := range panel {
				m = min(m, p.Affinity[i][e])
			}
		}
		return m
	}
	if minPair(fair) < minPair(plain) {
		t.Errorf("fair bottleneck %v below max-sum bottleneck %v", minPair(fair), minPair(plain))
	}
	if fair.Total > plain.Total+1e-9 {
		t.Errorf("fair total %v above max-sum optimum %v", fair.Total, plain.Total)
	}
	t.Logf("max-sum: total %.3f worst item %.3f; fair: total %.3f worst item %.3f τ %.4f, %d solves",
		plain.Total, plain.ItemTotal[plain.MinItem], fair.Total, fair.ItemTotal[fair.MinItem], tau, fair.Stats.Solves)
}
