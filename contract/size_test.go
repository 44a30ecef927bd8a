package contract

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestSizeMessages: every refusal of a number says what is wrong with it
// (issue 21, friction: 1e20 was reported as "at most 2 decimal places", a
// huge positive weight as "must be positive").
func TestSizeMessages(t *testing.T) {
	start := date(2026, 1, 1)
	amount := func(s string) error {
		_, err := Plan(Terms{Method: LumpSum, Total: d(s)}, start, nil)
		return err
	}
	base := func(s string) error {
		_, err := Plan(Terms{Method: Royalty, Royalty: RoyaltyTerms{Base: Sales, Rate: d("5"), Years: 1}}, start, []decimal.Decimal{d(s)})
		return err
	}
	weight := func(s string) error {
		_, err := Split(d("100"), 2, []decimal.Decimal{d(s), d("1")})
		return err
	}
	rate := func(s string) error {
		return RoyaltyTerms{Base: Sales, Rate: d(s), Years: 1}.check()
	}
	step := func(s string) error {
		return RoyaltyTerms{Base: Sales, Rate: d("5"), Trend: Falling, Step: d(s), Years: 1}.check()
	}
	huge := "123456789012345678901234567890123456789012345678901234567890"
	tests := []struct {
		name string
		f    func(string) error
		in   string
		want string // substring of the error; "" = nil
	}{
		{"amount 1e20", amount, "1e20", "Terms.Total = 100000000000000000000: must be at most 1万亿 (10^12) yuan"},
		{"amount 1e13", amount, "1e13", "must be at most 1万亿 (10^12) yuan"},
		{"amount 60 digits", amount, huge, "must be at most 1万亿 (10^12) yuan"},
		{"amount just over", amount, "1000000000000.01", "must be at most 1万亿 (10^12) yuan"},
		{"amount -1e20", amount, "-1e20", "must not be negative"},
		{"amount -0.001", amount, "-0.001", "must not be negative"},
		{"amount 0.001", amount, "0.001", "at most 2 decimal places"},
		{"amount 1e-50", amount, "1e-50", "Terms.Total = 1e-50: must be an amount in yuan with at most 2 decimal places"},
		{"amount 1e12", amount, "1e12", ""},
		{"amount 1.000", amount, "1.000", ""},
		{"amount 0e30", amount, "0e30", "Terms.Total = 0: must be written without an exponent above 18"},
		{"amount 0e-50", amount, "0e-50", "at most 2 decimal places"},
		{"base 1e20", base, "1e20", "projected[0] = 100000000000000000000: must be at most 1万亿 (10^12) yuan in size"},
		{"base -1e20", base, "-1e20", "must be at most 1万亿 (10^12) yuan in size"},
		{"base 1e-50", base, "1e-50", "at most 2 decimal places"},
		{"base -5", base, "-5", ""},
		{"weight 1e30", weight, "1e30", "weights[0] = 1000000000000000000000000000000: must be at most 10^18"},
		{"weight 1e-50", weight, "1e-50", "weights[0] = 1e-50: must have at most 40 decimal places"},
		{"weight 0", weight, "0", "must be positive"},
		{"weight 1e18", weight, "1e18", ""},
		{"weight 1e18+1", weight, "1000000000000000001", "must be at most 10^18"},
		{"weight 49 digits", weight, "0.1234567890123456789012345678901234567890123456789", "must have at most 40 decimal places"},
		{"weight 50 digits", weight, "1234567890123.4567890123456789012345678901234567890", "must have at most 48 significant digits"},
		{"rate 1e-50", rate, "1e-50", "Terms.Royalty.Rate = 1e-50: must have at most 40 decimal places"},
		{"rate 1e30", rate, "1e30", "must be a percentage in (0, 100]"},
		{"step 1e30", step, "1e30", "Terms.Royalty.Step = 1000000000000000000000000000000: must be at most 100 percentage points a year"},
		{"step 1e-50", step, "1e-50", "must have at most 40 decimal places"},
		{"step -1", step, "-1", "a rising or falling rate needs a positive step"},
		{"step 101", step, "101", "must be at most 100 percentage points a year"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f(tt.in)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestAboveIsCheap: sizing a decimal with a huge exponent or coefficient
// does no arithmetic on it.
func TestAboveIsCheap(t *testing.T) {
	start := time.Now()
	for _, x := range []decimal.Decimal{decimal.New(1, 2_000_000_000), decimal.New(7, -2_000_000_000), decimal.New(-3, 1_000_000)} {
		_, _ = Plan(Terms{Method: LumpSum, Total: x}, date(2026, 1, 1), nil)
		_, _ = Split(d("1"), 1, []decimal.Decimal{x})
		_ = RoyaltyTerms{Base: Sales, Rate: x, Trend: Rising, Step: x, Years: 2}.check()
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v, want well under a second", el)
	}
}

// FuzzCheckAmount: checkAmount never panics and its verdict agrees with the
// value: refused as negative only when negative, as above 1万亿 only when
// above 10^12, for decimal places only when it has more than 2 as written
// (exponent below −2), and accepted only when 0 ≤ d ≤ 10^12 in whole cents.
func FuzzCheckAmount(f *testing.F) {
	f.Add(int64(1), int16(20))
	f.Add(int64(-1), int16(20))
	f.Add(int64(0), int16(30))
	f.Add(int64(0), int16(-50))
	f.Add(int64(1), int16(-50))
	f.Add(int64(100000000000001), int16(-2))
	f.Add(int64(123), int16(-3))
	f.Fuzz(func(t *testing.T, coef int64, exp int16) {
		x := decimal.New(coef, int32(exp))
		err := checkAmount("total", x)
		// Exact reference arithmetic; exp is small enough to afford it.
		max := decimal.New(1, 12)
		switch {
		case err == nil:
			if x.Sign() < 0 || x.GreaterThan(max) || !x.Equal(x.Truncate(2)) {
				t.Fatalf("%s accepted", x)
			}
		case strings.Contains(err.Error(), "must not be negative"):
			if x.Sign() >= 0 {
				t.Fatalf("%s: %v", x, err)
			}
		case strings.Contains(err.Error(), "must be at most 1万亿"):
			if !x.GreaterThan(max) {
				t.Fatalf("%s: %v", x, err)
			}
		case strings.Contains(err.Error(), "at most 2 decimal places"):
			if x.Exponent() >= -2 {
				t.Fatalf("%s (exponent %d): %v", x, x.Exponent(), err)
			}
		case strings.Contains(err.Error(), "without an exponent"):
			if !x.IsZero() || x.Exponent() <= 18 {
				t.Fatalf("%s (exponent %d): %v", x, x.Exponent(), err)
			}
		default:
			t.Fatalf("%s: unexpected message %v", x, err)
		}
	})
}
