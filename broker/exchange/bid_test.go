package exchange_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
)

const (
	bidderA = "台州某渔业装备有限公司"
	bidderB = "宁波某海洋科技有限公司"
	bidderC = "舟山某水产集团"
)

func enterprise(org string) broker.Principal { return broker.EnterpriseUser("u-"+org, org) }

func payDeposits(t testing.TB, x *exchange.Exchange, id string, bidders ...string) {
	t.Helper()
	for _, b := range bidders {
		if _, err := x.PayDeposit(exCtx, exOp, id, b, d("100000"), "银行回单-"+b); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuctionEdgeCases(t *testing.T) {
	x, clk := newExchange(t)
	closes := exStart.Add(7 * exDay)
	l := mustListing(t, x, sampleListing(exchange.MethodAuction), closes)
	payDeposits(t, x, l.ID, bidderA, bidderB)
	bid := func(org string, amount string, ref string) error {
		_, err := x.PlaceBid(exCtx, enterprise(org), l.ID, exchange.PlaceBid{Bidder: org, Amount: d(amount), Ref: ref})
		return err
	}
	if err := bid(bidderA, "1200000", "a1"); err != nil {
		t.Fatalf("first bid at the reserve: %v", err)
	}
	tests := []struct {
		name   string
		err    error
		reason exchange.BidRejection
		class  error
	}{
		{"no deposit", bid(bidderC, "1300000", ""), exchange.RejectNoDeposit, broker.ErrForbidden},
		{"below increment", bid(bidderB, "1249999.99", ""), exchange.RejectBelowIncrement, broker.ErrConflict},
		{"duplicate ref", bid(bidderA, "1300000", "a1"), exchange.RejectDuplicate, broker.ErrExists},
		{"fraction of a cent", bid(bidderB, "1300000.001", ""), exchange.RejectMalformed, broker.ErrInvalid},
		{"bidding for someone else", func() error {
			_, err := x.PlaceBid(exCtx, enterprise(bidderB), l.ID, exchange.PlaceBid{Bidder: bidderA, Amount: d("1300000")})
			return err
		}(), exchange.RejectNotBidder, broker.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var be *exchange.BidError
			if !errors.As(tt.err, &be) || be.Reason != tt.reason {
				t.Fatalf("got %v, want rejection %s", tt.err, tt.reason)
			}
			if !errors.Is(tt.err, exchange.ErrBidRejected) || !errors.Is(tt.err, tt.class) {
				t.Errorf("got %v, want it to match ErrBidRejected and %v", tt.err, tt.class)
			}
		})
	}
	var be *exchange.BidError
	if err := bid(bidderB, "1249999.99", ""); errors.As(err, &be) && !be.Minimum.Equal(d("1250000")) {
		t.Errorf("minimum: got %s, want 1250000", be.Minimum)
	}
	if err := bid(bidderB, "1250000", ""); err != nil {
		t.Fatalf("bid at high + increment: %v", err)
	}
	// A bid exactly at the deadline is late.
	clk.Add(7 * exDay)
	if err := bid(bidderA, "1400000", ""); !errors.As(err, &be) || be.Reason != exchange.RejectClosed {
		t.Errorf("at the deadline: got %v, want closed", err)
	}
	st, err := x.Book(exCtx, broker.Anonymous(), l.ID)
	if err != nil || st.Bids != 2 || !st.High.Equal(d("1250000")) || !st.MinNext.Equal(d("1300000")) {
		t.Errorf("book: got %+v %v", st, err)
	}
}

func TestBelowReserveAndNoBook(t *testing.T) {
	x, _ := newExchange(t)
	l := mustListing(t, x, sampleListing(exchange.MethodBidding), exStart.Add(exDay))
	payDeposits(t, x, l.ID, bidderA)
	_, err := x.PlaceBid(exCtx, enterprise(bidderA), l.ID, exchange.PlaceBid{Bidder: bidderA, Amount: d("1199999")})
	var be *exchange.BidError
	if !errors.As(err, &be) || be.Reason != exchange.RejectBelowReserve || !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("below reserve: got %v", err)
	}
	fixed := mustListing(t, x, sampleListing(exchange.MethodFixed), time.Time{})
	_, err = x.PlaceBid(exCtx, enterprise(bidderA), fixed.ID, exchange.PlaceBid{Bidder: bidderA, Amount: d("1300000")})
	if !errors.As(err, &be) || be.Reason != exchange.RejectNoBids {
		t.Errorf("bid on a fixed listing: got %v", err)
	}
	if _, err := x.PlaceBid(exCtx, enterprise(bidderA), "list-999999", exchange.PlaceBid{Bidder: bidderA, Raise: 1}); !errors.Is(err, broker.ErrNotFound) {
		t.Errorf("no such listing: got %v", err)
	}
}

func TestWithdrawnAndExpiredListingsTakeNoBids(t *testing.T) {
	x, clk := newExchange(t)
	w := mustListing(t, x, sampleListing(exchange.MethodAuction), exStart.Add(5*exDay))
	payDeposits(t, x, w.ID, bidderA, bidderB)
	if _, err := x.PlaceBid(exCtx, enterprise(bidderA), w.ID, exchange.PlaceBid{Bidder: bidderA, Raise: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.WithdrawListing(exCtx, exStaff, w.ID, "权利人撤回"); err != nil {
		t.Fatal(err)
	}
	_, err := x.PlaceBid(exCtx, enterprise(bidderB), w.ID, exchange.PlaceBid{Bidder: bidderB, Raise: 1})
	var be *exchange.BidError
	if !errors.As(err, &be) || be.Reason != exchange.RejectWithdrawn {
		t.Errorf("withdrawn: got %v", err)
	}
	deps, _ := x.ListDeposits(exCtx, exStaff, w.ID)
	for _, dep := range deps {
		if dep.Status != exchange.DepositRefundDue {
			t.Errorf("deposit of %s after withdrawal: got %s, want refund_due", dep.Bidder, dep.Status)
		}
	}

	l := sampleListing(exchange.MethodAuction)
	l.ValidDays = 10
	e := mustListing(t, x, l, exStart.Add(10*exDay))
	payDeposits(t, x, e.ID, bidderA)
	clk.Add(10 * exDay)
	_, err = x.PlaceBid(exCtx, enterprise(bidderA), e.ID, exchange.PlaceBid{Bidder: bidderA, Raise: 1})
	if !errors.As(err, &be) || be.Reason != exchange.RejectExpired {
		t.Errorf("expired: got %v", err)
	}
}

func TestAuctionCloseSettlesDeposits(t *testing.T) {
	x, clk := newExchange(t)
	l := mustListing(t, x, sampleListing(exchange.MethodAuction), exStart.Add(3*exDay))
	payDeposits(t, x, l.ID, bidderA, bidderB, bidderC)
	if _, err := x.PayDeposit(exCtx, exOp, l.ID, bidderA, d("100000"), "again"); !errors.Is(err, broker.ErrExists) {
		t.Errorf("second deposit: got %v, want ErrExists", err)
	}
	if _, err := x.PayDeposit(exCtx, exOp, l.ID, "新公司", d("99999.99"), ""); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("short deposit: got %v, want ErrInvalid", err)
	}
	for _, b := range []struct {
		org string
		amt string
	}{{bidderA, "1200000"}, {bidderB, "1250000"}, {bidderA, "1400000"}, {bidderC, "1450000"}} {
		if _, err := x.PlaceBid(exCtx, enterprise(b.org), l.ID, exchange.PlaceBid{Bidder: b.org, Amount: d(b.amt)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := x.CloseBidding(exCtx, exStaff, l.ID); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("close before the deadline: got %v, want ErrConflict", err)
	}
	clk.Add(3 * exDay)
	got, err := x.CloseBidding(exCtx, exStaff, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != exchange.ListingAwarded || got.Award.Bidder != bidderC || !got.Award.Amount.Equal(d("1450000")) || got.Award.Bids != 4 {
		t.Fatalf("award: got %s %+v", got.Status, got.Award)
	}
	deps, _ := x.ListDeposits(exCtx, exStaff, l.ID)
	want := map[string]exchange.DepositStatus{bidderA: exchange.DepositRefundDue, bidderB: exchange.DepositRefundDue, bidderC: exchange.DepositApplied}
	for _, dep := range deps {
		if dep.Status != want[dep.Bidder] {
			t.Errorf("deposit of %s: got %s, want %s", dep.Bidder, dep.Status, want[dep.Bidder])
		}
	}
	if _, err := x.RefundDeposit(exCtx, exOp, deps[0].ID, "退款回单"); err != nil {
		t.Errorf("refund: %v", err)
	}
	if _, err := x.RefundDeposit(exCtx, exOp, deps[2].ID, ""); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("refund the winner's applied deposit: got %v, want ErrConflict", err)
	}
	mine, _ := x.ListDeposits(exCtx, enterprise(bidderB), l.ID)
	if len(mine) != 1 || mine[0].Bidder != bidderB {
		t.Errorf("a bidder sees its own deposits only: got %+v", mine)
	}
	// The deal must go to the winner at the winning amount.
	if _, err := x.CloseDeal(exCtx, exStaff, exchange.NewDeal{Listing: l.ID, Buyer: bidderA, Amount: d("1450000")}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("deal with a loser: got %v, want ErrInvalid", err)
	}
	if _, err := x.CloseDeal(exCtx, exStaff, exchange.NewDeal{Listing: l.ID, Buyer: bidderC, Amount: d("1450000")}); err != nil {
		t.Errorf("deal with the winner: %v", err)
	}
}

func TestTenderSealedOffers(t *testing.T) {
	x, clk := newExchange(t)
	l := mustListing(t, x, sampleListing(exchange.MethodTender), exStart.Add(10*exDay))
	payDeposits(t, x, l.ID, bidderA, bidderB, bidderC)
	offers := []struct {
		org, amt string
	}{{bidderA, "1500000"}, {bidderB, "1300000"}, {bidderC, "1500000"}}
	for _, o := range offers {
		if _, err := x.PlaceBid(exCtx, enterprise(o.org), l.ID, exchange.PlaceBid{Bidder: o.org, Amount: d(o.amt)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := x.PlaceBid(exCtx, enterprise(bidderB), l.ID, exchange.PlaceBid{Bidder: bidderB, Amount: d("1600000")})
	var be *exchange.BidError
	if !errors.As(err, &be) || be.Reason != exchange.RejectDuplicate {
		t.Errorf("second offer: got %v, want duplicate", err)
	}
	if _, err := x.PlaceBid(exCtx, enterprise(bidderB), l.ID, exchange.PlaceBid{Bidder: bidderB, Raise: 1}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("a raise in a tender: got %v, want ErrInvalid", err)
	}
	// Sealed: staff see nothing, a bidder only its own offer, the book no amount.
	for _, p := range []broker.Principal{exStaff, exAdmin, enterprise("别的公司")} {
		if bids, _ := x.ListBids(exCtx, p, l.ID); len(bids) != 0 {
			t.Errorf("%s sees %d sealed offers before opening, want 0", p.ID, len(bids))
		}
	}
	if bids, _ := x.ListBids(exCtx, enterprise(bidderB), l.ID); len(bids) != 1 || !bids[0].Amount.Equal(d("1300000")) {
		t.Errorf("bidder's own offers: got %+v", bids)
	}
	if st, _ := x.Book(exCtx, broker.Anonymous(), l.ID); !st.High.IsZero() || st.Bids != 3 {
		t.Errorf("book before opening: got %+v", st)
	}
	clk.Add(10 * exDay)
	got, err := x.CloseBidding(exCtx, exStaff, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Award == nil || got.Award.Bidder != bidderA || !got.Award.Amount.Equal(d("1500000")) {
		t.Errorf("tie at the top goes to the earlier offer: got %+v", got.Award)
	}
	if bids, _ := x.ListBids(exCtx, exStaff, l.ID); len(bids) != 3 {
		t.Errorf("after opening staff see %d offers, want 3", len(bids))
	}
}

func TestUnsoldAuction(t *testing.T) {
	x, clk := newExchange(t)
	l := mustListing(t, x, sampleListing(exchange.MethodAuction), exStart.Add(exDay))
	payDeposits(t, x, l.ID, bidderA)
	clk.Add(exDay)
	got, err := x.CloseBidding(exCtx, exStaff, l.ID)
	if err != nil || got.Status != exchange.ListingUnsold || got.Award != nil {
		t.Fatalf("no bids: got %v %s %+v", err, got.Status, got.Award)
	}
	deps, _ := x.ListDeposits(exCtx, exStaff, l.ID)
	if len(deps) != 1 || deps[0].Status != exchange.DepositRefundDue {
		t.Errorf("deposit after an unsold auction: %+v", deps)
	}
}

// 16 bidders raise concurrently: every accepted bid is stored, sequence
// numbers are 1..n without gaps, and amounts rise strictly with them.
func TestConcurrentBidsLoseNothing(t *testing.T) {
	x, _ := newExchange(t)
	l := mustListing(t, x, sampleListing(exchange.MethodBidding), exStart.Add(exDay))
	const workers, each = 16, 40
	orgs := make([]string, workers)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("竞买人%02d", i)
	}
	payDeposits(t, x, l.ID, orgs...)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(org string) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := x.PlaceBid(exCtx, enterprise(org), l.ID, exchange.PlaceBid{Bidder: org, Raise: 1, Ref: fmt.Sprint(i)}); err != nil {
					errs <- err
					return
				}
			}
		}(orgs[w])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	bids, err := x.ListBids(exCtx, exStaff, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(bids) != workers*each {
		t.Fatalf("got %d bids, want %d", len(bids), workers*each)
	}
	for i, b := range bids {
		if b.Seq != int64(i+1) {
			t.Fatalf("bid %d has seq %d", i, b.Seq)
		}
		want := d("1200000").Add(d("50000").Mul(d(fmt.Sprint(i))))
		if !b.Amount.Equal(want) {
			t.Fatalf("bid %d: got %s, want %s", i+1, b.Amount, want)
		}
	}
}

// A listing whose ID extends another's with "~" does not mix their bids.
func TestBidsOfNestedIDsStayApart(t *testing.T) {
	x, _ := newExchange(t)
	for _, id := range []string{"L", "L~0000000001"} {
		l := sampleListing(exchange.MethodAuction)
		l.ID = id
		mustListing(t, x, l, exStart.Add(exDay))
		payDeposits(t, x, id, bidderA)
		if _, err := x.PlaceBid(exCtx, enterprise(bidderA), id, exchange.PlaceBid{Bidder: bidderA, Raise: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"L", "L~0000000001"} {
		bids, _ := x.ListBids(exCtx, exStaff, id)
		deps, _ := x.ListDeposits(exCtx, exStaff, id)
		if len(bids) != 1 || bids[0].Listing != id || len(deps) != 1 || deps[0].Listing != id {
			t.Errorf("listing %s: got %d bids, %d deposits", id, len(bids), len(deps))
		}
	}
}

// Friction (issue 21): a bid after the auction closed — at or after its
// deadline, or once CloseBidding decided it — has its own reason, closed,
// and a message that says the auction is closed and when. It matches
// broker.ErrConflict (the book's state refuses it), never the stale version
// that System.Update retries, and does not read "version conflict".
func TestBidAfterCloseSaysClosed(t *testing.T) {
	x, clk := newExchange(t)
	closes := exStart.Add(3 * exDay)
	l := mustListing(t, x, sampleListing(exchange.MethodAuction), closes)
	payDeposits(t, x, l.ID, bidderA, bidderB)
	if _, err := x.PlaceBid(exCtx, enterprise(bidderA), l.ID, exchange.PlaceBid{Bidder: bidderA, Raise: 1}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		_, err := x.PlaceBid(exCtx, enterprise(bidderB), l.ID, exchange.PlaceBid{Bidder: bidderB, Raise: 1})
		var be *exchange.BidError
		if !errors.As(err, &be) || be.Reason != exchange.RejectClosed {
			t.Fatalf("%s: got %v, want rejection closed", when, err)
		}
		if !errors.Is(err, broker.ErrConflict) || !errors.Is(err, exchange.ErrBidRejected) || errors.Is(err, broker.ErrStale) {
			t.Errorf("%s: got %v, want ErrConflict and ErrBidRejected, not ErrStale", when, err)
		}
		msg := err.Error()
		if want := "rejected as closed: the auction closed at " + closes.Format(time.RFC3339); !strings.Contains(msg, want) {
			t.Errorf("%s: got %q, want it to say %q", when, msg, want)
		}
		if strings.Contains(msg, "version") || strings.Contains(msg, "stale") || strings.Contains(msg, "bid: bid") {
			t.Errorf("%s: got %q, which reads as a version conflict or repeats a word", when, msg)
		}
	}
	clk.Add(3 * exDay)
	check("at the deadline")
	if _, err := x.CloseBidding(exCtx, exStaff, l.ID); err != nil {
		t.Fatal(err)
	}
	check("after CloseBidding")
}

// Who bid is confidential: the book's and the bids' audit events (whose
// actors are the bidders) are the desk's and the bidder's, while the book's
// public state is anyone's who may read the listing.
func TestBiddersStayConfidential(t *testing.T) {
	x, _ := newExchange(t)
	l := mustListing(t, x, sampleListing(exchange.MethodAuction), exStart.Add(exDay))
	payDeposits(t, x, l.ID, bidderA)
	bid, err := x.PlaceBid(exCtx, enterprise(bidderA), l.ID, exchange.PlaceBid{Bidder: bidderA, Raise: 1})
	if err != nil {
		t.Fatal(err)
	}
	sys := x.System()
	for _, p := range []broker.Principal{broker.Anonymous(), enterprise(bidderB), exOther} {
		if _, err := sys.Events(exCtx, p, exchange.KindBook, l.ID); !errors.Is(err, broker.ErrForbidden) {
			t.Errorf("book events seen by %q: got %v, want ErrForbidden", p.ID, err)
		}
		if _, err := sys.Events(exCtx, p, exchange.KindBid, bid.ID); !errors.Is(err, broker.ErrForbidden) {
			t.Errorf("bid events seen by %q: got %v, want ErrForbidden", p.ID, err)
		}
		if bids, err := x.ListBids(exCtx, p, l.ID); err != nil || len(bids) != 0 {
			t.Errorf("bids seen by %q: got %d, %v", p.ID, len(bids), err)
		}
	}
	for _, p := range []broker.Principal{exStaff, enterprise(bidderA)} {
		if evs, err := sys.Events(exCtx, p, exchange.KindBid, bid.ID); err != nil || len(evs) != 1 || evs[0].Type != exchange.EventBidPlaced {
			t.Errorf("bid events seen by %q: got %v, %v", p.ID, evs, err)
		}
	}
	if st, err := x.Book(exCtx, broker.Anonymous(), l.ID); err != nil || st.Bids != 1 {
		t.Errorf("the public book: got %+v, %v", st, err)
	}
}
