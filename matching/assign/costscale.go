package assign

import (
	"context"
	"errors"
	"math"
)

// This file holds the cost-scaling method: a maximum flow makes the
// candidate graph's flow feasible (or proves it cannot be), then
// cost-scaling push–relabel (Goldberg and Tarjan, "Finding minimum-cost
// circulations by successive approximation", Math. Oper. Res. 15(3), 1990;
// the price-update heuristic of Goldberg, "An efficient implementation of
// a scaling minimum-cost flow algorithm", J. Algorithms 22, 1997) makes it
// optimal, and a label-correcting pass turns the scaled prices into exact
// integer potentials for the certificate and for pricing.

// errNegativeCycle is internal: exact potentials could not be found, which
// means the flow was not optimal. Solve then falls back to shortest paths.
var errNegativeCycle = errors.New("assign: internal: residual graph has a negative cycle")

// maxflow routes as much excess to deficits as the residual network allows
// (Dinic: breadth-first levels from every excess node, then blocking flows
// by depth-first search). It returns stuck=true when excess remains; then
// g.settled holds exactly the nodes reachable from the excess nodes.
func (g *graph) maxflow(ctx context.Context) (stuck bool, err error) {
	n := len(g.adj)
	level := make([]int32, n)
	it := make([]int32, n)
	queue := make([]int32, 0, n)
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		for v := range level {
			level[v] = -1
		}
		queue = queue[:0]
		for v, x := range g.excess {
			if x > 0 {
				level[v] = 0
				queue = append(queue, int32(v))
			}
		}
		if len(queue) == 0 {
			return false, nil
		}
		found := false
		for h := 0; h < len(queue); h++ {
			u := queue[h]
			if g.excess[u] < 0 {
				found = true
			}
			for _, a := range g.adj[u] {
				if v := g.to[a]; g.cap[a] > 0 && level[v] < 0 {
					level[v] = level[u] + 1
					queue = append(queue, v)
				}
			}
		}
		if !found {
			g.settled = append(g.settled[:0], queue...)
			return true, nil
		}
		clear(it)
		for v := range n {
			for g.excess[v] > 0 {
				f := g.blocking(int32(v), g.excess[v], level, it)
				if f == 0 {
					break
				}
				g.augmentations++
			}
		}
	}
}

// blocking pushes up to f units from u along level-increasing residual
// arcs to the first deficit node and returns the amount pushed.
func (g *graph) blocking(u int32, f int64, level, it []int32) int64 {
	if g.excess[u] < 0 {
		return min(f, -g.excess[u])
	}
	adj := g.adj[u]
	for ; int(it[u]) < len(adj); it[u]++ {
		a := adj[it[u]]
		v := g.to[a]
		if g.cap[a] <= 0 || level[v] != level[u]+1 {
			continue
		}
		if d := g.blocking(v, min(f, int64(g.cap[a])), level, it); d > 0 {
			g.push(a, int32(d))
			return d
		}
	}
	return 0
}

// scaler runs cost-scaling push–relabel on a graph whose flow is feasible
// (every node balanced). Costs are multiplied by alpha = nodes+1, so that
// ε = 1 in scaled units is below 1/nodes in real ones and the final flow
// is optimal (every cycle of the residual graph has cost > -1, hence ≥ 0).
type scaler struct {
	g     *graph
	alpha int64
	p     []int64 // scaled prices: reduced cost α·cost(u,v) + p(u) - p(v)
	eps   int64
	cur   []int32 // current arc per node
	queue []int32 // FIFO of active nodes (excess > 0)
	head  int

	relabels, sinceUpdate int64
	phases                int

	// price-update scratch
	dist   []int64
	done   []bool
	bucket [][]int32
}

// divisor is the factor by which ε shrinks from one refinement to the
// next.
const divisor = 8

func newScaler(g *graph) *scaler {
	n := len(g.adj)
	return &scaler{g: g, alpha: int64(n + 1), p: make([]int64, n), cur: make([]int32, n),
		dist: make([]int64, n), done: make([]bool, n)}
}

// fits reports whether cost scaling can run on costs up to maxCost in
// magnitude without risk of int64 overflow: prices move by at most a few
// times nodes·ε per refinement and ε starts at alpha·maxCost.
func fitsScaling(nodes int, maxCost int64) bool {
	return float64(maxCost)*float64(nodes+1)*float64(nodes+1)*16 < math.Ldexp(1, 62)
}

// run refines from ε0 (the flow is ε0-optimal for the current prices) down
// to ε = 1.
func (s *scaler) run(ctx context.Context, eps0 int64) error {
	for eps := eps0; eps > 1; {
		eps = max(1, eps/divisor)
		if err := s.refine(ctx, eps); err != nil {
			return err
		}
	}
	return nil
}

// refine turns an (ε·divisor)-optimal flow into an ε-optimal one: it
// saturates every residual arc of negative reduced cost, then pushes the
// resulting excesses along admissible arcs (reduced cost < 0), relabelling
// nodes that have none, with periodic global price updates.
func (s *scaler) refine(ctx context.Context, eps int64) error {
	g := s.g
	s.eps = eps
	s.phases++
	for u := range g.adj {
		pu := s.p[u]
		for _, a := range g.adj[u] {
			if g.cap[a] > 0 && s.alpha*g.cost[a]+pu-s.p[g.to[a]] < 0 {
				g.push(a, g.cap[a])
			}
		}
	}
	s.queue, s.head = s.queue[:0], 0
	for v, x := range g.excess {
		if x > 0 {
			s.queue = append(s.queue, int32(v))
		}
	}
	if len(s.queue) == 0 {
		return nil
	}
	s.priceUpdate()
	n := int64(len(g.adj))
	for ops := 0; s.head < len(s.queue); ops++ {
		if ops&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		u := s.queue[s.head]
		s.head++
		if s.head > 4096 && s.head*2 > len(s.queue) {
			s.queue = append(s.queue[:0], s.queue[s.head:]...)
			s.head = 0
		}
		if err := s.discharge(u); err != nil {
			return err
		}
		if s.sinceUpdate > n {
			s.priceUpdate()
		}
	}
	return nil
}

// discharge pushes u's excess along admissible arcs, relabelling u when it
// has none left.
func (s *scaler) discharge(u int32) error {
	g := s.g
	adj := g.adj[u]
	for g.excess[u] > 0 {
		pu := s.p[u]
		i := int(s.cur[u])
		for ; i < len(adj); i++ {
			a := adj[i]
			if g.cap[a] == 0 {
				continue
			}
			v := g.to[a]
			if s.alpha*g.cost[a]+pu-s.p[v] >= 0 {
				continue
			}
			d := int32(min(g.excess[u], int64(g.cap[a])))
			wasActive := g.excess[v] > 0
			g.push(a, d)
			if !wasActive && g.excess[v] > 0 {
				s.queue = append(s.queue, v)
			}
			if g.excess[u] == 0 {
				break
			}
		}
		s.cur[u] = int32(i)
		if g.excess[u] > 0 {
			if err := s.relabel(u); err != nil {
				return err
			}
		}
	}
	return nil
}

// relabel lowers p(u) as far as ε-optimality allows: the best residual arc
// out of u gets reduced cost -ε.
func (s *scaler) relabel(u int32) error {
	g := s.g
	best := int64(math.MinInt64)
	for _, a := range g.adj[u] {
		if g.cap[a] > 0 {
			if x := s.p[g.to[a]] - s.alpha*g.cost[a]; x > best {
				best = x
			}
		}
	}
	if best == math.MinInt64 {
		return errNegativeCycle // excess with no way out: cannot happen on a feasible graph
	}
	s.p[u] = best - s.eps
	s.cur[u] = 0
	s.relabels++
	s.sinceUpdate++
	return nil
}

// priceUpdate is the global update: it computes, by a bucket-based
// Dijkstra backwards from the deficit nodes, each node's distance d(v) in
// units of ε (an arc of reduced cost r ≥ 0 counts ⌊r/ε⌋+1, an admissible
// one 0) and lowers p(v) by d(v)·ε. This keeps ε-optimality and makes a
// path of admissible arcs from every active node to a deficit. Nodes not
// reached before every active node is get the distance at which the search
// stopped.
func (s *scaler) priceUpdate() {
	g := s.g
	s.sinceUpdate = 0
	n := len(g.adj)
	maxLevel := 3*n + 2
	if len(s.bucket) < maxLevel+1 {
		s.bucket = make([][]int32, maxLevel+1)
	}
	for b := range s.bucket {
		s.bucket[b] = s.bucket[b][:0]
	}
	active := 0
	for v := range n {
		s.done[v] = false
		s.dist[v] = math.MaxInt64
		switch x := g.excess[v]; {
		case x < 0:
			s.dist[v] = 0
			s.bucket[0] = append(s.bucket[0], int32(v))
		case x > 0:
			active++
		}
	}
	eps := s.eps
	level := 0
scan:
	for ; level <= maxLevel; level++ {
		for j := 0; j < len(s.bucket[level]); j++ {
			v := s.bucket[level][j]
			if s.done[v] || s.dist[v] != int64(level) {
				continue
			}
			s.done[v] = true
			if g.excess[v] > 0 {
				active--
				if active == 0 {
					break scan
				}
			}
			pv := s.p[v]
			for _, a := range g.adj[v] {
				r := a ^ 1 // residual arc u→v
				if g.cap[r] == 0 {
					continue
				}
				u := g.to[a]
				if s.done[u] {
					continue
				}
				rc := s.alpha*g.cost[r] + s.p[u] - pv
				nd := int64(level)
				if rc >= 0 {
					nd += rc/eps + 1
				}
				if nd < s.dist[u] && nd <= int64(maxLevel) {
					s.dist[u] = nd
					s.bucket[nd] = append(s.bucket[nd], u)
				}
			}
		}
	}
	stop := int64(min(level, maxLevel+1))
	for v := range n {
		d := stop
		if s.done[v] {
			d = s.dist[v]
		}
		s.p[v] -= d * eps
		s.cur[v] = 0
	}
}

// exact sets g.pot to integer potentials under which every residual arc
// has a non-negative reduced cost, starting from the scaled prices divided
// by alpha and correcting labels (a queue-based Bellman–Ford). With an
// optimal flow the residual graph has no negative cycle and few labels
// move; a label still moving after nodes passes means a negative cycle.
func (s *scaler) exact(ctx context.Context) error {
	g := s.g
	n := len(g.adj)
	for v := range n {
		g.pot[v] = floorDiv(s.p[v], s.alpha)
	}
	queue := make([]int32, 0, n)
	inq := make([]bool, n)
	count := make([]int32, n)
	for v := range n {
		queue = append(queue, int32(v))
		inq[v] = true
	}
	for h := 0; h < len(queue); h++ {
		if h&4095 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		u := queue[h]
		inq[u] = false
		pu := g.pot[u]
		for _, a := range g.adj[u] {
			if g.cap[a] == 0 {
				continue
			}
			v := g.to[a]
			if x := pu + g.cost[a]; x < g.pot[v] {
				g.pot[v] = x
				if !inq[v] {
					count[v]++
					if int(count[v]) > n+1 {
						return errNegativeCycle
					}
					inq[v] = true
					queue = append(queue, v)
				}
			}
		}
		if h > 1<<20 && 2*h > len(queue) {
			queue = append(queue[:0], queue[h+1:]...)
			h = -1
		}
	}
	return nil
}

// tighten moves the exact potentials (g.pot) to a dual solution that
// prices fewer pairs outside the graph as violating, keeping every
// residual arc's reduced cost non-negative: each expert's potential drops
// to the least its residual out-arcs allow (an expert with spare capacity
// and no assigned item falls to the sink's potential: it costs nothing),
// then each item's potential rises to the most its residual in-arcs (from
// its assigned experts) allow. Experts are adjacent only to items and the
// sink, items only to experts, so one pass of each keeps every arc
// non-negative.
func (s *solver) tighten() {
	g, in := s.g, s.in
	for e := range in.nE {
		v := in.expertNode(e)
		lo := int64(math.MinInt64)
		for _, a := range g.adj[v] {
			if g.cap[a] > 0 {
				lo = max(lo, g.pot[g.to[a]]-g.cost[a])
			}
		}
		if lo != math.MinInt64 {
			g.pot[v] = lo
		}
	}
	// An item with no assigned expert (coverage 0) is bounded only from
	// below; this bound makes every pair of it non-negative.
	free := int64(math.MinInt64)
	for e := range in.nE {
		free = max(free, g.pot[in.expertNode(e)]+in.maxCost)
	}
	for i := range in.nI {
		hi := int64(math.MaxInt64)
		for _, a := range g.adj[i] {
			if r := a ^ 1; g.cap[r] > 0 { // expert → item: assigned
				hi = min(hi, g.pot[g.to[a]]+g.cost[r])
			}
		}
		if hi == math.MaxInt64 {
			hi = max(g.pot[i], free)
		}
		g.pot[i] = hi
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// solveCS is the cost-scaling method: candidate graph, maximum flow (with
// expansion while stuck), cost scaling to optimality, exact potentials,
// pricing; violating pairs are added to the graph and the flow, still
// feasible, is refined again from ε = alpha·(largest violation).
func (in *instance) solveCS(ctx context.Context) (*Result, error) {
	nI, nE := in.nI, in.nE
	if !fitsScaling(nI+nE+1, in.maxCost) {
		res, err := in.solveSSP(ctx)
		if res != nil {
			res.Stats.Fallback = true
		}
		return res, err
	}
	s := newSolver(in)
	s.lazy = true
	cands, err := s.candidates()
	if err != nil {
		return nil, err
	}
	g := newGraph(nI + nE + 1)
	s.g = g
	var need, capLo int64
	for e := range nE {
		s.sinkArc = append(s.sinkArc, g.addArc(in.expertNode(e), s.sink, in.hi[e]-in.lo[e], 0))
		g.excess[in.expertNode(e)] = -int64(in.lo[e])
		capLo += int64(in.lo[e])
	}
	for i, list := range cands {
		g.excess[i] = int64(in.k[i])
		need += int64(in.k[i])
		for _, c := range list {
			g.addArc(int32(i), in.expertNode(int(c.e)), 1, c.cost)
		}
	}
	g.excess[s.sink] = -(need - capLo)
	for {
		stuck, err := g.maxflow(ctx)
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
	sc := newScaler(g)
	eps0 := sc.alpha * in.maxCost
	for {
		if err := sc.run(ctx, eps0); err != nil {
			if errors.Is(err, errNegativeCycle) {
				return in.fallback(ctx)
			}
			return nil, err
		}
		if err := sc.exact(ctx); err != nil {
			if errors.Is(err, errNegativeCycle) {
				return in.fallback(ctx)
			}
			return nil, err
		}
		s.tighten()
		for v, x := range g.pot { // warm restart from the exact potentials
			sc.p[v] = sc.alpha * x
		}
		s.stats.Rounds++
		viol, added, err := s.price(ctx)
		if err != nil {
			return nil, err
		}
		if added == 0 {
			break
		}
		worst := int64(0)
		for i, list := range viol {
			for _, c := range list {
				a := g.addArc(int32(i), in.expertNode(int(c.e)), 1, c.cost)
				worst = max(worst, -g.reduced(a))
			}
		}
		eps0 = sc.alpha * worst
	}
	s.stats.Phases, s.stats.Relabels = sc.phases, sc.relabels
	return s.result(), nil
}

// fallback solves with shortest paths; it is reached only if cost scaling
// failed to produce exact potentials, which would be a bug.
func (in *instance) fallback(ctx context.Context) (*Result, error) {
	res, err := in.solveSSP(ctx)
	if res != nil {
		res.Stats.Fallback = true
	}
	return res, err
}
