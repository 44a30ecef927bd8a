package exchange

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kexie/techbroker/broker"
)

// Record kinds of the exchange.
const (
	KindListing broker.Kind = "listing" // a listing (挂牌) on a technology exchange
	KindBid     broker.Kind = "bid"     // one bid or sealed offer on a listing
	KindDeposit broker.Kind = "deposit" // a bidder's deposit (保证金) for one listing
	KindDeal    broker.Kind = "deal"    // a closed deal (成交) with its contract
	// KindBook is a bidding listing's book, with the listing's ID: the
	// auction's terms and state, written with every bid and deposit.
	KindBook broker.Kind = "listing_book"
)

// Exchange is the technology exchange of a System: listings, bids and
// deposits, deals and the ledger. Every write goes through the System's
// transaction (broker.System.Update) and its record operations, so the
// System's validation, access policy and audit log apply to the exchange's
// records as to every other. An Exchange holds no state of its own beyond
// the System and is safe for concurrent use.
type Exchange struct {
	sys      *broker.System
	listings *broker.Library[Listing]
	books    *broker.Library[book]
	bids     *broker.Library[Bid]
	deposits *broker.Library[Deposit]
	deals    *broker.Library[Deal]
}

// New returns the exchange of sys. It makes the exchange's record kinds
// known to sys, so that organization merges and audits cover them.
func New(sys *broker.System) *Exchange {
	return &Exchange{
		sys:      sys,
		listings: broker.NewLibrary[Listing](sys),
		books:    broker.NewLibrary[book](sys),
		bids:     broker.NewLibrary[Bid](sys),
		deposits: broker.NewLibrary[Deposit](sys),
		deals:    broker.NewLibrary[Deal](sys),
	}
}

// System is the System the exchange runs on.
func (x *Exchange) System() *broker.System { return x.sys }

// keeper reads the exchange's own bookkeeping records (a listing's book,
// its bids and deposits) for the package's rules. What a call returns to
// its caller is filtered by the caller's principal through the policy.
var keeper = broker.PlatformAdmin("exchange")

// children returns the count records of type T whose IDs are
// "<listing><sep><n>": a listing's bids (sep "~") or deposits (sep "~d"),
// in ID order, which is the order of their sequence numbers. count is the
// book's counter of them, so that the pages asked for are no longer than
// the listing's own records (the store orders every listing's records
// together). A listing whose own ID extends another's with "~" does not
// capture the other's children. list is broker.List inside a transaction
// or Library.List outside one, called with keeper.
func children[T broker.Record](list func(broker.ListOptions) (broker.Page[T], error), listing, sep string, count int64) ([]T, error) {
	prefix := listing + sep
	out := make([]T, 0, min(count, 1000))
	cursor := prefix
	for int64(len(out)) < count {
		pg, err := list(broker.ListOptions{Cursor: cursor, Limit: int(min(count-int64(len(out)), 1000))})
		if err != nil {
			return nil, err
		}
		for _, v := range pg.Items {
			id := v.RecordMeta().ID
			if !strings.HasPrefix(id, prefix) {
				return out, nil
			}
			if !strings.Contains(id[len(prefix):], "~") {
				out = append(out, v)
			}
		}
		if pg.Next == "" {
			break
		}
		cursor = pg.Next
	}
	return out, nil
}

// inTx lists records of type T inside tx, for children.
func inTx[T broker.Record](tx *broker.Tx) func(broker.ListOptions) (broker.Page[T], error) {
	return func(o broker.ListOptions) (broker.Page[T], error) { return broker.List[T](tx, keeper, o) }
}

// outside lists records of type T from the store, for children.
func outside[T broker.Record](ctx context.Context, lib *broker.Library[T]) func(broker.ListOptions) (broker.Page[T], error) {
	return func(o broker.ListOptions) (broker.Page[T], error) { return lib.List(ctx, keeper, o) }
}

// checkVersion compares the version a caller read with the stored one:
// ErrInvalid when none was given, ErrStale when the record changed since.
func checkVersion(op string, kind broker.Kind, id string, named, stored int64) error {
	if named < 1 {
		return &broker.ValidationError{Kind: kind, Fields: []broker.FieldError{{Field: "version", Code: "required"}}}
	}
	if named != stored {
		return &broker.Error{Op: op, Kind: kind, ID: id, Code: broker.ErrStale,
			Err: fmt.Errorf("version %d was read, the stored version is %d", named, stored)}
	}
	return nil
}

// notFound reports whether err is the store's or the System's not found.
func notFound(err error) bool { return errors.Is(err, broker.ErrNotFound) }
