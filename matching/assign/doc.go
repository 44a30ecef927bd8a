// Package assign assigns experts to items (achievements, demands, papers)
// for review panels: every item gets its number of experts, no expert is
// over- or under-loaded, conflicts of interest are respected, required
// pairs are kept, and total affinity is maximal — exactly, with a
// certificate that proves it.
//
// This is the reviewer-assignment problem of conference systems
// (openreview-matcher solves it as a min-cost flow; FairFlow and FairIR
// add fairness). The package knows nothing of broker records: callers
// describe experts and items by string IDs and indices, give affinities
// densely ([][]float64, [item][expert]) or sparsely ([]Score), and list
// forbidden pairs with a reason each, so that rules such as "same
// institution" or "co-inventor" (built in package broker) feed it directly.
// [Builder] assembles a [Problem] from IDs.
//
// # Problem
//
// Maximize Σ affinity(i,e)·x(i,e) over x(i,e) ∈ {0,1} subject to
//
//   - coverage: Σ_e x(i,e) = k_i for every item (Problem.Cover, per-item
//     CoverOverride);
//   - loads: min_e ≤ Σ_i x(i,e) ≤ max_e for every expert (MinLoad,
//     MaxLoad, per-expert LoadOverride);
//   - x(i,e) = 0 for forbidden pairs, x(i,e) = 1 for forced pairs.
//
// # Algorithm
//
// Forced pairs are taken out first (they reduce the item's coverage and the
// expert's bounds). The rest is a min-cost flow with node balances: item i
// supplies k_i units, arcs item→expert have capacity 1 and cost
// -round(affinity·Scale), expert e absorbs min_e units (the standard
// lower-bound transformation) and passes up to max_e-min_e more to a sink
// that absorbs the remainder.
//
// It is solved by cost-scaling push–relabel (Goldberg and Tarjan, 1990,
// the method of OR-Tools' min-cost flow, which openreview-matcher uses). A
// maximum flow (Dinic) first routes every unit on the graph regardless of
// cost. Costs are then multiplied by α = nodes+1 and the flow is refined
// for ε = α·maxcost/8, /64, … down to 1: each refinement saturates every
// residual arc of negative reduced cost and pushes the resulting excesses
// along admissible arcs, lowering the price of a node that has none, with
// a global price update (a bucket Dijkstra towards the deficits, Goldberg
// 1997) at the start and after every N relabels. At ε = 1 every residual
// cycle costs more than −1 in real units, so the flow is optimal. Integer
// potentials that prove it are computed from the scaled prices by a
// label-correcting pass (a few corrections: the prices are already within
// one unit of valid), then moved to the dual solution that gives experts
// the least and items the most value the flow allows, which prices fewer
// outside pairs as violating.
//
// Unlike shortest paths, whose time grows with how far flow must be
// rerouted, cost scaling's refinements cost about the same whatever the
// shape: when every item prefers the same few experts, shortest paths
// reroute most of the flow through long paths, push–relabel does not.
// The former successive-shortest-path method (Dijkstra on reduced costs
// from a price-heuristic start) remains in the package, unexported, and
// the tests check that both give the same optimum. It is also used when
// costs are so large that scaled prices could overflow int64 (about
// |affinity|·Scale·nodes² above 2^58; Stats.Fallback then says so).
//
// Dense instances have I·E possible pairs (14 million for a CVPR-sized
// conference), too many arcs for the flow. The graph therefore holds
// a candidate set — each item's max(4k, 12) best experts
// (Options.Candidates) plus every expert's max_e+2 best items — and grows
// by pricing: after each optimal flow on the candidates, every allowed pair
// outside the graph has its reduced cost computed from the potentials
// (O(I·E)); if some are negative, up to m per item are added and the flow
// is solved again, warm-started from the prices the potentials give. When
// no pair prices out negative, the potentials are a dual solution of the
// full problem, so the assignment is optimal over all pairs, not only the
// candidates. With cost scaling the grown graph keeps its flow, which
// stays feasible, and is refined again from ε = α·(largest violation). If
// the maximum flow gets stuck on the candidates, items reachable from the
// excess get arcs to experts that can still take flow (the others only if
// there are none); only when every such item has all its allowed arcs is
// the instance declared infeasible. Ties between equally good pairs (all
// unlisted pairs have affinity 0) are broken by a hash of the pair, so that
// different items reach for different experts. Each round adds at least
// one pair, so the method terminates; on the generated instances one to
// nine rounds suffice.
//
// # Precision
//
// Costs are integers: an affinity a becomes round(a·Scale), Scale 1e6 by
// default (Options.Scale). The result is exactly optimal for the rounded
// affinities (Result.Objective, in units of 1/Scale); its float total
// (Result.Total, summed from the original values) is within F/Scale of the
// float optimum, F being the number of assigned pairs. Affinities whose
// magnitude times Scale would risk int64 overflow are rejected.
//
// # Certificates
//
// Result.Certificate holds the potentials (dual values) of items, experts
// and the sink. [Result.Verify] recomputes, without the solver, that the
// assignment is feasible and that complementary slackness holds: every
// assigned free pair has reduced cost ≤ 0, every unassigned allowed pair
// ≥ 0, and every expert's load arc is consistent with its load. This proves
// optimality over all I·E pairs in O(I·E) time.
//
// # Fairness
//
// With Options.Fair the solver maximizes the worst-served side first and
// total affinity second. Maximizing the smallest item total exactly is
// NP-hard once items need more than one expert (Kobren, Saha and McCallum,
// "Paper Matching with Local Fairness Constraints", KDD 2019, the FairFlow
// paper), so the package solves a polynomial surrogate exactly: it bisects
// over the distinct affinity values for the largest threshold τ such that
// an assignment using only free pairs with affinity ≥ τ exists (each probe
// is a flow feasibility check, O(log(I·E)) probes), then returns the
// max-affinity assignment among those. Guarantees: τ is the best possible
// bottleneck (no assignment has all its free pairs above τ); every item's
// total is at least its forced affinity plus k_i·τ; and the total affinity
// is maximal among assignments with bottleneck τ, proven by the same
// certificate (Certificate.Threshold records τ). The worst item's total is
// not guaranteed to be the max-min optimum; Result.MinItem reports it.
//
// # Errors
//
// Malformed input — no experts or items, NaN or infinite affinity on an
// allowed pair, negative coverage, minimum above maximum load, ragged rows,
// out-of-range or duplicate pairs — yields an *[InvalidError] listing every
// issue (wrapping [ErrInvalid]). An instance without any valid assignment
// yields an *[InfeasibleError] (wrapping [ErrInfeasible]) whose Reason,
// Items, Experts and Conflicts name what is at fault: too little capacity,
// an item with too few allowed experts (with the conflicts that excluded
// the others), minimum loads that cannot be met, forced pairs beyond a load
// or a coverage or on a forbidden pair, or — found by the flow itself — a
// group of items competing for experts who are all full. A partial
// assignment is never returned.
//
// # Performance
//
// BenchmarkShapes solves one full-size instance of each shape of package
// assigntest — 5,062 items × 2,840 experts (CVPR 2018's size), 3 experts
// per item, at most 6 items per expert — with each item's 100 best experts
// listed (506,200 pairs, the rest at affinity 0) and dense (14.4 million
// pairs), and verifies the certificate over all pairs. Measured on a
// shared 2-core machine, six runs per instance over two sessions (the
// machine's load average 4–7 in one, 8–15 in the other, from other
// builds), seconds per solve and the benchmark process's peak RSS:
//
//	shape      top-100               dense
//	uniform    0.34–1.29 s,  67 MB   0.52–1.49 s,  132 MB
//	popular    1.65–3.59 s,  78 MB   1.91–4.47 s,  148 MB
//	clustered  2.35–4.80 s,  80 MB   5.28–14.95 s, 175 MB
//	conflicts  1.74–5.59 s, 320 MB   1.71–10.40 s, 451 MB
//
// The dense RSS includes the caller's 115 MB affinity matrix; the conflicts
// shape lists 2.1 million forbidden pairs. Popularity no longer decides the
// time: what does is the number of pricing rounds, each a pass over all
// pairs and a warm refinement — one on uniform instances, five on popular
// ones, six with heavy conflicts, four (top-100) and nine (dense) on
// clustered ones, whose crowded clusters must spill into others; the
// slowest case is clustered dense. The former shortest-path method took
// 142.6 s on popular top-100 and 83.2 s on popular dense (one run each);
// on uniform dense (BenchmarkAssignLarge against the code before this
// method, alternated, five runs each) it took 1.14–1.32 s against
// 0.75–1.12 s at load 4–5, and 2.91–6.20 s against 1.76–3.07 s at load 15.
package assign
