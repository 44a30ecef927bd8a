package match

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/router"
)

// Options configure a Service. A nil *Options means defaults.
type Options struct {
	// Index is the index the Service feeds; nil means a new EngineIndex
	// with Engine.
	Index Index
	// Engine configures the default index's engine (nil: defaults).
	Engine *matching.Options
	// Router, when set, routes every new achievement and demand without a
	// broker on arrival (see Suggestion); trained (router.Train) or read
	// from a saved file (router.Read). Its labels are broker IDs.
	Router *router.Router
	// Operator is the principal that writes the router's suggestions
	// (default broker.PlatformAdmin("match")); suggestions are process
	// records, which only platform admins write as plain records.
	Operator broker.Principal
	// MaxLag bounds how old a call's results may be: every call first
	// catches up with the log (Sync) unless the last catch-up finished
	// less than MaxLag ago. 0 means every call catches up, so its results
	// reflect every write committed before it started.
	MaxLag time.Duration
	// Batch is the number of events read from the log at a time (default
	// 5,000).
	Batch int
	// Poll is how often Follow polls a store that cannot notify (default
	// 250 ms).
	Poll time.Duration
	// Clock is the time source of MaxLag (default time.Now).
	Clock func() time.Time
}

// Service is matching (撮合), search (检索) and routing (分流) as a
// service of a broker.System: it keeps an Index fed from the System's event
// log and answers every call for a principal, through the access policy.
// It starts no goroutine: Sync catches up, and Follow, run by the caller,
// catches up as the log grows. It is safe for concurrent use.
type Service struct {
	sys  *broker.System
	idx  Index
	opts Options

	sync      sync.Mutex // one catch-up at a time
	mu        sync.Mutex
	lastSync  time.Time
	router    *router.Router
	investors *broker.Library[capital.Investor]
}

// New returns a Service over sys with an empty index (or Options.Index as
// it is); the first call catches up from its sequence number, or Restore
// or Rebuild fills it first.
func New(sys *broker.System, opts *Options) (*Service, error) {
	s := &Service{sys: sys}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.Index == nil {
		x, err := NewEngineIndex(s.opts.Engine)
		if err != nil {
			return nil, err
		}
		s.opts.Index = x
	}
	if s.opts.Operator == (broker.Principal{}) {
		s.opts.Operator = broker.PlatformAdmin("match")
	}
	if s.opts.Batch <= 0 {
		s.opts.Batch = 5000
	}
	if s.opts.Clock == nil {
		s.opts.Clock = time.Now
	}
	s.idx, s.router = s.opts.Index, s.opts.Router
	broker.NewLibrary[Suggestion](sys) // the kind is known to audits and merges
	s.investors = broker.NewLibrary[capital.Investor](sys)
	return s, nil
}

// Index returns the index the Service feeds.
func (s *Service) Index() Index { return s.idx }

// Sync catches the index up with the log: it applies every event after the
// index's sequence number, in batches, and returns how many it applied.
// Events on achievements, demands, experts and investors upsert or delete their
// record as stored now (so the event's type does not matter: created,
// updated, imported, merged, stage or visibility changes, deleted);
// feedback records become declines. With a router, each achievement or
// demand created without a broker gets its Suggestion first.
func (s *Service) Sync(ctx context.Context) (int, error) {
	s.sync.Lock()
	defer s.sync.Unlock()
	n := 0
	for {
		after := s.idx.Seq()
		cs, err := s.sys.Changes(ctx, after, s.opts.Batch)
		if err != nil {
			return n, err
		}
		if len(cs) == 0 {
			break
		}
		b, arrivals, err := batchOf(cs)
		if err != nil {
			return n, err
		}
		if err := s.suggest(ctx, arrivals); err != nil {
			return n, err
		}
		if err := s.idx.Apply(ctx, b); err != nil {
			return n, err
		}
		n += len(cs)
		if len(cs) < s.opts.Batch {
			break
		}
	}
	s.mu.Lock()
	s.lastSync = s.opts.Clock()
	s.mu.Unlock()
	return n, nil
}

// decoded is a change's record as the index takes it.
type decoded struct {
	doc     Doc
	rec     broker.Record // an achievement or demand, for routing
	decline *Decline
	err     error
}

// decode reads the change's record.
func decode(c *broker.Change) (out decoded) {
	switch c.Kind {
	case broker.KindAchievement:
		var a broker.Achievement
		if out.err = c.Decode(&a); out.err == nil {
			out.doc, out.rec = AchievementDoc(a), a
		}
	case broker.KindDemand:
		var d broker.Demand
		if out.err = c.Decode(&d); out.err == nil {
			out.doc, out.rec = DemandDoc(d), d
		}
	case broker.KindExpert:
		var e broker.Expert
		if out.err = c.Decode(&e); out.err == nil {
			out.doc = ExpertDoc(e)
		}
	case capital.KindInvestor:
		var v capital.Investor
		if out.err = c.Decode(&v); out.err == nil {
			out.doc = InvestorDoc(v)
		}
	case broker.KindFeedback:
		var f broker.Feedback
		if out.err = c.Decode(&f); out.err == nil {
			out.decline = &Decline{ID: f.ID, Subject: f.Subject, Party: f.Party, Reason: f.Reason}
		}
	}
	return out
}

// followed reports whether the index follows records of a kind.
func followed(k broker.Kind) bool {
	return k == broker.KindAchievement || k == broker.KindDemand || k == broker.KindExpert || k == capital.KindInvestor || k == broker.KindFeedback
}

// batchOf turns changes into an index batch — the last state of each
// record — and lists the achievements and demands created without a
// broker. Records are decoded on every core; the goroutines end before it
// returns.
func batchOf(cs []broker.Change) (Batch, []broker.Record, error) {
	var b Batch
	last := make(map[broker.RecordRef]int, len(cs))
	for i, c := range cs {
		last[broker.RecordRef{Kind: c.Kind, ID: c.Event.Record}] = i
		b.Seq = c.Seq
	}
	need := func(i int) bool {
		c := &cs[i]
		if !followed(c.Kind) || c.Record == nil {
			return false
		}
		return last[broker.RecordRef{Kind: c.Kind, ID: c.Event.Record}] == i ||
			c.Type == "created" && (c.Kind == broker.KindAchievement || c.Kind == broker.KindDemand)
	}
	out := make([]decoded, len(cs))
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= len(cs) {
				return
			}
			if need(i) {
				out[i] = decode(&cs[i])
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(cs)/256) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	var arrivals []broker.Record
	for i := range cs {
		c := &cs[i]
		if !followed(c.Kind) {
			continue
		}
		ref := broker.RecordRef{Kind: c.Kind, ID: c.Event.Record}
		d := &out[i]
		if d.err != nil {
			return b, nil, d.err
		}
		if c.Type == "created" && d.rec != nil && d.rec.RecordMeta().Broker == "" {
			arrivals = append(arrivals, d.rec)
		}
		if last[ref] != i {
			continue
		}
		switch {
		case c.Kind == broker.KindFeedback:
			b.Undeclines = append(b.Undeclines, ref.ID) // a changed feedback replaces its decline
			if d.decline != nil {
				b.Declines = append(b.Declines, *d.decline)
			}
		case c.Record == nil:
			b.Deletes = append(b.Deletes, ref)
		default:
			b.Upserts = append(b.Upserts, d.doc)
		}
	}
	return b, arrivals, nil
}

// Follow catches up (Sync) and then again every time the log grows, until
// ctx is done; it returns ctx's error, or the first error of a catch-up.
// Run it in a goroutine of your own: the PostgreSQL store wakes it by
// LISTEN/NOTIFY and memstore by a broadcast; on other stores it polls
// every Options.Poll.
func (s *Service) Follow(ctx context.Context) error {
	for {
		if _, err := s.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if err := s.sys.WaitChanges(ctx, s.idx.Seq(), s.opts.Poll); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}

// fresh catches up unless the last catch-up is younger than MaxLag.
func (s *Service) fresh(ctx context.Context) error {
	if s.opts.MaxLag > 0 {
		s.mu.Lock()
		ok := !s.lastSync.IsZero() && s.opts.Clock().Sub(s.lastSync) < s.opts.MaxLag
		s.mu.Unlock()
		if ok {
			return nil
		}
	}
	_, err := s.Sync(ctx)
	return err
}

// Rebuild fills the index from scratch: it empties it (an EngineIndex;
// another Index must be empty) and adds every achievement, demand, expert,
// investor and decline as stored now, then catches up with the log from the
// sequence number read before the records, so that writes made during the
// rebuild are applied too.
func (s *Service) Rebuild(ctx context.Context) error {
	s.sync.Lock()
	if x, ok := s.idx.(*EngineIndex); ok {
		x.mu.Lock()
		err := x.reset()
		x.mu.Unlock()
		if err != nil {
			s.sync.Unlock()
			return err
		}
	}
	err := s.rebuild(ctx)
	s.sync.Unlock()
	if err != nil {
		return err
	}
	_, err = s.Sync(ctx)
	return err
}

func (s *Service) rebuild(ctx context.Context) error {
	seq, err := s.lastSeq(ctx)
	if err != nil {
		return err
	}
	admin := broker.PlatformAdmin("match")
	b := Batch{Seq: seq}
	if err := each(ctx, s.sys.Achievements, admin, func(a broker.Achievement) { b.Upserts = append(b.Upserts, AchievementDoc(a)) }); err != nil {
		return err
	}
	if err := each(ctx, s.sys.Demands, admin, func(d broker.Demand) { b.Upserts = append(b.Upserts, DemandDoc(d)) }); err != nil {
		return err
	}
	if err := each(ctx, s.sys.Experts, admin, func(e broker.Expert) { b.Upserts = append(b.Upserts, ExpertDoc(e)) }); err != nil {
		return err
	}
	if err := each(ctx, broker.NewLibrary[capital.Investor](s.sys), admin, func(v capital.Investor) { b.Upserts = append(b.Upserts, InvestorDoc(v)) }); err != nil {
		return err
	}
	if err := each(ctx, broker.NewLibrary[broker.Feedback](s.sys), admin, func(f broker.Feedback) {
		b.Declines = append(b.Declines, Decline{ID: f.ID, Subject: f.Subject, Party: f.Party, Reason: f.Reason})
	}); err != nil {
		return err
	}
	return s.idx.Apply(ctx, b)
}

// lastSeq is the sequence number of the log's last event, found by a
// galloping search with reads of one event (a few dozen indexed lookups
// for a log of millions).
func (s *Service) lastSeq(ctx context.Context) (int64, error) {
	has := func(after int64) (int64, error) { // the first Seq after after, or 0
		cs, err := s.sys.Changes(ctx, after, 1)
		if err != nil || len(cs) == 0 {
			return 0, err
		}
		return cs[0].Seq, nil
	}
	lo, err := has(s.idx.Seq()) // a Seq known to exist, or 0
	if err != nil || lo == 0 {
		return s.idx.Seq(), err
	}
	step := int64(1)
	hi := lo + step
	for {
		next, err := has(hi - 1)
		if err != nil {
			return 0, err
		}
		if next == 0 {
			break
		}
		lo, step = next, step*2
		hi = lo + step
	}
	// The last Seq is in [lo, hi): no event after hi-1.
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		next, err := has(mid - 1)
		if err != nil {
			return 0, err
		}
		if next == 0 {
			hi = mid
		} else {
			lo = next
		}
	}
	return lo, nil
}

// each visits every record of a library, page by page.
func each[T broker.Record](ctx context.Context, l *broker.Library[T], p broker.Principal, fn func(T)) error {
	o := broker.ListOptions{Limit: 10000}
	for {
		pg, err := l.List(ctx, p, o)
		if err != nil {
			return err
		}
		for _, v := range pg.Items {
			fn(v)
		}
		if pg.Next == "" {
			return nil
		}
		o.Cursor = pg.Next
	}
}
