package activity

import (
	"context"
	"errors"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// LeadKind says what an activity's outcome is.
type LeadKind string

// Lead kinds.
const (
	// LeadCase: the outcome opens a case for the subject at a broker.
	LeadCase LeadKind = "case"
	// LeadInterest: a party expressed interest in the subject (意向).
	LeadInterest LeadKind = "interest"
)

// Lead is an outcome of an activity (线索): an expression of interest in a
// featured achievement or demand, or a case opened for it. Meta.Broker is
// the broker of the case (by default the activity's). It is written only
// by RecordLead (GuardUpdate) and is confidential: seen by that broker's
// staff and platform admins.
type Lead struct {
	broker.Meta
	Activity string           `json:"activity" validate:"required,max=64"`
	Kind     LeadKind         `json:"kind" validate:"required,oneof=case interest"`
	Subject  broker.RecordRef `json:"subject"`
	// Party is the interested company or investor, a name or an
	// organization ID.
	Party   string `json:"party,omitempty" validate:"max=200" org:"ref"`
	Meeting string `json:"meeting,omitempty" validate:"max=64"` // the meeting it came from, if any
	Note    string `json:"note,omitempty" validate:"max=2000"`
	// Case is the case opened by a LeadCase lead.
	Case string `json:"case,omitempty" validate:"max=64"`
}

// RecordKind is KindLead.
func (Lead) RecordKind() broker.Kind { return KindLead }

// DedupKey indexes the activity (ListOptions.Key).
func (l Lead) DedupKey() string { return l.Activity }

// RecordStage indexes the lead's kind (ListOptions.Stage).
func (l Lead) RecordStage() string { return string(l.Kind) }

// Normalized folds the text; a lead is confidential.
func (l Lead) Normalized() Lead {
	l.Activity, l.Party, l.Meeting, l.Case = textnorm.Text(l.Activity), textnorm.Text(l.Party), textnorm.Text(l.Meeting), textnorm.Text(l.Case)
	l.Kind = LeadKind(textnorm.Enum(string(l.Kind)))
	l.Subject.ID = textnorm.Text(l.Subject.ID)
	l.Note = textnorm.Multiline(l.Note)
	l.Visibility = broker.Confidential
	return l
}

// Validate checks the subject: an achievement or a demand.
func (l Lead) Validate(c *broker.Check) {
	if l.Subject.Kind != broker.KindAchievement && l.Subject.Kind != broker.KindDemand {
		c.Add("subject.kind", "oneof", "achievement demand", string(l.Subject.Kind))
	}
	if l.Subject.ID == "" {
		c.Add("subject.id", "required", "", "")
	}
	if l.Case != "" && l.Kind != LeadCase {
		c.Add("case", "invalid", "", "only a case lead opens a case")
	}
}

// GuardUpdate keeps leads for RecordLead: a plain write creates none and
// changes neither the activity, the kind, the subject nor the case.
func (l Lead) GuardUpdate(stored Lead) []broker.FieldError {
	var out []broker.FieldError
	guard := func(field string, changed bool) {
		if changed {
			out = append(out, broker.FieldError{Field: field, Code: "guarded", Param: "RecordLead"})
		}
	}
	guard("activity", l.Activity != stored.Activity)
	guard("kind", l.Kind != stored.Kind)
	guard("subject", l.Subject != stored.Subject)
	guard("case", l.Case != stored.Case)
	return out
}

// caseEvent is the body of a lead's "case_opened" event.
type caseEvent struct {
	Case string `json:"case"`
}

// RecordLead records an activity's outcome. A LeadCase lead opens a case
// for its subject at l.Broker (default: the activity's broker) in the same
// transaction, with the case's Source naming the activity and the lead
// (broker.ErrExists if the subject has an open case there already). An
// interest lead needs an existing subject (broker.ErrInvalid otherwise).
// Organizers only.
func (pl *Platform) RecordLead(ctx context.Context, p broker.Principal, activityID string, l Lead) (Lead, error) {
	var out Lead
	err := pl.sys.Update(ctx, func(tx *broker.Tx) (err error) {
		out, err = pl.RecordLeadTx(tx, p, activityID, l)
		return err
	})
	return out, broker.Wrap("record lead", KindActivity, activityID, err)
}

// RecordLeadTx records a lead inside the caller's transaction, for
// operations that write a lead together with records of their own (an
// investment intent recorded at a roadshow, package capital). Semantics are
// RecordLead's. The error is unwrapped: return it from the transaction's
// function so that nothing is kept.
func (pl *Platform) RecordLeadTx(tx *broker.Tx, p broker.Principal, activityID string, l Lead) (Lead, error) {
	a, err := broker.Read[Activity](tx, activityID)
	if err != nil {
		return Lead{}, err
	}
	on := broker.TargetOf(a)
	if !organizes(p, a) {
		return Lead{}, broker.Forbidden("record lead", KindActivity, activityID, "organizers only")
	}
	l.Broker = textnorm.Text(l.Broker)
	if l.Broker == "" {
		l.Broker = a.Broker
	}
	l.Meta = broker.Meta{Broker: l.Broker, Visibility: broker.Confidential}
	l.Activity, l.Case = a.ID, ""
	out, err := broker.Create(tx, p, l, broker.Via(broker.ActOperate, on), broker.Logged("recorded", nil))
	if err != nil {
		return Lead{}, err
	}
	if out.Kind != LeadCase {
		return out, subjectExists(tx, out.Subject)
	}
	c, err := tx.OpenCase(p, broker.NewCase{Subject: out.Subject, Broker: out.Broker,
		Reason: "lead from activity " + a.ID, Source: broker.CaseSource{Activity: a.ID, Lead: out.ID}})
	if err != nil {
		return Lead{}, err
	}
	out.Case = c.ID
	return broker.Replace(tx, p, out, broker.Via(broker.ActOperate, on), broker.Logged("case_opened", caseEvent{Case: c.ID}))
}

// subjectExists refuses a reference to a missing achievement or demand.
func subjectExists(tx *broker.Tx, ref broker.RecordRef) error {
	var err error
	switch ref.Kind {
	case broker.KindAchievement:
		_, err = broker.Read[broker.Achievement](tx, ref.ID)
	case broker.KindDemand:
		_, err = broker.Read[broker.Demand](tx, ref.ID)
	}
	if errors.Is(err, broker.ErrNotFound) {
		return invalid(KindLead, "subject.id", "ref", ref.ID)
	}
	return err
}

// Conversion is an activity's funnel: registrations → meetings → leads →
// cases, so each activity's outcome is measurable.
type Conversion struct {
	Activity          string
	Registrations     int
	MeetingsRequested int
	MeetingsAccepted  int // accepted (scheduled or not)
	MeetingsScheduled int
	Leads             int // all leads
	Interests         int // leads of kind interest
	CasesOpened       int // leads of kind case
	// CasesAdvanced counts opened cases now past Collected and not
	// rejected or withdrawn.
	CasesAdvanced int
	// CasesTraded counts opened cases that reached a deal (Traded,
	// Incubating or Closed with a deal reference).
	CasesTraded int
}

// Conversion computes an activity's funnel. Organizers only.
func (pl *Platform) Conversion(ctx context.Context, p broker.Principal, activityID string) (Conversion, error) {
	a, err := pl.Activities.Get(ctx, p, activityID)
	if err != nil {
		return Conversion{}, err
	}
	if !organizes(p, a) {
		return Conversion{}, broker.Forbidden("conversion", KindActivity, activityID, "organizers only")
	}
	cv, err := pl.conversion(ctx, a.ID)
	return cv, broker.Wrap("conversion", KindActivity, activityID, err)
}

// conversion counts an activity's funnel; the caller has checked access.
func (pl *Platform) conversion(ctx context.Context, activityID string) (Conversion, error) {
	cv := Conversion{Activity: activityID}
	on := broker.ListOptions{Key: activityID}
	regs, err := pl.Registrations.Find(ctx, reader, on)
	if err != nil {
		return cv, err
	}
	cv.Registrations = len(regs)
	ms, err := pl.Meetings.Find(ctx, reader, on)
	if err != nil {
		return cv, err
	}
	for _, m := range ms {
		cv.MeetingsRequested++
		if m.Status == MeetingAccepted {
			cv.MeetingsAccepted++
			if m.Slot > 0 {
				cv.MeetingsScheduled++
			}
		}
	}
	leads, err := pl.Leads.Find(ctx, reader, on)
	if err != nil {
		return cv, err
	}
	for _, l := range leads {
		cv.Leads++
		if l.Kind == LeadInterest {
			cv.Interests++
			continue
		}
		cv.CasesOpened++
		c, err := pl.sys.GetCase(ctx, reader, l.Case)
		if errors.Is(err, broker.ErrNotFound) {
			continue
		}
		if err != nil {
			return cv, err
		}
		if c.Stage != broker.StageCollected && c.Stage != broker.StageRejected && c.Stage != broker.StageWithdrawn {
			cv.CasesAdvanced++
		}
		if c.DealRef != "" && (c.Stage == broker.StageTraded || c.Stage == broker.StageIncubating || c.Stage == broker.StageClosed) {
			cv.CasesTraded++
		}
	}
	return cv, nil
}
