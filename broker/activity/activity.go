package activity

import (
	"slices"
	"strconv"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// Record kinds of the activity platform, as stored. They are the core's
// names for them (the core's messages know them in Chinese).
const (
	KindActivity     = broker.KindActivity     // an Activity
	KindRegistration = broker.KindRegistration // a Registration
	KindMeeting      = broker.KindMeeting      // a Meeting
	KindLead         = broker.KindLead         // a Lead
)

// Kind is the kind of an activity.
type Kind string

// Activity kinds.
const (
	Roadshow        Kind = "roadshow"         // 路演
	Seminar         Kind = "seminar"          // 研讨会
	InvestmentSalon Kind = "investment_salon" // 投资沙龙
	Training        Kind = "training"         // 培训
	Matchmaking     Kind = "matchmaking"      // 对接会
)

// Platform is the activity platform over a broker.System. Its Libraries
// give the plain record operations (get, list, and the writes the access
// policy allows); its methods are the platform's operations, each one
// transaction of the System. A Platform is safe for concurrent use.
type Platform struct {
	// Activities holds the activities. Industry brokers' staff create and
	// change their broker's activities; anyone who may see one reads it.
	Activities *broker.Library[Activity]
	// Registrations holds the registrations, written only by Register;
	// ListOptions.Key selects one activity's (the activity ID).
	Registrations *broker.Library[Registration]
	// Meetings holds the 1:1 meetings, written only by RequestMeeting,
	// RespondMeeting and ScheduleMeetings; ListOptions.Key selects one
	// activity's, ListOptions.Stage a status.
	Meetings *broker.Library[Meeting]
	// Leads holds the leads, written only by RecordLead; ListOptions.Key
	// selects one activity's, ListOptions.Stage a LeadKind.
	Leads *broker.Library[Lead]

	sys *broker.System
}

// New returns the activity platform over sys. It makes the package's
// record kinds known to sys, so that organization merges and audits cover
// them.
func New(sys *broker.System) *Platform {
	return &Platform{
		Activities:    broker.NewLibrary[Activity](sys),
		Registrations: broker.NewLibrary[Registration](sys),
		Meetings:      broker.NewLibrary[Meeting](sys),
		Leads:         broker.NewLibrary[Lead](sys),
		sys:           sys,
	}
}

// reader reads, for the operations that decide access themselves (an
// organizer's funnel, a participant's agenda), every record of a kind.
// It never writes.
var reader = broker.PlatformAdmin("activity-platform")

// Activity is an event of the activity platform: a roadshow, seminar,
// investment salon, training or matchmaking meeting, organized by an
// industry broker (Meta.Broker; its staff are the organizers) or by the
// platform (no broker; platform admins organize it). It is a desk record
// of its broker (broker.ClassDesk) and public unless Meta.Visibility says
// otherwise.
//
// Capacity bounds the registrations. SeatsTaken counts them: Register
// keeps it, in the same transaction as each registration, and no plain
// write may change it (GuardUpdate). Capacity may never be set below
// SeatsTaken (CheckCapacity, part of Validate), whatever the path of the
// write. Meetings are placed in slots of SlotMinutes between Start and End,
// at most Tables at a time.
type Activity struct {
	broker.Meta
	Kind        Kind      `json:"kind" validate:"required,oneof=roadshow seminar investment_salon training matchmaking"`
	Title       string    `json:"title" validate:"required,max=300"`
	Description string    `json:"description,omitempty" validate:"max=20000"`
	Venue       string    `json:"venue,omitempty" validate:"max=200"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Capacity    int       `json:"capacity" validate:"min=1,max=1000000"`
	// SeatsTaken is the number of registrations, kept by Register.
	SeatsTaken int `json:"seats_taken" validate:"min=0"`
	// SlotMinutes is the length of a 1:1 meeting slot; 0 means 30.
	SlotMinutes int `json:"slot_minutes,omitempty" validate:"min=0,max=480"`
	// Tables is how many meetings can run in one slot; 0 means no limit.
	Tables int `json:"tables,omitempty" validate:"min=0,max=10000"`
	// Featured are the achievements and demands presented.
	Featured []broker.RecordRef `json:"featured,omitempty" validate:"max=500"`
}

// RecordKind is KindActivity.
func (Activity) RecordKind() broker.Kind { return KindActivity }

// AccessClass: activities are kept by their broker's desk.
func (Activity) AccessClass() broker.Class { return broker.ClassDesk }

// RecordStage indexes the activity's kind (ListOptions.Stage).
func (a Activity) RecordStage() string { return string(a.Kind) }

// Normalized folds the text, puts the times in UTC at microsecond
// precision and removes repeated featured records.
func (a Activity) Normalized() Activity {
	a.Kind = Kind(textnorm.Enum(string(a.Kind)))
	a.Title, a.Venue = textnorm.Text(a.Title), textnorm.Text(a.Venue)
	a.Description = textnorm.Multiline(a.Description)
	a.Start, a.End = utcMicro(a.Start), utcMicro(a.End)
	if a.Featured != nil {
		fs := make([]broker.RecordRef, 0, len(a.Featured))
		for _, f := range a.Featured {
			f.ID = textnorm.Text(f.ID)
			if !slices.Contains(fs, f) {
				fs = append(fs, f)
			}
		}
		a.Featured = fs
	}
	return a
}

// Validate checks the times, the featured records and the capacity rule.
func (a Activity) Validate(c *broker.Check) {
	if a.Start.IsZero() {
		c.Add("start", "required", "", "")
	}
	if !a.End.After(a.Start) {
		c.Add("end", "range_order", "start "+a.Start.Format(time.RFC3339), a.End.Format(time.RFC3339))
	}
	for i, f := range a.Featured {
		if f.Kind != broker.KindAchievement && f.Kind != broker.KindDemand {
			c.Add("featured["+strconv.Itoa(i)+"].kind", "oneof", "achievement demand", string(f.Kind))
		}
		if f.ID == "" {
			c.Add("featured["+strconv.Itoa(i)+"].id", "required", "", "")
		}
	}
	if fe := CheckCapacity(a.Capacity, a.SeatsTaken); fe != nil {
		c.Add(fe.Field, fe.Code, fe.Param, fe.Value)
	}
}

// GuardUpdate keeps SeatsTaken for Register: a new activity has no seat
// taken, and a plain update does not change the count.
func (a Activity) GuardUpdate(stored Activity) []broker.FieldError {
	if a.SeatsTaken != stored.SeatsTaken {
		return []broker.FieldError{{Field: "seats_taken", Code: "guarded", Param: "Register", Value: strconv.Itoa(a.SeatsTaken)}}
	}
	return nil
}

// utcMicro is t in UTC at microsecond precision; the zero time stays zero.
func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// invalid is the validation error of one bad field, its value shortened
// as broker.Check shortens it.
func invalid(kind broker.Kind, field, code, value string) error {
	c := &broker.Check{}
	c.Add(field, code, "", value)
	return c.Err(kind)
}
