package broker

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// Record kinds of the three platforms.
const (
	KindCase           Kind = "case"            // a Case of the broker service platform
	KindSociety        Kind = "society"         // an academic society (学会)
	KindServicePackage Kind = "service_package" // a broker's standard service package
	KindActivity       Kind = "activity"        // an activity of the activity platform
	KindRegistration   Kind = "registration"    // one participant's registration for an activity
	KindMeeting        Kind = "meeting"         // a 1:1 meeting at an activity
	KindLead           Kind = "lead"            // an outcome of an activity
	KindFeedback       Kind = "feedback"        // a structured decline reason
)

// Case carries one achievement or one demand through one industry broker's
// service chain (see CaseTransitions). Its Broker (in Meta) is the handling
// broker; its Stage changes only through MoveCase (or moveCaseTx), which
// writes the stage and its audit event in one transaction. Updated is the
// time of its latest event.
//
// A case is Confidential unless opened otherwise: it is seen by the handling
// broker's staff, platform admins and the subject's owners.
type Case struct {
	Meta
	Subject RecordRef `json:"subject"`
	Title   string    `json:"title,omitempty"`
	// Owners are the organizations owning the subject (the achievement's
	// owner, the demand's enterprise), copied when the case is opened.
	Owners     []string          `json:"owners,omitempty" org:"list"`
	Stage      CaseStage         `json:"stage"`
	StageSince time.Time         `json:"stage_since"`
	Screening  *ScreeningVerdict `json:"screening,omitempty"`
	ListingRef string            `json:"listing_ref,omitempty"`
	DealRef    string            `json:"deal_ref,omitempty"`
	// Reason is the reason given with the latest move, if any.
	Reason   string             `json:"reason,omitempty"`
	Services []DeliveredService `json:"services,omitempty"`
	Source   CaseSource         `json:"source,omitzero"`
}

// CaseSource says where a case came from, when it came from an activity.
type CaseSource struct {
	Activity string `json:"activity,omitempty"`
	Lead     string `json:"lead,omitempty"`
}

// ScreeningVerdict is the outcome of a screening panel (评审), recorded on a
// case. The evaluation integration fills it from a panel's result; here it
// is a plain value: whether the item passed, who sat on the panel, a summary
// of the scores and a reference to the full evaluation record.
type ScreeningVerdict struct {
	Passed  bool      `json:"passed"`
	Panel   []string  `json:"panel,omitempty"`   // expert IDs
	Society string    `json:"society,omitempty"` // the qualified society that ran the panel, if any
	Score   float64   `json:"score,omitempty"`   // e.g. the weighted mean score
	Summary string    `json:"summary,omitempty"` // scores summary in words
	Ref     string    `json:"ref"`               // the evaluation record; required
	Date    time.Time `json:"date,omitzero"`
}

// CaseMove asks for one stage change.
type CaseMove struct {
	To CaseStage
	// Version is the case version the caller read. MoveCase requires it;
	// if the case changed since, the move fails with ErrConflict.
	Version  int64
	Reason   string   // required to reject, and to move listed → promoting
	Evidence []string // references to documents, minutes, records
	// Verdict, if set, is recorded on the case with the move; moving to
	// Screened needs a passing one, here or already recorded.
	Verdict *ScreeningVerdict
	// ListingRef is required to move to Listed and accepted only then.
	ListingRef string
	// DealRef is required to move to Traded and accepted only then.
	DealRef string
}

// StageEvent is the body of a case's "opened" and "stage" audit events.
type StageEvent struct {
	From       CaseStage         `json:"from,omitempty"`
	To         CaseStage         `json:"to"`
	Reason     string            `json:"reason,omitempty"`
	Evidence   []string          `json:"evidence,omitempty"`
	Verdict    *ScreeningVerdict `json:"verdict,omitempty"`
	ListingRef string            `json:"listing_ref,omitempty"`
	DealRef    string            `json:"deal_ref,omitempty"`
}

// Case event types.
const (
	EventCaseOpened = "opened"  // body: StageEvent with To = collected
	EventCaseStage  = "stage"   // body: StageEvent
	EventService    = "service" // body: DeliveredService
)

func (Case) RecordKind() Kind      { return KindCase }
func (c Case) RecordStage() string { return string(c.Stage) }
func (c Case) OwnerOrgs() []string { return c.Owners }

// DedupKey indexes open cases by subject and broker, so that one subject
// has at most one open case per broker.
func (c Case) DedupKey() string {
	if !c.Stage.Open() {
		return ""
	}
	return caseKey(c.Subject, c.Broker)
}

func caseKey(subject RecordRef, broker string) string {
	return "case:" + subject.String() + "@" + broker
}

func (c Case) Normalized() Case {
	vis := c.Visibility
	c.Meta.normalize()
	if vis == "" {
		c.Visibility = Confidential
	}
	c.Title = normText(c.Title)
	c.Owners = normList(c.Owners)
	c.Subject.ID = normText(c.Subject.ID)
	return c
}

func (c Case) Validate(ch *Check) {
	if c.Subject.Kind != KindAchievement && c.Subject.Kind != KindDemand {
		ch.Add("subject.kind", "oneof", "achievement demand", string(c.Subject.Kind))
	}
	if c.Subject.ID == "" {
		ch.Add("subject.id", "required", "", "")
	}
	if c.Broker == "" {
		ch.Add("broker", "required", "", "")
	}
	if !c.Stage.Valid() {
		ch.Add("stage", "oneof", "collected … withdrawn", string(c.Stage))
	}
}

// NewCase asks to open a case.
type NewCase struct {
	Subject  RecordRef  // an achievement or a demand
	Broker   string     // the handling industry broker
	Reason   string     // why it was taken in (optional)
	Evidence []string   // optional references
	Source   CaseSource // the activity and lead it came from, if any
	// Visibility of the case; empty means Confidential.
	Visibility Visibility
}

// OpenCase opens a case in stage Collected for an achievement or a demand at
// one industry broker, writing the case and its "opened" event in one
// transaction. The principal must be a platform admin or on that broker's
// staff and able to read the subject. ErrExists if the subject already has
// an open case at that broker.
func (s *System) OpenCase(ctx context.Context, p Principal, nc NewCase) (Case, error) {
	var out Case
	err := s.update(ctx, "open case", KindCase, nc.Subject.String(), func(tx *Tx) (err error) {
		out, err = tx.OpenCase(p, nc)
		return err
	})
	return out, err
}

// OpenCase opens a case inside the transaction (see System.OpenCase), for
// operations that open one with writes of their own (a lead of an
// activity).
func (tx *Tx) OpenCase(p Principal, nc NewCase) (Case, error) {
	nc.Broker = normText(nc.Broker)
	c := Case{Meta: Meta{Broker: nc.Broker, Visibility: nc.Visibility}, Subject: nc.Subject, Stage: StageCollected,
		StageSince: tx.Now(), Source: CaseSource{Activity: normText(nc.Source.Activity), Lead: normText(nc.Source.Lead)}}
	if !CanDo(p, ActOperate, c) {
		return Case{}, forbidden("open case", KindCase, "", "only platform admins and the broker's own staff open cases")
	}
	ev := StageEvent{To: StageCollected, Reason: normMultiline(nc.Reason), Evidence: normList(nc.Evidence)}
	if err := checkMoveText(KindCase, ev.Reason, ev.Evidence); err != nil {
		return Case{}, err
	}
	if _, err := Read[IndustryBroker](tx, c.Broker); errors.Is(err, ErrNotFound) {
		return Case{}, invalid(KindCase, FieldError{Field: "broker", Code: "ref", Value: c.Broker})
	} else if err != nil {
		return Case{}, err
	}
	subject, err := subjectTx(tx, c.Subject)
	if err != nil {
		return Case{}, err
	}
	if !Can(p, ActRead, subject.Target) {
		return Case{}, forbidden("open case", KindCase, "", "the subject is not visible to the principal")
	}
	c.Owners, c.Title = subject.Owners, subject.title
	// One open case per subject and broker: the subject's slot at the broker
	// names its latest case, and two transactions opening a case for one
	// subject write the same slot, so one of them waits or goes stale and
	// sees the other's case when it runs again.
	slotID := slotID(c.Subject, c.Broker)
	slot, err := Read[caseSlot](tx, slotID)
	switch {
	case errors.Is(err, ErrNotFound):
		slot = caseSlot{Meta: Meta{ID: slotID, Broker: c.Broker, Visibility: Confidential}}
	case err != nil:
		return Case{}, err
	default:
		if open, err := Read[Case](tx, slot.Case); err == nil && open.Stage.Open() {
			return Case{}, &Error{Op: "open case", Kind: KindCase, ID: open.ID, Code: ErrExists,
				Err: errors.New("the subject already has an open case at this broker")}
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return Case{}, err
		}
	}
	c, err = Create(tx, p, c, Via(ActOperate, TargetOf(c)), Logged(EventCaseOpened, ev))
	if err != nil {
		return Case{}, err
	}
	slot.Case = c.ID
	if slot.Version == 0 {
		_, err = Create(tx, p, slot, Via(ActOperate, TargetOf(c)), Logged("opened", nil))
		if errors.Is(err, ErrExists) {
			// A concurrent transaction created the slot first: run again and
			// see its case.
			err = fmt.Errorf("a case for %s was opened concurrently: %w", c.Subject, driver.ErrStale)
		}
	} else {
		_, err = Replace(tx, p, slot, Via(ActOperate, TargetOf(c)), Logged("opened", nil))
	}
	return c, err
}

// slotID is the ID of a subject's slot at a broker: a hash of the case key,
// which may be longer than an ID may be.
func slotID(subject RecordRef, broker string) string {
	h := sha256.Sum256([]byte(caseKey(subject, broker)))
	return "slot-" + hex.EncodeToString(h[:12])
}

// kindCaseSlot is the kind of a subject's slot at a broker: the record
// whose writes serialize the opening of cases for one subject there.
const kindCaseSlot Kind = "case_slot"

// caseSlot names the latest case of a subject at a broker; its ID is the
// subject's case key.
type caseSlot struct {
	Meta
	Case string `json:"case"`
}

func (caseSlot) RecordKind() Kind { return kindCaseSlot }

// subject is an achievement or a demand as a case or a feedback needs it.
type subject struct {
	Target
	title string
}

// subjectTx reads an achievement or a demand (ErrInvalid if missing).
func subjectTx(tx *Tx, ref RecordRef) (subject, error) {
	var v Record
	var err error
	switch ref.Kind {
	case KindAchievement:
		v, err = Read[Achievement](tx, ref.ID)
	case KindDemand:
		v, err = Read[Demand](tx, ref.ID)
	default:
		return subject{}, invalid(KindCase, FieldError{Field: "subject.kind", Code: "oneof", Param: "achievement demand", Value: string(ref.Kind)})
	}
	if errors.Is(err, ErrNotFound) {
		return subject{}, invalid(KindCase, FieldError{Field: "subject.id", Code: "ref", Value: ref.ID})
	}
	if err != nil {
		return subject{}, err
	}
	title := ""
	switch x := v.(type) {
	case Achievement:
		title = x.Title
	case Demand:
		title = x.Title
	}
	return subject{TargetOf(v), title}, nil
}

// GetCase returns a case the principal may read.
func (s *System) GetCase(ctx context.Context, p Principal, id string) (Case, error) {
	return NewLibrary[Case](s).Get(ctx, p, id)
}

// ListCases returns one page of the cases the principal may read, filtered
// by broker and stage (ListOptions.Stage is a CaseStage).
func (s *System) ListCases(ctx context.Context, p Principal, o ListOptions) (Page[Case], error) {
	return NewLibrary[Case](s).List(ctx, p, o)
}

// MoveCase moves a case to mv.To, checking the transition table, its guard,
// the principal and the version the caller read, and writes the new stage
// and a "stage" audit event (actor, time, StageEvent body with reason and
// evidence) in one transaction. On any error nothing is written.
//
// Errors: *TransitionError (ErrConflict for a move not in the table from the
// current stage, ErrInvalid for an unmet guard); ErrStale if the case
// changed since mv.Version; ErrForbidden unless the principal is a platform
// admin or on the handling broker's staff (a subject's owner may only
// withdraw); ErrInvalid for a missing version or oversized text.
func (s *System) MoveCase(ctx context.Context, p Principal, id string, mv CaseMove) (Case, error) {
	var out Case
	err := s.update(ctx, "move", KindCase, id, func(tx *Tx) (err error) {
		out, err = tx.MoveCase(p, id, mv)
		return err
	})
	return out, err
}

// MoveCase moves a case inside the transaction, for operations that must
// move it together with writes of their own: a deal's signing moves the
// case to Traded with DealRef set. Semantics are System.MoveCase's. The
// error is unwrapped: return it from the transaction's function so that
// nothing is kept.
func (tx *Tx) MoveCase(p Principal, id string, mv CaseMove) (Case, error) {
	c, err := Read[Case](tx, id)
	if err != nil {
		return Case{}, err
	}
	action := ActOperate
	if !CanDo(p, ActOperate, c) {
		if mv.To != StageWithdrawn || !CanDo(p, ActWithdraw, c) {
			return Case{}, forbidden("move", KindCase, id, "only platform admins and the handling broker's staff move a case")
		}
		action = ActWithdraw // the subject's owner takes it back
	}
	if mv.Version < 1 {
		return Case{}, invalid(KindCase, FieldError{Field: "version", Code: "required"})
	}
	if mv.Version != c.Version {
		return Case{}, tx.stale(KindCase, id, mv.Version, c.Version)
	}
	ev, err := normalizeMove(mv)
	if err != nil {
		return Case{}, err
	}
	if !mv.To.Valid() {
		return Case{}, invalid(KindCase, FieldError{Field: "to", Code: "oneof", Param: "collected … withdrawn", Value: string(mv.To)})
	}
	refuse := func(missing Guard, why string) (Case, error) {
		return Case{}, &TransitionError{Kind: KindCase, ID: id, From: string(c.Stage), To: string(mv.To), Missing: missing, Reason: why}
	}
	guard, ok := CaseMoveAllowed(c.Stage, mv.To)
	if !ok {
		return refuse(GuardNone, "not in the transition table")
	}
	verdict := c.Screening
	if ev.Verdict != nil {
		verdict = ev.Verdict
	}
	switch {
	case guard == GuardVerdict && (verdict == nil || !verdict.Passed):
		return refuse(guard, "needs a passing screening verdict")
	case guard == GuardListing && ev.ListingRef == "":
		return refuse(guard, "needs a listing reference")
	case guard == GuardDeal && ev.DealRef == "":
		return refuse(guard, "needs a deal reference")
	case guard == GuardReason && ev.Reason == "":
		return refuse(guard, "needs a reason")
	}
	ev.From = c.Stage
	subject := TargetOf(c)
	c.Stage, c.StageSince = mv.To, tx.Now()
	c.Screening = verdict
	if ev.ListingRef != "" {
		c.ListingRef = ev.ListingRef
	}
	if ev.DealRef != "" {
		c.DealRef = ev.DealRef
	}
	c.Reason = ev.Reason
	return Replace(tx, p, c, Via(action, subject), Logged(EventCaseStage, ev))
}

func normalizeMove(mv CaseMove) (StageEvent, error) {
	ev := StageEvent{To: mv.To, Reason: normMultiline(mv.Reason), Evidence: normList(mv.Evidence),
		ListingRef: normText(mv.ListingRef), DealRef: normText(mv.DealRef)}
	c := &Check{}
	checkText(c, "reason", ev.Reason, 2000)
	checkRefs(c, "evidence", ev.Evidence)
	checkText(c, "listing_ref", ev.ListingRef, 200)
	checkText(c, "deal_ref", ev.DealRef, 200)
	if ev.ListingRef != "" && mv.To != StageListed {
		c.Add("listing_ref", "invalid", "", "a listing reference goes with the move to listed")
	}
	if ev.DealRef != "" && mv.To != StageTraded {
		c.Add("deal_ref", "invalid", "", "a deal reference goes with the move to traded")
	}
	if mv.Verdict != nil {
		v := *mv.Verdict
		v.Panel = normList(v.Panel)
		v.Society, v.Summary, v.Ref = normText(v.Society), normMultiline(v.Summary), normText(v.Ref)
		if !v.Date.IsZero() {
			v.Date = v.Date.UTC().Truncate(time.Microsecond)
		}
		if v.Ref == "" {
			c.Add("verdict.ref", "required", "", "")
		}
		checkText(c, "verdict.ref", v.Ref, 200)
		checkText(c, "verdict.summary", v.Summary, 2000)
		checkText(c, "verdict.society", v.Society, 64)
		if len(v.Panel) > 50 {
			c.Add("verdict.panel", "max_len", "50", itoa(len(v.Panel)))
		}
		ev.Verdict = &v
	}
	return ev, c.Err(KindCase)
}

func checkMoveText(kind Kind, reason string, evidence []string) error {
	c := &Check{}
	checkText(c, "reason", reason, 2000)
	checkRefs(c, "evidence", evidence)
	return c.Err(kind)
}

// CaseForSubject returns the open case of a subject at a broker, inside
// the transaction; ErrNotFound if there is none.
func (tx *Tx) CaseForSubject(subject RecordRef, broker string) (Case, error) {
	cs, err := Find[Case](tx, PlatformAdmin("system"), ListOptions{Key: caseKey(subject, broker)})
	if err != nil {
		return Case{}, err
	}
	if len(cs) == 0 {
		return Case{}, ErrNotFound
	}
	return cs[0], nil
}

// CaseEvent is one entry of a case's history.
type CaseEvent struct {
	Seq   int64
	Type  string // EventCaseOpened, EventCaseStage or EventService
	Actor string
	Time  time.Time
	// Stage is set for "opened" and "stage" events.
	Stage *StageEvent
	// Service is set for "service" events.
	Service *DeliveredService
}

// CaseHistory returns a case's audit trail, oldest first.
func (s *System) CaseHistory(ctx context.Context, p Principal, id string) ([]CaseEvent, error) {
	if _, err := s.GetCase(ctx, p, id); err != nil {
		return nil, err
	}
	evs, err := s.Events(ctx, p, KindCase, id)
	if err != nil {
		return nil, err
	}
	out := make([]CaseEvent, 0, len(evs))
	for _, e := range evs {
		ce := CaseEvent{Seq: e.Seq, Type: e.Type, Actor: e.Actor, Time: e.Time}
		switch e.Type {
		case EventCaseOpened, EventCaseStage:
			ce.Stage = &StageEvent{}
			if err := json.Unmarshal(e.Body, ce.Stage); err != nil {
				return nil, wrap("case history", KindCase, id, err)
			}
		case EventService:
			ce.Service = &DeliveredService{}
			if err := json.Unmarshal(e.Body, ce.Service); err != nil {
				return nil, wrap("case history", KindCase, id, err)
			}
		}
		out = append(out, ce)
	}
	return out, nil
}

// Stale lists a broker's open cases with no event for at least days days
// (their Updated time, which every event sets, is that old), oldest first:
// the reminder list. The principal must be a platform admin or on that
// broker's staff.
func (s *System) Stale(ctx context.Context, p Principal, broker string, days int) ([]Case, error) {
	if !Can(p, ActOperate, DeskTarget(broker)) {
		return nil, forbidden("stale", KindCase, "", "only platform admins and the broker's own staff")
	}
	if days < 1 {
		return nil, wrap("stale", KindCase, "", &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "days", Code: "min", Param: "1", Value: itoa(days)}}})
	}
	cutoff := s.now().Add(-time.Duration(days) * 24 * time.Hour)
	all, err := NewLibrary[Case](s).Find(ctx, p, ListOptions{Broker: broker, UpdatedBefore: cutoff.Add(time.Microsecond)})
	if err != nil {
		return nil, wrap("stale", KindCase, "", err)
	}
	var out []Case
	for _, c := range all {
		if c.Stage.Open() {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Case) int { return a.Updated.Compare(b.Updated) })
	return out, nil
}
