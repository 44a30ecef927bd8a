package assign

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// smallProblem builds a random instance small enough for brute force,
// exercising every feature: overrides, forbidden and forced pairs, min
// loads, the dense and both sparse forms, negative and tied affinities.
func smallProblem(rng *rand.Rand) *Problem {
	nE := 1 + rng.IntN(4)
	nI := 1 + rng.IntN(4)
	p := &Problem{Cover: rng.IntN(3), MinLoad: rng.IntN(2)}
	p.MaxLoad = p.MinLoad + rng.IntN(4)
	for e := range nE {
		p.Experts = append(p.Experts, fmt.Sprintf("e%d", e))
	}
	for i := range nI {
		p.Items = append(p.Items, fmt.Sprintf("i%d", i))
	}
	val := func() float64 {
		if rng.IntN(4) == 0 { // ties
			return float64(rng.IntN(3)) / 2
		}
		return math.Round((rng.Float64()*2-0.5)*1e4) / 1e4
	}
	switch rng.IntN(3) {
	case 0:
		p.Affinity = make([][]float64, nI)
		for i := range p.Affinity {
			p.Affinity[i] = make([]float64, nE)
			for e := range nE {
				p.Affinity[i][e] = val()
			}
		}
	default:
		p.ListedOnly = rng.IntN(2) == 0
		for i := range nI {
			for e := range nE {
				if rng.IntN(3) > 0 {
					p.Scores = append(p.Scores, Score{e, i, val()})
				}
			}
		}
	}
	for i := range nI {
		if rng.IntN(4) == 0 {
			if p.CoverOverride == nil {
				p.CoverOverride = map[int]int{}
			}
			p.CoverOverride[i] = rng.IntN(3)
		}
		for e := range nE {
			switch rng.IntN(10) {
			case 0:
				p.Forbidden = append(p.Forbidden, Conflict{e, i, "same institution"})
			case 1:
				p.Forced = append(p.Forced, Pair{e, i})
			}
		}
	}
	for e := range nE {
		if rng.IntN(4) == 0 {
			if p.LoadOverride == nil {
				p.LoadOverride = map[int]Load{}
			}
			lo := rng.IntN(2)
			p.LoadOverride[e] = Load{lo, lo + rng.IntN(3)}
		}
	}
	return p
}

// pairInfo is the reference view of one pair, computed without the solver.
type pairInfo struct {
	aff       float64
	allowed   bool // may be assigned at all
	forced    bool
	forbidden bool
}

func pairs(p *Problem) [][]pairInfo {
	nE := len(p.Experts)
	info := make([][]pairInfo, len(p.Items))
	for i := range info {
		info[i] = make([]pairInfo, nE)
		for e := range info[i] {
			info[i][e].allowed = !p.ListedOnly
			if p.Affinity != nil {
				info[i][e].aff = p.Affinity[i][e]
			}
		}
	}
	for _, s := range p.Scores {
		info[s.Item][s.Expert].aff = s.Value
		info[s.Item][s.Expert].allowed = true
	}
	for _, c := range p.Forbidden {
		info[c.Item][c.Expert].forbidden = true
	}
	for _, f := range p.Forced {
		info[f.Item][f.Expert].forced = true
	}
	for i := range info {
		for e := range info[i] {
			pi := &info[i][e]
			if pi.forbidden {
				pi.allowed = false
			}
			if pi.forced {
				pi.allowed = !pi.forbidden
			}
		}
	}
	return info
}

// brute enumerates every assignment. For each it reports the integer
// objective and the bottleneck (smallest free affinity, +Inf if none).
type bruteResult struct {
	feasible   bool
	best       int64 // max objective
	bottleneck float64
	fairBest   int64 // max objective among assignments with max bottleneck
}

func brute(p *Problem, scale float64) bruteResult {
	info := pairs(p)
	nE := len(p.Experts)
	load := make([]int, nE)
	res := bruteResult{bottleneck: math.Inf(-1)}
	var rec func(i int, obj int64, bott float64)
	rec = func(i int, obj int64, bott float64) {
		if i == len(p.Items) {
			for e := range nE {
				if load[e] < p.load(e).Min {
					return
				}
			}
			if !res.feasible || obj > res.best {
				res.best = obj
			}
			if !res.feasible || bott > res.bottleneck || bott == res.bottleneck && obj > res.fairBest {
				res.bottleneck, res.fairBest = bott, obj
			}
			res.feasible = true
			return
		}
		k := p.cover(i)
		var choose func(from, left int, obj int64, bott float64)
		choose = func(from, left int, obj int64, bott float64) {
			if left == 0 {
				for e := from; e < nE; e++ {
					if info[i][e].forced {
						return
					}
				}
				rec(i+1, obj, bott)
				return
			}
			for e := from; e < nE; e++ {
				pi := info[i][e]
				if pi.allowed && load[e] < p.load(e).Max {
					load[e]++
					b := bott
					if !pi.forced {
						b = min(b, pi.aff)
					}
					choose(e+1, left-1, obj-costOf(pi.aff, scale), b)
					load[e]--
				}
				if pi.forced { // may not skip a forced expert
					return
				}
			}
		}
		choose(0, k, obj, bott)
	}
	rec(0, 0, math.Inf(1))
	return res
}

// lpOptimum solves the LP relaxation with gonum and returns the maximum
// total affinity (forced pairs included).
func lpOptimum(t testing.TB, p *Problem) float64 {
	t.Helper()
	info := pairs(p)
	nI, nE := len(p.Items), len(p.Experts)
	forcedSum := 0.0
	k := make([]float64, nI)
	lo := make([]float64, nE)
	hi := make([]float64, nE)
	for e := range nE {
		lo[e], hi[e] = float64(p.load(e).Min), float64(p.load(e).Max)
	}
	for i := range nI {
		k[i] = float64(p.cover(i))
		for e := range nE {
			if info[i][e].forced {
				forcedSum += info[i][e].aff
				k[i]--
				lo[e] = max(0, lo[e]-1)
				hi[e]--
			}
		}
	}
	type v struct{ i, e int }
	var vars []v
	for i := range nI {
		for e := range nE {
			if info[i][e].allowed && !info[i][e].forced {
				vars = append(vars, v{i, e})
			}
		}
	}
	// Columns: x (len(vars)), s (len(vars)), t (nE), w (nE).
	nx := len(vars)
	cols := 2*nx + 2*nE
	var rows [][]float64
	var b []float64
	for i := range nI {
		r := make([]float64, cols)
		any := false
		for j, x := range vars {
			if x.i == i {
				r[j], any = 1, true
			}
		}
		if !any {
			if k[i] != 0 {
				t.Fatalf("LP: item %d has no variables but needs %v", i, k[i])
			}
			continue
		}
		rows, b = append(rows, r), append(b, k[i])
	}
	for e := range nE {
		r := make([]float64, cols)
		for j, x := range vars {
			if x.e == e {
				r[j] = 1
			}
		}
		r[2*nx+e] = -1
		rows, b = append(rows, r), append(b, lo[e])
		r2 := make([]float64, cols)
		r2[2*nx+e], r2[2*nx+nE+e] = 1, 1
		rows, b = append(rows, r2), append(b, hi[e]-lo[e])
	}
	for j := range vars {
		r := make([]float64, cols)
		r[j], r[nx+j] = 1, 1
		rows, b = append(rows, r), append(b, 1)
	}
	c := make([]float64, cols)
	for j, x := range vars {
		c[j] = -info[x.i][x.e].aff
	}
	A := mat.NewDense(len(rows), cols, nil)
	for r, row := range rows {
		A.SetRow(r, row)
	}
	opt, _, err := lp.Simplex(c, A, b, 1e-10, nil)
	if err != nil {
		t.Fatalf("LP: %v", err)
	}
	return -opt + forcedSum
}

// checkAssignment verifies a result against the problem without the
// solver's code: coverage, loads, forbidden, forced, listed-only, totals.
func checkAssignment(t testing.TB, p *Problem, r *Result) {
	t.Helper()
	info := pairs(p)
	load := make([]int, len(p.Experts))
	total := 0.0
	if len(r.Panels) != len(p.Items) {
		t.Fatalf("got %d panels, want %d", len(r.Panels), len(p.Items))
	}
	for i, panel := range r.Panels {
		if got, want := len(panel), p.cover(i); got != want {
			t.Fatalf("item %d: got %d experts, want %d", i, got, want)
		}
		if !slices.IsSorted(panel) || len(slices.Compact(slices.Clone(panel))) != len(panel) {
			t.Fatalf("item %d: panel %v not sorted and unique", i, panel)
		}
		for _, e := range panel {
			if !info[i][e].allowed {
				t.Fatalf("item %d: expert %d not allowed (forbidden %v)", i, e, info[i][e].forbidden)
			}
			load[e]++
			total += info[i][e].aff
		}
		for e := range info[i] {
			if info[i][e].forced && !slices.Contains(panel, e) {
				t.Fatalf("item %d: forced expert %d missing", i, e)
			}
		}
	}
	for e, l := range load {
		b := p.load(e)
		if l < b.Min || l > b.Max {
			t.Fatalf("expert %d: load %d outside [%d,%d]", e, l, b.Min, b.Max)
		}
		if r.Load[e] != l {
			t.Fatalf("expert %d: Load got %d, want %d", e, r.Load[e], l)
		}
	}
	if math.Abs(total-r.Total) > 1e-9*(1+math.Abs(total)) {
		t.Fatalf("Total got %v, want %v", r.Total, total)
	}
}

func TestSmallAgainstBruteForceAndLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	feasible, infeasible := 0, 0
	for n := range 1200 {
		p := smallProblem(rng)
		want := brute(p, DefaultScale)
		m := method(n % 2) // both methods, each on 600 cases
		res, err := Solve(context.Background(), p, &Options{Candidates: 1 + n/2%3, method: m})
		if err == nil && res.Stats.Fallback {
			t.Fatalf("case %d: cost scaling fell back to shortest paths", n)
		}
		if !want.feasible {
			infeasible++
			if !errors.Is(err, ErrInfeasible) {
				t.Fatalf("case %d: got err %v, want ErrInfeasible (problem %+v)", n, err, p)
			}
			continue
		}
		feasible++
		if err != nil {
			t.Fatalf("case %d: got err %v, want a solution with objective %d (problem %+v)", n, err, want.best, p)
		}
		checkAssignment(t, p, res)
		if res.Objective != want.best {
			t.Fatalf("case %d: got objective %d, want %d (brute force)", n, res.Objective, want.best)
		}
		if err := res.Verify(p); err != nil {
			t.Fatalf("case %d: %v", n, err)
		}
		// The constraint matrix is totally unimodular, so the LP optimum
		// equals the integer optimum.
		if got := lpOptimum(t, p); math.Abs(got-res.Total) > 1e-6 {
			t.Fatalf("case %d: LP optimum %v, solver total %v", n, got, res.Total)
		}
	}
	if feasible < 300 || infeasible < 100 {
		t.Fatalf("generator too one-sided: %d feasible, %d infeasible", feasible, infeasible)
	}
}

func TestFairAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	checked := 0
	for n := range 600 {
		p := smallProblem(rng)
		want := brute(p, DefaultScale)
		if !want.feasible {
			continue
		}
		res, err := Solve(context.Background(), p, &Options{Fair: true, method: method(n % 2)})
		if err != nil {
			t.Fatalf("case %d: %v", n, err)
		}
		checkAssignment(t, p, res)
		if err := res.Verify(p); err != nil {
			t.Fatalf("case %d: %v", n, err)
		}
		if math.IsInf(want.bottleneck, 1) {
			continue // nothing free assigned
		}
		checked++
		if got := res.Certificate.Threshold; got != want.bottleneck {
			t.Fatalf("case %d: got bottleneck %v, want %v", n, got, want.bottleneck)
		}
		if res.Objective != want.fairBest {
			t.Fatalf("case %d: got objective %d among bottleneck-optimal, want %d", n, res.Objective, want.fairBest)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d cases checked", checked)
	}
}
