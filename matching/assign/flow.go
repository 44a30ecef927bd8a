package assign

import "context"

// graph is a residual network for min-cost flow with node imbalances
// (a b-flow), solved by successive shortest paths with node potentials.
//
// Arcs are stored in pairs: arc a and its reverse a^1. cap holds residual
// capacity. A node v with excess[v] > 0 must send flow, one with
// excess[v] < 0 must receive it. The invariant kept at all times is that
// every residual arc has a non-negative reduced cost
// cost(u,v) + pot(u) - pot(v) >= 0 (reduced-cost optimality of the current
// pseudo-flow); an augmentation along a shortest path from an excess node to
// a deficit node keeps it, so when no excess remains the flow is optimal.
type graph struct {
	adj  [][]int32
	to   []int32
	cap  []int32
	cost []int64

	excess []int64
	pot    []int64

	// Dijkstra scratch, reused between runs.
	dist    []int64
	stamp   []uint32
	done    []uint32
	parent  []int32
	settled []int32
	heap    distHeap
	round   uint32

	augmentations int
}

func newGraph(n int) *graph {
	return &graph{
		adj:    make([][]int32, n),
		excess: make([]int64, n),
		pot:    make([]int64, n),
		dist:   make([]int64, n),
		stamp:  make([]uint32, n),
		done:   make([]uint32, n),
		parent: make([]int32, n),
	}
}

// addArc adds u→v with capacity c and cost w, and its reverse arc, and
// returns the forward arc's id.
func (g *graph) addArc(u, v int32, c int32, w int64) int32 {
	a := int32(len(g.to))
	g.to = append(g.to, v, u)
	g.cap = append(g.cap, c, 0)
	g.cost = append(g.cost, w, -w)
	g.adj[u] = append(g.adj[u], a)
	g.adj[v] = append(g.adj[v], a^1)
	return a
}

func (g *graph) from(a int32) int32 { return g.to[a^1] }

// push sends f units along residual arc a and updates the imbalances.
func (g *graph) push(a int32, f int32) {
	g.cap[a] -= f
	g.cap[a^1] += f
	g.excess[g.from(a)] -= int64(f)
	g.excess[g.to[a]] += int64(f)
}

func (g *graph) reduced(a int32) int64 {
	return g.cost[a] + g.pot[g.from(a)] - g.pot[g.to[a]]
}

// run augments along shortest paths until no node has excess. It returns
// stuck=true when some excess cannot reach any deficit in the residual
// network; g.settled then holds exactly the nodes reachable from the excess
// nodes.
func (g *graph) run(ctx context.Context) (stuck bool, err error) {
	for iter := 0; ; iter++ {
		if iter&255 == 255 {
			if err := ctx.Err(); err != nil {
				return false, err
			}
		}
		t := g.shortestPath()
		if t == -2 {
			return false, nil
		}
		if t < 0 {
			return true, nil
		}
		g.augment(t)
	}
}

// shortestPath runs a multi-source Dijkstra from every excess node on
// reduced costs and stops at the first deficit node it settles. It updates
// the potentials of the settled nodes so that reduced costs stay
// non-negative and the found path has reduced cost zero. It returns the
// deficit node, -2 if there is no excess at all, or -1 if no deficit is
// reachable.
func (g *graph) shortestPath() int32 {
	g.round++
	if g.round == 0 { // wrapped: clear stamps
		clear(g.stamp)
		clear(g.done)
		g.round = 1
	}
	r := g.round
	g.heap = g.heap[:0]
	g.settled = g.settled[:0]
	any := false
	for v, x := range g.excess {
		if x > 0 {
			any = true
			g.dist[v] = 0
			g.stamp[v] = r
			g.parent[v] = -1
			g.heap.push(0, int32(v))
		}
	}
	if !any {
		return -2
	}
	target := int32(-1)
	for len(g.heap) > 0 {
		d, u := g.heap.pop()
		if g.done[u] == r || d > g.dist[u] {
			continue
		}
		g.done[u] = r
		g.settled = append(g.settled, u)
		if g.excess[u] < 0 {
			target = u
			break
		}
		pu := g.pot[u]
		for _, a := range g.adj[u] {
			if g.cap[a] <= 0 {
				continue
			}
			v := g.to[a]
			if g.done[v] == r {
				continue
			}
			nd := d + g.cost[a] + pu - g.pot[v]
			if g.stamp[v] != r || nd < g.dist[v] {
				g.stamp[v] = r
				g.dist[v] = nd
				g.parent[v] = a
				g.heap.push(nd, v)
			}
		}
	}
	if target < 0 {
		return -1
	}
	dt := g.dist[target]
	for _, v := range g.settled {
		g.pot[v] += g.dist[v] - dt
	}
	return target
}

// augment pushes flow along the parent path ending at deficit node t.
func (g *graph) augment(t int32) {
	f := -g.excess[t]
	v := t
	for g.parent[v] >= 0 {
		a := g.parent[v]
		if int64(g.cap[a]) < f {
			f = int64(g.cap[a])
		}
		v = g.from(a)
	}
	if g.excess[v] < f {
		f = g.excess[v]
	}
	for v = t; g.parent[v] >= 0; {
		a := g.parent[v]
		g.push(a, int32(f))
		v = g.from(a)
	}
	g.augmentations++
}

// distHeap is a binary min-heap of (distance, node) with lazy deletion.
type distHeap []heapEntry

type heapEntry struct {
	d int64
	v int32
}

func (h *distHeap) push(d int64, v int32) {
	*h = append(*h, heapEntry{d, v})
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].d <= s[i].d {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *distHeap) pop() (int64, int32) {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && s[r].d < s[l].d {
			m = r
		}
		if s[i].d <= s[m].d {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top.d, top.v
}
