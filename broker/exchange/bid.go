package exchange

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// The book of a bidding listing (auction, bidding, tender) is a small record
// of its own, kind "listing_book", with the listing's ID: the Auction (the
// rules' terms and state) and the deposit counter. Every bid is a record of its own (kind "bid", ID
// "<listing>~<10-digit seq>") written in one transaction with the book, so
// concurrent bids are serialized by the store: each gets the next sequence
// number, none is lost, and a stale read is retried (System.Update), never
// overwritten. Deposits are records too (kind "deposit", ID
// "<listing>~d<10-digit seq>"), found by their bidder through the
// de-duplication key.

// book is a bidding listing's book.
type book struct {
	broker.Meta
	Auction
	// Deposits counts the deposits paid; the next one's sequence number
	// is Deposits+1.
	Deposits int64 `json:"deposits,omitempty" validate:"-"`
}

func (book) RecordKind() broker.Kind { return KindBook }

// AccessClass: the book is the exchange's, like the listing.
func (book) AccessClass() broker.Class { return broker.ClassExchange }
func (b book) RecordStage() string     { return string(b.Status) }

// Tier: the book itself, and its audit events (whose actors are the
// bidders), are the desk's: Confidential. Its public state is Book's.
// Meta.Visibility keeps the listing's visibility, for market.
func (book) Tier() broker.Visibility { return broker.Confidential }

// market is the target of taking part in the listing's bidding: the
// listing as published, on its desk with its visibility.
func (b book) market() broker.Target {
	return broker.TargetOf(Listing{Meta: broker.Meta{ID: b.ID, Broker: b.Broker, Visibility: b.Visibility}, Status: ListingOpen})
}

// openBook opens the book of a listing being published; a book left by an
// earlier publication of the same ID is replaced.
func openBook(tx *broker.Tx, p broker.Principal, l Listing, run broker.WriteOption) error {
	b := book{Meta: broker.Meta{ID: l.ID, Broker: l.Broker, Visibility: l.Visibility},
		Auction: Auction{Method: l.Terms.Method, Reserve: l.Terms.Price, Increment: l.Terms.Increment, Deposit: l.Terms.Deposit,
			Closes: l.Closes, Expires: l.Expires, Status: BookOpen}}
	old, err := broker.Read[book](tx, l.ID)
	switch {
	case notFound(err):
		_, err = broker.Create(tx, p, b, run, broker.Logged("opened", nil))
		return err
	case err != nil:
		return err
	}
	b.Version = old.Version
	_, err = broker.Replace(tx, p, b, run, broker.Logged("opened", nil))
	return err
}

// Bid is one bid (auction, bidding) or sealed offer (tender) on a listing.
// Seq orders the bids of a listing in the order the store accepted them.
// A bid is Confidential: seen by its bidder, the handling broker's staff
// and platform admins (and a sealed offer, until the tender is opened, by
// its bidder only).
type Bid struct {
	broker.Meta
	Listing string          `json:"listing" validate:"-"`
	Seq     int64           `json:"seq" validate:"-"`
	Bidder  string          `json:"bidder" validate:"required,max=200" org:"ref"`
	Amount  decimal.Decimal `json:"amount" validate:"-"`
	Ref     string          `json:"ref,omitempty" validate:"max=64"`
	Placed  time.Time       `json:"placed" validate:"-"`
	Sealed  bool            `json:"sealed,omitempty" validate:"-"`
}

// RecordKind is KindBid.
func (Bid) RecordKind() broker.Kind { return KindBid }

// AccessClass: bids are the exchange's records.
func (Bid) AccessClass() broker.Class { return broker.ClassExchange }

// OwnerOrgs is the bidder.
func (b Bid) OwnerOrgs() []string { return []string{b.Bidder} }

// DedupKey indexes a bid by its bidder's Ref (a retried bid is found), or a
// sealed offer by its bidder (one offer per bidder).
func (b Bid) DedupKey() string {
	if b.Sealed {
		return offerKey(b.Listing, b.Bidder)
	}
	return bidKey(b.Listing, b.Bidder, b.Ref)
}

func bidKey(listing, bidder, ref string) string {
	if ref == "" {
		return ""
	}
	return "bid:" + listing + "\x1f" + bidder + "\x1f" + ref
}

func offerKey(listing, bidder string) string { return "offer:" + listing + "\x1f" + bidder }

// seqID is "<listing><sep><seq as 10 digits>".
func seqID(listing, sep string, seq int64) string {
	n := strconv.FormatInt(seq, 10)
	if len(n) < 10 {
		n = strings.Repeat("0", 10-len(n)) + n
	}
	return listing + sep + n
}

// DepositStatus is where a deposit stands.
type DepositStatus string

// Deposit statuses.
const (
	DepositPaid      DepositStatus = "paid"       // received; the bidder may bid
	DepositRefundDue DepositStatus = "refund_due" // the bidder lost or bidding was cancelled: to be refunded
	DepositRefunded  DepositStatus = "refunded"
	DepositApplied   DepositStatus = "applied" // the winner's: applied to the price
)

// Deposit is a bidder's deposit (保证金) for one listing. It is
// Confidential: seen by the bidder, the handling broker's staff and
// platform admins.
type Deposit struct {
	broker.Meta
	Seq        int64           `json:"seq"` // 1, 2, ... in the order deposits were paid
	Listing    string          `json:"listing"`
	Bidder     string          `json:"bidder" validate:"required,max=200" org:"ref"`
	Amount     decimal.Decimal `json:"amount"`
	Status     DepositStatus   `json:"status" validate:"oneof=paid refund_due refunded applied"`
	PaymentRef string          `json:"payment_ref,omitempty" validate:"max=500"`
	Paid       time.Time       `json:"paid"`
	Settled    time.Time       `json:"settled,omitzero"`
}

// RecordKind is KindDeposit.
func (Deposit) RecordKind() broker.Kind { return KindDeposit }

// AccessClass: deposits are the exchange's records.
func (Deposit) AccessClass() broker.Class { return broker.ClassExchange }

// RecordStage is the deposit's status.
func (d Deposit) RecordStage() string { return string(d.Status) }

// DedupKey indexes a deposit by listing and bidder: one per bidder.
func (d Deposit) DedupKey() string { return depositKey(d.Listing, d.Bidder) }

// OwnerOrgs is the bidder.
func (d Deposit) OwnerOrgs() []string { return []string{d.Bidder} }

func depositKey(listing, bidder string) string { return "deposit:" + listing + "\x1f" + bidder }

// depositOf returns the bidder's deposit for the listing, if any.
func depositOf(tx *broker.Tx, listing, bidder string) (Deposit, bool, error) {
	ds, err := broker.Find[Deposit](tx, keeper, broker.ListOptions{Key: depositKey(listing, bidder)})
	if err != nil || len(ds) == 0 {
		return Deposit{}, false, err
	}
	return ds[0], true, nil
}

// firstByKey returns the ID of the first bid with the key, if any.
func firstByKey(tx *broker.Tx, key string) (string, error) {
	if key == "" {
		return "", nil
	}
	pg, err := broker.List[Bid](tx, keeper, broker.ListOptions{Key: key, Limit: 1})
	if err != nil || len(pg.Items) == 0 {
		return "", err
	}
	return pg.Items[0].ID, nil
}

// PlaceBid asks to place one bid.
type PlaceBid struct {
	// Bidder is the organization bidding (an enterprise or institution).
	Bidder string
	// Amount in yuan. Leave it zero and set Raise to bid a number of
	// increments instead.
	Amount decimal.Decimal
	// Raise, with a zero Amount, bids the highest bid plus Raise
	// increments (the reserve plus Raise−1 increments for the first bid),
	// computed inside the transaction: the "加价 n 个阶梯" button of
	// online bidding. Auction and bidding only.
	Raise int
	// Ref is the bidder's own reference for this bid; a second bid with
	// the same Ref is refused as a duplicate (RejectDuplicate), which makes
	// retries safe.
	Ref string
}

// EventBidPlaced is the event of a new bid.
const EventBidPlaced = "placed"

// PlaceBid places a bid on a listing's book. The principal must take part
// in the listing and act for the bidder (the policy's ActTakePart on the
// bid: the bidder's own enterprise or institution), or run the listing
// (platform admins, the broker's staff) on the bidder's behalf.
//
// Rules (see Auction): the listing takes bids (auction, bidding, tender),
// is open, not withdrawn or expired, and the deadline has not come (a bid
// at the deadline is late); the bidder has a paid deposit; a Ref is not
// reused. An auction or bidding bid must reach the reserve price (first
// bid) or the highest bid plus the increment; a tender offer must reach
// the reserve, is sealed, and a bidder makes one offer. Refusals are
// *BidError.
func (x *Exchange) PlaceBid(ctx context.Context, p broker.Principal, listingID string, pb PlaceBid) (Bid, error) {
	pb.Bidder, pb.Ref = textnorm.Text(pb.Bidder), textnorm.Text(pb.Ref)
	if err := CheckRequest(pb); err != nil {
		return Bid{}, bidError(listingID, pb, err)
	}
	var out Bid
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		b, err := broker.Read[book](tx, listingID)
		if notFound(err) {
			if _, err := broker.Read[Listing](tx, listingID); err != nil {
				return err
			}
			return &BidError{Reason: RejectNoBids, Detail: "the listing is not traded by auction, bidding or tender"}
		}
		if err != nil {
			return err
		}
		sealed := b.Sealed()
		bid := Bid{Meta: broker.Meta{ID: seqID(listingID, "~", b.Bids+1), Broker: b.Broker, Visibility: broker.Confidential},
			Listing: listingID, Seq: b.Bids + 1, Bidder: pb.Bidder, Ref: pb.Ref, Sealed: sealed}
		bidder := broker.TargetOf(bid)
		if !broker.Can(p, broker.ActTakePart, b.market()) || !broker.Can(p, broker.ActTakePart, bidder) {
			return &BidError{Reason: RejectNotBidder, Detail: "the principal does not act for the bidder"}
		}
		now := tx.Now()
		if err := b.Accepting(now); err != nil {
			return err
		}
		dep, _, err := depositOf(tx, listingID, pb.Bidder)
		if err != nil {
			return err
		}
		if err := b.MayBid(dep.Status); err != nil {
			return err
		}
		if id, err := firstByKey(tx, bidKey(listingID, pb.Bidder, pb.Ref)); err != nil {
			return err
		} else if id != "" {
			return &BidError{Reason: RejectDuplicate, Detail: "ref " + pb.Ref + " was used by " + id, Existing: id}
		}
		amount, err := b.Amount(pb.Amount, pb.Raise)
		if err != nil {
			return err
		}
		if sealed {
			if id, err := firstByKey(tx, offerKey(listingID, pb.Bidder)); err != nil {
				return err
			} else if id != "" {
				return &BidError{Reason: RejectDuplicate, Detail: "one sealed offer per bidder", Existing: id}
			}
		}
		bid.Amount, bid.Placed = amount, now
		b.Auction = b.Accept(amount)
		// The book first: its version check is what serializes bids, so a
		// concurrent bid fails here with the store's stale version (and is
		// retried) before it could collide on the bid's ID.
		take := broker.Via(broker.ActTakePart, bidder)
		if _, err := broker.Replace(tx, p, b, take, broker.Logged("bid", nil)); err != nil {
			return err
		}
		out, err = broker.Create(tx, p, bid, take, broker.Logged(EventBidPlaced, nil))
		return err
	})
	if err != nil {
		return Bid{}, bidError(listingID, pb, err)
	}
	return out, nil
}

// bidError completes a *BidError with the listing, bidder and amount, and
// wraps every error of PlaceBid.
func bidError(listingID string, pb PlaceBid, err error) error {
	var be *BidError
	if errors.As(err, &be) {
		be.Listing, be.Bidder = listingID, pb.Bidder
		if be.Amount.IsZero() {
			be.Amount = pb.Amount
		}
	}
	return broker.Wrap("bid", KindListing, listingID, err)
}

// PayDeposit records a bidder's deposit for a bidding listing, as confirmed
// by the exchange: the principal must confirm for the exchange
// (broker.ActConfirm: the exchange operator, platform admins), not the
// broker's desk, which does not hold the money. The amount must be at least the listing's
// Terms.Deposit; a bidder has one deposit per listing (ErrExists
// otherwise). The listing must be open for bids.
func (x *Exchange) PayDeposit(ctx context.Context, p broker.Principal, listingID, bidder string, amount decimal.Decimal, paymentRef string) (Deposit, error) {
	bidder, paymentRef = textnorm.Text(bidder), textnorm.Text(paymentRef)
	c := &broker.Check{}
	if bidder == "" {
		c.Add("bidder", "required", "", "")
	}
	c.Text("bidder", bidder, 200)
	c.Text("payment_ref", paymentRef, 200)
	c.Money("amount", amount)
	if err := c.Err(KindDeposit); err != nil {
		return Deposit{}, broker.Wrap("pay deposit", KindDeposit, listingID, err)
	}
	var out Deposit
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		l, err := broker.Read[Listing](tx, listingID)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActConfirm, l) {
			return broker.Forbidden("pay deposit", KindDeposit, listingID, "the exchange operator confirms deposits")
		}
		b, err := broker.Read[book](tx, listingID)
		if notFound(err) {
			return &broker.TransitionError{Kind: KindListing, ID: listingID, From: string(l.Status), To: string(l.Status), Reason: "the listing takes no bids, so no deposits"}
		}
		if err != nil {
			return err
		}
		now := tx.Now()
		if !b.TakesDeposits(now) {
			return &broker.TransitionError{Kind: KindListing, ID: listingID, From: string(l.StatusAt(now)), To: string(l.Status), Reason: "bidding is not open"}
		}
		if err := b.DepositCovers(amount); err != nil {
			return err
		}
		if d, ok, err := depositOf(tx, listingID, bidder); err != nil {
			return err
		} else if ok {
			return &broker.Error{Op: "pay deposit", Kind: KindDeposit, ID: d.ID, Code: broker.ErrExists, Err: errors.New("the bidder already has a deposit for this listing")}
		}
		b.Deposits++
		run := broker.Via(broker.ActConfirm, broker.TargetOf(l))
		if _, err := broker.Replace(tx, p, b, run, broker.Logged("deposit", nil)); err != nil {
			return err
		}
		d := Deposit{Meta: broker.Meta{ID: seqID(listingID, "~d", b.Deposits), Broker: l.Broker, Visibility: broker.Confidential},
			Seq: b.Deposits, Listing: listingID, Bidder: bidder, Amount: amount, Status: DepositPaid, PaymentRef: paymentRef, Paid: now}
		out, err = broker.Create(tx, p, d, run, broker.Logged(string(DepositPaid), nil))
		return err
	})
	return out, broker.Wrap("pay deposit", KindDeposit, listingID, err)
}

// RefundDeposit marks a deposit that is due for refund as refunded; the
// principal must confirm for the exchange (broker.ActConfirm), which pays it
// back.
func (x *Exchange) RefundDeposit(ctx context.Context, p broker.Principal, depositID, paymentRef string) (Deposit, error) {
	var out Deposit
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		d, err := broker.Read[Deposit](tx, depositID)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActConfirm, d) {
			return broker.Forbidden("refund", KindDeposit, depositID, "the exchange operator refunds deposits")
		}
		if d.Status != DepositRefundDue {
			return &broker.TransitionError{Kind: KindDeposit, ID: depositID, From: string(d.Status), To: string(DepositRefunded), Reason: "only a deposit due for refund can be refunded"}
		}
		run := broker.Via(broker.ActConfirm, broker.TargetOf(d))
		d.Status, d.Settled = DepositRefunded, tx.Now()
		d.PaymentRef = strings.TrimSpace(d.PaymentRef + " " + textnorm.Text(paymentRef))
		out, err = broker.Replace(tx, p, d, run, broker.Logged(string(DepositRefunded), nil))
		return err
	})
	return out, broker.Wrap("refund", KindDeposit, depositID, err)
}

// ListDeposits returns a listing's deposits, in the order they were paid:
// those the principal may read (platform admins and the broker's staff
// all, a bidder its own).
func (x *Exchange) ListDeposits(ctx context.Context, p broker.Principal, listingID string) ([]Deposit, error) {
	b, err := x.books.Get(ctx, keeper, listingID)
	if notFound(err) {
		return nil, nil // a listing without a book has no deposits
	}
	if err != nil {
		return nil, broker.Wrap("list deposits", KindDeposit, listingID, err)
	}
	all, err := children(outside(ctx, x.deposits), listingID, "~d", b.Deposits)
	if err != nil {
		return nil, broker.Wrap("list deposits", KindDeposit, listingID, err)
	}
	var out []Deposit
	for _, d := range all {
		if broker.CanDo(p, broker.ActRead, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// settleDeposits marks the listing's paid deposits: the winner's applied
// to the price, every other refund due. With no winner (a withdrawal), an
// applied deposit is due for refund too.
func settleDeposits(tx *broker.Tx, p broker.Principal, l Listing, b book, winner string, run broker.WriteOption) error {
	ds, err := children(inTx[Deposit](tx), l.ID, "~d", b.Deposits)
	if err != nil {
		return err
	}
	now := tx.Now()
	for _, d := range ds {
		if d.Status != DepositPaid && (winner != "" || d.Status != DepositApplied) {
			continue
		}
		d.Status = DepositRefundDue
		if winner != "" && d.Bidder == winner {
			d.Status = DepositApplied
		}
		d.Settled = now
		if _, err := broker.Replace(tx, p, d, run, broker.Logged(string(d.Status), nil)); err != nil {
			return err
		}
	}
	return nil
}

// ListBids returns a listing's bids in sequence order: those the principal
// may read (platform admins and the broker's staff every bid, a bidder its
// own). A tender's sealed offers are shown to nobody but their bidder (a
// principal acting for it: Principal.Org) until the tender is opened
// (CloseBidding).
func (x *Exchange) ListBids(ctx context.Context, p broker.Principal, listingID string) ([]Bid, error) {
	b, err := x.books.Get(ctx, keeper, listingID)
	if err != nil {
		return nil, broker.Wrap("list bids", KindListing, listingID, err)
	}
	sealed := b.Sealed() && b.Status == BookOpen
	all, err := children(outside(ctx, x.bids), listingID, "~", b.Bids)
	if err != nil {
		return nil, broker.Wrap("list bids", KindBid, listingID, err)
	}
	out := make([]Bid, 0, len(all))
	for _, bid := range all {
		if broker.CanDo(p, broker.ActRead, bid) && (!sealed || p.Org != "" && p.Org == bid.Bidder) {
			out = append(out, bid)
		}
	}
	return out, nil
}

// BookState is the public state of a bidding listing.
type BookState struct {
	Listing string
	Method  TradingMethod
	Status  string // open, closed or cancelled
	Closes  time.Time
	Bids    int64
	// High is the highest bid so far (auction and bidding; zero for a
	// tender until opened, and zero before the first bid).
	High decimal.Decimal
	// MinNext is the least acceptable next bid (auction and bidding) or
	// offer (tender: the reserve).
	MinNext decimal.Decimal
}

// Book returns the public state of a bidding listing's book; any principal
// that can read the listing may see it.
func (x *Exchange) Book(ctx context.Context, p broker.Principal, listingID string) (BookState, error) {
	if _, err := x.GetListing(ctx, p, listingID); err != nil {
		return BookState{}, err
	}
	b, err := x.books.Get(ctx, keeper, listingID)
	if err != nil {
		return BookState{}, broker.Wrap("book", KindListing, listingID, err)
	}
	return BookState{Listing: listingID, Method: b.Method, Status: string(b.Status), Closes: b.Closes, Bids: b.Bids,
		High: b.High, MinNext: b.MinNext()}, nil
}

// CloseBidding closes a bidding listing at or after its deadline (or after
// it expired) and opens a tender's sealed offers: the highest valid bid
// wins (on equal amounts, the earlier bid; see Winner), the listing becomes
// Awarded (or Unsold without a bid), the winner's deposit is applied to the
// price and every other deposit is marked for refund, in one transaction.
func (x *Exchange) CloseBidding(ctx context.Context, p broker.Principal, listingID string) (Listing, error) {
	var out Listing
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		l, err := broker.Read[Listing](tx, listingID)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, l) {
			return broker.Forbidden("close bidding", KindListing, listingID, "only platform admins and the handling broker's staff close bidding")
		}
		refuse := func(reason string) error {
			return &broker.TransitionError{Kind: KindListing, ID: listingID, From: string(l.Status), To: string(ListingAwarded), Reason: reason}
		}
		b, err := broker.Read[book](tx, listingID)
		if notFound(err) {
			return refuse("the listing takes no bids")
		}
		if err != nil {
			return err
		}
		now := tx.Now()
		if b.Status != BookOpen || l.Status != ListingOpen {
			return refuse("bidding is not open")
		}
		if !b.Closable(now) {
			return refuse("bidding is open until " + stamp(b.Closes))
		}
		bids, err := children(inTx[Bid](tx), listingID, "~", b.Bids)
		if err != nil {
			return err
		}
		run := broker.Via(broker.ActOperate, broker.TargetOf(l))
		b.Status = BookClosed
		if _, err := broker.Replace(tx, p, b, run, broker.Logged("closed", nil)); err != nil {
			return err
		}
		win, ok := Winner(bids, b.Reserve)
		winner, typ := "", EventListingUnsold
		ev := ListingEvent{From: ListingOpen, To: ListingUnsold}
		l.Status = ListingUnsold
		if ok {
			winner, typ = win.Bidder, EventListingAwarded
			l.Status = ListingAwarded
			l.Award = &Award{Bidder: win.Bidder, Amount: win.Amount, Bid: win.ID, Decided: now, Bids: int64(len(bids))}
			ev.To, ev.Ref = ListingAwarded, win.ID
		}
		if err := settleDeposits(tx, p, l, b, winner, run); err != nil {
			return err
		}
		out, err = broker.Replace(tx, p, l, run, broker.Logged(typ, ev))
		return err
	})
	return out, broker.Wrap("close bidding", KindListing, listingID, err)
}
