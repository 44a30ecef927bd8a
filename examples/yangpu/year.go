package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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
	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/contract"
	"github.com/kexie/techbroker/evaluation/valuation"
	"github.com/kexie/techbroker/money"
)

// screened is a case whose panel passed it, with the panel's score and the
// experts who sat on it.
type screened struct {
	c      broker.Case
	score  float64
	panel  []string
	report valuation.Report
}

// year runs one year of the model for every room.
func (m *model) year(ctx context.Context, year int) error {
	m.sold = map[string]string{}
	m.declinedSeats, m.shortPanels = 0, 0
	cases, err := m.collect(ctx, year)
	if err != nil {
		return err
	}

	m.printf("\n== %d-2. Screening by the expert think tank: review panels of 3 qualified experts, planned without conflicts, invited, scored blind, locked and decided\n", year)
	m.clk.set(date(year, 3, 1))
	passed := map[string][]screened{}
	pr := newProgress(m.w, "rooms screened", len(m.rooms))
	npass, ntotal := 0, 0
	for _, r := range m.rooms {
		if passed[r.ID], err = m.screen(ctx, year, r.ID, cases[r.ID]); err != nil {
			return fmt.Errorf("screen %s: %w", r.ID, err)
		}
		npass += len(passed[r.ID])
		ntotal += len(cases[r.ID])
		pr.tick()
	}
	m.printf("  %d of %d passed; %d invitations declined and their seats re-solved (%d panels short of a seat); panelists at the owner of what they judge: %d\n",
		npass, ntotal, m.declinedSeats, m.shortPanels, m.panelViolations)
	if year == 2021 {
		if err := m.intentAgreements(ctx); err != nil {
			return err
		}
	}

	m.printf("\n== %d-3. Valuation (income approach, signed valuation reports) and cultivation\n", year)
	m.clk.set(date(year, 4, 1))
	promoted := map[string][]screened{}
	nv, total := 0, decimal.Zero
	for _, r := range m.rooms {
		matured, err := m.mature(ctx, r.ID)
		if err != nil {
			return err
		}
		out, err := m.cultivate(ctx, year, r.ID, passed[r.ID])
		if err != nil {
			return err
		}
		promoted[r.ID] = append(matured, out...)
		for _, s := range passed[r.ID] {
			nv++
			total = total.Add(s.report.Value)
		}
	}
	if year == 2021 {
		if err := m.training(ctx); err != nil {
			return err
		}
	}
	m.clk.set(date(year, 5, 10))
	nprom := 0
	for _, r := range m.rooms {
		for i, s := range promoted[r.ID] {
			m.tick(30 * time.Minute)
			c, err := m.sys.MoveCase(ctx, m.tm(r.ID), s.c.ID, broker.CaseMove{To: broker.StagePromoting, Version: s.c.Version, Reason: "进入推介"})
			if err != nil {
				return fmt.Errorf("promote %s: %w", s.c.ID, err)
			}
			promoted[r.ID][i].c = c
		}
		nprom += len(promoted[r.ID])
	}
	m.printf("  %d results valued (together %s); %d promoted (with those whose proof of concept finished)\n", nv, money.FormatZH(total), nprom)

	m.printf("\n== %d-4. Matching demands to achievements, roadshows, 1:1 meetings and leads\n", year)
	interested := map[string]map[string][]string{}
	m.clk.set(date(year, 5, 20))
	for _, r := range m.rooms {
		if interested[r.ID], err = m.matchRoom(ctx, r.ID, promoted[r.ID]); err != nil {
			return err
		}
	}
	leads, demandCases := 0, 0
	for i, r := range m.rooms {
		l, dc, err := m.roadshow(ctx, year, date(year, 6, 1+3*i), r.ID, promoted[r.ID], interested[r.ID])
		if err != nil {
			return err
		}
		leads += l
		demandCases += dc
	}
	m.printf("  %d roadshows, %d leads; %d demand cases opened from leads, screened by panels and matched\n", len(m.rooms), leads, demandCases)

	m.printf("\n== %d-5. Exchange: listings (协议定价 with the exchange's 公示, 拍卖 with deposits it confirms, 挂牌), deals with payment schedules\n", year)
	m.clk.set(date(year, 7, 1))
	listedBy := map[string][]listed{}
	nl := 0
	for _, r := range m.rooms {
		if listedBy[r.ID], err = m.list(ctx, year, r.ID, promoted[r.ID], interested[r.ID]); err != nil {
			return err
		}
		nl += len(listedBy[r.ID])
	}
	m.clk.set(date(year, 7, 10))
	for _, r := range m.rooms {
		if err := m.bid(ctx, r.ID, listedBy[r.ID]); err != nil {
			return err
		}
	}
	m.clk.set(date(year, 7, 28))
	deals := map[string][]exchange.Deal{}
	nd, value := 0, decimal.Zero
	for _, r := range m.rooms {
		if deals[r.ID], err = m.close(ctx, year, r.ID, listedBy[r.ID]); err != nil {
			return err
		}
		for _, d := range deals[r.ID] {
			nd++
			value = value.Add(d.Amount)
		}
	}
	m.printf("  %d listed, %d deals, %s\n", nl, nd, money.FormatZH(value))

	m.printf("\n== %d-6. Incubation, the demand loop's end, the workstation\n", year)
	ninc, nres, nunres := 0, 0, 0
	for _, r := range m.rooms {
		n, res, unres, err := m.incubate(ctx, year, r.ID, deals[r.ID])
		if err != nil {
			return err
		}
		ninc, nres, nunres = ninc+n, nres+res, nunres+unres
	}
	graduated := 0
	if year > m.years[0] {
		incs, err := m.capital.Incubations.Find(ctx, admin, broker.ListOptions{})
		if err != nil {
			return err
		}
		for _, in := range incs {
			if in.Status == capital.IncubationActive && in.Created.Year() < year {
				m.tick(time.Hour)
				if _, err := m.capital.CloseIncubation(ctx, m.tm(in.Broker), in.ID, capital.IncubationGraduated, "首个订单交付，衍生企业独立运营"); err != nil {
					return fmt.Errorf("graduate %s: %w", in.ID, err)
				}
				graduated++
			}
		}
	}
	m.printf("  %d incubations started, %d graduated; demands: %d resolved by a deal, %d closed as unresolvable (cases closed or rejected with them)\n", ninc, graduated, nres, nunres)
	if err := m.forward(ctx, year); err != nil {
		return err
	}

	// Most spin-offs deliver their prototype on time.
	m.clk.set(date(year, 12, 10))
	incs, err := m.capital.Incubations.Find(ctx, admin, broker.ListOptions{})
	if err != nil {
		return err
	}
	for i, in := range incs {
		if in.Status != capital.IncubationActive || in.Created.Year() != year || i%3 == 2 {
			continue
		}
		m.tick(time.Hour)
		if _, err := m.capital.SetMilestone(ctx, m.tm(in.Broker), in.ID, capital.Milestone{Name: "样机交付", Due: date(year, 12, 15), Status: capital.MilestoneDone, Done: m.clk.Now()}); err != nil {
			return fmt.Errorf("milestone: %w", err)
		}
	}
	stale, overdue := 0, 0
	for _, r := range m.rooms {
		cs, err := m.sys.Stale(ctx, m.lead(r.ID), r.ID, 90)
		if err != nil {
			return err
		}
		stale += len(cs)
		od, err := m.capital.OverdueMilestones(ctx, m.lead(r.ID), r.ID, date(year, 12, 20))
		if err != nil {
			return err
		}
		overdue += len(od)
	}
	m.printf("  %d open cases with no event for 90+ days (results in cultivation, unsold listings, incubations between milestones); %d incubation milestones overdue on %d-12-20\n", stale, overdue, year)
	m.clk.set(time.Date(year, 12, 31, 18, 0, 0, 0, time.UTC))
	return m.snapshot(ctx, year)
}

// snapshot keeps every room's cases by stage at the year's end, as the 科协
// reads them.
func (m *model) snapshot(ctx context.Context, year int) error {
	m.snapshots[year] = map[string]map[broker.CaseStage]int{}
	for _, r := range m.rooms {
		cs, err := allCases(ctx, m.sys, overseer, r.ID)
		if err != nil {
			return err
		}
		st := map[broker.CaseStage]int{}
		for _, c := range cs {
			st[c.Stage]++
		}
		m.snapshots[year][r.ID] = st
	}
	return nil
}

// collect creates the year's achievements and demands, routes them and
// opens the achievements' cases. It returns the new cases by room.
func (m *model) collect(ctx context.Context, year int) (map[string][]broker.Case, error) {
	m.clk.set(date(year, 1, 11))
	type item struct {
		room string
		d    *draft
		dm   *broker.Demand
	}
	var items []item
	na, nd := 0, 0
	for _, r := range m.rooms {
		sec, rt := m.sector[r.ID], rates[r.ID]
		n := max(1, int(math.Round(float64(rt.achievements)*m.scale)))
		for _, d := range m.g.achievements(sec, rt, n, year) {
			items = append(items, item{room: r.ID, d: &d})
			na++
		}
		for i := 0; i < max(1, int(math.Round(float64(rt.demands)*m.scale))); i++ {
			region := []string{"上海市杨浦区", "上海市杨浦区", "上海市", "浙江省台州市"}[m.g.r.IntN(4)]
			d := m.g.demand(sec, region)
			items = append(items, item{room: r.ID, dm: &d})
			nd++
		}
	}
	m.printf("\n== %d-1. Collection and routing: %d achievements and %d demands\n", year, na, nd)
	// Interleave the rooms as records arrive in the real world.
	m.g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	cases := map[string][]broker.Case{}
	m.demandsOf = map[string][]broker.Demand{}
	pr := newProgress(m.w, "collected", len(items))
	for i, it := range items {
		m.tick(37 * time.Minute)
		if it.d != nil {
			a := it.d.a
			var err error
			// Every fourth achievement comes through its society; the others
			// from their owners' technology transfer offices.
			if soc := m.societies[it.room]; i%4 == 0 && soc != "" {
				a, err = m.sys.ContributeAchievement(ctx, broker.SocietyAdmin("admin-"+soc, soc), soc, a)
			} else {
				a, err = m.sys.Achievements.Create(ctx, broker.InstitutionUser("tto-"+a.Owner, a.Owner), a)
			}
			if err != nil {
				return nil, fmt.Errorf("achievement %q: %w", a.Title, err)
			}
			// The platform routes (分流); the room's desk takes it from there.
			room, byPerson, err := m.route(ctx, broker.Ref(a), a.Title+" "+a.Summary+" "+strings.Join(a.Keywords, " "), a.Disciplines, a.IndustryCodes)
			if err != nil {
				return nil, err
			}
			m.tally(room, it.room, byPerson)
			m.trueRoom[a.ID], m.merit[a.ID], m.value[a.ID] = it.room, it.d.merit, it.d.value
			staff := m.tm(room)
			c, err := m.sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.Ref(a), Broker: room, Reason: "成果征集"})
			if err != nil {
				return nil, fmt.Errorf("open case: %w", err)
			}
			cases[room] = append(cases[room], c)
		} else {
			ent := broker.EnterpriseUser("ent-"+it.dm.Enterprise, it.dm.Enterprise)
			d, err := m.sys.Demands.Create(ctx, ent, *it.dm)
			if err != nil {
				return nil, fmt.Errorf("demand %q: %w", it.dm.Title, err)
			}
			room, byPerson, err := m.route(ctx, broker.Ref(d), d.Title+" "+d.Problem+" "+strings.Join(d.Keywords, " "), d.Disciplines, d.IndustryCodes)
			if err != nil {
				return nil, err
			}
			m.tally(room, it.room, byPerson)
			m.trueRoom[d.ID] = it.room
			if d, err = m.sys.Demands.Get(ctx, admin, d.ID); err != nil {
				return nil, err
			}
			m.demandsOf[room] = append(m.demandsOf[room], d)
		}
		pr.tick()
	}
	m.printf("  routing so far: %d of %d to the generator's true room (%.1f%%), %d decided by sector fit because the router was unsure\n",
		m.routedRight, m.routed, 100*float64(m.routedRight)/float64(m.routed), m.routedByPerson)
	// The rooms answer every demand within days (谋题).
	for _, r := range m.rooms {
		for i, d := range m.demandsOf[r.ID] {
			m.tick(time.Duration(2+m.g.r.IntN(60)) * time.Hour)
			d, err := m.sys.RespondDemand(ctx, m.staffFor(r.ID, 3), d.ID, d.Version)
			if err != nil {
				return nil, fmt.Errorf("respond demand: %w", err)
			}
			m.demandsOf[r.ID][i] = d
		}
	}
	return cases, nil
}

// screen runs one room's screening through the expert think tank (package
// broker/review): one panel of three per subject, planned from the room's
// qualified society without conflicts of interest, invited (an expert may
// decline; the seat is re-solved), scored blind, locked and decided; the
// verdict moves the case. It returns the cases that passed.
func (m *model) screen(ctx context.Context, year int, room string, cases []broker.Case) ([]screened, error) {
	if len(cases) == 0 {
		return nil, nil
	}
	subjects := make([]broker.RecordRef, len(cases))
	for i, c := range cases {
		subjects[i] = c.Subject
	}
	outs, err := m.panels(ctx, year, room, subjects)
	if err != nil {
		return nil, err
	}
	var out []screened
	for _, c := range cases {
		o, ok := outs[c.Subject.ID]
		if !ok || !o.v.Passed {
			continue
		}
		c, err := m.sys.GetCase(ctx, m.lead(room), c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, screened{c: c, score: o.v.Score, panel: o.v.Panelists})
	}
	return out, nil
}

// panelOutcome is a decided panel's verdict.
type panelOutcome struct{ v review.Verdict }

// panels runs one review panel per subject (achievements or demands) at a
// room and returns the verdicts by subject ID.
func (m *model) panels(ctx context.Context, year int, room string, subjects []broker.RecordRef) (map[string]panelOutcome, error) {
	lead := m.lead(room)
	pns, err := m.review.Plan(ctx, lead, review.PlanRequest{Broker: room, Subjects: subjects, Seats: 3, Society: m.societies[room],
		Deadline: m.clk.Now().Add(20 * 24 * time.Hour)})
	if err != nil {
		return nil, fmt.Errorf("plan panels: %w", err)
	}
	out := map[string]panelOutcome{}
	for _, pn := range pns {
		m.tick(2 * time.Hour)
		if pn, err = m.review.Invite(ctx, lead, pn.ID); err != nil {
			return nil, fmt.Errorf("invite: %w", err)
		}
		// The experts answer; one in sixteen declines the first time.
		for round := 0; pn.Status == review.StatusInviting && round < 6; round++ {
			for _, st := range pn.Seats {
				if st.Status != review.SeatInvited {
					continue
				}
				e := broker.ExpertUser(st.Expert)
				m.tick(10 * time.Minute)
				if round == 0 && m.g.r.IntN(16) == 0 {
					if pn, err = m.review.Decline(ctx, e, pn.ID, "", "评审期间出差，时间冲突"); err != nil {
						return nil, fmt.Errorf("decline: %w", err)
					}
					m.declinedSeats++
					break // the panel changed: read its seats again
				}
				if pn, err = m.review.Accept(ctx, e, pn.ID); err != nil {
					return nil, fmt.Errorf("accept: %w", err)
				}
			}
		}
		dos, err := m.review.Subject(ctx, lead, pn.ID)
		if err != nil {
			return nil, err
		}
		merit, level, owner := 0.7, 6, ""
		if a := dos.Achievement; a != nil {
			merit, level, owner = m.merit[a.ID], a.Readiness.Level, a.Owner
		} else if d := dos.Demand; d != nil {
			merit = 0.55 + 0.3*m.g.r.Float64() // how well the enterprise's need is posed
		}
		// A seat left vacant by a decline, when no qualified expert was
		// free, is tried again once; failing that, the panel scores with
		// the seats it has.
		if slices.ContainsFunc(pn.Seats, func(s review.Seat) bool { return s.Status == review.SeatVacant }) {
			if pn, err = m.review.Refill(ctx, lead, pn.ID); err != nil {
				return nil, fmt.Errorf("refill: %w", err)
			}
			for _, st := range pn.Seats {
				if st.Status == review.SeatInvited {
					if pn, err = m.review.Accept(ctx, broker.ExpertUser(st.Expert), pn.ID); err != nil {
						return nil, fmt.Errorf("accept: %w", err)
					}
				}
			}
		}
		experts := pn.Experts()
		if len(experts) < 3 {
			m.shortPanels++
		}
		for _, e := range experts {
			if ex, err := m.sys.Experts.Get(ctx, admin, e); err == nil && owner != "" && ex.Institution == owner {
				m.panelViolations++
			}
			bias := 0.04 * m.g.r.NormFloat64()
			score := func(x float64) float64 {
				return math.Round(100 * math.Min(1, math.Max(0, x+bias+0.05*m.g.r.NormFloat64())))
			}
			sheet := review.Sheet{Scores: map[string]float64{
				"novelty": score(merit), "advancement": score(merit), "maturity": score(0.2 + 0.085*float64(level)),
				"market": score(merit), "ip": score(merit - 0.05), "team": score(merit + 0.05)}}
			m.tick(20 * time.Minute)
			if _, err := m.review.Submit(ctx, broker.ExpertUser(e), pn.ID, sheet); err != nil {
				return nil, fmt.Errorf("submit: %w", err)
			}
		}
		if _, err := m.review.Lock(ctx, lead, pn.ID); err != nil {
			return nil, fmt.Errorf("lock: %w", err)
		}
		pv, err := m.review.Preview(ctx, lead, pn.ID)
		if err != nil {
			return nil, err
		}
		var dec review.Decision
		if pv.Disagreement {
			dec = review.Decision{Moderator: experts[0], Note: "评审组意见分歧，经主审专家复核后按加权结果出具结论"}
		}
		v, err := m.review.Decide(ctx, lead, pn.ID, dec)
		if err != nil {
			return nil, fmt.Errorf("decide: %w", err)
		}
		out[pn.Subject.ID] = panelOutcome{v: v}
		if !m.shown["panel"] && dos.Achievement != nil {
			m.shown["panel"] = true
			w := math.NaN()
			if v.Agreement.KendallW != nil {
				w = *v.Agreement.KendallW
			}
			m.printf("  e.g. %s %q: panel %v, score %.1f (%s %s), Kendall's W %.2f → case %s\n", pn.ID, trimTitle(pn.Title, 22), v.Panelists, v.Score,
				v.Grade.Grade, v.Grade.Label.Zh, w, map[bool]string{true: "screened (通过)", false: "rejected (未通过)"}[v.Passed])
		}
	}
	return out, nil
}

// mature finishes the proof of concept of last year's results in
// cultivation: their readiness rises one level, and those that reach TRL 5
// are promoted this year.
func (m *model) mature(ctx context.Context, room string) ([]screened, error) {
	cs, err := allCases(ctx, m.sys, m.lead(room), room)
	if err != nil {
		return nil, err
	}
	var out []screened
	for _, c := range cs {
		if c.Stage != broker.StageCultivating || c.Subject.Kind != broker.KindAchievement {
			continue
		}
		m.tick(time.Hour)
		a, err := m.sys.Achievements.Modify(ctx, m.tm(room), c.Subject.ID, func(a *broker.Achievement) error {
			a.Readiness.Level++
			a.Readiness.Evidence = append(a.Readiness.Evidence, fmt.Sprintf("概念验证完成（TRL %d）", a.Readiness.Level))
			return nil
		})
		if err != nil {
			return nil, err
		}
		if a.Readiness.Level >= 5 {
			sc := 0.0
			if c.Screening != nil {
				sc = c.Screening.Score
			}
			out = append(out, screened{c: c, score: sc})
		}
	}
	return out, nil
}

// value values a screened achievement with the income approach: projected
// profits of the product it enables, the technology's 分成率 and a build-up
// discount rate.
func (m *model) valueOf(a broker.Achievement) (valuation.Report, error) {
	// About 0.98 of the first year's profit is the income approach's value
	// with these rates: the base is set so that the value is the result's.
	base := decimal.NewFromFloat(m.value[a.ID] * 10000 / 0.98).Round(0)
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

// cultivate values the passed results — a valuation report drafted by the
// desk and signed by the panel's first expert — and moves them on:
// immature results (TRL < 6) are cultivated with services first, and those
// at TRL 4 or below stay in cultivation until their proof of concept
// finishes. It returns the results ready for promotion.
func (m *model) cultivate(ctx context.Context, year int, room string, passed []screened) ([]screened, error) {
	var out []screened
	tm := m.tm(room)
	for i := range passed {
		s := &passed[i]
		m.tick(90 * time.Minute)
		a, err := m.sys.Achievements.Get(ctx, tm, s.c.Subject.ID)
		if err != nil {
			return nil, err
		}
		if s.report, err = m.valueOf(a); err != nil {
			return nil, fmt.Errorf("value %s: %w", a.ID, err)
		}
		vr := review.FromReport(s.c.Subject, s.panel[0], s.report)
		vr.Broker, vr.Title = room, a.Title
		if vr, err = m.review.DraftValuation(ctx, tm, vr); err != nil {
			return nil, fmt.Errorf("draft valuation: %w", err)
		}
		if vr, err = m.review.SignValuation(ctx, broker.ExpertUser(vr.Evaluator), vr.ID, vr.Version); err != nil {
			return nil, fmt.Errorf("sign valuation: %w", err)
		}
		m.valued++
		if m.valued <= 2 {
			m.printf("  valuation report %s of %q (income approach, 分成率 25%%), signed by %s: %s, range %s – %s\n", vr.ID, trimTitle(a.Title, 24),
				vr.Evaluator, money.FormatZH(vr.Value), money.FormatZH(vr.Low), money.FormatZH(vr.High))
		}
		c := s.c
		if c, err = m.sys.DeliverService(ctx, tm, c.ID, broker.Delivery{Code: "S02", Note: "专家评价与估值报告"}); err != nil {
			return nil, fmt.Errorf("deliver: %w", err)
		}
		if a.Readiness.Level < 6 {
			if c, err = m.sys.MoveCase(ctx, tm, c.ID, broker.CaseMove{To: broker.StageCultivating, Version: c.Version, Reason: fmt.Sprintf("TRL %d，需概念验证", a.Readiness.Level)}); err != nil {
				return nil, err
			}
			if c, err = m.sys.DeliverService(ctx, tm, c.ID, broker.Delivery{Code: "S03"}); err != nil {
				return nil, err
			}
			if a.Readiness.Level <= 4 {
				continue // the proof of concept takes into next year
			}
		}
		s.c = c
		out = append(out, *s)
	}
	return out, nil
}

// match matches the room's demands to its promoted achievements (谋题 →
// 破题) and returns, per achievement ID, the enterprises interested in it.
func (m *model) matchRoom(ctx context.Context, room string, promoted []screened) (map[string][]string, error) {
	tm := m.tm(room)
	among := make([]string, 0, len(promoted))
	for _, s := range promoted {
		among = append(among, s.c.Subject.ID)
	}
	interested := map[string][]string{}
	for i, d := range m.demandsOf[room] {
		m.tick(2 * time.Hour)
		d, err := m.sys.MoveDemand(ctx, tm, d.ID, broker.DemandMove{To: broker.DemandDiagnosed, Version: d.Version,
			Spec: "技术指标：" + d.Problem})
		if err != nil {
			return nil, fmt.Errorf("diagnose %s: %w", d.ID, err)
		}
		if d, err = m.sys.MoveDemand(ctx, tm, d.ID, broker.DemandMove{To: broker.DemandMatching, Version: d.Version}); err != nil {
			return nil, err
		}
		m.demandsOf[room][i] = d
		if len(promoted) == 0 {
			continue
		}
		// The match service answers from its index, which follows the
		// store; the desk looks among the results it has promoted.
		ms, err := m.match.MatchDemand(ctx, tm, d.ID, &match.MatchOptions{K: 2, Among: among})
		if err != nil {
			return nil, err
		}
		for _, mt := range ms {
			interested[mt.Ref.ID] = append(interested[mt.Ref.ID], d.Enterprise)
		}
		if len(ms) > 0 && m.explained < 2 {
			m.explained++
			mt := ms[0]
			title := mt.Record.(broker.Achievement).Title
			m.printf("  match: demand %q (%s)\n     → %q score %.3f\n", trimTitle(d.Title, 30), d.Enterprise, trimTitle(title, 30), mt.Score)
			var sig []string
			for _, s := range mt.Explanation.Signals {
				sig = append(sig, fmt.Sprintf("%s %.2f×%.2f=%.3f", s.Name, s.Value, s.Weight, s.Contribution))
			}
			m.printf("       signals: %s\n       matched terms: %s\n", strings.Join(sig, "; "), strings.Join(mt.Explanation.Terms[:min(6, len(mt.Explanation.Terms))], "、"))
		}
	}
	return interested, nil
}

// roadshow holds the room's roadshow: owners and interested enterprises
// register, enterprises ask owners for 1:1 meetings, which are scheduled
// into slots, and each meeting gives a lead. An enterprise that came with
// a demand leaves it with the room: a lead that opens a case for the
// demand, which an expert panel screens and the room matches. Investors
// record their own intents. It returns the leads and the demand cases.
func (m *model) roadshow(ctx context.Context, year int, day time.Time, room string, promoted []screened, interested map[string][]string) (int, int, error) {
	if len(promoted) == 0 {
		return 0, 0, nil
	}
	m.clk.set(day)
	lead := m.lead(room)
	featured := make([]broker.RecordRef, 0, len(promoted))
	owners := map[string]broker.Principal{} // achievement → its owner's principal
	for _, s := range promoted {
		featured = append(featured, s.c.Subject)
	}
	start := day.AddDate(0, 0, 2).Add(time.Hour)
	act, err := m.acts.Activities.Create(ctx, lead, activity.Activity{Meta: broker.Meta{Broker: room}, Kind: activity.Roadshow,
		Title: fmt.Sprintf("%d年%s样板间成果路演", year, m.roomName(room)), Venue: "长阳创谷", Start: start, End: start.Add(6 * time.Hour),
		Capacity: 2*len(promoted) + 30, SlotMinutes: 30, Tables: 4, Featured: featured})
	if err != nil {
		return 0, 0, fmt.Errorf("roadshow: %w", err)
	}
	reg := func(p broker.Principal) error {
		_, err := m.acts.Register(ctx, p, act.ID, activity.Registration{Role: "participant"})
		if err != nil && !errors.Is(err, broker.ErrExists) {
			return err
		}
		return nil
	}
	for _, s := range promoted {
		a, err := m.sys.Achievements.Get(ctx, lead, s.c.Subject.ID)
		if err != nil {
			return 0, 0, err
		}
		p := broker.InstitutionUser("tto-"+a.Owner, a.Owner)
		owners[a.ID] = p
		if err := reg(p); err != nil {
			return 0, 0, fmt.Errorf("register owner: %w", err)
		}
	}
	// Investors come for the results that fit them best.
	type fit struct {
		s    screened
		inv  investor
		name string
		why  string
		sc   float64
	}
	var fits []fit
	for i, s := range promoted {
		if i%3 != 0 {
			continue
		}
		ims, err := m.capital.MatchInvestors(ctx, lead, s.c.Subject.ID, nil)
		if err != nil {
			return 0, 0, fmt.Errorf("match investors: %w", err)
		}
		if len(ims) == 0 {
			continue
		}
		inv := m.investorOf(ims[0].Investor)
		if err := reg(inv.p); err != nil {
			return 0, 0, fmt.Errorf("register investor: %w", err)
		}
		fits = append(fits, fit{s, inv, ims[0].Name, strings.Join(ims[0].Reasons, "；"), ims[0].Score})
	}
	type pair struct {
		ent string
		ach string
	}
	var pairs []pair
	ids := make([]string, 0, len(interested))
	for id := range interested {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	met := map[[2]string]bool{} // one meeting per enterprise and owner
	for _, id := range ids {
		if _, ok := owners[id]; !ok {
			continue
		}
		for _, ent := range slices.Compact(slices.Sorted(slices.Values(interested[id]))) {
			if met[[2]string{ent, owners[id].ID}] {
				continue
			}
			met[[2]string{ent, owners[id].ID}] = true
			if err := reg(broker.EnterpriseUser("ent-"+ent, ent)); err != nil {
				return 0, 0, fmt.Errorf("register enterprise: %w", err)
			}
			pairs = append(pairs, pair{ent, id})
		}
	}
	m.clk.set(day.AddDate(0, 0, 1))
	var meetings []activity.Meeting
	for _, p := range pairs {
		ent := broker.EnterpriseUser("ent-"+p.ent, p.ent)
		mt, err := m.acts.RequestMeeting(ctx, ent, act.ID, owners[p.ach].ID, "希望了解许可条件")
		if err != nil {
			return 0, 0, fmt.Errorf("request meeting: %w", err)
		}
		if mt, err = m.acts.RespondMeeting(ctx, owners[p.ach], mt.ID, true); err != nil {
			return 0, 0, fmt.Errorf("respond meeting: %w", err)
		}
		meetings = append(meetings, mt)
	}
	sched, err := m.acts.ScheduleMeetings(ctx, lead, act.ID)
	if err != nil {
		return 0, 0, fmt.Errorf("schedule: %w", err)
	}
	m.clk.set(start.Add(7 * time.Hour))
	leads := 0
	for i, mt := range meetings {
		if slices.Contains(sched.Unplaced, mt.ID) {
			continue
		}
		// One company in four passes after the meeting, and says why: a
		// structured decline the room learns from.
		if m.g.r.IntN(4) == 0 {
			reasons := []broker.DeclineReason{broker.DeclinePrice, broker.DeclineTooEarly, broker.DeclineBenefitUnclear,
				broker.DeclineCommercialUnclear, broker.DeclineDescriptionUnclear, broker.DeclineOutsideMarket}
			if _, err := m.sys.RecordFeedback(ctx, broker.EnterpriseUser("ent-"+pairs[i].ent, pairs[i].ent), broker.Feedback{
				Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: pairs[i].ach}, Reason: reasons[m.g.r.IntN(len(reasons))]}); err != nil {
				return 0, 0, fmt.Errorf("decline: %w", err)
			}
			continue
		}
		if _, err := m.acts.RecordLead(ctx, lead, act.ID, activity.Lead{Kind: activity.LeadInterest, Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: pairs[i].ach},
			Party: pairs[i].ent, Meeting: mt.ID, Note: "路演对接会后表达合作意向"}); err != nil {
			return 0, 0, fmt.Errorf("lead: %w", err)
		}
		leads++
	}
	// Enterprises that came with a demand leave it with the room.
	var demandRefs []broker.RecordRef
	var demandCases []broker.Case
	for i, mt := range meetings {
		for _, d := range m.demandsOf[room] {
			if d.Enterprise != pairs[i].ent || m.leadCase[d.ID] != "" {
				continue
			}
			l, err := m.acts.RecordLead(ctx, lead, act.ID, activity.Lead{Kind: activity.LeadCase, Subject: broker.Ref(d),
				Party: d.Enterprise, Meeting: mt.ID, Note: "企业委托技术券商寻找解决方案"})
			if err != nil {
				return 0, 0, fmt.Errorf("case lead: %w", err)
			}
			m.leadCase[d.ID] = l.Case
			c, err := m.sys.GetCase(ctx, lead, l.Case)
			if err != nil {
				return 0, 0, err
			}
			demandRefs, demandCases = append(demandRefs, c.Subject), append(demandCases, c)
			leads++
		}
	}
	// The demand cases move on: an expert panel screens the need (破题),
	// and those it passes go to matching.
	if len(demandRefs) > 0 {
		m.tick(24 * time.Hour)
		outs, err := m.panels(ctx, year, room, demandRefs)
		if err != nil {
			return 0, 0, fmt.Errorf("demand panels: %w", err)
		}
		for _, c := range demandCases {
			if o := outs[c.Subject.ID]; !o.v.Passed {
				continue
			}
			c, err := m.sys.GetCase(ctx, lead, c.ID)
			if err != nil {
				return 0, 0, err
			}
			if _, err := m.sys.MoveCase(ctx, m.tm(room), c.ID, broker.CaseMove{To: broker.StagePromoting, Version: c.Version, Reason: "需求进入撮合"}); err != nil {
				return 0, 0, err
			}
		}
	}
	// The investors record their own intents.
	for _, f := range fits {
		n, err := m.capital.RecordInvestmentIntent(ctx, f.inv.p, capital.InvestmentIntent{Case: f.s.c.ID, Investor: f.inv.id,
			Amount: decimal.NewFromInt(int64(100+m.g.r.IntN(900)) * 10000), Stage: capital.StageAngel, Activity: act.ID, Note: "路演后表达投资意向"})
		if err != nil {
			return 0, 0, fmt.Errorf("intent: %w", err)
		}
		if !m.shown["intent"] {
			m.shown["intent"] = true
			m.printf("  investor %s records its own intent on %s: %s (fit %.2f: %s)\n", f.name, f.s.c.Subject.ID, money.FormatZH(n.Amount), f.sc, f.why)
		}
	}
	if !m.shown["roadshow"] {
		m.shown["roadshow"] = true
		m.printf("  roadshow %q: %d featured, %d meetings in %d slots (%d unplaced), %d leads\n", act.Title, len(featured), len(sched.Meetings), act.Slots(), len(sched.Unplaced), leads)
	}
	return leads, len(demandCases), nil
}

func (m *model) investorOf(id string) investor {
	for _, v := range m.investors {
		if v.id == id {
			return v
		}
	}
	return investor{id: id, p: admin}
}

// listed is a published listing and the buyer agreed beforehand, if any.
type listed struct {
	l     exchange.Listing
	buyer string
}

// list lists the room's best promoted results, by their panels' scores,
// with the legal trading methods: 协议定价 with a public notice when a buyer
// is known (the exchange operator publishes it and runs the 公示), auctions
// and fixed-price 挂牌 (the desk publishes them). The others stay in
// promotion.
func (m *model) list(ctx context.Context, year int, room string, promoted []screened, interested map[string][]string) ([]listed, error) {
	best := slices.Clone(promoted)
	slices.SortStableFunc(best, func(a, b screened) int { return cmp.Compare(b.score, a.score) })
	n := int(math.Round(rates[room].list * float64(len(best))))
	var ls []listed
	tm := m.tm(room)
	for i, s := range best[:n] {
		m.tick(time.Hour)
		a, err := m.sys.Achievements.Get(ctx, tm, s.c.Subject.ID)
		if err != nil {
			return nil, err
		}
		vs, err := m.review.ValuationsOf(ctx, tm, s.c.Subject)
		if err != nil || len(vs) == 0 {
			return nil, fmt.Errorf("valuation of %s: %v", a.ID, err)
		}
		price := vs[len(vs)-1].Value.Div(decimal.NewFromInt(10000)).Round(0).Mul(decimal.NewFromInt(10000)) // to the 万元
		buyers := interested[a.ID]
		terms := exchange.ListingTerms{Mode: a.TransferModes[0], Price: price, FeePercent: decimal.RequireFromString("1.5")}
		buyer := ""
		publisher := tm
		switch {
		case len(buyers) > 0 && i%3 == 0:
			buyer = buyers[0]
			terms.Method, terms.Pricing, terms.Counterparty = exchange.MethodAgreement, broker.FixedPrice, buyer
			publisher = operator // the exchange posts the notice
		case i%3 == 2:
			terms.Method, terms.Pricing = exchange.MethodAuction, broker.FloorPrice
			terms.Increment = decimal.NewFromInt(50000)
			terms.Deposit = price.Div(decimal.NewFromInt(10)).Round(0)
		default:
			terms.Method, terms.Pricing = exchange.MethodFixed, broker.FixedPrice
		}
		l := exchange.Listing{Meta: broker.Meta{Broker: room, Region: "上海市杨浦区"}, Achievement: a.ID, Case: s.c.ID,
			Title: a.Title, Summary: trimTitle(a.Summary, 120), Overview: a.Abstract, Readiness: a.Readiness,
			IndustryCodes: a.IndustryCodes, IPRights: a.IPRights, Owner: a.Owner, OwnerPublic: true,
			ContactPerson: a.Inventors[0].Name, Contact: broker.Contact{Phone: "021-65640000"},
			Venue: "上海技术交易所", Terms: terms, ValidDays: 120}
		if l, err = m.x.CreateListing(ctx, tm, l); err != nil {
			return nil, fmt.Errorf("listing for %s: %w", s.c.ID, err)
		}
		pub := exchange.Publish{Version: l.Version}
		if terms.Method == exchange.MethodAuction {
			pub.Closes = date(year, 7, 25)
		}
		if l, err = m.x.PublishListing(ctx, publisher, l.ID, pub); err != nil {
			return nil, fmt.Errorf("publish %s: %w", l.ID, err)
		}
		if l.Notice != nil && !m.shown["notice"] {
			m.shown["notice"] = true
			m.printf("  协议定价 %s: the exchange (%s) posts the 公示 %s – %s\n", l.ID, operator.Org, l.Notice.Start.Format("2006-01-02"), l.Notice.End.Format("2006-01-02"))
		}
		ls = append(ls, listed{l, buyer})
	}
	return ls, nil
}

// bid runs the room's auctions: the exchange confirms the deposits, then
// the bidders bid while they run.
func (m *model) bid(ctx context.Context, room string, ls []listed) error {
	for _, x := range ls {
		if x.l.Terms.Method != exchange.MethodAuction {
			continue
		}
		bidders := slices.Compact([]string{m.g.pick(m.sector[room].enterprises), "沪上科创投资有限公司", "长三角技术转移有限公司"})
		for _, b := range bidders {
			if _, err := m.x.PayDeposit(ctx, operator, x.l.ID, b, x.l.Terms.Deposit, "保证金回单-"+b); err != nil {
				return fmt.Errorf("deposit: %w", err)
			}
		}
		rounds := 1 + m.g.r.IntN(3)
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
// the notice, the auction's winner (the exchange refunds the other
// deposits), a buyer for some fixed-price listings; a company that looked
// at a fixed-price listing and passed records why (its structured decline).
func (m *model) close(ctx context.Context, year int, room string, ls []listed) ([]exchange.Deal, error) {
	var deals []exchange.Deal
	tm := m.tm(room)
	for _, x := range ls {
		m.tick(time.Hour)
		nd := exchange.NewDeal{Listing: x.l.ID, Amount: x.l.Terms.Price}
		switch x.l.Terms.Method {
		case exchange.MethodAgreement:
			nd.Buyer = x.buyer
		case exchange.MethodAuction:
			l, err := m.x.CloseBidding(ctx, tm, x.l.ID)
			if err != nil {
				return nil, fmt.Errorf("close bidding: %w", err)
			}
			deps, err := m.x.ListDeposits(ctx, operator, l.ID)
			if err != nil {
				return nil, err
			}
			refunded := 0
			for _, d := range deps {
				if d.Status == exchange.DepositRefundDue {
					if _, err := m.x.RefundDeposit(ctx, operator, d.ID, "退款回单-"+d.Bidder); err != nil {
						return nil, fmt.Errorf("refund: %w", err)
					}
					refunded++
				}
			}
			if l.Award == nil {
				continue
			}
			nd.Buyer, nd.Amount = l.Award.Bidder, l.Award.Amount
			if !m.shown["auction"] {
				m.shown["auction"] = true
				m.printf("  拍卖 %s: reserve %s, %d deposits confirmed by the exchange, %d bids, closed %s → %s at %s; %d deposits refunded by the exchange\n", l.ID,
					money.FormatZH(l.Terms.Price), len(deps), l.Award.Bids, l.Closes.Format("2006-01-02"), l.Award.Bidder, money.FormatZH(l.Award.Amount), refunded)
			}
		default:
			if m.g.r.Float64() < 0.4 { // some fixed-price listings find no buyer this year
				reasons := []broker.DeclineReason{broker.DeclinePrice, broker.DeclineCommercialUnclear, broker.DeclineOutsideMarket, broker.DeclineDescriptionUnclear, broker.DeclineBenefitUnclear}
				party := m.g.pick(m.sector[room].enterprises)
				if _, err := m.sys.RecordFeedback(ctx, broker.EnterpriseUser("ent-"+party, party), broker.Feedback{
					Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: x.l.Achievement}, Reason: reasons[m.g.r.IntN(len(reasons))]}); err != nil {
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
		d, err := m.x.CloseDeal(ctx, tm, nd)
		if err != nil {
			return nil, fmt.Errorf("deal on %s (%s): %w", x.l.ID, x.l.Terms.Method, err)
		}
		deals = append(deals, d)
		m.sold[d.Buyer] = d.ID
		if !m.shown["deal"] {
			m.shown["deal"] = true
			m.printf("  deal %s: %s → %s, %s (%s, %s), schedule:", d.ID, trimTitle(d.Seller, 12), d.Buyer, money.FormatZH(d.Amount), d.Method, d.ContractType)
			for _, p := range d.Schedule.Payments {
				m.printf(" %s %s;", p.Due.Format("2006-01-02"), money.FormatZH(p.Amount))
			}
			m.printf("\n")
		}
	}
	return deals, nil
}

// incubate starts an incubation at the science park for every other traded
// case and closes the rest; the room's demands whose enterprise bought are
// resolved, the others closed as unresolvable, and their lead cases follow:
// traded and closed with the deal, or rejected.
func (m *model) incubate(ctx context.Context, year int, room string, deals []exchange.Deal) (int, int, int, error) {
	m.clk.set(date(year, 9, 1))
	tm := m.tm(room)
	n := 0
	for i, d := range deals {
		m.tick(time.Hour)
		c, err := m.sys.GetCase(ctx, tm, d.Case)
		if err != nil {
			return 0, 0, 0, err
		}
		if i%2 == 0 && m.incubator != "" {
			if _, err := m.capital.StartIncubation(ctx, tm, capital.NewIncubation{Case: c.ID, Incubator: m.incubator,
				Milestones: []capital.Milestone{{Name: "样机交付", Due: date(year, 12, 15)}, {Name: "首个订单", Due: date(year+1, 6, 30)}},
				Reason:     "作价入股成立衍生企业"}); err != nil {
				return 0, 0, 0, fmt.Errorf("incubate %s: %w", c.ID, err)
			}
			n++
		} else if _, err := m.sys.MoveCase(ctx, tm, c.ID, broker.CaseMove{To: broker.StageClosed, Version: c.Version, Reason: "合同履行中，服务完成"}); err != nil {
			return 0, 0, 0, err
		}
	}
	resolved, unresolved := 0, 0
	for _, d := range m.demandsOf[room] {
		m.tick(time.Hour)
		d, err := m.sys.Demands.Get(ctx, tm, d.ID)
		if err != nil {
			return 0, 0, 0, err
		}
		deal, bought := m.sold[d.Enterprise]
		mv := broker.DemandMove{To: broker.DemandResolved, Version: d.Version}
		if !bought {
			mv = broker.DemandMove{To: broker.DemandUnresolvable, Version: d.Version, Reason: "暂无成熟技术，转入下一轮征集"}
			unresolved++
		} else {
			resolved++
		}
		if _, err := m.sys.MoveDemand(ctx, tm, d.ID, mv); err != nil {
			return 0, 0, 0, fmt.Errorf("close demand %s: %w", d.ID, err)
		}
		id := m.leadCase[d.ID]
		if id == "" {
			continue
		}
		c, err := m.sys.GetCase(ctx, tm, id)
		if err != nil {
			return 0, 0, 0, err
		}
		if !c.Stage.Open() {
			continue
		}
		switch {
		case bought && c.Stage == broker.StagePromoting:
			if c, err = m.sys.MoveCase(ctx, tm, c.ID, broker.CaseMove{To: broker.StageTraded, Version: c.Version, DealRef: deal}); err != nil {
				return 0, 0, 0, err
			}
			_, err = m.sys.MoveCase(ctx, tm, c.ID, broker.CaseMove{To: broker.StageClosed, Version: c.Version, Reason: "需求已通过成交解决"})
		default:
			_, err = m.sys.MoveCase(ctx, tm, c.ID, broker.CaseMove{To: broker.StageRejected, Version: c.Version, Reason: "需求暂无解决方案"})
		}
		if err != nil {
			return 0, 0, 0, err
		}
	}
	return n, resolved, unresolved, nil
}

// allCases lists every case of a room.
func allCases(ctx context.Context, sys *broker.System, p broker.Principal, room string) ([]broker.Case, error) {
	var out []broker.Case
	o := broker.ListOptions{Broker: room, Limit: 1000}
	for {
		page, err := sys.ListCases(ctx, p, o)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		o.Cursor = page.Next
	}
}
