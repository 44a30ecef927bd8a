// Package sqlitestore is the embedded storage adapter for package broker:
// one SQLite file, on modernc.org/sqlite (pure Go, no cgo). Use it for a
// single application process (or a few on one machine) that must keep its
// data; use broker/pgstore when several machines share the data.
//
// # Use
//
//	store, err := sqlitestore.Open("data/broker.db", nil)
//	sys := broker.New(store, nil) // sys.Close closes the store
//
// or, by URL, broker.Open(ctx, "sqlite:data/broker.db", nil, sqlitestore.Opener{}).
//
// # Layout
//
// A records table (kind, id, version, broker, stage, key, created,
// updated, body) with its primary key on (kind, id) and indexes for the
// broker, stage and key filters, ordered by ID (the de-duplication key's
// index holds the key alone: keys are hashes, and queries on one name the
// index; Updated has no index of its own: the library filters on it only
// together with a broker); an events table whose seq is an
// AUTOINCREMENT key; and schema_migrations. The migrations are embedded in
// the binary, numbered, and each is applied once, in a transaction with
// its schema_migrations row. Times are integer microseconds since the
// epoch, UTC. Bodies are stored byte for byte.
//
// # Concurrency
//
// The database runs in WAL mode: readers (a pool of read-only connections)
// never wait for the writer. All writes of a Store go through one
// connection, one transaction at a time, begun with BEGIN IMMEDIATE; so
// writers of one Store queue in Go instead of failing with SQLITE_BUSY, and
// a second process on the same file waits up to the busy timeout for the
// lock. Optimistic concurrency is a version check in the UPDATE's WHERE
// clause: a stale version is driver.ErrStale, never an overwrite. Nothing
// else is ErrStale: with one writer no transaction is aborted for
// another's sake, and SQLITE_BUSY (another process holding the lock past
// the busy timeout) is returned as it is. Event sequence numbers are
// assigned inside the single writer's transaction, so they are in commit
// order.
//
// Bulk creation (driver.StreamCreator, which broker's Import uses) writes
// each batch of a stream with multi-row INSERTs as it arrives, inside one
// transaction, so the caller prepares the next batch while SQLite writes.
// The writer connection does not checkpoint the WAL itself: after a commit
// a goroutine of the Store runs a PASSIVE checkpoint on a read connection
// (at most every 200 ms), so a commit, a big import's above all, returns
// without waiting for its pages to be copied into the database file.
// Close waits for a checkpoint under way; closing the last connection
// checkpoints the rest.
//
// # Durability
//
// A transaction is all-or-nothing across a crash of the process (kill -9)
// or of the machine: SQLite's WAL guarantees it, and the tests kill a
// process in the middle of an import to check. With the default
// synchronous=NORMAL a transaction committed just before a power failure
// may be lost (never half-kept); Options.Synchronous "FULL" makes every
// commit durable at the cost of an fsync per commit.
package sqlitestore
