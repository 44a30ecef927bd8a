package exchange

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/decimalx"
)

// The bidding rules of the exchange (拍卖 auction, 竞价 online bidding,
// 招标 tender): a reserve price, a bid increment, deposits, sealed offers
// and deadlines. They are pure functions of an Auction — the book's terms
// and state — and the time, without a context or a store; PlaceBid,
// PayDeposit and CloseBidding apply them inside one transaction.

// BookStatus is where a bidding listing's book stands.
type BookStatus string

// Book statuses.
const (
	BookOpen      BookStatus = "open"      // taking bids until the deadline
	BookClosed    BookStatus = "closed"    // decided by CloseBidding (a tender's offers opened)
	BookCancelled BookStatus = "cancelled" // the listing was withdrawn
)

// Auction is a bidding listing's book as the rules see it: the terms fixed
// when the listing was published and what bidding has reached. (Its fields
// are set by the exchange, never by a caller, so the System's validator
// skips them: validate:"-".)
type Auction struct {
	Method TradingMethod `json:"method" validate:"-"`
	// Reserve is the reserve price (Terms.Price): the least first bid, and
	// the least sealed offer of a tender.
	Reserve decimal.Decimal `json:"reserve" validate:"-"`
	// Increment is the least raise over the highest bid (auction, bidding).
	Increment decimal.Decimal `json:"increment" validate:"-"`
	// Deposit is the least deposit a bidder pays before bidding.
	Deposit decimal.Decimal `json:"deposit" validate:"-"`
	// Closes is the deadline: a bid at or after it is late.
	Closes time.Time `json:"closes" validate:"-"`
	// Expires is the listing's expiry: no bid at or after it either.
	Expires time.Time  `json:"expires" validate:"-"`
	Status  BookStatus `json:"status" validate:"-"`
	// Bids counts the bids (or sealed offers) accepted; the next bid's
	// sequence number is Bids+1.
	Bids int64 `json:"bids" validate:"-"`
	// High is the highest bid so far (auction, bidding; zero before the
	// first bid and for a tender).
	High decimal.Decimal `json:"high" validate:"-"`
}

// Sealed reports whether bids are sealed offers: one per bidder, at or
// above the reserve, seen by nobody but their bidder until the tender is
// opened (招标).
func (a Auction) Sealed() bool { return a.Method == MethodTender }

// Accepting returns nil if the book takes a bid at time now, else a
// *BidError: withdrawn (cancelled), closed (decided, or at or after the
// deadline) or expired.
func (a Auction) Accepting(now time.Time) error {
	switch {
	case a.Status == BookCancelled:
		return &BidError{Reason: RejectWithdrawn, Detail: "the listing was withdrawn and takes no bids"}
	case a.Status == BookClosed:
		return &BidError{Reason: RejectClosed, Detail: "the auction closed at " + stamp(a.Closes) + " and its bids were decided"}
	case !now.Before(a.Expires):
		return &BidError{Reason: RejectExpired, Detail: "the listing expired at " + stamp(a.Expires)}
	case !now.Before(a.Closes):
		return &BidError{Reason: RejectClosed, Detail: "the auction closed at " + stamp(a.Closes) + ": a bid at or after the deadline is late"}
	}
	return nil
}

// TakesDeposits reports whether a deposit may be paid at time now: the
// book is open and neither the deadline nor the expiry has come.
func (a Auction) TakesDeposits(now time.Time) bool { return a.Accepting(now) == nil }

// Closable reports whether bidding may be closed at time now: the book is
// open and its deadline or its expiry has come.
func (a Auction) Closable(now time.Time) bool {
	return a.Status == BookOpen && (!now.Before(a.Closes) || !now.Before(a.Expires))
}

// MinNext is the least acceptable next bid: the reserve for the first bid
// and for any sealed offer, else the highest bid plus the increment.
func (a Auction) MinNext() decimal.Decimal {
	if a.Sealed() || a.Bids == 0 {
		return a.Reserve
	}
	return a.High.Add(a.Increment)
}

// Amount returns the amount of a bid asked for as an amount, or (amount
// zero, auction and bidding only) as raise increments: the "加价 n 个阶梯"
// button, MinNext plus raise−1 increments. A *BidError refuses an amount
// below MinNext (below_reserve for the first bid or a sealed offer,
// below_increment after), a raise in a tender, or a raised amount over
// the money maximum (malformed).
func (a Auction) Amount(amount decimal.Decimal, raise int) (decimal.Decimal, error) {
	min := a.MinNext()
	if amount.IsZero() {
		if a.Sealed() {
			return amount, &BidError{Reason: RejectMalformed, Detail: "a sealed offer needs an amount; raises are for auctions and bidding"}
		}
		amount = min.Add(a.Increment.Mul(decimal.NewFromInt(int64(raise - 1))))
	}
	if amount.LessThan(min) {
		r := RejectBelowIncrement
		if a.Sealed() || a.Bids == 0 {
			r = RejectBelowReserve
		}
		return amount, &BidError{Reason: r, Minimum: min, Detail: "the least acceptable bid is " + min.StringFixed(2)}
	}
	if decimalx.GreaterThanPow10(amount, 12) {
		return amount, &BidError{Reason: RejectMalformed, Detail: "the amount is above 1万亿 yuan"}
	}
	return amount, nil
}

// Accept returns the auction after a bid of amount: one more bid, and the
// new highest bid unless offers are sealed. It checks nothing: Amount has.
func (a Auction) Accept(amount decimal.Decimal) Auction {
	a.Bids++
	if !a.Sealed() {
		a.High = amount
	}
	return a
}

// DepositCovers returns nil if amount covers the deposit the terms ask, or
// a *broker.ValidationError naming the least amount.
func (a Auction) DepositCovers(amount decimal.Decimal) error {
	if amount.LessThan(a.Deposit) {
		return &broker.ValidationError{Kind: KindDeposit, Fields: []broker.FieldError{{Field: "amount", Code: "min", Param: a.Deposit.StringFixed(2), Value: amount.String()}}}
	}
	return nil
}

// MayBid returns nil if a bidder whose deposit for the listing stands at
// status (empty: none paid) may bid, else a no_deposit *BidError.
func (a Auction) MayBid(status DepositStatus) error {
	if status != DepositPaid {
		return &BidError{Reason: RejectNoDeposit, Detail: "a paid deposit of " + a.Deposit.StringFixed(2) + " yuan is required"}
	}
	return nil
}

// DeadlineOK reports whether closes is an acceptable bidding deadline at
// time now for a listing that expires at expires: in the future and no
// later than the expiry.
func DeadlineOK(closes, now, expires time.Time) bool {
	return closes.After(now) && !closes.After(expires)
}

// Winner returns the winning bid of a closed book: the highest bid at or
// above the reserve, the earlier (lower Seq) on equal amounts. ok is false
// when no bid reaches the reserve (流拍).
func Winner(bids []Bid, reserve decimal.Decimal) (win Bid, ok bool) {
	for _, b := range bids {
		if b.Amount.LessThan(reserve) {
			continue
		}
		if !ok || b.Amount.GreaterThan(win.Amount) || (b.Amount.Equal(win.Amount) && b.Seq < win.Seq) {
			win, ok = b, true
		}
	}
	return win, ok
}

// CheckRequest returns a malformed *BidError for a request no book could
// accept: no bidder, a bidder or ref too long, an amount that is not yuan
// with at most 2 decimal places between 0 and 1万亿, or neither an amount
// nor a raise of 1–1000 increments. The request's text is taken as given
// (PlaceBid normalizes it first).
func CheckRequest(pb PlaceBid) error {
	rej := func(detail string) error { return &BidError{Reason: RejectMalformed, Detail: detail} }
	switch {
	case pb.Bidder == "":
		return rej("a bidder is required")
	case utf8.RuneCountInString(pb.Bidder) > 200:
		return rej("the bidder has more than 200 characters")
	case len(pb.Ref) > 64:
		return rej("the ref is longer than 64 bytes")
	case !decimalx.Sane(pb.Amount, 2) || pb.Amount.Sign() < 0 || decimalx.GreaterThanPow10(pb.Amount, 12):
		return rej("the amount must be yuan with at most 2 decimal places, 0–1万亿")
	case pb.Amount.IsZero() && (pb.Raise < 1 || pb.Raise > 1000):
		return rej("give an amount or a raise of 1–1000 increments")
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ErrBidRejected is matched (errors.Is) by every refused bid, together with
// the sentinel of its class (see BidError).
var ErrBidRejected = errors.New("bid rejected")

// BidRejection says why a bid was refused.
type BidRejection string

// Bid rejections. Their sentinels: BelowReserve and Malformed are
// broker.ErrInvalid; NoDeposit and NotBidder are broker.ErrForbidden;
// Duplicate is broker.ErrExists; the rest (the book's state, or a higher
// bid that got there first) are broker.ErrConflict. None is a stale
// version (broker.ErrStale): retrying the same bid does not help.
const (
	RejectBelowReserve   BidRejection = "below_reserve"   // less than the reserve price
	RejectBelowIncrement BidRejection = "below_increment" // less than the highest bid plus the increment
	RejectClosed         BidRejection = "closed"          // the auction is closed: at or after the deadline, or decided
	RejectWithdrawn      BidRejection = "withdrawn"       // the listing was withdrawn
	RejectExpired        BidRejection = "expired"         // the listing expired
	RejectNoBids         BidRejection = "no_bids"         // the listing does not take bids
	RejectNoDeposit      BidRejection = "no_deposit"      // the bidder has no paid deposit
	RejectDuplicate      BidRejection = "duplicate"       // the same Ref again, or a second sealed offer
	RejectNotBidder      BidRejection = "not_bidder"      // the principal may not bid for this bidder
	RejectMalformed      BidRejection = "malformed"       // a bad amount, bidder or ref
)

// BidError is a refused bid.
type BidError struct {
	Listing string
	Bidder  string
	Amount  decimal.Decimal
	Reason  BidRejection
	Detail  string
	// Minimum is the least acceptable amount, for below_reserve and
	// below_increment.
	Minimum decimal.Decimal
	// Existing is the earlier bid's ID, for duplicate.
	Existing string
}

// Error reads "rejected as closed: the auction closed at …: a bid at or
// after the deadline is late (bidder "…", listing …)": the reason's code,
// then in words why, then whose bid on which listing.
func (e *BidError) Error() string {
	msg := "rejected as " + string(e.Reason)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg + fmt.Sprintf(" (bidder %q, listing %s)", e.Bidder, e.Listing)
}

// Is matches ErrBidRejected and the rejection's class sentinel.
func (e *BidError) Is(target error) bool {
	if target == ErrBidRejected {
		return true
	}
	switch e.Reason {
	case RejectBelowReserve, RejectMalformed:
		return target == broker.ErrInvalid
	case RejectNoDeposit, RejectNotBidder:
		return target == broker.ErrForbidden
	case RejectDuplicate:
		return target == broker.ErrExists
	}
	return target == broker.ErrConflict
}
