// Package bench holds peer comparisons of techbroker's libraries, in a
// module of its own so that the library never depends on the peers.
//
// # Programs
//
//   - matchbench: the matching engine against Bleve v2 (scorch index, cjk
//     analyzer, BM25) on the CSL tasks of package matching/eval and on a
//     synthetic scale run.
package bench
