package federation

import (
	"context"
	"errors"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// InterestStatus is where an expression of interest stands.
type InterestStatus string

// Interest statuses.
const (
	InterestSent     InterestStatus = "sent"     // at the interested side: sent, awaiting the owner
	InterestReceived InterestStatus = "received" // at the owner's side: awaiting the owner's answer
	InterestAccepted InterestStatus = "accepted"
	InterestDeclined InterestStatus = "declined"
)

// Interest is an expression of interest (合作意向), as stored on either
// side. At the interested side (Outgoing) it holds the interested
// organization and its own contact, never sent before acceptance; at the
// owner's side it holds the interested organization as the other region
// named it and the listing's owner. At both sides Counterpart holds the
// other party's contact once the owner has accepted.
//
// An interest is a confidential process record: it is seen by platform
// admins, by its owners (the interested organization at the interested
// side, the listing's owner at the owner's side; Owned) and by the staff of
// the desk handling it (Meta.Broker: at the owner's side the listing's
// broker, at the interested side the staff member's own desk or this
// region's workstation for the profile's broker).
type Interest struct {
	broker.Meta
	Outgoing bool   `json:"outgoing"`                              // true at the interested side
	Remote   string `json:"remote" validate:"required,max=32"`     // the other region's code
	RemoteID string `json:"remote_id,omitempty" validate:"max=64"` // owner's side: the interest's ID at the interested side
	Profile  string `json:"profile" validate:"required,max=64"`    // the listing ID at the origin
	Title    string `json:"title,omitempty" validate:"max=300"`
	// Org is the interested organization at the interested side: one of
	// this System's organizations (a name or an ID), which merges rewrite.
	Org string `json:"org,omitempty" validate:"max=200" org:"ref"`
	// RemoteOrg is the interested organization at the owner's side, as the
	// other region named it: not an organization of this System.
	RemoteOrg string `json:"remote_org,omitempty" validate:"max=200" org:"-"`
	Note      string `json:"note,omitempty" validate:"max=2000"`
	// Contact is the interested party's own contact (interested side).
	Contact *PartyContact `json:"contact,omitempty"`
	// Owner and OwnerID are the listing's owner (owner's side), who
	// answers the interest.
	Owner       string         `json:"owner,omitempty" validate:"max=200" org:"name"`
	OwnerID     string         `json:"owner_id,omitempty" validate:"max=64" org:"id"`
	Status      InterestStatus `json:"status" validate:"required,oneof=sent received accepted declined"`
	Counterpart *PartyContact  `json:"counterpart,omitempty"`
	Decided     time.Time      `json:"decided,omitzero"`
	Reason      string         `json:"reason,omitempty" validate:"max=2000"`
}

// RecordKind is KindInterest.
func (Interest) RecordKind() broker.Kind { return KindInterest }

// RecordStage is the status (broker.ListOptions.Stage).
func (x Interest) RecordStage() string { return string(x.Status) }

// Tier: an interest is confidential whatever its Visibility.
func (Interest) Tier() broker.Visibility { return broker.Confidential }

// OwnerOrgs is the interested organization at the interested side and the
// listing's owner at the owner's side.
func (x Interest) OwnerOrgs() []string {
	if x.Outgoing {
		return nonEmpty(x.Org)
	}
	return nonEmpty(x.Owner, x.OwnerID)
}

// Party is the interested organization's name, at either side.
func (x Interest) Party() string {
	if x.Outgoing {
		return x.Org
	}
	return x.RemoteOrg
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Normalized folds the interest's text.
func (x Interest) Normalized() Interest {
	x.Remote, x.RemoteID, x.Profile = textnorm.Text(x.Remote), textnorm.Text(x.RemoteID), textnorm.Text(x.Profile)
	x.Title, x.Org, x.RemoteOrg = textnorm.Text(x.Title), textnorm.Text(x.Org), textnorm.Text(x.RemoteOrg)
	x.Note, x.Reason = textnorm.Multiline(x.Note), textnorm.Multiline(x.Reason)
	x.Owner, x.OwnerID = textnorm.Text(x.Owner), textnorm.Text(x.OwnerID)
	x.Contact, x.Counterpart = normContact(x.Contact), normContact(x.Counterpart)
	return x
}

func (c PartyContact) normalized() PartyContact {
	return PartyContact{Org: textnorm.Text(c.Org), Person: textnorm.Text(c.Person), Phone: textnorm.Text(c.Phone),
		Email: textnorm.Text(c.Email), WeChat: textnorm.Text(c.WeChat)}
}

func normContact(c *PartyContact) *PartyContact {
	if c == nil {
		return nil
	}
	n := c.normalized()
	return &n
}

// Validate checks that each side names the interested organization.
func (x Interest) Validate(c *broker.Check) {
	switch {
	case x.Outgoing && x.Org == "":
		c.Add("org", "required", "", "")
	case !x.Outgoing && x.RemoteOrg == "":
		c.Add("remote_org", "required", "", "")
	}
}

// NewInterest is an expression of interest as the interested party writes
// it.
type NewInterest struct {
	// Org is the interested organization: the principal acts for it (an
	// enterprise or institution user of it), or is a broker's staff member
	// acting on its behalf.
	Org string
	// Note goes with the interest to the owner's broker: like Org, it must
	// not reveal contact data (see CheckProfile), the party's own Contact
	// least of all.
	Note string
	// Contact is the interested party's own contact: kept here and sent
	// only after the owner accepts.
	Contact PartyContact
}

// ExpressInterest sends an expression of interest in a received profile to
// the owner's region. The principal must take part in the profile and in
// the interest (the policy's broker.ActTakePart): act for the interested
// organization, or be on the staff of the desk the interest is routed to
// (its own desk), or be a platform admin. An interest expressed by an
// organization itself goes to the desk of this region's workstation for the
// profile's broker, if there is one.
func (f *Federation) ExpressInterest(ctx context.Context, p broker.Principal, profileID string, in NewInterest) (Interest, error) {
	org, note := textnorm.Text(in.Org), textnorm.Multiline(in.Note)
	contact := in.Contact.normalized()
	contact.Org = "" // the interested organization is Org; the introduction names it
	c := &broker.Check{}
	if org == "" {
		c.Add("org", "required", "", "")
	}
	c.Text("org", org, 200)
	c.Text("note", note, 2000)
	// The note and the organization's name go before acceptance: neither
	// may reveal contact data, the party's own least of all.
	checkLeaks(c, "", []text{{"org", org, true}}, nil)
	checkLeaks(c, "", []text{{"note", note, true}}, secretsOf(Private{Names: nonEmpty(contact.Person),
		Phones: nonEmpty(contact.Phone), Emails: nonEmpty(contact.Email), WeChats: nonEmpty(contact.WeChat)}))
	if err := c.Err(KindInterest); err != nil {
		return Interest{}, broker.Wrap("express interest", KindInterest, profileID, err)
	}
	var out Interest
	var msg Message
	err := f.sys.Update(ctx, func(tx *broker.Tx) error {
		prof, err := broker.Get[SharedProfile](tx, p, profileID)
		if err != nil {
			return err
		}
		desk := p.Broker
		if desk == "" {
			if desk, err = f.workstationDesk(tx, prof.Profile.Region, prof.Profile.Broker); err != nil {
				return err
			}
		}
		x := Interest{Meta: broker.Meta{Broker: desk, Visibility: broker.Confidential}, Outgoing: true, Remote: prof.Profile.Region,
			Profile: prof.Profile.ID, Title: prof.Profile.Title, Org: org, Note: note, Contact: &contact, Status: InterestSent}
		party := broker.TargetOf(x)
		if !broker.CanDo(p, broker.ActTakePart, prof) || !broker.Can(p, broker.ActTakePart, party) {
			return broker.Forbidden("express interest", KindInterest, profileID, "the principal does not act for the interested party")
		}
		now := tx.Now()
		if _, ok, err := f.agreementWith(tx, prof.Profile.Region, prof.Profile.Broker, now); err != nil {
			return err
		} else if !ok {
			return &Error{Region: prof.Profile.Region, Err: ErrNoAgreement}
		}
		if !prof.Profile.Expires.IsZero() && !now.Before(prof.Profile.Expires) {
			return &broker.TransitionError{Kind: KindProfile, ID: profileID, From: "expired", To: "interest", Reason: "the profile expired"}
		}
		if out, err = broker.Create(tx, p, x, broker.Via(broker.ActTakePart, party), broker.Logged(string(InterestSent), nil)); err != nil {
			return err
		}
		name, err := orgName(tx, org)
		if err != nil {
			return err
		}
		msg = Message{Type: MsgInterest, From: f.o.Region.Code, To: prof.Profile.Region, Sent: now,
			Interest: &InterestMsg{ID: out.ID, Profile: prof.Profile.ID, Org: name, Note: note}}
		msg.ID = messageID(msg, out.ID)
		return nil
	})
	if err != nil {
		return Interest{}, broker.Wrap("express interest", KindInterest, profileID, err)
	}
	if err := f.send(ctx, msg); err != nil {
		return Interest{}, broker.Wrap("express interest", KindInterest, out.ID, err)
	}
	return out, nil
}

// orgName is the name another region knows an organization of this System
// by: the registry's name when ref is an organization's ID, else ref.
func orgName(tx *broker.Tx, ref string) (string, error) {
	o, err := broker.Read[broker.Organization](tx, ref)
	switch {
	case err == nil:
		return o.Name, nil
	case errors.Is(err, broker.ErrNotFound):
		return ref, nil
	}
	return "", err
}

// Interests returns the interests (sent and received) the principal may
// see at this node, in ID order.
func (f *Federation) Interests(ctx context.Context, p broker.Principal) ([]Interest, error) {
	out, err := f.interests.Find(ctx, p, broker.ListOptions{})
	return out, broker.Wrap("interests", KindInterest, "", err)
}

// Answer is the owner's answer to an interest.
type Answer struct {
	// Accept sends the owner's contact to the interested side; otherwise
	// the interest is declined.
	Accept bool
	// Reason, for a decline, goes to the interested side.
	Reason string
}

// Respond answers an interest received by this node: accept (the owner's
// contact goes to the interested side) or decline (with a reason, which
// must not reveal the listing's private data: see CheckProfile). The
// principal must take part in the interest as the listing's owner, or
// operate it (the policy's broker.ActTakePart and broker.ActOperate: the
// listing's owner, its broker's staff acting on the owner's decision, or a
// platform admin).
func (f *Federation) Respond(ctx context.Context, p broker.Principal, interestID string, a Answer) (Interest, error) {
	reason := textnorm.Multiline(a.Reason)
	var out Interest
	var msg Message
	err := f.sys.Update(ctx, func(tx *broker.Tx) error {
		x, err := broker.Read[Interest](tx, interestID)
		if err != nil {
			return err
		}
		act := broker.ActOperate
		if !broker.CanDo(p, act, x) {
			act = broker.ActTakePart
			if !broker.CanDo(p, act, x) {
				return broker.Forbidden("respond", KindInterest, interestID, "only the listing's owner or its broker answers an interest")
			}
		}
		if x.Outgoing {
			return &broker.TransitionError{Kind: KindInterest, ID: interestID, From: string(x.Status), To: "answered", Reason: "only the owner's side answers an interest"}
		}
		if x.Status != InterestReceived {
			return &broker.TransitionError{Kind: KindInterest, ID: interestID, From: string(x.Status), To: "answered", Reason: "already answered"}
		}
		l, err := sharedRecord(tx, x.Profile)
		if err != nil {
			return err
		}
		if !a.Accept {
			// The reason goes to the interested side before any acceptance.
			c := &broker.Check{}
			if checkLeaks(c, "", []text{{"reason", reason, true}}, secretsOf(l.private)); c.Len() > 0 {
				return c.Err(KindInterest)
			}
		}
		now := tx.Now()
		x.Decided, x.Reason = now, reason
		msg = Message{From: f.o.Region.Code, To: x.Remote, Sent: now, Interest: &InterestMsg{ID: x.RemoteID, Profile: x.Profile}}
		if a.Accept {
			x.Status, msg.Type = InterestAccepted, MsgAccept
			contact := l.contact
			msg.Interest.Contact = &contact
		} else {
			x.Status, msg.Type = InterestDeclined, MsgDecline
			msg.Interest.Note = reason
		}
		msg.ID = messageID(msg, x.ID)
		out, err = broker.Replace(tx, p, x, broker.Via(act, broker.TargetOf(x)), broker.Logged(string(x.Status), nil))
		return err
	})
	if err != nil {
		return Interest{}, broker.Wrap("respond", KindInterest, interestID, err)
	}
	if err := f.send(ctx, msg); err != nil {
		return Interest{}, broker.Wrap("respond", KindInterest, interestID, err)
	}
	return out, nil
}
