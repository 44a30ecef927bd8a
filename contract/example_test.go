package contract_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/contract"
)

// ¥1,000,000.00 in 3 instalments: each part rounded down to the cent, the
// last takes the remainder.
func ExamplePlan_instalments() {
	start := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	s, err := contract.Plan(contract.Terms{
		Method: contract.Instalments, Total: decimal.RequireFromString("1000000.00"),
		Instalments: 3, EveryMonths: 6,
	}, start, nil)
	if err != nil {
		panic(err)
	}
	for _, p := range s.Payments {
		fmt.Println(p.Seq, p.Due.Format("2006-01-02"), p.Amount.StringFixed(2))
	}
	fmt.Println("total", s.Total.StringFixed(2))
	// Output:
	// 1 2026-03-31 333333.33
	// 2 2026-09-30 333333.33
	// 3 2027-03-31 333333.34
	// total 1000000.00
}

// An entry fee plus a royalty on sales falling by one point a year, on the
// caller's projected sales.
func ExamplePlan_royalty() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	projected := []decimal.Decimal{
		decimal.NewFromInt(8_000_000), decimal.NewFromInt(12_000_000), decimal.NewFromInt(15_000_000),
	}
	s, err := contract.Plan(contract.Terms{
		Method:   contract.EntryFeeRoyalty,
		EntryFee: decimal.NewFromInt(300_000),
		Royalty: contract.RoyaltyTerms{Base: contract.Sales, Rate: decimal.NewFromInt(5),
			Trend: contract.Falling, Step: decimal.NewFromInt(1), Years: 3},
	}, start, projected)
	if err != nil {
		panic(err)
	}
	for _, p := range s.Payments {
		fmt.Printf("%s %-9s rate %s%% %s\n", p.Due.Format("2006-01-02"), p.Kind, p.Rate, p.Amount.StringFixed(2))
	}
	fmt.Println("total", s.Total.StringFixed(2))
	// Output:
	// 2026-01-01 entry_fee rate 0% 300000.00
	// 2027-01-01 royalty   rate 5% 400000.00
	// 2028-01-01 royalty   rate 4% 480000.00
	// 2029-01-01 royalty   rate 3% 450000.00
	// total 1630000.00
}

// A university sells by agreement but signs before its 公示 has run 15 days.
func ExampleCheck() {
	day := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	price := decimal.NewFromInt(1_200_000)
	c := contract.Contract{
		Type:    contract.Transfer,
		Seller:  contract.Party{Name: "上海海洋大学", Public: true},
		Buyer:   contract.Party{Name: "台州某渔业装备有限公司"},
		Amount:  price,
		Terms:   contract.Terms{Method: contract.LumpSum, Total: price},
		Signed:  day(3, 10),
		Written: true,
		Subject: "深远海养殖网箱水质在线监测系统",
		Pricing: contract.PricingEvidence{Path: contract.ByAgreement,
			Notice: &contract.Notice{Name: "深远海养殖网箱水质在线监测系统", Price: price, Start: day(3, 1), End: day(3, 16)}},
	}
	for _, f := range contract.Failed(contract.Check(c, nil)) {
		fmt.Println(f.Rule, "—", f.Why)
	}
	// Output:
	// pricing-path — the notice ended 2026-03-16, after the contract was signed on 2026-03-10
	// vat-exemption — the contract is not registered (认定登记), which the exemption requires
	// income-tax-relief — the contract is not registered (认定登记), which the relief requires
}

// The default reward when the university has no rule of its own.
func ExampleDefaultReward() {
	r, err := contract.DefaultReward(contract.RewardInput{
		Basis:  contract.FromTransferOrLicence,
		Income: decimal.NewFromInt(1_200_000), Costs: decimal.NewFromInt(150_000),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Minimum.StringFixed(2), "—", r.Why)
	team, _ := contract.SplitReward(r.Minimum, []decimal.Decimal{decimal.NewFromInt(60), decimal.NewFromInt(40)})
	fmt.Println(team[0].StringFixed(2), team[1].StringFixed(2))
	// Output:
	// 525000.00 — at least 50% of the net income 105万元 (120万元 less costs 15万元)
	// 315000.00 210000.00
}

func ExampleEstimateTaxRelief() {
	c := contract.Contract{Type: contract.Transfer, Amount: decimal.NewFromInt(8_000_000), Registered: true,
		Seller: contract.Party{Name: "复旦大学"}, Buyer: contract.Party{Name: "某信息技术公司"},
		Written: true, Signed: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Subject: "软件著作权转让"}
	e, _ := contract.EstimateTaxRelief(c, decimal.NewFromInt(7_000_000), nil)
	fmt.Println("VAT saved:", e.VATSaved.StringFixed(2))
	fmt.Println("income exempt:", e.ExemptIncome, "halved:", e.HalvedIncome, "tax saved:", e.IncomeTaxSaved.StringFixed(2))
	fmt.Println(e.Label)
	// Output:
	// VAT saved: 480000.00
	// income exempt: 5000000 halved: 2000000 tax saved: 1500000.00
	// 估算，仅供参考，不构成税务意见 / estimate only, not tax advice: the tax office decides
}

// A platform checks a listing's notice period when the listing is created
// or published, and the contract check applies the same rule at signing:
// a state-funded seller's agreement price needs at least 15 days of 公示,
// and options can lengthen it but not shorten it.
func ExampleRequiredNoticeDays() {
	fmt.Println(contract.RequiredNoticeDays(true, contract.ByAgreement, nil))
	fmt.Println(contract.RequiredNoticeDays(true, contract.ByAgreement, &contract.CheckOptions{NoticeDays: 3}))
	fmt.Println(contract.RequiredNoticeDays(true, contract.ByAgreement, &contract.CheckOptions{NoticeDays: 30}))
	fmt.Println(contract.RequiredNoticeDays(true, contract.ByAuction, nil))
	fmt.Println(contract.RequiredNoticeDays(false, contract.ByAgreement, nil))

	// At listing time: a 3-day notice is refused before it runs.
	err := contract.CheckNoticeDays(true, contract.ByAgreement, 3, nil)
	fmt.Println(err, errors.Is(err, contract.ErrInvalid))

	// At signing: a 3-day notice fails the pricing rule whatever the options.
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	price := decimal.NewFromInt(800_000)
	c := contract.Contract{
		Seller: contract.Party{Name: "上海海洋大学", Public: true},
		Amount: price,
		Signed: day(10),
		Pricing: contract.PricingEvidence{Path: contract.ByAgreement,
			Notice: &contract.Notice{Name: "养殖水体溶解氧传感器", Price: price, Start: day(1), End: day(4)}},
	}
	fmt.Println(contract.CheckPricing(c, &contract.CheckOptions{NoticeDays: 3}).Why)
	// Output:
	// 15
	// 15
	// 30
	// 0
	// 0
	// contract: NoticeDays = 3: a state-funded research institute or university pricing by agreement needs at least 15 days of public notice (公示) before the price is final true
	// the notice ran 3 days, fewer than the required 15
}
