package federation

import (
	"context"
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
)

// TechnologyRequest is the kind of a demand's profile: a technology request
// (技术需求), after the EEN's technology request profiles. Regions share
// their enterprises' needs as well as their offers, so that a solution
// found in another region reaches the enterprise through its own broker.
const TechnologyRequest = "technology_request"

// requestDays is how long a request's profile runs when its demand has no
// deadline.
const requestDays = 180

// ProfileOfDemand builds the anonymous profile of demand d in region: its
// title, a summary (the broker's technical specification, else the
// enterprise's words, cut to 300 characters), industry codes, the lowest
// readiness it can take up, its budget ceiling as the price, and its
// deadline as the expiry (180 days from now without one). It is checked
// like an offer's (CheckProfile) with the demand's private data
// (PrivateOfDemand): a text naming the enterprise is refused, and the
// broker rewrites the specification before sharing.
func ProfileOfDemand(d broker.Demand, region string, now time.Time) (Profile, error) {
	summary := d.Spec
	if summary == "" {
		summary = d.Problem
	}
	if utf8.RuneCountInString(summary) > 300 {
		summary = string([]rune(summary)[:299]) + "…"
	}
	p := Profile{
		ID: d.ID, Region: region, Broker: d.Broker, Kind: TechnologyRequest,
		Title: d.Title, Summary: summary, IndustryCodes: slices.Clone(d.IndustryCodes),
		Readiness: ProfileLevel{Scale: d.MinReadiness.Scale, Level: d.MinReadiness.Level},
		Price:     d.Budget.Max, Published: now, Expires: d.Deadline,
	}
	if p.Expires.IsZero() {
		p.Expires = now.AddDate(0, 0, requestDays)
	}
	if err := CheckProfile(p, PrivateOfDemand(d)); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// PrivateOfDemand is the private data of a demand: the enterprise, by name
// and ID.
func PrivateOfDemand(d broker.Demand) Private {
	return Private{Orgs: nonEmpty(d.Enterprise, d.EnterpriseID)}
}

// ShareDemand sends the anonymous profile of an open demand (received,
// diagnosed or being matched) to the given regions. The principal must
// operate the demand (its broker's staff, platform admins). A confidential
// demand is not shared. Every region needs an active agreement covering the
// demand's broker; the profile is built by ProfileOfDemand and must pass its
// leak check. Nothing is sent unless all checks pass.
func (f *Federation) ShareDemand(ctx context.Context, p broker.Principal, demandID string, to ...string) (Profile, error) {
	var prof Profile
	err := f.sys.Update(ctx, func(tx *broker.Tx) error {
		d, err := broker.Read[broker.Demand](tx, demandID)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, d) {
			return broker.Forbidden("share", broker.KindDemand, demandID, "only platform admins and the handling broker's staff share demands")
		}
		if len(to) == 0 {
			return &broker.ValidationError{Kind: broker.KindDemand, Fields: []broker.FieldError{{Field: "to", Code: "required"}}}
		}
		switch d.Status {
		case "", broker.DemandReceived, broker.DemandDiagnosed, broker.DemandMatching:
		default:
			return &broker.TransitionError{Kind: broker.KindDemand, ID: demandID, From: string(d.Status), To: "shared", Reason: "only an open demand is shared"}
		}
		if d.Visibility == broker.Confidential {
			return broker.Refused("share", broker.KindDemand, demandID, "a confidential demand is not shared with other regions")
		}
		now := tx.Now()
		for _, r := range to {
			if _, ok, err := f.agreementWith(tx, r, d.Broker, now); err != nil {
				return err
			} else if !ok {
				return &Error{Region: r, Err: ErrNoAgreement}
			}
		}
		prof, err = ProfileOfDemand(d, f.o.Region.Code, now)
		return err
	})
	if err != nil {
		return Profile{}, broker.Wrap("share", broker.KindDemand, demandID, err)
	}
	sent := f.sys.Now()
	for _, r := range to {
		m := Message{Type: MsgProfile, From: f.o.Region.Code, To: r, Sent: sent, Profile: &prof}
		m.ID = messageID(m, prof.ID)
		if err := f.send(ctx, m); err != nil {
			return Profile{}, broker.Wrap("share", broker.KindDemand, demandID, err)
		}
	}
	return prof, nil
}

// shared is what the owner's side needs of the record behind a profile it
// shared: a listing (an offer) or a demand (a request).
type shared struct {
	title, owner, ownerID, desk string
	private                     Private
	contact                     PartyContact // revealed on acceptance
}

// sharedRecord reads the listing or demand with that ID at this node.
// ErrNotFound when there is neither.
func sharedRecord(tx *broker.Tx, id string) (shared, error) {
	l, err := broker.Read[exchange.Listing](tx, id)
	if err == nil {
		a, err := private(tx, l)
		if err != nil {
			return shared{}, err
		}
		return shared{title: l.Title, owner: l.Owner, ownerID: l.OwnerID, desk: l.Broker, private: PrivateOf(l, a),
			contact: PartyContact{Org: l.Owner, Person: l.ContactPerson, Phone: l.Contact.Phone, Email: l.Contact.Email, WeChat: l.Contact.WeChat}}, nil
	}
	if !errors.Is(err, broker.ErrNotFound) {
		return shared{}, err
	}
	d, err := broker.Read[broker.Demand](tx, id)
	if err != nil {
		return shared{}, err
	}
	out := shared{title: d.Title, owner: d.Enterprise, ownerID: d.EnterpriseID, desk: d.Broker, private: PrivateOfDemand(d),
		contact: PartyContact{Org: d.Enterprise}}
	if d.EnterpriseID != "" {
		o, err := broker.Read[broker.Organization](tx, d.EnterpriseID)
		switch {
		case err == nil && len(o.Contacts) > 0:
			c := o.Contacts[0]
			out.contact.Person, out.contact.Phone, out.contact.Email = c.Name, c.Phone, c.Email
		case err != nil && !errors.Is(err, broker.ErrNotFound):
			return shared{}, err
		}
	}
	return out, nil
}
