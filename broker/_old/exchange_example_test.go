package broker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/contract"
)

// exchangeSystem builds the Yangpu system in memory with a clock the
// example moves by hand.
func exchangeSystem(now *time.Time) *broker.System {
	sys, err := broker.Build(context.Background(), memstore.New(), broker.Yangpu(), broker.PlatformAdmin("admin"),
		&broker.Options{NewID: broker.SequentialIDs(), Clock: func() time.Time { return *now }})
	if err != nil {
		panic(err)
	}
	return sys
}

func exchangeListing(method broker.TradingMethod, price int64) broker.Listing {
	return broker.Listing{
		Meta:    broker.Meta{Broker: "marine-tech", Region: "上海市杨浦区"},
		Title:   "深远海养殖网箱水质在线监测系统",
		Summary: "在线监测网箱溶解氧与氨氮，提前预警缺氧。",
		Owner:   "上海海洋大学", OwnerPublic: true,
		ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000"},
		Terms: broker.ListingTerms{Mode: broker.ModeTransfer, Method: method, Price: decimal.NewFromInt(price),
			Increment: decimal.NewFromInt(50_000), Deposit: decimal.NewFromInt(100_000)},
	}
}

// An auction: deposits, bids with their edge cases, and the close.
func ExampleSystem_PlaceBid() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sys := exchangeSystem(&now)
	staff := broker.BrokerStaff("staff-1", "marine-tech")

	l, _ := sys.CreateListing(ctx, staff, exchangeListing(broker.MethodAuction, 1_200_000))
	l, _ = sys.PublishListing(ctx, staff, l.ID, broker.Publish{Closes: now.Add(7 * 24 * time.Hour)})
	for _, org := range []string{"甲公司", "乙公司"} {
		_, _ = sys.PayDeposit(ctx, staff, l.ID, org, decimal.NewFromInt(100_000), "回单-"+org)
	}
	bid := func(org string, amount int64) {
		_, err := sys.PlaceBid(ctx, broker.EnterpriseUser("u", org), l.ID, broker.PlaceBid{Bidder: org, Amount: decimal.NewFromInt(amount)})
		var be *broker.BidError
		if errors.As(err, &be) {
			fmt.Println(org, amount, "rejected:", be.Reason)
			return
		}
		fmt.Println(org, amount, "accepted")
	}
	bid("甲公司", 1_100_000) // below the reserve
	bid("甲公司", 1_200_000)
	bid("乙公司", 1_220_000) // below the increment
	bid("乙公司", 1_250_000)
	bid("丙公司", 1_400_000) // no deposit
	now = now.Add(7 * 24 * time.Hour)
	bid("甲公司", 1_300_000) // after the deadline

	l, _ = sys.CloseBidding(ctx, staff, l.ID)
	fmt.Println(l.Status, l.Award.Bidder, l.Award.Amount)
	deps, _ := sys.ListDeposits(ctx, staff, l.ID)
	for _, d := range deps {
		fmt.Println(d.Bidder, d.Status)
	}
	// Output:
	// 甲公司 1100000 rejected: below_reserve
	// 甲公司 1200000 accepted
	// 乙公司 1220000 rejected: below_increment
	// 乙公司 1250000 accepted
	// 丙公司 1400000 rejected: no_deposit
	// 甲公司 1300000 rejected: closed
	// awarded 乙公司 1250000
	// 甲公司 refund_due
	// 乙公司 applied
}

// An agreement price (协议定价): the deal waits for the 15-day public notice,
// then closes with a payment schedule in instalments.
func ExampleSystem_CloseDeal() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sys := exchangeSystem(&now)
	staff := broker.BrokerStaff("staff-1", "marine-tech")

	l, _ := sys.CreateListing(ctx, staff, exchangeListing(broker.MethodAgreement, 1_000_000))
	l, _ = sys.PublishListing(ctx, staff, l.ID, broker.Publish{})
	fmt.Println(l.Status, "until", l.Notice.End.Format("2006-01-02"))

	nd := broker.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: decimal.NewFromInt(1_000_000),
		Terms: contract.Terms{Method: contract.Instalments, Total: decimal.NewFromInt(1_000_000), Instalments: 3, EveryMonths: 6}}
	_, err := sys.CloseDeal(ctx, staff, nd)
	fmt.Println(errors.Is(err, broker.ErrConflict))

	now = now.AddDate(0, 0, 15)
	d, err := sys.CloseDeal(ctx, staff, nd)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.ContractType, d.Schedule.Total.StringFixed(2))
	for _, p := range d.Schedule.Payments {
		fmt.Println(p.Due.Format("2006-01-02"), p.Amount.StringFixed(2))
	}
	for _, f := range d.Findings {
		if f.Rule == contract.RulePricingPath {
			fmt.Println(f.Pass, f.Why)
		}
	}
	// Output:
	// notice until 2026-03-17
	// true
	// transfer 1000000.00
	// 2026-03-17 333333.33
	// 2026-09-17 333333.33
	// 2027-03-17 333333.34
	// true agreement price 100万元, noticed for 15 days from 2026-03-02 to 2026-03-17, before signing
}

// A listing of Yangpu travels to the Taizhou workstation as an anonymous
// profile; a Taizhou company's interest goes back broker to broker; the
// owner's contact crosses only after the owner accepts.
func ExampleFederation() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tr := broker.NewMemoryTransport()
	ws := broker.Agreement{ID: "ws-taizhou", A: "310110", B: "331000", Kind: "workstation", Signed: time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC)}
	ySys, tSys := exchangeSystem(&now), exchangeSystem(&now)
	yFed, _ := broker.NewFederation(ySys, broker.FederationOptions{Region: broker.Region{Code: "310110", Name: "上海市杨浦区"}, Agreements: []broker.Agreement{ws}, Transport: tr})
	tFed, _ := broker.NewFederation(tSys, broker.FederationOptions{Region: broker.Region{Code: "331000", Name: "浙江省台州市"}, Agreements: []broker.Agreement{ws},
		Workstations: []broker.Workstation{{ID: "taizhou-marine", Name: "海洋技术交易平台台州工作站", Host: "331000", Home: "310110", Broker: "marine-tech", Agreement: "ws-taizhou"}}, Transport: tr})

	staff := broker.BrokerStaff("staff-1", "marine-tech")
	l, _ := ySys.CreateListing(ctx, staff, exchangeListing(broker.MethodFixed, 1_200_000))
	_, _ = ySys.PublishListing(ctx, staff, l.ID, broker.Publish{})
	if _, err := yFed.Share(ctx, staff, l.ID, "340700"); err != nil {
		fmt.Println(errors.Is(err, broker.ErrNoAgreement))
	}
	_, _ = yFed.Share(ctx, staff, l.ID, "331000")
	_, _ = tFed.Sync(ctx)
	profs, _ := tFed.Profiles(ctx, staff)
	fmt.Println(profs[0].Profile.Title, profs[0].Profile.Price)

	buyer := broker.EnterpriseUser("u1", "台州某渔业装备有限公司")
	_, _ = tFed.ExpressInterest(ctx, buyer, profs[0].ID, buyer.Org, "拟在台州试用", broker.PartyContact{Phone: "0576-88000000"})
	_, _ = yFed.Sync(ctx)
	in, _ := yFed.Interests(ctx, staff)
	fmt.Println(in[0].Org, in[0].Status)
	_, _ = yFed.Respond(ctx, broker.InstitutionUser("u2", "上海海洋大学"), in[0].ID, true, "")
	_, _ = tFed.Sync(ctx)
	mine, _ := tFed.Interests(ctx, buyer)
	fmt.Println(mine[0].Status, mine[0].Counterpart.Org, mine[0].Counterpart.Person, mine[0].Counterpart.Phone)
	// Output:
	// true
	// 深远海养殖网箱水质在线监测系统 1200000
	// 台州某渔业装备有限公司 received
	// accepted 上海海洋大学 王海 021-61900000
}

// The ledger of deals, for Chinese and English readers.
func ExampleSystem_Ledger() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sys := exchangeSystem(&now)
	admin := broker.PlatformAdmin("admin")
	for i, v := range []struct {
		desk  string
		price int64
	}{{"marine-tech", 200_000_000}, {"info-eng", 150_000_000}, {"marine-tech", 65_000_000}} {
		l := exchangeListing(broker.MethodFixed, v.price)
		l.Broker = v.desk
		l, _ = sys.CreateListing(ctx, admin, l)
		_, _ = sys.PublishListing(ctx, admin, l.ID, broker.Publish{})
		_, _ = sys.CloseDeal(ctx, admin, broker.NewDeal{Listing: l.ID, Buyer: fmt.Sprintf("企业%d", i+1), Amount: decimal.NewFromInt(v.price)})
	}
	lg, _ := sys.Ledger(ctx, admin, broker.LedgerQuery{Period: broker.PeriodYear})
	_ = lg.WriteTable(os.Stdout, language.Chinese)
	_ = lg.WriteTable(os.Stdout, language.English)
	// Output:
	// 技术券商     地区          期间  挂牌数  成交数  成交额
	// info-eng     上海市杨浦区  2026  1       1       1.5亿元
	// marine-tech  上海市杨浦区  2026  2       2       2.65亿元
	// 合计                             3       3       4.15亿元
	// broker       region        period  listings  deals  value
	// info-eng     上海市杨浦区  2026    1         1      CNY 150.00 million
	// marine-tech  上海市杨浦区  2026    2         2      CNY 265.00 million
	// total                              3         3      CNY 415.00 million
}
