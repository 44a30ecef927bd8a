package drivertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/contract"
)

// testExchange runs the exchange behaviour that depends on the store:
// concurrent bids on one book (none lost, ordered without gaps), a deal that
// moves the listing and the case in one transaction (and a refused deal
// that writes nothing), bids refused after a withdrawal, and federation
// messages handled exactly once with the feed position.
func testExchange(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("ConcurrentBids", func(t *testing.T) { testConcurrentBids(t, open(t)) })
	t.Run("DealMovesListingAndCase", func(t *testing.T) { testDealTransaction(t, open(t)) })
	t.Run("WithdrawnTakesNoBids", func(t *testing.T) { testWithdrawnBids(t, open(t)) })
	t.Run("FederationOnce", func(t *testing.T) { testFederationOnce(t, open(t), open(t)) })
}

type exFixture struct {
	sys   *broker.System
	mu    sync.Mutex
	now   time.Time
	admin broker.Principal
	staff broker.Principal
}

func (f *exFixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *exFixture) add(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newExFixture(t testing.TB, s driver.Store) *exFixture {
	t.Helper()
	f := &exFixture{now: t0, admin: broker.PlatformAdmin("admin"), staff: broker.BrokerStaff("staff-1", "marine-tech")}
	f.sys = broker.New(s, &broker.Options{NewID: broker.SequentialIDs(), Clock: f.clock})
	if _, err := f.sys.Brokers.Create(context.Background(), f.admin, broker.IndustryBroker{Meta: broker.Meta{ID: "marine-tech"}, Name: "海洋技术"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *exFixture) listing(t testing.TB, method broker.TradingMethod, caseID string, closes time.Duration) broker.Listing {
	t.Helper()
	ctx := context.Background()
	l, err := f.sys.CreateListing(ctx, f.staff, broker.Listing{
		Meta: broker.Meta{Broker: "marine-tech", Region: "上海市杨浦区"}, Case: caseID,
		Title: "深远海养殖网箱水质在线监测系统", Summary: "在线监测网箱溶解氧与氨氮。", Owner: "上海海洋大学",
		ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000"},
		Terms: broker.ListingTerms{Mode: broker.ModeLicense, Method: method, Price: decimal.RequireFromString("1200000.00"),
			Increment: decimal.NewFromInt(50000), Deposit: decimal.NewFromInt(100000)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var c time.Time
	if closes > 0 {
		c = f.clock().Add(closes)
	}
	l, err = f.sys.PublishListing(ctx, f.staff, l.ID, broker.Publish{Closes: c})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func testConcurrentBids(t *testing.T, s driver.Store) {
	const workers = 8
	each := 25
	if testing.Short() {
		each = 8
	}
	f := newExFixture(t, s)
	ctx := context.Background()
	l := f.listing(t, broker.MethodBidding, "", 24*time.Hour)
	orgs := make([]string, workers)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("竞买人%02d", i)
		if _, err := f.sys.PayDeposit(ctx, f.staff, l.ID, orgs[i], decimal.NewFromInt(100000), ""); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for _, org := range orgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := broker.EnterpriseUser("u-"+org, org)
			for i := 0; i < each; i++ {
				for attempt := 0; ; attempt++ {
					_, err := f.sys.PlaceBid(ctx, p, l.ID, broker.PlaceBid{Bidder: org, Raise: 1, Ref: fmt.Sprint(i)})
					// A store may refuse a serialization conflict: the
					// bid was not placed and may be retried.
					if errors.Is(err, broker.ErrConflict) && !errors.Is(err, broker.ErrBidRejected) && attempt < 50 {
						continue
					}
					if err != nil {
						errc <- err
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	bids, err := f.sys.ListBids(ctx, f.staff, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(bids) != workers*each {
		t.Fatalf("lost bids: got %d, want %d", len(bids), workers*each)
	}
	for i, b := range bids {
		want := decimal.NewFromInt(1200000 + 50000*int64(i))
		if b.Seq != int64(i+1) || !b.Amount.Equal(want) {
			t.Fatalf("bid %d: seq %d amount %s, want seq %d amount %s", i, b.Seq, b.Amount, i+1, want)
		}
	}
	st, err := f.sys.Book(ctx, f.staff, l.ID)
	if err != nil || st.Bids != int64(workers*each) {
		t.Errorf("book: %+v %v", st, err)
	}
	// Retrying a bid with a used Ref is refused as a duplicate.
	_, err = f.sys.PlaceBid(ctx, broker.EnterpriseUser("u", orgs[0]), l.ID, broker.PlaceBid{Bidder: orgs[0], Raise: 1, Ref: "0"})
	if !errors.Is(err, broker.ErrExists) {
		t.Errorf("duplicate ref: got %v, want ErrExists", err)
	}
}

func testDealTransaction(t *testing.T, s driver.Store) {
	f := newExFixture(t, s)
	ctx := context.Background()
	a, err := f.sys.Achievements.Create(ctx, f.staff, broker.Achievement{Title: "水质监测", Owner: "上海海洋大学", Meta: broker.Meta{Broker: "marine-tech"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.sys.OpenCase(ctx, f.staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: "marine-tech"})
	if err != nil {
		t.Fatal(err)
	}
	c, err = f.sys.MoveCase(ctx, f.staff, c.ID, broker.CaseMove{To: broker.StageScreened, Version: c.Version, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err = f.sys.MoveCase(ctx, f.staff, c.ID, broker.CaseMove{To: broker.StagePromoting, Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	l := f.listing(t, broker.MethodFixed, c.ID, 0)
	if got, _ := f.sys.GetCase(ctx, f.staff, c.ID); got.Stage != broker.StageListed {
		t.Fatalf("case after publishing: %s", got.Stage)
	}
	nd := broker.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: decimal.RequireFromString("1200000.00"),
		Licence:       contract.LicenceScope{Exclusive: true, Worldwide: true, Start: t0, End: t0.AddDate(10, 0, 0)},
		PatentExpires: t0.AddDate(5, 0, 0)}
	if _, err := f.sys.CloseDeal(ctx, f.staff, nd); !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("licence beyond the patent term: got %v, want ErrInvalid", err)
	}
	if got, _ := f.sys.GetListing(ctx, f.staff, l.ID); got.Status != broker.ListingOpen {
		t.Errorf("listing after a refused deal: %s", got.Status)
	}
	if got, _ := f.sys.GetCase(ctx, f.staff, c.ID); got.Stage != broker.StageListed {
		t.Errorf("case after a refused deal: %s", got.Stage)
	}
	nd.PatentExpires = t0.AddDate(20, 0, 0)
	nd.Terms = contract.Terms{Method: contract.Instalments, Total: nd.Amount, Instalments: 7}
	d, err := f.sys.CloseDeal(ctx, f.staff, nd)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.sys.GetDeal(ctx, f.admin, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Schedule.Total.Equal(nd.Amount) || got.Schedule.Payments[6].Amount.String() != "171428.58" || got.Buyer != nd.Buyer {
		t.Errorf("deal round trip: total %s last %s buyer %q", got.Schedule.Total, got.Schedule.Payments[6].Amount, got.Buyer)
	}
	gl, _ := f.sys.GetListing(ctx, f.staff, l.ID)
	gc, _ := f.sys.GetCase(ctx, f.staff, c.ID)
	if gl.Status != broker.ListingTraded || gl.DealRef != d.ID || gc.Stage != broker.StageTraded || gc.DealRef != d.ID {
		t.Errorf("after the deal: listing %s %q, case %s %q", gl.Status, gl.DealRef, gc.Stage, gc.DealRef)
	}
	evs, _ := f.sys.Events(ctx, f.admin, broker.KindListing, l.ID)
	if len(evs) != 3 || evs[2].Type != broker.EventListingTraded || !strings.Contains(string(evs[2].Body), d.ID) {
		t.Errorf("listing events: %+v", evs)
	}
}

func testWithdrawnBids(t *testing.T, s driver.Store) {
	f := newExFixture(t, s)
	ctx := context.Background()
	l := f.listing(t, broker.MethodAuction, "", 48*time.Hour)
	for _, org := range []string{"甲", "乙"} {
		if _, err := f.sys.PayDeposit(ctx, f.staff, l.ID, org, decimal.NewFromInt(100000), ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.sys.PlaceBid(ctx, f.staff, l.ID, broker.PlaceBid{Bidder: "甲", Raise: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sys.WithdrawListing(ctx, f.staff, l.ID, "撤回"); err != nil {
		t.Fatal(err)
	}
	_, err := f.sys.PlaceBid(ctx, f.staff, l.ID, broker.PlaceBid{Bidder: "乙", Raise: 1})
	var be *broker.BidError
	if !errors.As(err, &be) || be.Reason != broker.RejectWithdrawn {
		t.Errorf("bid on a withdrawn listing: got %v", err)
	}
	deps, _ := f.sys.ListDeposits(ctx, f.staff, l.ID)
	if len(deps) != 2 || deps[0].Status != broker.DepositRefundDue || deps[1].Status != broker.DepositRefundDue {
		t.Errorf("deposits after withdrawal: %+v", deps)
	}
	f.add(72 * time.Hour)
	if _, err := f.sys.CloseBidding(ctx, f.staff, l.ID); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("close a withdrawn listing: got %v", err)
	}
}

func testFederationOnce(t *testing.T, sa, sb driver.Store) {
	fa, fb := newExFixture(t, sa), newExFixture(t, sb)
	ctx := context.Background()
	tr := broker.NewMemoryTransport()
	ag := []broker.Agreement{{ID: "ws", A: "310110", B: "331000", Signed: t0.AddDate(-1, 0, 0)}}
	ya, err := broker.NewFederation(fa.sys, broker.FederationOptions{Region: broker.Region{Code: "310110"}, Agreements: ag, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := broker.NewFederation(fb.sys, broker.FederationOptions{Region: broker.Region{Code: "331000"}, Agreements: ag, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	l := fa.listing(t, broker.MethodFixed, "", 0)
	if _, err := ya.Share(ctx, fa.staff, l.ID, "331000"); err != nil {
		t.Fatal(err)
	}
	if rep, err := tb.Sync(ctx); err != nil || rep.Processed != 1 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	// A second node over the same store resumes from the stored position.
	tb2, _ := broker.NewFederation(fb.sys, broker.FederationOptions{Region: broker.Region{Code: "331000"}, Agreements: ag, Transport: tr})
	if rep, err := tb2.Sync(ctx); err != nil || rep.Processed != 0 {
		t.Errorf("resumed sync: %+v %v", rep, err)
	}
	profs, err := tb.Profiles(ctx, fb.staff)
	if err != nil || len(profs) != 1 || profs[0].Profile.Title != l.Title || !profs[0].Profile.Price.Equal(l.Terms.Price) {
		t.Fatalf("profiles: %v %+v", err, profs)
	}
	for _, m := range tr.Sent() {
		var raw map[string]any
		if err := json.Unmarshal(m.Body, &raw); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{l.Owner, l.ContactPerson, l.Contact.Phone} {
			if strings.Contains(string(m.Body), secret) {
				t.Errorf("profile message leaks %q", secret)
			}
		}
	}
}
