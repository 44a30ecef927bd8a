package money_test

import (
	"fmt"

	"github.com/kexie/techbroker/money"
	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
)

func ExampleFormatZH() {
	fmt.Println(money.FormatZH(decimal.NewFromInt(415_000_000)))
	fmt.Println(money.FormatZH(decimal.NewFromInt(35_000_000)))
	fmt.Println(money.FormatZH(decimal.RequireFromString("1234.5")))
	// Output:
	// 4.15亿元
	// 3500万元
	// 1234.5元
}

func ExampleFormatEN() {
	fmt.Println(money.FormatEN(decimal.NewFromInt(415_000_000)))
	fmt.Println(money.FormatEN(decimal.NewFromInt(3_500_000)))
	fmt.Println(money.FormatEN(decimal.NewFromInt(35_000)))
	// Output:
	// CNY 415.00 million
	// CNY 3.50 million
	// CNY 35,000.00
}

func ExampleFormat() {
	d := decimal.NewFromInt(-35_000_000)
	fmt.Println(money.Format(d, language.SimplifiedChinese))
	fmt.Println(money.Format(d, language.English))
	// Output:
	// -3500万元
	// CNY -35.00 million
}
