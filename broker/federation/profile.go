package federation

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/internal/decimalx"
)

// Profile is an anonymous listing profile (项目画像, after the EEN's
// technology offer): what a listing says about the technology and the
// deal, without the owner's name or contact, IP numbers, or anyone's name.
type Profile struct {
	ID            string                 `json:"id"` // the listing ID at the origin
	Region        string                 `json:"region"`
	Broker        string                 `json:"broker,omitempty"` // the origin's industry broker desk
	Kind          string                 `json:"kind"`             // "technology_offer"
	Title         string                 `json:"title"`
	Summary       string                 `json:"summary"`
	Benefits      []string               `json:"benefits,omitempty"`
	Applications  []string               `json:"applications,omitempty"`
	IndustryCodes []string               `json:"industry_codes,omitempty"`
	Indicators    []exchange.Indicator   `json:"indicators,omitempty"`
	Comparison    *exchange.Comparison   `json:"comparison,omitempty"`
	Readiness     ProfileLevel           `json:"readiness,omitzero"`
	IP            []ProfileIP            `json:"ip,omitempty"`
	Mode          broker.TransferMode    `json:"mode"`
	Method        exchange.TradingMethod `json:"method"`
	Pricing       broker.PricingType     `json:"pricing,omitempty"`
	Price         decimal.Decimal        `json:"price,omitzero"`
	Published     time.Time              `json:"published"`
	Expires       time.Time              `json:"expires"`
}

// ProfileLevel is a readiness level without evidence or assessor.
type ProfileLevel struct {
	Scale broker.ReadinessScale `json:"scale,omitempty"`
	Level int                   `json:"level,omitempty"`
}

// ProfileIP is an IP right without its number or owners.
type ProfileIP struct {
	Type      broker.IPType   `json:"type"`
	Status    broker.IPStatus `json:"status,omitempty"`
	Territory string          `json:"territory,omitempty"`
}

// Patterns that must not appear in a profile.
var (
	reEmail  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	rePhone  = regexp.MustCompile(`(\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8})`)
	rePatent = regexp.MustCompile(`(?i)(ZL|CN)\s?\d{8,}|\d{12}\.[\dX]|\d{4}SR\d{5,}`)
)

// CheckProfile checks a profile: required fields, and no e-mail address,
// phone number, patent or registration number, or any of the given names
// (owners, contact persons, inventors) in any of its text. It returns a
// *broker.ValidationError naming each offending field.
func CheckProfile(p Profile, names ...string) error {
	c := &broker.Check{}
	if p.ID == "" {
		c.Add("id", "required", "", "")
	}
	if !regionCode.MatchString(p.Region) {
		c.Add("region", "malformed", "region code (ASCII letters, digits, - and _)", p.Region)
	}
	if p.Title == "" {
		c.Add("title", "required", "", "")
	}
	if p.Summary == "" {
		c.Add("summary", "required", "", "")
	}
	c.Text("title", p.Title, 300)
	c.Text("summary", p.Summary, 300)
	if p.Kind != "technology_offer" {
		c.Add("kind", "oneof", "technology_offer", p.Kind)
	}
	if !decimalx.Sane(p.Price, 2) || p.Price.Sign() < 0 {
		c.Add("price", "malformed", "amount in yuan with at most 2 decimal places", decimalx.Short(p.Price))
	}
	texts := map[string]string{"title": p.Title, "summary": p.Summary}
	for i, x := range p.Benefits {
		texts["benefits["+strconv.Itoa(i)+"]"] = x
	}
	for i, x := range p.Applications {
		texts["applications["+strconv.Itoa(i)+"]"] = x
	}
	for i, x := range p.Indicators {
		texts["indicators["+strconv.Itoa(i)+"]"] = x.Name + " " + x.Value + " " + x.Unit
	}
	if p.Comparison != nil {
		texts["comparison"] = p.Comparison.Alternative + " " + p.Comparison.Metric + " " + p.Comparison.Ours + " " + p.Comparison.Theirs
	}
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, field := range keys {
		s := texts[field]
		switch {
		case reEmail.MatchString(s):
			c.Add(field, "leak", "e-mail address", reEmail.FindString(s))
		case rePatent.MatchString(s):
			c.Add(field, "leak", "patent number", rePatent.FindString(s))
		case rePhone.MatchString(s):
			c.Add(field, "leak", "phone number", rePhone.FindString(s))
		default:
			for _, n := range names {
				if n != "" && len([]rune(n)) >= 2 && strings.Contains(s, n) {
					c.Add(field, "leak", "name", n)
					break
				}
			}
		}
	}
	return c.Err(KindProfile)
}

// ProfileOf builds the anonymous profile of listing l in region.
func ProfileOf(l exchange.Listing, region string) Profile {
	p := Profile{
		ID: l.ID, Region: region, Broker: l.Broker, Kind: "technology_offer",
		Title: l.Title, Summary: l.Summary, Benefits: l.Benefits, Applications: l.Applications,
		IndustryCodes: l.IndustryCodes, Indicators: l.Indicators, Comparison: l.Comparison,
		Readiness: ProfileLevel{Scale: l.Readiness.Scale, Level: l.Readiness.Level},
		Mode:      l.Terms.Mode, Method: l.Terms.Method, Pricing: l.Terms.Pricing,
		Published: l.Published, Expires: l.Expires,
	}
	if l.Terms.Pricing != broker.Negotiable {
		p.Price = l.Terms.Price
	}
	for _, ip := range l.IPRights {
		p.IP = append(p.IP, ProfileIP{Type: ip.Type, Status: ip.Status, Territory: ip.Territory})
	}
	return p
}

// privateNames are the names a listing's profile must not contain.
func privateNames(l exchange.Listing, a *broker.Achievement) []string {
	names := []string{l.Owner, l.OwnerID, l.ContactPerson, l.Origin.Unit}
	for _, ip := range l.IPRights {
		names = append(names, ip.Owners...)
	}
	if a != nil {
		for _, inv := range a.Inventors {
			names = append(names, inv.Name)
		}
		names = append(names, a.Owner)
	}
	return names
}

// SharedProfile is a profile received from another region, as stored: a
// members' record (any signed-in principal reads it), written only by the
// node's Sync.
type SharedProfile struct {
	broker.Meta
	Profile  Profile   `json:"profile"`
	Received time.Time `json:"received"`
}

// RecordKind is KindProfile.
func (SharedProfile) RecordKind() broker.Kind { return KindProfile }

// Share sends the anonymous profile of an open (or noticed) listing to the
// given regions. The principal must operate the listing (the policy's
// broker.ActOperate: its broker's staff or a platform admin). Every region
// needs an active agreement covering the listing's broker; the profile
// must pass CheckProfile with the listing's private names (owner, contact
// person, IP owners, inventors). Nothing is sent unless all checks pass.
func (f *Federation) Share(ctx context.Context, p broker.Principal, listingID string, to ...string) (Profile, error) {
	var prof Profile
	err := f.sys.Update(ctx, func(tx *broker.Tx) error {
		l, err := broker.Read[exchange.Listing](tx, listingID)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, l) {
			return broker.Forbidden("share", exchange.KindListing, listingID, "only platform admins and the handling broker's staff share listings")
		}
		if len(to) == 0 {
			return &broker.ValidationError{Kind: exchange.KindListing, Fields: []broker.FieldError{{Field: "to", Code: "required"}}}
		}
		now := tx.Now()
		if st := l.StatusAt(now); st != exchange.ListingOpen && st != exchange.ListingNotice {
			return &broker.TransitionError{Kind: exchange.KindListing, ID: listingID, From: string(st), To: "shared", Reason: "only an open or noticed listing is shared"}
		}
		for _, r := range to {
			if _, ok := f.agreementWith(r, l.Broker, now); !ok {
				return &Error{Region: r, Err: ErrNoAgreement}
			}
		}
		var a *broker.Achievement
		if l.Achievement != "" {
			if got, err := broker.Read[broker.Achievement](tx, l.Achievement); err == nil {
				a = &got
			} else if !errors.Is(err, broker.ErrNotFound) {
				return err
			}
		}
		prof = ProfileOf(l, f.o.Region.Code)
		return CheckProfile(prof, privateNames(l, a)...)
	})
	if err != nil {
		return Profile{}, broker.Wrap("share", exchange.KindListing, listingID, err)
	}
	sent := f.sys.Now()
	for _, r := range to {
		m := Message{Type: MsgProfile, From: f.o.Region.Code, To: r, Sent: sent, Profile: &prof}
		m.ID = messageID(m, prof.ID)
		if err := f.send(ctx, m); err != nil {
			return Profile{}, broker.Wrap("share", exchange.KindListing, listingID, err)
		}
	}
	return prof, nil
}

// Profiles returns the profiles received from other regions that have not
// expired, in ID order. They are members' records: any signed-in principal
// reads them; anonymous callers get broker.ErrForbidden.
func (f *Federation) Profiles(ctx context.Context, p broker.Principal) ([]SharedProfile, error) {
	if !broker.Can(p, broker.ActRead, broker.Target{Kind: KindProfile, Class: broker.ClassProcess, Tier: broker.Members}) {
		return nil, broker.Forbidden("profiles", KindProfile, "", "sign in to see federated profiles")
	}
	all, err := f.profiles.Find(ctx, p, broker.ListOptions{})
	if err != nil {
		return nil, broker.Wrap("profiles", KindProfile, "", err)
	}
	now := f.sys.Now()
	out := all[:0]
	for _, x := range all {
		if x.Profile.Expires.IsZero() || now.Before(x.Profile.Expires) {
			out = append(out, x)
		}
	}
	return out, nil
}

func profileRecordID(region, listing string) string { return region + "." + listing }
