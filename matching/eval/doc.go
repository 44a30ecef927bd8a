// Package eval measures retrieval and routing quality on the tasks of the
// CSL benchmark (Li et al., "CSL: A Large-scale Chinese Scientific
// Literature Dataset", COLING 2022), for the built-in engine or any other
// behind the [Engine] interface (bench/ runs Bleve through it).
//
// # Tasks
//
//   - title_mrr10, title_r1: each paper's title is the query over an index
//     of the abstracts only; the paper itself must be found (mean
//     reciprocal rank in the top 10; recall at 1).
//   - kw2_mrr10: the first two keywords are the query over the abstracts.
//   - disc_p10: each paper (title and abstract) is the query over an index
//     of title, keywords and abstract; the score is the share of its 10
//     nearest neighbours, itself excluded, with the same discipline.
//   - route_acc: a router trained on labelled titles predicts the category
//     of each title of the routing set.
//
// # Data
//
// [ReadPapers] and [ReadLabelled] read the CSL sample's TSV files; errors
// name the row and column. [Synthetic] generates a corpus with the same
// shape for tests and scale runs.
package eval
