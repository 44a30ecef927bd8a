package broker

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker/driver"
)

// IncubationStatus is where an incubation stands.
type IncubationStatus string

// Incubation statuses. Graduated and Failed are final: the case is closed.
const (
	IncubationActive    IncubationStatus = "active"    // 孵化中
	IncubationGraduated IncubationStatus = "graduated" // 毕业: the venture stands on its own
	IncubationFailed    IncubationStatus = "failed"    // 失败, with a reason
)

// MilestoneStatus is the state of one milestone.
type MilestoneStatus string

// Milestone statuses.
const (
	MilestonePending   MilestoneStatus = "pending"
	MilestoneDone      MilestoneStatus = "done"
	MilestoneMissed    MilestoneStatus = "missed"
	MilestoneCancelled MilestoneStatus = "cancelled"
)

// Incubation is the follow-up of a deal (孵化): the incubator hosting the
// venture, the spin-off company if one was founded, milestones with due
// dates and funding rounds. It is opened by StartIncubation, which moves
// the case from Traded to Incubating in the same transaction, and ended by
// CloseIncubation, which closes the case with the outcome and its reason.
// Milestones may not fall due before the deal.
//
// An incubation is Confidential unless opened otherwise: the handling
// broker's staff, platform admins and the case's owners, the incubator and
// the spin-off see it.
type Incubation struct {
	Meta
	Case     string    `json:"case"`
	Subject  RecordRef `json:"subject"`
	DealRef  string    `json:"deal_ref,omitempty"`
	DealDate time.Time `json:"deal_date"`
	// Incubator is the ID of the incubator or science park organization.
	Incubator string `json:"incubator" validate:"required,max=64"`
	// SpinOff is the ID of the spin-off company's organization, if any.
	SpinOff    string           `json:"spin_off,omitempty" validate:"max=64"`
	Owners     []string         `json:"owners,omitempty"`
	Milestones []Milestone      `json:"milestones,omitempty" validate:"max=200,dive"`
	Funding    []FundingRound   `json:"funding,omitempty" validate:"max=100,dive"`
	Status     IncubationStatus `json:"status" validate:"oneof=active graduated failed"`
	Reason     string           `json:"reason,omitempty" validate:"max=2000"`
	Ended      time.Time        `json:"ended,omitzero"`
}

// Milestone is one step of an incubation plan.
type Milestone struct {
	Name   string          `json:"name" validate:"required,max=200"`
	Due    time.Time       `json:"due"`
	Status MilestoneStatus `json:"status,omitempty" validate:"omitempty,oneof=pending done missed cancelled"`
	Done   time.Time       `json:"done,omitzero"`
	Note   string          `json:"note,omitempty" validate:"max=2000"`
}

// FundingRound is money raised by the venture during incubation.
type FundingRound struct {
	Stage     InvestStage     `json:"stage,omitempty" validate:"omitempty,oneof=seed angel pre_a a b c growth pre_ipo"`
	Amount    decimal.Decimal `json:"amount"`
	Date      time.Time       `json:"date,omitzero"`
	Investors []string        `json:"investors,omitempty" validate:"max=50,dive,max=200"` // investor IDs or names
	Note      string          `json:"note,omitempty" validate:"max=2000"`
}

// Raised returns the total of the funding rounds.
func (n Incubation) Raised() decimal.Decimal {
	t := decimal.Zero
	for _, f := range n.Funding {
		t = t.Add(f.Amount)
	}
	return t
}

// Overdue returns the pending milestones due before at.
func (n Incubation) Overdue(at time.Time) []Milestone {
	var out []Milestone
	for _, m := range n.Milestones {
		if m.Status == MilestonePending && m.Due.Before(at) {
			out = append(out, m)
		}
	}
	return out
}

func (Incubation) kind() Kind                       { return KindIncubation }
func (n Incubation) getMeta() Meta                  { return n.Meta }
func (n Incubation) withMeta(m Meta) Incubation     { n.Meta = m; return n }
func (n Incubation) stage() string                  { return string(n.Status) }
func (n Incubation) dedupKey() string               { return "incubation:" + n.Case }
func (n Incubation) redactFor(Principal) Incubation { return n }
func (Incubation) columns() map[string]setter[Incubation] {
	return metaColumns(func(n *Incubation) *Meta { return &n.Meta })
}

func (n Incubation) ownerOrgs() []string {
	out := slices.Clone(n.Owners)
	for _, o := range []string{n.Incubator, n.SpinOff} {
		if o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func (n Incubation) normalized() Incubation {
	vis := n.Visibility
	n.Meta.normalize()
	if vis == "" {
		n.Visibility = Confidential
	}
	n.Case, n.DealRef = normText(n.Case), normText(n.DealRef)
	n.Incubator, n.SpinOff = normText(n.Incubator), normText(n.SpinOff)
	n.Owners = normList(n.Owners)
	n.DealDate, n.Ended = utcMicro(n.DealDate), utcMicro(n.Ended)
	if n.Milestones != nil {
		ms := make([]Milestone, len(n.Milestones))
		for i, m := range n.Milestones {
			m.Name, m.Note = normText(m.Name), normMultiline(m.Note)
			m.Status = MilestoneStatus(normEnum(string(m.Status)))
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
			f.Stage = InvestStage(enumCode(string(f.Stage), stageNames))
			f.Date, f.Note, f.Investors = utcMicro(f.Date), normMultiline(f.Note), normList(f.Investors)
			fs[i] = f
		}
		n.Funding = fs
	}
	if n.Status == "" {
		n.Status = IncubationActive
	}
	n.Reason = normMultiline(n.Reason)
	return n
}

func (n Incubation) check(c *checker, s *System) {
	if n.Case == "" {
		c.add("case", "required", "", "")
	}
	if n.DealDate.IsZero() {
		c.add("deal_date", "required", "", "")
	}
	names := map[string]bool{}
	for i, m := range n.Milestones {
		f := "milestones[" + itoa(i) + "]"
		if m.Due.IsZero() {
			c.add(f+".due", "required", "", "")
		} else if !n.DealDate.IsZero() && m.Due.Before(n.DealDate) {
			c.add(f+".due", "date_order", "the deal date "+n.DealDate.Format(time.DateOnly), m.Due.Format(time.DateOnly))
		}
		if m.Status == MilestoneDone && m.Done.IsZero() {
			c.add(f+".done", "required", "", "")
		}
		if names[m.Name] {
			c.add(f+".name", "unique", "", m.Name)
		}
		names[m.Name] = true
	}
	for i, fr := range n.Funding {
		f := "funding[" + itoa(i) + "]"
		checkMoney(c, f+".amount", fr.Amount)
		if !fr.Date.IsZero() && !n.DealDate.IsZero() && fr.Date.Before(n.DealDate) {
			c.add(f+".date", "date_order", "the deal date "+n.DealDate.Format(time.DateOnly), fr.Date.Format(time.DateOnly))
		}
	}
	if n.Status == IncubationFailed && n.Reason == "" {
		c.add("reason", "required", "", "")
	}
	if n.SpinOff != "" && n.SpinOff == n.Incubator {
		c.add("spin_off", "invalid", "", "the incubator itself")
	}
}

func (s *System) incubationLib() *Library[Incubation] { return &Library[Incubation]{s: s} }

// NewIncubation asks to start an incubation after a deal.
type NewIncubation struct {
	Case      string // the case, in stage Traded
	Incubator string // organization ID (an incubator or science park)
	SpinOff   string // organization ID of the spin-off company, if any
	// DealDate is the date of the deal; zero means the deal's signing date
	// when the exchange has the deal, else the time the case was traded.
	DealDate   time.Time
	Milestones []Milestone
	Funding    []FundingRound
	Reason     string // recorded with the case's move to Incubating
	Visibility Visibility
}

// StartIncubation opens the incubation of a traded case and moves the case
// from Traded to Incubating, in one transaction. The incubator (and the
// spin-off, if given) must exist in the organization registry; milestones
// may not fall due before the deal (date_order on milestones[i].due).
// Platform admins and the handling broker's staff only.
func (s *System) StartIncubation(ctx context.Context, p Principal, ni NewIncubation) (Incubation, error) {
	var out Incubation
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		out = Incubation{}
		c, err := s.caseLib().readTx(ctx, tx, ni.Case)
		if err != nil {
			return err
		}
		if !p.canWorkCase(c.Broker) {
			return forbidden("start incubation", KindIncubation, "", "platform admins and the handling broker's staff only")
		}
		n := Incubation{
			Meta: Meta{Broker: c.Broker, Visibility: ni.Visibility, Region: c.Region},
			Case: c.ID, Subject: c.Subject, DealRef: c.DealRef, DealDate: ni.DealDate,
			Incubator: ni.Incubator, SpinOff: ni.SpinOff, Owners: c.Owners,
			Milestones: ni.Milestones, Funding: ni.Funding, Status: IncubationActive,
		}
		if n.DealDate.IsZero() {
			d, ok, err := s.dealDateTx(ctx, tx, c)
			if err != nil {
				return err
			}
			if !ok && c.Stage == StageTraded {
				d = c.StageSince
			}
			n.DealDate = d
		}
		lib := s.incubationLib()
		n.ID = s.newID(KindIncubation)
		// The move checks the case's stage (Traded) first.
		if _, err := s.moveCaseTx(ctx, tx, p, c.ID, CaseMove{To: StageIncubating, Reason: ni.Reason, Evidence: []string{"incubation:" + n.ID}}); err != nil {
			return err
		}
		n, err = lib.prepare(n)
		if err != nil {
			return err
		}
		if err := s.orgsExistTx(ctx, tx, KindIncubation, map[string]string{"incubator": n.Incubator, "spin_off": n.SpinOff}); err != nil {
			return err
		}
		n = lib.stamp(p, n, s.now())
		if err := lib.createTx(ctx, tx, p, n, "created"); err != nil {
			return err
		}
		n.Version = 1
		out = n
		return nil
	})
	if err != nil {
		return Incubation{}, wrap("start incubation", KindIncubation, ni.Case, err)
	}
	return out, nil
}

// readTx reads and decodes the record with that ID inside tx.
func (l *Library[T]) readTx(ctx context.Context, tx driver.Tx, id string) (T, error) {
	rec, err := tx.Get(ctx, string(l.kind()), id)
	if err != nil {
		var zero T
		return zero, err
	}
	return l.decodeRecord(rec)
}

// orgsExistTx checks that every non-empty organization ID exists; the map
// goes from field name to ID.
func (s *System) orgsExistTx(ctx context.Context, tx driver.Tx, kind Kind, ids map[string]string) error {
	c := &checker{}
	fields := make([]string, 0, len(ids))
	for f := range ids {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		id := ids[f]
		if id == "" {
			continue
		}
		if _, err := tx.Get(ctx, string(KindOrganization), id); errors.Is(err, ErrNotFound) {
			c.add(f, "ref", "", id)
		} else if err != nil {
			return err
		}
	}
	return c.err(kind)
}

// GetIncubation returns an incubation the principal may read.
func (s *System) GetIncubation(ctx context.Context, p Principal, id string) (Incubation, error) {
	return s.incubationLib().Get(ctx, p, id)
}

// ListIncubations returns one page of the incubations the principal may
// read; ListOptions.Stage filters by IncubationStatus.
func (s *System) ListIncubations(ctx context.Context, p Principal, o ListOptions) (Page[Incubation], error) {
	return s.incubationLib().List(ctx, p, o)
}

// modifyIncubation applies fn to an active incubation and stores it,
// validated, in one transaction, with an event of type typ.
func (s *System) modifyIncubation(ctx context.Context, p Principal, op, id, typ string, fn func(*Incubation) error) (Incubation, error) {
	var out Incubation
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		lib := s.incubationLib()
		n, err := lib.readTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.canWorkCase(n.Broker) {
			return forbidden(op, KindIncubation, id, "platform admins and the handling broker's staff only")
		}
		if n.Status != IncubationActive {
			return &TransitionError{Kind: KindIncubation, ID: id, From: string(n.Status), To: string(n.Status), Reason: "the incubation has ended"}
		}
		if err := fn(&n); err != nil {
			return err
		}
		n, err = lib.prepare(n)
		if err != nil {
			return err
		}
		out, err = s.writeIncubationTx(ctx, tx, p, n, typ)
		return err
	})
	if err != nil {
		return Incubation{}, wrap(op, KindIncubation, id, err)
	}
	return out, nil
}

func (s *System) writeIncubationTx(ctx context.Context, tx driver.Tx, p Principal, n Incubation, typ string) (Incubation, error) {
	n.Updated = s.now()
	rec, err := s.incubationLib().record(n)
	if err != nil {
		return Incubation{}, err
	}
	ver, err := tx.Replace(ctx, rec)
	if err != nil {
		return Incubation{}, err
	}
	n.Version = ver
	return n, tx.Append(ctx, driver.Event{Kind: string(KindIncubation), RecordID: n.ID, Type: typ, Actor: p.ID, Time: n.Updated})
}

// SetMilestone adds a milestone, or replaces the one with the same name.
// A milestone due before the deal is refused (date_order).
func (s *System) SetMilestone(ctx context.Context, p Principal, incubationID string, m Milestone) (Incubation, error) {
	return s.modifyIncubation(ctx, p, "set milestone", incubationID, "milestone", func(n *Incubation) error {
		name := normText(m.Name)
		ms := slices.Clone(n.Milestones)
		if i := slices.IndexFunc(ms, func(x Milestone) bool { return x.Name == name }); i >= 0 {
			ms[i] = m
		} else {
			ms = append(ms, m)
		}
		n.Milestones = ms
		return nil
	})
}

// AddFundingRound records a funding round of the venture.
func (s *System) AddFundingRound(ctx context.Context, p Principal, incubationID string, f FundingRound) (Incubation, error) {
	return s.modifyIncubation(ctx, p, "add funding round", incubationID, "funding", func(n *Incubation) error {
		n.Funding = append(slices.Clone(n.Funding), f)
		return nil
	})
}

// CloseIncubation ends an active incubation as graduated or failed (a
// failure needs a reason) and closes its case, in one transaction. The
// case's "stage" event carries the reason (for a graduation, the reason
// given or "graduated") and the incubation as evidence.
func (s *System) CloseIncubation(ctx context.Context, p Principal, id string, outcome IncubationStatus, reason string) (Incubation, error) {
	var out Incubation
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		lib := s.incubationLib()
		n, err := lib.readTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.canWorkCase(n.Broker) {
			return forbidden("close incubation", KindIncubation, id, "platform admins and the handling broker's staff only")
		}
		if outcome != IncubationGraduated && outcome != IncubationFailed {
			return &ValidationError{Kind: KindIncubation, Fields: []FieldError{{Field: "status", Code: "oneof", Param: "graduated failed", Value: string(outcome)}}}
		}
		if n.Status != IncubationActive {
			return &TransitionError{Kind: KindIncubation, ID: id, From: string(n.Status), To: string(outcome), Reason: "the incubation has ended"}
		}
		n.Status, n.Reason, n.Ended = outcome, reason, s.now()
		n, err = lib.prepare(n)
		if err != nil {
			return err
		}
		why := n.Reason
		if why == "" {
			why = string(outcome)
		}
		if _, err := s.moveCaseTx(ctx, tx, p, n.Case, CaseMove{To: StageClosed, Reason: "incubation " + string(outcome) + ": " + why, Evidence: []string{"incubation:" + n.ID}}); err != nil {
			return err
		}
		out, err = s.writeIncubationTx(ctx, tx, p, n, string(outcome))
		return err
	})
	if err != nil {
		return Incubation{}, wrap("close incubation", KindIncubation, id, err)
	}
	return out, nil
}

// OverdueMilestone is a pending milestone past its due date.
type OverdueMilestone struct {
	Incubation string
	Case       string
	Broker     string
	Milestone  Milestone
	// DaysLate is the number of whole days since the due date.
	DaysLate int
}

// OverdueMilestones lists the pending milestones of a broker's active
// incubations that fell due before at (zero means now), most overdue
// first: the reminder list. Platform admins and that broker's staff only;
// an empty broker means every broker (platform admins only).
func (s *System) OverdueMilestones(ctx context.Context, p Principal, broker string, at time.Time) ([]OverdueMilestone, error) {
	if broker == "" && p.Role != RolePlatformAdmin || broker != "" && !p.canWorkCase(broker) {
		return nil, forbidden("overdue milestones", KindIncubation, "", "platform admins and the broker's own staff only")
	}
	if at.IsZero() {
		at = s.now()
	}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindIncubation), Broker: broker, Stage: string(IncubationActive)})
	if err != nil {
		return nil, wrap("overdue milestones", KindIncubation, "", err)
	}
	var out []OverdueMilestone
	for _, r := range recs {
		n, err := s.incubationLib().decodeRecord(r)
		if err != nil {
			return nil, wrap("overdue milestones", KindIncubation, r.ID, err)
		}
		for _, m := range n.Overdue(at) {
			out = append(out, OverdueMilestone{Incubation: n.ID, Case: n.Case, Broker: n.Broker, Milestone: m,
				DaysLate: int(at.Sub(m.Due) / (24 * time.Hour))})
		}
	}
	slices.SortStableFunc(out, func(a, b OverdueMilestone) int {
		if c := a.Milestone.Due.Compare(b.Milestone.Due); c != 0 {
			return c
		}
		if a.Incubation != b.Incubation {
			if a.Incubation < b.Incubation {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}
