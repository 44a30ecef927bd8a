// Package driver defines the interface that storage adapters for package
// broker implement. Users do not call it: they call broker.System, which
// validates, normalizes, assigns IDs and times, checks access and wraps errors
// once, and then hands adapters plain records.
//
// # Model
//
// A store holds records and an append-only event log. A record is a document:
// its kind, its ID, a version for optimistic concurrency, a few indexed
// fields (Broker, Stage, Key, Updated) and an opaque JSON body. Adapters never
// look inside the body.
//
// Every write happens inside a transaction started by [Store.Update]; a
// transaction is all-or-nothing. A write names the version it read: creating
// a record requires that it does not exist ([ErrExists] otherwise); replacing
// or deleting one requires the stored version to equal the version named
// ([ErrConflict] otherwise, never a silent overwrite). The store assigns the
// new version (previous + 1, starting at 1) and the event sequence numbers.
//
// # Conformance
//
// Package broker/drivertest holds the conformance suite. An adapter's test
// file is a short harness plus one call to drivertest.RunConformanceTests.
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
	// ErrConflict: a write named a version that is not the stored version.
	ErrConflict = errors.New("version conflict")
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
	// Update runs fn in a read-write transaction. If fn returns an error, or
	// any write in it failed, nothing fn wrote is kept and that error is
	// returned. fn may be called more than once if the adapter retries on a
	// serialization failure, so it must not have side effects outside tx.
	Update(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// Close releases the store's resources.
	Close() error
}

// Tx is a transaction handed to the function given to Store.Update. It must
// not be used after that function returns.
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
	// ErrConflict if the version differs.
	Replace(ctx context.Context, rec Record) (int64, error)
	// Delete removes the record if its stored version equals version.
	Delete(ctx context.Context, kind, id string, version int64) error
	// Append adds an event to the log; ev.Seq is ignored and assigned at
	// commit in commit order.
	Append(ctx context.Context, ev Event) error
}

// BulkCreator is an optional interface: a store that can create many new
// records and their events faster than one Tx.Create at a time (for example
// with PostgreSQL's COPY). It must be all-or-nothing like Update. Package
// broker's Import streams to a StreamCreator when it writes in one
// transaction without merging, else uses BulkCreator, else Update.
type BulkCreator interface {
	CreateMany(ctx context.Context, recs []Record, events []Event) error
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
		if r.Kind == "" || r.ID == "" {
			return fmt.Errorf("record %d: kind and id are required", i)
		}
	}
	for i, e := range b.Events {
		if e.Kind == "" || e.RecordID == "" || e.Type == "" {
			return fmt.Errorf("event %d: kind, record id and type are required", i)
		}
	}
	return nil
}

// StreamCreator is an optional interface: a bulk creation whose records
// arrive in pieces, so that the caller prepares the next piece while the
// store writes the last one (package broker's Import does). CreateStream
// ranges over batches inside one transaction and commits when the sequence
// ends. It is all-or-nothing like Update: if the sequence yields a non-nil
// error, if ctx is done, or if any record's kind and ID is already stored
// or repeated in the stream (ErrExists), it stops ranging, writes nothing
// and returns the error. While the stream runs, other writers to the same
// store may wait; readers see nothing of it until it commits. The store
// may keep the batches' slices and bodies: the caller must not change them
// once yielded.
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
