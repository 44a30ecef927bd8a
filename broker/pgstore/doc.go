// Package pgstore is the PostgreSQL storage adapter for package broker, on
// github.com/jackc/pgx/v5 (pgxpool). Several application instances, on as
// many machines, can share one database: optimistic concurrency and
// transactions keep them consistent.
//
// # Use
//
//	store, err := pgstore.Open(ctx, "postgres://app@db.internal/broker", nil)
//	sys := broker.New(store, nil) // sys.Close closes the store
//
// or, by URL, broker.Open(ctx, "postgres://app@db.internal/broker", nil, pgstore.Opener{}).
// Options.Schema puts the tables in a schema of their own.
//
// # Layout
//
// A records table with the indexed fields as columns (kind, id, version,
// broker, stage, key, created, updated as timestamptz) and indexes for
// the broker, stage and key filters (Updated is filtered only together
// with a broker in this library, so it has no index of its own). The key
// index is a hash index, since de-duplication keys are only looked up by
// equality, and the stage index leaves out records without a stage; the
// store's queries are written so that the planner can use both, and a test
// checks their generic plans. IDs and
// the other indexed text columns use COLLATE "C", so that they compare
// byte-wise, and fast, in any database locale. The body is PostgreSQL's json type rather than
// jsonb: json validates the document and keeps its text byte for byte,
// while jsonb re-orders keys and re-formats spaces and numbers, and the
// driver contract hands back exactly the bytes it was given. SQL users can
// still query bodies with the JSON operators (body->>'title') or cast to
// jsonb (body::jsonb) in expression indexes. The events table is
// append-only (triggers refuse UPDATE, DELETE and TRUNCATE) with a
// bigserial seq. Migrations are embedded, numbered and applied once each,
// under an advisory lock so that instances starting together do not race.
//
// # Concurrency
//
// Transactions run at READ COMMITTED with explicit checks rather than at
// SERIALIZABLE: a create is INSERT … ON CONFLICT DO NOTHING (nothing
// inserted: ErrExists); a replace or delete names the version it read in
// its WHERE clause (nothing touched: ErrNotFound or ErrStale). Two
// writers of one row serialize on its row lock, and the second re-checks
// the version against the row the first committed, so no update is lost
// and the transaction runs once. Deadlocks and serialization failures
// (SQLSTATE 40P01 and 40001), should they occur, are driver.ErrStale, the
// one error the caller (package broker) may retry.
//
// Sequence numbers from a bigserial are handed out in insert order, not
// commit order: a transaction that took seq 7 may commit after one that
// took seq 8, and a reader polling "events after 6" could see 8, move its
// cursor and never see 7. So events are buffered in the transaction and
// inserted just before COMMIT while holding a transaction-level advisory
// lock (one per events table); seq order is then commit order. Writers
// that append events serialize only for that last insert and the commit.
//
// # Bulk creation
//
// CreateStream (driver.StreamCreator, used by broker's Import) copies the
// records straight into the records table with one COPY that the batches
// feed as they arrive, then the events, in one transaction (a bulk
// creation of records at hand is a stream of one batch). A duplicate kind
// and ID — stored or within the stream — violates the primary key and
// aborts the COPY: nothing is written and the error matches
// driver.ErrExists. An error yielded by the stream or a cancelled context
// also writes nothing.
package pgstore
