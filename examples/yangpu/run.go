package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
	"golang.org/x/text/width"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/assessment/report"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/evaluation/valuation"
	"github.com/kexie/techbroker/money"
)

// result is what a run produced, for the summary and the tests.
type result struct {
	Rooms   []roomSummary
	Routing float64 // share of items routed to the generator's true room
	// PanelViolations counts panelists working at the owner of the item
	// they judge, and panels without 3 members (both should be 0).
	PanelViolations int
	Markdown        []byte
	HTML            []byte
	Summary         string
}

// roomSummary is one line of the final table.
type roomSummary struct {
	ID, Name string
	Stages   map[broker.CaseStage]int
	Listings int
	Deals    int
	Value    decimal.Decimal
	Score    float64
	Grade    string
	Rank     int
}

// yearly holds the figures the generator adds per room and year (things a
// platform records outside the System: satisfaction forms, served firms).
type yearly struct {
	engaged  map[string]bool // experts who sat on panels
	served   map[string]bool // enterprises served
	ratings  []int           // satisfaction forms, 1–5
	meetings int
}

func run(ctx context.Context, w io.Writer, cfg config) (*result, error) {
	if cfg.Scale <= 0 || cfg.Scale > 100 {
		return nil, fmt.Errorf("-scale %v: want a number in (0, 100]", cfg.Scale)
	}
	if cfg.Store == "" {
		cfg.Store = "mem:"
	}
	clk := &clock{t: date(2021, 1, 4)}
	admin := broker.PlatformAdmin("yangpu-admin")
	sys, err := openSystem(ctx, cfg.Store, clk, admin)
	if err != nil {
		return nil, err
	}
	defer sys.Close()
	page, err := sys.Brokers.List(ctx, admin, broker.ListOptions{})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "Yangpu 3+3+N model · seed %d · scale %g · store %s\n", cfg.Seed, cfg.Scale, strings.SplitN(cfg.Store, ":", 2)[0])
	fmt.Fprintf(w, "Built the system from the Yangpu blueprint: %d industry brokers (样板间)\n", len(page.Items))
	x := exchange.New(sys)
	acts := activity.New(sys)
	m := &model{w: w, sys: sys, x: x, acts: acts, capital: capital.New(sys, x, acts), clk: clk, g: newGen(cfg.Seed), admin: admin, rooms: page.Items, scale: cfg.Scale,
		sector: map[string]*sector{}, demandCase: map[string]bool{}, conflictRules: map[string]int{}, societies: map[string]string{}, trueRoom: map[string]string{}, quality: map[string]float64{},
		years: []int{2021, 2022}}
	for i := range sectors {
		m.sector[sectors[i].room] = &sectors[i]
	}
	for _, r := range m.rooms {
		if m.sector[r.ID] == nil {
			return nil, fmt.Errorf("the generator has no vocabulary for room %s", r.ID)
		}
		fmt.Fprintf(w, "  %-15s %s (%s)\n", r.ID, r.Name, r.NameEN)
	}
	if err := m.setup(ctx); err != nil {
		return nil, err
	}
	if err := m.trainRouter(cfg.Seed); err != nil {
		return nil, err
	}

	per := map[int]map[string]*yearly{}
	for _, year := range m.years {
		per[year] = map[string]*yearly{}
		for _, r := range m.rooms {
			per[year][r.ID] = &yearly{engaged: map[string]bool{}, served: map[string]bool{}}
		}
		if err := m.year(ctx, year, per[year]); err != nil {
			return nil, fmt.Errorf("%d: %w", year, err)
		}
	}

	// The scorecard per year.
	m.clk.set(date(2023, 1, 3))
	fmt.Fprintf(w, "\n== Assessment: broker scorecard, ranking, grading, innovation index\n")
	scheme := assessment.DefaultScheme()
	var cards []*assessment.Scorecard
	var stats [][]assessment.BrokerStats
	for _, year := range m.years {
		st, err := m.brokerStats(ctx, year, per[year])
		if err != nil {
			return nil, err
		}
		sc, err := scheme.Score(st)
		if err != nil {
			return nil, fmt.Errorf("score %d: %w", year, err)
		}
		cards, stats = append(cards, sc), append(stats, st)
		capital, intents := decimal.Zero, 0
		for _, r := range m.rooms {
			cf, err := m.capital.CapitalMatched(ctx, m.admin, r.ID, broker.ReportPeriod{From: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				return nil, err
			}
			capital, intents = capital.Add(cf.Amount), intents+cf.Intents
		}
		fmt.Fprintf(w, "  %d capital matched: %d investment intents, %s\n", year, intents, money.FormatZH(capital))
		fmt.Fprintf(w, "  %d:", year)
		for _, e := range sc.Entities {
			fmt.Fprintf(w, " %s %.1f(%s,#%d)", e.ID, e.Total, e.Grade, e.Rank)
		}
		fmt.Fprintln(w)
	}
	last := cards[len(cards)-1]
	idx, inds, err := m.innovationIndex(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "  杨浦区创新指数 (2016 = 100):")
	for t, p := range idx.Periods {
		fmt.Fprintf(w, " %s %.1f", p, idx.Values[t])
	}
	fmt.Fprintln(w)
	var trends []report.Series
	for i, r := range m.rooms {
		s := report.Series{NameZH: r.Name, NameEN: r.NameEN}
		for y, sc := range cards {
			s.Periods = append(s.Periods, fmt.Sprint(m.years[y]))
			s.Values = append(s.Values, sc.Entities[i].Total)
		}
		trends = append(trends, s)
	}
	rep := &report.Report{
		TitleZH: "杨浦区技术券商考核报告（2022年度）", TitleEN: "Yangpu technology brokers: assessment 2022",
		Scorecard: last, Stats: stats[len(stats)-1],
		Index: idx, IndexNameZH: "杨浦区创新指数", IndexNameEN: "Yangpu innovation index", IndexIndicators: inds,
		Trends: trends, TrendsTitleZH: "各样板间总分", TrendsTitleEN: "Total score by broker",
	}
	res := &result{Routing: float64(m.routedRight) / float64(m.routed), PanelViolations: m.panelViolations}
	var md, html bytes.Buffer
	if err := report.WriteMarkdown(&md, rep, language.Chinese); err != nil {
		return nil, fmt.Errorf("markdown: %w", err)
	}
	if err := report.WriteHTML(&html, rep, language.Chinese); err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	res.Markdown, res.HTML = md.Bytes(), html.Bytes()
	if cfg.Out != "" {
		if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
			return nil, err
		}
		for name, b := range map[string][]byte{"report.md": res.Markdown, "report.html": res.HTML} {
			if err := os.WriteFile(filepath.Join(cfg.Out, name), b, 0o644); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(w, "  wrote %s and %s\n", filepath.Join(cfg.Out, "report.md"), filepath.Join(cfg.Out, "report.html"))
	}

	// The summary per room.
	lg, err := m.x.Ledger(ctx, admin, exchange.LedgerQuery{})
	if err != nil {
		return nil, err
	}
	byBroker := map[string]exchange.LedgerRow{}
	for _, row := range lg.ByBroker() {
		byBroker[row.Broker] = row
	}
	for i, r := range m.rooms {
		cs, err := allCases(ctx, sys, admin, r.ID)
		if err != nil {
			return nil, err
		}
		rs := roomSummary{ID: r.ID, Name: r.Name, Stages: map[broker.CaseStage]int{}, Listings: byBroker[r.ID].Listings, Deals: byBroker[r.ID].Deals,
			Value: byBroker[r.ID].Value, Score: last.Entities[i].Total, Grade: last.Entities[i].Grade, Rank: last.Entities[i].Rank}
		for _, c := range cs {
			rs.Stages[c.Stage]++
		}
		res.Rooms = append(res.Rooms, rs)
	}
	var sum bytes.Buffer
	writeSummary(&sum, res.Rooms, lg.Total)
	fmt.Fprintf(&sum, "routing to the true room: %.1f%% of %d items; expert–item pairs in conflict kept off panels: %d\n", 100*res.Routing, m.routed, m.conflictsAvoided)
	res.Summary = sum.String()
	fmt.Fprintf(w, "\n== Summary (cases by stage now; listings, deals and value over 2021–2022; score and grade 2022)\n")
	io.WriteString(w, res.Summary)
	return res, nil
}

// year runs one year of the model for every room.
func (m *model) year(ctx context.Context, year int, per map[string]*yearly) error {
	cases, err := m.collect(ctx, year)
	if err != nil {
		return err
	}
	m.printf("\n== %d-2. Screening by conflict-free expert panels (qualified societies' members, 3 per item)\n", year)
	m.clk.set(date(year, 3, 1))
	passed := map[string][]broker.Case{}
	pr := newProgress(m.w, "rooms screened", len(m.rooms))
	for _, r := range m.rooms {
		if passed[r.ID], err = m.screen(ctx, year, r.ID, cases[r.ID]); err != nil {
			return err
		}
		for _, c := range passed[r.ID] {
			for _, e := range c.Screening.Panel {
				per[r.ID].engaged[e] = true
			}
		}
		pr.tick()
	}
	np := 0
	for _, r := range m.rooms {
		np += len(passed[r.ID])
	}
	m.printf("  %d passed; expert–item pairs in conflict of interest, kept off the panels so far: %d (%s)\n", np, m.conflictsAvoided, ruleCounts(m.conflictRules))

	m.printf("\n== %d-3. Valuation and cultivation\n", year)
	m.clk.set(date(year, 4, 1))
	values := map[string]valuation.Report{}
	promoted := map[string][]broker.Case{}
	cultivated := map[string][]broker.Case{}
	for _, r := range m.rooms {
		if cultivated[r.ID], err = m.cultivate(ctx, year, r.ID, passed[r.ID], values); err != nil {
			return err
		}
	}
	m.clk.set(date(year, 5, 10))
	nv, nprom, total := 0, 0, decimal.Zero
	for _, r := range m.rooms {
		if promoted[r.ID], err = m.promote(ctx, cultivated[r.ID]); err != nil {
			return err
		}
		nprom += len(promoted[r.ID])
	}
	for _, v := range values {
		nv++
		total = total.Add(v.Value)
	}
	m.printf("  %d results valued (together %s); %d promoted, %d still in cultivation (TRL ≤ 4)\n", nv, money.FormatZH(total), nprom, nv-nprom)

	m.printf("\n== %d-4. Matching demands to achievements, roadshows, 1:1 meetings and leads\n", year)
	interested := map[string]map[string][]string{}
	leads := 0
	m.clk.set(date(year, 5, 20))
	for _, r := range m.rooms {
		if interested[r.ID], err = m.match(ctx, r.ID, promoted[r.ID]); err != nil {
			return err
		}
		for _, d := range m.demandsOf[r.ID] {
			per[r.ID].served[d.Enterprise] = true
		}
	}
	for i, r := range m.rooms {
		n, l, err := m.roadshow(ctx, year, date(year, 6, 1+3*i), r.ID, promoted[r.ID], interested[r.ID])
		if err != nil {
			return err
		}
		per[r.ID].meetings += n
		leads += l
	}
	m.printf("  %d roadshows, %d leads\n", len(m.rooms), leads)

	m.printf("\n== %d-5. Exchange: listings (协议定价 with 公示, 拍卖 with deposits and bids, 挂牌), deals with payment schedules\n", year)
	deals := map[string][]exchange.Deal{}
	nd, value := 0, decimal.Zero
	listed := map[string][]listed{}
	m.clk.set(date(year, 7, 1))
	for _, r := range m.rooms {
		if listed[r.ID], err = m.list(ctx, year, r.ID, promoted[r.ID], values, interested[r.ID]); err != nil {
			return err
		}
	}
	m.clk.set(date(year, 7, 10))
	for _, r := range m.rooms {
		if err := m.bid(ctx, r.ID, listed[r.ID]); err != nil {
			return err
		}
	}
	// After the notices and the auctions' deadline: close the deals.
	m.clk.set(date(year, 7, 28))
	for _, r := range m.rooms {
		if deals[r.ID], err = m.close(ctx, year, r.ID, listed[r.ID]); err != nil {
			return err
		}
		for _, d := range deals[r.ID] {
			per[r.ID].served[d.Buyer] = true
			per[r.ID].ratings = append(per[r.ID].ratings, 3+m.g.r.IntN(3))
			nd++
			value = value.Add(d.Amount)
		}
	}
	m.printf("  %d deals, %s\n", nd, money.FormatZH(value))

	m.printf("\n== %d-6. Incubation\n", year)
	ninc := 0
	for _, r := range m.rooms {
		n, err := m.incubate(ctx, year, r.ID, deals[r.ID])
		if err != nil {
			return err
		}
		ninc += n
	}
	graduated := 0
	if year > m.years[0] {
		incs, err := m.capital.Incubations.List(ctx, m.admin, broker.ListOptions{Limit: 10000})
		if err != nil {
			return err
		}
		for _, in := range incs.Items {
			if in.Status == capital.IncubationActive && in.Created.Year() < year {
				m.tick(time.Hour)
				if _, err := m.capital.CloseIncubation(ctx, m.admin, in.ID, capital.IncubationGraduated, "首个订单交付，衍生企业独立运营"); err != nil {
					return fmt.Errorf("graduate %s: %w", in.ID, err)
				}
				graduated++
			}
		}
	}
	m.printf("  %d incubations started, %d graduated\n", ninc, graduated)

	// Most spin-offs deliver their prototype on time.
	m.clk.set(date(year, 12, 10))
	incs, err := m.capital.Incubations.List(ctx, m.admin, broker.ListOptions{Limit: 10000})
	if err != nil {
		return err
	}
	for i, in := range incs.Items {
		if in.Status != capital.IncubationActive || in.Created.Year() != year || i%3 == 2 {
			continue
		}
		m.tick(time.Hour)
		if _, err := m.capital.SetMilestone(ctx, m.admin, in.ID, capital.Milestone{Name: "样机交付", Due: date(year, 12, 15), Status: capital.MilestoneDone, Done: m.clk.Now()}); err != nil {
			return fmt.Errorf("milestone: %w", err)
		}
	}
	stale := 0
	for _, r := range m.rooms {
		cs, err := m.sys.Stale(ctx, m.admin, r.ID, 90)
		if err != nil {
			return err
		}
		stale += len(cs)
	}
	overdue := 0
	for _, r := range m.rooms {
		od, err := m.capital.OverdueMilestones(ctx, m.admin, r.ID, date(year, 12, 20))
		if err != nil {
			return err
		}
		overdue += len(od)
	}
	m.printf("  %d open cases with no event for 90+ days (demands awaiting a solution, unsold listings, incubations between milestones); %d incubation milestones overdue on %d-12-20\n", stale, overdue, year)
	m.clk.set(time.Date(year, 12, 31, 18, 0, 0, 0, time.UTC))
	return nil
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

// brokerStats fills the assessment's figures of every room for a year
// from the System's figures.
func (m *model) brokerStats(ctx context.Context, year int, per map[string]*yearly) ([]assessment.BrokerStats, error) {
	period := broker.ReportPeriod{From: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)}
	var out []assessment.BrokerStats
	for _, r := range m.rooms {
		ps, err := m.acts.PlatformStats(ctx, m.admin, r.ID, period)
		if err != nil {
			return nil, err
		}
		sf, err := m.sys.StaffFigures(ctx, m.admin, r.ID, period)
		if err != nil {
			return nil, err
		}
		lg, err := m.x.Ledger(ctx, m.admin, exchange.LedgerQuery{From: period.From, To: period.To, Broker: r.ID})
		if err != nil {
			return nil, err
		}
		st := assessment.BrokerStats{BrokerID: r.ID, NameZH: r.Name, NameEN: r.NameEN, Period: fmt.Sprint(year),
			ExpertsEngaged: len(per[r.ID].engaged), MemberUnits: len(r.Members) + 1,
			CasesReached: map[assessment.Stage]int{},
			Listings:     lg.Total.Listings, Deals: lg.Total.Deals, DealValue: lg.Total.Value,
			TechIncome:        ps.ServiceFees,
			EnterprisesServed: len(per[r.ID].served), ServicesDelivered: ps.ServicesDelivered,
			DemandsReceived: ps.Demand.Received, DemandsResponded: ps.Demand.Responded, DemandsResolved: ps.Demand.Resolved,
			MeanResponseDays: ps.Demand.MedianResponse.Hours() / 24,
			Activities:       ps.Activities, ActivityLeads: ps.Leads, LeadsConverted: ps.CasesFromLeads,
		}
		sf.Fill(&st)
		// A case that entered a later stage reached the earlier ones too.
		stages := assessment.PipelineStages()
		reached := 0
		for i := len(stages) - 1; i >= 0; i-- {
			reached = max(reached, ps.Entered[broker.CaseStage(stages[i])])
			st.CasesReached[stages[i]] = reached
		}
		for _, v := range per[r.ID].ratings {
			st.FeedbackCount++
			st.FeedbackMean += float64(v)
			if v >= 4 {
				st.FeedbackPositive++
			}
		}
		if st.FeedbackCount > 0 {
			st.FeedbackMean /= float64(st.FeedbackCount)
		}
		out = append(out, st)
	}
	return out, nil
}

// innovationIndex computes a district innovation index, 2016–2022, over
// generated yearly series; the technology contract turnover of 2021 and 2022
// adds the deals closed on the platform.
func (m *model) innovationIndex(ctx context.Context) (*assessment.IndexResult, []assessment.Indicator, error) {
	inds := []assessment.Indicator{
		{ID: "rd", NameZH: "R&D投入强度", NameEN: "R&D intensity", Unit: "%", Direction: assessment.Benefit},
		{ID: "patents", NameZH: "每万人发明专利拥有量", NameEN: "Invention patents per 10k people", Unit: "件", Direction: assessment.Benefit},
		{ID: "contracts", NameZH: "技术合同成交额", NameEN: "Technology contract turnover", Unit: "亿元", Direction: assessment.Benefit},
		{ID: "hightech", NameZH: "高新技术企业数", NameEN: "High-tech enterprises", Unit: "家", Direction: assessment.Benefit},
		{ID: "energy", NameZH: "万元GDP能耗", NameEN: "Energy per 10k CNY GDP", Unit: "吨标煤", Direction: assessment.Cost},
	}
	g := newGen(uint64(len(m.trueRoom)) ^ 0x1d3c)
	var periods []string
	var series [][]float64
	rd, pat, con, ht, en := 3.1, 48.0, 180.0, 1100.0, 0.31
	for y := 2016; y <= 2022; y++ {
		if y > 2016 {
			rd *= 1.03 + 0.03*g.r.Float64()
			pat *= 1.06 + 0.06*g.r.Float64()
			con *= 1.08 + 0.10*g.r.Float64()
			ht *= 1.05 + 0.08*g.r.Float64()
			en *= 0.96 - 0.02*g.r.Float64()
		}
		c := con
		if y >= 2021 {
			lg, err := m.x.Ledger(ctx, m.admin, exchange.LedgerQuery{From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				return nil, nil, err
			}
			c += lg.Total.Value.Div(decimal.NewFromInt(100_000_000)).InexactFloat64()
		}
		periods = append(periods, fmt.Sprint(y))
		series = append(series, []float64{round2(rd), round2(pat), round2(c), math.Round(ht), round3(en)})
	}
	res, err := assessment.ComputeIndex(periods, series, assessment.IndexSpec{Indicators: inds, Weights: []float64{0.25, 0.2, 0.25, 0.2, 0.1}, Method: assessment.Chained})
	return res, inds, err
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// writeSummary writes the per-room table.
func writeSummary(w io.Writer, rooms []roomSummary, total exchange.LedgerRow) {
	stages := []broker.CaseStage{broker.StageCollected, broker.StageScreened, broker.StageCultivating, broker.StagePromoting, broker.StageListed,
		broker.StageTraded, broker.StageIncubating, broker.StageClosed, broker.StageRejected}
	head := []string{"样板间", "收集", "筛选", "培育", "推介", "挂牌", "成交", "孵化", "结案", "否决", "挂牌数", "成交数", "成交额", "得分", "等级", "名次"}
	rows := [][]string{head}
	for _, r := range rooms {
		row := []string{r.Name}
		for _, s := range stages {
			row = append(row, fmt.Sprint(r.Stages[s]))
		}
		row = append(row, fmt.Sprint(r.Listings), fmt.Sprint(r.Deals), money.FormatZH(r.Value), fmt.Sprintf("%.1f", r.Score), r.Grade, fmt.Sprint(r.Rank))
		rows = append(rows, row)
	}
	foot := make([]string, len(head))
	foot[0], foot[10], foot[11], foot[12] = "合计", fmt.Sprint(total.Listings), fmt.Sprint(total.Deals), money.FormatZH(total.Value)
	rows = append(rows, foot)
	widths := make([]int, len(head))
	for _, row := range rows {
		for j, c := range row {
			widths[j] = max(widths[j], displayWidth(c))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for j, c := range row {
			pad := strings.Repeat(" ", widths[j]-displayWidth(c))
			if j == 0 || j == 14 {
				b.WriteString(c + pad) // text left-aligned
			} else {
				b.WriteString(pad + c) // numbers right-aligned
			}
			if j < len(row)-1 {
				b.WriteString("  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// displayWidth is the width of s in a terminal: East Asian wide and
// full-width characters take two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// ruleCounts writes counts by rule, the known rules first, then any other
// in alphabetical order.
func ruleCounts(m map[string]int) string {
	known := []string{"same_institution", "coauthor", "declared", "employee", "same_city"}
	var other []string
	for r := range m {
		if !slices.Contains(known, r) {
			other = append(other, r)
		}
	}
	slices.Sort(other)
	var parts []string
	for _, r := range append(known, other...) {
		if m[r] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", r, m[r]))
		}
	}
	return strings.Join(parts, ", ")
}
