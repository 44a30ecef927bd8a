// Package matching finds the achievements that answer a demand, the
// companies to approach with an achievement, achievements similar to one
// another and the achievements closest to an expert, and explains every
// match. Routing a new achievement to the industry broker best suited for
// it (分流到样板间) is package matching/router.
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
// # Categories and routing
//
// With Options.Categorizer set, the engine labels every document and adds
// a category signal: the inner product of the source's and the
// candidate's distributions over the categories (see [Weights]).
// [Categorizer] has the one method the engine calls. The router of package
// matching/router (a linear SVM stacked with a nearest-neighbour vote,
// trained on past cases, saved and read back with its analyzer's
// fingerprint) implements it; so may any classifier of your own.
//
// The dependency points from the router to matching, never back: matching
// defines the interface and the router imports matching only to state
// that it satisfies it. An engine without a router, and everything built
// on matching (package broker), links none of the router's models or
// their optimizer.
package matching
