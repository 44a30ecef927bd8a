package assessment

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Ties says how equal scores share ranks.
type Ties int

const (
	// Competition ranking ("1224"): tied entities share the best rank of
	// their block and the next rank skips; the usual convention of published
	// league tables. The default.
	Competition Ties = iota
	// Dense ranking ("1223"): tied entities share a rank and the next rank
	// follows without a gap.
	Dense
)

// RankOptions configures Rank. A nil *RankOptions means larger scores rank
// first, competition ties and a tie tolerance of 1e-9.
type RankOptions struct {
	Ascending bool    // smaller is better
	Ties      Ties    // Competition or Dense
	Tol       float64 // scores within Tol of the first score of a block tie; 0 means 1e-9, negative means exact
}

// Rank returns 1-based ranks (1 = best) of scores. Scores that differ by at
// most Tol from the best score of their block are tied. A NaN score is a
// *ValueError.
func Rank(scores []float64, opts *RankOptions) ([]int, error) {
	o := RankOptions{Tol: 1e-9}
	if opts != nil {
		o = *opts
		if o.Tol == 0 {
			o.Tol = 1e-9
		}
	}
	tol := math.Max(o.Tol, 0)
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, &ValueError{Op: "Rank", Row: i, Col: -1, Value: s, Reason: "score is NaN"}
		}
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if o.Ascending {
			return cmp.Compare(scores[a], scores[b])
		}
		return cmp.Compare(scores[b], scores[a])
	})
	ranks := make([]int, len(scores))
	blockStart, rank, dense := 0, 1, 1
	for k, i := range idx {
		if k > 0 && math.Abs(scores[i]-scores[idx[blockStart]]) > tol {
			blockStart = k
			rank = k + 1
			dense++
		}
		if o.Ties == Dense {
			ranks[i] = dense
		} else {
			ranks[i] = rank
		}
	}
	return ranks, nil
}

// GradeByThresholds assigns labels[k] to a score ≥ thresholds[k], trying k
// in order; scores below every threshold get the last label. Thresholds
// must be strictly decreasing and len(labels) = len(thresholds)+1, e.g.
// labels A B C D with thresholds 85 70 60.
func GradeByThresholds(scores []float64, labels []string, thresholds []float64) ([]string, error) {
	if len(labels) != len(thresholds)+1 {
		return nil, fmt.Errorf("%w: %d labels need %d thresholds, got %d", ErrInvalid, len(labels), len(labels)-1, len(thresholds))
	}
	for k := 1; k < len(thresholds); k++ {
		if !(thresholds[k] < thresholds[k-1]) {
			return nil, &ValueError{Op: "GradeByThresholds", Row: -1, Col: k, Value: thresholds[k], Reason: "thresholds must be strictly decreasing"}
		}
	}
	out := make([]string, len(scores))
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, &ValueError{Op: "GradeByThresholds", Row: i, Col: -1, Value: s, Reason: "score is NaN"}
		}
		out[i] = labels[len(labels)-1]
		for k, t := range thresholds {
			if s >= t {
				out[i] = labels[k]
				break
			}
		}
	}
	return out, nil
}

// GradeByQuantiles grades by position: shares[k] is the fraction of
// entities in class labels[k] (the last class takes the rest), so
// len(labels) = len(shares)+1 and the shares sum to at most 1. With n
// entities and cumulative share q_k, an entity whose competition rank r
// (1 = best, larger scores first) satisfies r ≤ ⌊q_k·n⌋ gets the first such
// class; tied entities share a rank and so a grade (the better one).
func GradeByQuantiles(scores []float64, labels []string, shares []float64) ([]string, error) {
	if len(labels) != len(shares)+1 {
		return nil, fmt.Errorf("%w: %d labels need %d shares, got %d", ErrInvalid, len(labels), len(labels)-1, len(shares))
	}
	var cum float64
	limits := make([]int, len(shares))
	for k, s := range shares {
		if !(s >= 0) || math.IsInf(s, 0) {
			return nil, &ValueError{Op: "GradeByQuantiles", Row: -1, Col: k, Value: s, Reason: "share must be non-negative"}
		}
		cum += s
		limits[k] = int(math.Floor(cum*float64(len(scores)) + 1e-9))
	}
	if cum > 1+1e-9 {
		return nil, &ValueError{Op: "GradeByQuantiles", Row: -1, Col: -1, Value: cum, Reason: "shares sum to more than 1"}
	}
	ranks, err := Rank(scores, nil)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(scores))
	for i, r := range ranks {
		out[i] = labels[len(labels)-1]
		for k, lim := range limits {
			if r <= lim {
				out[i] = labels[k]
				break
			}
		}
	}
	return out, nil
}
