package match

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/textindex"
)

// EngineIndex is the built-in Index: matching.Engine's BM25 indexes and
// hybrid ranking for achievements and demands, a BM25 index of experts'
// keywords and past works, and in memory beside them each document's
// codes, figures and access fields, which the filters, facets and the
// access policy read. It is safe for concurrent use.
type EngineIndex struct {
	opts    matching.Options
	weights matching.Weights

	mu       sync.RWMutex
	eng      *matching.Engine
	inv      *matching.Engine // investors, as demands (see capital's ranking)
	experts  *textindex.Index
	tables   map[broker.Kind]*table
	small    *interner                      // brokers, regions, disciplines
	big      *interner                      // owners, principals, societies
	owned    map[broker.Kind]map[string]int // owner → documents of the kind
	declines map[string]Decline             // by feedback ID
	seq      int64
}

var _ Index = (*EngineIndex)(nil)

// NewEngineIndex returns an empty built-in index whose engine has opts
// (nil means matching's defaults).
func NewEngineIndex(opts *matching.Options) (*EngineIndex, error) {
	x := &EngineIndex{}
	if opts != nil {
		x.opts = *opts
	}
	if x.opts.Analyzer == nil {
		x.opts.Analyzer = analysis.New(nil)
	}
	x.weights = matching.DefaultWeights()
	if x.opts.Weights != nil {
		x.weights = *x.opts.Weights
	}
	if err := x.reset(); err != nil {
		return nil, err
	}
	return x, nil
}

// reset empties the index.
func (x *EngineIndex) reset() error {
	eng, err := matching.NewEngine(&x.opts)
	if err != nil {
		return indexError("new index", err)
	}
	ex, err := x.newExpertIndex()
	if err != nil {
		return err
	}
	// Investors are ranked as capital ranks them: the engine's text,
	// discipline and industry signals, with stage, ticket and region fit
	// in place of readiness, budget and region.
	io := x.opts
	w := x.weights
	w.Readiness, w.Budget, w.Region = 0, 0, 0
	io.Weights = &w
	inv, err := matching.NewEngine(&io)
	if err != nil {
		return indexError("new index", err)
	}
	x.eng, x.inv, x.experts, x.seq = eng, inv, ex, 0
	x.tables = map[broker.Kind]*table{}
	x.owned = map[broker.Kind]map[string]int{}
	x.small, x.big = newInterner(), newInterner()
	for _, k := range kinds {
		x.tables[k], x.owned[k] = newTable(), map[string]int{}
	}
	x.declines = map[string]Decline{}
	return nil
}

func (x *EngineIndex) newExpertIndex() (*textindex.Index, error) {
	ix, err := textindex.New(&textindex.Options{
		Fields:   []textindex.FieldOptions{{Name: "keywords", Boost: 1.5}, {Name: "works"}},
		K1:       x.opts.K1,
		B:        x.opts.B,
		Analyzer: x.opts.Analyzer,
	})
	if err != nil {
		return nil, indexError("new index", err)
	}
	return ix, nil
}

// kinds are the kinds the built-in index holds.
var kinds = []broker.Kind{broker.KindAchievement, broker.KindDemand, broker.KindExpert, capital.KindInvestor}

// libraries are the kinds a search covers by default: the three libraries.
var libraries = []broker.Kind{broker.KindAchievement, broker.KindDemand, broker.KindExpert}

func indexError(op string, err error) error {
	return &Error{Op: op, Err: err}
}

// Seq implements Index.
func (x *EngineIndex) Seq() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.seq
}

// Len implements Index.
func (x *EngineIndex) Len(kind broker.Kind) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if t := x.tables[kind]; t != nil {
		return t.len()
	}
	return 0
}

// Compact compacts the text indexes: deleted and replaced documents stop
// counting in BM25's statistics (see textindex.Index.Compact). The indexes
// compact themselves once a quarter of their documents are deleted.
func (x *EngineIndex) Compact() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.eng.Compact()
	x.inv.Compact()
	x.experts.Compact()
}

// Apply implements Index.
func (x *EngineIndex) Apply(ctx context.Context, b Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var docs, invs []matching.Document
	b.Upserts = slices.Clone(b.Upserts)
	for i := range b.Upserts {
		d := &b.Upserts[i]
		detach(d)
		if _, ok := x.tables[d.Ref.Kind]; !ok || d.Ref.ID == "" {
			return &Error{Op: "apply", Ref: d.Ref, Err: ErrInvalid, Msg: "an index holds achievements, demands, experts and investors with an ID"}
		}
		switch d.Ref.Kind {
		case capital.KindInvestor:
			invs = append(invs, document(d))
		case broker.KindAchievement, broker.KindDemand:
			docs = append(docs, document(d))
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, ref := range b.Deletes {
		x.remove(ref)
	}
	if err := x.eng.AddBatch(docs); err != nil {
		return indexError("apply", err)
	}
	if err := x.inv.AddBatch(invs); err != nil {
		return indexError("apply", err)
	}
	for i := range b.Upserts {
		d := b.Upserts[i]
		if d.Ref.Kind == broker.KindExpert {
			if err := x.experts.Put(d.Ref.ID, strings.Join(d.Keywords, " "), d.Abstract); err != nil {
				return indexError("apply", err)
			}
		}
		x.setDoc(d)
	}
	x.tagAll(b.Upserts)
	for _, id := range b.Undeclines {
		delete(x.declines, id)
	}
	for _, d := range b.Declines {
		x.declines[d.ID] = d
	}
	x.seq = b.Seq
	return nil
}

// detach copies the strings of a document that the index keeps (all but
// its texts, which are only analyzed), so that they do not hold on to the
// buffers they were decoded from: a JSON decoder may return strings that
// share the memory of the whole record.
func detach(d *Doc) {
	d.Ref.Kind, d.Ref.ID = broker.Kind(strings.Clone(string(d.Ref.Kind))), strings.Clone(d.Ref.ID)
	d.Region, d.Broker, d.Tier = strings.Clone(d.Region), strings.Clone(d.Broker), broker.Visibility(strings.Clone(string(d.Tier)))
	d.AddedBy, d.Society = strings.Clone(d.AddedBy), strings.Clone(d.Society)
	for _, l := range []*[]string{&d.Owners, &d.Disciplines, &d.Industries, &d.Stages, &d.Regions} {
		c := make([]string, len(*l))
		for i, x := range *l {
			c[i] = strings.Clone(x)
		}
		if *l != nil {
			*l = c
		}
	}
}

// setDoc keeps a document's non-text part; x.mu is held.
func (x *EngineIndex) setDoc(d Doc) {
	t := x.tables[d.Ref.Kind]
	if tag, ok := t.byID[d.Ref.ID]; ok {
		x.own(&t.get(tag).doc, -1)
	}
	e := x.newEntry(d)
	t.put(e)
	x.own(&e.doc, 1)
}

// tagAll tags the documents in their text index with their slot; x.mu is
// held.
func (x *EngineIndex) tagAll(docs []Doc) {
	for i := range docs {
		ref := docs[i].Ref
		x.textIndex(ref.Kind).SetTag(ref.ID, x.tables[ref.Kind].byID[ref.ID])
	}
}

func (x *EngineIndex) own(d *Doc, n int) {
	m := x.owned[d.Ref.Kind]
	for _, o := range d.Owners {
		if m[o] += n; m[o] <= 0 {
			delete(m, o)
		}
	}
}

// remove drops a document; x.mu is held.
func (x *EngineIndex) remove(ref broker.RecordRef) {
	e := x.tables[ref.Kind].remove(ref.ID)
	if e == nil {
		return
	}
	x.own(&e.doc, -1)
	switch ref.Kind {
	case broker.KindExpert:
		x.experts.Delete(ref.ID)
	case capital.KindInvestor:
		x.inv.Remove(matching.Demand, ref.ID)
	default:
		x.eng.Remove(engineKind(ref.Kind), ref.ID)
	}
}

func engineKind(k broker.Kind) matching.Kind {
	if k == broker.KindDemand {
		return matching.Demand
	}
	return matching.Achievement
}

// declined finds the declines that concern matches of source with
// documents of kind target: those of source by a party (the party's
// documents get the signal), and those of a target document by one of
// source's owners. It returns them and how many documents they may
// concern at most; x.mu is held.
func (x *EngineIndex) declined(source *Doc, target broker.Kind) (bySource []Decline, byTarget map[string][]Decline, n int) {
	byTarget = map[string][]Decline{}
	parties := map[string]bool{}
	for _, d := range x.declines {
		switch {
		case d.Subject == source.Ref:
			bySource = append(bySource, d)
			if !parties[d.Party] {
				parties[d.Party] = true
				n += x.owned[target][d.Party]
			}
		case d.Subject.Kind == target && slices.Contains(source.Owners, d.Party):
			if len(byTarget[d.Subject.ID]) == 0 {
				n++
			}
			byTarget[d.Subject.ID] = append(byTarget[d.Subject.ID], d)
		}
	}
	return bySource, byTarget, n
}

// DemandQueryTerms bounds the terms of a query made from a record's text in
// EngineIndex: a demand matched to achievements, or an achievement matched
// to demands or investors, whose text (title, keywords and problem or
// abstract; with CJK unigrams and bigrams a few hundred characters make
// hundreds of terms) is longer is matched on its heaviest terms by tf·idf
// (matching.Query.MaxTerms; matching.QueryTerms says how the bound was
// chosen). capital.Service.MatchInvestors bounds its query alike, so both
// rank investors the same.
const DemandQueryTerms = matching.QueryTerms

// Match implements Index.
func (x *EngineIndex) Match(ctx context.Context, q Query) ([]Hit, error) {
	k := q.K
	if k == 0 {
		k = 10
	}
	if k < 0 || k > 1000 {
		return nil, &Error{Op: "match", Ref: q.Source.Ref, Err: ErrInvalid, Msg: fmt.Sprintf("K = %d, want 1..1000", q.K)}
	}
	var dir matching.Direction
	switch {
	case q.Source.Ref.Kind == broker.KindDemand && q.Target == broker.KindAchievement:
		dir = matching.DemandToAchievements
	case q.Source.Ref.Kind == broker.KindAchievement && q.Target == broker.KindDemand:
		dir = matching.AchievementToDemands
	case q.Source.Ref.Kind == broker.KindAchievement && q.Target == broker.KindAchievement:
		dir = matching.SimilarAchievements
	case q.Source.Ref.Kind == broker.KindAchievement && q.Target == broker.KindExpert:
		return x.matchExperts(ctx, q, k)
	case q.Source.Ref.Kind == broker.KindAchievement && q.Target == capital.KindInvestor:
		return x.matchInvestors(ctx, q, k)
	case q.Source.Ref.Kind == capital.KindInvestor && q.Target == broker.KindAchievement:
		return x.matchOffers(ctx, q, k)
	default:
		return nil, &Error{Op: "match", Ref: q.Source.Ref, Err: ErrInvalid, Msg: fmt.Sprintf("no match of %s for a %s", q.Target, q.Source.Ref.Kind)}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	bySource, byTarget, extra := x.declined(&q.Source, q.Target)
	tbl, ca := x.tables[q.Target], x.compile(q.Access, q.Target)
	self := uint32(0)
	if q.Source.Ref.Kind == q.Target {
		self = tbl.byID[q.Source.Ref.ID]
	}
	only := onlyTags(tbl, q.IDs)
	filter := func(tag uint32) bool { return tag != self && (only == nil || only[tag]) && ca.admitsTag(tbl, tag) }
	mq := matching.Query{Direction: dir, Source: document(&q.Source), K: k + extra, Filter: filter}
	if dir == matching.DemandToAchievements || dir == matching.AchievementToDemands {
		mq.MaxTerms = DemandQueryTerms
	}
	ms, err := x.eng.Match(ctx, mq)
	if err != nil {
		return nil, indexError("match", err)
	}
	hits := make([]Hit, len(ms))
	for i, m := range ms {
		h := Hit{Ref: broker.RecordRef{Kind: q.Target, ID: m.ID}, Score: m.Score,
			Explanation: Explanation{Signals: m.Explanation.Signals, Terms: m.Explanation.Terms}}
		var reasons []Decline
		if e := tbl.get(tbl.byID[m.ID]); e != nil {
			for _, dc := range bySource {
				if slices.Contains(e.doc.Owners, dc.Party) {
					reasons = append(reasons, dc)
				}
			}
		}
		reasons = append(reasons, byTarget[m.ID]...)
		x.applyDeclines(&h, reasons)
		hits[i] = h
	}
	return cut(hits, k), nil
}

// applyDeclines adds the declined signal and a note per reason.
func (x *EngineIndex) applyDeclines(h *Hit, ds []Decline) {
	if len(ds) == 0 {
		return
	}
	has := slices.ContainsFunc(h.Explanation.Signals, func(s matching.Signal) bool { return s.Name == "declined" })
	if !has {
		s := matching.Signal{Name: "declined", Value: 1, Weight: x.weights.Declined, Contribution: x.weights.Declined}
		h.Explanation.Signals = append(h.Explanation.Signals, s)
		h.Score += s.Contribution
	}
	seen := map[broker.DeclineReason]bool{}
	for _, d := range ds {
		if !seen[d.Reason] {
			seen[d.Reason] = true
			h.Explanation.Notes = append(h.Explanation.Notes, "declined before: "+string(d.Reason))
		}
	}
}

// onlyTags is the set of tags of the documents with the given IDs (nil
// when ids is nil: no restriction). IDs the table does not hold are left
// out.
func onlyTags(tbl *table, ids []string) map[uint32]bool {
	if ids == nil {
		return nil
	}
	only := make(map[uint32]bool, len(ids))
	for _, id := range ids {
		if tag, ok := tbl.byID[id]; ok {
			only[tag] = true
		}
	}
	return only
}

// cut sorts hits by score, then by reference, and keeps k.
func cut(hits []Hit, k int) []Hit {
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return compareRefs(a.Ref, b.Ref)
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}

func compareRefs(a, b broker.RecordRef) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// matchExperts ranks experts for an achievement: BM25 of the
// achievement's key terms against the experts' keywords and past works,
// divided by the best candidate's, and discipline overlap.
func (x *EngineIndex) matchExperts(ctx context.Context, q Query, k int) ([]Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	tbl, ca := x.tables[broker.KindExpert], x.compile(q.Access, broker.KindExpert)
	text := q.Source.Title + "\n" + strings.Join(q.Source.Keywords, " ") + "\n" + q.Source.Abstract
	only := onlyTags(tbl, q.IDs)
	tq := textindex.Query{Terms: x.experts.QueryVector(text, 40), K: max(50, 5*k), Filter: func(tag uint32) bool { return (only == nil || only[tag]) && ca.admitsTag(tbl, tag) }}
	found, err := x.experts.Search(tq)
	if err != nil {
		return nil, indexError("match", err)
	}
	best := 0.0
	for _, f := range found {
		best = max(best, f.Score)
	}
	wt, wd := x.weights.Text, x.weights.Discipline
	hits := make([]Hit, 0, len(found))
	for _, f := range found {
		d := &tbl.get(tbl.byID[f.ID]).doc
		t := f.Score / best
		j := jaccard(q.Source.Disciplines, d.Disciplines)
		hits = append(hits, Hit{Ref: d.Ref, Score: wt*t + wd*j, Explanation: Explanation{Signals: []matching.Signal{
			{Name: "text", Value: t, Weight: wt, Contribution: wt * t},
			{Name: "discipline", Value: j, Weight: wd, Contribution: wd * j},
		}}})
	}
	hits = cut(hits, k)
	for i := range hits {
		parts, err := x.experts.Explain(tq, hits[i].Ref.ID)
		if err != nil {
			return nil, indexError("match", err)
		}
		hits[i].Explanation.Terms = terms(parts, 10)
	}
	return hits, nil
}

func jaccard(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for _, x := range a {
		if slices.Contains(b, x) {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	return float64(inter) / float64(union)
}

// terms lists the distinct terms of an explanation, best first.
func terms(parts []textindex.TermScore, n int) []string {
	var out []string
	for _, p := range parts {
		if !slices.Contains(out, p.Term) {
			out = append(out, p.Term)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// matchInvestors ranks investors for an achievement as capital's ranking
// does — the engine's text, discipline and industry signals, plus stage,
// ticket and region fit (capital.StageFit, TicketFit, RegionFit, with
// capital's default bands and weights 0.3, 0.2, 0.1), with the reasons of
// each fit as notes — over the engine's text candidates (5·K, at least
// 50) that the access admits.
func (x *EngineIndex) matchInvestors(ctx context.Context, q Query, k int) ([]Hit, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	tbl, ca := x.tables[capital.KindInvestor], x.compile(q.Access, capital.KindInvestor)
	n := max(50, 5*k)
	only := onlyTags(tbl, q.IDs)
	ms, err := x.inv.Match(ctx, matching.Query{Direction: matching.AchievementToDemands, Source: document(&q.Source), K: n, MaxTerms: DemandQueryTerms,
		Filter: func(tag uint32) bool { return (only == nil || only[tag]) && ca.admitsTag(tbl, tag) }})
	if err != nil {
		return nil, indexError("match", err)
	}
	bands := capital.DefaultStageReadiness()
	hits := make([]Hit, 0, len(ms))
	for _, m := range ms {
		e := tbl.get(tbl.byID[m.ID])
		if e == nil {
			continue
		}
		v := investor(&e.doc)
		stage, swhy := capital.StageFit(v, q.Source.Readiness, bands)
		ticket, twhy := capital.TicketFit(v, q.Source.Price)
		region, rwhy := capital.RegionFit(v, q.Source.Region)
		h := Hit{Ref: e.doc.Ref, Explanation: Explanation{Terms: m.Explanation.Terms, Notes: []string{swhy, twhy, rwhy}}}
		for _, g := range m.Explanation.Signals {
			if g.Weight != 0 {
				h.Explanation.Signals = append(h.Explanation.Signals, g)
			}
		}
		h.Explanation.Signals = append(h.Explanation.Signals,
			matching.Signal{Name: "stage", Value: stage, Weight: 0.3, Contribution: stage * 0.3},
			matching.Signal{Name: "ticket", Value: ticket, Weight: 0.2, Contribution: ticket * 0.2},
			matching.Signal{Name: "region", Value: region, Weight: 0.1, Contribution: region * 0.1})
		for _, g := range h.Explanation.Signals {
			h.Score += g.Contribution
		}
		hits = append(hits, h)
	}
	return cut(hits, k), nil
}

// fits are capital's investor signals for an investor and an achievement,
// with their reasons.
func fits(v capital.Investor, a *Doc) ([]matching.Signal, []string) {
	stage, swhy := capital.StageFit(v, a.Readiness, capital.DefaultStageReadiness())
	ticket, twhy := capital.TicketFit(v, a.Price)
	region, rwhy := capital.RegionFit(v, a.Region)
	return []matching.Signal{
		{Name: "stage", Value: stage, Weight: 0.3, Contribution: stage * 0.3},
		{Name: "ticket", Value: ticket, Weight: 0.2, Contribution: ticket * 0.2},
		{Name: "region", Value: region, Weight: 0.1, Contribution: region * 0.1},
	}, []string{swhy, twhy, rwhy}
}

// matchOffers ranks achievements (q.IDs: those on offer) for an investor
// as capital does: text, discipline and industry, plus stage, ticket and
// region fit, over the engine's text candidates (5·K, at least 50).
func (x *EngineIndex) matchOffers(ctx context.Context, q Query, k int) ([]Hit, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	tbl, ca := x.tables[broker.KindAchievement], x.compile(q.Access, broker.KindAchievement)
	only := onlyTags(tbl, q.IDs)
	src := document(&q.Source)
	src.Kind, src.Readiness, src.BudgetMax, src.Region = matching.Demand, 0, decimal.Zero, ""
	ms, err := x.eng.Match(ctx, matching.Query{Direction: matching.DemandToAchievements, Source: src, K: max(50, 5*k),
		Filter: func(tag uint32) bool { return (only == nil || only[tag]) && ca.admitsTag(tbl, tag) }})
	if err != nil {
		return nil, indexError("match", err)
	}
	v := investor(&q.Source)
	hits := make([]Hit, 0, len(ms))
	for _, m := range ms {
		e := tbl.get(tbl.byID[m.ID])
		if e == nil {
			continue
		}
		h := Hit{Ref: e.doc.Ref, Explanation: Explanation{Terms: m.Explanation.Terms}}
		for _, g := range m.Explanation.Signals {
			if g.Name == "text" || g.Name == "discipline" || g.Name == "industry" {
				h.Explanation.Signals = append(h.Explanation.Signals, g)
			}
		}
		sig, why := fits(v, &e.doc)
		h.Explanation.Signals, h.Explanation.Notes = append(h.Explanation.Signals, sig...), why
		for _, g := range h.Explanation.Signals {
			h.Score += g.Contribution
		}
		hits = append(hits, h)
	}
	return cut(hits, k), nil
}

// snapshotMagic starts a snapshot of an EngineIndex; the number is its
// format.
const snapshotMagic = "TBMIDX02"

type snapshotMeta struct {
	Docs     []Doc
	Declines []Decline
}

// Snapshot implements Index: a header (format, the analyzer's
// fingerprint, the engine's parameters), the sequence number, the
// documents' non-text part and the declines, then the three text indexes.
func (x *EngineIndex) Snapshot(ctx context.Context, w io.Writer) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	bw := bufio.NewWriterSize(w, 1<<16)
	var head []byte
	head = append(head, snapshotMagic...)
	head = binary.LittleEndian.AppendUint64(head, x.opts.Analyzer.Fingerprint())
	head = appendString(head, x.eng.Index(matching.Achievement).Params())
	head = binary.AppendVarint(head, x.seq)
	if _, err := bw.Write(head); err != nil {
		return indexError("snapshot", err)
	}
	var meta snapshotMeta
	for _, k := range kinds {
		for _, e := range x.tables[k].slots {
			if e != nil {
				meta.Docs = append(meta.Docs, e.doc)
			}
		}
	}
	slices.SortFunc(meta.Docs, func(a, b Doc) int { return compareRefs(a.Ref, b.Ref) })
	for _, d := range x.declines {
		meta.Declines = append(meta.Declines, d)
	}
	slices.SortFunc(meta.Declines, func(a, b Decline) int { return cmp.Compare(a.ID, b.ID) })
	if err := gob.NewEncoder(bw).Encode(&meta); err != nil {
		return indexError("snapshot", err)
	}
	for _, ix := range []*textindex.Index{x.eng.Index(matching.Achievement), x.eng.Index(matching.Demand), x.experts, x.inv.Index(matching.Demand)} {
		if err := ctx.Err(); err != nil {
			return err
		}
		var buf strings.Builder
		if _, err := ix.WriteTo(&buf); err != nil {
			return indexError("snapshot", err)
		}
		if _, err := bw.Write(binary.AppendUvarint(nil, uint64(buf.Len()))); err != nil {
			return indexError("snapshot", err)
		}
		if _, err := io.WriteString(bw, buf.String()); err != nil {
			return indexError("snapshot", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return indexError("snapshot", err)
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Restore implements Index. It refuses, with an error matching
// ErrSnapshot, a snapshot of another format, of an index whose analyzer
// is configured otherwise (by fingerprint) or whose engine has other
// fields, boosts or BM25 parameters; the index is left as it was.
func (x *EngineIndex) Restore(ctx context.Context, r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<16)
	head := make([]byte, len(snapshotMagic)+8)
	if _, err := io.ReadFull(br, head); err != nil {
		return snapshotError("the data is too short for a snapshot header", err)
	}
	if string(head[:len(snapshotMagic)]) != snapshotMagic {
		return snapshotError(fmt.Sprintf("format %q, this index reads %q", printable(head[:len(snapshotMagic)]), snapshotMagic), nil)
	}
	if got, want := binary.LittleEndian.Uint64(head[len(snapshotMagic):]), x.opts.Analyzer.Fingerprint(); got != want {
		return snapshotError(fmt.Sprintf("written with an analyzer of fingerprint %#x, this index's analyzer is %#x: another analyzer configuration", got, want), nil)
	}
	params, err := readString(br)
	if err != nil {
		return snapshotError("damaged header", err)
	}
	if want := x.eng.Index(matching.Achievement).Params(); params != want {
		return snapshotError(fmt.Sprintf("written by an engine with %s, this index has %s", params, want), nil)
	}
	seq, err := binary.ReadVarint(br)
	if err != nil {
		return snapshotError("damaged header", err)
	}
	var meta snapshotMeta
	if err := gob.NewDecoder(br).Decode(&meta); err != nil {
		return snapshotError("damaged document table", err)
	}
	ixs := make([]*textindex.Index, 4)
	for i := range ixs {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := binary.ReadUvarint(br)
		if err != nil {
			return snapshotError("damaged text index", err)
		}
		ixs[i], err = textindex.Restore(io.LimitReader(br, int64(n)), &textindex.Options{Analyzer: x.opts.Analyzer})
		if err != nil {
			return snapshotError("text index", err)
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return snapshotError("trailing data after the snapshot", nil)
	}
	fresh := &EngineIndex{opts: x.opts, weights: x.weights}
	if err := fresh.reset(); err != nil {
		return err
	}
	if ixs[2].Params() != fresh.experts.Params() {
		return snapshotError("the experts' index has other fields or parameters", nil)
	}
	var ach, dem, inv []matching.Document
	for i := range meta.Docs {
		d := &meta.Docs[i]
		if _, ok := fresh.tables[d.Ref.Kind]; !ok {
			return snapshotError(fmt.Sprintf("a document of kind %q", d.Ref.Kind), nil)
		}
		switch d.Ref.Kind {
		case broker.KindAchievement:
			ach = append(ach, document(d))
		case broker.KindDemand:
			dem = append(dem, document(d))
		case capital.KindInvestor:
			inv = append(inv, document(d))
		}
		fresh.setDoc(*d)
	}
	if err := fresh.eng.Load(matching.Achievement, ixs[0], ach); err != nil {
		return snapshotError("achievements", err)
	}
	if err := fresh.eng.Load(matching.Demand, ixs[1], dem); err != nil {
		return snapshotError("demands", err)
	}
	if err := fresh.inv.Load(matching.Demand, ixs[3], inv); err != nil {
		return snapshotError("investors", err)
	}
	fresh.experts = ixs[2]
	fresh.tagAll(meta.Docs)
	for _, d := range meta.Declines {
		fresh.declines[d.ID] = d
	}
	x.mu.Lock()
	x.eng, x.inv, x.experts, x.tables, x.small, x.big = fresh.eng, fresh.inv, fresh.experts, fresh.tables, fresh.small, fresh.big
	x.owned, x.declines, x.seq = fresh.owned, fresh.declines, seq
	x.mu.Unlock()
	return nil
}

func readString(r *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return "", err
	}
	if n > 1<<12 {
		return "", errors.New("string too long")
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return string(b), err
}

func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, string(b))
}
