package textindex

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Term is a weighted query term.
type Term struct {
	Text   string  // an analyzed term (see analysis.Token.Term)
	Weight float64 // multiplies the term's BM25 score; 0 means 1
}

// Query is a top-k request. Set Text (analyzed with the index's analyzer;
// a term that occurs n times gets weight n) or Terms, or both.
type Query struct {
	Text  string
	Terms []Term
	// K is the number of hits wanted (default 10).
	K int
	// Fields restricts the search to these fields (default all).
	Fields []string
	// Exhaustive scores every posting instead of pruning (for testing and
	// measurement; results are the same).
	Exhaustive bool
	// Stats, when not nil, receives counters about the search.
	Stats *Stats
	// Filter, when set, admits documents by their tag (Index.SetTag; 0
	// for a document never tagged): only those for which it returns true
	// are scored and returned, so the K hits are the best admitted
	// documents (the filter applies before the top K are cut). It is
	// called with the index's read lock held and must not call the index.
	Filter func(tag uint32) bool
	// Pinned, when set, scores with these corpus statistics (see
	// Index.Pin) instead of the index's current ones, so that a
	// document's score stays the same while other documents are added or
	// removed: a ranked list can then be paged with a cursor of (score,
	// id). Text and Terms are ignored: the pinned terms are the query.
	Pinned *Pinned
}

// Pinned holds the corpus statistics a query is scored with: each query
// term's weight in each field (boost · query weight · idf) and each
// field's mean length, as Index.Pin took them. Its fields are exported so
// that a caller can keep it in a cursor.
type Pinned struct {
	Terms  []PinnedTerm `json:"t"`
	AvgLen []float64    `json:"a"`
}

// PinnedTerm is one query term's weight in one field.
type PinnedTerm struct {
	Field  int     `json:"f"`
	Text   string  `json:"x"`
	Weight float64 `json:"w"`
}

// Pin resolves q's terms against the index as it is now and returns the
// statistics to score q with while the index changes (Query.Pinned).
func (ix *Index) Pin(q Query) (*Pinned, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q.Pinned = nil
	qt, err := ix.queryTerms(&q)
	if err != nil {
		return nil, err
	}
	p := &Pinned{Terms: make([]PinnedTerm, len(qt)), AvgLen: ix.newScorer(nil).avg}
	for i, t := range qt {
		p.Terms[i] = PinnedTerm{Field: t.field, Text: t.text, Weight: t.weight}
	}
	return p, nil
}

// Stats count the work of one search.
type Stats struct {
	Postings int // postings in the lists of the query terms
	Decoded  int // postings actually decoded
	Scored   int // documents fully or partly scored
}

// Hit is one result.
type Hit struct {
	ID    string
	Score float64
}

// TermScore is one term's contribution to a document's score.
type TermScore struct {
	Field string
	Term  string
	TF    int
	Score float64
}

type qterm struct {
	pid    uint32
	field  int
	weight float64 // boost · query weight · idf
	text   string
}

// terms resolves a query into weighted posting lists.
func (ix *Index) queryTerms(q *Query) ([]qterm, error) {
	if p := q.Pinned; p != nil {
		if len(p.AvgLen) != len(ix.fields) {
			return nil, fmt.Errorf("%w: pinned statistics of %d fields, the index has %d", ErrInvalid, len(p.AvgLen), len(ix.fields))
		}
		for _, a := range p.AvgLen {
			if !(a >= 0) || math.IsInf(a, 0) {
				return nil, fmt.Errorf("%w: pinned mean field length %v", ErrInvalid, a)
			}
		}
		var out []qterm
		for _, t := range p.Terms {
			if t.Field < 0 || t.Field >= len(ix.fields) || !(t.Weight > 0) || math.IsInf(t.Weight, 0) {
				return nil, fmt.Errorf("%w: pinned term %q in field %d with weight %v", ErrInvalid, t.Text, t.Field, t.Weight)
			}
			if pid, ok := ix.dict[t.Field].get(t.Text); ok {
				out = append(out, qterm{pid: pid, field: t.Field, weight: t.Weight, text: t.Text})
			}
		}
		return out, nil
	}
	var fields []int
	if len(q.Fields) == 0 {
		fields = make([]int, len(ix.fields))
		for i := range fields {
			fields[i] = i
		}
	} else {
		for _, name := range q.Fields {
			f, ok := ix.fieldIdx[name]
			if !ok {
				return nil, fmt.Errorf("%w: unknown field %q", ErrInvalid, name)
			}
			fields = append(fields, f)
		}
	}
	weights := map[string]float64{}
	var order []string
	addTerm := func(t string, w float64) {
		if _, ok := weights[t]; !ok {
			order = append(order, t)
		}
		weights[t] += w
	}
	if q.Text != "" {
		for _, tk := range ix.an.Analyze(q.Text) {
			addTerm(tk.Term, 1)
		}
	}
	for _, t := range q.Terms {
		w := t.Weight
		if w == 0 {
			w = 1
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%w: term %q has weight %v", ErrInvalid, t.Text, t.Weight)
		}
		addTerm(t.Text, w)
	}
	var out []qterm
	// Like df, N counts deleted documents until compaction (Lucene's maxDoc).
	n := float64(ix.ids.n())
	for _, t := range order {
		for _, f := range fields {
			pid, ok := ix.dict[f].get(t)
			if !ok {
				continue
			}
			df := float64(ix.post[pid].df)
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			if idf <= 0 || math.IsNaN(idf) {
				continue
			}
			out = append(out, qterm{pid: pid, field: f, weight: ix.fields[f].Boost * weights[t] * idf, text: t})
		}
	}
	return out, nil
}

// bm25 returns the saturated, length-normalized term frequency part.
type scorer struct {
	k1, b  float64
	avg    []float64 // per field
	lens   []uint32
	nf     int
	k1p1   float64
	invAvg []float64
}

func (ix *Index) newScorer(p *Pinned) scorer {
	s := scorer{k1: ix.k1, b: ix.b, lens: ix.lens, nf: len(ix.fields), k1p1: ix.k1 + 1}
	s.avg = make([]float64, s.nf)
	s.invAvg = make([]float64, s.nf)
	for f := range s.nf {
		switch {
		case p != nil:
			s.avg[f] = p.AvgLen[f]
		case ix.live > 0:
			s.avg[f] = float64(ix.sumLen[f]) / float64(ix.live)
		}
		if s.avg[f] > 0 {
			s.invAvg[f] = 1 / s.avg[f]
		}
	}
	return s
}

func (s *scorer) tfPart(f int, tf, length uint32) float64 {
	t := float64(tf)
	return t * s.k1p1 / (t + s.k1*(1-s.b+s.b*float64(length)*s.invAvg[f]))
}

func (s *scorer) score(t *qterm, doc, tf uint32) float64 {
	return t.weight * s.tfPart(t.field, tf, s.lens[int(doc)*s.nf+t.field])
}

// Search returns the top q.K documents for the query, best first; ties
// keep insertion order.
func (ix *Index) Search(q Query) ([]Hit, error) {
	if q.K == 0 {
		q.K = 10
	}
	if q.K < 0 {
		return nil, fmt.Errorf("%w: K = %d", ErrInvalid, q.K)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	qt, err := ix.queryTerms(&q)
	if err != nil {
		return nil, err
	}
	top := ix.topK(qt, &q)
	hits := make([]Hit, len(top))
	for i, h := range top {
		hits[i] = Hit{ID: ix.ids.str(h.doc), Score: h.score}
	}
	return hits, nil
}

// Explain returns the per-term contributions of the query to the document
// with this id, largest first; nil when the document is absent or does not
// match. The contributions sum to the document's score.
func (ix *Index) Explain(q Query, id string) ([]TermScore, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	qt, err := ix.queryTerms(&q)
	if err != nil {
		return nil, err
	}
	doc, ok := ix.ids.lookup(id)
	if !ok {
		return nil, nil
	}
	sc := ix.newScorer(q.Pinned)
	var out []TermScore
	for i := range qt {
		c := newCursor(&ix.post[qt[i].pid])
		if c.advance(doc) && c.doc == doc {
			out = append(out, TermScore{Field: ix.fields[qt[i].field].Name, Term: qt[i].text, TF: int(c.tf), Score: sc.score(&qt[i], doc, c.tf)})
		}
	}
	slices.SortStableFunc(out, func(a, b TermScore) int { return cmp.Compare(b.Score, a.Score) })
	return out, nil
}

// ExplainAll is Explain for several documents, resolving the query once:
// the i-th result holds the contributions to ids[i] (nil when it is
// absent or does not match).
func (ix *Index) ExplainAll(q Query, ids []string) ([][]TermScore, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	qt, err := ix.queryTerms(&q)
	if err != nil {
		return nil, err
	}
	out := make([][]TermScore, len(ids))
	type target struct {
		doc uint32
		i   int
	}
	var targets []target
	for i, id := range ids {
		if d, ok := ix.ids.lookup(id); ok {
			targets = append(targets, target{d, i})
		}
	}
	slices.SortFunc(targets, func(a, b target) int { return cmp.Compare(a.doc, b.doc) })
	sc := ix.newScorer(q.Pinned)
	for j := range qt {
		c := newCursor(&ix.post[qt[j].pid])
		for _, t := range targets {
			if !c.advance(t.doc) {
				break
			}
			if c.doc == t.doc {
				out[t.i] = append(out[t.i], TermScore{Field: ix.fields[qt[j].field].Name, Term: qt[j].text, TF: int(c.tf), Score: sc.score(&qt[j], t.doc, c.tf)})
			}
		}
	}
	for _, parts := range out {
		slices.SortStableFunc(parts, func(a, b TermScore) int { return cmp.Compare(b.Score, a.Score) })
	}
	return out, nil
}

// TermsOf analyzes text with the index's analyzer and returns the distinct
// terms that occur in the index (in any field), in first-seen order.
func (ix *Index) TermsOf(text string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []string
	seen := map[string]bool{}
	for _, tk := range ix.an.Analyze(text) {
		if seen[tk.Term] {
			continue
		}
		seen[tk.Term] = true
		for f := range ix.dict {
			if _, ok := ix.dict[f].get(tk.Term); ok {
				out = append(out, tk.Term)
				break
			}
		}
	}
	return out
}

// DocFreq returns the number of documents whose field contains the
// analyzed term (deleted documents count until compaction).
func (ix *Index) DocFreq(field, term string) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	f, ok := ix.fieldIdx[field]
	if !ok {
		return 0
	}
	pid, ok := ix.dict[f].get(term)
	if !ok {
		return 0
	}
	return int(ix.post[pid].df)
}

type scored struct {
	score float64
	doc   uint32
}

// worse orders hits: lower score, then later document.
func worse(a, b scored) bool {
	return a.score < b.score || a.score == b.score && a.doc > b.doc
}

// minHeap keeps the k best hits with the worst on top.
type minHeap []scored

func (h minHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !worse(h[i], h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (h minHeap) down(i int) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && worse(h[r], h[l]) {
			m = r
		}
		if !worse(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

const window = 4096

type scratch struct {
	acc   []float64
	bits  []uint64
	curs  []cursor
	ub    []float64
	pre   []float64
	heap  minHeap
	order []int
}

// topK runs windowed MaxScore over the query terms.
func (ix *Index) topK(qt []qterm, q *Query) []scored {
	k, exhaustive, st, filter := q.K, q.Exhaustive, q.Stats, q.Filter
	if k == 0 || len(qt) == 0 || ix.live == 0 {
		if st != nil {
			*st = Stats{}
		}
		return nil
	}
	sc := ix.newScorer(q.Pinned)
	s, _ := ix.pool.Get().(*scratch)
	if s == nil {
		s = &scratch{acc: make([]float64, window), bits: make([]uint64, window/64)}
	}
	defer ix.pool.Put(s)

	// Order terms by upper bound, ascending.
	n := len(qt)
	s.ub = s.ub[:0]
	s.order = s.order[:0]
	for i := range qt {
		p := &ix.post[qt[i].pid]
		maxTF := uint32(p.maxTF)
		if p.maxTF == math.MaxUint16 { // saturated: use the asymptote
			maxTF = math.MaxUint32
		}
		s.ub = append(s.ub, qt[i].weight*sc.tfPart(qt[i].field, maxTF, uint32(p.minLen)))
		s.order = append(s.order, i)
	}
	slices.SortFunc(s.order, func(a, b int) int { return cmp.Compare(s.ub[a], s.ub[b]) })
	s.curs = s.curs[:0]
	terms := make([]*qterm, n)
	ubs := make([]float64, n)
	total := 0
	for j, i := range s.order {
		s.curs = append(s.curs, newCursor(&ix.post[qt[i].pid]))
		terms[j] = &qt[i]
		ubs[j] = s.ub[i]
		total += int(ix.post[qt[i].pid].df)
	}
	curs := s.curs
	s.pre = s.pre[:0]
	sum := 0.0
	for j := range n {
		sum += ubs[j]
		s.pre = append(s.pre, sum)
	}
	pre := s.pre
	// Slightly inflate bounds against rounding.
	for j := range pre {
		pre[j] = pre[j]*(1+1e-9) + 1e-12
	}
	for j := range curs {
		curs[j].next()
	}
	h := s.heap[:0]
	theta := math.Inf(-1)
	nonEss := 0 // curs[:nonEss] are non-essential
	scoredDocs := 0
	nextEss := func() (uint32, bool) {
		lo, ok := uint32(math.MaxUint32), false
		for j := nonEss; j < n; j++ {
			if !curs[j].done && curs[j].doc < lo {
				lo, ok = curs[j].doc, true
			}
		}
		return lo, ok
	}
	for {
		lo, ok := nextEss()
		if !ok {
			break
		}
		hi := uint64(lo) + window
		// Accumulate the essential terms over [lo, hi).
		for j := nonEss; j < n; j++ {
			c := &curs[j]
			t := terms[j]
			for !c.done && uint64(c.doc) < hi {
				if !ix.isDeleted(c.doc) {
					o := c.doc - lo
					s.bits[o/64] |= 1 << (o % 64)
					s.acc[o] += sc.score(t, c.doc, c.tf)
				}
				c.next()
			}
		}
		for w, word := range s.bits {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &= word - 1
				o := w*64 + b
				doc := lo + uint32(o)
				sc0 := s.acc[o]
				s.acc[o] = 0
				if filter != nil {
					// Ask the filter only about a document that could still
					// enter the top k: its essential terms' score plus the
					// bound of the others beats the k-th.
					if len(h) == k {
						ub := sc0
						if nonEss > 0 {
							ub += pre[nonEss-1]
						}
						if ub <= theta {
							continue
						}
					}
					if !filter(ix.tag(doc)) {
						continue
					}
				}
				scoredDocs++
				for j := nonEss - 1; j >= 0; j-- {
					if len(h) == k && sc0+pre[j] <= theta {
						sc0 = math.Inf(-1)
						break
					}
					c := &curs[j]
					if c.advance(doc) && c.doc == doc {
						sc0 += sc.score(terms[j], doc, c.tf)
					}
				}
				if len(h) < k {
					h = append(h, scored{sc0, doc})
					h.up(len(h) - 1)
					if len(h) == k {
						theta = h[0].score
					}
				} else if sc0 > theta {
					h[0] = scored{sc0, doc}
					h.down(0)
					theta = h[0].score
				}
			}
			s.bits[w] = 0
		}
		if !exhaustive && len(h) == k {
			for nonEss < n && pre[nonEss] <= theta {
				nonEss++
			}
			if nonEss == n {
				break
			}
		}
	}
	if st != nil {
		st.Postings = total
		st.Decoded = 0
		for j := range curs {
			st.Decoded += curs[j].decoded
		}
		st.Scored = scoredDocs
	}
	out := make([]scored, len(h))
	copy(out, h)
	slices.SortFunc(out, func(a, b scored) int {
		if worse(a, b) {
			return 1
		}
		if worse(b, a) {
			return -1
		}
		return 0
	})
	s.heap = h[:0]
	for j := range curs {
		curs[j] = cursor{}
	}
	return out
}

// Scores returns the query's BM25 score of each document in ids (0 for a
// document that is absent or does not match), in the order of ids.
func (ix *Index) Scores(q Query, ids []string) ([]float64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	qt, err := ix.queryTerms(&q)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(ids))
	type target struct {
		doc uint32
		i   int
	}
	var targets []target
	for i, id := range ids {
		if d, ok := ix.ids.lookup(id); ok {
			targets = append(targets, target{d, i})
		}
	}
	slices.SortFunc(targets, func(a, b target) int { return cmp.Compare(a.doc, b.doc) })
	sc := ix.newScorer(q.Pinned)
	for j := range qt {
		c := newCursor(&ix.post[qt[j].pid])
		for _, t := range targets {
			if !c.advance(t.doc) {
				break
			}
			if c.doc == t.doc {
				out[t.i] += sc.score(&qt[j], t.doc, c.tf)
			}
		}
	}
	return out, nil
}

// QueryVector analyzes text into a query vector: each distinct term that
// occurs in the index, weighted by idf · qtf·(k1+1)/(qtf+k1) (idf from
// the field where the term is most frequent). With n > 0 only the n
// heaviest terms are kept — the term selection of a "more like this"
// query, which drops the common terms of a long text.
func (ix *Index) QueryVector(text string, n int) []Term {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	counts := map[string]int{}
	var order []string
	for _, tk := range ix.an.Analyze(text) {
		if counts[tk.Term] == 0 {
			order = append(order, tk.Term)
		}
		counts[tk.Term]++
	}
	var out []Term
	for _, t := range order {
		idf := ix.maxIDF(t)
		if idf <= 0 {
			continue
		}
		q := float64(counts[t])
		out = append(out, Term{Text: t, Weight: idf * q * (ix.k1 + 1) / (q + ix.k1)})
	}
	if n > 0 && len(out) > n {
		slices.SortStableFunc(out, func(a, b Term) int { return cmp.Compare(b.Weight, a.Weight) })
		out = out[:n]
	}
	return out
}

// maxIDF returns the idf of term in the field where it is most frequent
// (0 when absent).
func (ix *Index) maxIDF(term string) float64 {
	df := 0
	for f := range ix.dict {
		if pid, ok := ix.dict[f].get(term); ok {
			df = max(df, int(ix.post[pid].df))
		}
	}
	if df == 0 {
		return 0
	}
	n := float64(ix.ids.n())
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// DocVector returns the document's terms weighted as the index scores
// them — Σ over fields of boost · idf · tf·(k1+1)/(tf + k1·(1 − b + b·len/avglen))
// — so that a query's score is the dot product of its weights with this
// vector. It needs Options.KeepVectors; otherwise, or when the document
// is absent, it returns nil.
func (ix *Index) DocVector(id string) []Term {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	doc, ok := ix.ids.lookup(id)
	if !ok || !ix.keepVec {
		return nil
	}
	sc := ix.newScorer(nil)
	n := float64(ix.ids.n())
	byTerm := map[string]int{}
	var out []Term
	v := ix.vecs[doc]
	for len(v) > 0 {
		pid, a := uvarint(v)
		tf, b := uvarint(v[a:])
		v = v[a+b:]
		if pid >= uint64(len(ix.post)) {
			break
		}
		f := int(ix.tfld[pid])
		df := float64(ix.post[pid].df)
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		w := ix.fields[f].Boost * idf * sc.tfPart(f, uint32(tf), ix.lens[int(doc)*len(ix.fields)+f])
		t := ix.terms[pid]
		if i, ok := byTerm[t]; ok {
			out[i].Weight += w
			continue
		}
		byTerm[t] = len(out)
		out = append(out, Term{Text: t, Weight: w})
	}
	return out
}

// Each calls fn for every document that matches q (a score above 0) and
// that q.Filter admits, in index order, with its tag and score; q.K is
// ignored. It scores exhaustively: use it to count or facet a whole result
// set, and Search for the top K. fn is called with the index's read lock
// held and must not call the index.
func (ix *Index) Each(q Query, fn func(tag uint32, score float64)) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	qt, err := ix.queryTerms(&q)
	if err != nil || len(qt) == 0 || ix.live == 0 {
		return err
	}
	sc := ix.newScorer(q.Pinned)
	s, _ := ix.pool.Get().(*scratch)
	if s == nil {
		s = &scratch{acc: make([]float64, window), bits: make([]uint64, window/64)}
	}
	defer ix.pool.Put(s)
	curs := s.curs[:0]
	for i := range qt {
		curs = append(curs, newCursor(&ix.post[qt[i].pid]))
		curs[i].next()
	}
	defer func() {
		for j := range curs {
			curs[j] = cursor{}
		}
		s.curs = curs[:0]
	}()
	for {
		lo, ok := uint32(math.MaxUint32), false
		for j := range curs {
			if !curs[j].done && curs[j].doc < lo {
				lo, ok = curs[j].doc, true
			}
		}
		if !ok {
			return nil
		}
		hi := uint64(lo) + window
		for j := range curs {
			c := &curs[j]
			for !c.done && uint64(c.doc) < hi {
				if !ix.isDeleted(c.doc) {
					o := c.doc - lo
					s.bits[o/64] |= 1 << (o % 64)
					s.acc[o] += sc.score(&qt[j], c.doc, c.tf)
				}
				c.next()
			}
		}
		for w, word := range s.bits {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &= word - 1
				o := w*64 + b
				score := s.acc[o]
				s.acc[o] = 0
				tag := ix.tag(lo + uint32(o))
				if score > 0 && (q.Filter == nil || q.Filter(tag)) {
					fn(tag, score)
				}
			}
			s.bits[w] = 0
		}
	}
}
