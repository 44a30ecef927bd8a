package exchange_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/contract"
)

// promotingCase opens a case for a new achievement and moves it to Promoting.
func promotingCase(t testing.TB, x *exchange.Exchange) (broker.Achievement, broker.Case) {
	t.Helper()
	a, err := x.System().Achievements.Create(exCtx, exStaff, broker.Achievement{Title: "深远海养殖网箱水质在线监测系统", Owner: "上海海洋大学", Meta: broker.Meta{Broker: "marine-tech"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := x.System().OpenCase(exCtx, exStaff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: "marine-tech"})
	if err != nil {
		t.Fatal(err)
	}
	c, err = x.System().MoveCase(exCtx, exStaff, c.ID, broker.CaseMove{To: broker.StageScreened, Version: c.Version,
		Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel-1"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err = x.System().MoveCase(exCtx, exStaff, c.ID, broker.CaseMove{To: broker.StagePromoting, Version: c.Version})
	if err != nil {
		t.Fatal(err)
	}
	return a, c
}

func TestDealMovesListingAndCase(t *testing.T) {
	x, clk := newExchange(t)
	a, c := promotingCase(t, x)
	l := sampleListing(exchange.MethodAuction)
	l.Achievement, l.Case = a.ID, c.ID
	l = mustListing(t, x, l, exStart.Add(5*exDay))
	if got, _ := x.System().GetCase(exCtx, exStaff, c.ID); got.Stage != broker.StageListed || got.ListingRef != l.ID {
		t.Fatalf("after publishing: case %s ref %q, want listed %s", got.Stage, got.ListingRef, l.ID)
	}
	payDeposits(t, x, l.ID, bidderA, bidderB)
	for _, org := range []string{bidderA, bidderB, bidderA} {
		if _, err := x.PlaceBid(exCtx, enterprise(org), l.ID, exchange.PlaceBid{Bidder: org, Raise: 2}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(5 * exDay)
	l, err := x.CloseBidding(exCtx, exStaff, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 1,250,000 then 1,350,000 then 1,450,000; 1,450,000 / 7 = 207,142.85 × 6 + 207,142.90.
	if !l.Award.Amount.Equal(d("1450000")) || l.Award.Bidder != bidderA {
		t.Fatalf("award: %+v", l.Award)
	}
	terms := contract.Terms{Method: contract.Instalments, Total: d("1450000"), Instalments: 7, EveryMonths: 3}
	dl, err := x.CloseDeal(exCtx, exStaff, exchange.NewDeal{Listing: l.ID, Buyer: bidderA, Amount: d("1450000"), Terms: terms})
	if err != nil {
		t.Fatal(err)
	}
	if dl.ContractType != contract.Transfer || len(dl.Schedule.Payments) != 7 || !dl.Schedule.Total.Equal(d("1450000")) {
		t.Errorf("deal: type %s, %d payments, total %s", dl.ContractType, len(dl.Schedule.Payments), dl.Schedule.Total)
	}
	if last := dl.Schedule.Payments[6]; !last.Amount.Equal(d("207142.90")) || !last.Due.Equal(clk.Now().AddDate(0, 18, 0)) {
		t.Errorf("last instalment: got %s due %v", last.Amount, last.Due)
	}
	gotL, _ := x.GetListing(exCtx, exStaff, l.ID)
	gotC, _ := x.System().GetCase(exCtx, exStaff, c.ID)
	if gotL.Status != exchange.ListingTraded || gotL.DealRef != dl.ID || gotC.Stage != broker.StageTraded || gotC.DealRef != dl.ID {
		t.Errorf("after the deal: listing %s %q, case %s %q", gotL.Status, gotL.DealRef, gotC.Stage, gotC.DealRef)
	}
	// The buyer sees the deal; another enterprise does not.
	if _, err := x.GetDeal(exCtx, enterprise(bidderA), dl.ID); err != nil {
		t.Errorf("buyer reads the deal: %v", err)
	}
	if _, err := x.GetDeal(exCtx, enterprise(bidderB), dl.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("a loser reads the deal: got %v, want ErrForbidden", err)
	}
	if _, err := x.CloseDeal(exCtx, exStaff, exchange.NewDeal{Listing: l.ID, Buyer: bidderA, Amount: d("1450000")}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("second deal: got %v, want ErrConflict", err)
	}
}

// A deal that fails a blocking compliance rule writes nothing: no deal, the
// listing and the case stay where they were.
func TestFailedDealWritesNothing(t *testing.T) {
	x, _ := newExchange(t)
	a, c := promotingCase(t, x)
	l := sampleListing(exchange.MethodFixed)
	l.Terms.Mode = broker.ModeLicense
	l.Achievement, l.Case = a.ID, c.ID
	l = mustListing(t, x, l, time.Time{})
	nd := exchange.NewDeal{Listing: l.ID, Buyer: bidderA, Amount: d("1200000"),
		Licence:       contract.LicenceScope{Exclusive: true, Worldwide: true, Start: exStart, End: exStart.AddDate(10, 0, 0)},
		PatentExpires: exStart.AddDate(5, 0, 0)}
	_, err := x.CloseDeal(exCtx, exStaff, nd)
	var de *exchange.DealError
	if !errors.As(err, &de) || !errors.Is(err, broker.ErrInvalid) || len(de.Findings) != 1 || de.Findings[0].Rule != contract.RuleLicenceTerm {
		t.Fatalf("licence beyond the patent term: got %v", err)
	}
	if page, _ := x.ListDeals(exCtx, exAdmin, broker.ListOptions{}); len(page.Items) != 0 {
		t.Errorf("a refused deal was stored")
	}
	gotL, _ := x.GetListing(exCtx, exStaff, l.ID)
	gotC, _ := x.System().GetCase(exCtx, exStaff, c.ID)
	if gotL.Status != exchange.ListingOpen || gotC.Stage != broker.StageListed {
		t.Errorf("after a refused deal: listing %s, case %s", gotL.Status, gotC.Stage)
	}
	// Amount off the fixed price, and a total that is not the amount.
	bad := nd
	bad.PatentExpires = time.Time{}
	bad.Amount = d("1000000")
	if _, err := x.CloseDeal(exCtx, exStaff, bad); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("off the fixed price: got %v", err)
	}
	bad.Amount = d("1200000")
	bad.Terms = contract.Terms{Method: contract.LumpSum, Total: d("1")}
	if _, err := x.CloseDeal(exCtx, exStaff, bad); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("total differs from amount: got %v", err)
	}
	// A licence within the term with an entry fee and a royalty.
	ok := nd
	ok.PatentExpires = exStart.AddDate(20, 0, 0)
	ok.Terms = contract.Terms{Method: contract.EntryFeeRoyalty, EntryFee: d("200000"),
		Royalty: contract.RoyaltyTerms{Base: contract.Sales, Rate: d("3"), Trend: contract.Rising, Step: d("0.5"), Years: 3}}
	ok.Projected = []decimal.Decimal{d("10000000"), d("20000000"), d("30000000")}
	dl, err := x.CloseDeal(exCtx, exStaff, ok)
	if err != nil {
		t.Fatal(err)
	}
	// 200,000 + 300,000 + 700,000 + 1,200,000.
	if dl.ContractType != contract.License || !dl.Schedule.Total.Equal(d("2400000")) || len(dl.Schedule.Payments) != 4 {
		t.Errorf("royalty deal: %s %s %d", dl.ContractType, dl.Schedule.Total, len(dl.Schedule.Payments))
	}
	if gotC, _ := x.System().GetCase(exCtx, exStaff, c.ID); gotC.Stage != broker.StageTraded {
		t.Errorf("case after the deal: %s", gotC.Stage)
	}
}

func TestWithdrawSendsCaseBackToPromoting(t *testing.T) {
	x, _ := newExchange(t)
	_, c := promotingCase(t, x)
	l := sampleListing(exchange.MethodFixed)
	l.Case = c.ID
	l = mustListing(t, x, l, time.Time{})
	if _, err := x.WithdrawListing(exCtx, exStaff, l.ID, ""); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("withdraw without a reason: got %v", err)
	}
	if _, err := x.WithdrawListing(exCtx, exStaff, l.ID, "企业需求变化，重新推介"); err != nil {
		t.Fatal(err)
	}
	if got, _ := x.System().GetCase(exCtx, exStaff, c.ID); got.Stage != broker.StagePromoting {
		t.Errorf("case after withdrawal: got %s, want promoting", got.Stage)
	}
}

func TestPublishNeedsCaseInPromotion(t *testing.T) {
	x, _ := newExchange(t)
	a, err := x.System().Achievements.Create(exCtx, exStaff, broker.Achievement{Title: "新成果", Owner: "上海海洋大学", Meta: broker.Meta{Broker: "marine-tech"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := x.System().OpenCase(exCtx, exStaff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: "marine-tech"})
	if err != nil {
		t.Fatal(err)
	}
	l := sampleListing(exchange.MethodFixed)
	l.Case = c.ID
	l, err = x.CreateListing(exCtx, exStaff, l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.PublishListing(exCtx, exStaff, l.ID, exchange.Publish{Version: l.Version}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("publish with an unscreened case: got %v, want ErrConflict", err)
	}
	if got, _ := x.GetListing(exCtx, exStaff, l.ID); got.Status != exchange.ListingDraft {
		t.Errorf("listing after a refused publication: %s", got.Status)
	}
}
