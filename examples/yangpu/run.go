package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
	"golang.org/x/text/width"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/assessment/report"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/blueprint"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/money"
)

// result is what a run produced, for the summary, -json and the tests.
type result struct {
	Rooms   []roomSummary
	Figures figures
	Routing float64 // share of items routed to the generator's true room
	// PanelViolations counts panelists working at the owner of the item
	// they judge (it should be 0).
	PanelViolations int
	Markdown        []byte // report.md in the run's language
	HTML            []byte
	Charts          []report.Chart
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

// figures is the -json object: the totals over the run, per year, and per
// room and year.
type figures struct {
	Seed  uint64            `json:"seed"`
	Scale float64           `json:"scale"`
	Total totals            `json:"total"`
	Years map[string]totals `json:"years"`
	Rooms []roomFigures     `json:"rooms"`
}

// totals are listings, deals and their value (yuan, a decimal string).
type totals struct {
	Listings  int    `json:"listings"`
	Deals     int    `json:"deals"`
	DealValue string `json:"deal_value"`
}

type roomFigures struct {
	ID    string              `json:"id"`
	Name  string              `json:"name"`
	Years map[string]roomYear `json:"years"`
}

type roomYear struct {
	// Cases are the room's cases by stage at the year's end.
	Cases     map[string]int `json:"cases"`
	Listings  int            `json:"listings"`
	Deals     int            `json:"deals"`
	DealValue string         `json:"deal_value"`
	Score     float64        `json:"score"`
	Grade     string         `json:"grade"`
	Rank      int            `json:"rank"`
}

func run(ctx context.Context, w io.Writer, cfg config) (*result, error) {
	if cfg.Scale <= 0 || cfg.Scale > 100 || math.IsNaN(cfg.Scale) {
		return nil, fmt.Errorf("-scale %v: want a number in (0, 100]", cfg.Scale)
	}
	if cfg.Store == "" {
		cfg.Store = "mem:"
	}
	var tag language.Tag
	switch cfg.Lang {
	case "", "zh":
		tag = language.Chinese
	case "en":
		tag = language.English
	default:
		return nil, fmt.Errorf("-lang %q: want zh or en", cfg.Lang)
	}
	clk := &clock{t: date(2020, 10, 28)}
	bp := blueprint.Yangpu()
	sys, err := openSystem(ctx, cfg.Store, bp, clk)
	if err != nil {
		return nil, err
	}
	defer sys.Close()
	fmt.Fprintf(w, "Yangpu 3+3+N model · seed %d · scale %g · store %s\n", cfg.Seed, cfg.Scale, strings.SplitN(cfg.Store, ":", 2)[0])
	x := exchange.New(sys)
	acts := activity.New(sys)
	tr := federation.NewMemoryTransport()
	fed, err := federation.New(sys, x, &federation.Options{Region: federation.Region{Code: yangpuNo, Name: bp.Region}, Transport: tr})
	if err != nil {
		return nil, err
	}
	m := &model{w: w, sys: sys, bp: bp, x: x, acts: acts, capital: capital.New(sys, x, acts), review: review.New(sys, nil), fed: fed,
		clk: clk, g: newGen(cfg.Seed), scale: cfg.Scale, years: []int{2021, 2022}, sector: map[string]*sector{},
		staff: map[string][]broker.Principal{}, societies: map[string]string{}, trueRoom: map[string]string{}, merit: map[string]float64{},
		value: map[string]float64{}, leadCase: map[string]string{}, shown: map[string]bool{}, snapshots: map[int]map[string]map[broker.CaseStage]int{}}
	for i := range sectors {
		m.sector[sectors[i].room] = &sectors[i]
	}
	end := date(m.years[len(m.years)-1], 12, 31)
	for _, r := range bp.Rooms {
		if !r.OpenAt(end) {
			continue // opens after the run's years (the street block, 2023)
		}
		if m.sector[r.ID] == nil {
			return nil, fmt.Errorf("the generator has no vocabulary for room %s", r.ID)
		}
		m.rooms = append(m.rooms, r)
	}
	if err := m.setup(ctx); err != nil {
		return nil, err
	}
	if err := m.trainRouter(cfg.Seed); err != nil {
		return nil, err
	}
	if err := m.openWorkstation(ctx, tr); err != nil {
		return nil, err
	}
	for _, year := range m.years {
		if year == 2021 {
			// The article's dates inside the first year run at their time.
			m.clk.set(date(2021, 1, 4))
		}
		if err := m.year(ctx, year); err != nil {
			return nil, fmt.Errorf("%d: %w", year, err)
		}
	}

	// The 科协 reads every room's figures and scores them.
	m.clk.set(date(2023, 1, 3))
	fmt.Fprintf(w, "\n== Assessment by the 科协 (%s reads the records): scorecard, ranking, grading, innovation index\n", overseer.Org)
	model, err := blueprint.Stored(ctx, sys, overseer)
	if err != nil {
		return nil, err
	}
	scheme := model.Scorecard
	var cards []*assessment.Scorecard
	var stats [][]assessment.BrokerStats
	for _, year := range m.years {
		st, err := m.brokerStats(ctx, year)
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
			cf, err := m.capital.CapitalMatched(ctx, overseer, r.ID, period(year))
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
		s := report.Series{ID: r.ID, NameZH: r.Name, NameEN: r.NameEN}
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
		Trends: trends, TrendsTitleZH: "各样板间总分", TrendsTitleEN: "Total score by room",
		ChartDir: ".",
	}
	res := &result{Routing: float64(m.routedRight) / float64(m.routed), PanelViolations: m.panelViolations}
	var md, html bytes.Buffer
	if err := report.WriteMarkdown(&md, rep, tag); err != nil {
		return nil, fmt.Errorf("markdown: %w", err)
	}
	if err := report.WriteHTML(&html, rep, tag); err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	if res.Charts, err = report.Charts(rep, tag); err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	res.Markdown, res.HTML = md.Bytes(), html.Bytes()
	if cfg.Out != "" {
		if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
			return nil, err
		}
		files := map[string][]byte{"report.md": res.Markdown, "report.html": res.HTML}
		for _, c := range res.Charts {
			files[c.File] = c.SVG
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(cfg.Out, name), b, 0o644); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(w, "  wrote %s (%s), %s and %d charts as SVG beside them\n", filepath.Join(cfg.Out, "report.md"), tag, filepath.Join(cfg.Out, "report.html"), len(res.Charts))
	}
	if err := m.epilogue(ctx); err != nil {
		return nil, fmt.Errorf("epilogue: %w", err)
	}

	// The summary per room, and the figures, from the exchange's ledger.
	lg, err := m.x.Ledger(ctx, overseer, exchange.LedgerQuery{From: period(m.years[0]).From, To: period(m.years[len(m.years)-1]).To})
	if err != nil {
		return nil, err
	}
	byBroker := map[string]exchange.LedgerRow{}
	for _, row := range lg.ByBroker() {
		byBroker[row.Broker] = row
	}
	res.Figures = figures{Seed: cfg.Seed, Scale: cfg.Scale, Total: totalsOf(lg.Total), Years: map[string]totals{}}
	for y, year := range m.years {
		ylg, err := m.x.Ledger(ctx, overseer, exchange.LedgerQuery{From: period(year).From, To: period(year).To})
		if err != nil {
			return nil, err
		}
		res.Figures.Years[fmt.Sprint(year)] = totalsOf(ylg.Total)
		_ = y
	}
	for i, r := range m.rooms {
		cs, err := allCases(ctx, sys, overseer, r.ID)
		if err != nil {
			return nil, err
		}
		rs := roomSummary{ID: r.ID, Name: r.Name, Stages: map[broker.CaseStage]int{}, Listings: byBroker[r.ID].Listings, Deals: byBroker[r.ID].Deals,
			Value: byBroker[r.ID].Value, Score: last.Entities[i].Total, Grade: last.Entities[i].Grade, Rank: last.Entities[i].Rank}
		for _, c := range cs {
			rs.Stages[c.Stage]++
		}
		res.Rooms = append(res.Rooms, rs)
		rf := roomFigures{ID: r.ID, Name: r.Name, Years: map[string]roomYear{}}
		for y, year := range m.years {
			lgr, err := m.x.Ledger(ctx, overseer, exchange.LedgerQuery{From: period(year).From, To: period(year).To, Broker: r.ID})
			if err != nil {
				return nil, err
			}
			ry := roomYear{Cases: map[string]int{}, Listings: lgr.Total.Listings, Deals: lgr.Total.Deals, DealValue: lgr.Total.Value.StringFixed(2),
				Score: math.Round(cards[y].Entities[i].Total*10) / 10, Grade: cards[y].Entities[i].Grade, Rank: cards[y].Entities[i].Rank}
			for st, n := range m.snapshots[year][r.ID] {
				ry.Cases[string(st)] = n
			}
			rf.Years[fmt.Sprint(year)] = ry
		}
		res.Figures.Rooms = append(res.Figures.Rooms, rf)
	}
	var sum bytes.Buffer
	writeSummary(&sum, res.Rooms, lg.Total)
	fmt.Fprintf(&sum, "routing to the true room: %.1f%% of %d items; panelists at the owner of what they judged: %d\n", 100*res.Routing, m.routed, m.panelViolations)
	res.Summary = sum.String()
	fmt.Fprintf(w, "\n== Summary (cases by stage now; listings, deals and value over %d–%d from the exchange's ledger; score and grade %d)\n",
		m.years[0], m.years[len(m.years)-1], m.years[len(m.years)-1])
	io.WriteString(w, res.Summary)
	return res, nil
}

func totalsOf(r exchange.LedgerRow) totals {
	return totals{Listings: r.Listings, Deals: r.Deals, DealValue: r.Value.StringFixed(2)}
}

func period(year int) broker.ReportPeriod {
	return broker.ReportPeriod{From: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// brokerStats reads every room's figures for a year as the 科协 reads them:
// the platform's (funnel, demand loop, activities, services, declines),
// the staff's, the exchange's ledger, the review figures, the routing
// decisions (confirmed or overridden), and the
// enterprises served (those whose demands the room received or that bought).
func (m *model) brokerStats(ctx context.Context, year int) ([]assessment.BrokerStats, error) {
	per := period(year)
	var out []assessment.BrokerStats
	for _, r := range m.rooms {
		st := assessment.BrokerStats{BrokerID: r.ID, NameZH: r.Name, NameEN: r.NameEN, Period: fmt.Sprint(year), MemberUnits: len(r.Members) + 1}
		ps, err := m.acts.PlatformStats(ctx, overseer, r.ID, per)
		if err != nil {
			return nil, err
		}
		ps.Fill(&st)
		sf, err := m.sys.StaffFigures(ctx, overseer, r.ID, per)
		if err != nil {
			return nil, err
		}
		sf.Fill(&st)
		rf, err := m.review.Figures(ctx, overseer, review.FigureQuery{Broker: r.ID, Year: year})
		if err != nil {
			return nil, err
		}
		rf.Fill(&st)
		rt, err := m.match.BrokerRouting(ctx, overseer, r.ID, per)
		if err != nil {
			return nil, err
		}
		rt.Fill(&st)
		lg, err := m.x.Ledger(ctx, overseer, exchange.LedgerQuery{From: per.From, To: per.To, Broker: r.ID})
		if err != nil {
			return nil, err
		}
		st.Listings, st.Deals, st.DealValue = lg.Total.Listings, lg.Total.Deals, lg.Total.Value
		served := map[string]bool{}
		ds, err := m.sys.Demands.Find(ctx, overseer, broker.ListOptions{Broker: r.ID})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if per.Contains(d.ReceivedAt) {
				served[d.Enterprise] = true
			}
		}
		deals, err := m.x.ListDeals(ctx, overseer, broker.ListOptions{Broker: r.ID, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, d := range deals.Items {
			if per.Contains(d.Created) {
				served[d.Buyer] = true
			}
		}
		st.EnterprisesServed = len(served)
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
		{ID: "patents", NameZH: "每万人发明专利拥有量", NameEN: "Invention patents per 10k people", Unit: "件", UnitEN: "patents", Direction: assessment.Benefit},
		{ID: "contracts", NameZH: "技术合同成交额", NameEN: "Technology contract turnover", Unit: "亿元", UnitEN: "CNY 100m", Direction: assessment.Benefit},
		{ID: "hightech", NameZH: "高新技术企业数", NameEN: "High-tech enterprises", Unit: "家", UnitEN: "firms", Direction: assessment.Benefit},
		{ID: "energy", NameZH: "万元GDP能耗", NameEN: "Energy per 10k CNY GDP", Unit: "吨标煤", UnitEN: "tce", Direction: assessment.Cost},
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
			lg, err := m.x.Ledger(ctx, overseer, exchange.LedgerQuery{From: period(y).From, To: period(y).To})
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
