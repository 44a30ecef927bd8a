// Package router routes a new achievement to the industry broker (样板间)
// best suited for it: 分流, routing, by a classifier trained on past cases
// whose broker is known. It answers with each broker's probability, the
// best one, and whether the answer is too unsure and a person should
// decide.
//
// # Training and routing
//
// [Train] learns a [Router] from labelled [Example] texts (an
// achievement's title, or title and abstract, and the broker that took
// it); [Router.Route] gives a [Routing]: every label's probability, best
// first, the best label, its confidence, and NeedsPerson when the
// confidence is under Options.Threshold.
//
// # Models
//
// The default model, [LinearSVM], is one-vs-rest linear SVMs over
// sublinear TF-IDF vectors of the analyzer's terms, whose margins are
// combined with the vote of the 10 training examples nearest by cosine by
// a multinomial logistic regression fitted on out-of-fold values
// (stacking). [NaiveBayes] is multinomial or complement naive Bayes,
// optionally mixed with a vote of the nearest examples by BM25;
// [AutoModel], the zero value, chooses it for fewer than 30 examples or
// when a naive Bayes option is set. [Options] lists the knobs. The sources of every method, and the experiments that chose the
// defaults, are in the bench module: bench/routerselect and its notebook
// ROUTER_SOURCES.md.
//
// # Saved routers
//
// [Router.WriteTo] saves a trained router (deterministic bytes, with a
// checksum) and [Read] reads it back. The analyzer is not saved, only its
// fingerprint (analysis.Analyzer.Fingerprint): Read refuses an analyzer
// configured otherwise with [ErrInvalid], and damaged or truncated data
// with [ErrCorrupt].
//
// # The engine's category signal
//
// [Router.Categorize] gives the probabilities in the order of
// [Router.Labels]; with it a *Router is a matching.Categorizer, which
// matching.Options.Categorizer takes for the engine's category signal.
// This package imports matching for that interface; matching never
// imports this one, so the engine and everything built on it link none
// of the router's models and their optimizer (gonum's L-BFGS).
package router
