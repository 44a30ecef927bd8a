package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/assessment/report"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
)

func (h *handler) statsRoutes() []*route {
	tag := "统计与考核 statistics"
	yearParam := []param{qi("year", "the calendar year assessed (default: last year)")}
	return []*route{
		{method: "GET", path: "/v1/brokers/{id}/stats", op: "platform_stats", tag: tag,
			summary: "A broker's platform figures (平台统计) for a period: cases, the demand loop, activities, services, feedback",
			params:  periodParams(), out: []response{ok[PlatformStats]("the figures")},
			fn: func(c *call) error {
				per, err := c.period()
				if err != nil {
					return err
				}
				ps, err := h.acts.PlatformStats(c.ctx, c.p, c.id(), per)
				if err != nil {
					return err
				}
				out := PlatformStats{Broker: ps.Broker, From: per.From, To: per.To, CasesByStage: ps.CasesByStage, CasesOpened: ps.CasesOpened,
					Entered: ps.Entered, Demand: demandStats(ps.Demand), Activities: ps.Activities, Registrations: ps.Registrations,
					MeetingsScheduled: ps.MeetingsScheduled, Leads: ps.Leads, Interests: ps.Interests, CasesFromLeads: ps.CasesFromLeads,
					ServicesDelivered: ps.ServicesDelivered, ServiceFees: ps.ServiceFees, Feedback: reasonCounts(ps.Feedback), Flows: []StageFlow{}}
				for _, f := range ps.Flows {
					out.Flows = append(out.Flows, StageFlow{From: f.From, To: f.To, Count: f.Count})
				}
				return c.reply(http.StatusOK, out)
			}},
		{method: "GET", path: "/v1/assessment", op: "assessment", tag: tag,
			summary: "The broker assessment (考核) of a year: every broker's scorecard by the scheme (platform admins)",
			params:  yearParam, out: []response{ok[Scorecard]("the scorecard")}, extra: []int{422},
			fn: func(c *call) error {
				sc, _, err := h.scorecard(c)
				if err != nil {
					return err
				}
				out := Scorecard{Period: sc.Period, Skipped: sc.Skipped, Indicators: []string{}, Entities: []EntityScore{}}
				for _, ind := range sc.Indicators {
					out.Indicators = append(out.Indicators, ind.ID)
				}
				for _, e := range sc.Entities {
					out.Entities = append(out.Entities, EntityScore{ID: e.ID, NameZH: e.NameZH, NameEN: e.NameEN, Total: e.Total,
						Rank: e.Rank, Grade: e.Grade, GroupPoints: nonNil(e.GroupPoints)})
				}
				return c.reply(http.StatusOK, out)
			}},
		{method: "GET", path: "/v1/assessment/report", op: "assessment_report", tag: tag,
			summary: "The assessment report as one self-contained HTML page (Accept: text/html, the default) or as Markdown (Accept: text/markdown or ?format=md), in the language of Accept-Language",
			params:  append(yearParam, q("format", "html or md")),
			out:     []response{{status: 200, content: []string{"text/html", "text/markdown"}, doc: "the report"}}, extra: []int{422},
			fn: func(c *call) error {
				sc, stats, err := h.scorecard(c)
				if err != nil {
					return err
				}
				rep := &report.Report{Scorecard: sc, Stats: stats}
				var buf bytes.Buffer
				format := c.query("format")
				if format == "" && strings.Contains(c.r.Header.Get("Accept"), "text/markdown") {
					format = "md"
				}
				ct := "text/html; charset=utf-8"
				if format == "md" || format == "markdown" {
					ct = "text/markdown; charset=utf-8"
					err = report.WriteMarkdown(&buf, rep, c.lang)
				} else {
					err = report.WriteHTML(&buf, rep, c.lang)
				}
				if err != nil {
					return err
				}
				c.w.Header().Set("Content-Type", ct)
				c.w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
				c.wrote = true
				c.w.WriteHeader(http.StatusOK)
				_, _ = c.w.Write(buf.Bytes())
				return nil
			}},
	}
}

// scorecard scores every industry broker over the year asked, from the
// System's figures as the caller may read them: the platform figures and
// the staff of each broker, and the exchange's ledger. Only a principal
// who may read every broker's desk (platform admins) gets it.
func (h *handler) scorecard(c *call) (*assessment.Scorecard, []assessment.BrokerStats, error) {
	year := time.Now().UTC().Year() - 1
	if s := c.query("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil || y < 1900 || y > 9999 {
			return nil, nil, fail(http.StatusBadRequest, "bad_query", "year must be a year such as 2025.", "year须为年份，例如2025。",
				broker.FieldError{Field: "year", Code: "malformed", Param: "integer", Value: s})
		}
		year = y
	}
	per := broker.ReportPeriod{From: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)}
	brokers, err := h.sys.Brokers.Find(c.ctx, c.p, broker.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	var stats []assessment.BrokerStats
	for _, b := range brokers {
		if !broker.Can(c.p, broker.ActRead, broker.DeskTarget(b.ID)) {
			return nil, nil, broker.Forbidden("assess", broker.KindBroker, b.ID, "the assessment reads every broker's desk")
		}
		ps, err := h.acts.PlatformStats(c.ctx, c.p, b.ID, per)
		if err != nil {
			return nil, nil, err
		}
		sf, err := h.sys.StaffFigures(c.ctx, c.p, b.ID, per)
		if err != nil {
			return nil, nil, err
		}
		lg, err := h.x.Ledger(c.ctx, c.p, exchange.LedgerQuery{From: per.From, To: per.To, Broker: b.ID})
		if err != nil {
			return nil, nil, err
		}
		st := assessment.BrokerStats{BrokerID: b.ID, NameZH: b.Name, NameEN: b.NameEN, Period: strconv.Itoa(year),
			MemberUnits: len(b.Members), CasesReached: map[assessment.Stage]int{},
			Listings: lg.Total.Listings, Deals: lg.Total.Deals, DealValue: lg.Total.Value, TechIncome: ps.ServiceFees,
			ServicesDelivered: ps.ServicesDelivered, DemandsReceived: ps.Demand.Received, DemandsResponded: ps.Demand.Responded,
			DemandsResolved: ps.Demand.Resolved, MeanResponseDays: ps.Demand.MedianResponse.Hours() / 24,
			Activities: ps.Activities, ActivityLeads: ps.Leads, LeadsConverted: ps.CasesFromLeads}
		sf.Fill(&st)
		// A case that entered a later stage reached the earlier ones too.
		stages := assessment.PipelineStages()
		reached := 0
		for i := len(stages) - 1; i >= 0; i-- {
			reached = max(reached, ps.Entered[broker.CaseStage(stages[i])])
			st.CasesReached[stages[i]] = reached
		}
		stats = append(stats, st)
	}
	scheme := h.o.Scheme
	if scheme == nil {
		scheme = assessment.DefaultScheme()
	}
	scheme = scorable(scheme, stats)
	sc, err := scheme.Score(stats)
	if err != nil {
		return nil, nil, fail(http.StatusUnprocessableEntity, "not_assessable", "The year's figures cannot be scored: "+err.Error(),
			"该年度数据无法评分："+err.Error())
	}
	return sc, stats, nil
}

// scorable returns the scheme without the indicators that no broker has a
// value for in these statistics (a rate whose base is zero everywhere —
// no listing closed, no demand received — or the companies' ratings, which
// the System does not record), and without groups left empty. Such an
// indicator cannot tell the brokers apart; the scorecard lists the
// indicators it kept.
func scorable(s *assessment.Scheme, stats []assessment.BrokerStats) *assessment.Scheme {
	out := *s
	out.Groups = nil
	for _, g := range s.Groups {
		var keep []assessment.SchemeIndicator
		for _, ind := range g.Indicators {
			for i := range stats {
				if _, ok, err := stats[i].Value(ind.Metric); ok && err == nil {
					keep = append(keep, ind)
					break
				}
			}
		}
		if len(keep) > 0 {
			g.Indicators = keep
			out.Groups = append(out.Groups, g)
		}
	}
	out.GroupComparisons = nil // its size followed the groups
	if len(out.Groups) == len(s.Groups) {
		out.GroupComparisons = s.GroupComparisons
	}
	return &out
}
