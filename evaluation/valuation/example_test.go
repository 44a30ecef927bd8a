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

func ExampleReliefFromRoyalty() {
	d := decimal.RequireFromString
	rev := d("2000000")
	rep, err := valuation.ReliefFromRoyalty(valuation.Royalty{
		Revenues:     []decimal.Decimal{rev, rev, rev, rev, rev},
		RoyaltyRate:  d("0.05"),
		TaxRate:      d("0.25"),
		DiscountRate: d("0.12"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(rep.Text())
	// Output:
	// method: relief-from-royalty
	// value: 270358.22 (range 211033.88 – 332630.73)
	// input revenues: 2000000, 2000000, 2000000, 2000000, 2000000
	// input royalty rate: 0.05
	// input tax rate: 0.25
	// input discount rate: 0.12
	// assumption: flows at the end of each year
	// assumption: royalties over 5 years, nothing after
	// assumption: royalty rate from comparable licences (the 25% rule is not used)
	// sensitivity (royalty rate \ discount rate):
	//                    0.1100           0.1200           0.1300
	//   0.0400        221753.82        216286.57        211033.88
	//   0.0500        277192.28        270358.22        263792.34
	//   0.0600        332630.73        324429.86        316550.81
}
