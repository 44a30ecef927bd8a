package assign

import (
	"math"
	"slices"
)

// Problem is one expert-assignment instance. Experts and items are
// identified by their index in Experts and Items; the strings are their IDs
// and are used in error messages and by [Builder].
//
// Affinity is given either densely (Affinity, indexed [item][expert]) or
// sparsely (Scores); exactly one of the two may be set. With Scores, a pair
// that is not listed has affinity 0 and is allowed, unless ListedOnly is set,
// in which case only listed pairs may be assigned.
type Problem struct {
	Experts []string // expert IDs; len(Experts) is the number of experts
	Items   []string // item IDs; len(Items) is the number of items

	// Affinity[i][e] is the affinity of expert e for item i (dense form).
	// Values on forbidden pairs are ignored; all others must be finite.
	Affinity [][]float64
	// Scores lists affinities of some pairs (sparse form).
	Scores []Score
	// ListedOnly restricts the sparse form to the listed pairs.
	ListedOnly bool

	// Cover is the number of experts every item needs (k); CoverOverride
	// replaces it for some items (item index → k).
	Cover         int
	CoverOverride map[int]int

	// MinLoad and MaxLoad bound the number of items per expert; LoadOverride
	// replaces both for some experts (expert index → bounds).
	MinLoad, MaxLoad int
	LoadOverride     map[int]Load

	// Forbidden pairs may not be assigned (conflicts of interest); the
	// reason is reported when a conflict makes the instance infeasible.
	// Forced pairs must be assigned; they count towards coverage and load.
	Forbidden []Conflict
	Forced    []Pair
}

// Score is the affinity of one (expert, item) pair in the sparse form.
type Score struct {
	Expert, Item int
	Value        float64
}

// Pair is one (expert, item) pair.
type Pair struct {
	Expert, Item int
}

// Conflict is a forbidden pair with the reason it is forbidden, e.g.
// "same institution".
type Conflict struct {
	Expert, Item int
	Reason       string
}

// Load is an expert's minimum and maximum number of items.
type Load struct {
	Min, Max int
}

// cover returns item i's coverage.
func (p *Problem) cover(i int) int {
	if k, ok := p.CoverOverride[i]; ok {
		return k
	}
	return p.Cover
}

// load returns expert e's load bounds.
func (p *Problem) load(e int) Load {
	if l, ok := p.LoadOverride[e]; ok {
		return l
	}
	return Load{p.MinLoad, p.MaxLoad}
}

// validate checks the shape and values of p and returns an *InvalidError
// listing every problem found (up to a limit).
func (p *Problem) validate() error {
	var v InvalidError
	nE, nI := len(p.Experts), len(p.Items)
	if nE == 0 {
		v.add("Experts", -1, "no experts")
	}
	if nI == 0 {
		v.add("Items", -1, "no items")
	}
	checkIDs(&v, "Experts", p.Experts)
	checkIDs(&v, "Items", p.Items)
	if p.Affinity != nil && p.Scores != nil {
		v.add("Affinity", -1, "both dense Affinity and sparse Scores are set")
	}
	if p.ListedOnly && p.Affinity != nil {
		v.add("ListedOnly", -1, "ListedOnly applies to sparse Scores only")
	}
	if p.Cover < 0 {
		v.addf("Cover", -1, "negative coverage %d", p.Cover)
	}
	for i, k := range p.CoverOverride {
		if i < 0 || i >= nI {
			v.addf("CoverOverride", i, "item index out of range [0,%d)", nI)
		} else if k < 0 {
			v.addf("CoverOverride", i, "negative coverage %d for item %q", k, p.Items[i])
		}
	}
	if p.MinLoad < 0 {
		v.addf("MinLoad", -1, "negative minimum load %d", p.MinLoad)
	}
	if p.MaxLoad < 0 {
		v.addf("MaxLoad", -1, "negative maximum load %d", p.MaxLoad)
	}
	if p.MinLoad > p.MaxLoad {
		v.addf("MinLoad", -1, "minimum load %d exceeds maximum load %d", p.MinLoad, p.MaxLoad)
	}
	for e, l := range p.LoadOverride {
		switch {
		case e < 0 || e >= nE:
			v.addf("LoadOverride", e, "expert index out of range [0,%d)", nE)
		case l.Min < 0 || l.Max < 0:
			v.addf("LoadOverride", e, "negative load bound %+v for expert %q", l, p.Experts[e])
		case l.Min > l.Max:
			v.addf("LoadOverride", e, "minimum load %d exceeds maximum load %d for expert %q", l.Min, l.Max, p.Experts[e])
		}
	}
	if p.Affinity != nil {
		if len(p.Affinity) != nI {
			v.addf("Affinity", -1, "has %d rows, want one per item (%d)", len(p.Affinity), nI)
		} else {
			for i, row := range p.Affinity {
				if len(row) != nE {
					v.addf("Affinity", i, "row of item %q has %d values, want one per expert (%d)", p.Items[i], len(row), nE)
				}
			}
		}
	}
	for j, s := range p.Scores {
		if s.Expert < 0 || s.Expert >= nE || s.Item < 0 || s.Item >= nI {
			v.addf("Scores", j, "pair (expert %d, item %d) out of range", s.Expert, s.Item)
		}
	}
	for j, c := range p.Forbidden {
		if c.Expert < 0 || c.Expert >= nE || c.Item < 0 || c.Item >= nI {
			v.addf("Forbidden", j, "pair (expert %d, item %d) out of range", c.Expert, c.Item)
		}
	}
	seen := make(map[Pair]bool, len(p.Forced))
	for j, f := range p.Forced {
		if f.Expert < 0 || f.Expert >= nE || f.Item < 0 || f.Item >= nI {
			v.addf("Forced", j, "pair (expert %d, item %d) out of range", f.Expert, f.Item)
			continue
		}
		if seen[f] {
			v.addf("Forced", j, "pair (expert %q, item %q) forced twice", p.Experts[f.Expert], p.Items[f.Item])
		}
		seen[f] = true
	}
	if len(v.Issues) > 0 {
		return &v
	}
	// Values: only once shapes are known to be right. A non-finite
	// affinity is allowed on a forbidden pair; the (possibly millions of)
	// forbidden pairs are indexed only if there is one.
	var bad []Pair
	var badAt []int
	if p.Affinity != nil {
		for i, row := range p.Affinity {
			for e, a := range row {
				if math.IsNaN(a) || math.IsInf(a, 0) {
					bad = append(bad, Pair{e, i})
					badAt = append(badAt, i)
				}
			}
		}
	}
	for j, s := range p.Scores {
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			bad = append(bad, Pair{s.Expert, s.Item})
			badAt = append(badAt, j)
		}
	}
	if len(bad) > 0 {
		forb := make(map[Pair]bool, len(bad))
		for _, k := range bad {
			forb[k] = false
		}
		for _, c := range p.Forbidden {
			if _, ok := forb[Pair{c.Expert, c.Item}]; ok {
				forb[Pair{c.Expert, c.Item}] = true
			}
		}
		for n, k := range bad {
			if forb[k] {
				continue
			}
			field, a := "Scores", 0.0
			if p.Affinity != nil {
				field, a = "Affinity", p.Affinity[k.Item][k.Expert]
			} else {
				a = p.Scores[badAt[n]].Value
			}
			v.addf(field, badAt[n], "affinity of expert %q for item %q is %v", p.Experts[k.Expert], p.Items[k.Item], a)
			if len(v.Issues) >= maxIssues {
				return &v
			}
		}
	}
	// Duplicate scores, item by item with a stamp per expert.
	if len(p.Scores) > 0 {
		start := make([]int32, nI+1)
		for _, s := range p.Scores {
			start[s.Item+1]++
		}
		for i := range nI {
			start[i+1] += start[i]
		}
		order := make([]int32, len(p.Scores))
		next := slices.Clone(start[:nI])
		for j, s := range p.Scores {
			order[next[s.Item]] = int32(j)
			next[s.Item]++
		}
		seenAt := make([]int32, nE) // score index + 1 of the item's earlier pair
		for i := range nI {
			list := order[start[i]:start[i+1]]
			for _, j := range list {
				s := p.Scores[j]
				if prev := seenAt[s.Expert]; prev > 0 && p.Scores[prev-1].Item == i {
					v.addf("Scores", max(int(j), int(prev-1)), "pair (expert %q, item %q) listed twice", p.Experts[s.Expert], p.Items[s.Item])
					if len(v.Issues) >= maxIssues {
						return &v
					}
				}
				seenAt[s.Expert] = j + 1
			}
		}
	}
	if len(v.Issues) > 0 {
		return &v
	}
	return nil
}

func checkIDs(v *InvalidError, field string, ids []string) {
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		if id == "" {
			v.add(field, i, "empty ID")
			continue
		}
		if j, ok := seen[id]; ok {
			v.addf(field, i, "duplicate ID %q (also at %d)", id, j)
			continue
		}
		seen[id] = i
	}
}

// Builder assembles a [Problem] from string IDs, as records from a store
// arrive: experts and items are added on first mention and keep the order in
// which they were first seen. The zero value is ready to use.
type Builder struct {
	p       Problem
	experts map[string]int
	items   map[string]int
	scores  map[Pair]int // index into p.Scores
}

// Expert adds expert id if it is new and returns its index.
func (b *Builder) Expert(id string) int {
	if e, ok := b.experts[id]; ok {
		return e
	}
	if b.experts == nil {
		b.experts = make(map[string]int)
	}
	b.experts[id] = len(b.p.Experts)
	b.p.Experts = append(b.p.Experts, id)
	return len(b.p.Experts) - 1
}

// Item adds item id if it is new and returns its index.
func (b *Builder) Item(id string) int {
	if i, ok := b.items[id]; ok {
		return i
	}
	if b.items == nil {
		b.items = make(map[string]int)
	}
	b.items[id] = len(b.p.Items)
	b.p.Items = append(b.p.Items, id)
	return len(b.p.Items) - 1
}

// SetAffinity sets the affinity of an (expert, item) pair, replacing an
// earlier value.
func (b *Builder) SetAffinity(expert, item string, v float64) {
	k := Pair{b.Expert(expert), b.Item(item)}
	if j, ok := b.scores[k]; ok {
		b.p.Scores[j].Value = v
		return
	}
	if b.scores == nil {
		b.scores = make(map[Pair]int)
	}
	b.scores[k] = len(b.p.Scores)
	b.p.Scores = append(b.p.Scores, Score{k.Expert, k.Item, v})
}

// Forbid forbids an (expert, item) pair for the given reason. A pair may be
// forbidden for several reasons.
func (b *Builder) Forbid(expert, item, reason string) {
	b.p.Forbidden = append(b.p.Forbidden, Conflict{b.Expert(expert), b.Item(item), reason})
}

// Force requires an (expert, item) pair in the assignment.
func (b *Builder) Force(expert, item string) {
	b.p.Forced = append(b.p.Forced, Pair{b.Expert(expert), b.Item(item)})
}

// SetCover overrides the coverage of one item.
func (b *Builder) SetCover(item string, k int) {
	i := b.Item(item)
	if b.p.CoverOverride == nil {
		b.p.CoverOverride = make(map[int]int)
	}
	b.p.CoverOverride[i] = k
}

// SetLoad overrides the load bounds of one expert.
func (b *Builder) SetLoad(expert string, min, max int) {
	e := b.Expert(expert)
	if b.p.LoadOverride == nil {
		b.p.LoadOverride = make(map[int]Load)
	}
	b.p.LoadOverride[e] = Load{min, max}
}

// Problem returns the assembled problem with the given default coverage and
// load bounds. The builder keeps no reference to the result's maps and
// slices, so it may be reused.
func (b *Builder) Problem(cover, minLoad, maxLoad int) *Problem {
	p := b.p
	p.Experts = append([]string(nil), b.p.Experts...)
	p.Items = append([]string(nil), b.p.Items...)
	p.Scores = append([]Score(nil), b.p.Scores...)
	p.Forbidden = append([]Conflict(nil), b.p.Forbidden...)
	p.Forced = append([]Pair(nil), b.p.Forced...)
	p.CoverOverride = copyMap(b.p.CoverOverride)
	p.LoadOverride = copyMap(b.p.LoadOverride)
	p.Cover, p.MinLoad, p.MaxLoad = cover, minLoad, maxLoad
	return &p
}

func copyMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	c := make(map[K]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
