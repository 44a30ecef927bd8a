// Package routerselect is the model selection of the router (package
// matching/router, which routes a new achievement to an industry broker,
// 分流到样板间): the experiments that chose its default model, and their
// notebook, ROUTER_SOURCES.md (the sources of every method, the
// candidates' figures and the rule that picked the default).
//
// # Running it
//
// The package is tests only. The selection trains hundreds of models, so
// it runs only when asked, from bench/:
//
//	TECHBROKER_ROUTER_SELECT='router*' go test -run TestRouterSelection -v ./routerselect/
//	TECHBROKER_ROUTER_SELECT=all TECHBROKER_ROUTER_DEV=1 TECHBROKER_ROUTER_SEED=2 go test ...
//
// TECHBROKER_ROUTER_SELECT names the candidates (comma-separated, a
// trailing * matches a prefix, all for every one); TECHBROKER_ROUTER_DEV
// adds the dev accuracy, TECHBROKER_ROUTER_SEED picks the split
// (default 1), and STACK_LBFGS fits the stacked candidates with the
// router's L-BFGS instead of FISTA. The CSL sample is read in place from
// $TECHBROKER_CSL, else ../shared/data/csl beside the repository; without
// it the selection skips. The harness's own tests (solvers checked against
// LIBLINEAR and by their optimality conditions) always run.
//
// # What is whose
//
// The router-* candidates train router.Train itself. The others are the
// harness's own pipelines; the few unexported pieces of the router they
// build on (the SVM solver, term counts, the softmax and its temperature,
// the stacked regression's fit) are copies in library_test.go, so that
// the router exports nothing for the experiment's sake.
// testdata/stack_sklearn.py prints the scikit-learn reference of the
// router's TestFitStackSklearn.
package routerselect
