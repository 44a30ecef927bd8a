// Package bench holds peer comparisons and experiments on techbroker's
// libraries, in a module of its own so that the library never depends on
// the peers or carries the experiments.
//
// # Programs
//
//   - matchbench: the matching engine against Bleve v2 (scorch index, cjk
//     analyzer, BM25) on the CSL tasks of package matching/eval and on a
//     synthetic scale run.
//
// # Experiments
//
//   - routerselect: the router's model selection (matching/router) and its
//     notebook, ROUTER_SOURCES.md.
package bench
