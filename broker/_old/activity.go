package broker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// ActivityKind is the kind of an activity of the activity platform.
type ActivityKind string

// Activity kinds.
const (
	Roadshow        ActivityKind = "roadshow"         // 路演
	Seminar         ActivityKind = "seminar"          // 研讨会
	InvestmentSalon ActivityKind = "investment_salon" // 投资沙龙
	Training        ActivityKind = "training"         // 培训
	Matchmaking     ActivityKind = "matchmaking"      // 对接会
)

// ErrFull is returned when an activity has no seat left. It matches
// ErrConflict too (the request conflicts with the activity's state).
var ErrFull = fmt.Errorf("activity is full: %w", ErrConflict)

// Activity is an event of the activity platform (科创中国活动平台): a
// roadshow, seminar, investment salon, training or matchmaking meeting,
// organized by an industry broker (Meta.Broker) or the platform. Capacity
// bounds registrations (Register never over-books); meetings are placed in
// slots of SlotMinutes between Start and End, at most Tables at a time.
type Activity struct {
	Meta
	Kind        ActivityKind `json:"kind" validate:"required,oneof=roadshow seminar investment_salon training matchmaking"`
	Title       string       `json:"title" validate:"required,max=300"`
	Description string       `json:"description,omitempty" validate:"max=20000"`
	Venue       string       `json:"venue,omitempty" validate:"max=200"`
	Start       time.Time    `json:"start"`
	End         time.Time    `json:"end"`
	Capacity    int          `json:"capacity" validate:"min=1,max=1000000"`
	// SlotMinutes is the length of a 1:1 meeting slot; 0 means 30.
	SlotMinutes int `json:"slot_minutes,omitempty" validate:"min=0,max=480"`
	// Tables is how many meetings can run in one slot; 0 means no limit.
	Tables int `json:"tables,omitempty" validate:"min=0,max=10000"`
	// Featured are the achievements and demands presented.
	Featured []RecordRef `json:"featured,omitempty" validate:"max=500"`
}

func (Activity) kind() Kind                     { return KindActivity }
func (a Activity) getMeta() Meta                { return a.Meta }
func (a Activity) withMeta(m Meta) Activity     { a.Meta = m; return a }
func (a Activity) stage() string                { return string(a.Kind) }
func (a Activity) dedupKey() string             { return "" }
func (a Activity) ownerOrgs() []string          { return nil }
func (a Activity) redactFor(Principal) Activity { return a }
func (Activity) columns() map[string]setter[Activity] {
	return withColumns(metaColumns(func(a *Activity) *Meta { return &a.Meta }), map[string]setter[Activity]{
		"kind":  func(a *Activity, s string, c *checker) { a.Kind = ActivityKind(lowerASCII(normText(s))) },
		"title": func(a *Activity, s string, c *checker) { a.Title = s },
		"venue": func(a *Activity, s string, c *checker) { a.Venue = s },
		"start": func(a *Activity, s string, c *checker) { a.Start = setDate(c, "start", s) },
		"end":   func(a *Activity, s string, c *checker) { a.End = setDate(c, "end", s) },
		"capacity": func(a *Activity, s string, c *checker) {
			a.Capacity = setInt(c, "capacity", s)
		},
	})
}

func (a Activity) normalized() Activity {
	a.Meta.normalize()
	a.Kind = ActivityKind(normEnum(string(a.Kind)))
	a.Title, a.Venue = normText(a.Title), normText(a.Venue)
	a.Description = normMultiline(a.Description)
	a.Start = a.Start.UTC().Truncate(time.Microsecond)
	a.End = a.End.UTC().Truncate(time.Microsecond)
	if a.Featured != nil {
		fs := make([]RecordRef, 0, len(a.Featured))
		for _, f := range a.Featured {
			f.ID = normText(f.ID)
			if !slices.Contains(fs, f) {
				fs = append(fs, f)
			}
		}
		a.Featured = fs
	}
	return a
}

func (a Activity) check(c *checker, s *System) {
	if a.Start.IsZero() {
		c.add("start", "required", "", "")
	}
	if !a.End.After(a.Start) {
		c.add("end", "range_order", "start "+a.Start.Format(time.RFC3339), a.End.Format(time.RFC3339))
	}
	for i, f := range a.Featured {
		if f.Kind != KindAchievement && f.Kind != KindDemand {
			c.add("featured["+itoa(i)+"].kind", "oneof", "achievement demand", string(f.Kind))
		}
		if f.ID == "" {
			c.add("featured["+itoa(i)+"].id", "required", "", "")
		}
	}
}

// Slots returns the number of meeting slots between Start and End.
func (a Activity) Slots() int {
	return int(a.End.Sub(a.Start) / a.slotLen())
}

// SlotStart returns the start of slot n (1-based).
func (a Activity) SlotStart(n int) time.Time { return a.Start.Add(time.Duration(n-1) * a.slotLen()) }

func (a Activity) slotLen() time.Duration {
	if a.SlotMinutes <= 0 {
		return 30 * time.Minute
	}
	return time.Duration(a.SlotMinutes) * time.Minute
}

// organizes reports whether p runs the activity: a platform admin, or staff
// of its broker.
func (p Principal) organizes(a Activity) bool {
	return p.Role == RolePlatformAdmin || (p.Role == RoleBrokerStaff && p.Broker != "" && p.Broker == a.Broker)
}

// Registration is one participant's seat at an activity. Its ID is derived
// from the activity and the participant, so a participant registers once.
type Registration struct {
	Meta
	Activity    string `json:"activity"`
	Participant string `json:"participant"` // the participant's principal ID
	Org         string `json:"org,omitempty"`
	Name        string `json:"name,omitempty"`
	// Role says what the participant comes for, e.g. "offer", "seek",
	// "invest", "observe".
	Role string `json:"role,omitempty"`
}

func registrationID(activity, participant string) string {
	h := sha256.Sum256([]byte(activity + "\x1f" + participant))
	return "reg-" + hex.EncodeToString(h[:12])
}

type seats struct {
	Taken int `json:"taken"`
}

// Register gives a participant a seat at an activity. An empty
// r.Participant means the principal itself; registering someone else is for
// the organizers. The seat count and the registration are written in one
// transaction, version-checked against concurrent registrations (retried on
// conflict), so an activity never has more registrations than Capacity.
// ErrFull (also ErrConflict) when no seat is left; ErrExists if the
// participant is registered already; a *TransitionError (ErrConflict) once
// the activity has ended.
func (s *System) Register(ctx context.Context, p Principal, activityID string, r Registration) (Registration, error) {
	if p.anonymous() {
		return Registration{}, forbidden("register", KindActivity, activityID, "sign in to register")
	}
	r.Participant, r.Org, r.Name, r.Role = normText(r.Participant), normText(r.Org), normText(r.Name), normText(r.Role)
	if r.Participant == "" {
		r.Participant = p.ID
		if r.Org == "" {
			r.Org = p.Org
		}
	}
	ch := &checker{}
	if r.Participant == "" {
		ch.add("participant", "required", "", "")
	}
	checkText(ch, "participant", r.Participant, 64)
	checkText(ch, "org", r.Org, 200)
	checkText(ch, "name", r.Name, 64)
	checkText(ch, "role", r.Role, 32)
	if err := ch.err(KindRegistration); err != nil {
		return Registration{}, wrap("register", KindActivity, activityID, err)
	}
	for attempt := 0; ; attempt++ {
		out, err := s.registerOnce(ctx, p, activityID, r)
		var te *TransitionError
		if err != nil && errors.Is(err, ErrConflict) && !errors.Is(err, ErrFull) && !errors.As(err, &te) && attempt < 100 && ctx.Err() == nil {
			continue // a concurrent registration changed the seat counter: retry
		}
		return out, wrap("register", KindActivity, activityID, err)
	}
}

func (s *System) registerOnce(ctx context.Context, p Principal, activityID string, r Registration) (Registration, error) {
	var out Registration
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		a, _, err := s.activityTx(ctx, tx, activityID)
		if err != nil {
			return err
		}
		if r.Participant != p.ID && !p.organizes(a) {
			return forbidden("register", KindActivity, activityID, "only organizers register someone else")
		}
		if !p.canRead(a.Meta, nil) {
			return forbidden("register", KindActivity, activityID, "activity not visible to principal")
		}
		now := s.now()
		if !now.Before(a.End) {
			return &TransitionError{Kind: KindActivity, ID: activityID, From: "ended", To: "registered", Reason: "the activity has ended"}
		}
		id := registrationID(activityID, r.Participant)
		if _, err := tx.Get(ctx, string(KindRegistration), id); err == nil {
			return &Error{Op: "register", Kind: KindRegistration, ID: id, Code: ErrExists, Err: errors.New("already registered")}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		seat := driver.Record{Kind: string(kindSeats), ID: activityID, Broker: a.Broker, Created: now, Updated: now}
		var n seats
		cur, err := tx.Get(ctx, string(kindSeats), activityID)
		switch {
		case err == nil:
			if err := decode(cur.Body, &n); err != nil {
				return err
			}
			seat.Version, seat.Created = cur.Version, cur.Created
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if n.Taken >= a.Capacity {
			return ErrFull
		}
		n.Taken++
		seat.Body, _ = json.Marshal(n)
		if seat.Version == 0 {
			if err := tx.Create(ctx, seat); errors.Is(err, ErrExists) {
				return ErrConflict // a concurrent first registration: retry
			} else if err != nil {
				return err
			}
		} else if _, err := tx.Replace(ctx, seat); err != nil {
			return err
		}
		r.Meta = Meta{ID: id, Broker: a.Broker, Visibility: Confidential, Created: now, Updated: now, Provenance: Provenance{AddedBy: r.Participant}}
		r.Activity = activityID
		if err := s.putTx(ctx, tx, p, KindRegistration, &r.Meta, activityID, "registered", r, true); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// putTx creates (create) or replaces a plain platform record with Key key
// and writes an event of type typ; it sets m.Version to the stored version.
func (s *System) putTx(ctx context.Context, tx driver.Tx, p Principal, kind Kind, m *Meta, key, typ string, v any, create bool) error {
	return s.putStageTx(ctx, tx, p, kind, m, key, "", typ, v, create)
}

func (s *System) putStageTx(ctx context.Context, tx driver.Tx, p Principal, kind Kind, m *Meta, key, stage, typ string, v any, create bool) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	rec := driver.Record{Kind: string(kind), ID: m.ID, Version: m.Version, Broker: m.Broker, Stage: stage, Key: key,
		Created: m.Created, Updated: m.Updated, Body: body}
	if create {
		if err := tx.Create(ctx, rec); err != nil {
			return err
		}
		m.Version = 1
	} else {
		ver, err := tx.Replace(ctx, rec)
		if err != nil {
			return err
		}
		m.Version = ver
	}
	return tx.Append(ctx, driver.Event{Kind: string(kind), RecordID: m.ID, Type: typ, Actor: p.ID, Time: m.Updated})
}

func (s *System) activityTx(ctx context.Context, tx driver.Tx, id string) (Activity, int64, error) {
	rec, err := tx.Get(ctx, string(KindActivity), id)
	if err != nil {
		return Activity{}, 0, err
	}
	a, err := s.Activities.decodeRecord(rec)
	return a, rec.Version, err
}

// Seats returns how many seats of an activity are taken, and its capacity.
func (s *System) Seats(ctx context.Context, p Principal, activityID string) (taken, capacity int, err error) {
	a, err := s.Activities.Get(ctx, p, activityID)
	if err != nil {
		return 0, 0, err
	}
	rec, err := s.store.Get(ctx, string(kindSeats), activityID)
	if errors.Is(err, ErrNotFound) {
		return 0, a.Capacity, nil
	}
	if err != nil {
		return 0, 0, wrap("seats", KindActivity, activityID, err)
	}
	var n seats
	if err := decode(rec.Body, &n); err != nil {
		return 0, 0, wrap("seats", KindActivity, activityID, err)
	}
	return n.Taken, a.Capacity, nil
}

// MeetingStatus is the state of a 1:1 meeting request.
type MeetingStatus string

// Meeting statuses.
const (
	MeetingRequested MeetingStatus = "requested"
	MeetingAccepted  MeetingStatus = "accepted"
	MeetingDeclined  MeetingStatus = "declined"
)

// Meeting is a 1:1 meeting between two registered participants of an
// activity (b2match style): requested by one, accepted or declined by the
// other, and once accepted placed into a time slot by ScheduleMeetings.
type Meeting struct {
	Meta
	Activity  string        `json:"activity"`
	Requester string        `json:"requester"`
	Invitee   string        `json:"invitee"`
	Note      string        `json:"note,omitempty"`
	Status    MeetingStatus `json:"status"`
	// Slot is the 1-based slot number once scheduled, 0 before.
	Slot  int       `json:"slot,omitempty"`
	Table int       `json:"table,omitempty"` // 1-based table within the slot
	Start time.Time `json:"start,omitzero"`  // the slot's start
}

// Involves reports whether the participant is one of the meeting's two.
func (m Meeting) Involves(participant string) bool {
	return m.Requester == participant || m.Invitee == participant
}

// RequestMeeting asks for a 1:1 meeting between the principal and another
// registered participant of the activity. Both must be registered; a pair
// has at most one pending or accepted meeting per activity (ErrExists).
func (s *System) RequestMeeting(ctx context.Context, p Principal, activityID, invitee, note string) (Meeting, error) {
	invitee, note = normText(invitee), normMultiline(note)
	ch := &checker{}
	checkText(ch, "note", note, 2000)
	if invitee == "" || invitee == p.ID {
		ch.add("invitee", "invalid", "", "another registered participant")
	}
	if err := ch.err(KindMeeting); err != nil {
		return Meeting{}, wrap("request meeting", KindActivity, activityID, err)
	}
	var out Meeting
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		a, _, err := s.activityTx(ctx, tx, activityID)
		if err != nil {
			return err
		}
		for _, who := range []string{p.ID, invitee} {
			if _, err := tx.Get(ctx, string(KindRegistration), registrationID(activityID, who)); errors.Is(err, ErrNotFound) {
				if who == p.ID {
					return forbidden("request meeting", KindActivity, activityID, "only registered participants request meetings")
				}
				return &ValidationError{Kind: KindMeeting, Fields: []FieldError{{Field: "invitee", Code: "ref", Value: who}}}
			} else if err != nil {
				return err
			}
		}
		ms, err := s.meetingsTx(ctx, tx, activityID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Involves(p.ID) && m.Involves(invitee) && m.Status != MeetingDeclined {
				return &Error{Op: "request meeting", Kind: KindMeeting, ID: m.ID, Code: ErrExists, Err: errors.New("the pair already has a meeting")}
			}
		}
		now := s.now()
		out = Meeting{Meta: Meta{ID: s.newID(KindMeeting), Broker: a.Broker, Visibility: Confidential, Created: now, Updated: now,
			Provenance: Provenance{AddedBy: p.ID}}, Activity: activityID, Requester: p.ID, Invitee: invitee, Note: note, Status: MeetingRequested}
		return s.putStageTx(ctx, tx, p, KindMeeting, &out.Meta, activityID, string(out.Status), "requested", out, true)
	})
	return out, wrap("request meeting", KindActivity, activityID, err)
}

func (s *System) meetingsTx(ctx context.Context, tx driver.Tx, activityID string) ([]Meeting, error) {
	recs, err := tx.List(ctx, driver.Query{Kind: string(KindMeeting), Key: activityID})
	if err != nil {
		return nil, err
	}
	return decodeAll[Meeting](recs)
}

func decodeAll[T any](recs []driver.Record) ([]T, error) {
	out := make([]T, len(recs))
	for i, r := range recs {
		if err := decode(r.Body, &out[i]); err != nil {
			return nil, err
		}
		// The stored version is the record's, not the body's.
		switch v := any(&out[i]).(type) {
		case *Meeting:
			v.Version = r.Version
		case *Lead:
			v.Version = r.Version
		case *Feedback:
			v.Version = r.Version
		case *Registration:
			v.Version = r.Version
		}
	}
	return out, nil
}

// RespondMeeting accepts or declines a requested meeting. Only the invitee
// (or an organizer) responds; a meeting already answered gives a
// *TransitionError (ErrConflict).
func (s *System) RespondMeeting(ctx context.Context, p Principal, meetingID string, accept bool) (Meeting, error) {
	var out Meeting
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		rec, err := tx.Get(ctx, string(KindMeeting), meetingID)
		if err != nil {
			return err
		}
		ms, err := decodeAll[Meeting]([]driver.Record{rec})
		if err != nil {
			return err
		}
		m := ms[0]
		a, _, err := s.activityTx(ctx, tx, m.Activity)
		if err != nil {
			return err
		}
		if p.ID != m.Invitee && !p.organizes(a) {
			return forbidden("respond meeting", KindMeeting, meetingID, "only the invitee or an organizer responds")
		}
		to := MeetingDeclined
		if accept {
			to = MeetingAccepted
		}
		if m.Status != MeetingRequested {
			return &TransitionError{Kind: KindMeeting, ID: meetingID, From: string(m.Status), To: string(to), Reason: "already answered"}
		}
		m.Status, m.Updated = to, s.now()
		if err := s.putStageTx(ctx, tx, p, KindMeeting, &m.Meta, m.Activity, string(m.Status), string(to), m, false); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, wrap("respond meeting", KindMeeting, meetingID, err)
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

// ScheduleMeetings places the activity's accepted, unscheduled meetings
// into time slots, in one transaction. It is deterministic and greedy:
// meetings in order of creation (then ID) each take the earliest slot in
// which neither participant already has a meeting and a table is free.
// Meetings scheduled earlier keep their slots. No participant is ever
// double-booked. Organizers only.
func (s *System) ScheduleMeetings(ctx context.Context, p Principal, activityID string) (Schedule, error) {
	var out Schedule
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		out = Schedule{}
		a, _, err := s.activityTx(ctx, tx, activityID)
		if err != nil {
			return err
		}
		if !p.organizes(a) {
			return forbidden("schedule", KindActivity, activityID, "organizers only")
		}
		ms, err := s.meetingsTx(ctx, tx, activityID)
		if err != nil {
			return err
		}
		placed := scheduleMeetings(a, ms)
		now := s.now()
		for i := range ms {
			m := &ms[i]
			if placed[m.ID] {
				m.Updated = now
				if err := s.putStageTx(ctx, tx, p, KindMeeting, &m.Meta, activityID, string(m.Status), "scheduled", *m, false); err != nil {
					return err
				}
				out.Placed = append(out.Placed, m.ID)
			} else if m.Status == MeetingAccepted && m.Slot == 0 {
				out.Unplaced = append(out.Unplaced, m.ID)
			}
			if m.Slot > 0 {
				out.Meetings = append(out.Meetings, *m)
			}
		}
		slices.SortFunc(out.Meetings, func(x, y Meeting) int {
			if x.Slot != y.Slot {
				return x.Slot - y.Slot
			}
			return x.Table - y.Table
		})
		return nil
	})
	return out, wrap("schedule", KindActivity, activityID, err)
}

// scheduleMeetings assigns Slot, Table and Start to the accepted,
// unscheduled meetings of ms (in place) and returns the IDs it placed.
func scheduleMeetings(a Activity, ms []Meeting) map[string]bool {
	n := a.Slots()
	busy := map[string]map[int]bool{}
	used := make([]int, n+1)
	mark := func(who string, slot int) {
		if busy[who] == nil {
			busy[who] = map[int]bool{}
		}
		busy[who][slot] = true
	}
	for _, m := range ms {
		if m.Slot > 0 && m.Slot <= n {
			mark(m.Requester, m.Slot)
			mark(m.Invitee, m.Slot)
			used[m.Slot]++
		}
	}
	order := make([]int, 0, len(ms))
	for i, m := range ms {
		if m.Status == MeetingAccepted && m.Slot == 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(x, y int) int {
		if c := ms[x].Created.Compare(ms[y].Created); c != 0 {
			return c
		}
		return strings.Compare(ms[x].ID, ms[y].ID)
	})
	placed := map[string]bool{}
	for _, i := range order {
		m := &ms[i]
		for slot := 1; slot <= n; slot++ {
			if busy[m.Requester][slot] || busy[m.Invitee][slot] || (a.Tables > 0 && used[slot] >= a.Tables) {
				continue
			}
			used[slot]++
			m.Slot, m.Table, m.Start = slot, used[slot], a.SlotStart(slot)
			mark(m.Requester, slot)
			mark(m.Invitee, slot)
			placed[m.ID] = true
			break
		}
	}
	return placed
}

// Agenda returns a participant's scheduled meetings at an activity, by
// slot. The participant themself and organizers may read it.
func (s *System) Agenda(ctx context.Context, p Principal, activityID, participant string) ([]Meeting, error) {
	a, err := s.Activities.Get(ctx, p, activityID)
	if err != nil {
		return nil, err
	}
	if p.ID != participant && !p.organizes(a) {
		return nil, forbidden("agenda", KindActivity, activityID, "participant or organizers only")
	}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindMeeting), Key: activityID})
	if err != nil {
		return nil, wrap("agenda", KindActivity, activityID, err)
	}
	ms, err := decodeAll[Meeting](recs)
	if err != nil {
		return nil, wrap("agenda", KindActivity, activityID, err)
	}
	ms = slices.DeleteFunc(ms, func(m Meeting) bool { return m.Slot == 0 || !m.Involves(participant) })
	slices.SortFunc(ms, func(x, y Meeting) int { return x.Slot - y.Slot })
	return ms, nil
}

// LeadKind says what an activity's outcome is.
type LeadKind string

// Lead kinds.
const (
	// LeadCase: the outcome opens a case for the subject at a broker.
	LeadCase LeadKind = "case"
	// LeadInterest: a party expressed interest in the subject (意向).
	LeadInterest LeadKind = "interest"
)

// Lead is an outcome of an activity: an expression of interest or a case
// opened for a featured achievement or demand.
type Lead struct {
	Meta
	Activity string    `json:"activity"`
	Kind     LeadKind  `json:"kind"`
	Subject  RecordRef `json:"subject"`
	Party    string    `json:"party,omitempty"`   // the interested company or investor
	Meeting  string    `json:"meeting,omitempty"` // the meeting it came from, if any
	Note     string    `json:"note,omitempty"`
	// Case is the case opened by a LeadCase lead.
	Case string `json:"case,omitempty"`
}

// RecordLead records an activity's outcome. A LeadCase lead opens a case
// for its subject at l.Broker (default: the activity's broker) in the same
// transaction, with the case's Source naming the activity and the lead.
// Organizers only.
func (s *System) RecordLead(ctx context.Context, p Principal, activityID string, l Lead) (Lead, error) {
	l.Party, l.Meeting, l.Note, l.Broker = normText(l.Party), normText(l.Meeting), normMultiline(l.Note), normText(l.Broker)
	l.Subject.ID = normText(l.Subject.ID)
	ch := &checker{}
	if l.Kind != LeadCase && l.Kind != LeadInterest {
		ch.add("kind", "oneof", "case interest", string(l.Kind))
	}
	if l.Subject.Kind != KindAchievement && l.Subject.Kind != KindDemand {
		ch.add("subject.kind", "oneof", "achievement demand", string(l.Subject.Kind))
	}
	if l.Subject.ID == "" {
		ch.add("subject.id", "required", "", "")
	}
	checkText(ch, "party", l.Party, 200)
	checkText(ch, "note", l.Note, 2000)
	if err := ch.err(KindLead); err != nil {
		return Lead{}, wrap("record lead", KindActivity, activityID, err)
	}
	var out Lead
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		a, _, err := s.activityTx(ctx, tx, activityID)
		if err != nil {
			return err
		}
		if !p.organizes(a) {
			return forbidden("record lead", KindActivity, activityID, "organizers only")
		}
		out = l
		if out.Broker == "" {
			out.Broker = a.Broker
		}
		now := s.now()
		out.Meta = Meta{ID: s.newID(KindLead), Broker: out.Broker, Visibility: Confidential, Created: now, Updated: now, Provenance: Provenance{AddedBy: p.ID}}
		out.Activity = activityID
		if out.Kind == LeadCase {
			c, err := s.openCaseTx(ctx, tx, p, NewCase{Subject: out.Subject, Broker: out.Broker,
				Reason: "lead from activity " + activityID, Source: CaseSource{Activity: activityID, Lead: out.ID}})
			if err != nil {
				return err
			}
			out.Case = c.ID
		} else if _, _, _, err := s.subjectTx(ctx, tx, out.Subject); err != nil {
			return err
		}
		return s.putStageTx(ctx, tx, p, KindLead, &out.Meta, activityID, string(out.Kind), "recorded", out, true)
	})
	return out, wrap("record lead", KindActivity, activityID, err)
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


// ActivityConversion computes an activity's funnel. Organizers only.
func (s *System) ActivityConversion(ctx context.Context, p Principal, activityID string) (Conversion, error) {
	a, err := s.Activities.Get(ctx, p, activityID)
	if err != nil {
		return Conversion{}, err
	}
	if !p.organizes(a) {
		return Conversion{}, forbidden("conversion", KindActivity, activityID, "organizers only")
	}
	cv, err := s.conversion(ctx, a.ID)
	return cv, wrap("conversion", KindActivity, activityID, err)
}

func (s *System) conversion(ctx context.Context, activityID string) (Conversion, error) {
	cv := Conversion{Activity: activityID}
	regs, err := s.store.List(ctx, driver.Query{Kind: string(KindRegistration), Key: activityID})
	if err != nil {
		return cv, err
	}
	cv.Registrations = len(regs)
	mrecs, err := s.store.List(ctx, driver.Query{Kind: string(KindMeeting), Key: activityID})
	if err != nil {
		return cv, err
	}
	ms, err := decodeAll[Meeting](mrecs)
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
	lrecs, err := s.store.List(ctx, driver.Query{Kind: string(KindLead), Key: activityID})
	if err != nil {
		return cv, err
	}
	leads, err := decodeAll[Lead](lrecs)
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
		rec, err := s.store.Get(ctx, string(KindCase), l.Case)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return cv, err
		}
		c, err := s.caseLib().decodeRecord(rec)
		if err != nil {
			return cv, err
		}
		if c.Stage != StageCollected && c.Stage != StageRejected && c.Stage != StageWithdrawn {
			cv.CasesAdvanced++
		}
		if c.DealRef != "" && (c.Stage == StageTraded || c.Stage == StageIncubating || c.Stage == StageClosed) {
			cv.CasesTraded++
		}
	}
	return cv, nil
}
