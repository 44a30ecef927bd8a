package match

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

// MatchOptions adjust one match call.
type MatchOptions struct {
	// K is the number of results wanted (default 10, at most 1,000).
	K int
	// Among, when not nil, restricts the results to the records with
	// these IDs — a shortlist, such as the achievements a desk has
	// promoted. Access still applies to each of them.
	Among []string
}

// Result is one record of a match or a search, as the principal may see
// it, with why it ranks where it does.
type Result struct {
	Ref   broker.RecordRef
	Score float64
	// Record is the record as Get returns it to the principal (redacted
	// alike): a broker.Achievement, broker.Demand or broker.Expert.
	Record      broker.Record
	Explanation Explanation
}

// Enterprise is an enterprise to approach with an achievement: the owner
// of some of the demands it answers, with the best score among them.
type Enterprise struct {
	Name    string
	Score   float64
	Demands []string // IDs, best first
}

// Matches are the results of MatchAchievement: the demands the achievement
// answers and their enterprises.
type Matches struct {
	Demands     []Result
	Enterprises []Enterprise
}

// MatchDemand returns the achievements that answer a demand (撮合), best
// first, among those p may read. p must be able to read the demand.
func (s *Service) MatchDemand(ctx context.Context, p broker.Principal, demandID string, o *MatchOptions) ([]Result, error) {
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	d, err := s.sys.Demands.Get(ctx, p, demandID)
	if err != nil {
		return nil, err
	}
	return s.match(ctx, p, DemandDoc(d), broker.KindAchievement, o)
}

// MatchAchievement returns the demands an achievement answers, best first,
// and the enterprises to approach, among the demands p may read. p must be
// able to read the achievement.
func (s *Service) MatchAchievement(ctx context.Context, p broker.Principal, achievementID string, o *MatchOptions) (Matches, error) {
	if err := s.fresh(ctx); err != nil {
		return Matches{}, err
	}
	a, err := s.sys.Achievements.Get(ctx, p, achievementID)
	if err != nil {
		return Matches{}, err
	}
	rs, err := s.match(ctx, p, AchievementDoc(a), broker.KindDemand, o)
	if err != nil {
		return Matches{}, err
	}
	m := Matches{Demands: rs}
	byName := map[string]int{}
	for _, r := range rs {
		d := r.Record.(broker.Demand)
		i, ok := byName[d.Enterprise]
		if !ok {
			i = len(m.Enterprises)
			byName[d.Enterprise] = i
			m.Enterprises = append(m.Enterprises, Enterprise{Name: d.Enterprise, Score: r.Score})
		}
		m.Enterprises[i].Demands = append(m.Enterprises[i].Demands, d.ID)
	}
	slices.SortStableFunc(m.Enterprises, func(a, b Enterprise) int { return cmp.Compare(b.Score, a.Score) })
	return m, nil
}

// SimilarAchievements returns the achievements most like one, best first,
// among those p may read.
func (s *Service) SimilarAchievements(ctx context.Context, p broker.Principal, achievementID string, o *MatchOptions) ([]Result, error) {
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	a, err := s.sys.Achievements.Get(ctx, p, achievementID)
	if err != nil {
		return nil, err
	}
	return s.match(ctx, p, AchievementDoc(a), broker.KindAchievement, o)
}

// Experts returns the experts closest to an achievement (its text against
// their keywords and past works, and discipline overlap), best first, for
// screening panels (see Affinity) and consultations.
func (s *Service) Experts(ctx context.Context, p broker.Principal, achievementID string, o *MatchOptions) ([]Result, error) {
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	a, err := s.sys.Achievements.Get(ctx, p, achievementID)
	if err != nil {
		return nil, err
	}
	return s.match(ctx, p, AchievementDoc(a), broker.KindExpert, o)
}

func (s *Service) match(ctx context.Context, p broker.Principal, src Doc, target broker.Kind, o *MatchOptions) ([]Result, error) {
	k, among := 10, []string(nil)
	if o != nil {
		if o.K != 0 {
			k = o.K
		}
		among = o.Among
	}
	hits, err := s.idx.Match(ctx, Query{Source: src, Target: target, Access: AccessFor(p), K: k, IDs: among})
	if err != nil {
		return nil, err
	}
	return s.results(ctx, p, hits)
}

// results reads the records of hits as p may see them, several at a
// time (each read is a round trip to the store; the goroutines end before
// it returns). A record deleted or hidden from p since the index last
// caught up is left out.
func (s *Service) results(ctx context.Context, p broker.Principal, hits []Hit) ([]Result, error) {
	recs := make([]broker.Record, len(hits))
	errs := make([]error, len(hits))
	read := func(i int) {
		h := hits[i]
		switch h.Ref.Kind {
		case broker.KindAchievement:
			recs[i], errs[i] = s.sys.Achievements.Get(ctx, p, h.Ref.ID)
		case broker.KindDemand:
			recs[i], errs[i] = s.sys.Demands.Get(ctx, p, h.Ref.ID)
		case broker.KindExpert:
			recs[i], errs[i] = s.sys.Experts.Get(ctx, p, h.Ref.ID)
		case capital.KindInvestor:
			recs[i], errs[i] = s.investors.Get(ctx, p, h.Ref.ID)
		default:
			errs[i] = &Error{Op: "read", Ref: h.Ref, Err: ErrInvalid, Msg: "the index returned a kind it does not hold"}
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(hits), 8) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(hits); i = int(next.Add(1)) - 1 {
				read(i)
			}
		})
	}
	wg.Wait()
	out := make([]Result, 0, len(hits))
	for i, h := range hits {
		if errors.Is(errs[i], broker.ErrNotFound) || errors.Is(errs[i], broker.ErrForbidden) {
			continue
		}
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, Result{Ref: h.Ref, Score: h.Score, Record: recs[i], Explanation: h.Explanation})
	}
	return out, nil
}

// signedIn is the policy's question for investor matching, as capital
// asks it: a match list is a members' view of the investors.
var signedIn = broker.Target{Kind: capital.KindInvestor, Class: broker.ClassRegistry, Tier: broker.Members}

// MatchInvestors returns the investors (投资机构) to approach with an
// achievement, best first, among those p may read, ranked from the same
// index as capital.Service.MatchInvestors ranks them — the engine's text,
// discipline and industry signals plus stage, ticket and region fit, whose
// reasons are the explanation's notes — without building an engine per
// request. Unlike capital's call it does not require the achievement to be
// on offer. ErrForbidden for an anonymous principal.
func (s *Service) MatchInvestors(ctx context.Context, p broker.Principal, achievementID string, o *MatchOptions) ([]Result, error) {
	if !broker.Can(p, broker.ActRead, signedIn) {
		return nil, broker.Forbidden("match investors", broker.KindAchievement, achievementID, "sign in to match")
	}
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	a, err := s.sys.Achievements.Get(ctx, p, achievementID)
	if err != nil {
		return nil, err
	}
	return s.match(ctx, p, AchievementDoc(a), capital.KindInvestor, o)
}

// MatchOffers returns the achievements on offer (listed, or featured at a
// roadshow or investment salon: capital.Service.Offers) that p may read,
// best first for an investor, ranked as capital.Service.MatchOffers ranks
// them, from the index. offers is the capital service that says what is on
// offer. ErrForbidden for an anonymous principal.
func (s *Service) MatchOffers(ctx context.Context, p broker.Principal, offers *capital.Service, investorID string, o *MatchOptions) ([]Result, error) {
	if !broker.Can(p, broker.ActRead, signedIn) {
		return nil, broker.Forbidden("match offers", capital.KindInvestor, investorID, "sign in to match")
	}
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	v, err := s.investors.Get(ctx, p, investorID)
	if err != nil {
		return nil, err
	}
	os, err := offers.Offers(ctx, p)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(os))
	for i, x := range os {
		ids[i] = x.Achievement
	}
	k := 10
	if o != nil && o.K != 0 {
		k = o.K
	}
	hits, err := s.idx.Match(ctx, Query{Source: InvestorDoc(v), Target: broker.KindAchievement, Access: AccessFor(p), K: k, IDs: ids})
	if err != nil {
		return nil, err
	}
	return s.results(ctx, p, hits)
}

// SearchResults is one page of a search (检索).
type SearchResults struct {
	Results []Result
	Next    string // the cursor of the next page; empty on the last
	Total   int    // matching records p may read, on every page
	Facets  Facets
}

// Search searches the three libraries by text and filters for p (see
// SearchQuery): records p may not read are left out before the page is
// cut, and each result is redacted as Get would. Page with q.Cursor =
// Next: a record that does not change while the pages are read appears on
// exactly one of them.
func (s *Service) Search(ctx context.Context, p broker.Principal, q SearchQuery) (SearchResults, error) {
	if err := s.fresh(ctx); err != nil {
		return SearchResults{}, err
	}
	q.Access = AccessFor(p)
	pg, err := s.idx.Search(ctx, q)
	if err != nil {
		return SearchResults{}, err
	}
	rs, err := s.results(ctx, p, pg.Hits)
	if err != nil {
		return SearchResults{}, err
	}
	return SearchResults{Results: rs, Next: pg.Next, Total: pg.Total, Facets: pg.Facets}, nil
}

// Affinity scores experts against achievements from the index, for
// planning screening panels (专家评审): for each achievement, the experts
// that Experts would rank for it (at most k each; 0 means 100), with
// their scores (text relative to the achievement's best expert, and
// discipline overlap). A pair left out has no affinity. Achievements p may
// not read are ErrForbidden.
func (s *Service) Affinity(ctx context.Context, p broker.Principal, achievementIDs []string, k int) (map[string]map[string]float64, error) {
	if k <= 0 {
		k = 100
	}
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	out := make(map[string]map[string]float64, len(achievementIDs))
	access := AccessFor(p)
	for _, id := range achievementIDs {
		a, err := s.sys.Achievements.Get(ctx, p, id)
		if err != nil {
			return nil, err
		}
		hits, err := s.idx.Match(ctx, Query{Source: AchievementDoc(a), Target: broker.KindExpert, Access: access, K: k})
		if err != nil {
			return nil, err
		}
		m := make(map[string]float64, len(hits))
		for _, h := range hits {
			m[h.Ref.ID] = h.Score
		}
		out[id] = m
	}
	return out, nil
}
