package assign

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

func BenchmarkAssignLarge(b *testing.B) {
	if testing.Short() {
		b.Skip("large instance skipped under -short")
	}
	p := randomDense(2018, 5062, 2840, 3, 0, 6)
	b.ReportAllocs()
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Solve(context.Background(), p, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(res.Stats.Rounds), "rounds")
	b.ReportMetric(float64(res.Stats.Arcs), "arcs")
	b.ReportMetric(float64(res.Stats.Augmentations), "augs")
	// The certificate, checked independently over all 14.4M pairs.
	start := time.Now()
	if err := res.Verify(p); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "verify-s")
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
// 70% a per-expert popularity, so that every item prefers the same experts
// and most of the greedy start must be rerouted.
func BenchmarkAssignSkewed(b *testing.B) {
	if testing.Short() {
		b.Skip("skipped under -short")
	}
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
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Solve(context.Background(), p, nil); err != nil {
			b.Fatal(err)
		}
	}
}
