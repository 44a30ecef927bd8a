package federation_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
	"github.com/kexie/techbroker/broker/memstore"
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

// A listing of Yangpu travels to the Taizhou workstation as an anonymous
// profile; a Taizhou company's interest goes back broker to broker; the
// owner's contact crosses only after the owner accepts.
func ExampleFederation() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tr := federation.NewMemoryTransport()
	ws := federation.Agreement{Meta: broker.Meta{ID: "ws-taizhou"}, A: "310110", B: "331000", Kind: "workstation", Signed: time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC)}
	yx, tx := exchangeSystem(&now), exchangeSystem(&now)
	yFed, err := federation.New(yx.System(), yx, &federation.Options{Region: federation.Region{Code: "310110", Name: "上海市杨浦区"},
		Agreements: []federation.Agreement{ws}, Transport: tr})
	if err != nil {
		panic(err)
	}
	tFed, err := federation.New(tx.System(), tx, &federation.Options{Region: federation.Region{Code: "331000", Name: "浙江省台州市"},
		Agreements: []federation.Agreement{ws}, Transport: tr,
		Workstations: []federation.Workstation{{Meta: broker.Meta{ID: "taizhou-marine", Broker: "marine-tech"}, Name: "海洋技术交易平台台州工作站", Host: "331000", Home: "310110", Agreement: "ws-taizhou"}}})
	if err != nil {
		panic(err)
	}

	staff := broker.BrokerStaff("staff-1", "marine-tech")
	l, _ := yx.CreateListing(ctx, staff, exchange.Listing{
		Meta:    broker.Meta{Broker: "marine-tech", Region: "上海市杨浦区"},
		Title:   "深远海养殖网箱水质在线监测系统",
		Summary: "在线监测网箱溶解氧与氨氮，提前预警缺氧。",
		Owner:   "上海海洋大学", OwnerPublic: true,
		ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000"},
		Terms: exchange.ListingTerms{Mode: broker.ModeTransfer, Method: exchange.MethodFixed, Price: decimal.NewFromInt(1_200_000)},
	})
	_, _ = yx.PublishListing(ctx, staff, l.ID, exchange.Publish{Version: l.Version})
	if _, err := yFed.Share(ctx, staff, l.ID, "340700"); err != nil {
		fmt.Println(errors.Is(err, federation.ErrNoAgreement))
	}
	_, _ = yFed.Share(ctx, staff, l.ID, "331000")
	_, _ = tFed.Sync(ctx)
	profs, _ := tFed.Profiles(ctx, staff)
	fmt.Println(profs[0].Profile.Title, profs[0].Profile.Price)

	buyer := broker.EnterpriseUser("u1", "台州某渔业装备有限公司")
	_, _ = tFed.ExpressInterest(ctx, buyer, profs[0].ID, federation.NewInterest{Org: buyer.Org, Note: "拟在台州试用",
		Contact: federation.PartyContact{Phone: "0576-88000000"}})
	_, _ = yFed.Sync(ctx)
	in, _ := yFed.Interests(ctx, staff)
	fmt.Println(in[0].Party(), in[0].Status)
	_, _ = yFed.Respond(ctx, broker.InstitutionUser("u2", "上海海洋大学"), in[0].ID, federation.Answer{Accept: true})
	_, _ = tFed.Sync(ctx)
	mine, _ := tFed.Interests(ctx, buyer)
	fmt.Println(mine[0].Status, mine[0].Counterpart.Org, mine[0].Counterpart.Person, mine[0].Counterpart.Phone)
	// Output:
	// true
	// 深远海养殖网箱水质在线监测系统 1200000
	// 台州某渔业装备有限公司 received
	// accepted 上海海洋大学 王海 021-61900000
}
