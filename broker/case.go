package broker

import (
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
	kindSeats          Kind = "activity_seats"  // an activity's seat counter
)

// RecordRef points at a stored record.
type RecordRef struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id"`
}

func (r RecordRef) String() string { return string(r.Kind) + ":" + r.ID }

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
	Owners     []string          `json:"owners,omitempty"`
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

func (Case) kind() Kind                 { return KindCase }
func (c Case) getMeta() Meta            { return c.Meta }
func (c Case) withMeta(m Meta) Case     { c.Meta = m; return c }
func (c Case) stage() string            { return string(c.Stage) }
func (c Case) ownerOrgs() []string      { return c.Owners }
func (c Case) redactFor(Principal) Case { return c }
func (Case) columns() map[string]setter[Case] {
	return metaColumns(func(c *Case) *Meta { return &c.Meta })
}

// dedupKey indexes open cases by subject and broker, so that one subject
// has at most one open case per broker.
func (c Case) dedupKey() string {
	if !c.Stage.Open() {
		return ""
	}
	return caseKey(c.Subject, c.Broker)
}

func caseKey(subject RecordRef, broker string) string {
	return "case:" + subject.String() + "@" + broker
}

func (c Case) normalized() Case {
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

func (c Case) check(ch *checker, s *System) {
	if c.Subject.Kind != KindAchievement && c.Subject.Kind != KindDemand {
		ch.add("subject.kind", "oneof", "achievement demand", string(c.Subject.Kind))
	}
	if c.Subject.ID == "" {
		ch.add("subject.id", "required", "", "")
	}
	if c.Broker == "" {
		ch.add("broker", "required", "", "")
	}
	if !c.Stage.Valid() {
		ch.add("stage", "oneof", "collected … withdrawn", string(c.Stage))
	}
}

func (s *System) caseLib() *Library[Case] { return &Library[Case]{s: s} }

// canWorkCase reports whether p may change a case handled by broker:
// platform admins and that broker's staff.
func (p Principal) canWorkCase(broker string) bool {
	return p.Role == RolePlatformAdmin || (p.Role == RoleBrokerStaff && p.Broker != "" && p.Broker == broker)
}

// canMoveCase adds the owner's right to withdraw its own subject.
func (p Principal) canMoveCase(c Case, to CaseStage) bool {
	if p.canWorkCase(c.Broker) {
		return true
	}
	return to == StageWithdrawn && (p.Role == RoleInstitution || p.Role == RoleEnterprise) &&
		p.Org != "" && slices.Contains(c.Owners, p.Org)
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
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		var err error
		out, err = s.openCaseTx(ctx, tx, p, nc)
		return err
	})
	if err != nil {
		return Case{}, wrap("open case", KindCase, nc.Subject.String(), err)
	}
	return out, nil
}

// openCaseTx opens a case inside tx (see OpenCase).
func (s *System) openCaseTx(ctx context.Context, tx driver.Tx, p Principal, nc NewCase) (Case, error) {
	nc.Broker = normText(nc.Broker)
	if !p.canWorkCase(nc.Broker) {
		return Case{}, forbidden("open case", KindCase, "", "only platform admins and the broker's own staff open cases")
	}
	c := Case{Meta: Meta{Broker: nc.Broker, Visibility: nc.Visibility}, Subject: nc.Subject, Stage: StageCollected}
	ev := StageEvent{To: StageCollected, Reason: normMultiline(nc.Reason), Evidence: normList(nc.Evidence)}
	if err := checkMoveText(KindCase, ev.Reason, ev.Evidence); err != nil {
		return Case{}, err
	}
	c.Source = CaseSource{Activity: normText(nc.Source.Activity), Lead: normText(nc.Source.Lead)}
	lib := s.caseLib()
	c, err := lib.prepare(c)
	if err != nil {
		return Case{}, err
	}
	if _, err := tx.Get(ctx, string(KindBroker), c.Broker); errors.Is(err, ErrNotFound) {
		return Case{}, &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "broker", Code: "ref", Value: c.Broker}}}
	} else if err != nil {
		return Case{}, err
	}
	meta, owners, title, err := s.subjectTx(ctx, tx, c.Subject)
	if err != nil {
		return Case{}, err
	}
	if !p.canRead(meta, owners) {
		return Case{}, forbidden("open case", KindCase, "", "subject not visible to principal")
	}
	c.Owners, c.Title = owners, title
	if open, err := s.caseForSubjectTx(ctx, tx, c.Subject, c.Broker); err == nil {
		return Case{}, &Error{Op: "open case", Kind: KindCase, ID: open.ID, Code: ErrExists,
			Err: errors.New("the subject already has an open case at this broker")}
	} else if !errors.Is(err, ErrNotFound) {
		return Case{}, err
	}
	now := s.now()
	c = lib.stamp(p, c, now)
	c.StageSince = now
	rec, err := lib.record(c)
	if err != nil {
		return Case{}, err
	}
	if err := tx.Create(ctx, rec); err != nil {
		return Case{}, err
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return Case{}, err
	}
	if err := tx.Append(ctx, driver.Event{Kind: string(KindCase), RecordID: c.ID, Type: EventCaseOpened, Actor: p.ID, Time: now, Body: body}); err != nil {
		return Case{}, err
	}
	c.Version = 1
	return c, nil
}

// subjectTx reads an achievement or a demand for a case.
func (s *System) subjectTx(ctx context.Context, tx driver.Tx, ref RecordRef) (Meta, []string, string, error) {
	rec, err := tx.Get(ctx, string(ref.Kind), ref.ID)
	if errors.Is(err, ErrNotFound) {
		return Meta{}, nil, "", &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "subject.id", Code: "ref", Value: ref.ID}}}
	}
	if err != nil {
		return Meta{}, nil, "", err
	}
	switch ref.Kind {
	case KindAchievement:
		a, err := s.Achievements.decodeRecord(rec)
		return a.Meta, a.ownerOrgs(), a.Title, err
	case KindDemand:
		d, err := s.Demands.decodeRecord(rec)
		return d.Meta, d.ownerOrgs(), d.Title, err
	}
	return Meta{}, nil, "", &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "subject.kind", Code: "oneof", Param: "achievement demand", Value: string(ref.Kind)}}}
}

// GetCase returns a case the principal may read.
func (s *System) GetCase(ctx context.Context, p Principal, id string) (Case, error) {
	return s.caseLib().Get(ctx, p, id)
}

// ListCases returns one page of the cases the principal may read, filtered
// by broker and stage (ListOptions.Stage is a CaseStage).
func (s *System) ListCases(ctx context.Context, p Principal, o ListOptions) (Page[Case], error) {
	return s.caseLib().List(ctx, p, o)
}

// MoveCase moves a case to mv.To, checking the transition table, its guard,
// the principal and the version the caller read, and writes the new stage
// and a "stage" audit event (actor, time, StageEvent body with reason and
// evidence) in one transaction. On any error nothing is written.
//
// Errors: *TransitionError (ErrConflict for a move not in the table from the
// current stage, ErrInvalid for an unmet guard); ErrConflict if the case
// changed since mv.Version; ErrForbidden unless the principal is a platform
// admin or on the handling broker's staff (a subject's owner may only
// withdraw); ErrInvalid for a missing version or oversized text.
func (s *System) MoveCase(ctx context.Context, p Principal, id string, mv CaseMove) (Case, error) {
	if mv.Version < 1 {
		return Case{}, wrap("move", KindCase, id, &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "version", Code: "required"}}})
	}
	var out Case
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		var err error
		out, err = s.moveCaseTx(ctx, tx, p, id, mv)
		return err
	})
	if err != nil {
		return Case{}, wrap("move", KindCase, id, err)
	}
	return out, nil
}

// moveCaseTx moves a case inside the caller's transaction tx. It is the
// hook for other parts of this package (listings, deals) that must move a
// case in the same transaction as their own writes, e.g. a deal's signing
// moving the case to Traded with DealRef set:
//
//	c, err := s.moveCaseTx(ctx, tx, p, caseID, CaseMove{To: StageTraded, DealRef: dealID})
//
// Semantics are MoveCase's, except that mv.Version 0 means "the version
// stored now (as seen by tx)" — the transaction itself serializes the move.
// It checks access, the table and the guard, replaces the case record
// (version-checked) and appends the "stage" event through tx; it returns an
// unwrapped error (a *TransitionError, *ValidationError, forbidden *Error,
// ErrConflict or ErrNotFound) which the caller's transaction should return
// so that nothing is kept. Use caseForSubjectTx to find the open case of a
// subject.
func (s *System) moveCaseTx(ctx context.Context, tx driver.Tx, p Principal, id string, mv CaseMove) (Case, error) {
	rec, err := tx.Get(ctx, string(KindCase), id)
	if err != nil {
		return Case{}, err
	}
	c, err := s.decodeCase(rec)
	if err != nil {
		return Case{}, err
	}
	if !p.canMoveCase(c, mv.To) {
		return Case{}, forbidden("move case", KindCase, id, "only platform admins and the handling broker's staff move a case")
	}
	if mv.Version != 0 && mv.Version != rec.Version {
		return Case{}, ErrConflict
	}
	ev, err := normalizeMove(mv)
	if err != nil {
		return Case{}, err
	}
	if !mv.To.Valid() {
		return Case{}, &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "to", Code: "oneof", Param: "collected … withdrawn", Value: string(mv.To)}}}
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
	now := s.now()
	ev.From = c.Stage
	c.Stage, c.StageSince, c.Updated = mv.To, now, now
	c.Screening = verdict
	if ev.ListingRef != "" {
		c.ListingRef = ev.ListingRef
	}
	if ev.DealRef != "" {
		c.DealRef = ev.DealRef
	}
	c.Reason = ev.Reason
	c.Version = rec.Version
	if err := s.writeCaseTx(ctx, tx, p, &c, EventCaseStage, ev); err != nil {
		return Case{}, err
	}
	return c, nil
}

// writeCaseTx replaces the case (its Version is the version read, and
// becomes the new version) and appends an event with body, at c.Updated.
func (s *System) writeCaseTx(ctx context.Context, tx driver.Tx, p Principal, c *Case, typ string, body any) error {
	// appendCase writes what Library.record would, faster (casecodec.go).
	enc, err := appendCase(make([]byte, 0, 512), c)
	if err != nil {
		return err
	}
	rec := driver.Record{Kind: string(KindCase), ID: c.ID, Version: c.Version, Broker: c.Broker, Stage: c.stage(),
		Key: c.dedupKey(), Created: c.Created, Updated: c.Updated, Body: enc}
	ver, err := tx.Replace(ctx, rec)
	if err != nil {
		return err
	}
	s.cases.put(c.ID, rec.Body, *c)
	c.Version = ver
	var b []byte
	if ev, ok := body.(StageEvent); ok {
		b, err = appendStageEvent(make([]byte, 0, 128), &ev)
	} else {
		b, err = json.Marshal(body)
	}
	if err != nil {
		return err
	}
	return tx.Append(ctx, driver.Event{Kind: string(KindCase), RecordID: c.ID, Type: typ, Actor: p.ID, Time: c.Updated, Body: b})
}

func normalizeMove(mv CaseMove) (StageEvent, error) {
	ev := StageEvent{To: mv.To, Reason: normMultiline(mv.Reason), Evidence: normList(mv.Evidence),
		ListingRef: normText(mv.ListingRef), DealRef: normText(mv.DealRef)}
	c := &checker{}
	checkText(c, "reason", ev.Reason, 2000)
	checkRefs(c, "evidence", ev.Evidence)
	checkText(c, "listing_ref", ev.ListingRef, 200)
	checkText(c, "deal_ref", ev.DealRef, 200)
	if ev.ListingRef != "" && mv.To != StageListed {
		c.add("listing_ref", "invalid", "", "a listing reference goes with the move to listed")
	}
	if ev.DealRef != "" && mv.To != StageTraded {
		c.add("deal_ref", "invalid", "", "a deal reference goes with the move to traded")
	}
	if mv.Verdict != nil {
		v := *mv.Verdict
		v.Panel = normList(v.Panel)
		v.Society, v.Summary, v.Ref = normText(v.Society), normMultiline(v.Summary), normText(v.Ref)
		if !v.Date.IsZero() {
			v.Date = v.Date.UTC().Truncate(time.Microsecond)
		}
		if v.Ref == "" {
			c.add("verdict.ref", "required", "", "")
		}
		checkText(c, "verdict.ref", v.Ref, 200)
		checkText(c, "verdict.summary", v.Summary, 2000)
		checkText(c, "verdict.society", v.Society, 64)
		if len(v.Panel) > 50 {
			c.add("verdict.panel", "max_len", "50", itoa(len(v.Panel)))
		}
		ev.Verdict = &v
	}
	return ev, c.err(KindCase)
}

func checkMoveText(kind Kind, reason string, evidence []string) error {
	c := &checker{}
	checkText(c, "reason", reason, 2000)
	checkRefs(c, "evidence", evidence)
	return c.err(kind)
}

func checkText(c *checker, field, s string, max int) {
	if len(s) > max && len([]rune(s)) > max {
		c.add(field, "max_len", itoa(max), s)
	}
}

func checkRefs(c *checker, field string, refs []string) {
	if len(refs) > 50 {
		c.add(field, "max_len", "50", itoa(len(refs)))
	}
	for i, r := range refs {
		checkText(c, field+"["+itoa(i)+"]", r, 500)
	}
}

// caseForSubjectTx returns the open case of a subject at a broker, inside
// tx; ErrNotFound if there is none.
func (s *System) caseForSubjectTx(ctx context.Context, tx driver.Tx, subject RecordRef, broker string) (Case, error) {
	recs, err := tx.List(ctx, driver.Query{Kind: string(KindCase), Key: caseKey(subject, broker), Limit: 1})
	if err != nil {
		return Case{}, err
	}
	if len(recs) == 0 {
		return Case{}, ErrNotFound
	}
	return s.caseLib().decodeRecord(recs[0])
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
	evs, err := s.store.Events(ctx, driver.EventQuery{Kind: string(KindCase), RecordID: id})
	if err != nil {
		return nil, wrap("case history", KindCase, id, err)
	}
	out := make([]CaseEvent, 0, len(evs))
	for _, e := range evs {
		ce := CaseEvent{Seq: e.Seq, Type: e.Type, Actor: e.Actor, Time: e.Time}
		switch e.Type {
		case EventCaseOpened, EventCaseStage:
			ce.Stage = &StageEvent{}
			if err := decode(e.Body, ce.Stage); err != nil {
				return nil, wrap("case history", KindCase, id, err)
			}
		case EventService:
			ce.Service = &DeliveredService{}
			if err := decode(e.Body, ce.Service); err != nil {
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
	if !p.canWorkCase(broker) {
		return nil, forbidden("stale", KindCase, "", "only platform admins and the broker's own staff")
	}
	if days < 1 {
		return nil, wrap("stale", KindCase, "", &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "days", Code: "min", Param: "1", Value: itoa(days)}}})
	}
	cutoff := s.now().Add(-time.Duration(days) * 24 * time.Hour)
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindCase), Broker: broker, UpdatedBefore: cutoff.Add(time.Microsecond)})
	if err != nil {
		return nil, wrap("stale", KindCase, "", err)
	}
	var out []Case
	for _, r := range recs {
		c, err := s.caseLib().decodeRecord(r)
		if err != nil {
			return nil, wrap("stale", KindCase, r.ID, err)
		}
		if c.Stage.Open() {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Case) int { return a.Updated.Compare(b.Updated) })
	return out, nil
}
