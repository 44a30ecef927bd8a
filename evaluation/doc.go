// Package evaluation implements the expert think tank's (成果评估专家智库)
// evaluation of technology achievements: criteria templates, scoring
// methods, agreement between experts, panel workflow and readiness scales.
// It is pure: no storage, no context, no I/O. Money lives in the
// subpackage valuation, in decimal.
//
// # Criteria templates
//
// A Template is an indicator tree whose sibling weights are non-negative and
// sum to 1 (within WeightTol). DefaultTemplate is the usual Chinese S&T
// achievement evaluation: 技术创新度 (novelty), 技术先进度 (advancement),
// 技术成熟度 (maturity), plus market prospect, IP strength and team, with
// labels in Chinese and English; weights are configurable.
//
// # Scoring methods
//
// WeightedSum; AHP (Saaty's analytic hierarchy process) with the principal
// eigenvector, geometric-mean or arithmetic-mean priorities, λmax, CI and CR
// against a selectable random-index table (RandomIndexTable; Saaty 1980 by
// default, as in Chinese textbooks); group AHP by aggregation of individual
// judgements (AIJ) or priorities (AIP); hierarchy composition; fuzzy
// comprehensive evaluation (模糊综合评价) with the operators M(·,+),
// M(∧,∨), M(·,∨) and M(∧,+), grading by maximum membership or by weighted
// score, and multi-level evaluation; trimmed mean and per-expert z-score
// calibration.
//
// # Agreement
//
// KendallW (with and without tie correction, χ², df, p-value), ICC in the
// six Shrout–Fleiss (1979) forms, and Disagreements, which flags experts whose
// scores disagree with the rest of the panel.
//
// # Panels
//
// A Panel evaluates one item with a fixed set of experts (typically from an
// assignment computed elsewhere). Experts submit score sheets that follow the
// panel's template; the panel locks and aggregates them into a Verdict
// (pass/fail, grade, recommendation, reasons and agreement figures). A Panel
// is safe for concurrent use.
//
// # Readiness
//
// NASA TRL, EU Horizon TRL and GB/T 37264-2018 scales, an assessment from
// answered evidence items, and approximate crosswalks between scales.
//
// # Numbers and errors
//
// Scores, weights and statistics are float64 compared with tolerances.
// Invalid data gives a typed error (MatrixError, FieldError, …) that unwraps
// to ErrInvalid; only programmer errors such as mismatched slice lengths in
// low-level helpers panic.
package evaluation
