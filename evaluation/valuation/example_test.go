package valuation_test

import (
	"fmt"

	"github.com/kexie/techbroker/evaluation/valuation"
	"github.com/shopspring/decimal"
)

func ExampleIncomeApproach() {
	d := decimal.RequireFromString
	rep, err := valuation.IncomeApproach(valuation.Income{
		Benefits:    []decimal.Decimal{d("1000000"), d("1200000"), d("1500000")},
		Basis:       "profit",
		SharingRate: d("0.25"), // 分成率
		Discount: valuation.BuildUp{
			RiskFree: d("0.03"), Technical: d("0.03"), Market: d("0.02"),
			Funding: d("0.01"), Management: d("0.01"),
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("value:", rep.Value.StringFixed(2))
	fmt.Println("range:", rep.Low.StringFixed(2), "–", rep.High.StringFixed(2))
	// Output:
	// value: 756949.66
	// range: 713192.37 – 802287.83
}

func ExampleIRR() {
	d := decimal.RequireFromString
	r := valuation.IRR([]decimal.Decimal{d("-100"), d("39"), d("59"), d("55"), d("20")})
	fmt.Println(r.Found, r.Rate.StringFixed(5))
	none := valuation.IRR([]decimal.Decimal{d("-1"), d("-2"), d("-3")})
	fmt.Println(none.Found)
	// Output:
	// true 0.28095
	// false
}

func ExampleNPV() {
	d := decimal.RequireFromString
	v, _ := valuation.NPV(d("0.08"), []decimal.Decimal{d("-40000"), d("5000"), d("8000"), d("12000"), d("30000")})
	fmt.Println(v.StringFixed(5))
	// Output: 3065.22267
}
