package broker

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker/driver"
)

// StageFlow counts the moves from one stage to another.
type StageFlow struct {
	From, To CaseStage
	Count    int
}

// PlatformStats are one broker's platform figures for a period, as plain
// values for the assessment integration (scorecards, reports).
type PlatformStats struct {
	Broker string
	Period ReportPeriod

	// CasesByStage counts the broker's cases by their current stage (now,
	// whatever the period).
	CasesByStage map[CaseStage]int
	// CasesOpened counts cases opened in the period.
	CasesOpened int
	// Entered counts, per stage, the moves into it during the period
	// (opening counts as entering Collected).
	Entered map[CaseStage]int
	// Flows counts stage-to-stage moves during the period, in the order of
	// CaseTransitions; moves that did not happen are left out.
	Flows []StageFlow

	// Demand is the demand closed loop (cohort of demands received in the
	// period).
	Demand DemandLoopStats

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
	Feedback []ReasonCount
}

// PlatformStats computes a broker's figures for a period. The principal must
// be a platform admin or on the broker's staff.
func (s *System) PlatformStats(ctx context.Context, p Principal, broker string, period ReportPeriod) (PlatformStats, error) {
	if !p.canWorkCase(broker) {
		return PlatformStats{}, forbidden("platform stats", KindBroker, broker, "only platform admins and the broker's own staff")
	}
	st, err := s.platformStats(ctx, broker, period)
	return st, wrap("platform stats", KindBroker, broker, err)
}

func (s *System) platformStats(ctx context.Context, broker string, period ReportPeriod) (PlatformStats, error) {
	st := PlatformStats{Broker: broker, Period: period, CasesByStage: map[CaseStage]int{}, Entered: map[CaseStage]int{}}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindCase), Broker: broker})
	if err != nil {
		return st, err
	}
	mine := make(map[string]bool, len(recs))
	for _, r := range recs {
		mine[r.ID] = true
		st.CasesByStage[CaseStage(r.Stage)]++
	}
	evs, err := s.store.Events(ctx, driver.EventQuery{Kind: string(KindCase)})
	if err != nil {
		return st, err
	}
	flows := map[[2]CaseStage]int{}
	for _, e := range evs {
		if !mine[e.RecordID] || !period.Contains(e.Time) {
			continue
		}
		switch e.Type {
		case EventCaseOpened:
			st.CasesOpened++
			st.Entered[StageCollected]++
		case EventCaseStage:
			var se StageEvent
			if err := decode(e.Body, &se); err != nil {
				return st, err
			}
			st.Entered[se.To]++
			flows[[2]CaseStage{se.From, se.To}]++
		case EventService:
			var ds DeliveredService
			if err := decode(e.Body, &ds); err != nil {
				return st, err
			}
			st.ServicesDelivered++
			st.ServiceFees = st.ServiceFees.Add(ds.Fee)
		}
	}
	for _, edge := range CaseTransitions() {
		if n := flows[[2]CaseStage{edge.From, edge.To}]; n > 0 {
			st.Flows = append(st.Flows, StageFlow{From: edge.From, To: edge.To, Count: n})
		}
	}
	if st.Demand, err = s.demandStats(ctx, broker, period); err != nil {
		return st, err
	}
	arecs, err := s.store.List(ctx, driver.Query{Kind: string(KindActivity), Broker: broker})
	if err != nil {
		return st, err
	}
	for _, r := range arecs {
		a, err := s.Activities.decodeRecord(r)
		if err != nil {
			return st, err
		}
		if !period.Contains(a.Start) {
			continue
		}
		cv, err := s.conversion(ctx, a.ID)
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
	fs, err := s.feedback(ctx, FeedbackQuery{Broker: broker, Period: period})
	if err != nil {
		return st, err
	}
	st.Feedback = countReasons(fs)
	return st, nil
}
