package assign

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
)

// DefaultScale is the default factor that turns affinities into integer
// costs: affinities are optimized exactly at a precision of 1e-6.
const DefaultScale = 1e6

// Options tune [Solve]. A nil *Options means the defaults.
type Options struct {
	// Fair maximizes the smallest affinity of any assigned (non-forced)
	// pair first and total affinity second; see the package documentation
	// for what this guarantees about the worst-served item.
	Fair bool
	// Scale turns affinities into integer costs round(a·Scale); 0 means
	// DefaultScale. The optimum is exact for the rounded affinities.
	Scale float64
	// Candidates is the number of best experts per item in the first
	// candidate set; 0 chooses max(4k, 12). It changes speed, never the
	// result.
	Candidates int

	// method selects the flow algorithm; the zero value is cost scaling.
	// The successive-shortest-path method stays reachable for tests and
	// benchmarks that compare the two.
	method method
}

// method is a min-cost-flow algorithm for the candidate graph.
type method uint8

const (
	// methodCS: cost-scaling push–relabel (Goldberg–Tarjan).
	methodCS method = iota
	// methodSSP: successive shortest paths from a price-heuristic start.
	methodSSP
)

// Result is an optimal assignment together with the dual certificate that
// proves it optimal.
type Result struct {
	// Panels[i] lists the experts assigned to item i, ascending.
	Panels [][]int
	// Load[e] is the number of items assigned to expert e.
	Load []int
	// ItemTotal[i] is the summed affinity of item i's panel.
	ItemTotal []float64
	// Total is the summed affinity of all assigned pairs.
	Total float64
	// Objective is the same sum in integer units of 1/Scale: the value that
	// is maximized exactly.
	Objective int64
	// MinItem is the index of the item with the smallest total among items
	// with coverage above zero, or -1 if there is none.
	MinItem int
	// Certificate proves optimality; see [Result.Verify].
	Certificate Certificate
	// Stats describe the work done.
	Stats Stats
}

// Certificate holds the dual solution of the min-cost flow. With
// cost(i,e) = -round(Affinity·Scale), the reduced cost of a free pair is
// cost(i,e) + Item[i] - Expert[e] and that of expert e's load arc is
// Expert[e] - Sink. Complementary slackness — assigned free pairs have
// reduced cost ≤ 0, unassigned allowed ones ≥ 0, experts below their
// maximum load have load-arc reduced cost ≥ 0 and those above their
// minimum ≤ 0 — together with feasibility proves the assignment optimal.
type Certificate struct {
	Scale  float64
	Item   []int64 // item potentials
	Expert []int64 // expert potentials
	Sink   int64   // potential of the sink
	// Threshold is -Inf, or, with Options.Fair, the smallest affinity a
	// free pair may have; pairs below it count as forbidden.
	Threshold float64
}

// Stats describe one solve.
type Stats struct {
	Rounds        int   // pricing rounds (candidate set growths)
	Arcs          int   // expert–item arcs in the final candidate graph
	Augmentations int   // augmenting paths: of the maximum flow (cost scaling) or shortest paths
	Priced        int64 // non-candidate pairs whose reduced cost was checked
	Solves        int   // min-cost-flow solves (more than one with Fair)
	Phases        int   // cost-scaling refinements (ε divided by 8 each)
	Relabels      int64 // cost-scaling relabel operations
	Fallback      bool  // costs too large for cost scaling: shortest paths used
}

// Solve returns an assignment of maximum total affinity, or an error: an
// *InvalidError for a malformed problem, an *InfeasibleError when no
// assignment meets the constraints, or the context's error.
func Solve(ctx context.Context, p *Problem, opts *Options) (*Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Scale == 0 {
		o.Scale = DefaultScale
	}
	if !(o.Scale > 0) || math.IsInf(o.Scale, 0) {
		return nil, &InvalidError{Issues: []Issue{{"Options.Scale", -1, fmt.Sprintf("scale %v is not a positive finite number", o.Scale)}}}
	}
	if o.Candidates < 0 {
		return nil, &InvalidError{Issues: []Issue{{"Options.Candidates", -1, fmt.Sprintf("negative candidate count %d", o.Candidates)}}}
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	in, err := newInstance(p, o)
	if err != nil {
		return nil, err
	}
	res, err := in.solve(ctx)
	if err != nil {
		return nil, err
	}
	if !o.Fair {
		return res, nil
	}
	return in.fair(ctx, res)
}

// instance is a validated problem with forced pairs taken out.
type instance struct {
	p      *Problem
	nE, nI int
	scale  float64
	m      int // candidates per item
	method method
	// maxCost is the largest |cost| of any pair, an upper bound.
	maxCost int64

	k      []int32 // free coverage per item
	lo, hi []int32 // free load bounds per expert
	forced [][]int32
	// blocked[i] lists experts that may not take item i as a free pair:
	// forbidden or forced. Sorted, unique.
	blocked [][]int32
	sparse  [][]Score // per item, sparse form only
	// threshold: free pairs with a smaller affinity are not allowed.
	threshold float64
}

// rowBuf is scratch for one item's row of affinities.
type rowBuf struct {
	aff  []float64
	cost []int64
	ok   []bool
}

func newRowBuf(nE int) *rowBuf {
	return &rowBuf{aff: make([]float64, nE), cost: make([]int64, nE), ok: make([]bool, nE)}
}

func costOf(a, scale float64) int64 { return -int64(math.Round(a * scale)) }

// row fills r with item i's affinities, costs and allowed flags.
func (in *instance) row(i int, r *rowBuf) {
	p := in.p
	switch {
	case p.Affinity != nil:
		copy(r.aff, p.Affinity[i])
		for e := range r.ok {
			r.ok[e] = true
		}
	case p.ListedOnly:
		clear(r.aff)
		clear(r.ok)
		for _, s := range in.sparse[i] {
			r.aff[s.Expert] = s.Value
			r.ok[s.Expert] = true
		}
	default:
		clear(r.aff)
		for e := range r.ok {
			r.ok[e] = true
		}
		for _, s := range in.sparse[i] {
			r.aff[s.Expert] = s.Value
		}
	}
	for _, e := range in.blocked[i] {
		r.ok[e] = false
	}
	t, sc := in.threshold, in.scale
	for e, a := range r.aff {
		if r.ok[e] {
			if a < t {
				r.ok[e] = false
				continue
			}
			r.cost[e] = costOf(a, sc)
		}
	}
}

func newInstance(p *Problem, o Options) (*instance, error) {
	nE, nI := len(p.Experts), len(p.Items)
	in := &instance{p: p, nE: nE, nI: nI, scale: o.Scale, threshold: math.Inf(-1), method: o.method}
	in.k = make([]int32, nI)
	in.lo = make([]int32, nE)
	in.hi = make([]int32, nE)
	in.forced = make([][]int32, nI)
	in.blocked = make([][]int32, nI)
	for i := range nI {
		in.k[i] = int32(p.cover(i))
	}
	for e := range nE {
		l := p.load(e)
		in.lo[e], in.hi[e] = int32(l.Min), int32(l.Max)
	}
	forced := make(map[Pair]bool, len(p.Forced))
	for _, f := range p.Forced {
		forced[f] = true
	}
	var clash []Conflict
	for _, c := range p.Forbidden {
		if len(forced) > 0 && forced[Pair{c.Expert, c.Item}] {
			clash = append(clash, c)
		}
		in.blocked[c.Item] = append(in.blocked[c.Item], int32(c.Expert))
	}
	fE := make([]int32, nE)
	for _, f := range p.Forced {
		in.forced[f.Item] = append(in.forced[f.Item], int32(f.Expert))
		in.blocked[f.Item] = append(in.blocked[f.Item], int32(f.Expert))
		fE[f.Expert]++
	}
	if len(clash) > 0 {
		return nil, in.conflictError(ForcedConflict, "forced pairs are also forbidden", clash)
	}
	var items, experts []string
	for i := range nI {
		in.k[i] -= int32(len(in.forced[i]))
		if in.k[i] < 0 {
			items = append(items, p.Items[i])
		}
		slices.Sort(in.forced[i])
		slices.Sort(in.blocked[i])
		in.blocked[i] = slices.Compact(in.blocked[i])
	}
	if len(items) > 0 {
		return nil, &InfeasibleError{Reason: ForcedCover, Items: items, Detail: "more forced experts than the coverage"}
	}
	for e := range nE {
		in.hi[e] -= fE[e]
		in.lo[e] = max(0, in.lo[e]-fE[e])
		if in.hi[e] < 0 {
			experts = append(experts, p.Experts[e])
		}
	}
	if len(experts) > 0 {
		return nil, &InfeasibleError{Reason: ForcedLoad, Experts: experts, Detail: "more forced items than the maximum load"}
	}
	if p.Affinity == nil {
		in.sparse = make([][]Score, nI)
		for _, s := range p.Scores {
			in.sparse[s.Item] = append(in.sparse[s.Item], s)
		}
	}
	// Totals.
	var need, capHi, capLo int64
	for _, k := range in.k {
		need += int64(k)
	}
	for e := range nE {
		capHi += int64(in.hi[e])
		capLo += int64(in.lo[e])
	}
	if capHi < need {
		return nil, &InfeasibleError{Reason: Capacity, Items: p.Items, Experts: p.Experts,
			Detail: fmt.Sprintf("items need %d expert slots beyond forced pairs, experts' maximum loads give %d", need, capHi)}
	}
	if capLo > need {
		for e := range nE {
			if in.lo[e] > 0 {
				experts = append(experts, p.Experts[e])
			}
		}
		return nil, &InfeasibleError{Reason: MinLoad, Experts: experts,
			Detail: fmt.Sprintf("minimum loads need %d assignments beyond forced pairs, items need only %d", capLo, need)}
	}
	// Scale: keep every potential and objective far from int64 overflow.
	limit := math.Ldexp(1, 62) / float64(2*(nE+nI+1)+int(need))
	maxAbs := 0.0
	for _, row := range p.Affinity {
		for _, a := range row {
			if x := math.Abs(a); x > maxAbs && !math.IsInf(x, 0) && !math.IsNaN(x) {
				maxAbs = x
			}
		}
	}
	for _, s := range p.Scores {
		if x := math.Abs(s.Value); x > maxAbs && !math.IsInf(x, 0) && !math.IsNaN(x) {
			maxAbs = x
		}
	}
	if maxAbs*o.Scale > limit {
		return nil, &InvalidError{Issues: []Issue{{"Affinity", -1,
			fmt.Sprintf("largest |affinity| %g times scale %g exceeds %g; lower Options.Scale", maxAbs, o.Scale, limit)}}}
	}
	in.maxCost = int64(math.Ceil(maxAbs*o.Scale)) + 1
	in.m = o.Candidates
	if in.m == 0 {
		maxK := int32(0)
		for _, k := range in.k {
			maxK = max(maxK, k)
		}
		in.m = max(4*int(maxK), 12)
	}
	return in, nil
}

func (in *instance) conflictError(r Reason, detail string, cs []Conflict) *InfeasibleError {
	e := &InfeasibleError{Reason: r, Detail: detail, Conflicts: cs}
	seenI, seenE := map[int]bool{}, map[int]bool{}
	for _, c := range cs {
		if !seenI[c.Item] {
			seenI[c.Item] = true
			e.Items = append(e.Items, in.p.Items[c.Item])
		}
		if !seenE[c.Expert] {
			seenE[c.Expert] = true
			e.Experts = append(e.Experts, in.p.Experts[c.Expert])
		}
		e.conflictText = append(e.conflictText, fmt.Sprintf("%s/%s: %s", in.p.Experts[c.Expert], in.p.Items[c.Item], c.Reason))
	}
	return e
}

// cand is a candidate (cost, expert) during selection.
type cand struct {
	cost int64
	e    int32
	tie  uint32 // breaks ties in cost before e (0 unless spread)
}

func candLess(a, b cand) bool {
	return a.cost < b.cost || a.cost == b.cost && (a.tie < b.tie || a.tie == b.tie && a.e < b.e)
}

// tie returns the tie-breaker of pair (i, e): a hash with the cost-scaling
// method, so that items that value many experts equally (unlisted pairs
// all have affinity 0) do not all pick the same lowest-numbered ones; 0
// with the shortest-path method, which keeps its former behaviour.
func (s *solver) tie(i, e int) uint32 {
	if !s.lazy {
		return 0
	}
	x := uint64(i)<<32 | uint64(e)
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return uint32(x)
}

// insertBounded inserts c into the ascending list s of at most n entries.
func insertBounded(s []cand, c cand, n int) []cand {
	if len(s) == n && !candLess(c, s[n-1]) {
		return s
	}
	if len(s) < n {
		s = append(s, c)
	} else {
		s[n-1] = c
	}
	for j := len(s) - 1; j > 0 && candLess(s[j], s[j-1]); j-- {
		s[j], s[j-1] = s[j-1], s[j]
	}
	return s
}

// solver holds the flow network of one solve.
type solver struct {
	in       *instance
	g        *graph
	sink     int32
	sinkArc  []int32 // per expert, arc expert→sink
	row      *rowBuf
	mark     []int32 // per expert: item+1 whose arcs are marked
	stats    Stats
	expanded []bool // per item: all allowed arcs present
	// lazy: arcs added by expand carry no flow (the cost-scaling method
	// routes flow by maximum flow first, ignoring costs).
	lazy bool
}

func (in *instance) expertNode(e int) int32 { return int32(in.nI + e) }

// solve computes a max-affinity assignment for the current threshold
// with the instance's method.
func (in *instance) solve(ctx context.Context) (*Result, error) {
	if in.method == methodSSP {
		return in.solveSSP(ctx)
	}
	return in.solveCS(ctx)
}

func newSolver(in *instance) *solver {
	return &solver{in: in, sink: int32(in.nI + in.nE), row: newRowBuf(in.nE),
		mark: make([]int32, in.nE), expanded: make([]bool, in.nI)}
}

// candidates returns the first candidate lists: each item's m best allowed
// experts, and every expert's max_e+2 best items merged into the items'
// lists. It marks items whose lists hold every allowed expert as expanded,
// and reports items with fewer allowed experts than their coverage and
// experts with fewer allowed items than their minimum load.
func (s *solver) candidates() ([][]cand, error) {
	in := s.in
	nI, nE := in.nI, in.nE
	// Per-expert candidates: every expert's best items, so that experts
	// nobody ranks first can still absorb flow or reach a minimum load.
	perExpert := make([][]cand, nE)
	perSize := make([]int, nE)
	for e := range nE {
		perSize[e] = min(in.m, int(in.hi[e])+2)
		perExpert[e] = make([]cand, 0, perSize[e])
	}
	var badItems []int
	allowedE := make([]int32, nE)
	cands := make([][]cand, nI)
	buf := make([]cand, 0, in.m)
	r := s.row
	for i := range nI {
		in.row(i, r)
		buf = buf[:0]
		n := 0
		mi := max(in.m, int(in.k[i]))
		for e, ok := range r.ok {
			if !ok {
				continue
			}
			n++
			allowedE[e]++
			buf = insertBounded(buf, cand{cost: r.cost[e], e: int32(e)}, mi)
			perExpert[e] = insertBounded(perExpert[e], cand{cost: r.cost[e], e: int32(i)}, perSize[e])
		}
		if n < int(in.k[i]) {
			badItems = append(badItems, i)
			continue
		}
		cands[i] = slices.Clone(buf)
		if n == len(buf) {
			s.expanded[i] = true
		}
	}
	if len(badItems) > 0 {
		return nil, in.itemConflictError(badItems, s.row)
	}
	var badExperts []string
	for e := range nE {
		if allowedE[e] < in.lo[e] {
			badExperts = append(badExperts, in.p.Experts[e])
		}
	}
	if len(badExperts) > 0 {
		return nil, &InfeasibleError{Reason: MinLoad, Experts: badExperts,
			Detail: "fewer allowed items than the minimum load"}
	}
	// Merge the per-expert candidates into the items' lists.
	for e, list := range perExpert {
		for _, c := range list {
			i := c.e
			if !s.expanded[i] && !slices.ContainsFunc(cands[i], func(x cand) bool { return x.e == int32(e) }) {
				cands[i] = append(cands[i], cand{cost: c.cost, e: int32(e)})
			}
		}
	}
	return cands, nil
}

// solveSSP is the successive-shortest-path method: each candidate round
// is solved from a price-heuristic start by Dijkstra augmentations.
func (in *instance) solveSSP(ctx context.Context) (*Result, error) {
	nI, nE := in.nI, in.nE
	s := newSolver(in)
	cands, err := s.candidates()
	if err != nil {
		return nil, err
	}
	var price []int64
	augs := 0
	for {
		s.build(ctx, cands, price)
		g := s.g
		for {
			stuck, err := g.run(ctx)
			if err != nil {
				return nil, err
			}
			if !stuck {
				break
			}
			grown, err := s.expand()
			if err != nil {
				return nil, err
			}
			if !grown {
				return nil, s.stuckError()
			}
		}
		augs += g.augmentations
		s.stats.Rounds++
		viol, added, err := s.price(ctx)
		if err != nil {
			return nil, err
		}
		if added == 0 {
			break
		}
		// Re-solve on the grown candidate set, starting from the prices
		// the potentials give: far less to reroute than saturating every
		// violating pair in place.
		price = make([]int64, nE)
		for e := range nE {
			price[e] = g.pot[s.sink] - g.pot[in.expertNode(e)]
		}
		for i := range nI {
			list := cands[i][:0]
			for _, a := range g.adj[i] {
				list = append(list, cand{cost: g.cost[a], e: g.to[a] - int32(nI)})
			}
			cands[i] = append(list, viol[i]...)
		}
	}
	res := s.result()
	res.Stats.Augmentations = augs
	return res, nil
}

// build makes a fresh flow network on the candidate lists and starts it
// from the pseudo-flow in which every item takes its k experts of least
// price-adjusted cost, with potentials that make it reduced-cost optimal.
// Good prices leave little for the shortest paths to reroute; any prices
// are correct.
func (s *solver) build(ctx context.Context, cands [][]cand, init []int64) {
	in := s.in
	nI, nE := in.nI, in.nE
	g := newGraph(nI + nE + 1)
	s.g = g
	clear(s.mark)
	s.sinkArc = s.sinkArc[:0]
	var need, capLo int64
	for e := range nE {
		s.sinkArc = append(s.sinkArc, g.addArc(in.expertNode(e), s.sink, in.hi[e]-in.lo[e], 0))
		g.excess[in.expertNode(e)] = -int64(in.lo[e])
		capLo += int64(in.lo[e])
	}
	for _, k := range in.k {
		need += int64(k)
	}
	g.excess[s.sink] = -(need - capLo)
	price := in.warmPrices(ctx, cands, init)
	for i, list := range cands {
		k := int(in.k[i])
		g.excess[i] = int64(k)
		if len(list) > 0 {
			j := max(k-1, 0)
			g.pot[i] = -(list[j].cost + price[list[j].e])
		}
		for j, c := range list {
			a := g.addArc(int32(i), in.expertNode(int(c.e)), 1, c.cost)
			if j < k {
				g.push(a, 1)
			}
		}
	}
	for e := range nE {
		g.pot[in.expertNode(e)] = -price[e]
		a := s.sinkArc[e]
		switch rc := g.reduced(a); {
		case rc < 0:
			g.push(a, g.cap[a])
		case rc == 0:
			if x := g.excess[in.expertNode(e)]; x > 0 {
				g.push(a, int32(min(x, int64(g.cap[a]))))
			}
		}
	}
}

// hasArc marks item i's current experts in s.mark.
func (s *solver) markItem(i int) {
	for _, a := range s.g.adj[i] {
		s.mark[int(s.g.to[a])-s.in.nI] = int32(i + 1)
	}
}

// addPair adds arc item→expert unless present, saturating it when its
// reduced cost is negative (keeping reduced-cost optimality). It reports
// whether the arc is new.
func (s *solver) addPair(i, e int, cost int64) bool {
	g := s.g
	if s.mark[e] == int32(i+1) {
		return false
	}
	for _, a := range g.adj[i] {
		if int(g.to[a])-s.in.nI == e {
			return false
		}
	}
	a := g.addArc(int32(i), s.in.expertNode(e), 1, cost)
	if !s.lazy && g.reduced(a) < 0 {
		g.push(a, 1)
	}
	s.mark[e] = int32(i + 1)
	return true
}

// price checks the reduced cost of every allowed pair outside the graph
// and returns, per item, those that are negative (up to m, most negative
// first) with their costs, and their number.
func (s *solver) price(ctx context.Context) ([][]cand, int, error) {
	in, g, r := s.in, s.g, s.row
	added := 0
	viol := make([][]cand, in.nI)
	buf := make([]cand, 0, in.m)
	pot := g.pot[in.nI : in.nI+in.nE]
	for i := range in.nI {
		if i&63 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		if s.expanded[i] {
			continue
		}
		in.row(i, r)
		s.markItem(i)
		pi := g.pot[i]
		stamp := int32(i + 1)
		buf = buf[:0]
		for e, ok := range r.ok {
			if !ok || s.mark[e] == stamp {
				continue
			}
			s.stats.Priced++
			if rc := r.cost[e] + pi - pot[e]; rc < 0 {
				buf = insertBounded(buf, cand{rc, int32(e), s.tie(i, e)}, in.m)
			}
		}
		for _, c := range buf {
			viol[i] = append(viol[i], cand{cost: r.cost[c.e], e: c.e})
		}
		added += len(buf)
	}
	return viol, added, nil
}

// expand grows the graph after the flow got stuck: every item reachable
// from an excess node gets arcs to its m allowed experts of least reduced
// cost among those that can still take flow (spare capacity or unmet
// minimum), and to its m missing experts of least reduced cost overall. It
// reports whether any arc was added; if none was, every reachable item has
// all its allowed arcs and the instance is infeasible.
func (s *solver) expand() (bool, error) {
	in, g, r := s.in, s.g, s.row
	grown := false
	reach := slices.Clone(g.settled)
	open := make([]cand, 0, in.m)
	any := make([]cand, 0, in.m)
	pot := g.pot[in.nI : in.nI+in.nE]
	for _, v := range reach {
		i := int(v)
		if i >= in.nI || s.expanded[i] {
			continue
		}
		in.row(i, r)
		s.markItem(i)
		stamp := int32(i + 1)
		pi := g.pot[i]
		open, any = open[:0], any[:0]
		missing := 0
		for e, ok := range r.ok {
			if !ok || s.mark[e] == stamp {
				continue
			}
			missing++
			c := cand{r.cost[e] + pi - pot[e], int32(e), s.tie(i, e)}
			if g.cap[s.sinkArc[e]] > 0 || g.excess[in.expertNode(e)] < 0 {
				open = insertBounded(open, c, in.m)
			}
			any = insertBounded(any, c, in.m)
		}
		if s.lazy && len(open) > 0 {
			// Arcs to experts that can take flow open augmenting paths;
			// the others are needed only when there are none.
			any = any[:0]
		}
		added := 0
		for _, list := range [][]cand{open, any} {
			for _, c := range list {
				if s.addPair(i, int(c.e), r.cost[c.e]) {
					added++
				}
			}
		}
		if added > 0 {
			grown = true
		}
		if added == missing {
			s.expanded[i] = true
		}
	}
	return grown, nil
}

// stuckError explains why flow cannot be routed in the complete graph.
func (s *solver) stuckError() error {
	in, g := s.in, s.g
	var experts []string
	var short []int
	for e := range in.nE {
		if g.excess[in.expertNode(e)] < 0 {
			short = append(short, e)
			experts = append(experts, in.p.Experts[e])
		}
	}
	if len(short) > 0 {
		// The items open to these experts are all needed elsewhere.
		seen := map[int]bool{}
		var items []string
		for i := range in.nI {
			in.row(i, s.row)
			for _, e := range short {
				if s.row.ok[e] && !seen[i] {
					seen[i] = true
					items = append(items, in.p.Items[i])
				}
			}
		}
		return &InfeasibleError{Reason: MinLoad, Experts: experts, Items: items,
			Detail: "these experts cannot reach their minimum load: the items open to them are needed by other experts"}
	}
	var items []string
	for _, v := range g.settled {
		switch {
		case int(v) < in.nI:
			items = append(items, in.p.Items[v])
		case v != s.sink:
			experts = append(experts, in.p.Experts[int(v)-in.nI])
		}
	}
	sort.Strings(items)
	sort.Strings(experts)
	return &InfeasibleError{Reason: Capacity, Items: items, Experts: experts,
		Detail: "these items compete for these experts, who are all at their maximum load"}
}

func (in *instance) itemConflictError(bad []int, r *rowBuf) error {
	var cs []Conflict
	var items []string
	isBad := make(map[int]bool, len(bad))
	for _, i := range bad {
		isBad[i] = true
		items = append(items, in.p.Items[i])
	}
	for _, c := range in.p.Forbidden {
		if isBad[c.Item] {
			cs = append(cs, c)
		}
	}
	e := in.conflictError(ItemConflicts, "", cs)
	e.Items = items
	i := bad[0]
	in.row(i, r)
	n := 0
	for _, ok := range r.ok {
		if ok {
			n++
		}
	}
	e.Detail = fmt.Sprintf("item %q needs %d more experts but only %d are allowed", in.p.Items[i], in.k[i], n)
	if len(bad) > 1 {
		e.Detail += fmt.Sprintf(" (and %d more items)", len(bad)-1)
	}
	return e
}

// result reads the assignment and the certificate off the flow.
func (s *solver) result() *Result {
	in, g, p := s.in, s.g, s.in.p
	res := &Result{
		Panels:    make([][]int, in.nI),
		Load:      make([]int, in.nE),
		ItemTotal: make([]float64, in.nI),
		MinItem:   -1,
	}
	for i := range in.nI {
		panel := make([]int, 0, int(in.k[i])+len(in.forced[i]))
		for _, e := range in.forced[i] {
			panel = append(panel, int(e))
		}
		for _, a := range g.adj[i] {
			if g.cap[a] == 0 {
				panel = append(panel, int(g.to[a])-in.nI)
			}
		}
		slices.Sort(panel)
		res.Panels[i] = panel
		var sum float64
		for _, e := range panel {
			a := p.affinity(i, e, in.sparse)
			sum += a
			res.Objective -= costOf(a, in.scale)
			res.Load[e]++
		}
		res.ItemTotal[i] = sum
		res.Total += sum
		if p.cover(i) > 0 && (res.MinItem < 0 || sum < res.ItemTotal[res.MinItem]) {
			res.MinItem = i
		}
	}
	res.Certificate = Certificate{
		Scale:     in.scale,
		Item:      slices.Clone(g.pot[:in.nI]),
		Expert:    slices.Clone(g.pot[in.nI : in.nI+in.nE]),
		Sink:      g.pot[s.sink],
		Threshold: in.threshold,
	}
	for i := range in.nI {
		s.stats.Arcs += len(g.adj[i])
	}
	s.stats.Augmentations = g.augmentations
	s.stats.Solves = 1
	res.Stats = s.stats
	return res
}

// affinity returns the affinity of (item i, expert e); sparse is the
// per-item index of Scores (nil for the dense form).
func (p *Problem) affinity(i, e int, sparse [][]Score) float64 {
	if p.Affinity != nil {
		return p.Affinity[i][e]
	}
	for _, s := range sparse[i] {
		if s.Expert == e {
			return s.Value
		}
	}
	return 0
}

// fair runs the bottleneck bisection: it finds the largest threshold τ such
// that an assignment using only free pairs with affinity ≥ τ exists, then
// returns the max-affinity assignment among those.
func (in *instance) fair(ctx context.Context, best *Result) (*Result, error) {
	solves := best.Stats.Solves
	// Lower end: the smallest free affinity in the unrestricted optimum.
	lo := math.Inf(1)
	for i, panel := range best.Panels {
		for _, e := range panel {
			if !slices.Contains(in.forced[i], int32(e)) {
				lo = min(lo, in.p.affinity(i, e, in.sparse))
			}
		}
	}
	if math.IsInf(lo, 1) { // nothing free to assign
		best.Certificate.Threshold = math.Inf(-1)
		return best, nil
	}
	// Upper end: every item must keep k allowed pairs ≥ τ.
	hi := math.Inf(1)
	r := newRowBuf(in.nE)
	kth := make([]float64, 0, 8)
	for i := range in.nI {
		k := int(in.k[i])
		if k == 0 {
			continue
		}
		in.row(i, r)
		kth = kth[:0]
		for e, ok := range r.ok {
			if !ok {
				continue
			}
			a := r.aff[e]
			if len(kth) < k {
				kth = append(kth, a)
				slices.Sort(kth)
			} else if a > kth[0] {
				kth[0] = a
				slices.Sort(kth)
			}
		}
		hi = min(hi, kth[0])
	}
	var vals []float64
	for i := range in.nI {
		in.row(i, r)
		for e, ok := range r.ok {
			if ok && r.aff[e] >= lo && r.aff[e] <= hi {
				vals = append(vals, r.aff[e])
			}
		}
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	// vals[0] == lo is feasible (best). Find the last feasible index.
	good, bad := 0, len(vals)
	for bad-good > 1 {
		mid := (good + bad) / 2
		in.threshold = vals[mid]
		res, err := in.solve(ctx)
		solves++
		if err != nil {
			if _, ok := err.(*InfeasibleError); ok {
				bad = mid
				continue
			}
			return nil, err
		}
		good, best = mid, res
	}
	in.threshold = vals[good]
	if good == 0 {
		// Re-solve so that the certificate carries the threshold.
		res, err := in.solve(ctx)
		solves++
		if err != nil {
			return nil, err
		}
		best = res
	}
	best.Stats.Solves = solves
	return best, nil
}

// warmPrices computes expert prices (added to costs) such that items
// choosing their k cheapest candidates at these prices roughly respect the
// load bounds: a few rounds of a price-adjustment (tâtonnement) heuristic
// in which over-demanded experts raise their price just enough to shed the
// surplus and under-used ones lower it (below zero only to reach a minimum
// load), starting from init (nil means zero). The prices only affect speed: any prices give a valid start. On
// return every list in cands is sorted by price-adjusted cost.
func (in *instance) warmPrices(ctx context.Context, cands [][]cand, init []int64) []int64 {
	nE := in.nE
	price := make([]int64, nE)
	copy(price, init)
	users := make([][]int32, nE) // items listing each expert
	for i, list := range cands {
		for _, c := range list {
			users[c.e] = append(users[c.e], int32(i))
		}
	}
	kth := make([]int64, in.nI)  // k-th smallest adjusted cost
	next := make([]int64, in.nI) // (k+1)-th smallest, or MaxInt64
	load := make([]int32, nE)
	less := func(a, b cand) bool {
		x, y := a.cost+price[a.e], b.cost+price[b.e]
		return x < y || x == y && a.e < b.e
	}
	const rounds = 50
	var delta []int64
	for round := 0; ; round++ {
		clear(load)
		for i, list := range cands {
			for j := 1; j < len(list); j++ { // insertion sort: nearly sorted
				for h := j; h > 0 && less(list[h], list[h-1]); h-- {
					list[h], list[h-1] = list[h-1], list[h]
				}
			}
			k := int(in.k[i])
			kth[i], next[i] = math.MinInt64, math.MaxInt64
			if k > 0 {
				kth[i] = list[k-1].cost + price[list[k-1].e]
			}
			if k < len(list) {
				next[i] = list[k].cost + price[list[k].e]
			}
			for _, c := range list[:k] {
				load[c.e]++
			}
		}
		if round == rounds || ctx.Err() != nil {
			break
		}
		off := 0
		for e := range nE {
			off += int(max(load[e]-in.hi[e], in.lo[e]-load[e], 0))
		}
		if off == 0 {
			break
		}
		for e := range nE {
			l, lo, hi := load[e], in.lo[e], in.hi[e]
			raise := l > hi || (l > lo && price[e] < 0)
			lower := l < lo || (l < hi && price[e] > 0)
			if !raise && !lower {
				continue
			}
			delta = delta[:0]
			for _, i := range users[e] {
				list := cands[i]
				k := int(in.k[i])
				pos := slices.IndexFunc(list, func(c cand) bool { return c.e == int32(e) })
				c := list[pos].cost + price[e]
				switch {
				case raise && pos < k && next[i] != math.MaxInt64:
					delta = append(delta, next[i]-c+1)
				case lower && pos >= k && k > 0:
					delta = append(delta, c-kth[i])
				}
			}
			if len(delta) == 0 {
				continue
			}
			slices.Sort(delta)
			if raise {
				want := int(l - hi)
				if l <= hi {
					want = int(l - lo)
				}
				d := delta[min(want, len(delta))-1]
				if l <= hi {
					d = min(d, -price[e])
				}
				price[e] += d
			} else {
				want := int(lo - l)
				if l >= lo {
					want = int(hi - l)
				}
				d := delta[min(want, len(delta))-1]
				if l >= lo {
					d = min(d, price[e])
				}
				price[e] -= d
			}
		}
	}
	return price
}
