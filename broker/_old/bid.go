package broker

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker/driver"
)

// The book of a bidding listing (auction, bidding, tender) is a small record
// of its own, kind "listing_book", with the listing's ID: the rules (reserve,
// increment, deadline, expiry), the status, the bid counter and the current
// highest bid. Every bid is a record of its own (kind "bid", ID
// "<listing>~<10-digit seq>") written in one transaction with the book, so
// concurrent bids are serialized by the store: each gets the next sequence
// number, none is lost, and a stale read is retried, never overwritten.
// Deposits are records too (kind "deposit", ID "<listing>~d<hash of the
// bidder>", so that a bid finds its bidder's deposit with one Get).

type bookStatus string

const (
	bookOpen      bookStatus = "open"
	bookClosed    bookStatus = "closed"
	bookCancelled bookStatus = "cancelled"
)

type book struct {
	ID         string          `json:"id"`
	Version    int64           `json:"-"`
	Broker     string          `json:"broker,omitempty"`
	Method     TradingMethod   `json:"method"`
	Reserve    decimal.Decimal `json:"reserve"`
	Increment  decimal.Decimal `json:"increment"`
	Deposit    decimal.Decimal `json:"deposit"`
	Closes     time.Time       `json:"closes"`
	Expires    time.Time       `json:"expires"`
	Status     bookStatus      `json:"status"`
	Seq        int64           `json:"seq"`
	DepSeq     int64           `json:"dep_seq,omitempty"`
	High       decimal.Decimal `json:"high"`
	HighBidder string          `json:"high_bidder,omitempty"`
	HighBid    string          `json:"high_bid,omitempty"`
}

func (s *System) createBookTx(ctx context.Context, tx driver.Tx, l Listing) error {
	b := book{ID: l.ID, Broker: l.Broker, Method: l.Terms.Method, Reserve: l.Terms.Price, Increment: l.Terms.Increment,
		Deposit: l.Terms.Deposit, Closes: l.Closes, Expires: l.Expires, Status: bookOpen}
	body := b.appendJSON(nil)
	now := s.now()
	err := tx.Create(ctx, driver.Record{Kind: string(kindBook), ID: l.ID, Broker: l.Broker, Stage: string(bookOpen), Created: now, Updated: now, Body: body})
	if errors.Is(err, ErrExists) {
		// A book left by an earlier publication of the same ID: replace it.
		old, err := s.bookTx(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		b.Version = old.Version
		return s.writeBookTx(ctx, tx, &b)
	}
	return err
}

func (s *System) bookTx(ctx context.Context, tx driver.Tx, id string) (book, error) {
	rec, err := tx.Get(ctx, string(kindBook), id)
	if err != nil {
		return book{}, err
	}
	b, ok := s.exchange.get(id, rec.Body)
	if !ok {
		if err := decode(rec.Body, &b); err != nil {
			return book{}, err
		}
		s.exchange.put(id, rec.Body, b)
	}
	b.Version = rec.Version
	return b, nil
}

func (s *System) writeBookTx(ctx context.Context, tx driver.Tx, b *book) error {
	body := b.appendJSON(make([]byte, 0, 512))
	now := s.now()
	ver, err := tx.Replace(ctx, driver.Record{Kind: string(kindBook), ID: b.ID, Version: b.Version, Broker: b.Broker, Stage: string(b.Status), Updated: now, Body: body})
	if err != nil {
		return err
	}
	b.Version = ver
	s.exchange.put(b.ID, body, *b)
	return nil
}

// Bid is one bid (auction, bidding) or sealed offer (tender) on a listing.
// Seq orders the bids of a listing in the order the store accepted them.
type Bid struct {
	Meta
	Listing string          `json:"listing"`
	Seq     int64           `json:"seq"`
	Bidder  string          `json:"bidder"`
	Amount  decimal.Decimal `json:"amount"`
	Ref     string          `json:"ref,omitempty"`
	Placed  time.Time       `json:"placed"`
	Sealed  bool            `json:"sealed,omitempty"`
}

func (Bid) kind() Kind                      { return KindBid }
func (b Bid) getMeta() Meta                 { return b.Meta }
func (b Bid) withMeta(m Meta) Bid           { b.Meta = m; return b }
func (b Bid) stage() string                 { return "" }
func (b Bid) dedupKey() string              { return bidKey(b.Listing, b.Bidder, b.Ref) }
func (b Bid) ownerOrgs() []string           { return []string{b.Bidder} }
func (b Bid) redactFor(Principal) Bid       { return b }
func (b Bid) normalized() Bid               { return b }
func (b Bid) check(*checker, *System)       {}
func (Bid) columns() map[string]setter[Bid] { return nil }

func bidKey(listing, bidder, ref string) string {
	if ref == "" {
		return ""
	}
	return "bid:" + listing + "\x1f" + bidder + "\x1f" + ref
}

func offerKey(listing, bidder string) string { return "offer:" + listing + "\x1f" + bidder }

func bidID(listing string, seq int64) string {
	b := make([]byte, 0, len(listing)+11)
	b = append(b, listing...)
	b = append(b, '~')
	n := strconv.AppendInt(nil, seq, 10)
	for i := len(n); i < 10; i++ {
		b = append(b, '0')
	}
	return string(append(b, n...))
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

// Deposit is a bidder's deposit (保证金) for one listing.
type Deposit struct {
	Meta
	Seq        int64           `json:"seq"` // 1, 2, ... in the order deposits were paid
	Listing    string          `json:"listing"`
	Bidder     string          `json:"bidder"`
	Amount     decimal.Decimal `json:"amount"`
	Status     DepositStatus   `json:"status"`
	PaymentRef string          `json:"payment_ref,omitempty"`
	Paid       time.Time       `json:"paid"`
	Settled    time.Time       `json:"settled,omitzero"`
}

func (Deposit) kind() Kind                          { return KindDeposit }
func (d Deposit) getMeta() Meta                     { return d.Meta }
func (d Deposit) withMeta(m Meta) Deposit           { d.Meta = m; return d }
func (d Deposit) stage() string                     { return string(d.Status) }
func (d Deposit) dedupKey() string                  { return depositKey(d.Listing, d.Bidder) }
func (d Deposit) ownerOrgs() []string               { return []string{d.Bidder} }
func (d Deposit) redactFor(Principal) Deposit       { return d }
func (d Deposit) normalized() Deposit               { return d }
func (d Deposit) check(*checker, *System)           {}
func (Deposit) columns() map[string]setter[Deposit] { return nil }

func depositKey(listing, bidder string) string { return "dep:" + listing + "\x1f" + bidder }

// depositID is the ID of a bidder's deposit for a listing:
// "<listing>~d<32 hex digits of SHA-256 of the bidder>", so a bid finds the
// deposit with one Get.
func depositID(listing, bidder string) string {
	h := sha256.Sum256([]byte(bidder))
	return listing + "~d" + hex.EncodeToString(h[:16])
}

// ErrBidRejected is matched (errors.Is) by every refused bid, together with
// the sentinel of its class (see BidError).
var ErrBidRejected = errors.New("bid rejected")

// BidRejection says why a bid was refused.
type BidRejection string

// Bid rejections. Their sentinels: BelowReserve and Malformed are
// ErrInvalid; NoDeposit and NotBidder are ErrForbidden; Duplicate is
// ErrExists; the rest (the listing's state, or a higher bid that got there
// first) are ErrConflict.
const (
	RejectBelowReserve   BidRejection = "below_reserve"   // less than the reserve price
	RejectBelowIncrement BidRejection = "below_increment" // less than the highest bid plus the increment
	RejectClosed         BidRejection = "closed"          // at or after the deadline, or bidding closed
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

func (e *BidError) Error() string {
	msg := fmt.Sprintf("bid by %q on %s rejected: %s", e.Bidder, e.Listing, e.Reason)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is matches ErrBidRejected and the rejection's class sentinel.
func (e *BidError) Is(target error) bool {
	if target == ErrBidRejected {
		return true
	}
	switch e.Reason {
	case RejectBelowReserve, RejectMalformed:
		return target == ErrInvalid
	case RejectNoDeposit, RejectNotBidder:
		return target == ErrForbidden
	case RejectDuplicate:
		return target == ErrExists
	}
	return target == ErrConflict
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

// PlaceBid places a bid on a listing's book. The principal must act for the
// bidder (an enterprise or institution whose Org is the bidder), or run the
// listing (platform admins, the broker's staff) on the bidder's behalf.
//
// Rules: the listing takes bids (auction, bidding, tender), is open, not
// withdrawn or expired, and the deadline has not come (a bid at the
// deadline is late); the bidder has a paid deposit; a Ref is not reused. An
// auction or bidding bid must reach the reserve price (first bid) or the
// highest bid plus the increment; a tender offer must reach the reserve, is
// sealed, and a bidder makes one offer. Refusals are *BidError.
func (s *System) PlaceBid(ctx context.Context, p Principal, listingID string, pb PlaceBid) (Bid, error) {
	pb.Bidder, pb.Ref = normText(pb.Bidder), normText(pb.Ref)
	rej := func(r BidRejection, detail string) error {
		return wrap("bid", KindListing, listingID, &BidError{Listing: listingID, Bidder: pb.Bidder, Amount: pb.Amount, Reason: r, Detail: detail})
	}
	switch {
	case pb.Bidder == "" || len(pb.Bidder) > 600:
		return Bid{}, rej(RejectMalformed, "a bidder is required")
	case len(pb.Ref) > 64:
		return Bid{}, rej(RejectMalformed, "ref longer than 64 bytes")
	case !saneDecimal(pb.Amount, 2) || pb.Amount.Sign() < 0 || pb.Amount.GreaterThan(maxMoney):
		return Bid{}, rej(RejectMalformed, "amount must be yuan with at most 2 decimal places, 0–1万亿")
	case pb.Amount.IsZero() && (pb.Raise < 1 || pb.Raise > 1000):
		return Bid{}, rej(RejectMalformed, "give an amount or a raise of 1–1000 increments")
	}
	actsFor := (p.Role == RoleEnterprise || p.Role == RoleInstitution) && p.Org != "" && p.Org == pb.Bidder
	var out Bid
	err := s.bidRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		b, err := s.bookTx(ctx, tx, listingID)
		if errors.Is(err, ErrNotFound) {
			if _, lerr := tx.Get(ctx, string(KindListing), listingID); lerr != nil {
				return lerr
			}
			return &BidError{Reason: RejectNoBids, Detail: "the listing is not traded by auction, bidding or tender"}
		}
		if err != nil {
			return err
		}
		if !actsFor && p.Role != RolePlatformAdmin && !(p.Role == RoleBrokerStaff && p.Broker != "" && p.Broker == b.Broker) {
			return &BidError{Reason: RejectNotBidder, Detail: "the principal does not act for the bidder"}
		}
		now := s.now()
		switch {
		case b.Status == bookCancelled:
			return &BidError{Reason: RejectWithdrawn}
		case b.Status == bookClosed:
			return &BidError{Reason: RejectClosed, Detail: "bidding is closed"}
		case !now.Before(b.Expires):
			return &BidError{Reason: RejectExpired, Detail: "the listing expired " + b.Expires.Format(time.RFC3339)}
		case !now.Before(b.Closes):
			return &BidError{Reason: RejectClosed, Detail: "the deadline was " + b.Closes.Format(time.RFC3339)}
		}
		dep, err := tx.Get(ctx, string(KindDeposit), depositID(listingID, pb.Bidder))
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err != nil || dep.Stage != string(DepositPaid) {
			return &BidError{Reason: RejectNoDeposit, Detail: "a paid deposit of " + b.Deposit.StringFixed(2) + " yuan is required"}
		}
		if k := bidKey(listingID, pb.Bidder, pb.Ref); k != "" {
			dup, err := tx.List(ctx, driver.Query{Kind: string(KindBid), Key: k, Limit: 1})
			if err != nil {
				return err
			}
			if len(dup) > 0 {
				return &BidError{Reason: RejectDuplicate, Detail: "ref " + pb.Ref + " was used by " + dup[0].ID, Existing: dup[0].ID}
			}
		}
		amount := pb.Amount
		sealed := b.Method == MethodTender
		if sealed {
			if amount.IsZero() {
				return &BidError{Reason: RejectMalformed, Detail: "a sealed offer needs an amount"}
			}
			dup, err := tx.List(ctx, driver.Query{Kind: string(KindBid), Key: offerKey(listingID, pb.Bidder), Limit: 1})
			if err != nil {
				return err
			}
			if len(dup) > 0 {
				return &BidError{Reason: RejectDuplicate, Detail: "one sealed offer per bidder", Existing: dup[0].ID}
			}
			if amount.LessThan(b.Reserve) {
				return &BidError{Reason: RejectBelowReserve, Minimum: b.Reserve, Detail: "the reserve price is " + b.Reserve.StringFixed(2)}
			}
		} else {
			min := b.Reserve
			if b.Seq > 0 {
				min = b.High.Add(b.Increment)
			}
			if amount.IsZero() {
				amount = min.Add(b.Increment.Mul(decimal.NewFromInt(int64(pb.Raise - 1))))
			}
			if amount.LessThan(min) {
				r := RejectBelowIncrement
				if b.Seq == 0 {
					r = RejectBelowReserve
				}
				return &BidError{Reason: r, Minimum: min, Detail: "the least acceptable bid is " + min.StringFixed(2)}
			}
			if amount.GreaterThan(maxMoney) {
				return &BidError{Reason: RejectMalformed, Detail: "amount above 1万亿"}
			}
		}
		b.Seq++
		bid := Bid{Meta: Meta{ID: bidID(listingID, b.Seq), Broker: b.Broker, Visibility: Confidential, Created: now, Updated: now,
			Provenance: Provenance{AddedBy: p.ID}}, Listing: listingID, Seq: b.Seq, Bidder: pb.Bidder, Amount: amount, Ref: pb.Ref, Placed: now, Sealed: sealed}
		rec := driver.Record{Kind: string(KindBid), ID: bid.ID, Broker: b.Broker, Key: bid.dedupKey(), Created: now, Updated: now,
			Body: bid.appendJSON(make([]byte, 0, 512))}
		if sealed {
			rec.Key = offerKey(listingID, pb.Bidder) // one offer per bidder; a tender ignores Ref keys
		}
		// The book first: its version check is what serializes bids, so
		// a concurrent bid fails here with ErrConflict (and is retried)
		// before it could collide on the bid's ID.
		if !sealed {
			b.High, b.HighBidder, b.HighBid = amount, pb.Bidder, bid.ID
		}
		if err := s.writeBookTx(ctx, tx, &b); err != nil {
			return err
		}
		if err := tx.Create(ctx, rec); err != nil {
			if errors.Is(err, ErrExists) {
				return ErrConflict // another bid took this sequence number
			}
			return err
		}
		if err := tx.Append(ctx, driver.Event{Kind: string(KindBid), RecordID: bid.ID, Type: "placed", Actor: p.ID, Time: now}); err != nil {
			return err
		}
		bid.Version = 1
		out = bid
		return nil
	})
	if err != nil {
		var be *BidError
		if errors.As(err, &be) {
			be.Listing, be.Bidder = listingID, pb.Bidder
			if be.Amount.IsZero() {
				be.Amount = pb.Amount
			}
		}
		return Bid{}, wrap("bid", KindListing, listingID, err)
	}
	return out, nil
}

func (s *System) bidLib() *Library[Bid]         { return &Library[Bid]{s: s} }
func (s *System) depositLib() *Library[Deposit] { return &Library[Deposit]{s: s} }

// PayDeposit records a bidder's deposit for a bidding listing, as confirmed
// by the exchange: the principal must run the listing. The amount must be at
// least the listing's Terms.Deposit; a bidder has one deposit per listing
// (ErrExists otherwise). The listing must be open for bids.
func (s *System) PayDeposit(ctx context.Context, p Principal, listingID, bidder string, amount decimal.Decimal, paymentRef string) (Deposit, error) {
	bidder, paymentRef = normText(bidder), normText(paymentRef)
	c := &checker{}
	if bidder == "" {
		c.add("bidder", "required", "", "")
	}
	checkText(c, "bidder", bidder, 200)
	checkText(c, "payment_ref", paymentRef, 200)
	checkMoney(c, "amount", amount)
	if err := c.err(KindDeposit); err != nil {
		return Deposit{}, wrap("pay deposit", KindDeposit, listingID, err)
	}
	var out Deposit
	err := s.bidRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		l, err := s.listingTx(ctx, tx, listingID)
		if err != nil {
			return err
		}
		if !p.canRunListing(l) {
			return forbidden("pay deposit", KindDeposit, listingID, "only platform admins and the handling broker's staff confirm deposits")
		}
		b, err := s.bookTx(ctx, tx, listingID)
		if errors.Is(err, ErrNotFound) {
			return &TransitionError{Kind: KindListing, ID: listingID, From: string(l.Status), To: string(l.Status), Reason: "the listing takes no bids, so no deposits"}
		}
		if err != nil {
			return err
		}
		if b.Status != bookOpen || !s.now().Before(b.Closes) || !s.now().Before(b.Expires) {
			return &TransitionError{Kind: KindListing, ID: listingID, From: string(l.StatusAt(s.now())), To: string(l.Status), Reason: "bidding is not open"}
		}
		if amount.LessThan(b.Deposit) {
			return &ValidationError{Kind: KindDeposit, Fields: []FieldError{{Field: "amount", Code: "min", Param: b.Deposit.StringFixed(2), Value: amount.String()}}}
		}
		id := depositID(listingID, bidder)
		if _, err := tx.Get(ctx, string(KindDeposit), id); err == nil {
			return &Error{Op: "pay deposit", Kind: KindDeposit, ID: id, Code: ErrExists, Err: errors.New("the bidder already has a deposit for this listing")}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		b.DepSeq++
		now := s.now()
		d := Deposit{Seq: b.DepSeq, Meta: Meta{ID: id, Broker: l.Broker, Visibility: Confidential, Created: now, Updated: now, Provenance: Provenance{AddedBy: p.ID}},
			Listing: listingID, Bidder: bidder, Amount: amount, Status: DepositPaid, PaymentRef: paymentRef, Paid: now}
		if err := s.depositLib().createTx(ctx, tx, p, d, "paid"); err != nil {
			return err
		}
		if err := s.writeBookTx(ctx, tx, &b); err != nil {
			return err
		}
		d.Version = 1
		out = d
		return nil
	})
	if err != nil {
		return Deposit{}, wrap("pay deposit", KindDeposit, listingID, err)
	}
	return out, nil
}

// RefundDeposit marks a deposit that is due for refund as refunded.
func (s *System) RefundDeposit(ctx context.Context, p Principal, depositID, paymentRef string) (Deposit, error) {
	var out Deposit
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		rec, err := tx.Get(ctx, string(KindDeposit), depositID)
		if err != nil {
			return err
		}
		d, err := s.depositLib().decodeRecord(rec)
		if err != nil {
			return err
		}
		if !p.canRunListing(Listing{Meta: Meta{Broker: d.Broker}}) {
			return forbidden("refund", KindDeposit, depositID, "only platform admins and the handling broker's staff refund deposits")
		}
		if d.Status != DepositRefundDue {
			return &TransitionError{Kind: KindDeposit, ID: depositID, From: string(d.Status), To: string(DepositRefunded), Reason: "only a deposit due for refund can be refunded"}
		}
		d.Status, d.Settled = DepositRefunded, s.now()
		d.PaymentRef = strings.TrimSpace(d.PaymentRef + " " + normText(paymentRef))
		out, err = s.depositLib().replaceTx(ctx, tx, p, d, string(DepositRefunded))
		return err
	})
	if err != nil {
		return Deposit{}, wrap("refund", KindDeposit, depositID, err)
	}
	return out, nil
}

// scanPrefix returns the records of kind whose IDs start with prefix, in ID
// order (IDs sharing a prefix are contiguous in byte order).
func scanPrefix(ctx context.Context, list func(context.Context, driver.Query) ([]driver.Record, error), kind Kind, prefix string) ([]driver.Record, error) {
	var out []driver.Record
	after := prefix
	for {
		recs, err := list(ctx, driver.Query{Kind: string(kind), After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if !strings.HasPrefix(r.ID, prefix) {
				return out, nil
			}
			out = append(out, r)
		}
		if len(recs) < 1000 {
			return out, nil
		}
		after = recs[len(recs)-1].ID
	}
}

// scanChildren returns a listing's bids or deposits: the records of kind
// with IDs "<listing>~<number>" (a listing whose own ID contains "~" does
// not capture the children of another).
func scanChildren(ctx context.Context, list func(context.Context, driver.Query) ([]driver.Record, error), kind Kind, listing string) ([]driver.Record, error) {
	recs, err := scanPrefix(ctx, list, kind, listing+"~")
	if err != nil {
		return nil, err
	}
	out := recs[:0]
	for _, r := range recs {
		if !strings.Contains(r.ID[len(listing)+1:], "~") {
			out = append(out, r)
		}
	}
	return out, nil
}

// ListDeposits returns a listing's deposits, in the order they were paid.
// Platform admins and the broker's staff see all; a bidder sees its own.
func (s *System) ListDeposits(ctx context.Context, p Principal, listingID string) ([]Deposit, error) {
	recs, err := scanChildren(ctx, s.store.List, KindDeposit, listingID)
	if err != nil {
		return nil, wrap("list deposits", KindDeposit, listingID, err)
	}
	var out []Deposit
	for _, r := range recs {
		d, err := s.depositLib().decodeRecord(r)
		if err != nil {
			return nil, wrap("list deposits", KindDeposit, r.ID, err)
		}
		if p.canRunListing(Listing{Meta: Meta{Broker: d.Broker}}) || (p.Org != "" && p.Org == d.Bidder && !p.anonymous()) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Deposit) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// settleDepositsTx marks the listing's paid deposits: the winner's applied
// to the price, every other refund due. With no winner (a withdrawal), an
// applied deposit is due for refund too.
func (s *System) settleDepositsTx(ctx context.Context, tx driver.Tx, p Principal, l Listing, winner string) error {
	recs, err := scanChildren(ctx, tx.List, KindDeposit, l.ID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, r := range recs {
		if r.Stage != string(DepositPaid) && (winner != "" || r.Stage != string(DepositApplied)) {
			continue
		}
		d, err := s.depositLib().decodeRecord(r)
		if err != nil {
			return err
		}
		d.Status = DepositRefundDue
		if winner != "" && d.Bidder == winner {
			d.Status = DepositApplied
		}
		d.Settled = now
		if _, err := s.depositLib().replaceTx(ctx, tx, p, d, string(d.Status)); err != nil {
			return err
		}
	}
	return nil
}

// ListBids returns a listing's bids in sequence order. Platform admins and
// the broker's staff see every bid, a bidder its own; a tender's sealed
// offers are shown to nobody but their bidder until the tender is opened
// (CloseBidding).
func (s *System) ListBids(ctx context.Context, p Principal, listingID string) ([]Bid, error) {
	rec, err := s.store.Get(ctx, string(kindBook), listingID)
	if err != nil {
		return nil, wrap("list bids", KindListing, listingID, err)
	}
	var b book
	if err := decode(rec.Body, &b); err != nil {
		return nil, wrap("list bids", KindListing, listingID, err)
	}
	staff := p.canRunListing(Listing{Meta: Meta{Broker: b.Broker}})
	sealed := b.Method == MethodTender && b.Status == bookOpen
	recs, err := scanChildren(ctx, s.store.List, KindBid, listingID)
	if err != nil {
		return nil, wrap("list bids", KindBid, listingID, err)
	}
	out := make([]Bid, 0, len(recs))
	for _, r := range recs {
		bid, err := s.bidLib().decodeRecord(r)
		if err != nil {
			return nil, wrap("list bids", KindBid, r.ID, err)
		}
		own := !p.anonymous() && p.Org != "" && p.Org == bid.Bidder
		if own || (staff && !sealed) {
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
func (s *System) Book(ctx context.Context, p Principal, listingID string) (BookState, error) {
	if _, err := s.GetListing(ctx, p, listingID); err != nil {
		return BookState{}, err
	}
	rec, err := s.store.Get(ctx, string(kindBook), listingID)
	if err != nil {
		return BookState{}, wrap("book", KindListing, listingID, err)
	}
	var b book
	if err := decode(rec.Body, &b); err != nil {
		return BookState{}, wrap("book", KindListing, listingID, err)
	}
	st := BookState{Listing: listingID, Method: b.Method, Status: string(b.Status), Closes: b.Closes, Bids: b.Seq, MinNext: b.Reserve}
	if b.Method != MethodTender {
		st.High = b.High
		if b.Seq > 0 {
			st.MinNext = b.High.Add(b.Increment)
		}
	}
	return st, nil
}

// CloseBidding closes a bidding listing at or after its deadline (or after
// it expired) and opens a tender's sealed offers: the highest valid bid
// wins (on equal amounts, the earlier bid), the listing becomes Awarded (or
// Unsold without a bid), the winner's deposit is applied to the price and
// every other deposit is marked for refund, in one transaction.
func (s *System) CloseBidding(ctx context.Context, p Principal, listingID string) (Listing, error) {
	var out Listing
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		l, err := s.listingTx(ctx, tx, listingID)
		if err != nil {
			return err
		}
		if !p.canRunListing(l) {
			return forbidden("close bidding", KindListing, listingID, "only platform admins and the handling broker's staff close bidding")
		}
		b, err := s.bookTx(ctx, tx, listingID)
		if errors.Is(err, ErrNotFound) {
			return &TransitionError{Kind: KindListing, ID: listingID, From: string(l.Status), To: string(ListingAwarded), Reason: "the listing takes no bids"}
		}
		if err != nil {
			return err
		}
		now := s.now()
		if b.Status != bookOpen || l.Status != ListingOpen {
			return &TransitionError{Kind: KindListing, ID: listingID, From: string(l.Status), To: string(ListingAwarded), Reason: "bidding is not open"}
		}
		if now.Before(b.Closes) && now.Before(b.Expires) {
			return &TransitionError{Kind: KindListing, ID: listingID, From: string(l.Status), To: string(ListingAwarded), Reason: "bidding is open until " + b.Closes.Format(time.RFC3339)}
		}
		recs, err := scanChildren(ctx, tx.List, KindBid, listingID)
		if err != nil {
			return err
		}
		var win *Bid
		for _, r := range recs {
			bid, err := s.bidLib().decodeRecord(r)
			if err != nil {
				return err
			}
			if bid.Amount.LessThan(b.Reserve) {
				continue
			}
			if win == nil || bid.Amount.GreaterThan(win.Amount) || (bid.Amount.Equal(win.Amount) && bid.Seq < win.Seq) {
				bid := bid
				win = &bid
			}
		}
		b.Status = bookClosed
		if err := s.writeBookTx(ctx, tx, &b); err != nil {
			return err
		}
		winner := ""
		ev := ListingEvent{From: ListingOpen}
		if win != nil {
			winner = win.Bidder
			l.Status = ListingAwarded
			l.Award = &Award{Bidder: win.Bidder, Amount: win.Amount, Bid: win.ID, Decided: now, Bids: int64(len(recs))}
			ev.To, ev.Ref = ListingAwarded, win.ID
		} else {
			l.Status = ListingUnsold
			ev.To = ListingUnsold
		}
		if err := s.settleDepositsTx(ctx, tx, p, l, winner); err != nil {
			return err
		}
		typ := EventListingAwarded
		if win == nil {
			typ = EventListingUnsold
		}
		if err := s.writeListingTx(ctx, tx, p, &l, typ, ev); err != nil {
			return err
		}
		out = l
		return nil
	})
	if err != nil {
		return Listing{}, wrap("close bidding", KindListing, listingID, err)
	}
	return out, nil
}

// bidRetry runs fn in a store transaction and runs it again, up to 50
// times, when the store reports a bare version conflict (another writer
// changed a record fn read: with optimistic stores such as PostgreSQL
// concurrent bids meet here). Domain refusals (*BidError,
// *TransitionError, *Error) are returned at once.
func (s *System) bidRetry(ctx context.Context, fn func(context.Context, driver.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := driver.Update(ctx, s.store, fn)
		if err == nil || attempt >= 49 || !errors.Is(err, ErrConflict) || ctx.Err() != nil {
			return err
		}
		var be *BidError
		var te *TransitionError
		var e *Error
		if errors.As(err, &be) || errors.As(err, &te) || errors.As(err, &e) {
			return err
		}
	}
}
