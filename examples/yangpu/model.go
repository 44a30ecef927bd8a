package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/contract"
	"github.com/kexie/techbroker/evaluation"
	"github.com/kexie/techbroker/evaluation/valuation"
	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/router"
	"github.com/kexie/techbroker/money"
)

// model holds the running system and what the generator knows (the true
// room and quality of every item), which the System never sees.
type model struct {
	w       io.Writer
	sys     *broker.System
	x       *exchange.Exchange
	acts    *activity.Platform
	capital *capital.Service
	clk     *clock
	g       *gen
	admin   broker.Principal
	rooms   []broker.IndustryBroker
	sector  map[string]*sector // room ID → vocabulary
	router  *router.Router
	scale   float64

	societies    map[string]string // room → qualified society ID
	trueRoom     map[string]string // achievement or demand ID → generator's room
	quality      map[string]float64
	demandsOf    map[string][]broker.Demand // room → demands of the current year
	incubator    string                     // organization ID of the incubator
	investors    []string                   // investor IDs
	demandCase   map[string]bool            // demands that a lead opened a case for
	intents      int
	auctionShown bool

	routed, routedRight, routedByPerson int
	conflictsAvoided                    int
	conflictRules                       map[string]int
	panelViolations                     int // panelists at the owner, or panels not of 3
	explained                           int
	valued                              int
	years                               []int
}

func (m *model) printf(format string, args ...any) { fmt.Fprintf(m.w, format, args...) }

func (m *model) roomName(id string) string {
	for _, r := range m.rooms {
		if r.ID == id {
			return r.Name
		}
	}
	return id
}

// setup docks the societies, adds staff, service packages and the incubator.
func (m *model) setup(ctx context.Context) error {
	m.clk.set(date(2021, 1, 4))
	m.printf("\n== 1. Platforms: societies, experts, staff, service packages\n")
	perRoom := max(8, int(math.Round(14*m.scale)))
	for i, r := range m.rooms {
		sec := m.sector[r.ID]
		so, err := m.sys.Societies.Create(ctx, m.admin, broker.Society{
			Meta: broker.Meta{ID: "soc-" + r.ID}, Name: sec.society, Disciplines: sec.disciplines,
		})
		if err != nil {
			return fmt.Errorf("society %s: %w", sec.society, err)
		}
		if _, err := m.sys.GrantQualification(ctx, m.admin, broker.Qualification{Society: so.ID, Ref: fmt.Sprintf("沪科评资〔2020〕%02d号", i+1),
			Until: date(2025, 12, 31)}); err != nil {
			return fmt.Errorf("qualify %s: %w", so.ID, err)
		}
		m.societies[r.ID] = so.ID
		sa := broker.SocietyAdmin("admin-"+so.ID, so.ID)
		for j := 0; j < perRoom; j++ {
			if _, err := m.sys.ContributeExpert(ctx, sa, so.ID, m.g.expert(sec, so.ID)); err != nil {
				return fmt.Errorf("expert for %s: %w", so.ID, err)
			}
		}
		// Staff: technology managers of three grades.
		for j, gr := range []broker.Grade{broker.GradeSenior, broker.GradeIntermediate, broker.GradeJunior, ""} {
			st := broker.Staff{Meta: broker.Meta{Broker: r.ID}, Person: fmt.Sprintf("%s-tm%d", r.ID, j+1), Name: m.g.name(), Grade: gr}
			if gr != "" {
				st.GradeCertificate = fmt.Sprintf("CASTEM-2021-%s-%d", r.ID, j+1)
				st.GradeDate = date(2020, 11, 20)
			}
			if _, err := m.sys.AddStaff(ctx, m.admin, st); err != nil {
				return fmt.Errorf("staff for %s: %w", r.ID, err)
			}
		}
		if _, err := m.sys.ServicePackages.Create(ctx, m.admin, broker.ServicePackage{
			Meta: broker.Meta{ID: r.ID, Broker: r.ID}, Name: r.Name + "标准服务产品包",
			Services: []broker.ServiceItem{
				{Code: "S01", Name: "成果评价", Fee: decimal.NewFromInt(20000), Unit: "项"},
				{Code: "S02", Name: "专利布局与导航", Fee: decimal.NewFromInt(30000), Unit: "项"},
				{Code: "S03", Name: "概念验证与中试对接", Fee: decimal.NewFromInt(50000), Unit: "项"},
				{Code: "S04", Name: "商业计划书辅导", Fee: decimal.NewFromInt(15000), Unit: "次"},
			},
		}); err != nil {
			return fmt.Errorf("service package %s: %w", r.ID, err)
		}
	}
	// A society without evaluation qualification: its experts may not sit
	// on screening panels.
	if _, err := m.sys.Societies.Create(ctx, m.admin, broker.Society{Meta: broker.Meta{ID: "soc-popsci"}, Name: "上海市科普作家协会"}); err != nil {
		return err
	}
	for j := 0; j < 3; j++ {
		if _, err := m.sys.ContributeExpert(ctx, m.admin, "soc-popsci", m.g.expert(m.sector[m.rooms[j].ID], "soc-popsci")); err != nil {
			return err
		}
	}
	inc, err := m.sys.Organizations.Create(ctx, m.admin, broker.Organization{Name: "复旦科技园孵化器", Roles: []broker.OrgRole{broker.OrgIncubator, broker.OrgSciencePark}})
	if err != nil {
		return fmt.Errorf("incubator: %w", err)
	}
	m.incubator = inc.ID
	for i, r := range m.rooms {
		sec := m.sector[r.ID]
		v, err := m.capital.Investors.Create(ctx, m.admin, capital.Investor{
			Name:        []string{"杨浦科创投资基金", "长阳创谷天使基金", "沪东产业投资有限公司", "复旦科技成果转化基金", "同济创新创业投资", "上海理工科技创投", "海岸线创业投资"}[i%7],
			Stages:      []capital.InvestStage{capital.StageSeed, capital.StageAngel, capital.StagePreA},
			Ticket:      broker.Range{Min: decimal.NewFromInt(500_000), Max: decimal.NewFromInt(20_000_000)},
			Disciplines: sec.disciplines, IndustryCodes: sec.industry, Keywords: sec.keywords, Regions: []string{"上海市"},
			Thesis: "关注" + strings.Join(sec.keywords[:3], "、") + "领域早期成果转化项目",
		})
		if err != nil {
			return fmt.Errorf("investor: %w", err)
		}
		m.investors = append(m.investors, v.ID)
	}
	qs, err := m.sys.QualifiedSocieties(ctx, m.admin)
	if err != nil {
		return err
	}
	m.printf("  %d societies docked, %d qualified for evaluation; %d experts contributed (%d per room + 3 from 上海市科普作家协会, not qualified)\n",
		len(m.rooms)+1, len(qs), len(m.rooms)*perRoom+3, perRoom)
	m.printf("  staff: 4 technology managers per room (senior, intermediate, junior, ungraded); a service package of 4 services per room\n")
	return nil
}

// trainRouter trains the router on labelled examples from an independent
// generator (past cases whose room is known).
func (m *model) trainRouter(seed uint64) error {
	tg := newGen(seed ^ 0x70a7e5)
	var ex []router.Example
	for _, r := range m.rooms {
		for i := 0; i < 40; i++ {
			a := tg.achievement(m.sector[r.ID])
			ex = append(ex, router.Example{Text: a.Title + " " + a.Summary + " " + strings.Join(a.Keywords, " "), Label: r.ID})
		}
	}
	rt, err := router.Train(ex, &router.Options{Complement: true, Binary: true, Threshold: 0.4})
	if err != nil {
		return err
	}
	m.router = rt
	m.printf("  router trained on %d labelled past cases (%d rooms)\n", len(ex), len(rt.Labels()))
	return nil
}

// route picks a room for a text: the router, or the best sector fit when
// the router is unsure (as a person would).
func (m *model) route(text string, disciplines, industry []string) (string, bool) {
	rt := m.router.Route(text)
	if !rt.NeedsPerson {
		return rt.Label, false
	}
	best, bestScore := rt.Label, -1
	for _, r := range m.rooms {
		if s := r.Sector.SectorFit(disciplines, industry, text); s > bestScore {
			best, bestScore = r.ID, s
		}
	}
	return best, true
}

// collect creates the year's achievements and demands, routes them and
// opens cases. It returns the new cases by room.
func (m *model) collect(ctx context.Context, year int) (map[string][]broker.Case, error) {
	m.clk.set(date(year, 1, 11))
	nAch := max(3, int(math.Round(20*m.scale)))
	nDem := max(2, int(math.Round(10*m.scale)))
	m.printf("\n== %d-1. Collection and routing: %d achievements and %d demands per room\n", year, nAch, nDem)
	type item struct {
		room string
		a    *broker.Achievement
		d    *broker.Demand
	}
	var items []item
	for _, r := range m.rooms {
		sec := m.sector[r.ID]
		for i := 0; i < nAch; i++ {
			a := m.g.achievement(sec)
			items = append(items, item{room: r.ID, a: &a})
		}
		for i := 0; i < nDem; i++ {
			d := m.g.demand(sec)
			items = append(items, item{room: r.ID, d: &d})
		}
	}
	// Interleave the rooms as records arrive in the real world.
	m.g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	cases := map[string][]broker.Case{}
	m.demandsOf = map[string][]broker.Demand{}
	pr := newProgress(m.w, "collected", len(items))
	for i, it := range items {
		m.tick(37 * time.Minute)
		if it.a != nil {
			a := *it.a
			var err error
			// Every fourth achievement comes through its society.
			if i%4 == 0 {
				a, err = m.sys.ContributeAchievement(ctx, m.admin, m.societies[it.room], a)
			} else {
				a, err = m.sys.Achievements.Create(ctx, m.admin, a)
			}
			if err != nil {
				return nil, fmt.Errorf("achievement %q: %w", a.Title, err)
			}
			room, byPerson := m.route(a.Title+" "+a.Summary+" "+strings.Join(a.Keywords, " "), a.Disciplines, a.IndustryCodes)
			m.tally(room, it.room, byPerson)
			m.trueRoom[a.ID] = it.room
			m.quality[a.ID] = quality(a, m.g)
			if a, err = m.sys.Achievements.Modify(ctx, m.admin, a.ID, func(x *broker.Achievement) error { x.Broker = room; return nil }); err != nil {
				return nil, err
			}
			c, err := m.sys.OpenCase(ctx, m.admin, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: room, Reason: "成果征集"})
			if err != nil {
				return nil, fmt.Errorf("open case: %w", err)
			}
			cases[room] = append(cases[room], c)
		} else {
			d, err := m.sys.Demands.Create(ctx, m.admin, *it.d)
			if err != nil {
				return nil, fmt.Errorf("demand %q: %w", it.d.Title, err)
			}
			room, byPerson := m.route(d.Title+" "+d.Problem+" "+strings.Join(d.Keywords, " "), d.Disciplines, d.IndustryCodes)
			m.tally(room, it.room, byPerson)
			m.trueRoom[d.ID] = it.room
			if d, err = m.sys.Demands.Modify(ctx, m.admin, d.ID, func(x *broker.Demand) error { x.Broker = room; return nil }); err != nil {
				return nil, err
			}
			m.demandsOf[room] = append(m.demandsOf[room], d)
		}
		pr.tick()
	}
	m.printf("  routing so far: %d of %d to the generator's true room (%.1f%%), %d decided by sector fit because the router was unsure\n",
		m.routedRight, m.routed, 100*float64(m.routedRight)/float64(m.routed), m.routedByPerson)
	// Brokers answer every demand within days (谋题).
	for _, r := range m.rooms {
		for i, d := range m.demandsOf[r.ID] {
			m.tick(3 * time.Hour)
			d, err := m.sys.RespondDemand(ctx, broker.BrokerStaff(r.ID+"-tm2", r.ID), d.ID, d.Version)
			if err != nil {
				return nil, fmt.Errorf("respond demand: %w", err)
			}
			m.demandsOf[r.ID][i] = d
		}
	}
	return cases, nil
}

func (m *model) tally(got, want string, byPerson bool) {
	m.routed++
	if got == want {
		m.routedRight++
	}
	if byPerson {
		m.routedByPerson++
	}
}

// quality is the generator's hidden merit of an achievement, 0..1: mature
// results with granted patents tend to score better with the panels.
func quality(a broker.Achievement, g *gen) float64 {
	q := 0.35 + 0.06*float64(a.Readiness.Level-3) + 0.25*g.r.Float64()
	return math.Min(1, q)
}

// screen runs one room's screening: conflict-free panels from the qualified
// society's members, score sheets, the panel verdict and the case's move.
func (m *model) screen(ctx context.Context, year int, room string, cases []broker.Case) ([]broker.Case, error) {
	soc := m.societies[room]
	panelists, err := m.sys.QualifiedPanelists(ctx, m.admin, broker.PanelQuery{Society: soc})
	if err != nil {
		return nil, err
	}
	experts := make([]broker.Expert, len(panelists))
	for i, p := range panelists {
		experts[i] = p.Expert
	}
	achs := make([]broker.Achievement, len(cases))
	for i, c := range cases {
		if achs[i], err = m.sys.Achievements.Get(ctx, m.admin, c.Subject.ID); err != nil {
			return nil, err
		}
	}
	plan, err := broker.PlanPanels(ctx, broker.PanelRequest{Achievements: achs, Experts: experts, Cover: 3, Rules: broker.DefaultConflictRules()})
	if err != nil {
		return nil, fmt.Errorf("panels for %s: %w", room, err)
	}
	m.conflictsAvoided += len(plan.Conflicts)
	for _, c := range plan.Conflicts {
		m.conflictRules[c.Rule]++
	}
	if year == m.years[0] && room == m.rooms[0].ID && len(plan.Conflicts) > 0 {
		m.printf("  e.g. conflict kept off a panel: %s\n", plan.Conflicts[0])
	}
	// Check the plan independently: no panelist works at the owner.
	inst := map[string]string{}
	for _, e := range experts {
		inst[e.ID] = e.Institution
	}
	for _, a := range achs {
		for _, e := range plan.Panels[a.ID] {
			if inst[e] == a.Owner {
				m.panelViolations++
			}
		}
		if len(plan.Panels[a.ID]) != 3 {
			m.panelViolations++
		}
	}
	tmpl := evaluation.DefaultTemplate()
	var passed []broker.Case
	for i, c := range cases {
		m.tick(2 * time.Hour)
		panel := plan.Panels[achs[i].ID]
		p, err := evaluation.NewPanel(achs[i].ID, panel, tmpl, nil)
		if err != nil {
			return nil, fmt.Errorf("panel for %s: %w", achs[i].ID, err)
		}
		for _, e := range panel {
			sheet := evaluation.ScoreSheet{Expert: e, Scores: map[string]float64{}}
			for _, leaf := range tmpl.Leaves() {
				q := m.quality[achs[i].ID]
				lo, hi := leaf.Range()
				v := lo + (hi-lo)*math.Min(1, math.Max(0, q+0.08*m.g.r.NormFloat64()))
				sheet.Scores[leaf.ID] = math.Round(v)
			}
			if err := p.Submit(sheet); err != nil {
				return nil, err
			}
		}
		if err := p.Lock(); err != nil {
			return nil, err
		}
		v, err := p.Aggregate()
		if err != nil {
			return nil, err
		}
		verdict := &broker.ScreeningVerdict{Passed: v.Pass, Panel: panel, Society: soc, Score: math.Round(v.Score*100) / 100,
			Summary: fmt.Sprintf("%s %s，%s", v.Grade.Grade, v.Grade.Label.Zh, v.Recommendation.Label().Zh),
			Ref:     fmt.Sprintf("评审-%d-%s", year, achs[i].ID), Date: m.clk.Now()}
		if v.Pass {
			c, err = m.sys.MoveCase(ctx, m.admin, c.ID, broker.CaseMove{To: broker.StageScreened, Version: c.Version, Verdict: verdict, Evidence: []string{verdict.Ref}})
			if err != nil {
				return nil, fmt.Errorf("screen %s: %w", c.ID, err)
			}
			passed = append(passed, c)
		} else {
			if _, err = m.sys.MoveCase(ctx, m.admin, c.ID, broker.CaseMove{To: broker.StageRejected, Version: c.Version,
				Reason: fmt.Sprintf("评审未通过（%.1f分）", v.Score), Evidence: []string{verdict.Ref}}); err != nil {
				return nil, fmt.Errorf("reject %s: %w", c.ID, err)
			}
		}
		if i == 0 && year == m.years[0] && room == m.rooms[0].ID {
			m.printf("  e.g. %s %s: panel %v (affinity %.2f), score %.1f → %s, %s\n", c.ID, trimTitle(achs[i].Title, 24), panel,
				sumAff(plan.Affinity[achs[i].ID]), v.Score, verdict.Summary, passWord(v.Pass))
		}
	}
	return passed, nil
}

func sumAff(m map[string]float64) float64 {
	s := 0.0
	for _, v := range m {
		s += v
	}
	return s
}

func passWord(ok bool) string {
	if ok {
		return "screened (通过)"
	}
	return "rejected (未通过)"
}

// value values a screened achievement with the income approach: projected
// profits of the product it enables, the technology's 分成率 and a build-up
// discount rate.
func (m *model) value(a broker.Achievement) (valuation.Report, error) {
	base := a.AskingPrice.Mul(decimal.NewFromFloat(0.8 + 0.6*m.quality[a.ID])).Round(0)
	benefits := make([]decimal.Decimal, 5)
	for y := range benefits {
		benefits[y] = base.Mul(decimal.NewFromFloat(math.Pow(1.15, float64(y)))).Round(0)
	}
	return valuation.IncomeApproach(valuation.Income{
		Benefits: benefits, Basis: "profit", SharingRate: decimal.RequireFromString("0.25"), TaxRate: decimal.RequireFromString("0.15"),
		Discount: valuation.BuildUp{RiskFree: decimal.RequireFromString("0.028"), Technical: decimal.RequireFromString("0.04"),
			Market: decimal.RequireFromString("0.03"), Funding: decimal.RequireFromString("0.01"), Management: decimal.RequireFromString("0.01")},
		Assumptions: []string{"产品化后5年收益期", "分成率取利润的25%"},
	})
}

// cultivate values the screened cases and moves them on: immature results
// (TRL < 6) are cultivated with services first, the others go straight to
// promotion. It returns the promoted cases and the valuation of each.
func (m *model) cultivate(ctx context.Context, year int, room string, cases []broker.Case, values map[string]valuation.Report) ([]broker.Case, error) {
	var out []broker.Case
	for _, c := range cases {
		m.tick(90 * time.Minute)
		a, err := m.sys.Achievements.Get(ctx, m.admin, c.Subject.ID)
		if err != nil {
			return nil, err
		}
		rep, err := m.value(a)
		if err != nil {
			return nil, fmt.Errorf("value %s: %w", a.ID, err)
		}
		values[c.ID] = rep
		m.valued++
		if m.valued <= 2 {
			m.printf("  valuation of %q (income approach, 分成率 25%%): %s, range %s – %s\n", trimTitle(a.Title, 26),
				money.FormatZH(rep.Value), money.FormatZH(rep.Low), money.FormatZH(rep.High))
		}
		staff := broker.BrokerStaff(room+"-tm1", room)
		if c, err = m.sys.DeliverService(ctx, staff, c.ID, broker.Delivery{Code: "S01", Note: "成果评价报告"}); err != nil {
			return nil, fmt.Errorf("deliver: %w", err)
		}
		if a.Readiness.Level < 6 {
			if c, err = m.sys.MoveCase(ctx, m.admin, c.ID, broker.CaseMove{To: broker.StageCultivating, Version: c.Version, Reason: fmt.Sprintf("TRL %d，需概念验证", a.Readiness.Level)}); err != nil {
				return nil, err
			}
			for _, code := range []string{"S02", "S03"} {
				if c, err = m.sys.DeliverService(ctx, staff, c.ID, broker.Delivery{Code: code}); err != nil {
					return nil, err
				}
			}
			if a.Readiness.Level <= 4 {
				continue // proof of concept takes more than this year
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// promote moves cultivated and screened cases to Promoting.
func (m *model) promote(ctx context.Context, cases []broker.Case) ([]broker.Case, error) {
	out := make([]broker.Case, 0, len(cases))
	for _, c := range cases {
		m.tick(30 * time.Minute)
		c, err := m.sys.MoveCase(ctx, m.admin, c.ID, broker.CaseMove{To: broker.StagePromoting, Version: c.Version, Reason: "进入推介"})
		if err != nil {
			return nil, fmt.Errorf("promote %s: %w", c.ID, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// match matches the room's demands to its promoted achievements (谋题 →
// 破题) and returns, per achievement ID, the enterprises interested in it.
func (m *model) match(ctx context.Context, room string, cases []broker.Case) (map[string][]string, error) {
	eng, err := matching.NewEngine(nil)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, c := range cases {
		a, err := m.sys.Achievements.Get(ctx, m.admin, c.Subject.ID)
		if err != nil {
			return nil, err
		}
		titles[a.ID] = a.Title
		if err := eng.Add(broker.AchievementDocument(a)); err != nil {
			return nil, err
		}
	}
	interested := map[string][]string{}
	for i, d := range m.demandsOf[room] {
		m.tick(2 * time.Hour)
		d, err := m.sys.MoveDemand(ctx, m.admin, d.ID, broker.DemandMove{To: broker.DemandDiagnosed, Version: d.Version,
			Spec: "技术指标：" + d.Problem})
		if err != nil {
			return nil, fmt.Errorf("diagnose %s: %w", d.ID, err)
		}
		if d, err = m.sys.MoveDemand(ctx, m.admin, d.ID, broker.DemandMove{To: broker.DemandMatching, Version: d.Version}); err != nil {
			return nil, err
		}
		m.demandsOf[room][i] = d
		if len(cases) == 0 {
			continue
		}
		ms, err := eng.Match(ctx, matching.Query{Direction: matching.DemandToAchievements, Source: broker.DemandDocument(d), K: 2})
		if err != nil {
			return nil, err
		}
		for _, mt := range ms {
			interested[mt.ID] = append(interested[mt.ID], d.Enterprise)
		}
		if len(ms) > 0 && m.explained < 2 {
			m.explained++
			mt := ms[0]
			m.printf("  match: demand %q (%s)\n     → %q score %.3f\n", trimTitle(d.Title, 30), d.Enterprise, trimTitle(titles[mt.ID], 30), mt.Score)
			var sig []string
			for _, s := range mt.Explanation.Signals {
				sig = append(sig, fmt.Sprintf("%s %.2f×%.2f=%.3f", s.Name, s.Value, s.Weight, s.Contribution))
			}
			m.printf("       signals: %s\n       matched terms: %s\n", strings.Join(sig, "; "), strings.Join(mt.Explanation.Terms[:min(8, len(mt.Explanation.Terms))], " "))
		}
	}
	return interested, nil
}

// roadshow holds the room's roadshow: owners and interested enterprises
// register, enterprises ask owners for 1:1 meetings, which are scheduled into
// slots, and each meeting gives a lead.
func (m *model) roadshow(ctx context.Context, year int, day time.Time, room string, cases []broker.Case, interested map[string][]string) (int, int, error) {
	if len(cases) == 0 {
		return 0, 0, nil
	}
	m.clk.set(day)
	featured := make([]broker.RecordRef, 0, len(cases))
	owners := map[string]string{} // achievement → owner participant
	for _, c := range cases {
		featured = append(featured, c.Subject)
	}
	start := day.AddDate(0, 0, 2).Add(time.Hour)
	act, err := m.acts.Activities.Create(ctx, m.admin, activity.Activity{Meta: broker.Meta{Broker: room}, Kind: activity.Roadshow,
		Title: fmt.Sprintf("%d年%s技术成果路演", year, m.roomName(room)), Venue: "长阳创谷", Start: start, End: start.Add(6 * time.Hour),
		Capacity: 2*len(cases) + 20, SlotMinutes: 30, Tables: 4, Featured: featured})
	if err != nil {
		return 0, 0, fmt.Errorf("roadshow: %w", err)
	}
	reg := func(id, org, role string) error {
		_, err := m.acts.Register(ctx, m.admin, act.ID, activity.Registration{Participant: id, Org: org, Role: role})
		if err != nil && !errors.Is(err, broker.ErrExists) {
			return err
		}
		return nil
	}
	for _, c := range cases {
		owner := "owner-" + c.Subject.ID
		owners[c.Subject.ID] = owner
		if err := reg(owner, strings.Join(c.Owners, ";"), "offer"); err != nil {
			return 0, 0, fmt.Errorf("register: %w", err)
		}
	}
	type pair struct{ ent, ach string }
	var pairs []pair
	ids := make([]string, 0, len(interested))
	for id := range interested {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := owners[id]; !ok {
			continue
		}
		for _, ent := range slices.Compact(slices.Sorted(slices.Values(interested[id]))) {
			if err := reg("ent-"+ent, ent, "seek"); err != nil {
				return 0, 0, fmt.Errorf("register: %w", err)
			}
			pairs = append(pairs, pair{ent, id})
		}
	}
	m.clk.set(day.AddDate(0, 0, 1))
	var meetings []activity.Meeting
	for _, p := range pairs {
		mt, err := m.acts.RequestMeeting(ctx, broker.EnterpriseUser("ent-"+p.ent, p.ent), act.ID, owners[p.ach], "希望了解许可条件")
		if err != nil {
			return 0, 0, fmt.Errorf("request meeting: %w", err)
		}
		if mt, err = m.acts.RespondMeeting(ctx, broker.InstitutionUser(owners[p.ach], ""), mt.ID, true); err != nil {
			return 0, 0, fmt.Errorf("respond meeting: %w", err)
		}
		meetings = append(meetings, mt)
	}
	sched, err := m.acts.ScheduleMeetings(ctx, m.admin, act.ID)
	if err != nil {
		return 0, 0, fmt.Errorf("schedule: %w", err)
	}
	m.clk.set(start.Add(7 * time.Hour))
	leads := 0
	for i, mt := range meetings {
		if slices.Contains(sched.Unplaced, mt.ID) {
			continue
		}
		ach := pairs[i].ach
		if _, err := m.acts.RecordLead(ctx, m.admin, act.ID, activity.Lead{Kind: activity.LeadInterest, Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: ach},
			Party: pairs[i].ent, Meeting: mt.ID, Note: "路演对接会后表达合作意向"}); err != nil {
			return 0, 0, fmt.Errorf("lead: %w", err)
		}
		leads++
	}
	// Enterprises that came with a demand leave it with the broker: a lead
	// that opens a case for the demand.
	for i, mt := range meetings {
		for _, d := range m.demandsOf[room] {
			if d.Enterprise != pairs[i].ent || m.demandCase[d.ID] {
				continue
			}
			m.demandCase[d.ID] = true
			if _, err := m.acts.RecordLead(ctx, m.admin, act.ID, activity.Lead{Kind: activity.LeadCase, Subject: broker.RecordRef{Kind: broker.KindDemand, ID: d.ID},
				Party: d.Enterprise, Meeting: mt.ID, Note: "企业委托技术券商寻找解决方案"}); err != nil {
				return 0, 0, fmt.Errorf("case lead: %w", err)
			}
			leads++
		}
	}
	// Investors on the roadshow: the best-matching investor for a few
	// featured results records an intent.
	for i, c := range cases {
		if i%3 != 0 {
			continue
		}
		ims, err := m.capital.MatchInvestors(ctx, m.admin, c.Subject.ID, nil)
		if err != nil {
			return 0, 0, fmt.Errorf("match investors: %w", err)
		}
		if len(ims) == 0 {
			continue
		}
		if _, err := m.capital.RecordInvestmentIntent(ctx, m.admin, capital.InvestmentIntent{Case: c.ID, Subject: c.Subject, Investor: ims[0].Investor,
			Amount: decimal.NewFromInt(int64(100+m.g.r.IntN(900)) * 10000), Stage: capital.StageAngel, Activity: act.ID, Note: "路演后表达投资意向"}); err != nil {
			return 0, 0, fmt.Errorf("intent: %w", err)
		}
		m.intents++
		if m.intents == 1 {
			m.printf("  investor match for %s: %s score %.2f (%s)\n", c.Subject.ID, ims[0].Name, ims[0].Score, strings.Join(ims[0].Reasons, "；"))
		}
	}
	if year == m.years[0] && room == m.rooms[0].ID {
		m.printf("  roadshow %q: %d featured, %d meetings in %d slots (%d unplaced), %d leads\n", act.Title, len(featured), len(sched.Meetings), act.Slots(), len(sched.Unplaced), leads)
	}
	return len(sched.Meetings), leads, nil
}

// listed is a published listing and the buyer agreed beforehand, if any.
type listed struct {
	l     exchange.Listing
	buyer string
}

// list lists the promoted results with the legal trading methods: 协议定价
// with a public notice when a buyer is known, auctions, fixed-price 挂牌.
func (m *model) list(ctx context.Context, year int, room string, cases []broker.Case, values map[string]valuation.Report, interested map[string][]string) ([]listed, error) {
	var ls []listed
	for i, c := range cases {
		m.tick(time.Hour)
		a, err := m.sys.Achievements.Get(ctx, m.admin, c.Subject.ID)
		if err != nil {
			return nil, err
		}
		price := values[c.ID].Value.Div(decimal.NewFromInt(10000)).Round(0).Mul(decimal.NewFromInt(10000)) // to the 万元
		buyers := interested[a.ID]
		terms := exchange.ListingTerms{Mode: a.TransferModes[0], Price: price, FeePercent: decimal.RequireFromString("1.5")}
		buyer := ""
		switch {
		case len(buyers) > 0 && i%3 != 2:
			// A buyer is known: agreement pricing with a public notice.
			buyer = buyers[0]
			terms.Method, terms.Pricing, terms.Counterparty = exchange.MethodAgreement, broker.FixedPrice, buyer
		case i%3 == 2:
			terms.Method, terms.Pricing = exchange.MethodAuction, broker.FloorPrice
			terms.Increment = decimal.NewFromInt(50000)
			terms.Deposit = price.Div(decimal.NewFromInt(10)).Round(0)
		default:
			terms.Method, terms.Pricing = exchange.MethodFixed, broker.FixedPrice
		}
		l := exchange.Listing{Meta: broker.Meta{Broker: room, Region: "上海市杨浦区"}, Achievement: a.ID, Case: c.ID,
			Title: a.Title, Summary: trimTitle(a.Summary, 120), Overview: a.Abstract, Readiness: a.Readiness,
			IndustryCodes: a.IndustryCodes, IPRights: a.IPRights, Owner: a.Owner, OwnerPublic: true,
			ContactPerson: a.Inventors[0].Name, Contact: broker.Contact{Phone: "021-65640000"},
			Venue: "上海技术交易所", Terms: terms, ValidDays: 120}
		l, err = m.x.CreateListing(ctx, m.admin, l)
		if err != nil {
			return nil, fmt.Errorf("listing for %s: %w", c.ID, err)
		}
		pub := exchange.Publish{Version: l.Version}
		if terms.Method == exchange.MethodAuction {
			pub.Closes = date(year, 7, 25)
		}
		if l, err = m.x.PublishListing(ctx, m.admin, l.ID, pub); err != nil {
			return nil, fmt.Errorf("publish %s: %w", l.ID, err)
		}
		if l.Notice != nil && year == m.years[0] && m.valued > 0 && len(ls) == 0 && room == m.rooms[0].ID {
			m.printf("  协议定价 %s: 公示 %s – %s\n", l.ID, l.Notice.Start.Format("2006-01-02"), l.Notice.End.Format("2006-01-02"))
		}
		ls = append(ls, listed{l, buyer})
	}
	return ls, nil
}

// bid runs the room's auctions: deposits, then bids while they run.
func (m *model) bid(ctx context.Context, room string, ls []listed) error {
	for _, x := range ls {
		if x.l.Terms.Method != exchange.MethodAuction {
			continue
		}
		bidders := []string{m.g.pick(m.sector[room].enterprises), "沪上科创投资有限公司", "长三角技术转移有限公司"}
		bidders = slices.Compact(bidders)
		for _, b := range bidders {
			if _, err := m.x.PayDeposit(ctx, m.admin, x.l.ID, b, x.l.Terms.Deposit, "保证金回单-"+b); err != nil {
				return fmt.Errorf("deposit: %w", err)
			}
		}
		rounds := 1 + m.g.r.IntN(4)
		for r := 0; r < rounds*len(bidders); r++ {
			m.tick(20 * time.Minute)
			b := bidders[r%len(bidders)]
			if _, err := m.x.PlaceBid(ctx, broker.EnterpriseUser("bid-"+b, b), x.l.ID, exchange.PlaceBid{Bidder: b, Raise: 1 + m.g.r.IntN(2), Ref: fmt.Sprintf("%s-%d", b, r)}); err != nil {
				return fmt.Errorf("bid: %w", err)
			}
		}
	}
	return nil
}

// close closes the deals, with payment schedules: the agreed buyer after
// the notice, the auction's winner, a buyer for some fixed-price listings.
func (m *model) close(ctx context.Context, year int, room string, ls []listed) ([]exchange.Deal, error) {
	var deals []exchange.Deal
	for i, x := range ls {
		m.tick(time.Hour)
		nd := exchange.NewDeal{Listing: x.l.ID, Amount: x.l.Terms.Price}
		switch x.l.Terms.Method {
		case exchange.MethodAgreement:
			nd.Buyer = x.buyer
		case exchange.MethodAuction:
			l, err := m.x.CloseBidding(ctx, m.admin, x.l.ID)
			if err != nil {
				return nil, fmt.Errorf("close bidding: %w", err)
			}
			if l.Award == nil {
				continue
			}
			nd.Buyer, nd.Amount = l.Award.Bidder, l.Award.Amount
			if !m.auctionShown {
				m.auctionShown = true
				deps, err := m.x.ListDeposits(ctx, m.admin, l.ID)
				if err != nil {
					return nil, err
				}
				m.printf("  拍卖 %s: reserve %s, %d deposits, %d bids, closed %s → %s at %s; the other deposits marked for refund\n", l.ID,
					money.FormatZH(l.Terms.Price), len(deps), l.Award.Bids, l.Closes.Format("2006-01-02"), l.Award.Bidder, money.FormatZH(l.Award.Amount))
			}
		default:
			if i%2 == 1 { // half the fixed-price listings find no buyer this year
				reasons := []broker.DeclineReason{broker.DeclinePrice, broker.DeclineCommercialUnclear, broker.DeclineOutsideMarket}
				if _, err := m.sys.RecordFeedback(ctx, m.admin, broker.Feedback{Meta: broker.Meta{Broker: room}, Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: x.l.Achievement},
					Case: x.l.Case, Party: m.g.pick(m.sector[room].enterprises), Reason: reasons[m.g.r.IntN(len(reasons))]}); err != nil {
					return nil, fmt.Errorf("feedback: %w", err)
				}
				continue
			}
			nd.Buyer = m.g.pick(m.sector[room].enterprises)
		}
		if nd.Amount.GreaterThanOrEqual(decimal.NewFromInt(1_000_000)) {
			nd.Terms = contract.Terms{Method: contract.Instalments, Total: nd.Amount, Instalments: 3,
				Weights: []decimal.Decimal{decimal.NewFromInt(30), decimal.NewFromInt(40), decimal.NewFromInt(30)}, EveryMonths: 6}
		}
		d, err := m.x.CloseDeal(ctx, m.admin, nd)
		if err != nil {
			return nil, fmt.Errorf("deal on %s (%s): %w", x.l.ID, x.l.Terms.Method, err)
		}
		deals = append(deals, d)
		if len(deals) == 1 && year == m.years[0] && room == m.rooms[0].ID {
			m.printf("  deal %s: %s → %s, %s (%s, %s), schedule:", d.ID, trimTitle(d.Seller, 12), d.Buyer, money.FormatZH(d.Amount), d.Method, d.ContractType)
			for _, p := range d.Schedule.Payments {
				m.printf(" %s %s;", p.Due.Format("2006-01-02"), money.FormatZH(p.Amount))
			}
			m.printf("\n")
		}
	}
	return deals, nil
}

// incubate starts an incubation for every other traded case and closes the
// rest; demands whose enterprise bought are resolved, the others not (yet).
func (m *model) incubate(ctx context.Context, year int, room string, deals []exchange.Deal) (int, error) {
	m.clk.set(date(year, 9, 1))
	n := 0
	buyers := map[string]bool{}
	for i, d := range deals {
		m.tick(time.Hour)
		buyers[d.Buyer] = true
		c, err := m.sys.GetCase(ctx, m.admin, d.Case)
		if err != nil {
			return 0, err
		}
		if i%2 == 0 {
			_, err := m.capital.StartIncubation(ctx, m.admin, capital.NewIncubation{Case: c.ID, Incubator: m.incubator,
				Milestones: []capital.Milestone{{Name: "样机交付", Due: date(year, 12, 15)}, {Name: "首个订单", Due: date(year+1, 6, 30)}},
				Reason:     "作价入股成立衍生企业"})
			if err != nil {
				return 0, fmt.Errorf("incubate %s: %w", c.ID, err)
			}
			n++
		} else if _, err := m.sys.MoveCase(ctx, m.admin, c.ID, broker.CaseMove{To: broker.StageClosed, Version: c.Version, Reason: "合同履行中，服务完成"}); err != nil {
			return 0, err
		}
	}
	for _, d := range m.demandsOf[room] {
		m.tick(time.Hour)
		d, err := m.sys.Demands.Get(ctx, m.admin, d.ID)
		if err != nil {
			return 0, err
		}
		mv := broker.DemandMove{To: broker.DemandResolved, Version: d.Version}
		if !buyers[d.Enterprise] {
			mv = broker.DemandMove{To: broker.DemandUnresolvable, Version: d.Version, Reason: "暂无成熟技术，转入下一轮征集"}
		}
		if _, err := m.sys.MoveDemand(ctx, m.admin, d.ID, mv); err != nil {
			return 0, fmt.Errorf("close demand %s: %w", d.ID, err)
		}
	}
	return n, nil
}

// tick advances the clock by d divided by the scale, so that each step of
// the year fits in its window at any scale.
func (m *model) tick(d time.Duration) {
	m.clk.add(max(time.Second, time.Duration(float64(d)/max(1, m.scale))))
}
