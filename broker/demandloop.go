package broker

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// DemandEdge is one allowed move of the demand closed loop.
type DemandEdge struct {
	From, To DemandStatus
	Guard    Guard
}

// DemandTransitions returns the demand closed loop's transition table
// (谋题 → 破题 → 解题):
//
//	received  → diagnosed     (a technical spec written by a broker)
//	diagnosed → matching
//	matching  → resolved
//	received | diagnosed | matching → unresolvable (a reason)
//
// Resolved and unresolvable are terminal.
func DemandTransitions() []DemandEdge {
	return []DemandEdge{
		{DemandReceived, DemandDiagnosed, GuardSpec},
		{DemandDiagnosed, DemandMatching, GuardNone},
		{DemandMatching, DemandResolved, GuardNone},
		{DemandReceived, DemandUnresolvable, GuardReason},
		{DemandDiagnosed, DemandUnresolvable, GuardReason},
		{DemandMatching, DemandUnresolvable, GuardReason},
	}
}

var demandTable = sync.OnceValue(func() map[[2]DemandStatus]Guard {
	m := map[[2]DemandStatus]Guard{}
	for _, e := range DemandTransitions() {
		m[[2]DemandStatus{e.From, e.To}] = e.Guard
	}
	return m
})

// DemandMove asks for one status change of a demand.
type DemandMove struct {
	To DemandStatus
	// Version is the demand version the caller read; required.
	Version  int64
	Spec     string // the technical spec; moving to diagnosed needs one
	Reason   string // moving to unresolvable needs one
	Evidence []string
}

// DemandEvent is the body of a demand's "status" and "responded" events.
type DemandEvent struct {
	From     DemandStatus `json:"from,omitempty"`
	To       DemandStatus `json:"to,omitempty"`
	Reason   string       `json:"reason,omitempty"`
	Evidence []string     `json:"evidence,omitempty"`
}

// RespondDemand records a broker's first response to a demand (RespondedAt)
// without changing its status; a demand not yet routed becomes the
// responding staff's broker's. Responding again changes nothing and writes
// nothing. version is the version the caller read.
func (s *System) RespondDemand(ctx context.Context, p Principal, id string, version int64) (Demand, error) {
	return s.changeDemand(ctx, p, id, version, "respond", func(d *Demand, now time.Time) (*DemandEvent, error) {
		if !d.RespondedAt.IsZero() {
			return nil, nil
		}
		return &DemandEvent{}, nil
	})
}

// MoveDemand moves a demand through the closed loop (see DemandTransitions),
// setting its timestamps: ReceivedAt (if unset, its creation time),
// RespondedAt on the first response, DiagnosedAt, and ResolvedAt when it is
// resolved or declared unresolvable. The status, the timestamps and a
// "status" audit event are written in one transaction. Errors are those of
// MoveCase: *TransitionError (ErrConflict or ErrInvalid), ErrConflict for a
// stale version, ErrForbidden (only platform admins and the handling
// broker's staff move a demand; staff of any broker may take up a demand
// not yet routed, which then becomes their broker's).
func (s *System) MoveDemand(ctx context.Context, p Principal, id string, mv DemandMove) (Demand, error) {
	return s.changeDemand(ctx, p, id, mv.Version, "move", func(d *Demand, now time.Time) (*DemandEvent, error) {
		ev := &DemandEvent{From: d.Status, To: mv.To, Reason: normMultiline(mv.Reason), Evidence: normList(mv.Evidence)}
		if err := checkMoveText(KindDemand, ev.Reason, ev.Evidence); err != nil {
			return nil, err
		}
		terr := &TransitionError{Kind: KindDemand, ID: id, From: string(d.Status), To: string(mv.To)}
		guard, ok := demandTable()[[2]DemandStatus{d.Status, mv.To}]
		if !ok {
			terr.Reason = "not in the transition table"
			return nil, terr
		}
		spec := normMultiline(mv.Spec)
		switch guard {
		case GuardSpec:
			if spec == "" && d.Spec == "" {
				terr.Missing, terr.Reason = guard, "needs a technical spec"
				return nil, terr
			}
		case GuardReason:
			if ev.Reason == "" {
				terr.Missing, terr.Reason = guard, "needs a reason"
				return nil, terr
			}
		}
		if spec != "" {
			d.Spec = spec
		}
		d.Status = mv.To
		switch mv.To {
		case DemandDiagnosed:
			d.DiagnosedAt = now
		case DemandResolved, DemandUnresolvable:
			d.ResolvedAt = now
			d.StatusReason = ev.Reason
		}
		return ev, nil
	})
}

// changeDemand runs one guarded demand change: access, version, fn, then
// validation, the record and the event, in one transaction. fn returning a
// nil event means "nothing to do".
func (s *System) changeDemand(ctx context.Context, p Principal, id string, version int64, op string, fn func(*Demand, time.Time) (*DemandEvent, error)) (Demand, error) {
	var out Demand
	err := s.update(ctx, op, KindDemand, id, func(tx *Tx) error {
		if version < 1 {
			return invalid(KindDemand, FieldError{Field: "version", Code: "required"})
		}
		d, err := Read[Demand](tx, id)
		if err != nil {
			return err
		}
		subject := TargetOf(d)
		if !Can(p, ActOperate, subject) {
			return forbidden(op, KindDemand, id, "only platform admins and the handling broker's staff")
		}
		if d.Version != version {
			return tx.stale(KindDemand, id, version, d.Version)
		}
		now := tx.Now()
		ev, err := fn(&d, now)
		if err != nil || ev == nil {
			out = d
			return err
		}
		typ := "status"
		if ev.To == "" {
			typ = "responded"
		}
		if d.ReceivedAt.IsZero() {
			d.ReceivedAt = d.Created
		}
		if d.RespondedAt.IsZero() {
			d.RespondedAt = now
		}
		if d.Broker == "" && p.Role == RoleBrokerStaff {
			d.Broker = p.Broker
		}
		out, err = Replace(tx, p, d, Via(ActOperate, subject), Logged(typ, ev))
		return err
	})
	return out, err
}

// ReportPeriod is a half-open time interval [From, To). A zero From means
// "since the beginning", a zero To "until now".
type ReportPeriod struct {
	From, To time.Time
}

// Contains reports whether t lies in the period.
func (r ReportPeriod) Contains(t time.Time) bool {
	return !t.IsZero() && (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
}

func (r ReportPeriod) beforeEnd(t time.Time) bool {
	return !t.IsZero() && (r.To.IsZero() || t.Before(r.To))
}

// DemandLoopStats are one broker's closed-loop figures for the demands it
// received in a period (a cohort: resolutions count when they happen before
// the period's end).
type DemandLoopStats struct {
	Received     int // demands received in the period
	Responded    int // of those, responded to by a broker before the end
	Diagnosed    int // of those, diagnosed before the end
	Resolved     int // of those, resolved before the end
	Unresolvable int // of those, declared unresolvable before the end
	// ResolutionRate is Resolved / Received (0 when nothing was received).
	ResolutionRate float64
	// MedianResponse is the median of RespondedAt − ReceivedAt over the
	// responded demands; MedianResolution of ResolvedAt − ReceivedAt over
	// the resolved ones (not the unresolvable). Zero when there are none.
	MedianResponse   time.Duration
	MedianResolution time.Duration
}

// RatePercent renders ResolutionRate with one decimal, e.g. "97.1%".
func (d DemandLoopStats) RatePercent() string {
	return fmt.Sprintf("%.1f%%", d.ResolutionRate*100)
}

// DemandStats computes a broker's closed-loop figures over a period. The
// principal must read the desk's figures (ActRead on the desk: platform
// admins, the broker's staff, oversight).
func (s *System) DemandStats(ctx context.Context, p Principal, broker string, period ReportPeriod) (DemandLoopStats, error) {
	if !Can(p, ActRead, DeskTarget(broker)) {
		return DemandLoopStats{}, forbidden("demand stats", KindDemand, "", "only platform admins, the broker's own staff and oversight")
	}
	st, err := s.demandStats(ctx, broker, period)
	return st, wrap("demand stats", KindDemand, "", err)
}

func (s *System) demandStats(ctx context.Context, broker string, period ReportPeriod) (DemandLoopStats, error) {
	var st DemandLoopStats
	ds, err := s.Demands.Find(ctx, PlatformAdmin("system"), ListOptions{Broker: broker})
	if err != nil {
		return st, err
	}
	var resp, res []time.Duration
	for _, d := range ds {
		recv := d.ReceivedAt
		if recv.IsZero() {
			recv = d.Created
		}
		if !period.Contains(recv) {
			continue
		}
		st.Received++
		if period.beforeEnd(d.RespondedAt) {
			st.Responded++
			resp = append(resp, d.RespondedAt.Sub(recv))
		}
		if period.beforeEnd(d.DiagnosedAt) {
			st.Diagnosed++
		}
		if period.beforeEnd(d.ResolvedAt) {
			switch d.Status {
			case DemandResolved:
				st.Resolved++
				res = append(res, d.ResolvedAt.Sub(recv))
			case DemandUnresolvable:
				st.Unresolvable++
			}
		}
	}
	st.ResolutionRate = Rate(st.Resolved, st.Received)
	st.MedianResponse = medianDuration(resp)
	st.MedianResolution = medianDuration(res)
	return st, nil
}

// medianDuration returns the median (the mean of the middle two for an
// even count), 0 for none.
func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return ds[n/2-1] + (ds[n/2]-ds[n/2-1])/2
}

// Rate returns num/den, or 0 when den is 0.
func Rate(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}
