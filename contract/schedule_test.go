package contract

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var day0 = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func sum(ps []Payment) decimal.Decimal {
	t := decimal.Zero
	for _, p := range ps {
		t = t.Add(p.Amount)
	}
	return t
}

func TestInstalmentsSumExactly(t *testing.T) {
	tests := []struct {
		total string
		n     int
		want  []string
	}{
		{"1000000.00", 3, []string{"333333.33", "333333.33", "333333.34"}},
		{"1000000.00", 7, []string{"142857.14", "142857.14", "142857.14", "142857.14", "142857.14", "142857.14", "142857.16"}},
		{"0.05", 3, []string{"0.01", "0.01", "0.03"}},
		{"100", 4, []string{"25", "25", "25", "25"}},
		{"0", 2, []string{"0", "0"}},
	}
	for _, tt := range tests {
		s, err := Plan(Terms{Method: Instalments, Total: d(tt.total), Instalments: tt.n, EveryMonths: 1}, day0, nil)
		if err != nil {
			t.Fatalf("%s/%d: %v", tt.total, tt.n, err)
		}
		if len(s.Payments) != tt.n {
			t.Fatalf("%s/%d: got %d payments, want %d", tt.total, tt.n, len(s.Payments), tt.n)
		}
		for i, p := range s.Payments {
			if !p.Amount.Equal(d(tt.want[i])) {
				t.Errorf("%s/%d part %d: got %s, want %s", tt.total, tt.n, i+1, p.Amount, tt.want[i])
			}
		}
		if !sum(s.Payments).Equal(d(tt.total)) || !s.Total.Equal(d(tt.total)) {
			t.Errorf("%s/%d: parts sum to %s (Total %s), want %s", tt.total, tt.n, sum(s.Payments), s.Total, tt.total)
		}
	}
}

func TestInstalmentDatesClampToMonthEnd(t *testing.T) {
	s, err := Plan(Terms{Method: Instalments, Total: d("900"), Instalments: 3, EveryMonths: 1}, day0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-01-31", "2026-02-28", "2026-03-31"}
	for i, p := range s.Payments {
		if got := p.Due.Format("2006-01-02"); got != want[i] {
			t.Errorf("instalment %d: got due %s, want %s", i+1, got, want[i])
		}
	}
}

func TestWeightedInstalments(t *testing.T) {
	s, err := Plan(Terms{Method: Instalments, Total: d("1000000.00"), Instalments: 3, Weights: []decimal.Decimal{d("30"), d("40"), d("30")}}, day0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"300000", "400000", "300000"}
	for i, p := range s.Payments {
		if !p.Amount.Equal(d(want[i])) {
			t.Errorf("part %d: got %s, want %s", i+1, p.Amount, want[i])
		}
	}
	if got := s.Payments[2].Due.Format("2006-01-02"); got != "2028-01-31" {
		t.Errorf("default interval: last due %s, want 2028-01-31", got)
	}
	// Thirds by weight: 1/3 each of 100.00.
	parts, err := Split(d("100"), 3, []decimal.Decimal{d("1"), d("1"), d("1")})
	if err != nil {
		t.Fatal(err)
	}
	if !parts[0].Equal(d("33.33")) || !parts[2].Equal(d("33.34")) {
		t.Errorf("weighted thirds: got %v", parts)
	}
}

func TestRoyaltySchedules(t *testing.T) {
	base := []decimal.Decimal{d("10000000"), d("12000000"), d("-500000"), d("15000000.55")}
	tests := []struct {
		name  string
		r     RoyaltyTerms
		rates []string
		amts  []string
	}{
		{"fixed", RoyaltyTerms{Base: Sales, Rate: d("3"), Trend: Fixed, Years: 4}, []string{"3", "3", "3", "3"}, []string{"300000", "360000", "0", "450000.02"}},
		{"rising", RoyaltyTerms{Base: NewOutputValue, Rate: d("2"), Trend: Rising, Step: d("0.5"), Years: 4}, []string{"2", "2.5", "3", "3.5"}, []string{"200000", "300000", "0", "525000.02"}},
		{"falling", RoyaltyTerms{Base: Profit, Rate: d("10"), Trend: Falling, Step: d("2"), Years: 4}, []string{"10", "8", "6", "4"}, []string{"1000000", "960000", "0", "600000.02"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Plan(Terms{Method: Royalty, Royalty: tt.r}, day0, base)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range s.Payments {
				if !p.Rate.Equal(d(tt.rates[i])) || !p.Amount.Equal(d(tt.amts[i])) || p.Year != i+1 {
					t.Errorf("year %d: got rate %s amount %s, want %s %s", i+1, p.Rate, p.Amount, tt.rates[i], tt.amts[i])
				}
				if want := addMonths(day0, 12*(i+1)); !p.Due.Equal(want) {
					t.Errorf("year %d: got due %v, want %v", i+1, p.Due, want)
				}
			}
			if !s.Total.Equal(sum(s.Payments)) {
				t.Errorf("Total %s != sum %s", s.Total, sum(s.Payments))
			}
		})
	}
}

func TestEntryFeeRoyalty(t *testing.T) {
	s, err := Plan(Terms{Method: EntryFeeRoyalty, EntryFee: d("500000"), Royalty: RoyaltyTerms{Base: Sales, Rate: d("2"), Years: 2}}, day0, []decimal.Decimal{d("1000000"), d("3000000")})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Payments) != 3 || s.Payments[0].Kind != PayEntryFee || !s.Payments[0].Due.Equal(day0) {
		t.Fatalf("got %+v, want entry fee first", s.Payments)
	}
	if !s.Total.Equal(d("580000")) {
		t.Errorf("total: got %s, want 580000", s.Total)
	}
}

func TestPlanErrors(t *testing.T) {
	roy := RoyaltyTerms{Base: Sales, Rate: d("3"), Years: 2}
	tests := []struct {
		name  string
		t     Terms
		proj  []decimal.Decimal
		field string
	}{
		{"no method", Terms{}, nil, "Terms.Method"},
		{"negative total", Terms{Method: LumpSum, Total: d("-1")}, nil, "Terms.Total"},
		{"fraction of a cent", Terms{Method: LumpSum, Total: d("1.005")}, nil, "Terms.Total"},
		{"one instalment", Terms{Method: Instalments, Total: d("10"), Instalments: 1}, nil, "Terms.Instalments"},
		{"weights count", Terms{Method: Instalments, Total: d("10"), Instalments: 2, Weights: []decimal.Decimal{d("1")}}, nil, "Terms.Weights"},
		{"zero weight", Terms{Method: Instalments, Total: d("10"), Instalments: 2, Weights: []decimal.Decimal{d("1"), d("0")}}, nil, "Terms.Weights[1]"},
		{"projection length", Terms{Method: Royalty, Royalty: roy}, []decimal.Decimal{d("1")}, "projected"},
		{"no base", Terms{Method: Royalty, Royalty: RoyaltyTerms{Rate: d("3"), Years: 1}}, []decimal.Decimal{d("1")}, "Terms.Royalty.Base"},
		{"rate over 100", Terms{Method: Royalty, Royalty: RoyaltyTerms{Base: Sales, Rate: d("101"), Years: 1}}, []decimal.Decimal{d("1")}, "Terms.Royalty.Rate"},
		{"falls below zero", Terms{Method: Royalty, Royalty: RoyaltyTerms{Base: Sales, Rate: d("3"), Trend: Falling, Step: d("1"), Years: 4}}, make([]decimal.Decimal, 4), "Terms.Royalty.Step"},
		{"rising without step", Terms{Method: Royalty, Royalty: RoyaltyTerms{Base: Sales, Rate: d("3"), Trend: Rising, Years: 2}}, make([]decimal.Decimal, 2), "Terms.Royalty.Step"},
		{"entry fee missing", Terms{Method: EntryFeeRoyalty, Royalty: roy}, make([]decimal.Decimal, 2), "Terms.EntryFee"},
		{"absurd base", Terms{Method: Royalty, Royalty: roy}, []decimal.Decimal{d("1"), decimal.New(1, 999999)}, "projected[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Plan(tt.t, day0, tt.proj)
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want a *FieldError", err)
			}
			if fe.Field != tt.field {
				t.Errorf("got field %q, want %q (%v)", fe.Field, tt.field, err)
			}
		})
	}
	if _, err := Plan(Terms{Method: LumpSum, Total: d("1")}, time.Time{}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero start: got %v, want ErrInvalid", err)
	}
}

// FuzzSplit: parts are never negative, are whole cents, and sum exactly to
// the total, for any total in cents and any count and weights.
func FuzzSplit(f *testing.F) {
	f.Add(int64(100000000), 3, uint8(0))
	f.Add(int64(100000000), 7, uint8(3))
	f.Add(int64(1), 9, uint8(7))
	f.Fuzz(func(t *testing.T, cents int64, n int, wseed uint8) {
		if cents < 0 || cents > 1e14 || n < 1 || n > 200 {
			t.Skip()
		}
		total := decimal.New(cents, -2)
		var ws []decimal.Decimal
		if wseed%2 == 1 {
			for i := 0; i < n; i++ {
				ws = append(ws, decimal.NewFromInt(int64(1+(int(wseed)*(i+7))%13)))
			}
		}
		parts, err := Split(total, n, ws)
		if err != nil {
			t.Fatal(err)
		}
		acc := decimal.Zero
		for i, p := range parts {
			if p.Sign() < 0 || !p.Equal(p.Truncate(2)) {
				t.Fatalf("part %d = %s: negative or not whole cents", i, p)
			}
			acc = acc.Add(p)
		}
		if !acc.Equal(total) {
			t.Fatalf("parts sum to %s, want %s", acc, total)
		}
	})
}

func BenchmarkPlanInstalments(b *testing.B) {
	t := Terms{Method: Instalments, Total: d("1000000.00"), Instalments: 7, EveryMonths: 3}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Plan(t, day0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzPlan: Plan never panics; a plan it returns has whole-cent, non-negative
// payments summing to its Total, and instalments sum to the terms' total.
func FuzzPlan(f *testing.F) {
	f.Add(uint8(1), int64(100000000), 7, int64(300), int64(50), uint8(1), 5, int64(1000000))
	f.Add(uint8(3), int64(50000000), 0, int64(1000), int64(100), uint8(2), 3, int64(-5))
	f.Fuzz(func(t *testing.T, method uint8, cents int64, n int, rateBP, stepBP int64, trend uint8, years int, base int64) {
		methods := []Method{LumpSum, Instalments, Royalty, EntryFeeRoyalty, "barter"}
		trends := []Trend{Fixed, Rising, Falling, ""}
		terms := Terms{
			Method: methods[int(method)%len(methods)], Total: decimal.New(cents, -2), Instalments: n, EveryMonths: n % 13,
			EntryFee: decimal.New(cents, -2),
			Royalty: RoyaltyTerms{Base: Sales, Rate: decimal.New(rateBP, -2), Step: decimal.New(stepBP, -2),
				Trend: trends[int(trend)%len(trends)], Years: years},
		}
		var proj []decimal.Decimal
		if years >= 0 && years <= 60 {
			for i := 0; i < years; i++ {
				proj = append(proj, decimal.New(base*int64(i+1), -2))
			}
		}
		s, err := Plan(terms, day0, proj)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not unwrap to ErrInvalid: %v", err)
			}
			return
		}
		acc := decimal.Zero
		for _, p := range s.Payments {
			if p.Amount.Sign() < 0 || !p.Amount.Equal(p.Amount.Truncate(2)) {
				t.Fatalf("payment %d: %s", p.Seq, p.Amount)
			}
			acc = acc.Add(p.Amount)
		}
		if !acc.Equal(s.Total) {
			t.Fatalf("payments sum to %s, Total %s", acc, s.Total)
		}
		if (terms.Method == Instalments || terms.Method == LumpSum) && !acc.Equal(terms.Total) {
			t.Fatalf("instalments sum to %s, want %s", acc, terms.Total)
		}
	})
}
