package decimalx

import (
	"testing"

	"github.com/kexie/techbroker/internal/decimalx/decimaltest"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// The fast paths of the money checks agree with plain decimal arithmetic.
func TestMoneyFastPathsAgree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := decimaltest.Draw(t, "d")
		places := int32(rapid.IntRange(0, 6).Draw(t, "places"))
		exp := d.Exponent()
		slowSane := d.Sign() == 0 || !(exp > 18 || exp < -40 || d.Coefficient().BitLen() > 160) && (exp >= -places || d.Equal(d.Truncate(places)))
		if got := Sane(d, places); got != slowSane {
			t.Fatalf("Sane(%s, %d) = %v, want %v", d, places, got, slowSane)
		}
		if !slowSane {
			return
		}
		p := int32(rapid.IntRange(0, 14).Draw(t, "p"))
		if got, want := GreaterThanPow10(d, p), d.GreaterThan(decimal.New(1, p)); got != want {
			t.Fatalf("GreaterThanPow10(%s, %d) = %v, want %v", d, p, got, want)
		}
	})
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
		if got := GreaterThanPow10(d, tc.p); got != tc.want {
			t.Errorf("GreaterThanPow10(%s, %d) = %v, want %v", tc.d, tc.p, got, tc.want)
		}
	}
	for _, d := range []decimal.Decimal{decimal.New(1, 12), decimal.New(100, 10), decimal.New(1000000000000000, -3)} {
		if GreaterThanPow10(d, 12) {
			t.Errorf("GreaterThanPow10(%s as %s×10^%d, 12) = true, want false", d, d.Coefficient(), d.Exponent())
		}
	}
}
