package match

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"unicode/utf8"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/textindex"
)

const maxLimit = 1000

// cursor is a search position: the order, a fingerprint of the query, the
// statistics each kind's text was scored with on the first page, and the
// last result's key.
type cursor struct {
	O Order                             `json:"o"`
	Q uint64                            `json:"q"`
	P map[broker.Kind]*textindex.Pinned `json:"p,omitempty"`
	K sortKey                           `json:"k"`
}

// sortKey places a result in an order.
type sortKey struct {
	Score   float64     `json:"s,omitempty"`
	Created int64       `json:"c,omitempty"`
	Kind    broker.Kind `json:"t"`
	ID      string      `json:"i"`
}

// before reports whether a comes before b in order o.
func before(o Order, a, b *sortKey) bool {
	switch o {
	case ByRelevance:
		if a.Score != b.Score {
			return a.Score > b.Score
		}
	case ByNewest:
		if a.Created != b.Created {
			return a.Created > b.Created
		}
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.ID < b.ID
}

// fingerprint identifies a query without its cursor and access.
func fingerprint(q SearchQuery) uint64 {
	q.Cursor, q.Access = "", Access{}
	b, _ := json.Marshal(q)
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

func (c *cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// page keeps the first n keys after a position, in order.
type page struct {
	order Order
	after *sortKey
	n     int
	keys  []sortKey
}

// mayTake reports whether a key whose ID is not known yet may be offered:
// false when, whatever its ID, it comes before the cursor or after a full
// page.
func (p *page) mayTake(k *sortKey) bool {
	var mine, theirs float64
	cmpOn := func(o *sortKey) (float64, float64) {
		switch p.order {
		case ByRelevance:
			return k.Score, o.Score
		case ByNewest:
			return float64(k.Created), float64(o.Created)
		}
		return 0, 0
	}
	if p.order == ByID {
		return true
	}
	if p.after != nil {
		if mine, theirs = cmpOn(p.after); mine > theirs {
			return false
		}
	}
	if len(p.keys) == p.n {
		if mine, theirs = cmpOn(&p.keys[len(p.keys)-1]); mine < theirs {
			return false
		}
	}
	return true
}

func (p *page) offer(k sortKey) {
	if p.after != nil && !before(p.order, p.after, &k) {
		return
	}
	if len(p.keys) == p.n && !before(p.order, &k, &p.keys[len(p.keys)-1]) {
		return
	}
	i, _ := slices.BinarySearchFunc(p.keys, k, func(a, b sortKey) int {
		if before(p.order, &a, &b) {
			return -1
		}
		if before(p.order, &b, &a) {
			return 1
		}
		return 0
	})
	p.keys = slices.Insert(p.keys, i, k)
	if len(p.keys) > p.n {
		p.keys = p.keys[:p.n]
	}
}

// facets counts values by their number in the index's small interner.
type facets struct{ brokers, regions, disciplines []int }

func (f *facets) add(e *entry) {
	f.brokers[e.broker]++
	f.regions[e.region]++
	for _, x := range e.disc {
		f.disciplines[x]++
	}
}

func counts(in *interner, ns []int) []Count {
	var out []Count
	for v, n := range ns {
		if n > 0 {
			out = append(out, Count{Value: in.strs[v], N: n})
		}
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	return out
}

// Search implements Index. With text, a record matches when it contains
// one of the text's terms of two or more characters (Chinese bigrams,
// words; single characters only when the text has nothing longer), and
// ranks by BM25 on those terms; the first page pins each library's
// statistics into the cursor, so later pages rank every unchanged record
// as the first did.
func (x *EngineIndex) Search(ctx context.Context, q SearchQuery) (Page, error) {
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = 20
	}
	if limit < 0 || limit > maxLimit {
		return Page{}, &Error{Op: "search", Err: ErrInvalid, Msg: fmt.Sprintf("limit %d, want 1..%d", q.Limit, maxLimit)}
	}
	order := q.Order
	if order == "" {
		order = ByNewest
		if q.Text != "" {
			order = ByRelevance
		}
	}
	if order != ByRelevance && order != ByNewest && order != ByID || order == ByRelevance && q.Text == "" {
		return Page{}, &Error{Op: "search", Err: ErrInvalid, Msg: fmt.Sprintf("order %q (relevance needs text)", order)}
	}
	ks := q.Kinds
	if len(ks) == 0 {
		ks = libraries
	}
	fp := fingerprint(q)
	cur := &cursor{O: order, Q: fp, P: map[broker.Kind]*textindex.Pinned{}}
	pg := &page{order: order, n: limit + 1}
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil || c.Q != fp || c.O != order {
			return Page{}, &Error{Op: "search", Err: ErrInvalid, Msg: "the cursor is not one of this query's pages"}
		}
		cur, pg.after = c, &c.K
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := len(x.small.strs)
	f := facets{make([]int, n), make([]int, n), make([]int, n)}
	total := 0
	for _, kind := range ks {
		ca := x.compile(q.Access, kind)
		tbl, ok := x.tables[kind]
		if !ok {
			return Page{}, &Error{Op: "search", Err: ErrInvalid, Msg: fmt.Sprintf("no library of kind %q", kind)}
		}
		admit := func(e *entry) bool { return ca.admits(e) && q.admits(&e.doc) }
		if q.Text == "" {
			for _, e := range tbl.slots {
				if e != nil && admit(e) {
					total++
					f.add(e)
					pg.offer(sortKey{Created: e.doc.Created.UnixNano(), Kind: kind, ID: e.doc.Ref.ID})
				}
			}
			continue
		}
		ix := x.textIndex(kind)
		pin := cur.P[kind]
		if pin == nil {
			if q.Cursor != "" {
				continue // the kind had no term in common with the text on the first page
			}
			var err error
			if pin, err = ix.Pin(textindex.Query{Terms: searchTerms(x.opts.Analyzer.Analyze(q.Text))}); err != nil {
				return Page{}, indexError("search", err)
			}
			if len(pin.Terms) == 0 {
				continue
			}
			cur.P[kind] = pin
		}
		filtered := q.filtered()
		visit := func(tag uint32, score float64) {
			total++
			i := tag - 1
			f.brokers[tbl.brokerOf[i]]++
			f.regions[tbl.regionOf[i]]++
			if d := tbl.discOf[i]; d >= 0 {
				f.disciplines[d]++
			} else {
				for _, x := range tbl.slots[i].disc {
					f.disciplines[x]++
				}
			}
			k := sortKey{Score: score, Created: tbl.createdOf[i], Kind: kind}
			if pg.mayTake(&k) {
				k.ID = tbl.slots[i].doc.Ref.ID
				pg.offer(k)
			}
		}
		err := ix.Each(textindex.Query{Pinned: pin, Filter: func(tag uint32) bool {
			return ca.admitsTag(tbl, tag) && (!filtered || q.admits(&tbl.slots[tag-1].doc))
		}}, visit)
		if err != nil {
			return Page{}, indexError("search", err)
		}
	}
	out := Page{Total: total, Facets: Facets{Brokers: counts(x.small, f.brokers), Regions: counts(x.small, f.regions), Disciplines: counts(x.small, f.disciplines)}}
	keys := pg.keys
	if len(keys) > limit {
		keys = keys[:limit]
		cur.K = keys[limit-1]
		out.Next = cur.encode()
	}
	for _, k := range keys {
		h := Hit{Ref: broker.RecordRef{Kind: k.Kind, ID: k.ID}, Score: k.Score}
		if order == ByRelevance {
			h.Explanation.Signals = []matching.Signal{{Name: "text", Value: k.Score, Weight: 1, Contribution: k.Score}}
			parts, err := x.textIndex(k.Kind).Explain(textindex.Query{Pinned: cur.P[k.Kind]}, k.ID)
			if err != nil {
				return Page{}, indexError("search", err)
			}
			h.Explanation.Terms = terms(parts, 10)
		}
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}

func (x *EngineIndex) textIndex(kind broker.Kind) *textindex.Index {
	switch kind {
	case broker.KindAchievement:
		return x.eng.Index(matching.Achievement)
	case broker.KindDemand:
		return x.eng.Index(matching.Demand)
	case capital.KindInvestor:
		return x.inv.Index(matching.Demand)
	}
	return x.experts
}

// searchTerms are the distinct terms of a search text: those of two or
// more characters, or every term when there are none.
func searchTerms(toks []analysis.Token) []textindex.Term {
	var long, all []textindex.Term
	seen := map[string]bool{}
	for _, t := range toks {
		s := t.Term
		if seen[s] {
			continue
		}
		seen[s] = true
		all = append(all, textindex.Term{Text: s, Weight: 1})
		if utf8.RuneCountInString(s) > 1 {
			long = append(long, textindex.Term{Text: s, Weight: 1})
		}
	}
	if len(long) > 0 {
		return long
	}
	return all
}

// filtered reports whether the query has filters besides kind and text.
func (q *SearchQuery) filtered() bool {
	return len(q.Brokers) > 0 || len(q.Regions) > 0 || len(q.Owners) > 0 || len(q.Disciplines) > 0 || len(q.Industries) > 0 ||
		q.MinReadiness > 0 || q.MaxReadiness > 0 || !q.CreatedFrom.IsZero() || !q.CreatedTo.IsZero() || !q.MinPrice.IsZero() || !q.MaxPrice.IsZero()
}

// admits applies the query's filters to a document.
func (q *SearchQuery) admits(d *Doc) bool {
	if len(q.Brokers) > 0 && !slices.Contains(q.Brokers, d.Broker) ||
		len(q.Regions) > 0 && !slices.Contains(q.Regions, d.Region) ||
		len(q.Owners) > 0 && !overlaps(q.Owners, d.Owners) ||
		len(q.Disciplines) > 0 && !overlaps(q.Disciplines, d.Disciplines) ||
		len(q.Industries) > 0 && !overlaps(q.Industries, d.Industries) ||
		q.MinReadiness > 0 && d.Readiness < q.MinReadiness ||
		q.MaxReadiness > 0 && (d.Readiness == 0 || d.Readiness > q.MaxReadiness) ||
		!q.CreatedFrom.IsZero() && d.Created.Before(q.CreatedFrom) ||
		!q.CreatedTo.IsZero() && !d.Created.Before(q.CreatedTo) {
		return false
	}
	if q.MinPrice.IsZero() && q.MaxPrice.IsZero() {
		return true
	}
	switch d.Ref.Kind {
	case broker.KindAchievement:
		return !d.Price.IsZero() && d.Price.Cmp(q.MinPrice) >= 0 && (q.MaxPrice.IsZero() || d.Price.Cmp(q.MaxPrice) <= 0)
	case broker.KindDemand:
		b := d.Budget
		return (b.Max.IsZero() || b.Max.Cmp(q.MinPrice) >= 0) && (q.MaxPrice.IsZero() || b.Min.Cmp(q.MaxPrice) <= 0)
	}
	return false
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
