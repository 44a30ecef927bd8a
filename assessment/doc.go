// Package assessment computes scorecards, composite indices and rankings
// for any set of entities — technology brokers (技术券商), regions,
// institutions — from indicator values per entity per period.
//
// It is pure: no storage, no context, no I/O. Package broker fills a
// [BrokerStats] per broker and period; package assessment/report writes the
// results as Markdown or as a self-contained HTML page with charts.
//
// # Indicators and missing values
//
// An [Indicator] has Chinese and English names, a unit, a [Direction]
// (Benefit or Cost) and a group. A [Dataset] holds values per period,
// entity and indicator; [Dataset.Matrix] extracts one period under a
// [MissingPolicy]: MissingError, MissingSkip (drop the entity) or
// MissingImputeGroupMean (mean of the entity's peer group). A missing value
// is never read as zero.
//
// # Normalization
//
// [Normalize] offers MinMax, ZScore, Vector, Sum, Target (achievement rate)
// and None; MinMax, ZScore and Target are direction-aware ("oriented"),
// Vector and Sum keep the raw orientation. [BaseIndex] expresses a series
// with its base period = 100.
//
// # Weights
//
// [FixedWeights], [AHPWeights] (pairwise comparisons, via package
// evaluation), [EntropyWeights] (熵权法; the normalization before it is a
// choice; 0·ln 0 = 0) and [CRITICWeights].
//
// # Aggregation, ranking and grades
//
// [WeightedSum] (weighted arithmetic mean), [WeightedProduct] (weighted
// geometric mean) and [TOPSIS] (closeness coefficient). [Rank] ranks with
// ties (competition "1224" by default, or dense "1223"). [GradeByThresholds]
// and [GradeByQuantiles] put entities into classes such as A/B/C/D.
//
// # Change analysis
//
// [Growth], [GrowthSeries], [Share], [SharePercent] and [GrowthPercent]
// (exact decimal amounts, rounded half away from zero) and the
// decomposition of a composite score's change into indicator contributions
// ([ArithmeticContributions], [GeometricContributions]).
//
// # The broker scorecard
//
// A [Scheme] maps what a broker platform records ([BrokerStats]: cases by
// stage, listings, deals and their value, conversion, demand response and
// resolution, activities and leads, services, feedback, experts, staff) to
// indicators in weighted groups. [DefaultScheme] follows the provincial
// template for transfer institutions: basic conditions 10, service
// performance 30, service capacity 30, standard management 20, reputation
// 10. Schemes load from JSON ([LoadScheme]) and are validated, listing
// every problem in English and Chinese. [Scheme.Score] returns a
// [Scorecard] with group scores, total, rank and grade. A scheme whose
// source is "dataset" scores the entities of any [Dataset] instead
// ([Scheme.ScoreDataset]): regions, institutions, anything with indicator
// values. [ScoreChange] splits a total's change between two scorecards into
// indicator contributions.
//
// # Innovation index
//
// [ComputeIndex] builds a composite index over regional indicator series
// with a base year = 100, fixed-base or chained, reporting each year's value,
// growth and every indicator's contribution — in the manner of the Yangpu
// innovation index (340.0 for 2022, +8.6 % on 2021).
package assessment
