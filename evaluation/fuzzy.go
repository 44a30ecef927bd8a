package evaluation

import (
	"fmt"
	"math"
)

// FuzzyOperator is the composition operator of fuzzy comprehensive
// evaluation (模糊综合评价), B = A ∘ R, written M(product, sum):
//
//	M(·,+): bⱼ = Σᵢ aᵢ·rᵢⱼ               weighted average; uses all information
//	M(∧,∨): bⱼ = maxᵢ min(aᵢ, rᵢⱼ)        main factor decides (Zadeh)
//	M(·,∨): bⱼ = maxᵢ aᵢ·rᵢⱼ              main factor prominent
//	M(∧,+): bⱼ = min(1, Σᵢ min(aᵢ, rᵢⱼ))  bounded sum ⊕
type FuzzyOperator string

// The four operators; the string values are those used in test vectors.
const (
	WeightedAverage FuzzyOperator = "M(·,+)"
	MinMax          FuzzyOperator = "M(∧,∨)"
	ProductMax      FuzzyOperator = "M(·,∨)"
	MinBoundedSum   FuzzyOperator = "M(∧,+)"
)

// ParseFuzzyOperator accepts the four canonical names and the ASCII
// spellings "M(*,+)", "M(^,v)", "M(*,v)" and "M(^,+)".
func ParseFuzzyOperator(s string) (FuzzyOperator, error) {
	switch s {
	case string(WeightedAverage), "M(*,+)":
		return WeightedAverage, nil
	case string(MinMax), "M(^,v)":
		return MinMax, nil
	case string(ProductMax), "M(*,v)":
		return ProductMax, nil
	case string(MinBoundedSum), "M(^,+)", "M(∧,⊕)":
		return MinBoundedSum, nil
	}
	return "", &FieldError{Field: "operator", Value: s, Reason: "unknown fuzzy operator"}
}

// FuzzyEvaluate composes the weight vector a (one weight per factor, finite,
// non-negative, summing to 1) with the membership matrix r (factors ×
// grades, entries in [0, 1]) using op, and optionally normalizes B to sum 1.
// If B sums to 0, normalization leaves it unchanged.
func FuzzyEvaluate(a []float64, r [][]float64, op FuzzyOperator, normalize bool) ([]float64, error) {
	if err := checkWeights("weights", a); err != nil {
		return nil, err
	}
	if len(r) != len(a) {
		return nil, &FieldError{Field: "membership", Value: len(r), Reason: fmt.Sprintf("want %d rows, one per factor", len(a))}
	}
	m := len(r[0])
	if m == 0 {
		return nil, &FieldError{Field: "membership[0]", Value: 0, Reason: "no grades"}
	}
	for i, row := range r {
		if len(row) != m {
			return nil, &FieldError{Field: fmt.Sprintf("membership[%d]", i), Value: len(row), Reason: fmt.Sprintf("want %d grades", m)}
		}
		for j, v := range row {
			if math.IsNaN(v) || v < 0 || v > 1 {
				return nil, &FieldError{Field: fmt.Sprintf("membership[%d][%d]", i, j), Value: v, Reason: "membership must be in [0, 1]"}
			}
		}
	}
	b := make([]float64, m)
	for j := range m {
		acc := 0.0
		for i, ai := range a {
			rij := r[i][j]
			switch op {
			case WeightedAverage:
				acc += ai * rij
			case MinMax:
				acc = math.Max(acc, math.Min(ai, rij))
			case ProductMax:
				acc = math.Max(acc, ai*rij)
			case MinBoundedSum:
				acc += math.Min(ai, rij)
			default:
				return nil, &FieldError{Field: "operator", Value: string(op), Reason: "unknown fuzzy operator"}
			}
		}
		if op == MinBoundedSum {
			acc = math.Min(1, acc)
		}
		b[j] = acc
	}
	if normalize {
		normalizeInPlace(b)
	}
	return b, nil
}

func normalizeInPlace(b []float64) {
	s := 0.0
	for _, v := range b {
		s += v
	}
	if s > 0 {
		for j := range b {
			b[j] /= s
		}
	}
}

// FuzzyNode is one factor of a multi-level fuzzy evaluation: a leaf carries
// its membership row; an inner node carries sub-factors whose evaluation
// becomes its row. Weight is relative to the siblings.
type FuzzyNode struct {
	Label      Label
	Weight     float64
	Membership []float64
	Children   []FuzzyNode
}

// FuzzyEvaluateTree performs multi-level (多级) fuzzy comprehensive
// evaluation: each inner node's membership row is the evaluation of its
// children with op (normalized when normalize is true), and the top level is
// evaluated the same way.
func FuzzyEvaluateTree(factors []FuzzyNode, op FuzzyOperator, normalize bool) ([]float64, error) {
	a := make([]float64, len(factors))
	r := make([][]float64, len(factors))
	for i, f := range factors {
		a[i] = f.Weight
		if len(f.Children) == 0 {
			r[i] = f.Membership
			continue
		}
		b, err := FuzzyEvaluateTree(f.Children, op, normalize)
		if err != nil {
			return nil, withContext(err, "factor %d (%s)", i, f.Label)
		}
		r[i] = b
	}
	if len(factors) == 0 {
		return nil, &FieldError{Field: "factors", Value: 0, Reason: "no factors"}
	}
	return FuzzyEvaluate(a, r, op, normalize)
}

// MaxMembership returns the index of the grade with the largest membership
// (最大隶属度原则); ties go to the first. It returns -1 for an empty b.
func MaxMembership(b []float64) int {
	best := -1
	for j, v := range b {
		if best < 0 || v > b[best] {
			best = j
		}
	}
	return best
}

// FuzzyScore returns the weighted score Σ bⱼ·vⱼ / Σ bⱼ, where values gives
// a score for each grade (加权平均原则). It returns NaN when B sums to 0 and
// panics if the lengths differ.
func FuzzyScore(b, values []float64) float64 {
	if len(b) != len(values) {
		panic("evaluation: FuzzyScore: len(b) != len(values)")
	}
	num, den := 0.0, 0.0
	for j, v := range b {
		num += v * values[j]
		den += v
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}
