package exchange_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/contract"
)

// exchangeSystem builds the Yangpu system in memory, with a clock the
// example moves by hand, and returns its exchange.
func exchangeSystem(now *time.Time) *exchange.Exchange {
	sys, err := broker.Build(context.Background(), memstore.New(), broker.Yangpu(), broker.PlatformAdmin("admin"),
		&broker.Options{NewID: broker.SequentialIDs(), Clock: func() time.Time { return *now }})
	if err != nil {
		panic(err)
	}
	return exchange.New(sys)
}

func exchangeListing(method exchange.TradingMethod, price int64) exchange.Listing {
	return exchange.Listing{
		Meta:    broker.Meta{Broker: "marine-tech", Region: "上海市杨浦区"},
		Title:   "深远海养殖网箱水质在线监测系统",
		Summary: "在线监测网箱溶解氧与氨氮，提前预警缺氧。",
		Owner:   "上海海洋大学", OwnerPublic: true,
		ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000"},
		Terms: exchange.ListingTerms{Mode: broker.ModeTransfer, Method: method, Price: decimal.NewFromInt(price),
			Increment: decimal.NewFromInt(50_000), Deposit: decimal.NewFromInt(100_000)},
	}
}

// An auction: deposits, bids with their edge cases, and the close.
func ExampleExchange_PlaceBid() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	x := exchangeSystem(&now)
	staff := broker.BrokerStaff("staff-1", "marine-tech")
	exchangeOp := broker.ExchangeOperator("sste-1", "上海技术交易所") // the exchange holds the deposits

	l, _ := x.CreateListing(ctx, staff, exchangeListing(exchange.MethodAuction, 1_200_000))
	l, _ = x.PublishListing(ctx, staff, l.ID, exchange.Publish{Version: l.Version, Closes: now.Add(7 * 24 * time.Hour)})
	for _, org := range []string{"甲公司", "乙公司"} {
		_, _ = x.PayDeposit(ctx, exchangeOp, l.ID, org, decimal.NewFromInt(100_000), "回单-"+org)
	}
	bid := func(org string, amount int64) {
		_, err := x.PlaceBid(ctx, broker.EnterpriseUser("u", org), l.ID, exchange.PlaceBid{Bidder: org, Amount: decimal.NewFromInt(amount)})
		var be *exchange.BidError
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

	l, _ = x.CloseBidding(ctx, staff, l.ID)
	fmt.Println(l.Status, l.Award.Bidder, l.Award.Amount)
	deps, _ := x.ListDeposits(ctx, staff, l.ID)
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
func ExampleExchange_CloseDeal() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	x := exchangeSystem(&now)
	staff := broker.BrokerStaff("staff-1", "marine-tech")
	exchangeOp := broker.ExchangeOperator("sste-1", "上海技术交易所") // the exchange posts the notice

	l, _ := x.CreateListing(ctx, staff, exchangeListing(exchange.MethodAgreement, 1_000_000))
	l, _ = x.PublishListing(ctx, exchangeOp, l.ID, exchange.Publish{Version: l.Version})
	fmt.Println(l.Status, "until", l.Notice.End.Format("2006-01-02"))

	nd := exchange.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: decimal.NewFromInt(1_000_000),
		Terms: contract.Terms{Method: contract.Instalments, Total: decimal.NewFromInt(1_000_000), Instalments: 3, EveryMonths: 6}}
	_, err := x.CloseDeal(ctx, staff, nd)
	fmt.Println(errors.Is(err, broker.ErrConflict))

	now = now.AddDate(0, 0, 15)
	d, err := x.CloseDeal(ctx, staff, nd)
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

// The ledger of deals, for Chinese and English readers.
func ExampleExchange_Ledger() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	x := exchangeSystem(&now)
	admin := broker.PlatformAdmin("admin")
	for i, v := range []struct {
		desk  string
		price int64
	}{{"marine-tech", 200_000_000}, {"info-eng", 150_000_000}, {"marine-tech", 65_000_000}} {
		l := exchangeListing(exchange.MethodFixed, v.price)
		l.Broker = v.desk
		l, _ = x.CreateListing(ctx, admin, l)
		_, _ = x.PublishListing(ctx, admin, l.ID, exchange.Publish{Version: l.Version})
		_, _ = x.CloseDeal(ctx, admin, exchange.NewDeal{Listing: l.ID, Buyer: fmt.Sprintf("企业%d", i+1), Amount: decimal.NewFromInt(v.price)})
	}
	lg, _ := x.Ledger(ctx, admin, exchange.LedgerQuery{Period: exchange.PeriodYear})
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
