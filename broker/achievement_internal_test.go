package broker

import (
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/kexie/techbroker/internal/decimalx"
	"github.com/kexie/techbroker/internal/decimalx/decimaltest"
)

func TestSharesOver100Agrees(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 6).Draw(t, "n")
		inv := make([]Inventor, n)
		total := decimal.Zero
		for i := range inv {
			// A share as checkShares lets through: sane with 4 places, in [0, 100].
			var s decimal.Decimal
			for {
				s = decimaltest.Draw(t, "share").Abs()
				if decimalx.Sane(s, 4) && !s.GreaterThan(hundred) {
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
		c := &Check{}
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

// A refused share or amount is told what is wrong with it in that order:
// sign, then size, then decimal places (issue 21, friction).
func TestCheckSizeBeforePlaces(t *testing.T) {
	for _, tc := range []struct {
		d          string
		money, pct string // codes
	}{
		{"1e20", "max", "share_range"},
		{"-1e20", "negative", "share_range"},
		{"123456789012345678901234567890.123", "max", "share_range"},
		{"0.001", "malformed", ""},
		{"0.00001", "malformed", "malformed"},
		{"1e-50", "malformed", "malformed"},
		{"100.00001", "malformed", "share_range"},
		{"1200000.5", "", "share_range"},
	} {
		d := decimal.RequireFromString(tc.d)
		c := &Check{}
		c.Money("m", d)
		c.Percent("p", d)
		got := map[string]string{}
		for _, e := range c.errs {
			got[e.Field] = e.Code
		}
		if got["m"] != tc.money || got["p"] != tc.pct {
			t.Errorf("%s: got money %q, percent %q; want %q, %q", tc.d, got["m"], got["p"], tc.money, tc.pct)
		}
	}
	if t.Failed() {
		return
	}
	rapid.Check(t, func(rt *rapid.T) {
		d := decimaltest.Draw(rt, "d")
		c := &Check{}
		c.Money("m", d)
		switch {
		case d.Sign() < 0:
			if len(c.errs) != 1 || c.errs[0].Code != "negative" {
				rt.Fatalf("%s: got %v, want negative", d, c.errs)
			}
		case d.GreaterThan(decimalx.MaxMoney()):
			if len(c.errs) != 1 || c.errs[0].Code != "max" {
				rt.Fatalf("%s: got %v, want max", d, c.errs)
			}
		case d.Sign() != 0 && (d.Exponent() < -40 || !d.Equal(d.Truncate(2))): // an absurd exponent is refused as written
			if len(c.errs) != 1 || c.errs[0].Code != "malformed" {
				rt.Fatalf("%s: got %v, want malformed", d, c.errs)
			}
		default:
			if len(c.errs) != 0 {
				rt.Fatalf("%s: got %v, want no error", d, c.errs)
			}
		}
	})
}
