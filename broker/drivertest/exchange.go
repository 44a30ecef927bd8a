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
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/contract"
)

// testExchange runs the exchange behaviour that depends on the store:
// concurrent bids on one book (none lost, ordered without gaps), a deal that
// moves the listing and the case in one transaction (and a refused deal
// that writes nothing), bids refused after a withdrawal, and an
// organization merge that rewrites the exchange's references.
func testExchange(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("ConcurrentBids", func(t *testing.T) { testConcurrentBids(t, open(t)) })
	t.Run("DealMovesListingAndCase", func(t *testing.T) { testDealTransaction(t, open(t)) })
	t.Run("WithdrawnTakesNoBids", func(t *testing.T) { testWithdrawnBids(t, open(t)) })
	t.Run("MergeRewritesExchange", func(t *testing.T) { testExchangeMerge(t, open(t)) })
	t.Run("ShortNoticeStoredBefore", func(t *testing.T) { testLegacyShortNotice(t, open(t)) })
}

type exFixture struct {
	sys   *broker.System
	x     *exchange.Exchange
	mu    sync.Mutex
	now   time.Time
	admin broker.Principal
	staff broker.Principal
	op    broker.Principal // the exchange operator: deposits and notices
}

func (f *exFixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *exFixture) add(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newExFixture(t testing.TB, s driver.Store) *exFixture {
	t.Helper()
	f := &exFixture{now: t0, admin: broker.PlatformAdmin("admin"), staff: broker.BrokerStaff("staff-1", marine),
		op: broker.ExchangeOperator("sste-1", "上海技术交易所")}
	f.sys = broker.New(s, &broker.Options{NewID: broker.SequentialIDs(), Clock: f.clock})
	f.x = exchange.New(f.sys)
	if _, err := f.sys.Brokers.Create(context.Background(), f.admin, broker.IndustryBroker{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// draft is a listing of the marine desk, not yet stored.
func (f *exFixture) draft(method exchange.TradingMethod, caseID string) exchange.Listing {
	return exchange.Listing{
		Meta: broker.Meta{Broker: marine, Region: "上海市杨浦区"}, Case: caseID,
		Title: "深远海养殖网箱水质在线监测系统", Summary: "在线监测网箱溶解氧与氨氮。", Owner: owner,
		ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000"},
		Terms: exchange.ListingTerms{Mode: broker.ModeLicense, Method: method, Price: decimal.RequireFromString("1200000.00"),
			Increment: decimal.NewFromInt(50000), Deposit: decimal.NewFromInt(100000)},
	}
}

// listing creates and publishes a listing; closes is the bidding deadline
// from now (bidding methods).
func (f *exFixture) listing(t testing.TB, method exchange.TradingMethod, caseID string, closes time.Duration) exchange.Listing {
	t.Helper()
	return f.publish(t, f.draft(method, caseID), closes)
}

func (f *exFixture) publish(t testing.TB, l exchange.Listing, closes time.Duration) exchange.Listing {
	t.Helper()
	ctx := context.Background()
	l, err := f.x.CreateListing(ctx, f.staff, l)
	if err != nil {
		t.Fatal(err)
	}
	var c time.Time
	if closes > 0 {
		c = f.clock().Add(closes)
	}
	pub := f.staff
	if l.Terms.Method == exchange.MethodAgreement {
		pub = f.op // the exchange posts the public notice
	}
	l, err = f.x.PublishListing(ctx, pub, l.ID, exchange.Publish{Version: l.Version, Closes: c})
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
	l := f.listing(t, exchange.MethodBidding, "", 24*time.Hour)
	orgs := make([]string, workers)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("竞买人%02d", i)
		if _, err := f.x.PayDeposit(ctx, f.op, l.ID, orgs[i], decimal.NewFromInt(100000), ""); err != nil {
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
					_, err := f.x.PlaceBid(ctx, p, l.ID, exchange.PlaceBid{Bidder: org, Raise: 1, Ref: fmt.Sprint(i)})
					// System.Update retries a stale version a bounded number
					// of times; a caller may try again (ErrStale says so).
					if errors.Is(err, broker.ErrStale) && attempt < 50 {
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
	bids, err := f.x.ListBids(ctx, f.staff, l.ID)
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
	st, err := f.x.Book(ctx, f.staff, l.ID)
	if err != nil || st.Bids != int64(workers*each) {
		t.Errorf("book: %+v %v", st, err)
	}
	// Retrying a bid with a used Ref is refused as a duplicate.
	_, err = f.x.PlaceBid(ctx, broker.EnterpriseUser("u", orgs[0]), l.ID, exchange.PlaceBid{Bidder: orgs[0], Raise: 1, Ref: "0"})
	if !errors.Is(err, broker.ErrExists) {
		t.Errorf("duplicate ref: got %v, want ErrExists", err)
	}
}

func testDealTransaction(t *testing.T, s driver.Store) {
	f := newExFixture(t, s)
	ctx := context.Background()
	a, err := f.sys.Achievements.Create(ctx, f.staff, broker.Achievement{Title: "水质监测", Owner: owner, Meta: broker.Meta{Broker: marine}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.sys.OpenCase(ctx, f.staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
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
	l := f.listing(t, exchange.MethodFixed, c.ID, 0)
	if got, _ := f.sys.GetCase(ctx, f.staff, c.ID); got.Stage != broker.StageListed {
		t.Fatalf("case after publishing: %s", got.Stage)
	}
	nd := exchange.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: decimal.RequireFromString("1200000.00"),
		Licence:       contract.LicenceScope{Exclusive: true, Worldwide: true, Start: t0, End: t0.AddDate(10, 0, 0)},
		PatentExpires: t0.AddDate(5, 0, 0)}
	if _, err := f.x.CloseDeal(ctx, f.staff, nd); !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("licence beyond the patent term: got %v, want ErrInvalid", err)
	}
	if got, _ := f.x.GetListing(ctx, f.staff, l.ID); got.Status != exchange.ListingOpen {
		t.Errorf("listing after a refused deal: %s", got.Status)
	}
	if got, _ := f.sys.GetCase(ctx, f.staff, c.ID); got.Stage != broker.StageListed {
		t.Errorf("case after a refused deal: %s", got.Stage)
	}
	nd.PatentExpires = t0.AddDate(20, 0, 0)
	nd.Terms = contract.Terms{Method: contract.Instalments, Total: nd.Amount, Instalments: 7}
	d, err := f.x.CloseDeal(ctx, f.staff, nd)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.x.GetDeal(ctx, f.admin, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Schedule.Total.Equal(nd.Amount) || got.Schedule.Payments[6].Amount.String() != "171428.58" || got.Buyer != nd.Buyer {
		t.Errorf("deal round trip: total %s last %s buyer %q", got.Schedule.Total, got.Schedule.Payments[6].Amount, got.Buyer)
	}
	gl, _ := f.x.GetListing(ctx, f.staff, l.ID)
	gc, _ := f.sys.GetCase(ctx, f.staff, c.ID)
	if gl.Status != exchange.ListingTraded || gl.DealRef != d.ID || gc.Stage != broker.StageTraded || gc.DealRef != d.ID {
		t.Errorf("after the deal: listing %s %q, case %s %q", gl.Status, gl.DealRef, gc.Stage, gc.DealRef)
	}
	evs, _ := f.sys.Events(ctx, f.admin, exchange.KindListing, l.ID)
	if len(evs) != 3 || evs[2].Type != exchange.EventListingTraded || !strings.Contains(string(evs[2].Body), d.ID) {
		t.Errorf("listing events: %+v", evs)
	}
}

func testWithdrawnBids(t *testing.T, s driver.Store) {
	f := newExFixture(t, s)
	ctx := context.Background()
	l := f.listing(t, exchange.MethodAuction, "", 48*time.Hour)
	for _, org := range []string{"甲", "乙"} {
		if _, err := f.x.PayDeposit(ctx, f.op, l.ID, org, decimal.NewFromInt(100000), ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.x.PlaceBid(ctx, f.staff, l.ID, exchange.PlaceBid{Bidder: "甲", Raise: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.x.WithdrawListing(ctx, f.staff, l.ID, "撤回"); err != nil {
		t.Fatal(err)
	}
	_, err := f.x.PlaceBid(ctx, f.staff, l.ID, exchange.PlaceBid{Bidder: "乙", Raise: 1})
	var be *exchange.BidError
	if !errors.As(err, &be) || be.Reason != exchange.RejectWithdrawn {
		t.Errorf("bid on a withdrawn listing: got %v", err)
	}
	deps, _ := f.x.ListDeposits(ctx, f.staff, l.ID)
	if len(deps) != 2 || deps[0].Status != exchange.DepositRefundDue || deps[1].Status != exchange.DepositRefundDue {
		t.Errorf("deposits after withdrawal: %+v", deps)
	}
	f.add(72 * time.Hour)
	if _, err := f.x.CloseBidding(ctx, f.staff, l.ID); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("close a withdrawn listing: got %v", err)
	}
}

// testExchangeMerge: merging two organizations rewrites the listing's
// owner, the deal's parties and the bids' and deposits' bidder, and leaves
// no dangling reference.
func testExchangeMerge(t *testing.T, s driver.Store) {
	f := newExFixture(t, s)
	ctx := context.Background()
	org := func(name string, role broker.OrgRole) broker.Organization {
		o, err := f.sys.Organizations.Create(ctx, f.admin, broker.Organization{Name: name, Roles: []broker.OrgRole{role}})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	keep, dup := org(owner, broker.OrgUniversity), org("上海水产大学", broker.OrgUniversity)
	buyer, buyerDup := org("台州某渔业装备有限公司", broker.OrgEnterprise), org("台州渔业装备公司", broker.OrgEnterprise)
	l := f.draft(exchange.MethodAuction, "")
	l.Owner, l.OwnerID = dup.Name, dup.ID
	l = f.publish(t, l, 24*time.Hour)
	if _, err := f.x.PayDeposit(ctx, f.op, l.ID, buyerDup.ID, decimal.NewFromInt(100000), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.x.PlaceBid(ctx, f.staff, l.ID, exchange.PlaceBid{Bidder: buyerDup.ID, Raise: 1}); err != nil {
		t.Fatal(err)
	}
	f.add(24 * time.Hour)
	if _, err := f.x.CloseBidding(ctx, f.staff, l.ID); err != nil {
		t.Fatal(err)
	}
	d, err := f.x.CloseDeal(ctx, f.staff, exchange.NewDeal{Listing: l.ID, Buyer: buyerDup.ID, BuyerID: buyerDup.ID, Amount: l.Terms.Price})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range [][2]broker.Organization{{keep, dup}, {buyer, buyerDup}} {
		if _, err := f.sys.MergeOrganizations(ctx, f.admin, m[0].ID, m[1].ID); err != nil {
			t.Fatal(err)
		}
	}
	gl, _ := f.x.GetListing(ctx, f.admin, l.ID)
	gd, _ := f.x.GetDeal(ctx, f.admin, d.ID)
	bids, _ := f.x.ListBids(ctx, f.admin, l.ID)
	deps, _ := f.x.ListDeposits(ctx, f.admin, l.ID)
	if gl.OwnerID != keep.ID || gl.Owner != keep.Name || gl.Award.Bidder != buyer.ID {
		t.Errorf("listing after the merges: owner %q %q, award to %q", gl.OwnerID, gl.Owner, gl.Award.Bidder)
	}
	if gd.SellerID != keep.ID || gd.Seller != keep.Name || gd.BuyerID != buyer.ID {
		t.Errorf("deal after the merges: seller %q %q, buyer %q %q", gd.SellerID, gd.Seller, gd.BuyerID, gd.Buyer)
	}
	if len(bids) != 1 || bids[0].Bidder != buyer.ID || len(deps) != 1 || deps[0].Bidder != buyer.ID {
		t.Errorf("bidders after the merges: bids %+v, deposits %+v", bids, deps)
	}
	dangling, err := f.sys.DanglingOrgReferences(ctx, f.admin)
	if err != nil || len(dangling) != 0 {
		t.Errorf("dangling references: %v %v", dangling, err)
	}
}

// testLegacyShortNotice: listings stored before the 公示 rule was enforced
// (written straight to the store, as an older version of the library or an
// import could have left them) meet the same rule (defect 3, issue 21): a
// draft of a state-funded owner with a 3-day agreement notice is refused at
// publication, and one already under a 3-day notice cannot close its deal.
func testLegacyShortNotice(t *testing.T, s driver.Store) {
	f := newExFixture(t, s)
	ctx := context.Background()
	plant := func(id string, st exchange.ListingStatus) {
		t.Helper()
		l := f.draft(exchange.MethodAgreement, "")
		l.ID, l.OwnerPublic, l.Terms.NoticeDays, l.Visibility, l.Status = id, true, 3, broker.Public, st
		l.Created, l.Updated = t0, t0
		if st == exchange.ListingNotice {
			l.Published, l.Expires = t0, t0.AddDate(0, 0, 90)
			l.Notice = &exchange.PublicNotice{Name: l.Title, Price: l.Terms.Price, Start: t0, End: t0.AddDate(0, 0, 3)}
		}
		body, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		err = driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
			return tx.Create(ctx, driver.Record{Kind: string(exchange.KindListing), ID: id, Broker: marine, Stage: string(st), Created: t0, Updated: t0, Body: body})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	plant("legacy-draft", exchange.ListingDraft)
	_, err := f.x.PublishListing(ctx, f.op, "legacy-draft", exchange.Publish{Version: 1})
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "terms.notice_days" || ve.Fields[0].Value != "3" || ve.Fields[0].Param != "15" {
		t.Errorf("publish a 3-day notice of a public owner: got %v, want ErrInvalid on terms.notice_days (3 given, 15 required)", err)
	}
	if got, _ := f.x.GetListing(ctx, f.staff, "legacy-draft"); got.Status != exchange.ListingDraft {
		t.Errorf("after the refused publication: %s", got.Status)
	}

	plant("legacy-notice", exchange.ListingNotice)
	f.add(3*24*time.Hour + time.Hour)
	_, err = f.x.CloseDeal(ctx, f.staff, exchange.NewDeal{Listing: "legacy-notice", Buyer: "台州某渔业装备有限公司", Amount: decimal.RequireFromString("1200000.00")})
	var de *exchange.DealError
	if !errors.As(err, &de) || !errors.Is(err, broker.ErrInvalid) || len(de.Findings) != 1 || de.Findings[0].Rule != contract.RulePricingPath ||
		!strings.Contains(de.Findings[0].Why, "fewer than the required 15") {
		t.Errorf("deal after a 3-day notice: got %v, want the pricing-path finding to fail", err)
	}
	if got, _ := f.x.GetListing(ctx, f.staff, "legacy-notice"); got.Status != exchange.ListingNotice {
		t.Errorf("after the refused deal: %s", got.Status)
	}
}
