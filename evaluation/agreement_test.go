package evaluation

import (
	"errors"
	"math"
	"testing"
)

func TestKendallWErrorsAndEdges(t *testing.T) {
	if _, err := KendallW([][]float64{{1, 2}}, false); !errors.Is(err, ErrInvalid) {
		t.Errorf("one item: got %v", err)
	}
	if _, err := KendallW([][]float64{{1}, {2}}, false); !errors.Is(err, ErrInvalid) {
		t.Errorf("one rater: got %v", err)
	}
	if _, err := KendallW([][]float64{{1, 2}, {2}}, false); !errors.Is(err, ErrInvalid) {
		t.Errorf("ragged: got %v", err)
	}
	// Perfectly reversed raters: W = 0.
	r, err := KendallW([][]float64{{1, 3}, {2, 2}, {3, 1}}, false)
	if err != nil || !near(r.W, 0, 1e-12) || !near(r.P, 1, 1e-12) {
		t.Errorf("opposed raters: got %+v, %v; want W = 0, p = 1", r, err)
	}
}

func TestICCShroutFleissExact(t *testing.T) {
	// Shrout & Fleiss (1979) Table 2 mean squares: BMS 11.24, WMS 6.26,
	// JMS 32.49, EMS 1.02 (published to two decimals).
	r, err := ICC([][]float64{{9, 2, 5, 8}, {6, 1, 3, 2}, {8, 4, 6, 8}, {7, 1, 2, 6}, {10, 5, 6, 9}, {6, 2, 4, 7}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"BMS", r.BMS, 11.24}, {"WMS", r.WMS, 6.26}, {"JMS", r.JMS, 32.49}, {"EMS", r.EMS, 1.02}} {
		if !near(c.got, c.want, 0.005) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if _, err := r.Form("ICC4"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown form: got %v", err)
	}
	// No variance at all: NaN, not a panic.
	z, err := ICC([][]float64{{1, 1}, {1, 1}})
	if err != nil || !math.IsNaN(z.ICC1) {
		t.Errorf("constant ratings: got %+v, %v; want NaN", z, err)
	}
}

func TestDisagreements(t *testing.T) {
	// Experts 0–2 agree; expert 3 reverses the order.
	r := [][]float64{{90, 88, 92, 40}, {70, 72, 69, 60}, {50, 52, 48, 80}, {30, 28, 33, 95}}
	ds, err := Disagreements(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	for j, d := range ds {
		if d.Flagged != (j == 3) {
			t.Errorf("expert %d: flagged %v (corr %.2f), want %v", j, d.Flagged, d.Correlation, j == 3)
		}
	}
	if ds[3].Reason == "" {
		t.Error("flagged expert without a reason")
	}
	// A mean-difference limit catches a lenient expert with the same order.
	r2 := [][]float64{{60, 61, 90}, {50, 52, 80}, {40, 41, 70}}
	ds, _ = Disagreements(r2, &DisagreementOptions{MinCorrelation: 0.3, MaxMeanAbsDiff: 20})
	if !ds[2].Flagged || ds[0].Flagged || ds[1].Flagged {
		t.Errorf("got %+v, want only expert 2 flagged", ds)
	}
}
