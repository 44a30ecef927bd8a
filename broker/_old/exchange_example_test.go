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

// The exchange examples moved to broker/exchange/example_test.go; this
// Federation example is left for the federation port (Listing and its
// operations are now package exchange's: exchange.New(sys).CreateListing …).

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
