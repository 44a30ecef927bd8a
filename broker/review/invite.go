package review

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// ErrNoInvitation: the principal has no invitation on the panel waiting
// for an answer. It comes wrapped in a *broker.Error matching
// broker.ErrConflict.
var ErrNoInvitation = errors.New("review: no invitation waiting for an answer")

// Invite sends a planned panel's invitations. The conflict rules are
// checked again first, since a conflict may have arisen after planning (an
// expert changed institution, declared a conflict, or the subject gained
// an inventor): an expert in conflict is kept off the panel (a Decline
// with the conflict's rule) and their seat is re-solved as Decline does.
// Every seat is then invited, with an answer due in Options.ReplyDays (at
// the latest by the panel's deadline), and the panel is inviting. The
// principal must operate the panel (its broker's staff, platform admins).
func (s *Service) Invite(ctx context.Context, p broker.Principal, panelID string) (Panel, error) {
	var out Panel
	err := s.update(ctx, "invite", KindPanel, panelID, func(tx *broker.Tx, pl *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		target := broker.TargetOf(pn)
		if !broker.Can(p, broker.ActOperate, target) {
			return broker.Forbidden("invite", KindPanel, panelID, "only platform admins and the broker's staff send a panel's invitations")
		}
		if pn.Status != StatusPlanned {
			return refused("invite", KindPanel, panelID, errors.New("the invitations are out already: the panel is "+string(pn.Status)))
		}
		sb, err := readSubject(tx, pn.Subject, "subject")
		if err != nil {
			return err
		}
		now := tx.Now()
		loads := loadChanges{}
		var vacated []int
		for i, st := range pn.Seats {
			if st.Status != SeatPlanned {
				continue
			}
			e, err := broker.Read[broker.Expert](tx, st.Expert)
			var rule, reason string
			switch {
			case errors.Is(err, broker.ErrNotFound):
				rule, reason = "removed", "the expert's record was removed"
			case err != nil:
				return err
			default:
				if cs := sb.conflicts(*s.opts.Rules, e); len(cs) > 0 {
					rule, reason = cs[0].Rule, conflictReasons(cs)
				}
			}
			if rule == "" {
				continue
			}
			pn.Declined = append(pn.Declined, Decline{Expert: st.Expert, Rule: rule, Reason: clip(reason, 500), At: now, By: p.ID})
			pn.Seats[i] = Seat{Status: SeatVacant}
			loads.add(st.Expert, func(d *loadDelta) { d.open-- })
			vacated = append(vacated, i)
		}
		var book loadBook
		if len(vacated) > 0 {
			experts, err := pl.get(pn.Society)
			if err != nil {
				return err
			}
			if book, err = readLoads(tx); err != nil {
				return err
			}
			seated, err := s.fill(tx, &pn, vacated, sb, experts, book, loads, now)
			if err != nil {
				return err
			}
			for _, e := range seated {
				loads.add(e, func(d *loadDelta) { d.open++ })
			}
		}
		for i := range pn.Seats {
			if pn.Seats[i].Status == SeatPlanned {
				s.invite(&pn.Seats[i], pn.Deadline, now)
				loads.add(pn.Seats[i].Expert, func(d *loadDelta) { d.invited++ })
			}
		}
		pn.Status = StatusInviting
		if out, err = broker.Replace(tx, p, pn, broker.Via(broker.ActOperate, target), broker.Logged("invited", nil)); err != nil {
			return err
		}
		return s.applyLoads(tx, p, broker.ActOperate, target, loads, book, s.year(now))
	})
	return out, err
}

// invite invites a seat's expert now.
func (s *Service) invite(st *Seat, deadline, now time.Time) {
	st.Status, st.Invited = SeatInvited, now
	st.ReplyBy = now.Add(time.Duration(s.opts.ReplyDays) * 24 * time.Hour)
	if st.ReplyBy.After(deadline) {
		st.ReplyBy = deadline
	}
}

func conflictReasons(cs []broker.ConflictOfInterest) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Rule + ": " + c.Reason
	}
	return strings.Join(parts, "; ")
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Accept records the principal's acceptance of their invitation. The
// principal must take part in the panel (an expert invited to it); without
// an invitation waiting for an answer, ErrNoInvitation. Once every filled
// seat has accepted, the panel is scoring.
func (s *Service) Accept(ctx context.Context, p broker.Principal, panelID string) (Panel, error) {
	var out Panel
	err := s.update(ctx, "accept", KindPanel, panelID, func(tx *broker.Tx, _ *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		target := broker.TargetOf(pn)
		if !broker.Can(p, broker.ActTakePart, target) {
			return broker.Forbidden("accept", KindPanel, panelID, "only an invited expert accepts")
		}
		if !pn.Status.open() {
			return refused("accept", KindPanel, panelID, ErrLocked)
		}
		i := pn.seat(p.ID)
		if i < 0 || pn.Seats[i].Status != SeatInvited {
			return refused("accept", KindPanel, panelID, ErrNoInvitation)
		}
		now := tx.Now()
		pn.Seats[i].Status, pn.Seats[i].Answered = SeatAccepted, now
		pn.Status = statusAfterAnswer(pn)
		if out, err = broker.Replace(tx, p, pn, broker.Via(broker.ActTakePart, target), broker.Logged("accepted", seatEvent{Expert: p.ID})); err != nil {
			return err
		}
		return s.adjustLoad(tx, p, broker.ActTakePart, target, p.ID, nil, func(w *Workload) { w.year(s.year(now)).Accepted++ })
	})
	return out, err
}

// statusAfterAnswer is an open panel's status after a seat changed:
// planned stays planned; otherwise scoring once no seat waits for an
// answer (or an invitation), else inviting.
func statusAfterAnswer(pn Panel) Status {
	if pn.Status == StatusPlanned {
		return StatusPlanned
	}
	for _, st := range pn.Seats {
		if st.Status == SeatInvited || st.Status == SeatPlanned {
			return StatusInviting
		}
	}
	return StatusScoring
}

// Decline records that an expert leaves a panel, with a reason (required,
// at most 500 characters), and re-solves that seat only: the expert is
// kept off the panel for good, every other seat is kept, and the seat goes
// to the free qualified panelist with the highest affinity for the subject
// (the optimal assignment of that seat with the others fixed; see fill).
// The new expert is invited at once unless the panel is still planned.
// When no qualified panelist is free, the seat stays vacant (SeatVacant;
// Refill tries again later) and the decline is still recorded.
//
// An expert declines for themself (expert empty or their own ID: the
// principal must take part in the panel); the panel's desk records a
// decline on an expert's behalf (the principal must operate the panel).
// A submitted sheet cannot be declined (ErrSubmitted), nor a locked panel
// (ErrLocked).
func (s *Service) Decline(ctx context.Context, p broker.Principal, panelID, expert, reason string) (Panel, error) {
	return s.leave(ctx, p, "decline", panelID, expert, reason, "declined")
}

// Recuse takes an expert off a panel for a conflict of interest or
// another reason of the desk's (回避), with the reason, and re-solves the
// seat as Decline does; the Decline it records has Rule "recused" and
// does not count as the expert's decline in the figures. The principal
// must operate the panel.
func (s *Service) Recuse(ctx context.Context, p broker.Principal, panelID, expert, reason string) (Panel, error) {
	if textnorm.Text(expert) == "" {
		return Panel{}, broker.Wrap("recuse", KindPanel, panelID, invalid(KindPanel, broker.FieldError{Field: "expert", Code: "required"}))
	}
	return s.leave(ctx, p, "recuse", panelID, expert, reason, "recused")
}

// leave takes an expert off a panel (see Decline) and records rule.
func (s *Service) leave(ctx context.Context, p broker.Principal, op, panelID, expert, reason, rule string) (Panel, error) {
	expert, reason = textnorm.Text(expert), textnorm.Multiline(reason)
	if expert == "" {
		expert = p.ID
	}
	c := &broker.Check{}
	if reason == "" {
		c.Add("reason", "required", "", "")
	}
	c.Text("reason", reason, 500)
	if err := c.Err(KindPanel); err != nil {
		return Panel{}, broker.Wrap(op, KindPanel, panelID, err)
	}
	act := broker.ActTakePart
	if expert != p.ID || rule != "declined" {
		act = broker.ActOperate
	}
	var out Panel
	err := s.update(ctx, op, KindPanel, panelID, func(tx *broker.Tx, pl *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		target := broker.TargetOf(pn)
		if !broker.Can(p, act, target) {
			return broker.Forbidden(op, KindPanel, panelID, "an expert declines for themself; the panel's desk for others, and recuses")
		}
		if !pn.Status.open() {
			return refused(op, KindPanel, panelID, ErrLocked)
		}
		i := pn.seat(expert)
		switch {
		case i < 0:
			return invalid(KindPanel, broker.FieldError{Field: "expert", Code: "not_on_panel", Value: expert})
		case pn.Seats[i].Status == SeatSubmitted:
			return refused(op, KindPanel, panelID, ErrSubmitted)
		}
		sb, err := readSubject(tx, pn.Subject, "subject")
		if err != nil {
			return err
		}
		experts, err := pl.get(pn.Society)
		if err != nil {
			return err
		}
		book, err := readLoads(tx)
		if err != nil {
			return err
		}
		now := tx.Now()
		old := pn.Seats[i]
		pn.Declined = append(pn.Declined, Decline{Expert: expert, Rule: rule, Reason: reason, At: now, By: p.ID,
			Invited: old.Invited, Answered: old.Answered})
		pn.Seats[i] = Seat{Status: SeatVacant}
		loads := loadChanges{}
		loads.add(expert, func(d *loadDelta) {
			d.open--
			if !old.Invited.IsZero() && rule == "declined" {
				d.declined++
			}
		})
		seated, err := s.fill(tx, &pn, []int{i}, sb, experts, book, loads, now)
		if err != nil {
			return err
		}
		ev := seatEvent{Expert: expert, Reason: reason, Rule: rule}
		for _, e := range seated {
			ev.Replaced = e
			loads.add(e, func(d *loadDelta) { d.open++ })
			if pn.Status != StatusPlanned {
				s.invite(&pn.Seats[i], pn.Deadline, now)
				loads.add(e, func(d *loadDelta) { d.invited++ })
			}
		}
		pn.Status = statusAfterAnswer(pn)
		if out, err = broker.Replace(tx, p, pn, broker.Via(act, target), broker.Logged(rule, ev)); err != nil {
			return err
		}
		return s.applyLoads(tx, p, act, target, loads, book, s.year(now))
	})
	return out, err
}

// Refill re-solves a panel's vacant seats together (see Decline), for
// when qualified panelists have become free since. The principal must
// operate the panel.
func (s *Service) Refill(ctx context.Context, p broker.Principal, panelID string) (Panel, error) {
	var out Panel
	err := s.update(ctx, "refill", KindPanel, panelID, func(tx *broker.Tx, pl *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		target := broker.TargetOf(pn)
		if !broker.Can(p, broker.ActOperate, target) {
			return broker.Forbidden("refill", KindPanel, panelID, "only platform admins and the broker's staff refill a panel")
		}
		if !pn.Status.open() {
			return refused("refill", KindPanel, panelID, ErrLocked)
		}
		var vacant []int
		for i, st := range pn.Seats {
			if st.Status == SeatVacant {
				vacant = append(vacant, i)
			}
		}
		if len(vacant) == 0 {
			out = pn
			return nil
		}
		sb, err := readSubject(tx, pn.Subject, "subject")
		if err != nil {
			return err
		}
		experts, err := pl.get(pn.Society)
		if err != nil {
			return err
		}
		book, err := readLoads(tx)
		if err != nil {
			return err
		}
		now := tx.Now()
		loads := loadChanges{}
		seated, err := s.fill(tx, &pn, vacant, sb, experts, book, loads, now)
		if err != nil || len(seated) == 0 {
			out = pn
			return err
		}
		for j, e := range seated {
			loads.add(e, func(d *loadDelta) { d.open++ })
			if pn.Status != StatusPlanned {
				s.invite(&pn.Seats[vacant[j]], pn.Deadline, now)
				loads.add(e, func(d *loadDelta) { d.invited++ })
			}
		}
		pn.Status = statusAfterAnswer(pn)
		if out, err = broker.Replace(tx, p, pn, broker.Via(broker.ActOperate, target), broker.Logged("refilled", nil)); err != nil {
			return err
		}
		return s.applyLoads(tx, p, broker.ActOperate, target, loads, book, s.year(now))
	})
	return out, err
}

// Extend moves an open panel's deadline for the sheets (later or earlier,
// but after now). The principal must operate the panel.
func (s *Service) Extend(ctx context.Context, p broker.Principal, panelID string, deadline time.Time) (Panel, error) {
	deadline = utcMicro(deadline)
	var out Panel
	err := s.update(ctx, "extend", KindPanel, panelID, func(tx *broker.Tx, _ *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		target := broker.TargetOf(pn)
		if !broker.Can(p, broker.ActOperate, target) {
			return broker.Forbidden("extend", KindPanel, panelID, "only platform admins and the broker's staff set a panel's deadline")
		}
		if !pn.Status.open() {
			return refused("extend", KindPanel, panelID, ErrLocked)
		}
		if now := tx.Now(); !deadline.After(now) {
			return invalid(KindPanel, broker.FieldError{Field: "deadline", Code: "date_order", Param: now.Format(time.RFC3339), Value: deadline.Format(time.RFC3339)})
		}
		pn.Deadline = deadline
		out, err = broker.Replace(tx, p, pn, broker.Via(broker.ActOperate, target), broker.Logged("deadline", nil))
		return err
	})
	return out, err
}

// Overdue is a seat whose expert is late: an invitation not answered by
// its ReplyBy ("reply"), or an accepted seat without a sheet after the
// panel's deadline ("sheet").
type Overdue struct {
	Panel   string
	Subject broker.RecordRef
	Expert  string
	What    string // "reply" or "sheet"
	Due     time.Time
}

// Overdue lists a broker's late seats, the longest overdue first: the
// reminder list. The principal must operate the broker's desk.
func (s *Service) Overdue(ctx context.Context, p broker.Principal, brokerID string) ([]Overdue, error) {
	if !broker.Can(p, broker.ActOperate, broker.DeskTarget(brokerID)) {
		return nil, broker.Forbidden("overdue", KindPanel, "", "only platform admins and the broker's staff")
	}
	now := s.sys.Now()
	var out []Overdue
	for _, st := range []Status{StatusInviting, StatusScoring} {
		pns, err := s.Panels.Find(ctx, reader, broker.ListOptions{Broker: brokerID, Stage: string(st)})
		if err != nil {
			return nil, broker.Wrap("overdue", KindPanel, "", err)
		}
		for _, pn := range pns {
			for _, seat := range pn.Seats {
				switch {
				case seat.Status == SeatInvited && now.After(seat.ReplyBy):
					out = append(out, Overdue{Panel: pn.ID, Subject: pn.Subject, Expert: seat.Expert, What: "reply", Due: seat.ReplyBy})
				case seat.Status == SeatAccepted && now.After(pn.Deadline):
					out = append(out, Overdue{Panel: pn.ID, Subject: pn.Subject, Expert: seat.Expert, What: "sheet", Due: pn.Deadline})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Overdue) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Panel, b.Panel), cmp.Compare(a.Expert, b.Expert))
	})
	return out, nil
}

// Dossier is what a panel reviews: its achievement or its demand.
type Dossier struct {
	Achievement *broker.Achievement
	Demand      *broker.Demand
}

// Subject returns the achievement or demand a panel reviews to those who
// take part in the panel: its invited experts — who read it through their
// seat even when its tier hides it from them otherwise — its industry
// broker's staff and platform admins (broker.ErrForbidden for others).
func (s *Service) Subject(ctx context.Context, p broker.Principal, panelID string) (Dossier, error) {
	var out Dossier
	err := s.update(ctx, "subject", KindPanel, panelID, func(tx *broker.Tx, _ *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActTakePart, pn) {
			return broker.Forbidden("subject", KindPanel, panelID, "only the panel's experts and its desk read what it reviews")
		}
		sb, err := readSubject(tx, pn.Subject, "subject")
		out = Dossier{Achievement: sb.achievement, Demand: sb.demand}
		return err
	})
	return out, err
}
