package assign

import (
	"context"
	"testing"
)

func BenchmarkAssignLarge(b *testing.B) {
	if testing.Short() {
		b.Skip("large instance skipped under -short")
	}
	p := randomDense(2018, 5062, 2840, 3, 0, 6)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := Solve(context.Background(), p, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Stats.Rounds), "rounds")
		b.ReportMetric(float64(res.Stats.Arcs), "arcs")
		b.ReportMetric(float64(res.Stats.Augmentations), "augs")
	}
}
