package valuation

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ds(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = d(s)
	}
	return out
}

func TestNPVFirstFlowUndiscounted(t *testing.T) {
	got, err := NPV(d("0.1"), ds("-100", "110"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsZero() {
		t.Errorf("got %s, want 0 (−100 at t=0 and 110/1.1 at t=1)", got)
	}
	if _, err := NPV(d("-1"), ds("1")); !errors.Is(err, ErrInvalid) {
		t.Errorf("rate -1: got %v, want ErrInvalid", err)
	}
}

func TestPVZeroRate(t *testing.T) {
	got, err := PV(decimal.Zero, 10, d("100"), d("50"), End)
	if err != nil {
		t.Fatal(err)
	}
	if want := d("-1050"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestIRR(t *testing.T) {
	tests := []struct {
		values []string
		want   string
		found  bool
	}{
		{[]string{"-100", "110"}, "0.1", true},
		{[]string{"-100", "0", "121"}, "0.1", true},
		{[]string{"0", "-100", "110", "0"}, "0.1", true}, // leading/trailing zeros
		{[]string{"1", "2", "3"}, "", false},
		{[]string{"-1"}, "", false},
		{[]string{"0", "0"}, "", false},
		{[]string{"-100", "50"}, "-0.5", true},
	}
	for _, tt := range tests {
		r := IRR(ds(tt.values...))
		if r.Found != tt.found {
			t.Errorf("IRR(%v): got found=%v, want %v", tt.values, r.Found, tt.found)
			continue
		}
		if tt.found && !r.Rate.Sub(d(tt.want)).Abs().LessThan(d("1e-10")) {
			t.Errorf("IRR(%v): got %s, want %s", tt.values, r.Rate, tt.want)
		}
	}
}

func TestIncomeApproach(t *testing.T) {
	rep, err := IncomeApproach(Income{
		Benefits:    ds("1000000", "1200000", "1500000"),
		Basis:       "profit",
		SharingRate: d("0.25"),
		Discount:    BuildUp{RiskFree: d("0.03"), Technical: d("0.03"), Market: d("0.02"), Funding: d("0.01"), Management: d("0.01")},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Independent computation (Python decimal, 50 digits, ROUND_HALF_UP).
	want := [][]string{
		{"740573.38", "726671.68", "713192.37"},
		{"771430.60", "756949.66", "742908.72"},
		{"802287.83", "787227.65", "772625.07"},
	}
	if !rep.Value.Equal(d("756949.66")) {
		t.Errorf("value: got %s, want 756949.66", rep.Value)
	}
	s := rep.Sensitivity
	if s == nil || len(s.Values) != 3 || len(s.Values[0]) != 3 {
		t.Fatalf("sensitivity: got %+v, want 3×3", s)
	}
	for i := range want {
		for j := range want[i] {
			if !s.Values[i][j].Equal(d(want[i][j])) {
				t.Errorf("sensitivity[%d][%d]: got %s, want %s", i, j, s.Values[i][j], want[i][j])
			}
		}
	}
	if !rep.Low.Equal(d("713192.37")) || !rep.High.Equal(d("802287.83")) {
		t.Errorf("range: got %s–%s, want 713192.37–802287.83", rep.Low, rep.High)
	}
	if !strings.Contains(rep.Text(), "756949.66") {
		t.Errorf("text lacks the value:\n%s", rep.Text())
	}
}

func TestReliefFromRoyaltySensitivity(t *testing.T) {
	in := Royalty{Revenues: ds("2000000", "2000000", "2000000", "2000000", "2000000"), RoyaltyRate: d("0.05"), TaxRate: d("0.25"), DiscountRate: d("0.12")}
	rep, err := ReliefFromRoyalty(in)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Value.Equal(d("270358.22")) {
		t.Errorf("value: got %s, want 270358.22", rep.Value)
	}
	// One point less royalty (5% → 4%) moves the value by 20%.
	if got := rep.Sensitivity.Values[0][1]; !got.Equal(d("216286.57")) {
		t.Errorf("royalty 4%%: got %s, want 216286.57", got)
	}
}

func TestMarketApproach(t *testing.T) {
	rep, err := MarketApproach([]Comparable{
		{ID: "A", Price: d("1000000"), Adjustments: []Adjustment{{"time", d("1.05")}, {"technology", d("0.9")}}},
		{ID: "B", Price: d("800000"), Adjustments: []Adjustment{{"market", d("1.2")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// A: 945000, B: 960000 → mean 952500.
	if !rep.Value.Equal(d("952500")) || !rep.Low.Equal(d("945000")) || !rep.High.Equal(d("960000")) {
		t.Errorf("got %s (%s–%s), want 952500 (945000–960000)", rep.Value, rep.Low, rep.High)
	}
	if _, err := MarketApproach(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("no comparables: got %v, want ErrInvalid", err)
	}
	if _, err := MarketApproach([]Comparable{{ID: "x", Price: d("1"), Adjustments: []Adjustment{{"t", d("0")}}}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero factor: got %v, want ErrInvalid", err)
	}
}

func TestCostApproach(t *testing.T) {
	rep, err := CostApproach(Cost{ReplacementCost: d("500000"), Physical: d("0"), Functional: d("100000"), Economic: d("50000.005")})
	if err != nil {
		t.Fatal(err)
	}
	// 349999.995 rounds half away from zero to 350000.00.
	if !rep.Value.Equal(d("350000")) || !rep.Low.Equal(rep.Value) || !rep.High.Equal(rep.Value) {
		t.Errorf("got %s (%s–%s), want 350000.00 as a point value", rep.Value, rep.Low, rep.High)
	}
	if _, err := CostApproach(Cost{ReplacementCost: d("1"), Economic: d("2")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("obsolescence > cost: got %v, want ErrInvalid", err)
	}
}

func TestInputErrors(t *testing.T) {
	if _, err := IncomeApproach(Income{Benefits: ds("1"), SharingRate: d("1.5"), Discount: BuildUp{RiskFree: d("0.1")}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("sharing rate 1.5: got %v", err)
	}
	if _, err := IncomeApproach(Income{Benefits: ds("1"), SharingRate: d("0.2")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero discount: got %v", err)
	}
	if _, err := ReliefFromRoyalty(Royalty{RoyaltyRate: d("0.1"), DiscountRate: d("0.1")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no revenues: got %v", err)
	}
	if _, err := PV(d("0.1"), -1, d("1"), d("0"), End); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative nper: got %v", err)
	}
}
