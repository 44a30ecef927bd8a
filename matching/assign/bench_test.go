package assign

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kexie/techbroker/matching/assign/assigntest"
)

func BenchmarkAssignLarge(b *testing.B) {
	if testing.Short() {
		b.Skip("large instance skipped under -short")
	}
	benchSolve(b, randomDense(2018, 5062, 2840, 3, 0, 6), methodCS)
}

// BenchmarkAssignLargeSSP is BenchmarkAssignLarge with the former
// successive-shortest-path method, for comparison.
func BenchmarkAssignLargeSSP(b *testing.B) {
	if testing.Short() {
		b.Skip("large instance skipped under -short")
	}
	benchSolve(b, randomDense(2018, 5062, 2840, 3, 0, 6), methodSSP)
}

// BenchmarkShapes solves a full-size instance (5,062 items × 2,840
// experts, 3 per item, at most 6 per expert) of every shape, with each
// item's 100 best experts listed (the other pairs at affinity 0) and
// dense: BenchmarkShapes/popular/top100 is the instance of issue 24. The
// result is verified over all pairs after the timed loop.
func BenchmarkShapes(b *testing.B) { benchShapes(b, methodCS) }

// BenchmarkShapesSSP is BenchmarkShapes with the successive-shortest-path
// method (minutes per instance on the skewed shapes).
func BenchmarkShapesSSP(b *testing.B) { benchShapes(b, methodSSP) }

func benchShapes(b *testing.B, m method) {
	if testing.Short() {
		b.Skip("full-size instances skipped under -short")
	}
	for _, s := range assigntest.Shapes() {
		for _, form := range []struct {
			name string
			topK int
		}{{"top100", 100}, {"dense", 0}} {
			b.Run(s.String()+"/"+form.name, func(b *testing.B) {
				p := shaped(assigntest.Config{Shape: s, Items: 5062, Experts: 2840, Seed: 1, TopK: form.topK}, 3, 0, 6)
				benchSolve(b, p, m)
			})
		}
	}
}

// benchSolve times Solve on p with method m, then reports the work done
// and checks the certificate independently over all pairs.
func benchSolve(b *testing.B, p *Problem, m method) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Solve(context.Background(), p, &Options{method: m}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(res.Stats.Rounds), "rounds")
	b.ReportMetric(float64(res.Stats.Arcs), "arcs")
	b.ReportMetric(float64(res.Stats.Augmentations), "augs")
	if m == methodCS {
		b.ReportMetric(float64(res.Stats.Phases), "phases")
	}
	start := time.Now()
	if err := res.Verify(p); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "verify-s")
	b.ReportMetric(float64(res.Objective), "objective")
}

// BenchmarkAssign is a medium instance: 1,000 items × 500 experts, dense,
// 3 per item, loads 2 to 7.
func BenchmarkAssign(b *testing.B) {
	p := randomDense(2019, 1000, 500, 3, 2, 7)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Solve(context.Background(), p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAssignFair(b *testing.B) {
	p := randomDense(2019, 1000, 500, 3, 2, 7)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Solve(context.Background(), p, &Options{Fair: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssignSkewed: 2,000 items × 1,000 experts whose affinities are
// 70% a per-expert popularity (uniform, not Pareto), so that every item
// prefers the same experts and most of the greedy start must be rerouted.
func BenchmarkAssignSkewed(b *testing.B) {
	if testing.Short() {
		b.Skip("skipped under -short")
	}
	benchSolve(b, skewed(), methodCS)
}

// BenchmarkAssignSkewedSSP is BenchmarkAssignSkewed with the
// successive-shortest-path method.
func BenchmarkAssignSkewedSSP(b *testing.B) {
	if testing.Short() {
		b.Skip("skipped under -short")
	}
	benchSolve(b, skewed(), methodSSP)
}

func skewed() *Problem {
	p := randomDense(2018, 2000, 1000, 3, 0, 7)
	rng := rand.New(rand.NewPCG(1, 2))
	q := make([]float64, len(p.Experts))
	for e := range q {
		q[e] = rng.Float64()
	}
	for i := range p.Affinity {
		for e := range p.Affinity[i] {
			p.Affinity[i][e] = 0.7*q[e] + 0.3*p.Affinity[i][e]
		}
	}
	return p
}
