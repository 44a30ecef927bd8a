// Package decimaltest draws decimals for property tests of money
// arithmetic.
package decimaltest

import (
	"math/big"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// Draw draws decimals with 0 to 25 digits and exponents from -45 to 20:
// small and big coefficients, trailing zeros, negatives.
func Draw(t *rapid.T, label string) decimal.Decimal {
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
