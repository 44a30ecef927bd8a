// Package textindex is an in-memory inverted index with BM25 ranking over
// several fields, built for Chinese and mixed-script technical text.
//
// # Model
//
// An [Index] has named fields with boosts (for example title ×2,
// keywords ×1.5, abstract ×1). Each field is scored with Okapi BM25
// (Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and
// Beyond", 2009):
//
//	score(d, q) = Σ_f boost_f · Σ_t w_t · idf_f(t) · tf·(k1+1) / (tf + k1·(1 − b + b·len_f(d)/avglen_f))
//	idf_f(t)    = ln(1 + (N − df_f(t) + 0.5) / (df_f(t) + 0.5))
//
// where avglen_f is the true mean length of field f over the live
// documents (kept exactly under adds, updates and deletes), w_t is the
// query weight of term t (its count in the query text by default) and k1
// and b are options of the index, not global settings.
//
// # Retrieval
//
// Top-k retrieval uses MaxScore dynamic pruning (Turtle and Flood 1995, in
// the windowed form Lucene uses): terms whose summed upper bounds cannot
// lift a document above the current k-th score are not iterated; they are
// only probed, through block skips, for documents that the other terms
// make competitive. Results equal exhaustive scoring (same documents, same
// scores up to floating-point rounding; ties broken by insertion order).
// [Stats] reports how many postings a query decoded.
//
// # Updates
//
// [Index.Put] adds or replaces a document, [Index.Delete] removes one.
// [Index.PutBatch] adds many in order, as Put would, but on all cores (use
// it for bulk loads): documents go in windows of up to 8,192; all
// goroutines analyze a window's documents (analysis.Analyzer.AppendKeys:
// terms as packed runes, no token strings), looking each term up in the
// dictionary as they count it, then each appends the postings of its
// share of the posting lists, sorted by list so that each list is
// extended once per window and whole blocks are packed straight away,
// while the next window is analyzed.
// Deleted documents are masked at once; their postings are dropped, and
// document frequencies and the N of idf (which count deleted documents in
// the meantime) become exact again, when the index compacts itself
// (once a quarter of the documents are deleted) or on [Index.Compact],
// as in Lucene. Field lengths and the document count are always exact.
//
// # Concurrency and persistence
//
// Any number of searches run concurrently with each other; writes are
// serialized (a mutex) and exclude searches while they change the index
// (a sync.RWMutex), not while they analyze text. [Index.WriteTo] writes
// a snapshot and [Restore] reads it back; the analyzer is not part of the
// snapshot, so restore with one configured as the index's: the snapshot
// records the analyzer's fingerprint, and Restore refuses another
// (ErrInvalid).
//
// # Memory
//
// Terms get integer IDs (one- and two-character terms keyed by their
// runes: CJK unigrams through an array, CJK bigrams and other short terms
// through open-addressing tables). A posting list is a byte
// slice: each full block of 128 documents is bit-packed (document gaps
// and tf−1 at the smallest widths that fit the block) or varint-encoded,
// whichever is smaller, with a skip entry per block; the last, partial
// block is varint-encoded. Document ids live in one byte buffer with an
// open-addressing lookup table. [Index.Compact] moves all posting lists
// into one buffer and trims spare capacity, which is worth calling after a
// bulk load. Scratch buffers for queries are pooled per index. Snapshots
// store postings as varint streams, independent of the block layout.
//
// # The build's hot loops are frozen
//
// PutBatch spends its time in a few small loops that call nothing
// (resolveCJK, countDirect and countCJK, countPart, scatter, fillBlock,
// encodeTail), shaped so that the compiler keeps their variables in
// registers. They are frozen as they are: change them to fix a bug, not to
// free a register. The last changes of that kind measured 6–7% fewer
// instructions and +6.6% to +8% documents per second on two cores in
// alternating runs, while the shared 2-core machine they were measured on
// drifts by 10–20% within minutes (README, the matching engine's build
// figures): gains of that size cannot be told from its noise, and each made
// the loops harder to read. A change to these loops for speed needs a gain
// clearly larger than that drift, shown in alternating runs.
package textindex
