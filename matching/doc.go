// Package matching finds the achievements that answer a demand, the
// companies to approach with an achievement, achievements similar to one
// another and the achievements closest to an expert, and explains every
// match; it also routes a new achievement to the industry broker best
// suited for it.
//
// It works on its own small types ([Document], [Expert], [Query],
// [Match]); the broker package adapts its records to them.
//
// # Ranking
//
// The built-in [Engine] retrieves candidates with BM25 over title,
// keywords and abstract (package textindex, with the Chinese-aware
// analysis of package analysis) and re-ranks them with a weighted sum of
// signals, each in 0..1 (see [Weights]):
//
//   - text: the BM25 score divided by the best candidate's;
//   - discipline and industry: Jaccard overlap of the code lists;
//   - readiness: the achievement's level against the demand's minimum
//     ([ReadinessFit]);
//   - budget: the asking price against the budget ([BudgetFit], decimal);
//   - region: same region;
//   - declined: the pair was turned down before ([Engine.Decline]).
//
// Every [Match] carries an [Explanation]: each signal's value, weight and
// contribution (they sum to the score) and the matched terms.
//
// # Other engines
//
// [Matcher] is the one method a search system of your own must provide to
// replace the built-in engine.
//
// # Experts
//
// [Engine.Affinity] scores (expert, achievement) pairs for panel
// assignment from the expert's keywords, past works and disciplines.
//
// # Routing
//
// A [Router] is trained on labelled examples (by default one-vs-rest
// linear SVMs over TF-IDF vectors of the analyzer's terms, combined with
// the vote of the training examples nearest by cosine by a logistic
// regression fitted on out-of-fold scores; or multinomial naive Bayes,
// optionally mixed with a kNN vote over a BM25 index of the examples) and
// returns per-label probabilities, a confidence and whether a person
// should decide. Router.WriteTo saves a trained router and ReadRouter
// reads it back; the saved router records its analyzer's fingerprint
// (analysis.Analyzer.Fingerprint) and is refused by an analyzer configured
// otherwise.
package matching
