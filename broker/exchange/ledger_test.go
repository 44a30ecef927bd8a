package exchange_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
)

// fixedDeal lists at a firm price and closes the deal at once.
func fixedDeal(t testing.TB, x *exchange.Exchange, staff broker.Principal, desk, region, price string) {
	t.Helper()
	l := sampleListing(exchange.MethodFixed)
	l.Broker, l.Region, l.Terms.Price = desk, region, d(price)
	l, err := x.CreateListing(exCtx, staff, l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.PublishListing(exCtx, staff, l.ID, exchange.Publish{Version: l.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.CloseDeal(exCtx, staff, exchange.NewDeal{Listing: l.ID, Buyer: bidderA, Amount: d(price)}); err != nil {
		t.Fatal(err)
	}
}

func TestLedger(t *testing.T) {
	x, clk := newExchange(t)
	info := broker.BrokerStaff("staff-2", "info-eng")
	fixedDeal(t, x, exStaff, "marine-tech", "上海市杨浦区", "200000000") // 2026-03
	fixedDeal(t, x, info, "info-eng", "上海市杨浦区", "150000000")
	clk.Add(40 * exDay) // 2026-04
	fixedDeal(t, x, exStaff, "marine-tech", "浙江省台州市", "65000000")
	if _, err := x.CreateListing(exCtx, exStaff, sampleListing(exchange.MethodFixed)); err != nil { // a draft: not counted
		t.Fatal(err)
	}
	mustListing(t, x, sampleListing(exchange.MethodFixed), time.Time{}) // listed, no deal

	lg, err := x.Ledger(exCtx, exAdmin, exchange.LedgerQuery{Period: exchange.PeriodMonth})
	if err != nil {
		t.Fatal(err)
	}
	if lg.Total.Listings != 4 || lg.Total.Deals != 3 || lg.Total.ValueZH() != "4.15亿元" || lg.Total.ValueEN() != "CNY 415.00 million" {
		t.Fatalf("total: got %d listings, %d deals, %s / %s", lg.Total.Listings, lg.Total.Deals, lg.Total.ValueZH(), lg.Total.ValueEN())
	}
	if len(lg.Rows) != 4 {
		t.Fatalf("rows: got %+v", lg.Rows)
	}
	byBroker := lg.ByBroker()
	if len(byBroker) != 2 || byBroker[1].Broker != "marine-tech" || byBroker[1].ValueZH() != "2.65亿元" || byBroker[1].Listings != 3 {
		t.Errorf("by broker: %+v", byBroker)
	}
	byRegion := lg.ByRegion()
	if len(byRegion) != 2 || byRegion[1].Region != "浙江省台州市" || byRegion[1].ValueZH() != "6500万元" {
		t.Errorf("by region: %+v", byRegion)
	}
	byPeriod := lg.ByPeriod()
	if len(byPeriod) != 2 || byPeriod[0].Period != "2026-03" || byPeriod[0].ValueEN() != "CNY 350.00 million" || byPeriod[1].Listings != 2 {
		t.Errorf("by period: %+v", byPeriod)
	}
	// A time window and a region filter.
	lg, _ = x.Ledger(exCtx, exAdmin, exchange.LedgerQuery{From: exStart.Add(exDay), Region: "浙江省台州市", Period: exchange.PeriodQuarter})
	if lg.Total.Deals != 1 || lg.Rows[0].Period != "2026-Q2" {
		t.Errorf("window: %+v", lg)
	}
	// Staff see their own broker only; others may not read ledgers.
	lg, _ = x.Ledger(exCtx, info, exchange.LedgerQuery{Broker: "marine-tech"})
	if lg.Total.Deals != 1 || lg.Total.ValueZH() != "1.5亿元" {
		t.Errorf("info-eng staff: %+v", lg.Total)
	}
	if _, err := x.Ledger(exCtx, enterprise(bidderA), exchange.LedgerQuery{}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("enterprise: got %v", err)
	}
	if _, err := x.Ledger(exCtx, exAdmin, exchange.LedgerQuery{Period: "week"}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("bad period: got %v", err)
	}
	var b strings.Builder
	lg, _ = x.Ledger(exCtx, exAdmin, exchange.LedgerQuery{Period: exchange.PeriodYear})
	if err := lg.WriteTable(&b, language.Chinese); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "合计") || !strings.Contains(b.String(), "4.15亿元") {
		t.Errorf("table:\n%s", b.String())
	}
}
