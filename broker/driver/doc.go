// Package driver defines the interface that storage adapters for package
// broker implement, and the transaction bookkeeping they share. Users do
// not call it: they call broker.System, which validates, normalizes,
// assigns IDs and times, checks access and wraps errors once, and then
// hands adapters plain records.
//
// The shape is database/sql's: a narrow interface for adapters (Store and
// its Txn, like database/sql/driver's Conn and Tx) under one function that
// owns a transaction's state (Update, like database/sql's Tx).
//
// # Model
//
// A store holds records and an append-only event log. A record is a
// document: its kind, its ID, a version for optimistic concurrency, a few
// indexed fields (Broker, Stage, Key, Updated) and an opaque JSON body.
// Adapters never look inside the body. Reads outside a transaction go to
// Store.Get, Store.List and Store.Events.
//
// # Transactions
//
// Every write happens inside a transaction run by Update, and a
// transaction is all-or-nothing. A write names the version it read:
// creating a record requires that it does not exist (ErrExists otherwise);
// replacing or deleting one requires the stored version to equal the
// version named (ErrStale otherwise, never a silent overwrite). The store
// assigns the new version (previous + 1, starting at 1) and the event
// sequence numbers.
//
// Update keeps what every adapter would otherwise repeat: it checks the
// context before each call, poisons the transaction when a write fails (so
// that a transaction whose write failed never commits, even if the caller
// ignored the error), refuses use after the end (ErrTxDone), and rolls back
// on an error or a panic. Adapters implement Store.Begin and a Txn that does
// the database's work only.
//
// # Errors and retries
//
// ErrNotFound, ErrExists and ErrStale are the sentinels every adapter
// returns, matched with errors.Is. ErrStale is the one retryable error: a
// stale version named by a write, or a transaction the database aborted
// because another touched the same data (each adapter documents which of
// its errors it maps to ErrStale). Update never retries: a caller that
// runs a transaction again (package broker does) should do so on ErrStale
// only, never on any other error and never on a refusal of its own rules.
//
// # Optional abilities
//
// A store may also implement StreamCreator (bulk creation in one
// transaction from a stream of batches; a bulk creation of records already
// at hand is a stream of one batch) and KeyFinder (many de-duplication
// keys in one lookup). Package broker falls back to Update and List
// without them.
//
// # Conformance
//
// Package broker/drivertest holds the conformance suite. An adapter's test
// file is a short harness plus one call to drivertest.RunConformanceTests.
package driver
