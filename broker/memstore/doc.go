// Package memstore is the in-memory storage adapter for package broker: the
// default store, for tests, examples and single-process use.
//
// # Use
//
//	sys := broker.New(memstore.New(), nil)
//
// or, by URL, broker.Open(ctx, "mem:", nil, memstore.Opener{}). Nothing
// survives the process: use broker/sqlitestore or broker/pgstore to
// persist.
//
// # Behaviour
//
// Records and events live in maps guarded by one read-write mutex. Every
// record is copied on the way in and on the way out, so no caller can change
// stored state through a slice it holds (go-memdb hands out stored objects;
// this store does not). A transaction (driver.Update over Store.Begin)
// holds the write lock from its start to its end and buffers its writes,
// applying them at commit: transactions are all-or-nothing and
// serializable, and a stale version is driver.ErrStale. Nothing else is
// ever ErrStale: transactions run one at a time, so none is aborted for
// another's sake.
//
// Bulk creation (driver.StreamCreator, which broker's Import uses) checks
// each batch as it arrives without the lock and inserts them all under one
// write lock when the stream ends; it keeps the batches' slices and
// bodies, as the driver contract allows, rather than copying them.
package memstore
