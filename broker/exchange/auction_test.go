package exchange_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
)

// The bidding rules are pure: these tables call them without a store.

var (
	t0      = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	closes  = t0.Add(7 * exDay)
	expires = t0.Add(90 * exDay)
)

func auction(method exchange.TradingMethod, bids int64, high string) exchange.Auction {
	return exchange.Auction{Method: method, Reserve: d("1200000"), Increment: d("50000"), Deposit: d("100000"),
		Closes: closes, Expires: expires, Status: exchange.BookOpen, Bids: bids, High: d(high)}
}

func reason(err error) exchange.BidRejection {
	var be *exchange.BidError
	if errors.As(err, &be) {
		return be.Reason
	}
	return ""
}

func TestAuctionAccepting(t *testing.T) {
	a := auction(exchange.MethodAuction, 0, "0")
	early := a
	early.Expires = t0.Add(2 * exDay)
	tests := []struct {
		name string
		a    exchange.Auction
		now  time.Time
		want exchange.BidRejection
	}{
		{"open", a, t0, ""},
		{"a microsecond before the deadline", a, closes.Add(-time.Microsecond), ""},
		{"at the deadline", a, closes, exchange.RejectClosed},
		{"after the deadline", a, closes.Add(time.Hour), exchange.RejectClosed},
		{"decided", func() exchange.Auction { a := a; a.Status = exchange.BookClosed; return a }(), t0, exchange.RejectClosed},
		{"withdrawn", func() exchange.Auction { a := a; a.Status = exchange.BookCancelled; return a }(), t0, exchange.RejectWithdrawn},
		{"expired before the deadline", early, t0.Add(2 * exDay), exchange.RejectExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Accepting(tt.now)
			if got := reason(err); got != tt.want {
				t.Errorf("got %q (%v), want %q", got, err, tt.want)
			}
			if err != nil && (!errors.Is(err, exchange.ErrBidRejected) || errors.Is(err, broker.ErrStale)) {
				t.Errorf("got %v: want a rejection, never a stale version", err)
			}
			if got := tt.a.TakesDeposits(tt.now); got != (tt.want == "") {
				t.Errorf("takes deposits: got %v", got)
			}
		})
	}
}

func TestAuctionAmount(t *testing.T) {
	tests := []struct {
		name   string
		a      exchange.Auction
		amount string
		raise  int
		want   string // the amount bid, or "" when refused
		reason exchange.BidRejection
		min    string
	}{
		{"first bid at the reserve", auction(exchange.MethodAuction, 0, "0"), "1200000", 0, "1200000", "", ""},
		{"first bid below the reserve", auction(exchange.MethodAuction, 0, "0"), "1199999.99", 0, "", exchange.RejectBelowReserve, "1200000"},
		{"first raise is the reserve", auction(exchange.MethodBidding, 0, "0"), "0", 1, "1200000", "", ""},
		{"first raise of 3", auction(exchange.MethodBidding, 0, "0"), "0", 3, "1300000", "", ""},
		{"high plus the increment", auction(exchange.MethodAuction, 1, "1200000"), "1250000", 0, "1250000", "", ""},
		{"under the increment", auction(exchange.MethodAuction, 1, "1200000"), "1249999.99", 0, "", exchange.RejectBelowIncrement, "1250000"},
		{"raise of 2", auction(exchange.MethodAuction, 4, "1400000"), "0", 2, "1500000", "", ""},
		{"raise beyond 1万亿", func() exchange.Auction { a := auction(exchange.MethodAuction, 1, "999999999999"); return a }(), "0", 1, "", exchange.RejectMalformed, ""},
		{"sealed offer at the reserve after others", auction(exchange.MethodTender, 5, "0"), "1200000", 0, "1200000", "", ""},
		{"sealed offer below the reserve", auction(exchange.MethodTender, 5, "0"), "1000000", 0, "", exchange.RejectBelowReserve, "1200000"},
		{"a raise in a tender", auction(exchange.MethodTender, 0, "0"), "0", 1, "", exchange.RejectMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Amount(d(tt.amount), tt.raise)
			if tt.want == "" {
				var be *exchange.BidError
				if !errors.As(err, &be) || be.Reason != tt.reason {
					t.Fatalf("got %s, %v; want rejection %s", got, err, tt.reason)
				}
				if tt.min != "" && !be.Minimum.Equal(d(tt.min)) {
					t.Errorf("minimum: got %s, want %s", be.Minimum, tt.min)
				}
				return
			}
			if err != nil || !got.Equal(d(tt.want)) {
				t.Errorf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestAuctionAcceptAndMinNext(t *testing.T) {
	a := auction(exchange.MethodAuction, 0, "0")
	if got := a.MinNext(); !got.Equal(d("1200000")) {
		t.Errorf("first: got %s", got)
	}
	a = a.Accept(d("1300000"))
	if a.Bids != 1 || !a.High.Equal(d("1300000")) || !a.MinNext().Equal(d("1350000")) {
		t.Errorf("after a bid: %+v, min next %s", a, a.MinNext())
	}
	s := auction(exchange.MethodTender, 0, "0").Accept(d("1500000"))
	if s.Bids != 1 || !s.High.IsZero() || !s.MinNext().Equal(d("1200000")) {
		t.Errorf("a sealed offer moves no high: %+v", s)
	}
}

func TestAuctionDeposits(t *testing.T) {
	a := auction(exchange.MethodAuction, 0, "0")
	for _, tt := range []struct {
		status exchange.DepositStatus
		ok     bool
	}{{"", false}, {exchange.DepositPaid, true}, {exchange.DepositRefundDue, false}, {exchange.DepositApplied, false}, {exchange.DepositRefunded, false}} {
		err := a.MayBid(tt.status)
		if (err == nil) != tt.ok || (err != nil && reason(err) != exchange.RejectNoDeposit) {
			t.Errorf("deposit %q: got %v", tt.status, err)
		}
	}
	if err := a.DepositCovers(d("100000")); err != nil {
		t.Errorf("exact deposit: %v", err)
	}
	err := a.DepositCovers(d("99999.99"))
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "amount" || ve.Fields[0].Param != "100000.00" {
		t.Errorf("short deposit: got %v", err)
	}
}

func TestAuctionDeadlines(t *testing.T) {
	for _, tt := range []struct {
		name   string
		closes time.Time
		ok     bool
	}{{"in a week", closes, true}, {"now", t0, false}, {"in the past", t0.Add(-time.Hour), false}, {"at the expiry", expires, true}, {"after the expiry", expires.Add(time.Second), false}} {
		if got := exchange.DeadlineOK(tt.closes, t0, expires); got != tt.ok {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.ok)
		}
	}
	a := auction(exchange.MethodAuction, 0, "0")
	for _, tt := range []struct {
		now time.Time
		ok  bool
	}{{t0, false}, {closes.Add(-time.Microsecond), false}, {closes, true}, {expires, true}} {
		if got := a.Closable(tt.now); got != tt.ok {
			t.Errorf("closable at %v: got %v", tt.now, got)
		}
	}
	a.Status = exchange.BookCancelled
	if a.Closable(expires) {
		t.Errorf("a cancelled book is closable")
	}
}

func TestWinner(t *testing.T) {
	bid := func(seq int64, amount string) exchange.Bid {
		return exchange.Bid{Seq: seq, Bidder: string(rune('甲' + seq)), Amount: d(amount)}
	}
	for _, tt := range []struct {
		name string
		bids []exchange.Bid
		want int64 // winning Seq, 0 for none
	}{
		{"none", nil, 0},
		{"all below the reserve", []exchange.Bid{bid(1, "100"), bid(2, "1199999")}, 0},
		{"highest", []exchange.Bid{bid(1, "1200000"), bid(2, "1500000"), bid(3, "1300000")}, 2},
		{"tie goes to the earlier", []exchange.Bid{bid(1, "1500000"), bid(2, "1300000"), bid(3, "1500000")}, 1},
		{"tie, earlier listed later", []exchange.Bid{bid(3, "1500000"), bid(1, "1500000")}, 1},
	} {
		win, ok := exchange.Winner(tt.bids, d("1200000"))
		if ok != (tt.want != 0) || (ok && win.Seq != tt.want) {
			t.Errorf("%s: got %+v %v, want seq %d", tt.name, win, ok, tt.want)
		}
	}
}

func TestCheckRequest(t *testing.T) {
	long := make([]rune, 201)
	for i := range long {
		long[i] = '企'
	}
	for _, tt := range []struct {
		name string
		pb   exchange.PlaceBid
		ok   bool
	}{
		{"amount", exchange.PlaceBid{Bidder: "甲", Amount: d("1200000")}, true},
		{"raise", exchange.PlaceBid{Bidder: "甲", Raise: 1}, true},
		{"no bidder", exchange.PlaceBid{Amount: d("1")}, false},
		{"bidder too long", exchange.PlaceBid{Bidder: string(long), Raise: 1}, false},
		{"ref too long", exchange.PlaceBid{Bidder: "甲", Raise: 1, Ref: string(make([]byte, 65))}, false},
		{"a fraction of a cent", exchange.PlaceBid{Bidder: "甲", Amount: d("1.001")}, false},
		{"negative", exchange.PlaceBid{Bidder: "甲", Amount: d("-1")}, false},
		{"over 1万亿", exchange.PlaceBid{Bidder: "甲", Amount: decimal.New(1, 13)}, false},
		{"absurd exponent", exchange.PlaceBid{Bidder: "甲", Amount: decimal.New(1, 99999)}, false},
		{"neither", exchange.PlaceBid{Bidder: "甲"}, false},
		{"raise of 1001", exchange.PlaceBid{Bidder: "甲", Raise: 1001}, false},
	} {
		err := exchange.CheckRequest(tt.pb)
		if (err == nil) != tt.ok || (err != nil && (reason(err) != exchange.RejectMalformed || !errors.Is(err, broker.ErrInvalid))) {
			t.Errorf("%s: got %v", tt.name, err)
		}
	}
}
