// Package drivertest is the conformance suite every broker storage adapter
// runs (in the manner of gocloud.dev's docstore/drivertest and the standard
// library's testing/fstest), and the storage benchmarks.
//
// # Use
//
// An adapter's test file is a harness and one call:
//
//	func TestConformance(t *testing.T) {
//		drivertest.RunConformanceTests(t, func(t *testing.T) driver.Store {
//			return memstore.New()
//		})
//	}
//
//	func BenchmarkStore(b *testing.B) {
//		drivertest.RunBenchmarks(b, func(b *testing.B) driver.Store {
//			return memstore.New()
//		})
//	}
//
// The function must return a new, empty store for each call; the suite
// closes it. Optional abilities the store lacks (driver.StreamCreator,
// driver.KeyFinder) skip their subtests.
//
// # What it checks
//
// The store: not found; duplicate create; optimistic concurrency (a stale
// version gets driver.ErrStale, never a silent overwrite); no aliasing
// between caller and store; exact decimal and Chinese text round trips;
// time precision (microseconds, UTC); filters and cursor paging in ID
// order; cancelled contexts; 8 goroutines × 200 conflicting updates with
// zero lost updates; all-or-nothing transactions that read their own
// writes; the append-only event log in order; bulk creation from a stream
// of batches, all or nothing; de-duplication key lookups.
//
// The transaction, as driver.Update runs it over the store's Begin: a
// failed write poisons it (every later call returns the first error, and
// nothing is kept even if the caller ignored the error); each call checks
// its own context; a panic rolls back and gives the store back; a Tx kept
// past its end refuses every call with driver.ErrTxDone; goroutines may
// share a Tx.
//
// And, through package broker, the System on the store: validation and
// import, the platforms, every record kind, the activity platform, the
// exchange and capital (incubations that move their case atomically).
//
// # Benchmarks
//
// RunBenchmarks measures an import of 100,000 generated achievements
// (GenerateAchievementsCSV) through package broker, the adapter's bulk
// creation alone, reads, a list page, and conflicting writers.
package drivertest
