package broker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/matching"
)

// InvestorMatchOptions tune investor matching. Nil means defaults.
type InvestorMatchOptions struct {
	// K is the number of matches wanted (default 10).
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

// InvestorMatch is one investor–achievement pair with its explanation.
type InvestorMatch struct {
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
	// their values.
	Reasons []string
}

// Offer says why an achievement is open to investors: it is listed (an
// open listing or one under public notice, or a case with a listing) or
// featured at a roadshow or investment salon.
type Offer struct {
	Achievement string
	Listed      bool     // a case of the achievement has a listing
	Cases       []string // its open cases
	Activities  []string // roadshows and investment salons featuring it
}

// offers returns the achievements on offer, by ID.
func (s *System) offers(ctx context.Context) (map[string]*Offer, error) {
	out := map[string]*Offer{}
	get := func(id string) *Offer {
		if out[id] == nil {
			out[id] = &Offer{Achievement: id}
		}
		return out[id]
	}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindCase)})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		c, err := s.caseLib().decodeRecord(r)
		if err != nil {
			return nil, err
		}
		if c.Subject.Kind != KindAchievement || !c.Stage.Open() {
			continue
		}
		if c.ListingRef != "" || c.Stage == StageListed {
			o := get(c.Subject.ID)
			o.Listed = true
			o.Cases = append(o.Cases, c.ID)
		}
	}
	for _, st := range []ListingStatus{ListingNotice, ListingOpen} {
		recs, err := s.store.List(ctx, driver.Query{Kind: string(KindListing), Stage: string(st)})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			l, err := s.listingLib().decodeRecord(r)
			if err != nil {
				return nil, err
			}
			if l.Achievement != "" {
				get(l.Achievement).Listed = true
			}
		}
	}
	for _, k := range []ActivityKind{Roadshow, InvestmentSalon} {
		recs, err := s.store.List(ctx, driver.Query{Kind: string(KindActivity), Stage: string(k)})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			a, err := s.Activities.decodeRecord(r)
			if err != nil {
				return nil, err
			}
			for _, f := range a.Featured {
				if f.Kind == KindAchievement {
					o := get(f.ID)
					o.Activities = append(o.Activities, a.ID)
				}
			}
		}
	}
	return out, nil
}

// Offers lists the achievements open to investors that the principal may
// read, by achievement ID: listed, or featured at a roadshow or investment
// salon.
func (s *System) Offers(ctx context.Context, p Principal) ([]Offer, error) {
	all, err := s.offers(ctx)
	if err != nil {
		return nil, wrap("offers", KindAchievement, "", err)
	}
	out := make([]Offer, 0, len(all))
	for id, o := range all {
		if _, err := s.Achievements.Get(ctx, p, id); err != nil {
			if errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) {
				continue
			}
			return nil, err
		}
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b Offer) int { return strings.Compare(a.Achievement, b.Achievement) })
	return out, nil
}

// InvestorDocument adapts an investor to the matching engine, as a demand:
// its name, keywords and thesis are the text; disciplines, industry codes
// and region are compared for overlap.
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

type investorMatcher struct {
	opts   InvestorMatchOptions
	bands  map[InvestStage]ReadinessBand
	engine *matching.Engine
}

func newInvestorMatcher(o *InvestorMatchOptions) (*investorMatcher, error) {
	m := &investorMatcher{}
	if o != nil {
		m.opts = *o
	}
	if m.opts.K == 0 {
		m.opts.K = 10
	}
	if m.opts.K < 0 {
		return nil, &ValidationError{Kind: KindInvestor, Fields: []FieldError{{Field: "k", Code: "min", Param: "1", Value: itoa(m.opts.K)}}}
	}
	if m.opts.StageWeight == 0 && m.opts.TicketWeight == 0 && m.opts.RegionWeight == 0 {
		m.opts.StageWeight, m.opts.TicketWeight, m.opts.RegionWeight = 0.3, 0.2, 0.1
	}
	m.bands = m.opts.StageReadiness
	if m.bands == nil {
		m.bands = DefaultStageReadiness()
	}
	eo := matching.Options{}
	if m.opts.Engine != nil {
		eo = *m.opts.Engine
	}
	w := matching.DefaultWeights()
	if eo.Weights != nil {
		w = *eo.Weights
	}
	w.Readiness, w.Budget, w.Region = 0, 0, 0
	eo.Weights = &w
	eng, err := matching.NewEngine(&eo)
	if err != nil {
		return nil, err
	}
	m.engine = eng
	return m, nil
}

// signals computes the investor signals of a pair and the reasons.
func (m *investorMatcher) signals(v Investor, a Achievement) ([]matching.Signal, []string) {
	stage, why := StageFit(v, a.Readiness.Level, m.bands)
	ticket, twhy := ticketFit(v, a)
	region, rwhy := 0.0, "the investor does not name the achievement's region"
	if len(v.Regions) == 0 {
		region, rwhy = 1, "the investor invests in any region"
	} else if v.Serves(a.Region) {
		region, rwhy = 1, "the investor invests in "+a.Region
	}
	sig := []matching.Signal{
		{Name: "stage", Value: stage, Weight: m.opts.StageWeight, Contribution: stage * m.opts.StageWeight},
		{Name: "ticket", Value: ticket, Weight: m.opts.TicketWeight, Contribution: ticket * m.opts.TicketWeight},
		{Name: "region", Value: region, Weight: m.opts.RegionWeight, Contribution: region * m.opts.RegionWeight},
	}
	return sig, []string{why, twhy, rwhy}
}

// StageFit scores an achievement's readiness level against the readiness
// bands of the investor's stages: 1 inside a band, falling by 1/3 per level
// outside the nearest band, 0.5 when the level is unknown (0) or the
// investor names no stage. It returns the reason in words.
func StageFit(v Investor, level int, bands map[InvestStage]ReadinessBand) (float64, string) {
	if level == 0 {
		return 0.5, "readiness not assessed"
	}
	if len(v.Stages) == 0 {
		return 0.5, "the investor names no stage"
	}
	best := 10
	bestStage := InvestStage("")
	for _, s := range v.Stages {
		b, ok := bands[s]
		if !ok {
			continue
		}
		d := 0
		switch {
		case level < b.Min:
			d = b.Min - level
		case level > b.Max:
			d = level - b.Max
		}
		if d < best {
			best, bestStage = d, s
		}
	}
	if bestStage == "" {
		return 0.5, "no readiness band for the investor's stages"
	}
	b := bands[bestStage]
	if best == 0 {
		return 1, fmt.Sprintf("readiness level %d is within the %s band %d–%d", level, bestStage, b.Min, b.Max)
	}
	return max(0, 1-float64(best)/3), fmt.Sprintf("readiness level %d is %d level(s) outside the %s band %d–%d", level, best, bestStage, b.Min, b.Max)
}

// ticketFit scores the achievement's asking price (a proxy for the money
// needed) against the investor's ticket: 1 inside, 0.5 when the price is
// unknown or negotiable, else 0.
func ticketFit(v Investor, a Achievement) (float64, string) {
	if a.AskingPrice.IsZero() {
		return 0.5, "no asking price (negotiable)"
	}
	rng := v.Ticket.Min.String() + "–"
	if v.Ticket.Max.IsZero() {
		rng += "∞"
	} else {
		rng += v.Ticket.Max.String()
	}
	if v.TicketFits(a.AskingPrice) {
		return 1, "asking price " + a.AskingPrice.String() + " is within the ticket " + rng
	}
	return 0, "asking price " + a.AskingPrice.String() + " is outside the ticket " + rng
}

func (m *investorMatcher) finish(out []InvestorMatch) []InvestorMatch {
	slices.SortStableFunc(out, func(x, y InvestorMatch) int {
		if c := cmp.Compare(y.Score, x.Score); c != 0 {
			return c
		}
		return cmp.Compare(x.Investor+"\x00"+x.Achievement, y.Investor+"\x00"+y.Achievement)
	})
	if len(out) > m.opts.K {
		out = out[:m.opts.K]
	}
	return out
}

// MatchInvestors ranks the investors for an achievement that is on offer
// (listed, or featured at a roadshow or investment salon), with the
// matching engine's text, discipline and industry signals plus stage,
// ticket and region fit, each explained. Investors sharing no term with the
// achievement are not candidates, nor investors the principal may not
// read. ErrInvalid if the achievement is not on offer. Any signed-in
// principal who can read the achievement.
func (s *System) MatchInvestors(ctx context.Context, p Principal, achievementID string, o *InvestorMatchOptions) ([]InvestorMatch, error) {
	if p.anonymous() {
		return nil, forbidden("match investors", KindAchievement, achievementID, "sign in to match")
	}
	a, err := s.Achievements.Get(ctx, p, achievementID)
	if err != nil {
		return nil, err
	}
	offers, err := s.offers(ctx)
	if err != nil {
		return nil, wrap("match investors", KindAchievement, achievementID, err)
	}
	if offers[a.ID] == nil {
		return nil, wrap("match investors", KindAchievement, achievementID, &ValidationError{Kind: KindAchievement,
			Fields: []FieldError{{Field: "id", Code: "invalid", Value: "neither listed nor featured at a roadshow or investment salon"}}})
	}
	m, err := newInvestorMatcher(o)
	if err != nil {
		return nil, wrap("match investors", KindAchievement, achievementID, err)
	}
	investors, err := s.allInvestors(ctx, p)
	if err != nil {
		return nil, wrap("match investors", KindInvestor, "", err)
	}
	byID := map[string]Investor{}
	for _, v := range investors {
		byID[v.ID] = v
		if err := m.engine.Add(InvestorDocument(v)); err != nil {
			return nil, wrap("match investors", KindInvestor, v.ID, err)
		}
	}
	ms, err := m.engine.Match(ctx, matching.Query{Direction: matching.AchievementToDemands, Source: AchievementDocument(a), K: len(investors)})
	if err != nil {
		return nil, wrap("match investors", KindAchievement, achievementID, err)
	}
	out := make([]InvestorMatch, 0, len(ms))
	for _, x := range ms {
		v := byID[x.ID]
		out = append(out, m.pair(v, a, x))
	}
	return m.finish(out), nil
}

func (m *investorMatcher) pair(v Investor, a Achievement, x matching.Match) InvestorMatch {
	sig, why := m.signals(v, a)
	signals := make([]matching.Signal, 0, len(x.Explanation.Signals)+len(sig))
	score := 0.0
	for _, g := range x.Explanation.Signals {
		if g.Weight == 0 { // readiness, budget, region: replaced
			continue
		}
		signals = append(signals, g)
		score += g.Contribution
	}
	for _, g := range sig {
		signals = append(signals, g)
		score += g.Contribution
	}
	return InvestorMatch{Investor: v.ID, Name: v.Name, Achievement: a.ID, Score: score, Signals: signals,
		Terms: x.Explanation.Terms, Reasons: why}
}

// MatchOffers ranks the achievements on offer that the principal may read
// for an investor, explained as in MatchInvestors.
func (s *System) MatchOffers(ctx context.Context, p Principal, investorID string, o *InvestorMatchOptions) ([]InvestorMatch, error) {
	if p.anonymous() {
		return nil, forbidden("match offers", KindInvestor, investorID, "sign in to match")
	}
	v, err := s.Investors.Get(ctx, p, investorID)
	if err != nil {
		return nil, err
	}
	m, err := newInvestorMatcher(o)
	if err != nil {
		return nil, wrap("match offers", KindInvestor, investorID, err)
	}
	offers, err := s.offers(ctx)
	if err != nil {
		return nil, wrap("match offers", KindInvestor, investorID, err)
	}
	byID := map[string]Achievement{}
	for id := range offers {
		a, err := s.Achievements.Get(ctx, p, id)
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) {
			continue
		} else if err != nil {
			return nil, err
		}
		byID[id] = a
		if err := m.engine.Add(AchievementDocument(a)); err != nil {
			return nil, wrap("match offers", KindAchievement, id, err)
		}
	}
	ms, err := m.engine.Match(ctx, matching.Query{Direction: matching.DemandToAchievements, Source: InvestorDocument(v), K: max(1, len(byID))})
	if err != nil {
		return nil, wrap("match offers", KindInvestor, investorID, err)
	}
	out := make([]InvestorMatch, 0, len(ms))
	for _, x := range ms {
		out = append(out, m.pair(v, byID[x.ID], x))
	}
	return m.finish(out), nil
}

// allInvestors returns the investors the principal may read.
func (s *System) allInvestors(ctx context.Context, p Principal) ([]Investor, error) {
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindInvestor)})
	if err != nil {
		return nil, err
	}
	out := make([]Investor, 0, len(recs))
	for _, r := range recs {
		v, err := s.Investors.decodeRecord(r)
		if err != nil {
			return nil, err
		}
		if p.canRead(v.Meta, v.ownerOrgs()) {
			out = append(out, v)
		}
	}
	return out, nil
}

// InvestmentIntent is an investor's intent to invest in the subject of a
// case (投资意向), with an indicative amount. Recorded at an activity, it is
// also an interest lead of that activity, so the activity's funnel counts
// it; the broker's CapitalMatched adds the amounts up.
type InvestmentIntent struct {
	Meta
	Case     string          `json:"case"`
	Subject  RecordRef       `json:"subject"`
	Investor string          `json:"investor"`
	Amount   decimal.Decimal `json:"amount"`
	Stage    InvestStage     `json:"stage,omitempty"`
	Activity string          `json:"activity,omitempty"`
	Lead     string          `json:"lead,omitempty"` // the activity lead written with it
	Note     string          `json:"note,omitempty"`
	Owners   []string        `json:"owners,omitempty"`
}

func (InvestmentIntent) kind() Kind                             { return KindIntent }
func (n InvestmentIntent) getMeta() Meta                        { return n.Meta }
func (n InvestmentIntent) withMeta(m Meta) InvestmentIntent     { n.Meta = m; return n }
func (n InvestmentIntent) stage() string                        { return "" }
func (n InvestmentIntent) dedupKey() string                     { return "intent:" + n.Case }
func (n InvestmentIntent) ownerOrgs() []string                  { return n.Owners }
func (n InvestmentIntent) redactFor(Principal) InvestmentIntent { return n }
func (InvestmentIntent) columns() map[string]setter[InvestmentIntent] {
	return metaColumns(func(n *InvestmentIntent) *Meta { return &n.Meta })
}

func (n InvestmentIntent) normalized() InvestmentIntent {
	vis := n.Visibility
	n.Meta.normalize()
	if vis == "" {
		n.Visibility = Confidential
	}
	n.Case, n.Investor, n.Activity = normText(n.Case), normText(n.Investor), normText(n.Activity)
	n.Stage = InvestStage(enumCode(string(n.Stage), stageNames))
	n.Note = normMultiline(n.Note)
	return n
}

func (n InvestmentIntent) check(c *checker, s *System) {
	if n.Case == "" {
		c.add("case", "required", "", "")
	}
	if n.Investor == "" {
		c.add("investor", "required", "", "")
	}
	checkMoney(c, "amount", n.Amount)
	if n.Stage != "" && !slices.Contains(InvestStages(), n.Stage) {
		c.add("stage", "oneof", "seed angel pre_a a b c growth pre_ipo", string(n.Stage))
	}
	checkText(c, "note", n.Note, 2000)
}

func (s *System) intentLib() *Library[InvestmentIntent] { return &Library[InvestmentIntent]{s: s} }

// RecordInvestmentIntent records an investor's intent on a case, in one
// transaction with, when n.Activity is set, an interest lead of that
// activity (Party: the investor's ID) — so the activity's conversion counts
// it. The case's broker staff and platform admins record intents (and must
// organize the activity when one is named). The investor must exist.
func (s *System) RecordInvestmentIntent(ctx context.Context, p Principal, n InvestmentIntent) (InvestmentIntent, error) {
	var out InvestmentIntent
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		lib := s.intentLib()
		v, err := lib.prepare(n)
		if err != nil {
			return err
		}
		c, err := s.caseLib().readTx(ctx, tx, v.Case)
		if errors.Is(err, ErrNotFound) {
			return &ValidationError{Kind: KindIntent, Fields: []FieldError{{Field: "case", Code: "ref", Value: v.Case}}}
		} else if err != nil {
			return err
		}
		if !p.canWorkCase(c.Broker) {
			return forbidden("record intent", KindIntent, "", "platform admins and the case's broker staff only")
		}
		if _, err := tx.Get(ctx, string(KindInvestor), v.Investor); errors.Is(err, ErrNotFound) {
			return &ValidationError{Kind: KindIntent, Fields: []FieldError{{Field: "investor", Code: "ref", Value: v.Investor}}}
		} else if err != nil {
			return err
		}
		v.Broker, v.Subject, v.Owners = c.Broker, c.Subject, c.Owners
		v = lib.stamp(p, v, s.now())
		if v.Activity != "" {
			a, _, err := s.activityTx(ctx, tx, v.Activity)
			if errors.Is(err, ErrNotFound) {
				return &ValidationError{Kind: KindIntent, Fields: []FieldError{{Field: "activity", Code: "ref", Value: v.Activity}}}
			} else if err != nil {
				return err
			}
			if !p.organizes(a) {
				return forbidden("record intent", KindActivity, a.ID, "organizers only")
			}
			l := Lead{Meta: Meta{ID: s.newID(KindLead), Broker: c.Broker, Visibility: Confidential, Created: v.Created, Updated: v.Created,
				Provenance: Provenance{AddedBy: p.ID}}, Activity: a.ID, Kind: LeadInterest, Subject: c.Subject, Party: v.Investor,
				Note: "investment intent " + v.ID}
			if err := s.putStageTx(ctx, tx, p, KindLead, &l.Meta, a.ID, string(l.Kind), "recorded", l, true); err != nil {
				return err
			}
			v.Lead = l.ID
		}
		if err := lib.createTx(ctx, tx, p, v, "created"); err != nil {
			return err
		}
		v.Version = 1
		out = v
		return nil
	})
	if err != nil {
		return InvestmentIntent{}, wrap("record intent", KindIntent, n.Case, err)
	}
	return out, nil
}

// CapitalFigures are one broker's capital-matching figures for the
// scorecard, as plain values.
type CapitalFigures struct {
	Broker    string
	Intents   int             // intents recorded in the period
	Investors int             // distinct investors among them
	Cases     int             // distinct cases among them
	Amount    decimal.Decimal // sum of the indicative amounts (yuan)
	// ByStage sums the amounts by stage ("" for intents naming none).
	ByStage map[InvestStage]decimal.Decimal
}

// CapitalMatched adds up a broker's investment intents recorded in the
// period. Platform admins and the broker's own staff only.
func (s *System) CapitalMatched(ctx context.Context, p Principal, broker string, period ReportPeriod) (CapitalFigures, error) {
	if !p.canWorkCase(broker) {
		return CapitalFigures{}, forbidden("capital matched", KindIntent, "", "platform admins and the broker's own staff only")
	}
	f := CapitalFigures{Broker: broker, Amount: decimal.Zero, ByStage: map[InvestStage]decimal.Decimal{}}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindIntent), Broker: broker})
	if err != nil {
		return f, wrap("capital matched", KindIntent, "", err)
	}
	investors, cases := map[string]bool{}, map[string]bool{}
	for _, r := range recs {
		n, err := s.intentLib().decodeRecord(r)
		if err != nil {
			return f, wrap("capital matched", KindIntent, r.ID, err)
		}
		if !period.Contains(n.Created) {
			continue
		}
		f.Intents++
		investors[n.Investor], cases[n.Case] = true, true
		f.Amount = f.Amount.Add(n.Amount)
		f.ByStage[n.Stage] = f.ByStage[n.Stage].Add(n.Amount)
	}
	f.Investors, f.Cases = len(investors), len(cases)
	return f, nil
}
