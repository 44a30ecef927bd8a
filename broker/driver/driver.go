package driver

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Errors an adapter returns. They are matched with errors.Is; an adapter may
// wrap them with more detail.
var (
	// ErrNotFound: no record of that kind and ID.
	ErrNotFound = errors.New("not found")
	// ErrExists: a create named a kind and ID that is already stored.
	ErrExists = errors.New("already exists")
	// ErrStale: a write named a version that is not the stored one, or the
	// database gave up on the transaction because another one touched the
	// same data (a serialization failure or a deadlock; each adapter
	// documents which of its database's errors it maps here). It is the one
	// store-level error worth retrying: the transaction's reads are out of
	// date, and running it again, from its first read, may succeed. Every
	// other error is final.
	ErrStale = errors.New("stale version")
	// ErrTxDone: a Tx was used after the transaction ended (Update
	// returned).
	ErrTxDone = errors.New("transaction has already been committed or rolled back")
)

// Record is one stored document. Stores copy records on the way in and out:
// a caller may change a record (or its Body) after a call without changing
// stored state.
type Record struct {
	Kind    string
	ID      string
	Version int64 // 0 before the first write; the store sets 1 on create.

	// Indexed fields, usable in a Query. Empty means "none".
	Broker string // the industry broker the record belongs to
	Stage  string // the record's status or pipeline stage
	Key    string // a de-duplication key (e.g. normalized title + owner)

	Created time.Time // set by the caller (the service's clock), UTC, microsecond precision
	Updated time.Time // set by the caller, UTC, microsecond precision

	Body []byte // JSON document; opaque to the store
}

// Event is one entry of the append-only event log.
type Event struct {
	Seq      int64     // assigned by the store; strictly increasing in commit order
	Kind     string    // kind of the record the event is about
	RecordID string    // ID of that record
	Type     string    // what happened, e.g. "created", "stage"
	Actor    string    // who did it
	Time     time.Time // when (UTC, microsecond precision)
	Body     []byte    // optional JSON detail
}

// Query selects records of one kind. Results are ordered by ID (byte-wise
// ascending); After is the cursor (the last ID of the previous page).
type Query struct {
	Kind   string // required
	Broker string // if set, Broker must equal it
	Stage  string // if set, Stage must equal it
	Key    string // if set, Key must equal it
	// UpdatedBefore, if not zero, keeps records with Updated strictly before it.
	UpdatedBefore time.Time
	After         string // return IDs strictly greater than this
	Limit         int    // maximum records to return; <= 0 means no limit
}

// EventQuery selects events. Results are in Seq order.
type EventQuery struct {
	Kind     string // if set, only events about records of this kind
	RecordID string // if set (with Kind), only events about this record
	AfterSeq int64  // only events with Seq > AfterSeq
	Limit    int    // <= 0 means no limit
}

// Store is what an adapter implements. All methods must be safe for
// concurrent use and must honour ctx cancellation (returning ctx.Err(),
// wrapped or not).
type Store interface {
	// Get returns the record, or ErrNotFound.
	Get(ctx context.Context, kind, id string) (Record, error)
	// List returns the records matching q, ordered by ID.
	List(ctx context.Context, q Query) ([]Record, error)
	// Events returns events matching q, ordered by Seq.
	Events(ctx context.Context, q EventQuery) ([]Event, error)
	// Begin starts a read-write transaction. Callers use the function
	// Update, which keeps the transaction's state; see Txn for what an
	// adapter may rely on. ctx is the transaction's context until it ends
	// (as with database/sql's BeginTx): an adapter may use it in Commit.
	Begin(ctx context.Context) (Txn, error)
	// Close releases the store's resources.
	Close() error
}

// Tx is a transaction, as the function given to Update sees it. It may be
// used from several goroutines (calls run one at a time), and not after
// Update returns (ErrTxDone).
type Tx interface {
	// Get reads a record, seeing the transaction's own writes.
	Get(ctx context.Context, kind, id string) (Record, error)
	// List is Store.List seen from inside the transaction.
	List(ctx context.Context, q Query) ([]Record, error)
	// Create stores a new record at version 1; ErrExists if kind/id exists.
	// rec.Version is ignored.
	Create(ctx context.Context, rec Record) error
	// Replace stores rec if the stored version equals rec.Version, and
	// returns the new version (rec.Version + 1). ErrNotFound if absent,
	// ErrStale if the version differs.
	Replace(ctx context.Context, rec Record) (int64, error)
	// Delete removes the record if its stored version equals version
	// (ErrNotFound if absent, ErrStale if the version differs).
	Delete(ctx context.Context, kind, id string, version int64) error
	// Append adds an event to the log; ev.Seq is ignored and assigned at
	// commit in commit order.
	Append(ctx context.Context, ev Event) error
}

// Txn is an adapter's own transaction, returned by Store.Begin: the
// methods of Tx, doing only the database's work, plus Commit and Rollback.
// The function Update is its only caller, and it guarantees that:
//
//   - calls never overlap;
//   - ctx is not done when a method is called (the database may still
//     report a cancellation that happens during the call);
//   - Create gets a record with a kind and an ID, and Append an event with
//     a kind, a record ID and a type;
//   - after a write (Create, Replace, Delete, Append) returned an error,
//     only Rollback is called: the transaction need not stay usable;
//   - exactly one of Commit and Rollback is called, once, and nothing after
//     it. Either must release what the transaction holds, even when it
//     fails.
type Txn interface {
	Tx
	// Commit makes the transaction's writes visible to everyone, all of
	// them or, with an error, none.
	Commit() error
	// Rollback discards the transaction's writes.
	Rollback() error
}

// Batch is one piece of a streamed bulk creation: new records and the
// events that go with them.
type Batch struct {
	Records []Record
	Events  []Event
}

// Check reports the first record without a kind or an ID, or event
// without a kind, a record ID or a type: what every store needs.
func (b Batch) Check() error {
	for i, r := range b.Records {
		if err := checkRecord(r); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	for i, e := range b.Events {
		if err := checkEvent(e); err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	return nil
}

func checkRecord(r Record) error {
	if r.Kind == "" || r.ID == "" {
		return errors.New("kind and id are required")
	}
	return nil
}

func checkEvent(e Event) error {
	if e.Kind == "" || e.RecordID == "" || e.Type == "" {
		return errors.New("kind, record id and type are required")
	}
	return nil
}

// StreamCreator is an optional interface: a bulk creation whose records
// arrive in pieces, so that the caller prepares the next piece while the
// store writes the last one (package broker's Import does; a bulk creation
// of records already at hand is a stream of one batch). CreateStream
// ranges over batches inside one transaction and commits when the sequence
// ends. It is all-or-nothing like Update: if the sequence yields a non-nil
// error, if ctx is done, or if any record's kind and ID is already stored
// or repeated in the stream (ErrExists), it stops ranging, writes nothing
// and returns the error. While the stream runs, other writers to the same
// store may wait; readers see nothing of it until it commits. The store
// may keep the batches' slices and bodies: the caller must not change them
// once yielded. Without it, package broker writes through Update.
type StreamCreator interface {
	CreateStream(ctx context.Context, batches iter.Seq2[Batch, error]) error
}

// KeyFinder is an optional interface: a store that looks up many
// de-duplication keys in one call. FindKeys returns, for each of keys held by
// a stored record of the kind, the smallest ID holding it; keys held by no
// record are absent. Imports use it once per block of rows; without it,
// package broker falls back to one List per key.
type KeyFinder interface {
	FindKeys(ctx context.Context, kind string, keys []string) (map[string]string, error)
}

// Change is an event of the log with the state of its record when the log
// was read: what a follower of the log (a search index kept current from
// the store) needs to apply the event.
type Change struct {
	Event
	// Record is the record the event is about as stored when the log was
	// read (possibly changed by later events as well), nil when no record
	// of that kind and ID is stored.
	Record *Record
}

// ChangeReader is an optional interface: a store that reads events and
// their records in one call. Changes returns at most limit events (all if
// limit <= 0) with Seq > after, in Seq order, each with its record's state
// read at the same point in time or later. Without it, package broker
// reads the events and then each distinct record with Get.
type ChangeReader interface {
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
}

// Waiter is an optional interface: a store that can tell a waiting
// follower that the log grew. Wait returns nil as soon as the log may hold
// an event with Seq > after (it may return early: the caller reads the log
// to see), or ctx's error when ctx is done first. Without it, package
// broker polls Events.
type Waiter interface {
	Wait(ctx context.Context, after int64) error
}
