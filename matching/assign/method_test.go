package assign

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/kexie/techbroker/matching/assign/assigntest"
)

// shapedProblem draws a random instance of shape s small enough to solve
// hundreds of times with both methods: sizes, coverage, loads (with
// minimum loads and per-expert overrides), forced pairs, dense or top-k
// listed (sometimes ListedOnly), and the generator's own conflicts.
func shapedProblem(rng *rand.Rand, s assigntest.Shape) *Problem {
	nI := 15 + rng.IntN(40)
	nE := 6 + rng.IntN(20)
	c := assigntest.Config{Shape: s, Items: nI, Experts: nE, Seed: rng.Uint64(), Clusters: 2 + rng.IntN(6), Institutions: 3 + rng.IntN(8)}
	if rng.IntN(2) == 0 {
		c.TopK = 1 + rng.IntN(nE)
	}
	in, err := assigntest.Generate(c)
	if err != nil {
		panic(err)
	}
	k := 1 + rng.IntN(3)
	maxLoad := (nI*k+nE-1)/nE + rng.IntN(3)
	p := fromInstance(in, k, rng.IntN(2), maxLoad)
	if p.MinLoad > 0 && rng.IntN(2) == 0 {
		p.MinLoad = min(p.MaxLoad, nI*k/nE)
	}
	if p.Scores != nil {
		p.ListedOnly = rng.IntN(4) == 0
	}
	if rng.IntN(3) == 0 {
		p.LoadOverride = map[int]Load{}
		for range 1 + rng.IntN(4) {
			lo := rng.IntN(2)
			p.LoadOverride[rng.IntN(nE)] = Load{lo, lo + rng.IntN(4)}
		}
	}
	if rng.IntN(3) == 0 {
		forb := map[Pair]bool{}
		for _, c := range p.Forbidden {
			forb[Pair{c.Expert, c.Item}] = true
		}
		for range rng.IntN(5) {
			f := Pair{rng.IntN(nE), rng.IntN(nI)}
			if !forb[f] {
				p.Forced = append(p.Forced, f)
				forb[f] = true // not twice
			}
		}
	}
	// Ties: round some affinities to a coarse grid.
	if rng.IntN(3) == 0 {
		for _, row := range p.Affinity {
			for e := range row {
				row[e] = math.Round(row[e]*4) / 4
			}
		}
		for j := range p.Scores {
			p.Scores[j].Value = math.Round(p.Scores[j].Value*4) / 4
		}
	}
	return p
}

// TestMethodsAgree: cost scaling and successive shortest paths reach the
// same optimum on hundreds of random instances of every shape, both
// results carry certificates that Verify accepts, and they agree on
// infeasibility.
func TestMethodsAgree(t *testing.T) {
	const perShape = 250
	for _, shape := range assigntest.Shapes() {
		t.Run(shape.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(shape)+11, 24))
			solved, infeasible := 0, 0
			for n := range perShape {
				p := shapedProblem(rng, shape)
				o := &Options{Candidates: rng.IntN(5), Fair: n%25 == 0}
				cs, errCS := Solve(context.Background(), p, o)
				o.method = methodSSP
				ssp, errSSP := Solve(context.Background(), p, o)
				name := fmt.Sprintf("case %d (%d items, %d experts, fair %v)", n, len(p.Items), len(p.Experts), o.Fair)
				if (errCS == nil) != (errSSP == nil) {
					t.Fatalf("%s: cost scaling error %v, shortest paths error %v", name, errCS, errSSP)
				}
				if errCS != nil {
					if !errors.Is(errCS, ErrInfeasible) || !errors.Is(errSSP, ErrInfeasible) {
						t.Fatalf("%s: got errors %v and %v, want ErrInfeasible", name, errCS, errSSP)
					}
					infeasible++
					continue
				}
				solved++
				if cs.Stats.Fallback {
					t.Fatalf("%s: cost scaling fell back to shortest paths", name)
				}
				if cs.Objective != ssp.Objective {
					t.Fatalf("%s: cost scaling objective %d, shortest paths %d", name, cs.Objective, ssp.Objective)
				}
				if o.Fair && cs.Certificate.Threshold != ssp.Certificate.Threshold {
					t.Fatalf("%s: thresholds %v and %v", name, cs.Certificate.Threshold, ssp.Certificate.Threshold)
				}
				for _, r := range []*Result{cs, ssp} {
					checkAssignment(t, p, r)
					if err := r.Verify(p); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
				}
			}
			if solved < perShape/2 {
				t.Fatalf("only %d of %d instances feasible (%d infeasible)", solved, perShape, infeasible)
			}
			t.Logf("%d solved, %d infeasible", solved, infeasible)
		})
	}
}

// TestCostScalingFallback: costs too large for cost scaling's scaled
// prices are solved by shortest paths, still proven optimal.
func TestCostScalingFallback(t *testing.T) {
	p := randomDense(3, 40, 20, 2, 0, 5)
	for _, row := range p.Affinity {
		for e := range row {
			row[e] *= 1e9
		}
	}
	res, err := Solve(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stats.Fallback {
		t.Errorf("got no fallback for affinities up to 1e9 at scale 1e6")
	}
	if err := res.Verify(p); err != nil {
		t.Fatal(err)
	}
	small, err := Solve(context.Background(), p, &Options{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if small.Stats.Fallback {
		t.Errorf("fell back at scale 1")
	}
	if err := small.Verify(p); err != nil {
		t.Fatal(err)
	}
}
