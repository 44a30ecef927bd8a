package activity

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
)

// StageFlow counts the moves of cases from one stage to another.
type StageFlow struct {
	From, To broker.CaseStage
	Count    int
}

// PlatformStats are one broker's platform figures for a period (平台统计),
// as plain values for the assessment integration (scorecards, reports).
type PlatformStats struct {
	Broker string
	Period broker.ReportPeriod

	// CasesByStage counts the broker's cases by their current stage (now,
	// whatever the period).
	CasesByStage map[broker.CaseStage]int
	// CasesOpened counts cases opened in the period.
	CasesOpened int
	// Entered counts, per stage, the moves into it during the period
	// (opening counts as entering Collected).
	Entered map[broker.CaseStage]int
	// Flows counts stage-to-stage moves during the period, in the order of
	// broker.CaseTransitions; moves that did not happen are left out.
	Flows []StageFlow

	// Demand is the demand closed loop (cohort of demands received in the
	// period).
	Demand broker.DemandLoopStats

	// Activities counts the broker's activities starting in the period;
	// the funnel figures below add up their Conversions.
	Activities        int
	Registrations     int
	MeetingsScheduled int
	Leads             int
	Interests         int
	CasesFromLeads    int

	// ServicesDelivered counts services delivered on the broker's cases in
	// the period, and ServiceFees adds up their catalog fees (yuan).
	ServicesDelivered int
	ServiceFees       decimal.Decimal

	// Feedback counts declines recorded for the broker in the period, by
	// reason, in the taxonomy's order.
	Feedback []broker.ReasonCount
}

// PlatformStats computes a broker's figures for a period: its cases (by
// stage now, opened, entered and moved in the period, from their audit
// events), the demand loop, its activities' funnels, the services
// delivered and the feedback recorded. The principal must be allowed to
// read the broker's desk figures (the policy's ActRead on its desk:
// platform admins, the broker's staff, oversight).
func (pl *Platform) PlatformStats(ctx context.Context, p broker.Principal, brokerID string, period broker.ReportPeriod) (PlatformStats, error) {
	if !broker.Can(p, broker.ActRead, broker.DeskTarget(brokerID)) {
		return PlatformStats{}, broker.Forbidden("platform stats", broker.KindBroker, brokerID, "only platform admins, the broker's own staff and oversight")
	}
	st, err := pl.platformStats(ctx, p, brokerID, period)
	return st, broker.Wrap("platform stats", broker.KindBroker, brokerID, err)
}

func (pl *Platform) platformStats(ctx context.Context, p broker.Principal, brokerID string, period broker.ReportPeriod) (PlatformStats, error) {
	st := PlatformStats{Broker: brokerID, Period: period, CasesByStage: map[broker.CaseStage]int{}, Entered: map[broker.CaseStage]int{},
		ServiceFees: decimal.Zero}
	cases, err := broker.NewLibrary[broker.Case](pl.sys).Find(ctx, p, broker.ListOptions{Broker: brokerID})
	if err != nil {
		return st, err
	}
	flows := map[[2]broker.CaseStage]int{}
	for _, c := range cases {
		st.CasesByStage[c.Stage]++
		evs, err := pl.sys.Events(ctx, p, broker.KindCase, c.ID)
		if err != nil {
			return st, err
		}
		for _, e := range evs {
			if !period.Contains(e.Time) {
				continue
			}
			switch e.Type {
			case broker.EventCaseOpened:
				st.CasesOpened++
				st.Entered[broker.StageCollected]++
			case broker.EventCaseStage:
				var se broker.StageEvent
				if err := json.Unmarshal(e.Body, &se); err != nil {
					return st, fmt.Errorf("decode event %d of case %s: %w", e.Seq, c.ID, err)
				}
				st.Entered[se.To]++
				flows[[2]broker.CaseStage{se.From, se.To}]++
			case broker.EventService:
				var ds broker.DeliveredService
				if err := json.Unmarshal(e.Body, &ds); err != nil {
					return st, fmt.Errorf("decode event %d of case %s: %w", e.Seq, c.ID, err)
				}
				st.ServicesDelivered++
				st.ServiceFees = st.ServiceFees.Add(ds.Fee)
			}
		}
	}
	for _, edge := range broker.CaseTransitions() {
		if n := flows[[2]broker.CaseStage{edge.From, edge.To}]; n > 0 {
			st.Flows = append(st.Flows, StageFlow{From: edge.From, To: edge.To, Count: n})
		}
	}
	if st.Demand, err = pl.sys.DemandStats(ctx, p, brokerID, period); err != nil {
		return st, err
	}
	acts, err := pl.Activities.Find(ctx, p, broker.ListOptions{Broker: brokerID})
	if err != nil {
		return st, err
	}
	for _, a := range acts {
		if !period.Contains(a.Start) {
			continue
		}
		cv, err := pl.conversion(ctx, a.ID)
		if err != nil {
			return st, err
		}
		st.Activities++
		st.Registrations += cv.Registrations
		st.MeetingsScheduled += cv.MeetingsScheduled
		st.Leads += cv.Leads
		st.Interests += cv.Interests
		st.CasesFromLeads += cv.CasesOpened
	}
	if st.Feedback, err = pl.sys.FeedbackCounts(ctx, p, broker.FeedbackQuery{Broker: brokerID, Period: period}); err != nil {
		return st, err
	}
	return st, nil
}

// FixableDecline reports whether a company's decline reason is one the
// broker can address by presenting the result better: the description or
// application is unclear, the benefit over existing technology is unclear,
// or the commercial route is.
func FixableDecline(r broker.DeclineReason) bool {
	switch r {
	case broker.DeclineDescriptionUnclear, broker.DeclineBenefitUnclear, broker.DeclineCommercialUnclear:
		return true
	}
	return false
}

// Fill sets the platform figures of a scorecard's broker statistics: the
// funnel (the cases that reached each stage in the period — a case that
// entered a later stage reached the earlier ones too), the demand loop
// (received, responded, resolved, and the median days to a response and to
// a resolution), the activities with their leads and the cases they opened,
// the services delivered with their fees as technical income, and the
// companies' structured declines (Declines, and DeclinesFixable: see
// FixableDecline).
func (ps PlatformStats) Fill(st *assessment.BrokerStats) {
	stages := assessment.PipelineStages()
	st.CasesReached = map[assessment.Stage]int{}
	reached := 0
	for i := len(stages) - 1; i >= 0; i-- {
		reached = max(reached, ps.Entered[broker.CaseStage(stages[i])])
		st.CasesReached[stages[i]] = reached
	}
	d := ps.Demand
	st.DemandsReceived, st.DemandsResponded, st.DemandsResolved = d.Received, d.Responded, d.Resolved
	st.MeanResponseDays = d.MedianResponse.Hours() / 24
	st.MeanResolutionDays = d.MedianResolution.Hours() / 24
	st.Activities, st.ActivityLeads, st.LeadsConverted = ps.Activities, ps.Leads, ps.CasesFromLeads
	st.ServicesDelivered, st.TechIncome = ps.ServicesDelivered, ps.ServiceFees
	st.Declines, st.DeclinesFixable = 0, 0
	for _, rc := range ps.Feedback {
		st.Declines += rc.Count
		if FixableDecline(rc.Reason) {
			st.DeclinesFixable += rc.Count
		}
	}
}
