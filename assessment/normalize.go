package assessment

import (
	"fmt"
	"math"
)

// Normalization names a column normalization.
type Normalization string

const (
	// None leaves values as they are.
	None Normalization = "none"
	// MinMax maps a benefit column to (x − min)/(max − min) and a cost column
	// to (max − x)/(max − min), so 1 is best. A constant column becomes all 1.
	MinMax Normalization = "minmax"
	// ZScore maps x to (x − mean)/sd with the population standard deviation
	// (divisor n), negated for cost columns. A constant column becomes all 0.
	ZScore Normalization = "zscore"
	// Vector divides each column by its Euclidean norm, x/√Σx² (the TOPSIS
	// normalization). Direction is not applied: cost columns keep their
	// orientation and a method using them (TOPSIS) must handle it.
	Vector Normalization = "vector"
	// Sum divides each column by its sum (the entropy-method proportion);
	// values must be non-negative. Direction is not applied.
	Sum Normalization = "sum"
	// Target maps x to its achievement of a target: x/target for benefit
	// columns and target/x for cost columns, optionally capped (完成率).
	Target Normalization = "target"
)

// Oriented reports whether the normalization turns every column into a
// benefit column (larger is better), which weighted sums need.
func (n Normalization) Oriented() bool {
	return n == MinMax || n == ZScore || n == Target
}

func (n Normalization) valid() bool {
	switch n {
	case None, MinMax, ZScore, Vector, Sum, Target:
		return true
	}
	return false
}

// NormalizeOptions configures Normalize. A nil *NormalizeOptions means all
// columns are benefit columns.
type NormalizeOptions struct {
	// Directions per column; nil means all Benefit.
	Directions []Direction
	// Targets per column, for Target; each must be positive.
	Targets []float64
	// Cap limits Target scores (e.g. 1 for "at most 100 %"); 0 means none.
	Cap float64
}

// Normalize returns a normalized copy of m (rows are alternatives, columns
// criteria). It panics if m is ragged or an option slice has the wrong
// length, and returns a *ValueError for non-finite values, zero column norms
// or sums (Vector, Sum), negative values (Sum), non-positive targets or a
// zero value in a Target cost column.
func Normalize(m [][]float64, method Normalization, opts *NormalizeOptions) ([][]float64, error) {
	var o NormalizeOptions
	if opts != nil {
		o = *opts
	}
	cols := shape(m)
	dirs, err := directions(o.Directions, cols)
	if err != nil {
		return nil, err
	}
	if err := checkFinite("Normalize", m); err != nil {
		return nil, err
	}
	if !method.valid() {
		return nil, fmt.Errorf("%w: unknown normalization %q", ErrInvalid, method)
	}
	if method == Target && len(o.Targets) != cols {
		panic(fmt.Sprintf("assessment: Normalize: %d targets for %d columns", len(o.Targets), cols))
	}
	out := make([][]float64, len(m))
	for i := range m {
		out[i] = make([]float64, cols)
	}
	for j := range cols {
		if err := normalizeColumn(m, out, j, method, dirs[j], &o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func normalizeColumn(m, out [][]float64, j int, method Normalization, dir Direction, o *NormalizeOptions) error {
	switch method {
	case None:
		for i := range m {
			out[i][j] = m[i][j]
		}
	case MinMax:
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range m {
			lo, hi = math.Min(lo, m[i][j]), math.Max(hi, m[i][j])
		}
		for i := range m {
			switch {
			case hi == lo:
				out[i][j] = 1
			case dir == Cost:
				out[i][j] = (hi - m[i][j]) / (hi - lo)
			default:
				out[i][j] = (m[i][j] - lo) / (hi - lo)
			}
		}
	case ZScore:
		var mean float64
		for i := range m {
			mean += m[i][j]
		}
		mean /= float64(len(m))
		var ss float64
		for i := range m {
			ss += (m[i][j] - mean) * (m[i][j] - mean)
		}
		sd := math.Sqrt(ss / float64(len(m)))
		for i := range m {
			if sd == 0 {
				out[i][j] = 0
				continue
			}
			z := (m[i][j] - mean) / sd
			if dir == Cost {
				z = -z
			}
			out[i][j] = z
		}
	case Vector:
		var ss float64
		for i := range m {
			ss += m[i][j] * m[i][j]
		}
		if ss == 0 {
			return &ValueError{Op: "Normalize(vector)", Row: -1, Col: j, Reason: "column norm is zero", Err: ErrUndefined}
		}
		norm := math.Sqrt(ss)
		for i := range m {
			out[i][j] = m[i][j] / norm
		}
	case Sum:
		var s float64
		for i := range m {
			if m[i][j] < 0 {
				return &ValueError{Op: "Normalize(sum)", Row: i, Col: j, Value: m[i][j], Reason: "negative value"}
			}
			s += m[i][j]
		}
		if s == 0 {
			return &ValueError{Op: "Normalize(sum)", Row: -1, Col: j, Reason: "column sum is zero", Err: ErrUndefined}
		}
		for i := range m {
			out[i][j] = m[i][j] / s
		}
	case Target:
		t := o.Targets[j]
		if !(t > 0) || math.IsInf(t, 0) {
			return &ValueError{Op: "Normalize(target)", Row: -1, Col: j, Value: t, Reason: "target must be positive"}
		}
		for i := range m {
			x := m[i][j]
			var r float64
			if dir == Cost {
				if x <= 0 {
					return &ValueError{Op: "Normalize(target)", Row: i, Col: j, Value: x, Reason: "cost value must be positive"}
				}
				r = t / x
			} else {
				r = x / t
			}
			if o.Cap > 0 && r > o.Cap {
				r = o.Cap
			}
			out[i][j] = r
		}
	}
	return nil
}

// BaseIndex expresses a series relative to the period base, which scores
// 100: 100·x_t/x_base for a benefit series and 100·x_base/x_t for a cost
// series. Chaining the period-on-period ratios, I_t = I_{t−1}·x_t/x_{t−1},
// gives the same numbers for a single series; composite indices, where
// chaining differs, are built by ComputeIndex. A zero base (or a zero value
// of a cost series) is a *ValueError wrapping ErrUndefined.
func BaseIndex(series []float64, base int, dir Direction) ([]float64, error) {
	if base < 0 || base >= len(series) {
		panic(fmt.Sprintf("assessment: BaseIndex: base %d out of range [0,%d)", base, len(series)))
	}
	if !dir.valid() {
		return nil, fmt.Errorf("%w: direction %d", ErrInvalid, int(dir))
	}
	out := make([]float64, len(series))
	b := series[base]
	for t, x := range series {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, &ValueError{Op: "BaseIndex", Row: t, Col: -1, Value: x, Reason: "not finite"}
		}
		if dir == Cost {
			if x == 0 {
				return nil, &ValueError{Op: "BaseIndex", Row: t, Col: -1, Value: x, Reason: "zero value in a cost series", Err: ErrUndefined}
			}
			out[t] = 100 * b / x
		} else {
			if b == 0 {
				return nil, &ValueError{Op: "BaseIndex", Row: base, Col: -1, Value: b, Reason: "zero base value", Err: ErrUndefined}
			}
			out[t] = 100 * x / b
		}
	}
	return out, nil
}

// shape returns the column count of m and panics if m is empty or ragged.
func shape(m [][]float64) int {
	if len(m) == 0 {
		panic("assessment: empty matrix")
	}
	cols := len(m[0])
	for i, r := range m {
		if len(r) != cols {
			panic(fmt.Sprintf("assessment: ragged matrix: row %d has %d columns, row 0 has %d", i, len(r), cols))
		}
	}
	return cols
}

func directions(d []Direction, cols int) ([]Direction, error) {
	if d == nil {
		d = make([]Direction, cols)
		for j := range d {
			d[j] = Benefit
		}
		return d, nil
	}
	if len(d) != cols {
		panic(fmt.Sprintf("assessment: %d directions for %d columns", len(d), cols))
	}
	for j, x := range d {
		if !x.valid() {
			return nil, &ValueError{Op: "directions", Row: -1, Col: j, Value: float64(x), Reason: "direction must be Benefit (1) or Cost (-1)"}
		}
	}
	return d, nil
}

func checkFinite(op string, m [][]float64) error {
	for i, r := range m {
		for j, x := range r {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return &ValueError{Op: op, Row: i, Col: j, Value: x, Reason: "not finite"}
			}
		}
	}
	return nil
}
