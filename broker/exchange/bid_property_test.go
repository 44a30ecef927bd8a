package exchange_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/kexie/techbroker/broker/exchange"
)

// Any sequence of bids (random bidders, some without deposits, random
// amounts, time passing) keeps the auction's invariants: accepted bids rise
// by at least the increment from the reserve, nothing is accepted at or
// after the deadline or without a deposit, refusals name the right reason,
// and the award goes to the highest accepted bid.
func TestAuctionProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		x, clk := newExchange(t)
		closes := exStart.Add(10 * time.Hour)
		l := mustListing(t, x, sampleListing(exchange.MethodAuction), closes)
		reserve, inc := d("1200000"), d("50000")
		bidders := []string{"甲", "乙", "丙", "丁"}
		paid := map[string]bool{}
		for _, b := range bidders[:3] {
			payDeposits(t, x, l.ID, b)
			paid[b] = true
		}
		var accepted []decimal.Decimal
		var lastBidder string
		n := rapid.IntRange(1, 30).Draw(rt, "bids")
		for i := 0; i < n; i++ {
			clk.Add(time.Duration(rapid.IntRange(0, 60).Draw(rt, "minutes")) * time.Minute)
			who := rapid.SampledFrom(bidders).Draw(rt, "who")
			amt := reserve.Add(decimal.NewFromInt(int64(rapid.IntRange(-2, 60).Draw(rt, "steps")) * 25000))
			_, err := x.PlaceBid(exCtx, enterprise(who), l.ID, exchange.PlaceBid{Bidder: who, Amount: amt})
			min := reserve
			if len(accepted) > 0 {
				min = accepted[len(accepted)-1].Add(inc)
			}
			var be *exchange.BidError
			switch {
			case !clk.Now().Before(closes):
				if !errors.As(err, &be) || be.Reason != exchange.RejectClosed {
					rt.Fatalf("bid at %v after the deadline: got %v", clk.Now(), err)
				}
			case !paid[who]:
				if !errors.As(err, &be) || be.Reason != exchange.RejectNoDeposit {
					rt.Fatalf("bid without deposit: got %v", err)
				}
			case amt.LessThan(min):
				if !errors.As(err, &be) || (be.Reason != exchange.RejectBelowReserve && be.Reason != exchange.RejectBelowIncrement) || !be.Minimum.Equal(min) {
					rt.Fatalf("bid %s below %s: got %v", amt, min, err)
				}
			default:
				if err != nil {
					rt.Fatalf("valid bid %s (min %s): %v", amt, min, err)
				}
				accepted = append(accepted, amt)
				lastBidder = who
			}
		}
		clk.Add(24 * time.Hour)
		got, err := x.CloseBidding(exCtx, exStaff, l.ID)
		if err != nil {
			rt.Fatal(err)
		}
		if len(accepted) == 0 {
			if got.Status != exchange.ListingUnsold {
				rt.Fatalf("no bids: got %s", got.Status)
			}
			return
		}
		top := accepted[len(accepted)-1]
		if got.Status != exchange.ListingAwarded || !got.Award.Amount.Equal(top) || got.Award.Bidder != lastBidder || got.Award.Bids != int64(len(accepted)) {
			rt.Fatalf("award: got %+v, want %s by %s of %d bids", got.Award, top, lastBidder, len(accepted))
		}
		bids, _ := x.ListBids(exCtx, exStaff, l.ID)
		for i, b := range bids {
			if !b.Amount.Equal(accepted[i]) || b.Seq != int64(i+1) {
				rt.Fatalf("bid %d: got %s seq %d, want %s", i, b.Amount, b.Seq, accepted[i])
			}
		}
	})
}
