package activity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// ErrFull is the cause of a registration refused because no seat is left.
// The error Register returns matches both ErrFull and broker.ErrConflict.
var ErrFull = errors.New("activity is full")

// Registration is one participant's seat at an activity (报名). Its ID is
// derived from the activity and the participant, so a participant
// registers once. It is written only by Register (GuardUpdate) and is
// confidential: seen by whoever registered (its Provenance.AddedBy), the
// organization it names (Org), the activity's organizers and platform
// admins.
type Registration struct {
	broker.Meta
	Activity    string `json:"activity" validate:"required,max=64"`
	Participant string `json:"participant" validate:"required,max=64"` // the participant's principal ID
	// Org is the organization the participant comes for, a name or an ID.
	Org  string `json:"org,omitempty" validate:"max=200" org:"ref"`
	Name string `json:"name,omitempty" validate:"max=64"`
	// Role says what the participant comes for, e.g. "offer", "seek",
	// "invest", "observe".
	Role string `json:"role,omitempty" validate:"max=32"`
}

// RecordKind is KindRegistration.
func (Registration) RecordKind() broker.Kind { return KindRegistration }

// DedupKey indexes the activity (ListOptions.Key).
func (r Registration) DedupKey() string { return r.Activity }

// OwnerOrgs is the participant's organization, if named.
func (r Registration) OwnerOrgs() []string {
	if r.Org == "" {
		return nil
	}
	return []string{r.Org}
}

// Normalized folds the text; a registration is confidential.
func (r Registration) Normalized() Registration {
	r.Activity, r.Participant = textnorm.Text(r.Activity), textnorm.Text(r.Participant)
	r.Org, r.Name, r.Role = textnorm.Text(r.Org), textnorm.Text(r.Name), textnorm.Text(r.Role)
	r.Visibility = broker.Confidential
	return r
}

// GuardUpdate keeps registrations for Register, which takes the seat: a
// plain write neither creates one nor moves it to another activity or
// participant.
func (r Registration) GuardUpdate(stored Registration) []broker.FieldError {
	var out []broker.FieldError
	if r.Activity != stored.Activity {
		out = append(out, broker.FieldError{Field: "activity", Code: "guarded", Param: "Register", Value: r.Activity})
	}
	if r.Participant != stored.Participant {
		out = append(out, broker.FieldError{Field: "participant", Code: "guarded", Param: "Register", Value: r.Participant})
	}
	return out
}

// registrationID is the ID of a participant's registration for an
// activity.
func registrationID(activity, participant string) string {
	h := sha256.Sum256([]byte(activity + "\x1f" + participant))
	return "reg-" + hex.EncodeToString(h[:12])
}

// seatEvent is the body of an activity's "seat_taken" event.
type seatEvent struct {
	Registration string `json:"registration"`
	Participant  string `json:"participant"`
	SeatsTaken   int    `json:"seats_taken"`
}

// Register gives a participant a seat at an activity. An empty
// r.Participant means the principal itself (and an empty r.Org its
// organization); registering someone else is for the organizers. r's Meta
// is not used: the registration belongs to the activity's broker.
//
// The registration and the activity's seat count are written in one
// transaction, so an activity never has more registrations than its
// capacity, even under concurrent registrations. Errors: ErrFull (and
// broker.ErrConflict) when no seat is left; broker.ErrConflict once the
// activity has ended; broker.ErrExists if the participant is registered
// already; broker.ErrForbidden if the principal may not take part (or, for
// someone else, may not organize).
func (pl *Platform) Register(ctx context.Context, p broker.Principal, activityID string, r Registration) (Registration, error) {
	var out Registration
	err := pl.sys.Update(ctx, func(tx *broker.Tx) error {
		a, err := broker.Get[Activity](tx, p, activityID)
		if err != nil {
			return err
		}
		r := r
		r.Participant, r.Org = textnorm.Text(r.Participant), textnorm.Text(r.Org)
		if r.Participant == "" {
			r.Participant = p.ID
			if r.Org == "" {
				r.Org = p.Org
			}
		}
		on := broker.TargetOf(a)
		action := broker.ActTakePart
		if r.Participant != p.ID {
			action = broker.ActOperate
		}
		if !broker.Can(p, action, on) {
			why := "the principal may not take part in this activity"
			if action == broker.ActOperate {
				why = "only the organizers register someone else"
			}
			return broker.Forbidden("register", KindActivity, a.ID, why)
		}
		if r.Participant == "" {
			return invalid(KindRegistration, "participant", "required", "")
		}
		if now := tx.Now(); !now.Before(a.End) {
			return broker.Refused("register", KindActivity, a.ID, "the activity ended at "+a.End.Format("2006-01-02 15:04 MST"))
		}
		id := registrationID(a.ID, r.Participant)
		if _, err := broker.Read[Registration](tx, id); err == nil {
			return &broker.Error{Op: "register", Kind: KindRegistration, ID: id, Code: broker.ErrExists,
				Err: fmt.Errorf("%s is registered already", r.Participant)}
		} else if !errors.Is(err, broker.ErrNotFound) {
			return err
		}
		if SeatsLeft(a.Capacity, a.SeatsTaken) == 0 {
			return &broker.Error{Op: "register", Kind: KindActivity, ID: a.ID, Code: broker.ErrConflict,
				Err: fmt.Errorf("%w (%d of %d seats taken)", ErrFull, a.SeatsTaken, a.Capacity)}
		}
		a.SeatsTaken++
		ev := seatEvent{Registration: id, Participant: r.Participant, SeatsTaken: a.SeatsTaken}
		if _, err := broker.Replace(tx, p, a, broker.Via(action, on), broker.Logged("seat_taken", ev)); err != nil {
			return err
		}
		r.Meta = broker.Meta{ID: id, Broker: a.Broker, Visibility: broker.Confidential}
		r.Activity = a.ID
		out, err = broker.Create(tx, p, r, broker.Via(action, on), broker.Logged("registered", nil))
		return err
	})
	return out, broker.Wrap("register", KindActivity, activityID, err)
}

// Seats returns how many seats of an activity are taken, and its capacity.
// Whoever may see the activity may ask.
func (pl *Platform) Seats(ctx context.Context, p broker.Principal, activityID string) (taken, capacity int, err error) {
	a, err := pl.Activities.Get(ctx, p, activityID)
	if err != nil {
		return 0, 0, err
	}
	return a.SeatsTaken, a.Capacity, nil
}
