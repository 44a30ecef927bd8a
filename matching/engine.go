package matching

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/textindex"
	"github.com/shopspring/decimal"
)

// Weights of the ranking signals. Each signal's value is in 0..1; a
// match's score is Σ weight × value.
type Weights struct {
	Text       float64 // BM25 relevance, divided by the best candidate's
	Discipline float64 // Jaccard overlap of disciplines
	Industry   float64 // Jaccard overlap of industry codes
	Readiness  float64 // achievement level against the demand's minimum
	Budget     float64 // asking price against the demand's budget
	Region     float64 // same region
	Category   float64 // agreement of the Categorizer's distributions (needs Options.Categorizer)
	Declined   float64 // applied (usually negative) when the pair was declined
}

// DefaultWeights rank mainly by text, then by field overlap and fit.
func DefaultWeights() Weights {
	return Weights{Text: 1, Discipline: 0.3, Industry: 0.2, Readiness: 0.15, Budget: 0.15, Region: 0.05, Declined: -1}
}

// Options configure an Engine. Nil means defaults.
type Options struct {
	// Analyzer for documents and queries (default analysis.New(nil)).
	Analyzer *analysis.Analyzer
	// K1 and B are the BM25 parameters (defaults 1.2 and 0.75).
	K1, B float64
	// Boosts of the title, keywords and abstract fields (defaults 2, 1.5, 1).
	TitleBoost, KeywordsBoost, AbstractBoost float64
	// Weights of the ranking signals (nil means DefaultWeights).
	Weights *Weights
	// Candidates is how many text hits are re-ranked (default 5×K, at
	// least 50). A document with no query term in common is never a
	// candidate.
	Candidates int
	// MaxQueryTerms bounds the terms of a query built from a whole
	// document (similar achievements, achievement→demands,
	// expert→achievements): the n terms with the highest tf·idf are kept
	// (default 0 means all).
	MaxQueryTerms int
	// Feedback, when > 0, turns on document similarity for the queries
	// built from a whole document: candidates are ranked by the cosine of
	// BM25-weighted term vectors, and the query is expanded once with the
	// mean vector of its Feedback best candidates (Rocchio relevance
	// feedback) before the final ranking. It keeps a forward index, about
	// doubling the memory of the text index.
	Feedback int
	// FeedbackWeight is Rocchio's β, the weight of the feedback centroid
	// against the unit query vector (default 1).
	FeedbackWeight float64
	// Categorizer, when set, labels every document (from its title, or
	// its abstract when it has no title); the category signal is the
	// inner product of the source's and the candidate's distributions. It
	// applies to whole-document sources (not to DemandToAchievements).
	Categorizer Categorizer
}

// Categorizer gives a text's distribution over a fixed list of
// categories, such as the industry brokers an achievement may go to; the
// router of package matching/router is one. It must be safe for
// concurrent use.
type Categorizer interface {
	// Categorize returns the probability of each category for text, in
	// the same order for every text, in a slice the caller may keep.
	Categorize(text string) []float64
}

// meta is the non-text part of a document.
type meta struct {
	disciplines []string
	industry    []string
	readiness   int
	price       decimal.Decimal
	budgetMax   decimal.Decimal
	region      string
	category    []float64 // the Categorizer's distribution, when one is set
}

func (m *meta) empty() bool {
	return len(m.disciplines) == 0 && len(m.industry) == 0 && m.readiness == 0 && m.price.IsZero() &&
		m.budgetMax.IsZero() && m.region == "" && m.category == nil
}

// Engine is the built-in matcher: a BM25 index per kind of document and a
// hybrid re-ranker. It is safe for concurrent use.
type Engine struct {
	opts    Options
	weights Weights
	index   map[Kind]*textindex.Index

	mu       sync.RWMutex
	meta     map[Kind]map[string]meta
	declined map[[2]string]bool // (source id, target id)
}

var _ Matcher = (*Engine)(nil)

// NewEngine returns an empty engine.
func NewEngine(opts *Options) (*Engine, error) {
	e := &Engine{meta: map[Kind]map[string]meta{}, declined: map[[2]string]bool{}, index: map[Kind]*textindex.Index{}}
	if opts != nil {
		e.opts = *opts
	}
	o := &e.opts
	if o.Analyzer == nil {
		o.Analyzer = analysis.New(nil)
	}
	o.TitleBoost = orDefault(o.TitleBoost, 2)
	o.KeywordsBoost = orDefault(o.KeywordsBoost, 1.5)
	o.AbstractBoost = orDefault(o.AbstractBoost, 1)
	e.weights = DefaultWeights()
	if o.Weights != nil {
		e.weights = *o.Weights
	}
	if o.Candidates < 0 || o.MaxQueryTerms < 0 || o.Feedback < 0 || o.FeedbackWeight < 0 {
		return nil, &Error{Op: "new engine", Err: ErrInvalid, Msg: "Candidates, MaxQueryTerms, Feedback and FeedbackWeight must be ≥ 0"}
	}
	o.FeedbackWeight = orDefault(o.FeedbackWeight, 1)
	for _, k := range []Kind{Achievement, Demand} {
		ix, err := textindex.New(&textindex.Options{
			Fields: []textindex.FieldOptions{
				{Name: "title", Boost: o.TitleBoost},
				{Name: "keywords", Boost: o.KeywordsBoost},
				{Name: "abstract", Boost: o.AbstractBoost},
			},
			K1: o.K1, B: o.B, Analyzer: o.Analyzer, KeepVectors: o.Feedback > 0,
		})
		if err != nil {
			return nil, &Error{Op: "new engine", Err: ErrInvalid, Msg: err.Error()}
		}
		e.index[k] = ix
		e.meta[k] = map[string]meta{}
	}
	return e, nil
}

func orDefault(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

// Add indexes a document, replacing one of the same kind and id.
func (e *Engine) Add(doc Document) error {
	if err := e.check(doc); err != nil {
		return err
	}
	if err := e.index[doc.Kind].Put(doc.ID, doc.Title, strings.Join(doc.Keywords, " "), doc.Abstract); err != nil {
		return &Error{Op: "add", Kind: doc.Kind, ID: doc.ID, Err: ErrInvalid, Msg: err.Error()}
	}
	e.setMeta(doc)
	return nil
}

// AddBatch indexes documents in order, as Add would one by one, but
// analyzes their texts on several goroutines, which is faster for a bulk
// load on a multi-core machine. It checks every document before indexing
// any.
func (e *Engine) AddBatch(docs []Document) error {
	for _, doc := range docs {
		if err := e.check(doc); err != nil {
			return err
		}
	}
	for start := 0; start < len(docs); {
		kind := docs[start].Kind
		end := start + 1
		for end < len(docs) && docs[end].Kind == kind {
			end++
		}
		batch := make([]textindex.Doc, 0, end-start)
		texts := make([]string, 0, 3*(end-start))
		for _, doc := range docs[start:end] {
			texts = append(texts, doc.Title, strings.Join(doc.Keywords, " "), doc.Abstract)
			batch = append(batch, textindex.Doc{ID: doc.ID, Texts: texts[len(texts)-3 : len(texts) : len(texts)]})
		}
		if err := e.index[kind].PutBatch(batch); err != nil {
			return &Error{Op: "add", Kind: kind, Err: ErrInvalid, Msg: err.Error()}
		}
		e.setMeta(docs[start:end]...)
		start = end
	}
	return nil
}

// check validates a document for Add.
func (e *Engine) check(doc Document) error {
	if _, ok := e.index[doc.Kind]; !ok {
		return &Error{Op: "add", Kind: doc.Kind, ID: doc.ID, Err: ErrInvalid, Msg: "unknown kind"}
	}
	if doc.ID == "" {
		return &Error{Op: "add", Kind: doc.Kind, Err: ErrInvalid, Msg: "empty ID"}
	}
	if doc.Readiness < 0 || doc.Readiness > 9 {
		return &Error{Op: "add", Kind: doc.Kind, ID: doc.ID, Err: ErrInvalid, Msg: fmt.Sprintf("Readiness %d, want 0 (unknown) or 1..9", doc.Readiness)}
	}
	if doc.Price.IsNegative() || doc.BudgetMax.IsNegative() {
		return &Error{Op: "add", Kind: doc.Kind, ID: doc.ID, Err: ErrInvalid, Msg: "negative Price or BudgetMax"}
	}
	return nil
}

// setMeta records the non-text part of indexed documents; with a
// Categorizer, it labels several documents at once on all cores.
func (e *Engine) setMeta(docs ...Document) {
	var cats [][]float64
	if e.opts.Categorizer != nil {
		cats = make([][]float64, len(docs))
		const chunk = 64
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), (len(docs)+chunk-1)/chunk) {
			wg.Go(func() {
				for {
					start := int(next.Add(chunk)) - chunk
					if start >= len(docs) {
						return
					}
					for i := start; i < min(len(docs), start+chunk); i++ {
						cats[i] = e.categories(docs[i])
					}
				}
			})
		}
		wg.Wait()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, doc := range docs {
		m := meta{
			disciplines: slices.Clone(doc.Disciplines),
			industry:    slices.Clone(doc.IndustryCodes),
			readiness:   doc.Readiness,
			price:       doc.Price,
			budgetMax:   doc.BudgetMax,
			region:      doc.Region,
		}
		if cats != nil {
			m.category = cats[i]
		}
		if !m.empty() {
			e.meta[doc.Kind][doc.ID] = m
		} else if len(e.meta[doc.Kind]) > 0 {
			delete(e.meta[doc.Kind], doc.ID) // the zero meta is implied
		}
	}
}

// Load replaces the text index of a kind with ix — one restored from a
// snapshot of Index(kind) (textindex.Restore) — and sets the non-text part
// (codes, readiness, price, budget, region) of docs, the documents ix
// holds, whose texts are not analyzed again. ix must have the engine's
// fields, boosts, BM25 parameters and analyzer (by fingerprint):
// ErrInvalid otherwise. Load is for an engine being set up: it must not
// run concurrently with other calls of the engine.
func (e *Engine) Load(kind Kind, ix *textindex.Index, docs []Document) error {
	cur, ok := e.index[kind]
	if !ok {
		return &Error{Op: "load", Kind: kind, Err: ErrInvalid, Msg: "unknown kind"}
	}
	if ix.Analyzer().Fingerprint() != cur.Analyzer().Fingerprint() || !slices.Equal(ix.Fields(), cur.Fields()) ||
		ix.Params() != cur.Params() || ix.KeepsVectors() != cur.KeepsVectors() {
		return &Error{Op: "load", Kind: kind, Err: ErrInvalid, Msg: "the index was built with another analyzer, other fields, boosts or BM25 parameters than the engine's"}
	}
	for _, doc := range docs {
		if doc.Kind != kind {
			return &Error{Op: "load", Kind: kind, ID: doc.ID, Err: ErrInvalid, Msg: "a document of another kind"}
		}
		if err := e.check(doc); err != nil {
			return err
		}
	}
	e.mu.Lock()
	e.index[kind] = ix
	e.meta[kind] = map[string]meta{}
	e.mu.Unlock()
	e.setMeta(docs...)
	return nil
}

// SetTag tags an indexed document for Query.Filter (see
// textindex.Index.SetTag) and reports whether it is there. Adding the
// document again clears its tag.
func (e *Engine) SetTag(kind Kind, id string, tag uint32) bool {
	ix, ok := e.index[kind]
	return ok && ix.SetTag(id, tag)
}

// Remove deletes a document and reports whether it was there.
func (e *Engine) Remove(kind Kind, id string) bool {
	ix, ok := e.index[kind]
	if !ok {
		return false
	}
	e.mu.Lock()
	delete(e.meta[kind], id)
	e.mu.Unlock()
	return ix.Delete(id)
}

// Len returns the number of indexed documents of a kind.
func (e *Engine) Len(kind Kind) int {
	if ix, ok := e.index[kind]; ok {
		return ix.Len()
	}
	return 0
}

// Decline records that the pair (source, target) was declined — a company
// turned an achievement down, or the other way round; the pair then gets
// the Declined weight in later matches of that source.
func (e *Engine) Decline(sourceID, targetID string) {
	e.mu.Lock()
	e.declined[[2]string{sourceID, targetID}] = true
	e.mu.Unlock()
}

// Compact compacts the text indexes (see textindex.Index.Compact): worth
// calling after a bulk load or many removals.
func (e *Engine) Compact() {
	for _, ix := range e.index {
		ix.Compact()
	}
}

// Index returns the text index of a kind, for direct BM25 queries,
// snapshots and statistics (nil for an unknown kind).
func (e *Engine) Index(kind Kind) *textindex.Index { return e.index[kind] }

// Match implements Matcher.
func (e *Engine) Match(ctx context.Context, q Query) ([]Match, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := q.K
	if k == 0 {
		k = 10
	}
	if k < 0 {
		return nil, &Error{Op: "match", Err: ErrInvalid, Msg: fmt.Sprintf("K = %d", k)}
	}
	if q.MaxTerms < 0 {
		return nil, &Error{Op: "match", Err: ErrInvalid, Msg: fmt.Sprintf("MaxTerms = %d", q.MaxTerms)}
	}
	var target Kind
	var tq textindex.Query
	src := q.Source
	exclude := ""
	// The query's own text and keywords, from which the explanation picks
	// the words the match shares with it.
	queryText := src.Title + "\n" + strings.Join(src.Keywords, " ") + "\n" + src.Abstract
	queryKeywords := src.Keywords
	if q.Direction == ExpertToAchievements {
		queryText = strings.Join(q.Expert.Keywords, " ") + "\n" + strings.Join(q.Expert.Works, "\n")
		queryKeywords = q.Expert.Keywords
	}
	switch q.Direction {
	case DemandToAchievements:
		target = Achievement
		tq = e.bound(target, e.sourceQuery(target, src, false), q.MaxTerms)
	case AchievementToDemands:
		target = Demand
		tq = e.bound(target, e.sourceQuery(target, src, true), q.MaxTerms)
	case SimilarAchievements:
		target = Achievement
		tq = e.sourceQuery(target, src, true)
		exclude = src.ID
	case ExpertToAchievements:
		target = Achievement
		src = Document{ID: q.Expert.ID, Disciplines: q.Expert.Disciplines}
		tq = e.expertQuery(q.Expert)
	default:
		return nil, &Error{Op: "match", Err: ErrInvalid, Msg: fmt.Sprintf("unknown direction %d", q.Direction)}
	}
	ix := e.index[target]
	n := e.opts.Candidates
	if n == 0 {
		n = max(50, 5*k)
	}
	n = max(n, k)
	if exclude != "" {
		n++
	}
	tq.K = n
	tq.Filter = q.Filter
	var hits []textindex.Hit
	var err error
	if tq.Terms != nil && e.opts.Feedback > 0 {
		hits, tq, err = e.similar(ix, tq, exclude)
	} else {
		hits, err = ix.Search(tq)
	}
	if err != nil {
		return nil, &Error{Op: "match", Err: ErrInvalid, Msg: err.Error()}
	}
	best := 0.0
	for _, h := range hits {
		if h.ID != exclude {
			best = max(best, h.Score)
		}
	}
	var srcCat []float64
	if q.Direction != DemandToAchievements {
		srcCat = e.categories(src)
	}
	e.mu.RLock()
	out := make([]Match, 0, len(hits))
	for _, h := range hits {
		if h.ID == exclude {
			continue
		}
		m := e.meta[target][h.ID]
		sig := e.signals(q.Direction, src, srcCat, m, h.Score/best, e.declined[[2]string{src.ID, h.ID}])
		score := 0.0
		for _, s := range sig {
			score += s.Contribution
		}
		out = append(out, Match{Kind: target, ID: h.ID, Score: score, Explanation: Explanation{Signals: sig}})
	}
	e.mu.RUnlock()
	slices.SortStableFunc(out, func(a, b Match) int { return cmp.Compare(b.Score, a.Score) })
	if len(out) > k {
		out = out[:k]
	}
	ids := make([]string, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	parts, err := ix.ExplainAll(tq, ids)
	if err != nil {
		return nil, &Error{Op: "match", Err: ErrInvalid, Msg: err.Error()}
	}
	for i := range out {
		out[i].Explanation.Terms = explainTerms(e.opts.Analyzer, queryText, queryKeywords, parts[i], 10)
	}
	return out, nil
}

// sourceQuery builds the text query for a document. A whole document
// used as a query (asWhole) goes through KeyTerms.
func (e *Engine) sourceQuery(target Kind, d Document, asWhole bool) textindex.Query {
	text := d.Title + "\n" + strings.Join(d.Keywords, " ") + "\n" + d.Abstract
	if asWhole && (e.opts.MaxQueryTerms > 0 || e.opts.Feedback > 0) {
		return textindex.Query{Terms: e.index[target].QueryVector(text, e.opts.MaxQueryTerms)}
	}
	return textindex.Query{Text: text}
}

// bound keeps the n heaviest terms (tf·idf) of a text query that has more
// than n distinct terms in the target's index (n > 0); a shorter query, or
// one already made of terms, is returned as it is.
func (e *Engine) bound(target Kind, tq textindex.Query, n int) textindex.Query {
	if n <= 0 || tq.Text == "" {
		return tq
	}
	v := e.index[target].QueryVector(tq.Text, 0)
	if len(v) <= n {
		return tq
	}
	slices.SortStableFunc(v, func(a, b textindex.Term) int { return cmp.Compare(b.Weight, a.Weight) })
	return textindex.Query{Terms: v[:n]}
}

func (e *Engine) expertQuery(x Expert) textindex.Query {
	text := strings.Join(x.Keywords, " ") + "\n" + strings.Join(x.Works, "\n")
	if e.opts.MaxQueryTerms > 0 || e.opts.Feedback > 0 {
		return textindex.Query{Terms: e.index[Achievement].QueryVector(text, e.opts.MaxQueryTerms)}
	}
	return textindex.Query{Text: text}
}

func (e *Engine) signals(dir Direction, src Document, srcCat []float64, m meta, text float64, declined bool) []Signal {
	w := e.weights
	var demandSide Document // the demand's readiness minimum and budget
	var ach meta            // the achievement's level and price
	switch dir {
	case DemandToAchievements:
		demandSide, ach = src, m
	case AchievementToDemands:
		demandSide = Document{Readiness: m.readiness, BudgetMax: m.budgetMax}
		ach = meta{readiness: src.Readiness, price: src.Price}
	}
	sig := []Signal{
		signal("text", text, w.Text),
		signal("discipline", jaccard(src.Disciplines, m.disciplines), w.Discipline),
		signal("industry", jaccard(src.IndustryCodes, m.industry), w.Industry),
	}
	if dir == DemandToAchievements || dir == AchievementToDemands {
		sig = append(sig,
			signal("readiness", ReadinessFit(demandSide.Readiness, ach.readiness), w.Readiness),
			signal("budget", BudgetFit(ach.price, demandSide.BudgetMax), w.Budget))
	}
	region := 0.0
	if src.Region != "" && src.Region == m.region {
		region = 1
	}
	sig = append(sig, signal("region", region, w.Region))
	if e.opts.Categorizer != nil && dir != DemandToAchievements {
		// A demand is often a few words, too little to label reliably;
		// its disciplines and industry codes carry the field instead.
		c := 0.0
		for i := range min(len(srcCat), len(m.category)) {
			c += srcCat[i] * m.category[i]
		}
		sig = append(sig, signal("category", c, w.Category))
	}
	if declined {
		sig = append(sig, signal("declined", 1, w.Declined))
	}
	return sig
}

func signal(name string, v, w float64) Signal {
	if math.IsNaN(v) {
		v = 0
	}
	return Signal{Name: name, Value: v, Weight: w, Contribution: v * w}
}

// jaccard returns |a∩b| / |a∪b| of two code lists (0 when either is empty).
func jaccard(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter, union := 0, 0
	seen := map[string]uint8{}
	for _, x := range a {
		seen[x] |= 1
	}
	for _, x := range b {
		seen[x] |= 2
	}
	for _, v := range seen {
		union++
		if v == 3 {
			inter++
		}
	}
	return float64(inter) / float64(union)
}

// ReadinessFit scores an achievement's readiness level against a demand's
// minimum: 1 when the level reaches the minimum, falling by 1/3 per
// missing level, and 0.5 when either is unknown (0).
func ReadinessFit(minimum, level int) float64 {
	if minimum <= 0 || level <= 0 {
		return 0.5
	}
	if level >= minimum {
		return 1
	}
	return max(0, 1-float64(minimum-level)/3)
}

// BudgetFit scores an asking price against a budget ceiling: 1 when the
// price is within the budget, falling linearly to 0 at twice the budget,
// and 0.5 when either is unknown (zero).
func BudgetFit(price, budgetMax decimal.Decimal) float64 {
	if price.IsZero() || budgetMax.IsZero() {
		return 0.5
	}
	if price.Cmp(budgetMax) <= 0 {
		return 1
	}
	over := price.Sub(budgetMax).DivRound(budgetMax, 6)
	f, _ := decimal.NewFromInt(1).Sub(over).Float64()
	return max(0, f)
}

// matchedTerms lists the distinct matched terms, best first, leaving out
// single characters covered by a longer matched term.
func matchedTerms(parts []textindex.TermScore, n int) []string {
	byTerm := map[string]float64{}
	var order []string
	for _, p := range parts {
		if _, ok := byTerm[p.Term]; !ok {
			order = append(order, p.Term)
		}
		byTerm[p.Term] += p.Score
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(byTerm[b], byTerm[a]) })
	var out []string
	for _, t := range order {
		if utf8.RuneCountInString(t) == 1 {
			covered := false
			for _, u := range order {
				if len(u) > len(t) && strings.Contains(u, t) {
					covered = true
					break
				}
			}
			if covered {
				continue
			}
		}
		out = append(out, t)
		if len(out) == n {
			break
		}
	}
	return out
}

// Affinity returns, for each expert and each achievement id, how close the
// achievement is to the expert's keywords, past works and disciplines, in
// 0..1: (Text·t + Discipline·d) / (Text + Discipline), where t is the BM25
// score divided by the largest score in the whole matrix and d the
// discipline overlap. Unknown achievements get 0. Scores are comparable
// within one call.
func (e *Engine) Affinity(ctx context.Context, experts []Expert, achievementIDs []string) ([][]float64, error) {
	ix := e.index[Achievement]
	out := make([][]float64, len(experts))
	best := 0.0
	for i, x := range experts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, err := ix.Scores(e.expertQuery(x), achievementIDs)
		if err != nil {
			return nil, &Error{Op: "affinity", ID: x.ID, Err: ErrInvalid, Msg: err.Error()}
		}
		out[i] = s
		for _, v := range s {
			best = max(best, v)
		}
	}
	wt, wd := e.weights.Text, e.weights.Discipline
	if wt+wd <= 0 {
		wt, wd = 1, 0
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	for i, x := range experts {
		for j, id := range achievementIDs {
			t := 0.0
			if best > 0 {
				t = out[i][j] / best
			}
			d := jaccard(x.Disciplines, e.meta[Achievement][id].disciplines)
			out[i][j] = (wt*t + wd*d) / (wt + wd)
		}
	}
	return out, nil
}

// categories returns the Categorizer's distribution for a document (nil
// without a Categorizer).
func (e *Engine) categories(d Document) []float64 {
	if e.opts.Categorizer == nil {
		return nil
	}
	text := d.Title
	if strings.TrimSpace(text) == "" {
		text = d.Abstract
	}
	return e.opts.Categorizer.Categorize(text)
}

// similar ranks by cosine with one round of Rocchio feedback; it returns
// the hits (scores are cosines) and the expanded query (for explanations).
func (e *Engine) similar(ix *textindex.Index, q textindex.Query, exclude string) ([]textindex.Hit, textindex.Query, error) {
	unit(q.Terms)
	rank := func(q textindex.Query) ([]textindex.Hit, [][]textindex.Term, error) {
		hits, err := ix.Search(q)
		if err != nil {
			return nil, nil, err
		}
		vecs := make([][]textindex.Term, len(hits))
		for i := range hits {
			vecs[i] = ix.DocVector(hits[i].ID)
			if n := norm(vecs[i]); n > 0 {
				hits[i].Score /= n
			}
		}
		order := make([]int, len(hits))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(hits[b].Score, hits[a].Score) })
		sh := make([]textindex.Hit, len(hits))
		sv := make([][]textindex.Term, len(hits))
		for i, j := range order {
			sh[i], sv[i] = hits[j], vecs[j]
		}
		return sh, sv, nil
	}
	hits, vecs, err := rank(q)
	if err != nil {
		return nil, q, err
	}
	var fb [][]textindex.Term
	for i := range hits {
		if len(fb) == e.opts.Feedback {
			break
		}
		if hits[i].ID != exclude {
			fb = append(fb, vecs[i])
		}
	}
	m := len(fb)
	if m == 0 {
		return hits, q, nil
	}
	w := map[string]float64{}
	var order []string
	add := func(t string, x float64) {
		if _, ok := w[t]; !ok {
			order = append(order, t)
		}
		w[t] += x
	}
	for _, t := range q.Terms {
		add(t.Text, t.Weight)
	}
	beta := e.opts.FeedbackWeight / float64(m)
	for _, v := range fb {
		n := norm(v)
		if n == 0 {
			continue
		}
		for _, t := range v {
			add(t.Text, beta*t.Weight/n)
		}
	}
	exp := textindex.Query{K: q.K, Terms: make([]textindex.Term, 0, len(order)), Filter: q.Filter}
	for _, t := range order {
		if w[t] > 0 {
			exp.Terms = append(exp.Terms, textindex.Term{Text: t, Weight: w[t]})
		}
	}
	hits, _, err = rank(exp)
	return hits, exp, err
}

func norm(v []textindex.Term) float64 {
	s := 0.0
	for _, t := range v {
		s += t.Weight * t.Weight
	}
	return math.Sqrt(s)
}

func unit(v []textindex.Term) {
	if n := norm(v); n > 0 {
		for i := range v {
			v[i].Weight /= n
		}
	}
}
