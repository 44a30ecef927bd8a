package match

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/matching"
)

// Index is what the Service keeps fed from the store's event log and asks
// for matches and searches. The built-in one (NewEngineIndex) wraps
// matching.Engine in memory; implement it over a search cluster to use
// that instead. Package broker/match/indextest is the conformance suite
// every implementation must pass.
//
// An implementation must guarantee:
//
//   - Apply is atomic as seen by readers, and Seq returns the Seq of the
//     last batch applied (0 for an empty index); an upsert replaces the
//     document with the same Ref whole;
//   - Match and Search return only documents that Access admits, and
//     apply Access (and every other filter) before they cut the top K or
//     the page: K results when K admitted documents match, a page of Limit
//     when more admitted documents follow;
//   - results come in a total order that does not depend on the order the
//     documents were added: by score, then by Ref;
//   - a Search cursor pages without repeating or skipping a document that
//     did not change while the pages were read, whatever else changes;
//   - a decline (Batch.Declines) shapes every later match of its pair (a
//     negative signal and a note in the explanation) until it is removed;
//   - Snapshot and Restore round-trip everything above, Seq included, and
//     Restore refuses a snapshot written with another analyzer or format
//     with an error matching ErrSnapshot;
//   - every method is safe for concurrent use.
type Index interface {
	// Apply upserts and deletes documents, adds and removes declines, and
	// records Seq, the log position the index now reflects.
	Apply(ctx context.Context, b Batch) error
	// Seq is the sequence number of the last event the index reflects.
	Seq() int64
	// Len is the number of documents of a kind.
	Len(kind broker.Kind) int
	// Match returns the best K documents of q.Target for q.Source.
	Match(ctx context.Context, q Query) ([]Hit, error)
	// Search returns one page of the documents matching q.
	Search(ctx context.Context, q SearchQuery) (Page, error)
	// Snapshot writes the whole index, Seq included.
	Snapshot(ctx context.Context, w io.Writer) error
	// Restore replaces the index with a snapshot.
	Restore(ctx context.Context, r io.Reader) error
}

// Batch is one step of the log applied to an Index.
type Batch struct {
	Upserts  []Doc
	Deletes  []broker.RecordRef
	Declines []Decline
	// Undeclines are the IDs of declines removed (their feedback deleted).
	Undeclines []string
	Seq        int64
}

// Doc is a record as an index holds it: its text, the codes and figures
// the filters and the ranking use, and what the access policy needs.
type Doc struct {
	Ref     broker.RecordRef
	Version int64
	// Title is an achievement's or demand's title, an expert's name.
	Title    string
	Keywords []string
	// Abstract is an achievement's summary and abstract, a demand's
	// problem and spec, an expert's past works.
	Abstract    string
	Disciplines []string
	Industries  []string
	// Readiness is an achievement's level, a demand's minimum (0 unknown).
	Readiness int
	// Price is an achievement's asking price; Budget a demand's range or
	// an investor's ticket.
	Price  decimal.Decimal
	Budget broker.Range
	Region string
	// Stages and Regions are an investor's stages (capital.InvestStage)
	// and the regions it invests in (empty: anywhere).
	Stages  []string
	Regions []string
	Broker  string
	Created time.Time

	// Access: the record's visibility tier (broker.Target.Tier), owning
	// organizations, the principal who added it and the contributing
	// society.
	Tier    broker.Visibility
	Owners  []string
	AddedBy string
	Society string
}

// Decline is a recorded decline (broker.Feedback) as an index applies it:
// Party declined Subject. It shapes every match between Subject and a
// record Party owns, in both directions.
type Decline struct {
	ID      string // the feedback record's ID
	Subject broker.RecordRef
	Party   string
	Reason  broker.DeclineReason
}

// Query asks an index for the best matches of a source.
type Query struct {
	Source Doc
	// Target is the kind wanted: achievements for a demand or an
	// investor; demands, similar achievements, experts or investors for an
	// achievement.
	Target broker.Kind
	Access Access
	K      int // default 10
	// IDs, when not nil, restricts the targets to documents with these
	// IDs (a shortlist; the achievements on offer, for an investor), in
	// every direction. An empty non-nil slice admits nothing.
	IDs []string
}

// Hit is one result of an index.
type Hit struct {
	Ref         broker.RecordRef
	Score       float64
	Explanation Explanation
}

// Explanation says why a result ranks where it does: each signal's value,
// weight and contribution (they sum to the score), the query terms found
// in the result, and notes such as "declined before: price".
type Explanation struct {
	Signals []matching.Signal
	Terms   []string
	Notes   []string
}

// Order is the order of a search's results.
type Order string

// Orders. Every order ends with the kind and ID, so it is total.
const (
	// ByRelevance: BM25 score on the text, best first (the default with
	// text). Scores are pinned by the first page (see SearchQuery.Cursor).
	ByRelevance Order = "relevance"
	// ByNewest: creation time, newest first (the default without text).
	ByNewest Order = "newest"
	// ByID: kind, then ID.
	ByID Order = "id"
)

// SearchQuery searches the three libraries by text and filters. Empty
// filters do not filter; a list filter admits a record with any of its
// values.
type SearchQuery struct {
	// Text is matched on title, keywords and abstract; without it every
	// record passing the filters matches.
	Text string
	// Kinds are the libraries searched (default achievements, demands and
	// experts).
	Kinds       []broker.Kind
	Brokers     []string
	Regions     []string
	Owners      []string // owning organization names or IDs
	Disciplines []string
	Industries  []string
	// MinReadiness and MaxReadiness bound the readiness level (0: unset).
	MinReadiness, MaxReadiness int
	// MinPrice and MaxPrice bound an achievement's asking price, and admit
	// a demand whose budget overlaps them (zero: unset).
	MinPrice, MaxPrice decimal.Decimal
	// CreatedFrom and CreatedTo bound the creation time: From ≤ t < To.
	CreatedFrom, CreatedTo time.Time
	Order                  Order
	// Cursor is Page.Next of the previous page; the other fields must be
	// the same as for that page.
	Cursor string
	// Limit is the page size (default 20, at most 1,000).
	Limit  int
	Access Access
}

// Page is one page of a search.
type Page struct {
	Hits []Hit
	// Next is the cursor of the following page; empty on the last.
	Next string
	// Total counts every admitted record that matches, on every page.
	Total int
	// Facets count the matching admitted records per broker, region and
	// discipline, over every page.
	Facets Facets
}

// Facets are counts of a search's matches.
type Facets struct {
	Brokers     []Count
	Regions     []Count
	Disciplines []Count
}

// Count is how many matches have a value; the empty value counts the
// records without one (an unrouted record has no broker).
type Count struct {
	Value string
	N     int
}

// Access is the access policy for one principal's reads, as a filter an
// index applies: a document is admitted when any rule admits it. AccessFor
// derives it from the policy table (broker.Rules), so that a search
// cluster can apply the same rules as a query filter.
type Access struct {
	Rules []AccessRule
}

// AccessRule admits documents of its kinds and tiers that meet every
// condition set (an empty condition is not checked).
type AccessRule struct {
	Kinds []broker.Kind       // nil: every kind
	Tiers []broker.Visibility // nil: every tier
	// Broker: the document's Broker is this desk; with Unrouted, also a
	// document without a broker.
	Broker   string
	Unrouted bool
	Owner    string // one of the document's Owners
	AddedBy  string // the document's AddedBy
	Society  string // the document's Society
	ID       string // the document's Ref.ID (a person's own record)
}

// Admits reports whether the access admits d.
func (a Access) Admits(d *Doc) bool {
	for i := range a.Rules {
		if a.Rules[i].admits(d) {
			return true
		}
	}
	return false
}

func (r *AccessRule) admits(d *Doc) bool {
	tier := d.Tier
	if tier == "" {
		tier = broker.Public
	}
	switch {
	case r.Kinds != nil && !slices.Contains(r.Kinds, d.Ref.Kind),
		r.Tiers != nil && !slices.Contains(r.Tiers, tier),
		r.Broker != "" && d.Broker != r.Broker && !(r.Unrouted && d.Broker == ""),
		r.Owner != "" && !slices.Contains(d.Owners, r.Owner),
		r.AddedBy != "" && d.AddedBy != r.AddedBy,
		r.Society != "" && d.Society != r.Society,
		r.ID != "" && d.Ref.ID != r.ID:
		return false
	}
	return true
}
