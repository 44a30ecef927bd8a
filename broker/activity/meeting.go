package activity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// MeetingStatus is the state of a 1:1 meeting request.
type MeetingStatus string

// Meeting statuses.
const (
	MeetingRequested MeetingStatus = "requested"
	MeetingAccepted  MeetingStatus = "accepted"
	MeetingDeclined  MeetingStatus = "declined"
)

// Meeting is a 1:1 meeting (对接洽谈) between two registered participants
// of an activity, b2match style: requested by one, accepted or declined by
// the other, and once accepted placed into a time slot by
// ScheduleMeetings. Its ID is derived from the activity, the pair and the
// pair's earlier meetings, so a pair has one standing meeting at most even
// when both ask at once. It is written only by those operations (GuardUpdate)
// and is confidential: seen by its requester, the activity's organizers
// and platform admins (the invitee sees it in its Agenda once scheduled).
type Meeting struct {
	broker.Meta
	Activity  string        `json:"activity" validate:"required,max=64"`
	Requester string        `json:"requester" validate:"required,max=64"`
	Invitee   string        `json:"invitee" validate:"required,max=64"`
	Note      string        `json:"note,omitempty" validate:"max=2000"`
	Status    MeetingStatus `json:"status" validate:"required,oneof=requested accepted declined"`
	// Slot is the 1-based slot number once scheduled, 0 before.
	Slot  int       `json:"slot,omitempty" validate:"min=0"`
	Table int       `json:"table,omitempty" validate:"min=0"` // 1-based table within the slot
	Start time.Time `json:"start,omitzero"`                   // the slot's start
}

// RecordKind is KindMeeting.
func (Meeting) RecordKind() broker.Kind { return KindMeeting }

// DedupKey indexes the activity (ListOptions.Key).
func (m Meeting) DedupKey() string { return m.Activity }

// RecordStage indexes the status (ListOptions.Stage).
func (m Meeting) RecordStage() string { return string(m.Status) }

// Normalized folds the text; a meeting is confidential.
func (m Meeting) Normalized() Meeting {
	m.Activity, m.Requester, m.Invitee = textnorm.Text(m.Activity), textnorm.Text(m.Requester), textnorm.Text(m.Invitee)
	m.Note = textnorm.Multiline(m.Note)
	m.Status = MeetingStatus(textnorm.Enum(string(m.Status)))
	m.Start = utcMicro(m.Start)
	m.Visibility = broker.Confidential
	return m
}

// Validate checks that the two participants differ and that a slot goes
// with an accepted meeting.
func (m Meeting) Validate(c *broker.Check) {
	if m.Requester != "" && m.Requester == m.Invitee {
		c.Add("invitee", "invalid", "", "another participant than the requester")
	}
	if m.Slot > 0 && m.Status != MeetingAccepted {
		c.Add("slot", "invalid", "", "only an accepted meeting has a slot")
	}
	if (m.Slot > 0) != !m.Start.IsZero() || (m.Slot > 0) != (m.Table > 0) {
		c.Add("slot", "invalid", "", "slot, table and start go together")
	}
}

// GuardUpdate keeps meetings for their operations: a plain write creates
// none, and changes neither the activity, the pair, the status
// (RespondMeeting) nor the slot (ScheduleMeetings).
func (m Meeting) GuardUpdate(stored Meeting) []broker.FieldError {
	var out []broker.FieldError
	guard := func(field, op string, changed bool) {
		if changed {
			out = append(out, broker.FieldError{Field: field, Code: "guarded", Param: op})
		}
	}
	guard("activity", "RequestMeeting", m.Activity != stored.Activity)
	guard("requester", "RequestMeeting", m.Requester != stored.Requester)
	guard("invitee", "RequestMeeting", m.Invitee != stored.Invitee)
	guard("status", "RespondMeeting", m.Status != stored.Status)
	guard("slot", "ScheduleMeetings", m.Slot != stored.Slot || m.Table != stored.Table || !m.Start.Equal(stored.Start))
	return out
}

// Involves reports whether the participant is one of the meeting's two.
func (m Meeting) Involves(participant string) bool {
	return m.Requester == participant || m.Invitee == participant
}

// organizes reports whether the policy lets p run the activity.
func organizes(p broker.Principal, a Activity) bool { return broker.CanDo(p, broker.ActOperate, a) }

// RequestMeeting asks for a 1:1 meeting between the principal and another
// registered participant of the activity. The principal must be registered
// (broker.ErrForbidden otherwise) and so must the invitee (broker.ErrInvalid,
// field invitee); a pair has at most one requested or accepted meeting per
// activity (broker.ErrExists), also when both ask at once.
func (pl *Platform) RequestMeeting(ctx context.Context, p broker.Principal, activityID, invitee, note string) (Meeting, error) {
	invitee = textnorm.Text(invitee)
	if invitee == "" || invitee == p.ID {
		err := invalid(KindMeeting, "invitee", "invalid", "another registered participant")
		return Meeting{}, broker.Wrap("request meeting", KindActivity, activityID, err)
	}
	var out Meeting
	err := pl.sys.Update(ctx, func(tx *broker.Tx) error {
		a, err := broker.Get[Activity](tx, p, activityID)
		if err != nil {
			return err
		}
		for _, who := range []string{p.ID, invitee} {
			if _, err := broker.Read[Registration](tx, registrationID(a.ID, who)); errors.Is(err, broker.ErrNotFound) {
				if who == p.ID {
					return broker.Forbidden("request meeting", KindActivity, a.ID, "only registered participants request meetings")
				}
				return invalid(KindMeeting, "invitee", "ref", who)
			} else if err != nil {
				return err
			}
		}
		ms, err := broker.Find[Meeting](tx, reader, broker.ListOptions{Key: a.ID})
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Involves(p.ID) && m.Involves(invitee) && m.Status != MeetingDeclined {
				return pairExists(m.ID)
			}
		}
		// The ID is derived from the pair and its earlier (declined)
		// meetings, so that two requests of one pair racing each other
		// name the same record and the store lets one of them in; one that
		// finds the other's meeting committed meanwhile refuses here.
		id := ""
		for n := 0; id == ""; n++ {
			cand := meetingID(a.ID, p.ID, invitee, n)
			m, err := broker.Read[Meeting](tx, cand)
			switch {
			case errors.Is(err, broker.ErrNotFound):
				id = cand
			case err != nil:
				return err
			case m.Status != MeetingDeclined:
				return pairExists(m.ID)
			}
		}
		m := Meeting{Meta: broker.Meta{ID: id, Broker: a.Broker}, Activity: a.ID, Requester: p.ID, Invitee: invitee, Note: note, Status: MeetingRequested}
		out, err = broker.Create(tx, p, m, broker.Via(broker.ActTakePart, broker.TargetOf(a)), broker.Logged("requested", nil))
		return err
	})
	return out, broker.Wrap("request meeting", KindActivity, activityID, err)
}

// pairExists is the error of a request for a pair that has a meeting.
func pairExists(id string) error {
	return &broker.Error{Op: "request meeting", Kind: KindMeeting, ID: id, Code: broker.ErrExists,
		Err: errors.New("the pair already has a meeting at this activity")}
}

// meetingID is the ID of the n-th meeting (from 0) of a pair of
// participants at an activity, whichever of the two requests it.
func meetingID(activity, x, y string, n int) string {
	if y < x {
		x, y = y, x
	}
	h := sha256.Sum256([]byte(activity + "\x1f" + x + "\x1f" + y + "\x1f" + strconv.Itoa(n)))
	return "mtg-" + hex.EncodeToString(h[:12])
}

// RespondMeeting accepts or declines a requested meeting. Only the invitee
// (or an organizer) responds; a meeting answered already gives a
// *broker.TransitionError (broker.ErrConflict).
func (pl *Platform) RespondMeeting(ctx context.Context, p broker.Principal, meetingID string, accept bool) (Meeting, error) {
	var out Meeting
	err := pl.sys.Update(ctx, func(tx *broker.Tx) error {
		m, err := broker.Read[Meeting](tx, meetingID)
		if err != nil {
			return err
		}
		a, err := broker.Read[Activity](tx, m.Activity)
		if err != nil {
			return err
		}
		on := broker.TargetOf(a)
		action := broker.ActOperate
		if p.ID != "" && p.ID == m.Invitee {
			action = broker.ActTakePart
		} else if !organizes(p, a) {
			return broker.Forbidden("respond meeting", KindMeeting, meetingID, "only the invitee or an organizer responds")
		}
		to := MeetingDeclined
		if accept {
			to = MeetingAccepted
		}
		if m.Status != MeetingRequested {
			return &broker.TransitionError{Kind: KindMeeting, ID: meetingID, From: string(m.Status), To: string(to), Reason: "answered already"}
		}
		m.Status = to
		out, err = broker.Replace(tx, p, m, broker.Via(action, on), broker.Logged(string(to), nil))
		return err
	})
	return out, broker.Wrap("respond meeting", KindMeeting, meetingID, err)
}

// Schedule is the result of ScheduleMeetings.
type Schedule struct {
	// Meetings are all scheduled meetings of the activity, by slot, table.
	Meetings []Meeting
	// Placed are the meetings this call placed.
	Placed []string
	// Unplaced are accepted meetings that found no slot in which both
	// participants are free and a table is available.
	Unplaced []string
}

// slotEvent is the body of a meeting's "scheduled" event.
type slotEvent struct {
	Slot  int       `json:"slot"`
	Table int       `json:"table"`
	Start time.Time `json:"start"`
}

// ScheduleMeetings places the activity's accepted, unscheduled meetings
// into time slots, in one transaction (see Activity.Slots). It is
// deterministic and greedy: meetings in order of request (then of ID)
// each take the earliest slot in which neither participant already has a
// meeting and a table is free. Meetings scheduled earlier keep their slots. No
// participant is ever double-booked. Organizers only.
func (pl *Platform) ScheduleMeetings(ctx context.Context, p broker.Principal, activityID string) (Schedule, error) {
	var out Schedule
	err := pl.sys.Update(ctx, func(tx *broker.Tx) error {
		out = Schedule{}
		a, err := broker.Read[Activity](tx, activityID)
		if err != nil {
			return err
		}
		on := broker.TargetOf(a)
		if !organizes(p, a) {
			return broker.Forbidden("schedule", KindActivity, activityID, "organizers only")
		}
		ms, err := broker.Find[Meeting](tx, reader, broker.ListOptions{Key: a.ID})
		if err != nil {
			return err
		}
		placed := place(a, ms)
		for i := range ms {
			m := ms[i]
			if placed[m.ID] {
				ev := slotEvent{Slot: m.Slot, Table: m.Table, Start: m.Start}
				if m, err = broker.Replace(tx, p, m, broker.Via(broker.ActOperate, on), broker.Logged("scheduled", ev)); err != nil {
					return err
				}
				out.Placed = append(out.Placed, m.ID)
			} else if m.Status == MeetingAccepted && m.Slot == 0 {
				out.Unplaced = append(out.Unplaced, m.ID)
			}
			if m.Slot > 0 {
				out.Meetings = append(out.Meetings, m)
			}
		}
		slices.SortFunc(out.Meetings, bySlot)
		return nil
	})
	return out, broker.Wrap("schedule", KindActivity, activityID, err)
}

func bySlot(x, y Meeting) int {
	if x.Slot != y.Slot {
		return x.Slot - y.Slot
	}
	return x.Table - y.Table
}

// Agenda returns a participant's scheduled meetings at an activity, by
// slot. The participant themself and the organizers may read it.
func (pl *Platform) Agenda(ctx context.Context, p broker.Principal, activityID, participant string) ([]Meeting, error) {
	a, err := pl.Activities.Get(ctx, p, activityID)
	if err != nil {
		return nil, err
	}
	participant = textnorm.Text(participant)
	if participant == "" {
		err := invalid(KindMeeting, "participant", "required", "")
		return nil, broker.Wrap("agenda", KindActivity, activityID, err)
	}
	if p.ID != participant && !organizes(p, a) {
		return nil, broker.Forbidden("agenda", KindActivity, activityID, "the participant or the organizers only")
	}
	ms, err := pl.Meetings.Find(ctx, reader, broker.ListOptions{Key: a.ID, Stage: string(MeetingAccepted)})
	if err != nil {
		return nil, broker.Wrap("agenda", KindActivity, activityID, err)
	}
	ms = slices.DeleteFunc(ms, func(m Meeting) bool { return m.Slot == 0 || !m.Involves(participant) })
	slices.SortFunc(ms, bySlot)
	return ms, nil
}
