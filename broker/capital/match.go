package capital

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/matching"
)

// MatchOptions tune investor matching. Nil means defaults.
type MatchOptions struct {
	// K is the number of matches wanted (default 10; negative is invalid).
	K int
	// StageReadiness maps stages to readiness bands (default
	// DefaultStageReadiness, a labelled heuristic).
	StageReadiness map[InvestStage]ReadinessBand
	// Weights of the investor signals added to the engine's text,
	// discipline and industry signals; all zero means stage 0.3, ticket
	// 0.2, region 0.1.
	StageWeight, TicketWeight, RegionWeight float64
	// Engine options (nil means defaults); its readiness, budget and
	// region weights are replaced by the investor signals.
	Engine *matching.Options
}

// Match is one investor–achievement pair with its explanation.
type Match struct {
	Investor    string // investor ID
	Name        string // investor name
	Achievement string // achievement ID
	Score       float64
	// Signals are the engine's signals (text, discipline, industry) and
	// the investor signals (stage, ticket, region): Score is the sum of
	// their contributions.
	Signals []matching.Signal
	// Terms are the matched terms, most important first.
	Terms []string
	// Reasons say in words why the stage, ticket and region signals have
	// their values, in that order (StageFit, TicketFit, RegionFit).
	Reasons []string
}

// InvestorDocument adapts an investor to the matching engine, as a demand:
// its name, keywords and thesis are the text; disciplines, industry codes
// and its first region are compared for overlap.
func InvestorDocument(v Investor) matching.Document {
	region := ""
	if len(v.Regions) > 0 {
		region = v.Regions[0]
	}
	return matching.Document{
		Kind: matching.Demand, ID: v.ID, Title: v.Name, Keywords: v.Keywords, Abstract: v.Thesis,
		Disciplines: v.Disciplines, IndustryCodes: v.IndustryCodes, Region: region,
	}
}

// signedIn is what matching asks of the principal: a match list is a
// members' view (broker.Members) of the investors and offers, so the
// policy lets every signed-in principal match and no anonymous one.
var signedIn = broker.Target{Kind: KindInvestor, Class: broker.ClassRegistry, Tier: broker.Members}

// MatchInvestors ranks the investors for an achievement that is on offer
// (see Offer), with the matching engine's text, discipline and industry
// signals plus stage, ticket and region fit, each explained. Investors
// sharing no term with the achievement are not candidates, nor investors
// the principal may not read. ErrInvalid if the achievement is not on
// offer or the options are bad; ErrForbidden for an anonymous principal.
// Any signed-in principal who can read the achievement.
//
// It reads every investor and builds an engine of them for the call: O(N)
// per call (about 0.35 s at 10,000 investors). A platform with many
// investors uses the same ranking from an index that follows the store:
// match.Service.MatchInvestors and MatchOffers (package broker/match).
func (s *Service) MatchInvestors(ctx context.Context, p broker.Principal, achievementID string, o *MatchOptions) ([]Match, error) {
	const op = "match investors"
	if !broker.Can(p, broker.ActRead, signedIn) {
		return nil, broker.Forbidden(op, broker.KindAchievement, achievementID, "sign in to match")
	}
	a, err := s.sys.Achievements.Get(ctx, p, achievementID)
	if err != nil {
		return nil, err
	}
	offers, err := s.offers(ctx)
	if err != nil {
		return nil, broker.Wrap(op, broker.KindAchievement, achievementID, err)
	}
	if offers[a.ID] == nil {
		return nil, broker.Wrap(op, broker.KindAchievement, achievementID,
			invalid(broker.KindAchievement, "id", "invalid", "", "neither listed nor featured at a roadshow or investment salon"))
	}
	investors, err := s.Investors.Find(ctx, p, broker.ListOptions{})
	if err != nil {
		return nil, broker.Wrap(op, KindInvestor, "", err)
	}
	ms, err := rank(ctx, o, investors, []broker.Achievement{a}, false)
	return ms, broker.Wrap(op, broker.KindAchievement, achievementID, err)
}

// MatchOffers ranks the achievements on offer that the principal may read
// for an investor, explained as in MatchInvestors. Any signed-in principal
// who can read the investor. Like MatchInvestors it builds its engine per
// call; match.Service.MatchOffers answers from the index.
func (s *Service) MatchOffers(ctx context.Context, p broker.Principal, investorID string, o *MatchOptions) ([]Match, error) {
	const op = "match offers"
	if !broker.Can(p, broker.ActRead, signedIn) {
		return nil, broker.Forbidden(op, KindInvestor, investorID, "sign in to match")
	}
	v, err := s.Investors.Get(ctx, p, investorID)
	if err != nil {
		return nil, err
	}
	offers, err := s.offers(ctx)
	if err != nil {
		return nil, broker.Wrap(op, KindInvestor, investorID, err)
	}
	ids := make([]string, 0, len(offers))
	for id := range offers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	achievements := make([]broker.Achievement, 0, len(ids))
	for _, id := range ids {
		a, err := s.sys.Achievements.Get(ctx, p, id)
		if errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrForbidden) {
			continue
		} else if err != nil {
			return nil, err
		}
		achievements = append(achievements, a)
	}
	ms, err := rank(ctx, o, []Investor{v}, achievements, true)
	return ms, broker.Wrap(op, KindInvestor, investorID, err)
}

// rank builds the ranking of investor–achievement pairs: one achievement
// against every investor given (fromInvestor false), or one investor
// against every achievement (fromInvestor true). It is the one place the
// ranking is made — today by a matching.Engine built for the request,
// whose text, discipline and industry signals are kept and whose
// readiness, budget and region signals are replaced by StageFit, TicketFit
// and RegionFit — so that an index kept by a matching service can take
// its place. Ties are broken by investor then achievement ID; at most K
// matches are returned.
func rank(ctx context.Context, o *MatchOptions, investors []Investor, achievements []broker.Achievement, fromInvestor bool) ([]Match, error) {
	opts := MatchOptions{}
	if o != nil {
		opts = *o
	}
	if opts.K == 0 {
		opts.K = 10
	}
	if opts.K < 0 {
		return nil, invalid(KindInvestor, "k", "min", "1", strconv.Itoa(opts.K))
	}
	if opts.StageWeight == 0 && opts.TicketWeight == 0 && opts.RegionWeight == 0 {
		opts.StageWeight, opts.TicketWeight, opts.RegionWeight = 0.3, 0.2, 0.1
	}
	if opts.StageReadiness == nil {
		opts.StageReadiness = DefaultStageReadiness()
	}
	eo := matching.Options{}
	if opts.Engine != nil {
		eo = *opts.Engine
	}
	w := matching.DefaultWeights()
	if eo.Weights != nil {
		w = *eo.Weights
	}
	w.Readiness, w.Budget, w.Region = 0, 0, 0
	eo.Weights = &w
	engine, err := matching.NewEngine(&eo)
	if err != nil {
		return nil, err
	}

	invByID := make(map[string]Investor, len(investors))
	achByID := make(map[string]broker.Achievement, len(achievements))
	for _, v := range investors {
		invByID[v.ID] = v
	}
	for _, a := range achievements {
		achByID[a.ID] = a
	}
	var q matching.Query
	var candidates int
	if fromInvestor {
		if len(investors) != 1 {
			return nil, errors.New("capital: rank from one investor")
		}
		for _, a := range achievements {
			if err := engine.Add(broker.AchievementDocument(a)); err != nil {
				return nil, err
			}
		}
		q = matching.Query{Direction: matching.DemandToAchievements, Source: InvestorDocument(investors[0])}
		candidates = len(achievements)
	} else {
		if len(achievements) != 1 {
			return nil, errors.New("capital: rank from one achievement")
		}
		for _, v := range investors {
			if err := engine.Add(InvestorDocument(v)); err != nil {
				return nil, err
			}
		}
		// A long abstract is matched on its heaviest terms, as package
		// broker/match does (matching.QueryTerms).
		q = matching.Query{Direction: matching.AchievementToDemands, Source: broker.AchievementDocument(achievements[0]), MaxTerms: matching.QueryTerms}
		candidates = len(investors)
	}
	if candidates == 0 {
		return []Match{}, nil
	}
	q.K = candidates
	hits, err := engine.Match(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]Match, 0, len(hits))
	for _, x := range hits {
		v, a := investors[0], achievements[0]
		if fromInvestor {
			a = achByID[x.ID]
		} else {
			v = invByID[x.ID]
		}
		out = append(out, pair(&opts, v, a, x))
	}
	slices.SortStableFunc(out, func(x, y Match) int {
		if c := cmp.Compare(y.Score, x.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Investor, y.Investor); c != 0 {
			return c
		}
		return cmp.Compare(x.Achievement, y.Achievement)
	})
	if len(out) > opts.K {
		out = out[:opts.K]
	}
	return out, nil
}

// pair explains one hit of the engine: its weighted signals (those the
// investor signals replace have weight 0 and are left out) and the
// investor signals.
func pair(o *MatchOptions, v Investor, a broker.Achievement, x matching.Match) Match {
	stage, swhy := StageFit(v, a.Readiness.Level, o.StageReadiness)
	ticket, twhy := TicketFit(v, a.AskingPrice)
	region, rwhy := RegionFit(v, a.Region)
	signals := make([]matching.Signal, 0, len(x.Explanation.Signals)+3)
	score := 0.0
	for _, g := range x.Explanation.Signals {
		if g.Weight == 0 {
			continue
		}
		signals = append(signals, g)
		score += g.Contribution
	}
	for _, g := range []matching.Signal{
		{Name: "stage", Value: stage, Weight: o.StageWeight, Contribution: stage * o.StageWeight},
		{Name: "ticket", Value: ticket, Weight: o.TicketWeight, Contribution: ticket * o.TicketWeight},
		{Name: "region", Value: region, Weight: o.RegionWeight, Contribution: region * o.RegionWeight},
	} {
		signals = append(signals, g)
		score += g.Contribution
	}
	return Match{Investor: v.ID, Name: v.Name, Achievement: a.ID, Score: score, Signals: signals,
		Terms: x.Explanation.Terms, Reasons: []string{swhy, twhy, rwhy}}
}
