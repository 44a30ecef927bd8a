package broker

import (
	"math/big"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// drawDecimal draws decimals with 0 to 25 digits and exponents from -45
// to 20: small and big coefficients, trailing zeros, negatives.
func drawDecimal(t *rapid.T, label string) decimal.Decimal {
	digits := rapid.IntRange(0, 25).Draw(t, label+"-digits")
	c := new(big.Int)
	for i := 0; i < digits; i++ {
		c.Mul(c, big.NewInt(10))
		c.Add(c, big.NewInt(int64(rapid.IntRange(0, 9).Draw(t, label+"-digit"))))
	}
	for i := rapid.IntRange(0, 4).Draw(t, label+"-zeros"); i > 0; i-- {
		c.Mul(c, big.NewInt(10))
	}
	if rapid.Bool().Draw(t, label+"-neg") {
		c.Neg(c)
	}
	return decimal.NewFromBigInt(c, int32(rapid.IntRange(-45, 20).Draw(t, label+"-exp")))
}

// The fast paths of the money checks agree with plain decimal arithmetic.
func TestMoneyFastPathsAgree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := drawDecimal(t, "d")
		places := int32(rapid.IntRange(0, 6).Draw(t, "places"))
		exp := d.Exponent()
		slowSane := !(exp > 18 || exp < -40 || d.Coefficient().BitLen() > 160) && (exp >= -places || d.Equal(d.Truncate(places)))
		if got := saneDecimal(d, places); got != slowSane {
			t.Fatalf("saneDecimal(%s, %d) = %v, want %v", d, places, got, slowSane)
		}
		if !slowSane {
			return
		}
		p := int32(rapid.IntRange(0, 14).Draw(t, "p"))
		if got, want := greaterThanPow10(d, p), d.GreaterThan(decimal.New(1, p)); got != want {
			t.Fatalf("greaterThanPow10(%s, %d) = %v, want %v", d, p, got, want)
		}
	})
}

func TestSharesOver100Agrees(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 6).Draw(t, "n")
		inv := make([]Inventor, n)
		total := decimal.Zero
		for i := range inv {
			// A share as checkShares lets through: sane with 4 places, in [0, 100].
			var s decimal.Decimal
			for {
				s = drawDecimal(t, "share").Abs()
				if saneDecimal(s, 4) && !s.GreaterThan(hundred) {
					break
				}
				s = decimal.New(int64(rapid.IntRange(0, 1000000).Draw(t, "units")), -4)
				break
			}
			inv[i].Share = s
			total = total.Add(s)
		}
		if got, want := sharesOver100(inv), total.GreaterThan(hundred); got != want {
			t.Fatalf("sharesOver100(%v) = %v, want %v (total %s)", inv, got, want, total)
		}
	})
}

func TestCheckSharesMessages(t *testing.T) {
	for _, tc := range []struct {
		shares []string
		want   []string // codes
	}{
		{[]string{"50", "50"}, nil},
		{[]string{"50", "50.0001"}, []string{"share_total"}},
		{[]string{"60.5", "39.5000"}, nil},
		{[]string{"100.0001"}, []string{"share_range"}},
		{[]string{"-1"}, []string{"share_range"}},
		{[]string{"1.00001"}, []string{"malformed"}},
		{[]string{"1e-50"}, []string{"malformed"}},
		{[]string{"99.99999999999999999999"}, []string{"malformed"}},
	} {
		var inv []Inventor
		for _, s := range tc.shares {
			inv = append(inv, Inventor{Name: "x", Share: decimal.RequireFromString(s)})
		}
		c := &checker{}
		checkShares(c, inv)
		var got []string
		for _, e := range c.errs {
			got = append(got, e.Code)
		}
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("shares %v: got %v, want %v", tc.shares, got, tc.want)
		}
	}
}

func TestGreaterThanPow10Bounds(t *testing.T) {
	for _, tc := range []struct {
		d    string
		p    int32
		want bool
	}{
		{"1000000000000", 12, false},
		{"1000000000000.00", 12, false},
		{"1000000000000.01", 12, true},
		{"999999999999.99", 12, false},
		{"100", 2, false},
		{"100.0000", 2, false},
		{"100.0001", 2, true},
		{"0", 2, false},
		{"-1000", 2, false},
		{"123456789012345678901234", 12, true}, // 24 digits: the slow path
	} {
		d := decimal.RequireFromString(tc.d)
		if got := greaterThanPow10(d, tc.p); got != tc.want {
			t.Errorf("greaterThanPow10(%s, %d) = %v, want %v", tc.d, tc.p, got, tc.want)
		}
	}
	for _, d := range []decimal.Decimal{decimal.New(1, 12), decimal.New(100, 10), decimal.New(1000000000000000, -3)} {
		if greaterThanPow10(d, 12) {
			t.Errorf("greaterThanPow10(%s as %s×10^%d, 12) = true, want false", d, d.Coefficient(), d.Exponent())
		}
	}
}
