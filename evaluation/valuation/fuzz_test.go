package valuation

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzIRR checks that IRR never panics and that a found rate zeroes the NPV.
func FuzzIRR(f *testing.F) {
	f.Add(-100.0, 39.0, 59.0, 55.0, 20.0)
	f.Add(-5.0, 10.5, 1.0, -8.0, 1.0)
	f.Add(1.0, 2.0, 3.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, a, b, c, d, e float64) {
		xs := []float64{a, b, c, d, e}
		vals := make([]decimal.Decimal, len(xs))
		scale := 0.0
		for i, x := range xs {
			if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e9 {
				return
			}
			x = math.Round(x*100) / 100
			vals[i] = decimal.NewFromFloat(x)
			scale = math.Max(scale, math.Abs(x))
		}
		r := IRR(vals)
		if !r.Found {
			return
		}
		if r.Float <= -1 {
			t.Fatalf("rate %v ≤ -1", r.Float)
		}
		// NPV at the root, in float64, relative to the flows' size.
		npv := 0.0
		for i := len(xs) - 1; i >= 0; i-- {
			npv = npv/(1+r.Float) + vals[i].InexactFloat64()
		}
		g := 1 + r.Float
		if g > 1e-3 && g < 1e3 && math.Abs(npv) > 1e-6*scale*math.Max(1, math.Pow(g, -4)) {
			t.Fatalf("values %v: rate %v leaves NPV %v", xs, r.Float, npv)
		}
	})
}
