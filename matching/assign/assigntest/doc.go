// Package assigntest generates seeded expert-assignment instances of the
// shapes that matter for package matching/assign: uniform random
// affinities, popularity-skewed ones (a few experts top nearly every
// item's list), clustered topics, and heavy conflicts of interest; dense
// or with only each item's top-k experts listed.
//
// It does not import package assign (so that assign's own tests can use
// it): an [Instance] is plain data, converted to an assign.Problem by the
// caller, and written as CSV by examples/assignment.
//
// # Shapes
//
// Experts and items get topic mixtures over [Config].Topics topics
// (squared exponential weights, normalized), and a pair's topic similarity
// is the cosine of the two mixtures, in [0, 1].
//
//   - [Uniform]: affinities independent and uniform in [0, 1), drawn item
//     by item, expert by expert (the instance of BenchmarkAssignLarge).
//   - [Popular]: affinity = Pop × popularity(expert) + (1 − Pop) × topic
//     similarity, Pop 0.7 by default; popularity is a Pareto(α) draw
//     (α = [Config].Alpha, 1.5 by default) divided by the largest draw, so
//     that a handful of experts are popular and most are not.
//   - [Clustered]: experts and items belong to one of Clusters topic
//     clusters, items spread over the clusters unevenly (the first
//     clusters hold many items and few experts), and similarity is high
//     within a cluster and near zero across.
//   - [Conflicts]: topic similarity, plus institutions drawn from a Zipf
//     law: an expert and an item of the same institution are in conflict,
//     and ConflictRate of the remaining pairs are too; the members of an
//     institution share topics, so conflicts remove the best pairs.
//
// All randomness comes from rand.New(rand.NewPCG(Seed, Seed)): the same
// configuration gives the same instance.
package assigntest
