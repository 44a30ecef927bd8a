package capital

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/internal/textnorm"
)

// IncubationStatus is where an incubation stands.
type IncubationStatus string

// Incubation statuses. Graduated and Failed are final: the case is closed.
const (
	IncubationActive    IncubationStatus = "active"    // 孵化中
	IncubationGraduated IncubationStatus = "graduated" // 毕业: the venture stands on its own
	IncubationFailed    IncubationStatus = "failed"    // 失败, with a reason
)

// Incubation is the follow-up of a deal (孵化): the incubator hosting the
// venture, the spin-off company if one was founded, milestones with due
// dates and funding rounds. It is opened by StartIncubation, which moves
// the case from Traded to Incubating in the same transaction, and ended by
// CloseIncubation, which closes the case with the outcome and its reason,
// also in one transaction. Milestones and rounds may not be dated before
// the deal (CheckPlan).
//
// An incubation is Confidential unless started otherwise: the handling
// broker's staff, platform admins and its owners — the case's owners, the
// incubator and the spin-off — see it. Incubator, SpinOff and Owners name
// organizations (the org struct tag): a merge of organizations rewrites
// them, and the audits of references report them.
type Incubation struct {
	broker.Meta
	Case     string           `json:"case" validate:"required,max=64"`
	Subject  broker.RecordRef `json:"subject"`
	DealRef  string           `json:"deal_ref,omitempty" validate:"max=200"`
	DealDate time.Time        `json:"deal_date"`
	// Incubator is the organization ID of the incubator or science park.
	Incubator string `json:"incubator" validate:"required,max=64" org:"id"`
	// SpinOff is the organization ID of the spin-off company, if any.
	SpinOff string `json:"spin_off,omitempty" validate:"max=64" org:"id"`
	// Owners are the organizations owning the case's subject (names and
	// IDs), copied from the case when the incubation starts.
	Owners     []string         `json:"owners,omitempty" validate:"max=50,dive,max=200" org:"list"`
	Milestones []Milestone      `json:"milestones,omitempty" validate:"max=200,dive"`
	Funding    []FundingRound   `json:"funding,omitempty" validate:"max=100,dive"`
	Status     IncubationStatus `json:"status" validate:"oneof=active graduated failed"`
	Reason     string           `json:"reason,omitempty" validate:"max=2000"`
	Ended      time.Time        `json:"ended,omitzero"`
}

// RecordKind is KindIncubation.
func (Incubation) RecordKind() broker.Kind { return KindIncubation }

// RecordStage indexes the status (ListOptions.Stage).
func (n Incubation) RecordStage() string { return string(n.Status) }

// DedupKey indexes the case: "incubation:" + case ID.
func (n Incubation) DedupKey() string { return "incubation:" + n.Case }

// OwnerOrgs are the case's owners, the incubator and the spin-off.
func (n Incubation) OwnerOrgs() []string {
	out := slices.Clone(n.Owners)
	for _, o := range []string{n.Incubator, n.SpinOff} {
		if o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// Raised returns the total of the funding rounds.
func (n Incubation) Raised() decimal.Decimal { return Raised(n.Funding) }

// Overdue returns the pending milestones due before at.
func (n Incubation) Overdue(at time.Time) []Milestone { return Overdue(n.Milestones, at) }

// Normalized folds the text, puts times in UTC at microsecond precision,
// defaults a milestone's status to pending and the incubation's to active,
// and makes it Confidential unless it says otherwise.
func (n Incubation) Normalized() Incubation {
	if n.Visibility == "" {
		n.Visibility = broker.Confidential
	}
	n.Case, n.DealRef = textnorm.Text(n.Case), textnorm.Text(n.DealRef)
	n.Subject.ID = textnorm.Text(n.Subject.ID)
	n.Incubator, n.SpinOff = textnorm.Text(n.Incubator), textnorm.Text(n.SpinOff)
	n.Owners = textnorm.List(n.Owners)
	n.DealDate, n.Ended = utcMicro(n.DealDate), utcMicro(n.Ended)
	if n.Milestones != nil {
		ms := make([]Milestone, len(n.Milestones))
		for i, m := range n.Milestones {
			m.Name, m.Note = textnorm.Text(m.Name), textnorm.Multiline(m.Note)
			m.Status = MilestoneStatus(textnorm.Enum(string(m.Status)))
			if m.Status == "" {
				m.Status = MilestonePending
			}
			m.Due, m.Done = utcMicro(m.Due), utcMicro(m.Done)
			ms[i] = m
		}
		n.Milestones = ms
	}
	if n.Funding != nil {
		fs := make([]FundingRound, len(n.Funding))
		for i, f := range n.Funding {
			f.Stage = stageCode(f.Stage)
			f.Date, f.Note, f.Investors = utcMicro(f.Date), textnorm.Multiline(f.Note), textnorm.List(f.Investors)
			fs[i] = f
		}
		n.Funding = fs
	}
	n.Status = IncubationStatus(textnorm.Enum(string(n.Status)))
	if n.Status == "" {
		n.Status = IncubationActive
	}
	n.Reason = textnorm.Multiline(n.Reason)
	return n
}

// Validate checks the deal date, the plan (CheckPlan) and that a failure
// has a reason.
func (n Incubation) Validate(c *broker.Check) {
	if n.DealDate.IsZero() {
		c.Add("deal_date", "required", "", "")
	}
	CheckPlan(c, n.DealDate, n.Milestones, n.Funding)
	if n.Status == IncubationFailed && n.Reason == "" {
		c.Add("reason", "required", "", "")
	}
}

// GuardUpdate keeps incubations for the operations: a plain write creates
// none and changes neither the case, its subject, broker and deal, the
// status, its reason and end, nor the owners. Platform admins may correct
// the plan (milestones and rounds), the incubator and the spin-off.
func (n Incubation) GuardUpdate(stored Incubation) []broker.FieldError {
	var out []broker.FieldError
	guard := func(field, op string, changed bool) {
		if changed {
			out = append(out, broker.FieldError{Field: field, Code: "guarded", Param: op})
		}
	}
	guard("case", "StartIncubation", n.Case != stored.Case)
	guard("subject", "StartIncubation", n.Subject != stored.Subject)
	guard("broker", "StartIncubation", n.Broker != stored.Broker)
	guard("deal_ref", "StartIncubation", n.DealRef != stored.DealRef)
	guard("deal_date", "StartIncubation", !n.DealDate.Equal(stored.DealDate))
	guard("owners", "StartIncubation", !slices.Equal(n.Owners, stored.Owners))
	guard("status", "CloseIncubation", n.Status != stored.Status)
	guard("reason", "CloseIncubation", n.Reason != stored.Reason)
	guard("ended", "CloseIncubation", !n.Ended.Equal(stored.Ended))
	return out
}

// utcMicro is t in UTC at microsecond precision; the zero time stays zero.
func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// NewIncubation asks to start an incubation after a deal.
type NewIncubation struct {
	Case      string // the case, in stage Traded
	Incubator string // organization ID (an incubator or science park)
	SpinOff   string // organization ID of the spin-off company, if any
	// DealDate is the date of the deal; zero means the deal's signing date
	// when the exchange has the deal (exchange.DealDate), else the time the
	// case was traded.
	DealDate   time.Time
	Milestones []Milestone
	Funding    []FundingRound
	Reason     string // recorded with the case's move to Incubating
	Visibility broker.Visibility
}

// Incubation event types.
const (
	EventIncubationStarted = "started"   // the incubation was started
	EventMilestone         = "milestone" // body: the Milestone set
	EventFunding           = "funding"   // body: the FundingRound added
	// A closed incubation's event is its outcome: "graduated" or "failed".
)

// StartIncubation opens the incubation of a traded case and moves the case
// from Traded to Incubating, in one transaction; the case's "stage" event
// names the incubation as evidence. The incubator (and the spin-off, if
// given) must exist in the organization registry and differ; milestones and
// rounds may not be dated before the deal (date_order on
// milestones[i].due). Platform admins and the handling broker's staff only
// (ActOperate on the case).
//
// Errors: a *broker.TransitionError (ErrConflict) when the case is not
// Traded — an incubation already started has moved it on; ErrInvalid
// naming every bad field; ErrForbidden. On any error nothing is written.
func (s *Service) StartIncubation(ctx context.Context, p broker.Principal, ni NewIncubation) (Incubation, error) {
	const op = "start incubation"
	ni.Case = textnorm.Text(ni.Case)
	var out Incubation
	err := s.sys.Update(ctx, func(tx *broker.Tx) error {
		c, err := broker.Read[broker.Case](tx, ni.Case)
		if notFound(err) && ni.Case != "" {
			return invalid(KindIncubation, "case", "ref", "", ni.Case)
		} else if notFound(err) {
			return invalid(KindIncubation, "case", "required", "", "")
		} else if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, c) {
			return broker.Forbidden(op, KindIncubation, "", "platform admins and the handling broker's staff only")
		}
		// The case's stage first: an untraded case is refused as the move
		// itself would refuse it, before the plan is judged.
		if _, ok := broker.CaseMoveAllowed(c.Stage, broker.StageIncubating); !ok {
			return &broker.TransitionError{Kind: broker.KindCase, ID: c.ID, From: string(c.Stage), To: string(broker.StageIncubating),
				Reason: "an incubation starts from a traded case"}
		}
		n := Incubation{
			Meta: broker.Meta{Broker: c.Broker, Visibility: ni.Visibility, Region: c.Region},
			Case: c.ID, Subject: c.Subject, DealRef: c.DealRef, DealDate: ni.DealDate,
			Incubator: textnorm.Text(ni.Incubator), SpinOff: textnorm.Text(ni.SpinOff), Owners: c.Owners,
			Milestones: ni.Milestones, Funding: ni.Funding, Status: IncubationActive,
		}
		if n.DealDate.IsZero() {
			d, ok, err := exchange.DealDate(tx, c)
			if err != nil {
				return err
			}
			if !ok {
				d = c.StageSince // the time the case was traded
			}
			n.DealDate = d
		}
		if err := organizationsExist(tx, n); err != nil {
			return err
		}
		on := broker.TargetOf(c)
		if n, err = broker.Create(tx, p, n, broker.Via(broker.ActOperate, on), broker.Logged(EventIncubationStarted, nil)); err != nil {
			return err
		}
		if _, err := tx.MoveCase(p, c.ID, broker.CaseMove{To: broker.StageIncubating, Version: c.Version,
			Reason: ni.Reason, Evidence: []string{"incubation:" + n.ID}}); err != nil {
			return err
		}
		out = n
		return nil
	})
	if err != nil {
		return Incubation{}, broker.Wrap(op, KindIncubation, ni.Case, err)
	}
	return out, nil
}

// organizationsExist refuses an incubator or spin-off missing from the
// organization registry ("ref", whether or not the registry is empty), and
// a spin-off that is the incubator itself.
func organizationsExist(tx *broker.Tx, n Incubation) error {
	c := &broker.Check{}
	for _, f := range []struct{ field, id string }{{"incubator", n.Incubator}, {"spin_off", n.SpinOff}} {
		if f.id == "" {
			continue
		}
		if _, err := broker.Read[broker.Organization](tx, f.id); notFound(err) {
			c.Add(f.field, "ref", "organization", f.id)
		} else if err != nil {
			return err
		}
	}
	if n.SpinOff != "" && n.SpinOff == n.Incubator {
		c.Add("spin_off", "invalid", "", "the incubator itself")
	}
	return c.Err(KindIncubation)
}

// modify applies fn to an active incubation and stores it, validated, in
// one transaction, with an event of type typ and body.
func (s *Service) modify(ctx context.Context, p broker.Principal, op, id, typ string, body any, fn func(*Incubation)) (Incubation, error) {
	var out Incubation
	err := s.sys.Update(ctx, func(tx *broker.Tx) error {
		n, err := broker.Read[Incubation](tx, id)
		if err != nil {
			return err
		}
		on := broker.TargetOf(n)
		if !broker.Can(p, broker.ActOperate, on) {
			return broker.Forbidden(op, KindIncubation, id, "platform admins and the handling broker's staff only")
		}
		if n.Status != IncubationActive {
			return &broker.TransitionError{Kind: KindIncubation, ID: id, From: string(n.Status), To: string(n.Status), Reason: "the incubation has ended"}
		}
		fn(&n)
		out, err = broker.Replace(tx, p, n, broker.Via(broker.ActOperate, on), broker.Logged(typ, body))
		return err
	})
	if err != nil {
		return Incubation{}, broker.Wrap(op, KindIncubation, id, err)
	}
	return out, nil
}

// SetMilestone adds a milestone to an active incubation, or replaces the
// one with the same name. A milestone due before the deal is refused
// (date_order), and so is a done one without its date. Platform admins and
// the handling broker's staff only.
func (s *Service) SetMilestone(ctx context.Context, p broker.Principal, incubationID string, m Milestone) (Incubation, error) {
	m = Incubation{Milestones: []Milestone{m}}.Normalized().Milestones[0]
	name := m.Name
	return s.modify(ctx, p, "set milestone", incubationID, EventMilestone, m, func(n *Incubation) {
		ms := slices.Clone(n.Milestones)
		if i := slices.IndexFunc(ms, func(x Milestone) bool { return x.Name == name }); i >= 0 {
			ms[i] = m
		} else {
			ms = append(ms, m)
		}
		n.Milestones = ms
	})
}

// AddFundingRound records a funding round of the venture of an active
// incubation. A round dated before the deal is refused (date_order).
// Platform admins and the handling broker's staff only.
func (s *Service) AddFundingRound(ctx context.Context, p broker.Principal, incubationID string, f FundingRound) (Incubation, error) {
	f = Incubation{Funding: []FundingRound{f}}.Normalized().Funding[0]
	return s.modify(ctx, p, "add funding round", incubationID, EventFunding, f, func(n *Incubation) {
		n.Funding = append(slices.Clone(n.Funding), f)
	})
}

// CloseIncubation ends an active incubation as graduated or failed (a
// failure needs a reason) and closes its case, in one transaction. The
// case's "stage" event carries the reason — "incubation <outcome>: " and
// the reason given, or the outcome when none is — and the incubation as
// evidence. Platform admins and the handling broker's staff only.
//
// Errors: ErrInvalid for another outcome (field status) or a failure
// without a reason (field reason); a *broker.TransitionError (ErrConflict)
// when the incubation has ended; ErrForbidden.
func (s *Service) CloseIncubation(ctx context.Context, p broker.Principal, id string, outcome IncubationStatus, reason string) (Incubation, error) {
	const op = "close incubation"
	var out Incubation
	err := s.sys.Update(ctx, func(tx *broker.Tx) error {
		n, err := broker.Read[Incubation](tx, id)
		if err != nil {
			return err
		}
		on := broker.TargetOf(n)
		if !broker.Can(p, broker.ActOperate, on) {
			return broker.Forbidden(op, KindIncubation, id, "platform admins and the handling broker's staff only")
		}
		if outcome != IncubationGraduated && outcome != IncubationFailed {
			return invalid(KindIncubation, "status", "oneof", "graduated failed", string(outcome))
		}
		if n.Status != IncubationActive {
			return &broker.TransitionError{Kind: KindIncubation, ID: id, From: string(n.Status), To: string(outcome), Reason: "the incubation has ended"}
		}
		n.Status, n.Reason, n.Ended = outcome, reason, tx.Now()
		if out, err = broker.Replace(tx, p, n, broker.Via(broker.ActOperate, on), broker.Logged(string(outcome), nil)); err != nil {
			return err
		}
		c, err := broker.Read[broker.Case](tx, out.Case)
		if err != nil {
			return err
		}
		_, err = tx.MoveCase(p, c.ID, broker.CaseMove{To: broker.StageClosed, Version: c.Version,
			Reason: closeReason(outcome, out.Reason), Evidence: []string{"incubation:" + out.ID}})
		return err
	})
	if err != nil {
		return Incubation{}, broker.Wrap(op, KindIncubation, id, err)
	}
	return out, nil
}

// maxCaseReason is the length of a case move's reason (broker.MoveCase).
const maxCaseReason = 2000

// closeReason is the reason of the case's move to Closed: "incubation
// <outcome>: " and the reason (the outcome when there is none), shortened
// with "..." to fit a case's reason; the whole reason stays on the
// incubation, which the move names as evidence. The reason is normalized
// already, so the move's normalization does not lengthen it ("…" would
// become "...").
func closeReason(outcome IncubationStatus, reason string) string {
	if reason == "" {
		reason = string(outcome)
	}
	s := "incubation " + string(outcome) + ": " + reason
	if r := []rune(s); len(r) > maxCaseReason {
		s = string(r[:maxCaseReason-3]) + "..."
	}
	return s
}

// OverdueMilestone is a pending milestone past its due date.
type OverdueMilestone struct {
	Incubation string
	Case       string
	Broker     string
	Milestone  Milestone
	// DaysLate is the number of whole days since the due date (DaysLate).
	DaysLate int
}

// OverdueMilestones lists the pending milestones of a broker's active
// incubations that fell due before at (zero means now), most overdue
// first, then by incubation ID: the reminder list. Platform admins and that
// broker's staff only (ActOperate on the broker's desk); an empty broker
// means every broker, which only platform admins may ask for.
func (s *Service) OverdueMilestones(ctx context.Context, p broker.Principal, brokerID string, at time.Time) ([]OverdueMilestone, error) {
	const op = "overdue milestones"
	if !broker.Can(p, broker.ActOperate, broker.DeskTarget(brokerID)) {
		return nil, broker.Forbidden(op, KindIncubation, "", "platform admins and the broker's own staff only")
	}
	if at.IsZero() {
		at = s.sys.Now()
	}
	ns, err := s.Incubations.Find(ctx, keeper, broker.ListOptions{Broker: brokerID, Stage: string(IncubationActive)})
	if err != nil {
		return nil, broker.Wrap(op, KindIncubation, "", err)
	}
	var out []OverdueMilestone
	for _, n := range ns {
		for _, m := range n.Overdue(at) {
			out = append(out, OverdueMilestone{Incubation: n.ID, Case: n.Case, Broker: n.Broker, Milestone: m, DaysLate: DaysLate(m.Due, at)})
		}
	}
	slices.SortStableFunc(out, func(a, b OverdueMilestone) int {
		if c := a.Milestone.Due.Compare(b.Milestone.Due); c != 0 {
			return c
		}
		return strings.Compare(a.Incubation, b.Incubation)
	})
	return out, nil
}
