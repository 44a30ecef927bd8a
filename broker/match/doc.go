// Package match is matching as a service of a broker System: 撮合
// (matching a demand with the achievements that answer it, and back),
// 检索 (search across the three libraries) and 分流 (routing a new record
// to an industry broker), kept current from the store's event log.
//
//	svc, err := match.New(sys, nil) // sys is a *broker.System
//	rs, err := svc.MatchDemand(ctx, p, demandID, nil)
//	pg, err := svc.Search(ctx, p, match.SearchQuery{Text: "锂电池 储能", Regions: []string{"上海市"}})
//	go svc.Follow(ctx) // optional: catch up as the log grows, in a goroutine of yours
//
// # Words
//
// Where to find each concept, by its Chinese or English name:
//
//   - 撮合 matching: Service.MatchDemand (a demand's achievements),
//     Service.MatchAchievement (the demands and enterprises to approach),
//     Service.SimilarAchievements, Service.Experts (专家 for an
//     achievement: panels and consultations; Service.Affinity for panel
//     planning), Service.MatchInvestors (投资机构 for an achievement, as
//     package capital ranks them); every Result carries an Explanation
//     (signals, weights, matched terms, notes).
//   - 检索 search: Service.Search, SearchQuery (text; kind, broker, region,
//     owner, discipline, industry, readiness, price and date filters),
//     Facets, cursor paging (Page.Next).
//   - 分流 routing: Suggestion (the router's broker, confidence and whether a
//     person must decide), Service.Decide (confirm or override, which
//     routes the record), Service.RoutingAccuracy (the figure per period).
//   - 反馈 declines: a recorded broker.Feedback reaches the index through
//     the log and marks its pair in later matches ("declined before:
//     price").
//   - 快照 snapshots: Service.Save and Service.Restore through Snapshots
//     (Files).
//
// # How the index follows the store
//
// The store's event log is the one source: every write of the System
// appends events in commit order (broker.System.Changes reads them with
// their records). Sync reads the events after the index's sequence number
// and applies the record of each as stored now — upsert or delete — so
// every kind of change (created, updated, imported, merged, a stage or
// visibility change, deleted) reaches the index the same way; feedback
// records become declines. Every call first catches up, unless the last
// catch-up is younger than Options.MaxLag. Follow, run by the caller in
// its own goroutine, catches up whenever the log grows (PostgreSQL wakes
// it by LISTEN/NOTIFY, memstore by a broadcast, other stores are polled).
// The package starts no goroutine.
//
// Several Services over one store — one per application instance — each
// follow the log and answer alike. Suggestions are written once: their ID
// is derived from their subject.
//
// # Access
//
// AccessFor turns the access policy (broker.Rules) for a principal into a
// declarative filter (tiers, the principal's desk, owning organizations,
// AddedBy, society, own record) that the index applies while it ranks,
// before the top K or the page is cut: a page is never short because
// hidden records were dropped. Results are read back through the System
// (Library.Get), so they are redacted as a Get would be.
//
// # Plugging in another index
//
// Index is the interface the Service feeds and asks; EngineIndex, the
// built-in one, wraps matching.Engine and keeps each record's codes,
// figures and access fields beside it. A search cluster can implement
// Index; package broker/match/indextest is the conformance suite it must
// pass. Index's documentation lists what an implementation guarantees.
//
// # Snapshots
//
// Save writes the index (documents, metadata, declines, the router and the
// sequence number it reflects) through Snapshots; Restore reads it and
// catches up from its sequence number, which is much faster than Rebuild
// reading every record. A snapshot of another format, analyzer
// configuration or engine parameters is refused (ErrSnapshot).
package match
