// Package indextest is the conformance suite for implementations of
// match.Index, as broker/drivertest is for stores: an implementation's
// test file is a short harness and one call of Run.
//
//	func TestConformance(t *testing.T) {
//		indextest.Run(t, func(t *testing.T) match.Index { return mycluster.New(…) })
//	}
//
// It checks what match.Index documents: Apply and Seq, replacement and
// deletion, access applied before the cut (full top K and pages), a total
// order, declines, filters, facets and totals, cursor paging that neither
// repeats nor skips unchanged documents while others change, snapshots,
// and concurrent use (run it with -race).
package indextest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/match"
)

// Harness makes a new, empty index for one test.
type Harness func(t *testing.T) match.Index

// Run runs the suite against indexes made by newIndex.
func Run(t *testing.T, newIndex Harness) {
	t.Run("ApplyAndSeq", func(t *testing.T) { testApply(t, newIndex(t)) })
	t.Run("AccessBeforeCut", func(t *testing.T) { testAccessBeforeCut(t, newIndex(t)) })
	t.Run("Shortlist", func(t *testing.T) { testShortlist(t, newIndex(t)) })
	t.Run("TotalOrder", func(t *testing.T) { testOrder(t, newIndex, newIndex(t)) })
	t.Run("Declines", func(t *testing.T) { testDeclines(t, newIndex(t)) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, newIndex(t)) })
	t.Run("PagingWhileChanging", func(t *testing.T) { testPaging(t, newIndex(t)) })
	t.Run("Snapshot", func(t *testing.T) { testSnapshot(t, newIndex) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, newIndex(t)) })
}

var (
	topics = [][]string{
		{"海洋", "养殖", "水质", "监测", "网箱", "水下机器人"},
		{"儿科", "新生儿", "黄疸", "哮喘", "雾化", "疫苗"},
		{"印刷", "油墨", "包装", "薄膜", "降解", "防伪"},
		{"机械", "数控", "机床", "孪生", "故障", "诊断"},
	}
	desks   = []string{"marine-tech", "pediatrics", "green-print", "mech-digital"}
	regions = []string{"上海市", "江苏省", "浙江省"}
	t0      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// gen makes documents.
type gen struct {
	rng *rand.Rand
	n   int
}

func newGen(seed uint64) *gen { return &gen{rng: rand.New(rand.NewPCG(seed, seed^0x5eed))} }

func (g *gen) words(topic, n int) []string {
	var out []string
	for range n {
		w := topics[topic][g.rng.IntN(len(topics[topic]))]
		if g.rng.IntN(5) == 0 {
			o := topics[g.rng.IntN(len(topics))]
			w = o[g.rng.IntN(len(o))]
		}
		out = append(out, w)
	}
	return out
}

func (g *gen) doc(kind broker.Kind, tier broker.Visibility) match.Doc {
	g.n++
	topic := g.rng.IntN(len(topics))
	d := match.Doc{
		Ref:     broker.RecordRef{Kind: kind, ID: fmt.Sprintf("%s-%05d", kind[:3], g.n)},
		Version: 1,
		Title:   fmt.Sprint(g.words(topic, 3)), Keywords: g.words(topic, 2), Abstract: fmt.Sprint(g.words(topic, 12)),
		Disciplines: []string{fmt.Sprintf("D%d", topic)}, Industries: []string{fmt.Sprintf("I%d", g.rng.IntN(3))},
		Region: regions[g.rng.IntN(len(regions))], Broker: desks[topic], Created: t0.Add(time.Duration(g.n) * time.Minute),
		Tier: tier, Owners: []string{fmt.Sprintf("org-%d", g.rng.IntN(5))}, AddedBy: fmt.Sprintf("u%d", g.rng.IntN(3)),
	}
	switch kind {
	case broker.KindAchievement:
		d.Readiness, d.Price = 1+g.rng.IntN(9), decimal.NewFromInt(int64(1000*(1+g.rng.IntN(100))))
	case broker.KindDemand:
		d.Readiness = 1 + g.rng.IntN(9)
		d.Budget = broker.Range{Min: decimal.NewFromInt(int64(1000 * g.rng.IntN(50))), Max: decimal.NewFromInt(int64(1000 * (50 + g.rng.IntN(100))))}
	}
	return d
}

func (g *gen) tier() broker.Visibility {
	return []broker.Visibility{broker.Public, broker.Members, broker.Confidential}[g.rng.IntN(3)]
}

// fill adds n achievements, n/2 demands and n/4 experts of random tiers.
func (g *gen) fill(tb testing.TB, ix match.Index, n int, seq int64) []match.Doc {
	tb.Helper()
	var docs []match.Doc
	for range n {
		docs = append(docs, g.doc(broker.KindAchievement, g.tier()))
	}
	for range n / 2 {
		docs = append(docs, g.doc(broker.KindDemand, g.tier()))
	}
	for range n / 4 {
		docs = append(docs, g.doc(broker.KindExpert, broker.Public))
	}
	apply(tb, ix, match.Batch{Upserts: docs, Seq: seq})
	return docs
}

func apply(tb testing.TB, ix match.Index, b match.Batch) {
	tb.Helper()
	if err := ix.Apply(context.Background(), b); err != nil {
		tb.Fatal(err)
	}
}

var everyone = match.Access{Rules: []match.AccessRule{{}}}

func refs(hs []match.Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Ref.String()
	}
	return out
}

func testApply(t *testing.T, ix match.Index) {
	ctx := context.Background()
	if ix.Seq() != 0 || ix.Len(broker.KindAchievement) != 0 {
		t.Fatalf("a new index: seq %d, %d achievements, want 0 and 0", ix.Seq(), ix.Len(broker.KindAchievement))
	}
	g := newGen(1)
	docs := g.fill(t, ix, 40, 7)
	if ix.Seq() != 7 || ix.Len(broker.KindAchievement) != 40 || ix.Len(broker.KindDemand) != 20 || ix.Len(broker.KindExpert) != 10 {
		t.Fatalf("after one batch: seq %d, %d/%d/%d documents, want 7 and 40/20/10", ix.Seq(), ix.Len(broker.KindAchievement), ix.Len(broker.KindDemand), ix.Len(broker.KindExpert))
	}
	// Replace one achievement's text with a word no other has; delete another.
	d := docs[0]
	d.Title, d.Keywords, d.Abstract, d.Version = "超导量子比特", nil, "超导量子比特的读出", 2
	apply(t, ix, match.Batch{Upserts: []match.Doc{d}, Deletes: []broker.RecordRef{docs[1].Ref}, Seq: 9})
	if ix.Seq() != 9 || ix.Len(broker.KindAchievement) != 39 {
		t.Fatalf("after replace and delete: seq %d, %d achievements, want 9 and 39", ix.Seq(), ix.Len(broker.KindAchievement))
	}
	pg, err := ix.Search(ctx, match.SearchQuery{Text: "超导量子", Access: everyone})
	if err != nil {
		t.Fatal(err)
	}
	if pg.Total != 1 || len(pg.Hits) != 1 || pg.Hits[0].Ref != d.Ref || len(pg.Hits[0].Explanation.Terms) == 0 {
		t.Errorf("the replaced text: got %v (total %d), want %s with its terms", refs(pg.Hits), pg.Total, d.Ref)
	}
	pg, _ = ix.Search(ctx, match.SearchQuery{Text: docs[0].Title, Access: everyone, Limit: 1000})
	if slices.Contains(refs(pg.Hits), docs[1].Ref.String()) {
		t.Errorf("a deleted document is found")
	}
	if err := ix.Apply(ctx, match.Batch{Upserts: []match.Doc{{Ref: broker.RecordRef{Kind: "listing", ID: "x"}}}, Seq: 10}); err == nil {
		t.Error("a document of a kind the index does not hold: want an error")
	}
}

// testAccessBeforeCut: with most documents hidden, the top K and every
// page but the last are full, and hold only admitted documents.
func testAccessBeforeCut(t *testing.T, ix match.Index) {
	ctx := context.Background()
	g := newGen(2)
	var docs []match.Doc
	for i := range 400 {
		tier := broker.Confidential
		if i%10 == 0 {
			tier = broker.Public
		}
		docs = append(docs, g.doc(broker.KindAchievement, tier))
	}
	apply(t, ix, match.Batch{Upserts: docs, Seq: 1})
	public := match.Access{Rules: []match.AccessRule{{Tiers: []broker.Visibility{broker.Public}}}}
	src := g.doc(broker.KindDemand, broker.Public)
	src.Title, src.Abstract = "海洋 养殖 水质 儿科 印刷 机械", "海洋 养殖 水质 监测 儿科 新生儿 印刷 包装 机械 数控"
	hits, err := ix.Match(ctx, match.Query{Source: src, Target: broker.KindAchievement, Access: public, K: 15})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 15 {
		t.Fatalf("top 15 of the 40 public documents: got %d", len(hits))
	}
	admitted := map[string]bool{}
	for _, d := range docs {
		admitted[d.Ref.String()] = d.Tier == broker.Public
	}
	for _, h := range hits {
		if !admitted[h.Ref.String()] {
			t.Errorf("a hidden document %s in the matches", h.Ref)
		}
	}
	q := match.SearchQuery{Text: "海洋 儿科 印刷 机械", Access: public, Limit: 6}
	seen := 0
	for {
		pg, err := ix.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range pg.Hits {
			if !admitted[h.Ref.String()] {
				t.Errorf("a hidden document %s in the search", h.Ref)
			}
		}
		seen += len(pg.Hits)
		if pg.Total > 40 {
			t.Errorf("total %d counts hidden documents", pg.Total)
		}
		if pg.Next == "" {
			break
		}
		if len(pg.Hits) != 6 {
			t.Fatalf("a short page (%d) with a next page", len(pg.Hits))
		}
		q.Cursor = pg.Next
	}
	if seen == 0 {
		t.Error("the search found nothing: the test tests nothing")
	}
}

// testShortlist: Query.IDs restricts the targets to those documents, and
// access still applies to them; an empty shortlist admits nothing.
func testShortlist(t *testing.T, ix match.Index) {
	ctx := context.Background()
	g := newGen(9)
	var docs []match.Doc
	for i := range 200 {
		tier := broker.Public
		if i%4 == 3 {
			tier = broker.Confidential
		}
		docs = append(docs, g.doc(broker.KindAchievement, tier))
	}
	apply(t, ix, match.Batch{Upserts: docs, Seq: 1})
	public := match.Access{Rules: []match.AccessRule{{Tiers: []broker.Visibility{broker.Public}}}}
	var ids []string
	listed := map[string]bool{}
	for i := 0; i < len(docs); i += 7 {
		ids = append(ids, docs[i].Ref.ID)
		listed[docs[i].Ref.String()] = docs[i].Tier == broker.Public
	}
	src := g.doc(broker.KindDemand, broker.Public)
	hits, err := ix.Match(ctx, match.Query{Source: src, Target: broker.KindAchievement, Access: public, K: 50, IDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		t.Fatal("no match among the shortlist: the test tests nothing")
	}
	for _, h := range hits {
		if ok, in := listed[h.Ref.String()]; !in || !ok {
			t.Errorf("%s is not a public document of the shortlist", h.Ref)
		}
	}
	hits, err = ix.Match(ctx, match.Query{Source: src, Target: broker.KindAchievement, Access: public, K: 50, IDs: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 0 {
		t.Errorf("an empty shortlist gave %d matches", len(hits))
	}
}

// testOrder: results are in score order, ties by reference, and do not
// depend on the order documents were added.
func testOrder(t *testing.T, newIndex Harness, ix match.Index) {
	ctx := context.Background()
	g := newGen(3)
	docs := g.fill(t, ix, 120, 1)
	other := newIndex(t)
	rev := slices.Clone(docs)
	slices.Reverse(rev)
	apply(t, other, match.Batch{Upserts: rev, Seq: 1})
	for i := range 20 {
		src := docs[g.rng.IntN(len(docs))]
		if src.Ref.Kind == broker.KindExpert {
			continue
		}
		targets := map[broker.Kind][]broker.Kind{
			broker.KindAchievement: {broker.KindDemand, broker.KindAchievement, broker.KindExpert},
			broker.KindDemand:      {broker.KindAchievement},
		}[src.Ref.Kind]
		for _, tk := range targets {
			a, err := ix.Match(ctx, match.Query{Source: src, Target: tk, Access: everyone, K: 10})
			if err != nil {
				t.Fatal(err)
			}
			b, err := other.Match(ctx, match.Query{Source: src, Target: tk, Access: everyone, K: 10})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(refs(a), refs(b)) {
				t.Errorf("query %d (%s for %s): the order depends on insertion:\n%v\n%v", i, tk, src.Ref, refs(a), refs(b))
			}
			for j := 1; j < len(a); j++ {
				if a[j].Score > a[j-1].Score {
					t.Errorf("query %d: scores out of order: %v", i, a)
				}
			}
			for _, h := range a {
				if h.Ref == src.Ref {
					t.Errorf("query %d: the source is its own match", i)
				}
				sum := 0.0
				for _, s := range h.Explanation.Signals {
					sum += s.Contribution
				}
				if d := sum - h.Score; d > 1e-9 || d < -1e-9 {
					t.Errorf("query %d: signals sum to %v, score %v", i, sum, h.Score)
				}
			}
		}
	}
	if _, err := ix.Match(ctx, match.Query{Source: docs[0], Target: broker.KindAchievement, K: -1, Access: everyone}); !errors.Is(err, match.ErrInvalid) {
		t.Errorf("K = -1: got %v, want ErrInvalid", err)
	}
}

// testDeclines: a decline marks its pair in both directions, with a note,
// and ranks it lower; removing it restores the match.
func testDeclines(t *testing.T, ix match.Index) {
	ctx := context.Background()
	g := newGen(4)
	g.fill(t, ix, 60, 1)
	a := g.doc(broker.KindAchievement, broker.Public)
	a.Title, a.Keywords, a.Abstract = "超导量子比特读出", []string{"超导量子"}, "超导量子比特的低温读出电路"
	d := g.doc(broker.KindDemand, broker.Public)
	d.Title, d.Abstract, d.Owners = "超导量子比特读出电路", "需要超导量子比特的读出", []string{"企业甲"}
	apply(t, ix, match.Batch{Upserts: []match.Doc{a, d}, Seq: 2})
	top := func(src match.Doc, target broker.Kind, id string) (match.Hit, int) {
		t.Helper()
		hs, err := ix.Match(ctx, match.Query{Source: src, Target: target, Access: everyone, K: 30})
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hs {
			if h.Ref.ID == id {
				return h, i
			}
		}
		t.Fatalf("%s not in the top 30 of %s", id, src.Ref)
		return match.Hit{}, 0
	}
	before, at := top(d, broker.KindAchievement, a.Ref.ID)
	if at != 0 {
		t.Fatalf("before the decline %s ranks %d, want 0", a.Ref, at)
	}
	apply(t, ix, match.Batch{Declines: []match.Decline{{ID: "fb-1", Subject: a.Ref, Party: "企业甲", Reason: broker.DeclinePrice}}, Seq: 3})
	h, _ := top(d, broker.KindAchievement, a.Ref.ID)
	if h.Score >= before.Score || !slices.Contains(h.Explanation.Notes, "declined before: price") {
		t.Errorf("declined: score %v (was %v), notes %v", h.Score, before.Score, h.Explanation.Notes)
	}
	back, _ := top(a, broker.KindDemand, d.Ref.ID)
	if !slices.Contains(back.Explanation.Notes, "declined before: price") {
		t.Errorf("the other direction: notes %v", back.Explanation.Notes)
	}
	apply(t, ix, match.Batch{Undeclines: []string{"fb-1"}, Seq: 4})
	if h, _ := top(d, broker.KindAchievement, a.Ref.ID); len(h.Explanation.Notes) != 0 || h.Score != before.Score {
		t.Errorf("after the decline was removed: score %v, notes %v", h.Score, h.Explanation.Notes)
	}
}

// testFilters: every filter admits what it says, totals and facets count
// every admitted match.
func testFilters(t *testing.T, ix match.Index) {
	ctx := context.Background()
	g := newGen(5)
	docs := g.fill(t, ix, 200, 1)
	cases := []struct {
		name string
		q    match.SearchQuery
		ok   func(d *match.Doc) bool
	}{
		{"kind", match.SearchQuery{Kinds: []broker.Kind{broker.KindDemand}}, func(d *match.Doc) bool { return d.Ref.Kind == broker.KindDemand }},
		{"broker", match.SearchQuery{Brokers: []string{"pediatrics"}}, func(d *match.Doc) bool { return d.Broker == "pediatrics" }},
		{"region", match.SearchQuery{Regions: []string{"江苏省"}}, func(d *match.Doc) bool { return d.Region == "江苏省" }},
		{"owner", match.SearchQuery{Owners: []string{"org-1", "org-2"}}, func(d *match.Doc) bool {
			return slices.Contains(d.Owners, "org-1") || slices.Contains(d.Owners, "org-2")
		}},
		{"discipline", match.SearchQuery{Disciplines: []string{"D2"}}, func(d *match.Doc) bool { return slices.Contains(d.Disciplines, "D2") }},
		{"industry", match.SearchQuery{Industries: []string{"I1"}}, func(d *match.Doc) bool { return slices.Contains(d.Industries, "I1") }},
		{"readiness", match.SearchQuery{MinReadiness: 3, MaxReadiness: 6}, func(d *match.Doc) bool { return d.Readiness >= 3 && d.Readiness <= 6 }},
		{"price", match.SearchQuery{Kinds: []broker.Kind{broker.KindAchievement}, MinPrice: decimal.NewFromInt(20000), MaxPrice: decimal.NewFromInt(50000)},
			func(d *match.Doc) bool {
				return d.Price.Cmp(decimal.NewFromInt(20000)) >= 0 && d.Price.Cmp(decimal.NewFromInt(50000)) <= 0
			}},
		{"date", match.SearchQuery{CreatedFrom: t0.Add(30 * time.Minute), CreatedTo: t0.Add(90 * time.Minute)},
			func(d *match.Doc) bool {
				return !d.Created.Before(t0.Add(30*time.Minute)) && d.Created.Before(t0.Add(90*time.Minute))
			}},
		{"text", match.SearchQuery{Text: "黄疸", Kinds: []broker.Kind{broker.KindAchievement}}, nil},
	}
	for _, c := range cases {
		c.q.Access, c.q.Limit = everyone, 1000
		pg, err := ix.Search(ctx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		if c.ok != nil {
			want := 0
			for i := range docs {
				if c.ok(&docs[i]) {
					want++
				}
			}
			if pg.Total != want || len(pg.Hits) != want {
				t.Errorf("%s: %d hits, total %d, want %d", c.name, len(pg.Hits), pg.Total, want)
			}
		}
		if pg.Total == 0 {
			t.Errorf("%s: nothing matched: the case tests nothing", c.name)
		}
		byID := map[string]*match.Doc{}
		for i := range docs {
			byID[docs[i].Ref.String()] = &docs[i]
		}
		brokers := map[string]int{}
		for _, h := range pg.Hits {
			d := byID[h.Ref.String()]
			if c.ok != nil && !c.ok(d) {
				t.Errorf("%s: %s does not pass the filter", c.name, h.Ref)
			}
			brokers[d.Broker]++
		}
		for _, f := range pg.Facets.Brokers {
			if brokers[f.Value] != f.N {
				t.Errorf("%s: facet %s counts %d, the hits %d", c.name, f.Value, f.N, brokers[f.Value])
			}
		}
	}
	if _, err := ix.Search(ctx, match.SearchQuery{Access: everyone, Cursor: "not a cursor"}); !errors.Is(err, match.ErrInvalid) {
		t.Errorf("a bad cursor: got %v, want ErrInvalid", err)
	}
}

// testPaging: between pages other documents are added, changed and
// deleted; no unchanged document is repeated or skipped.
func testPaging(t *testing.T, ix match.Index) {
	ctx := context.Background()
	g := newGen(6)
	stable := g.fill(t, ix, 150, 1)
	churn := g.fill(t, ix, 40, 2)
	seq := int64(3)
	for _, q := range []match.SearchQuery{
		{Text: "海洋 水质 黄疸 机床", Limit: 7},
		{Text: "包装", Limit: 4, Order: match.ByNewest},
		{Limit: 11, Order: match.ByID},
		{Limit: 13},
	} {
		q.Access = everyone
		seen := map[string]int{}
		for {
			pg, err := ix.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range pg.Hits {
				seen[h.Ref.String()]++
			}
			if pg.Next == "" {
				break
			}
			q.Cursor = pg.Next
			// Change the corpus: new documents of every topic, changed
			// and deleted ones.
			var b match.Batch
			for range 4 {
				d := g.doc(broker.KindAchievement, broker.Public)
				b.Upserts, churn = append(b.Upserts, d), append(churn, d)
			}
			i := g.rng.IntN(len(churn))
			c := churn[i]
			c.Title, c.Version = c.Title+" 海洋 水质", c.Version+1
			churn[i] = c
			b.Upserts = append(b.Upserts, c)
			j := g.rng.IntN(len(churn))
			b.Deletes = append(b.Deletes, churn[j].Ref)
			churn = slices.Delete(churn, j, j+1)
			b.Seq, seq = seq, seq+1
			apply(t, ix, b)
		}
		q.Cursor, q.Limit = "", 1000
		all, err := ix.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, h := range all.Hits {
			if slices.ContainsFunc(stable, func(d match.Doc) bool { return d.Ref == h.Ref }) {
				n++
				if seen[h.Ref.String()] != 1 {
					t.Errorf("%q: %s seen %d times", q.Text, h.Ref, seen[h.Ref.String()])
				}
			}
		}
		for r, k := range seen {
			if k > 1 {
				t.Errorf("%q: %s repeated %d times", q.Text, r, k)
			}
		}
		if n == 0 {
			t.Errorf("%q: no stable document matched", q.Text)
		}
	}
}

// testSnapshot: a snapshot restored into a new index answers alike.
func testSnapshot(t *testing.T, newIndex Harness) {
	ctx := context.Background()
	ix := newIndex(t)
	g := newGen(7)
	docs := g.fill(t, ix, 100, 5)
	apply(t, ix, match.Batch{Deletes: []broker.RecordRef{docs[3].Ref}, Declines: []match.Decline{{ID: "f", Subject: docs[0].Ref, Party: "org-1", Reason: broker.DeclineIPStatus}}, Seq: 6})
	var buf bytes.Buffer
	if err := ix.Snapshot(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	re := newIndex(t)
	if err := re.Restore(ctx, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if re.Seq() != 6 || re.Len(broker.KindAchievement) != ix.Len(broker.KindAchievement) {
		t.Fatalf("restored: seq %d, %d achievements; want 6, %d", re.Seq(), re.Len(broker.KindAchievement), ix.Len(broker.KindAchievement))
	}
	for i := range 30 {
		src := docs[g.rng.IntN(len(docs))]
		if src.Ref.Kind != broker.KindDemand {
			continue
		}
		a, _ := ix.Match(ctx, match.Query{Source: src, Target: broker.KindAchievement, Access: everyone})
		b, _ := re.Match(ctx, match.Query{Source: src, Target: broker.KindAchievement, Access: everyone})
		if !slices.Equal(refs(a), refs(b)) {
			t.Errorf("query %d: %v, restored %v", i, refs(a), refs(b))
		}
	}
	q := match.SearchQuery{Text: "海洋", Access: everyone, Limit: 5}
	p1, _ := ix.Search(ctx, q)
	p2, _ := re.Search(ctx, q)
	if !slices.Equal(refs(p1.Hits), refs(p2.Hits)) || p1.Total != p2.Total {
		t.Errorf("search: %v (%d), restored %v (%d)", refs(p1.Hits), p1.Total, refs(p2.Hits), p2.Total)
	}
	if err := re.Restore(ctx, bytes.NewReader(buf.Bytes()[:buf.Len()/3])); !errors.Is(err, match.ErrSnapshot) {
		t.Errorf("a truncated snapshot: got %v, want ErrSnapshot", err)
	}
	if re.Seq() != 6 {
		t.Errorf("a refused restore changed the index")
	}
}

// testConcurrent: matches and searches while batches are applied.
func testConcurrent(t *testing.T, ix match.Index) {
	ctx := context.Background()
	g := newGen(8)
	docs := g.fill(t, ix, 100, 1)
	src := docs[0]
	extra := make([]match.Doc, 200)
	for i := range extra {
		extra[i] = g.doc(broker.KindAchievement, broker.Public)
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for range 30 {
				if _, err := ix.Match(ctx, match.Query{Source: src, Target: broker.KindDemand, Access: everyone}); err != nil {
					t.Error(err)
					return
				}
				if _, err := ix.Search(ctx, match.SearchQuery{Text: topics[w][0], Access: everyone}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 20 {
		if err := ix.Apply(ctx, match.Batch{Upserts: extra[i*10 : i*10+10], Seq: int64(2 + i)}); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
	if ix.Len(broker.KindAchievement) != 300 {
		t.Errorf("%d achievements, want 300", ix.Len(broker.KindAchievement))
	}
}
