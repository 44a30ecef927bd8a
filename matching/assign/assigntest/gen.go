package assigntest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Shape names a kind of instance.
type Shape int

// Shapes of instances.
const (
	Uniform Shape = iota
	Popular
	Clustered
	Conflicts
)

var shapeNames = [...]string{"uniform", "popular", "clustered", "conflicts"}

func (s Shape) String() string {
	if s >= 0 && int(s) < len(shapeNames) {
		return shapeNames[s]
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// ParseShape returns the shape named by s ("uniform", "popular",
// "clustered" or "conflicts").
func ParseShape(s string) (Shape, error) {
	for i, n := range shapeNames {
		if n == s {
			return Shape(i), nil
		}
	}
	return 0, fmt.Errorf("assigntest: unknown shape %q, want one of %q", s, shapeNames[:])
}

// Shapes lists every shape.
func Shapes() []Shape { return []Shape{Uniform, Popular, Clustered, Conflicts} }

// Config describes an instance. Zero fields take the documented defaults.
type Config struct {
	Shape          Shape
	Items, Experts int
	Seed           uint64
	TopK           int     // list only each item's TopK experts (0: dense)
	Topics         int     // topics of the mixtures; 0 means 8
	Pop            float64 // Popular: weight of popularity; 0 means 0.7
	Alpha          float64 // Popular: Pareto tail index; 0 means 1.5
	Clusters       int     // Clustered: number of clusters; 0 means 20
	Institutions   int     // Conflicts: number of institutions; 0 means 40
	ConflictRate   float64 // Conflicts: share of other pairs in conflict; 0 means 0.05
}

// Instance is a generated instance. Exactly one of Affinity (dense,
// [item][expert]) and Scores (the listed pairs, item by item) is set;
// Conflicts lists forbidden pairs.
type Instance struct {
	Experts, Items []string
	Affinity       [][]float64
	Scores         []Score
	Conflicts      []Pair
}

// Score is the affinity of one listed pair.
type Score struct {
	Item, Expert int
	Value        float64
}

// Pair is an (item, expert) pair.
type Pair struct {
	Item, Expert int
}

// Generate builds the instance c describes.
func Generate(c Config) (*Instance, error) {
	if c.Items <= 0 || c.Experts <= 0 {
		return nil, fmt.Errorf("assigntest: need positive items and experts, got %d and %d", c.Items, c.Experts)
	}
	if c.TopK < 0 {
		return nil, fmt.Errorf("assigntest: negative TopK %d", c.TopK)
	}
	if c.Topics == 0 {
		c.Topics = 8
	}
	if c.Pop == 0 {
		c.Pop = 0.7
	}
	if c.Alpha == 0 {
		c.Alpha = 1.5
	}
	if c.Clusters == 0 {
		c.Clusters = 20
	}
	if c.Institutions == 0 {
		c.Institutions = 40
	}
	if c.ConflictRate == 0 {
		c.ConflictRate = 0.05
	}
	switch {
	case c.Topics < 0 || c.Clusters < 0 || c.Institutions < 0:
		return nil, errors.New("assigntest: negative Topics, Clusters or Institutions")
	case !(c.Pop >= 0 && c.Pop <= 1):
		return nil, fmt.Errorf("assigntest: Pop %v outside [0,1]", c.Pop)
	case !(c.Alpha > 0) || math.IsInf(c.Alpha, 0):
		return nil, fmt.Errorf("assigntest: Alpha %v is not positive", c.Alpha)
	case !(c.ConflictRate >= 0 && c.ConflictRate < 1):
		return nil, fmt.Errorf("assigntest: ConflictRate %v outside [0,1)", c.ConflictRate)
	case c.Shape < Uniform || c.Shape > Conflicts:
		return nil, fmt.Errorf("assigntest: unknown shape %v", c.Shape)
	}
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed))
	in := &Instance{Experts: make([]string, c.Experts), Items: make([]string, c.Items)}
	for e := range in.Experts {
		in.Experts[e] = fmt.Sprintf("e%d", e)
	}
	for i := range in.Items {
		in.Items[i] = fmt.Sprintf("i%d", i)
	}
	var rowOf func(i int, row []float64)
	var forbid func(i, e int) bool
	switch c.Shape {
	case Uniform:
		rowOf = func(i int, row []float64) {
			for e := range row {
				row[e] = rng.Float64()
			}
		}
	case Popular:
		ex := mixtures(rng, c.Experts, c.Topics, nil)
		pop := make([]float64, c.Experts)
		top := 0.0
		for e := range pop {
			pop[e] = math.Pow(1-rng.Float64(), -1/c.Alpha) // Pareto(1, α)
			top = max(top, pop[e])
		}
		for e := range pop {
			pop[e] /= top
		}
		rowOf = func(i int, row []float64) {
			it := mixture(rng, c.Topics, -1)
			for e := range row {
				row[e] = c.Pop*pop[e] + (1-c.Pop)*dot(it, ex[e])
			}
		}
	case Clustered:
		k := max(1, c.Clusters)
		ec := make([]int, c.Experts)
		for e := range ec {
			ec[e] = rng.IntN(k) // experts: even over clusters
		}
		ex := mixtures(rng, c.Experts, k, ec)
		rowOf = func(i int, row []float64) {
			cl := zipf(rng, k, 1) // items: crowded first clusters
			it := mixture(rng, k, cl)
			for e := range row {
				row[e] = dot(it, ex[e])
			}
		}
	case Conflicts:
		n := max(1, c.Institutions)
		centre := mixtures(rng, n, c.Topics, nil)
		ei := make([]int, c.Experts)
		ex := make([][]float64, c.Experts)
		for e := range ex {
			ei[e] = zipf(rng, n, 1)
			ex[e] = blend(mixture(rng, c.Topics, -1), centre[ei[e]])
		}
		var inst int
		rowOf = func(i int, row []float64) {
			inst = zipf(rng, n, 1)
			it := blend(mixture(rng, c.Topics, -1), centre[inst])
			for e := range row {
				row[e] = dot(it, ex[e])
			}
		}
		forbid = func(i, e int) bool { return ei[e] == inst || rng.Float64() < c.ConflictRate }
	}
	row := make([]float64, c.Experts)
	if c.TopK == 0 {
		in.Affinity = make([][]float64, c.Items)
		flat := make([]float64, c.Items*c.Experts)
		for i := range in.Affinity {
			in.Affinity[i] = flat[i*c.Experts : (i+1)*c.Experts : (i+1)*c.Experts]
		}
	}
	order := make([]int32, c.Experts)
	for i := range c.Items {
		if in.Affinity != nil {
			row = in.Affinity[i]
		}
		rowOf(i, row)
		if forbid != nil {
			for e := range row {
				if forbid(i, e) {
					in.Conflicts = append(in.Conflicts, Pair{i, e})
				}
			}
		}
		if c.TopK == 0 {
			continue
		}
		for e := range order {
			order[e] = int32(e)
		}
		slices.SortFunc(order, func(a, b int32) int {
			if row[a] != row[b] {
				if row[a] > row[b] {
					return -1
				}
				return 1
			}
			return int(a - b)
		})
		list := order[:min(c.TopK, len(order))]
		slices.Sort(list)
		for _, e := range list {
			in.Scores = append(in.Scores, Score{i, int(e), row[e]})
		}
	}
	return in, nil
}

// mixture draws a topic mixture over t topics (squared exponential
// weights, unit length); with focus ≥ 0, topic focus gets most weight.
func mixture(rng *rand.Rand, t, focus int) []float64 {
	v := make([]float64, t)
	var norm float64
	for j := range v {
		v[j] = rng.ExpFloat64()
		v[j] *= v[j]
		if j == focus {
			v[j] += 4 * float64(t)
		}
	}
	for _, x := range v {
		norm += x * x
	}
	norm = math.Sqrt(norm)
	for j := range v {
		v[j] /= norm
	}
	return v
}

// mixtures draws n mixtures; focus, if not nil, gives each one's topic.
func mixtures(rng *rand.Rand, n, t int, focus []int) [][]float64 {
	m := make([][]float64, n)
	for j := range m {
		f := -1
		if focus != nil {
			f = focus[j]
		}
		m[j] = mixture(rng, t, f)
	}
	return m
}

// blend returns the normalized sum of two unit vectors.
func blend(a, b []float64) []float64 {
	v := make([]float64, len(a))
	var norm float64
	for j := range v {
		v[j] = a[j] + b[j]
		norm += v[j] * v[j]
	}
	norm = math.Sqrt(norm)
	for j := range v {
		v[j] /= norm
	}
	return v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for j := range a {
		s += a[j] * b[j]
	}
	return s
}

// zipf draws from {0..n-1} with P(j) ∝ 1/(j+1)^s.
func zipf(rng *rand.Rand, n int, s float64) int {
	total := 0.0
	for j := range n {
		total += math.Pow(float64(j+1), -s)
	}
	u := rng.Float64() * total
	for j := range n {
		u -= math.Pow(float64(j+1), -s)
		if u < 0 {
			return j
		}
	}
	return n - 1
}
