package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker/driver"
)

// Federation (跨区域协同) connects separate Systems, one per region, after
// the Enterprise Europe Network's practice: listings travel as anonymous
// profiles; an expression of interest travels from the interested party's
// broker to the owner's broker; contact details are revealed only after the
// owner accepts.
//
// A Federation is this System's node: its Region, the Agreements it has
// with other regions, its Workstations, and a Transport. It starts no
// goroutine: Sync processes the node's incoming feed when the caller asks.

// Record kinds of the federation.
const (
	KindProfile  Kind = "fed_profile"  // a profile received from another region
	KindInterest Kind = "fed_interest" // an expression of interest, sent or received
	kindCursor   Kind = "fed_cursor"   // a node's position in its feed
)

// Region is a member region of a federation, e.g. {Code: "310110", Name:
// "上海市杨浦区"}. Codes are short ASCII identifiers (GB/T 2260 codes or
// slugs) and name the region's feed.
type Region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Agreement is a cooperation agreement between two regions (e.g. Yangpu
// with Tongling, 2021-04). Profiles and interests flow only between regions
// with an active agreement. Brokers, if not empty, limits it to those
// industry brokers' listings.
type Agreement struct {
	ID      string    `json:"id"`
	A       string    `json:"a"`              // region code
	B       string    `json:"b"`              // region code
	Kind    string    `json:"kind,omitempty"` // e.g. "cooperation", "workstation"
	Signed  time.Time `json:"signed"`
	Expires time.Time `json:"expires,omitzero"` // zero: open-ended
	Brokers []string  `json:"brokers,omitempty"`
}

// Joins reports whether the agreement is between regions x and y.
func (a Agreement) Joins(x, y string) bool {
	return (a.A == x && a.B == y) || (a.A == y && a.B == x)
}

// ActiveAt reports whether the agreement is in force at t.
func (a Agreement) ActiveAt(t time.Time) bool {
	return !t.Before(a.Signed) && (a.Expires.IsZero() || t.Before(a.Expires))
}

// Workstation is a platform's presence in another region, e.g. the Taizhou
// workstation of the marine technology trading platform (2020-12): it runs
// in region Host for the platform of region Home and its industry broker,
// under an agreement between the two.
type Workstation struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Host      string    `json:"host"` // region code where it sits
	Home      string    `json:"home"` // region code of the platform it serves
	Broker    string    `json:"broker,omitempty"`
	Agreement string    `json:"agreement"`
	Opened    time.Time `json:"opened"`
}

// FederationOptions configure a node.
type FederationOptions struct {
	Region       Region
	Agreements   []Agreement
	Workstations []Workstation
	Transport    Transport
	// Service is the principal the node acts as when it stores what it
	// receives; default PlatformAdmin("federation:<region code>").
	Service Principal
}

// Federation is one System's node in a federation.
type Federation struct {
	s   *System
	o   FederationOptions
	svc Principal
}

var (
	regionCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	remoteID   = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,64}$`)
)

// NewFederation returns the node of System s. It checks the configuration:
// region codes, agreements naming this region, workstations under existing
// agreements joining their host and home regions.
func NewFederation(s *System, o FederationOptions) (*Federation, error) {
	c := &checker{}
	if !regionCode.MatchString(o.Region.Code) {
		c.add("region.code", "malformed", "region code (ASCII letters, digits, - and _)", o.Region.Code)
	}
	if o.Transport == nil {
		c.add("transport", "required", "", "")
	}
	ids := map[string]Agreement{}
	for i, a := range o.Agreements {
		f := "agreements[" + itoa(i) + "]"
		if a.ID == "" {
			c.add(f+".id", "required", "", "")
		}
		if !regionCode.MatchString(a.A) || !regionCode.MatchString(a.B) || a.A == a.B {
			c.add(f, "invalid", "", "an agreement joins two different regions: "+a.A+" – "+a.B)
		}
		if a.A != o.Region.Code && a.B != o.Region.Code {
			c.add(f, "invalid", "", "agreement "+a.ID+" does not involve this region "+o.Region.Code)
		}
		if a.Signed.IsZero() {
			c.add(f+".signed", "required", "", "")
		}
		ids[a.ID] = a
	}
	for i, w := range o.Workstations {
		f := "workstations[" + itoa(i) + "]"
		a, ok := ids[w.Agreement]
		switch {
		case w.ID == "" || w.Name == "":
			c.add(f, "required", "", "id and name")
		case !ok:
			c.add(f+".agreement", "ref", "", w.Agreement)
		case !a.Joins(w.Host, w.Home):
			c.add(f+".agreement", "invalid", "", "agreement "+a.ID+" does not join "+w.Host+" and "+w.Home)
		}
	}
	if err := c.err("federation"); err != nil {
		return nil, wrap("federation", "", "", err)
	}
	svc := o.Service
	if svc.anonymous() {
		svc = PlatformAdmin("federation:" + o.Region.Code)
	}
	return &Federation{s: s, o: o, svc: svc}, nil
}

// Region returns the node's region.
func (f *Federation) Region() Region { return f.o.Region }

// Workstations returns the node's workstations.
func (f *Federation) Workstations() []Workstation {
	return append([]Workstation(nil), f.o.Workstations...)
}

// agreementWith returns the active agreement between this region and
// region, covering broker (when the agreement is limited to brokers).
func (f *Federation) agreementWith(region, broker string, at time.Time) (Agreement, bool) {
	for _, a := range f.o.Agreements {
		if !a.Joins(f.o.Region.Code, region) || !a.ActiveAt(at) {
			continue
		}
		if len(a.Brokers) > 0 && broker != "" && !containsStr(a.Brokers, broker) {
			continue
		}
		return a, true
	}
	return Agreement{}, false
}

func containsStr(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// ErrNoAgreement is matched by errors about a region without an active
// agreement with this one.
var ErrNoAgreement = errors.New("no agreement with that region")

// FederationError is a refused federation message or request: which
// message, from or to which region, and why. It unwraps to its cause
// (ErrNoAgreement, a *ValidationError, ...).
type FederationError struct {
	Message string // message ID, if any
	Region  string // the other region
	Err     error
}

func (e *FederationError) Error() string {
	s := "federation"
	if e.Message != "" {
		s += " message " + e.Message
	}
	if e.Region != "" {
		s += " (region " + e.Region + ")"
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *FederationError) Unwrap() error { return e.Err }

// Is matches ErrForbidden for a missing agreement.
func (e *FederationError) Is(target error) bool {
	return target == ErrForbidden && errors.Is(e.Err, ErrNoAgreement)
}

// Message is what crosses the boundary between two nodes, as JSON.
type Message struct {
	ID       string       `json:"id"`
	Type     MessageType  `json:"type"`
	From     string       `json:"from"`
	To       string       `json:"to"`
	Sent     time.Time    `json:"sent"`
	Profile  *Profile     `json:"profile,omitempty"`
	Interest *InterestMsg `json:"interest,omitempty"`
}

// MessageType names a federation message.
type MessageType string

// Message types.
const (
	MsgProfile   MessageType = "profile"   // an anonymous listing profile
	MsgInterest  MessageType = "interest"  // an expression of interest in a profile
	MsgAccept    MessageType = "accept"    // the owner accepts: carries the owner's contact
	MsgDecline   MessageType = "decline"   // the owner declines
	MsgIntroduce MessageType = "introduce" // after acceptance: the interested party's contact
)

// Profile is an anonymous listing profile (EEN technology offer): what a
// listing says about the technology and the deal, without the owner's name
// or contact, IP numbers, or anyone's name.
type Profile struct {
	ID            string          `json:"id"` // the listing ID at the origin
	Region        string          `json:"region"`
	Broker        string          `json:"broker,omitempty"` // the origin's industry broker desk
	Kind          string          `json:"kind"`             // "technology_offer"
	Title         string          `json:"title"`
	Summary       string          `json:"summary"`
	Benefits      []string        `json:"benefits,omitempty"`
	Applications  []string        `json:"applications,omitempty"`
	IndustryCodes []string        `json:"industry_codes,omitempty"`
	Indicators    []Indicator     `json:"indicators,omitempty"`
	Comparison    *Comparison     `json:"comparison,omitempty"`
	Readiness     ProfileLevel    `json:"readiness,omitzero"`
	IP            []ProfileIP     `json:"ip,omitempty"`
	Mode          TransferMode    `json:"mode"`
	Method        TradingMethod   `json:"method"`
	Pricing       PricingType     `json:"pricing,omitempty"`
	Price         decimal.Decimal `json:"price,omitzero"`
	Published     time.Time       `json:"published"`
	Expires       time.Time       `json:"expires"`
}

// ProfileLevel is a readiness level without evidence or assessor.
type ProfileLevel struct {
	Scale ReadinessScale `json:"scale,omitempty"`
	Level int            `json:"level,omitempty"`
}

// ProfileIP is an IP right without its number or owners.
type ProfileIP struct {
	Type      IPType   `json:"type"`
	Status    IPStatus `json:"status,omitempty"`
	Territory string   `json:"territory,omitempty"`
}

// InterestMsg is the body of interest, accept, decline and introduce
// messages.
type InterestMsg struct {
	ID      string `json:"id"`      // the interest's ID at the interested side
	Profile string `json:"profile"` // the listing ID at the origin
	// Org is the interested organization's name; Note its message. They go
	// to the owner's broker with the interest, never its contact.
	Org  string `json:"org,omitempty"`
	Note string `json:"note,omitempty"`
	// Contact is set only on accept (the owner's) and introduce (the
	// interested party's) messages.
	Contact *PartyContact `json:"contact,omitempty"`
}

// PartyContact is a party's contact, revealed after acceptance.
type PartyContact struct {
	Org    string `json:"org"`
	Person string `json:"person,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Email  string `json:"email,omitempty"`
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
// *ValidationError naming each offending field.
func CheckProfile(p Profile, names ...string) error {
	c := &checker{}
	if p.ID == "" {
		c.add("id", "required", "", "")
	}
	if !regionCode.MatchString(p.Region) {
		c.add("region", "malformed", "region code (ASCII letters, digits, - and _)", p.Region)
	}
	if p.Title == "" {
		c.add("title", "required", "", "")
	}
	if p.Summary == "" {
		c.add("summary", "required", "", "")
	}
	checkText(c, "title", p.Title, 300)
	checkText(c, "summary", p.Summary, 300)
	if p.Kind != "technology_offer" {
		c.add("kind", "oneof", "technology_offer", p.Kind)
	}
	if !saneDecimal(p.Price, 2) || p.Price.Sign() < 0 {
		c.add("price", "malformed", "amount in yuan with at most 2 decimal places", shortDecimal(p.Price))
	}
	texts := map[string]string{"title": p.Title, "summary": p.Summary}
	for i, x := range p.Benefits {
		texts["benefits["+itoa(i)+"]"] = x
	}
	for i, x := range p.Applications {
		texts["applications["+itoa(i)+"]"] = x
	}
	for i, x := range p.Indicators {
		texts["indicators["+itoa(i)+"]"] = x.Name + " " + x.Value + " " + x.Unit
	}
	if p.Comparison != nil {
		texts["comparison"] = p.Comparison.Alternative + " " + p.Comparison.Metric + " " + p.Comparison.Ours + " " + p.Comparison.Theirs
	}
	for _, field := range sortedKeys(texts) {
		s := texts[field]
		switch {
		case reEmail.MatchString(s):
			c.add(field, "leak", "e-mail address", reEmail.FindString(s))
		case rePatent.MatchString(s):
			c.add(field, "leak", "patent number", rePatent.FindString(s))
		case rePhone.MatchString(s):
			c.add(field, "leak", "phone number", rePhone.FindString(s))
		default:
			for _, n := range names {
				if n != "" && len([]rune(n)) >= 2 && strings.Contains(s, n) {
					c.add(field, "leak", "name", n)
					break
				}
			}
		}
	}
	return c.err(KindProfile)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ProfileOf builds the anonymous profile of a listing in region.
func ProfileOf(l Listing, region string) Profile {
	p := Profile{
		ID: l.ID, Region: region, Broker: l.Broker, Kind: "technology_offer",
		Title: l.Title, Summary: l.Summary, Benefits: l.Benefits, Applications: l.Applications,
		IndustryCodes: l.IndustryCodes, Indicators: l.Indicators, Comparison: l.Comparison,
		Readiness: ProfileLevel{Scale: l.Readiness.Scale, Level: l.Readiness.Level},
		Mode:      l.Terms.Mode, Method: l.Terms.Method, Pricing: l.Terms.Pricing,
		Published: l.Published, Expires: l.Expires,
	}
	if l.Terms.Pricing != Negotiable {
		p.Price = l.Terms.Price
	}
	for _, ip := range l.IPRights {
		p.IP = append(p.IP, ProfileIP{Type: ip.Type, Status: ip.Status, Territory: ip.Territory})
	}
	return p
}

// privateNames are the names a listing's profile must not contain.
func (f *Federation) privateNames(ctx context.Context, l Listing) []string {
	names := []string{l.Owner, l.OwnerID, l.ContactPerson, l.Origin.Unit}
	for _, ip := range l.IPRights {
		names = append(names, ip.Owners...)
	}
	if l.Achievement != "" {
		if a, err := f.s.Achievements.Get(ctx, f.svc, l.Achievement); err == nil {
			for _, inv := range a.Inventors {
				names = append(names, inv.Name)
			}
			names = append(names, a.Owner)
		}
	}
	return names
}

func (f *Federation) send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return f.o.Transport.Send(ctx, m.To, body)
}

func (f *Federation) msgID() string {
	return f.o.Region.Code + "-" + f.s.newID("fed_message")
}

// Share sends the anonymous profile of an open (or noticed) listing to the
// given regions. The principal must run the listing (its broker's staff or
// a platform admin). Every region needs an active agreement covering the
// listing's broker; the profile must pass CheckProfile with the listing's
// private names (owner, contact person, IP owners, inventors). Nothing is
// sent unless all checks pass.
func (f *Federation) Share(ctx context.Context, p Principal, listingID string, to ...string) (Profile, error) {
	l, err := f.s.GetListing(ctx, p, listingID)
	if err != nil {
		return Profile{}, err
	}
	if !p.canRunListing(l) {
		return Profile{}, forbidden("share", KindListing, listingID, "only platform admins and the handling broker's staff share listings")
	}
	if l.Status != ListingOpen && l.Status != ListingNotice {
		return Profile{}, wrap("share", KindListing, listingID, &TransitionError{Kind: KindListing, ID: listingID, From: string(l.Status), To: "shared", Reason: "only an open or noticed listing is shared"})
	}
	now := f.s.now()
	for _, r := range to {
		if _, ok := f.agreementWith(r, l.Broker, now); !ok {
			return Profile{}, wrap("share", KindListing, listingID, &FederationError{Region: r, Err: ErrNoAgreement})
		}
	}
	prof := ProfileOf(l, f.o.Region.Code)
	if err := CheckProfile(prof, f.privateNames(ctx, l)...); err != nil {
		return Profile{}, wrap("share", KindListing, listingID, err)
	}
	for _, r := range to {
		if err := f.send(ctx, Message{ID: f.msgID(), Type: MsgProfile, From: f.o.Region.Code, To: r, Sent: now, Profile: &prof}); err != nil {
			return Profile{}, wrap("share", KindListing, listingID, err)
		}
	}
	return prof, nil
}

// SharedProfile is a profile received from another region, as stored.
type SharedProfile struct {
	Meta
	Profile  Profile   `json:"profile"`
	Received time.Time `json:"received"`
}

func (SharedProfile) kind() Kind                                { return KindProfile }
func (x SharedProfile) getMeta() Meta                           { return x.Meta }
func (x SharedProfile) withMeta(m Meta) SharedProfile           { x.Meta = m; return x }
func (x SharedProfile) stage() string                           { return "" }
func (x SharedProfile) dedupKey() string                        { return "" }
func (x SharedProfile) ownerOrgs() []string                     { return nil }
func (x SharedProfile) redactFor(Principal) SharedProfile       { return x }
func (x SharedProfile) normalized() SharedProfile               { return x }
func (x SharedProfile) check(*checker, *System)                 {}
func (SharedProfile) columns() map[string]setter[SharedProfile] { return nil }

// InterestStatus is where an expression of interest stands.
type InterestStatus string

// Interest statuses.
const (
	InterestSent     InterestStatus = "sent"     // at the interested side: sent, awaiting the owner
	InterestReceived InterestStatus = "received" // at the owner's side: awaiting the owner's answer
	InterestAccepted InterestStatus = "accepted"
	InterestDeclined InterestStatus = "declined"
)

// Interest is an expression of interest, as stored on either side. At the
// interested side it holds the interested party's own contact (never sent
// before acceptance); at both sides Counterpart holds the other party's
// contact once the owner has accepted.
type Interest struct {
	Meta
	Outgoing    bool           `json:"outgoing"` // true at the interested side
	Remote      string         `json:"remote"`   // the other region
	RemoteID    string         `json:"remote_id,omitempty"`
	Profile     string         `json:"profile"` // the listing ID at the origin
	Title       string         `json:"title,omitempty"`
	Org         string         `json:"org"` // the interested organization
	Note        string         `json:"note,omitempty"`
	Contact     *PartyContact  `json:"contact,omitempty"` // own contact (interested side)
	Status      InterestStatus `json:"status"`
	Counterpart *PartyContact  `json:"counterpart,omitempty"`
	Decided     time.Time      `json:"decided,omitzero"`
	Reason      string         `json:"reason,omitempty"`
}

func (Interest) kind() Kind                           { return KindInterest }
func (x Interest) getMeta() Meta                      { return x.Meta }
func (x Interest) withMeta(m Meta) Interest           { x.Meta = m; return x }
func (x Interest) stage() string                      { return string(x.Status) }
func (x Interest) dedupKey() string                   { return "" }
func (x Interest) redactFor(Principal) Interest       { return x }
func (x Interest) normalized() Interest               { return x }
func (x Interest) check(*checker, *System)            {}
func (Interest) columns() map[string]setter[Interest] { return nil }
func (x Interest) ownerOrgs() []string {
	if x.Outgoing {
		return []string{x.Org}
	}
	return nil // the owner's side: see canSeeInterest and ownsListing
}

func (s *System) profileLib() *Library[SharedProfile] { return &Library[SharedProfile]{s: s} }
func (s *System) interestLib() *Library[Interest]     { return &Library[Interest]{s: s} }

// Profiles returns the profiles received from other regions that have not
// expired, oldest first. Any signed-in principal may read them.
func (f *Federation) Profiles(ctx context.Context, p Principal) ([]SharedProfile, error) {
	if p.anonymous() {
		return nil, forbidden("profiles", KindProfile, "", "sign in to see federated profiles")
	}
	recs, err := scanPrefix(ctx, f.s.store.List, KindProfile, "")
	if err != nil {
		return nil, wrap("profiles", KindProfile, "", err)
	}
	now := f.s.now()
	var out []SharedProfile
	for _, r := range recs {
		x, err := f.s.profileLib().decodeRecord(r)
		if err != nil {
			return nil, wrap("profiles", KindProfile, r.ID, err)
		}
		if x.Profile.Expires.IsZero() || now.Before(x.Profile.Expires) {
			out = append(out, x)
		}
	}
	return out, nil
}

func profileRecordID(region, listing string) string { return region + "." + listing }

// ExpressInterest sends an expression of interest in a received profile to
// the owner's region, on behalf of org. The principal must act for org (an
// enterprise or institution user) or be on the staff of a broker of this
// region (the interested party's broker) or a platform admin. Contact is the
// interested party's own contact: kept here and sent only after the owner
// accepts. Note goes with the interest: it must not contain contact data.
func (f *Federation) ExpressInterest(ctx context.Context, p Principal, profileID, org, note string, contact PartyContact) (Interest, error) {
	org, note = normText(org), normMultiline(note)
	c := &checker{}
	if org == "" {
		c.add("org", "required", "", "")
	}
	checkText(c, "org", org, 200)
	checkText(c, "note", note, 2000)
	if reEmail.MatchString(note) || rePhone.MatchString(note) {
		c.add("note", "leak", "contact data", "")
	}
	if err := c.err(KindInterest); err != nil {
		return Interest{}, wrap("express interest", KindInterest, profileID, err)
	}
	actsFor := (p.Role == RoleEnterprise || p.Role == RoleInstitution) && p.Org == org && org != ""
	if !actsFor && p.Role != RoleBrokerStaff && p.Role != RolePlatformAdmin {
		return Interest{}, forbidden("express interest", KindInterest, profileID, "the principal does not act for the interested party")
	}
	prof, err := f.s.profileLib().Get(ctx, f.svc, profileID)
	if err != nil {
		return Interest{}, wrap("express interest", KindInterest, profileID, err)
	}
	now := f.s.now()
	if _, ok := f.agreementWith(prof.Profile.Region, prof.Profile.Broker, now); !ok {
		return Interest{}, wrap("express interest", KindInterest, profileID, &FederationError{Region: prof.Profile.Region, Err: ErrNoAgreement})
	}
	if !prof.Profile.Expires.IsZero() && !now.Before(prof.Profile.Expires) {
		return Interest{}, wrap("express interest", KindInterest, profileID, &TransitionError{Kind: KindProfile, ID: profileID, From: "expired", To: "interest", Reason: "the profile expired"})
	}
	contact.Org = org
	in := Interest{Meta: Meta{Visibility: Confidential, Broker: p.Broker}, Outgoing: true, Remote: prof.Profile.Region,
		Profile: prof.Profile.ID, Title: prof.Profile.Title, Org: org, Note: note, Contact: &contact, Status: InterestSent}
	lib := f.s.interestLib()
	in = lib.stamp(p, in, now)
	err = driver.Update(ctx, f.s.store, func(ctx context.Context, tx driver.Tx) error {
		return lib.createTx(ctx, tx, p, in, string(InterestSent))
	})
	if err != nil {
		return Interest{}, wrap("express interest", KindInterest, profileID, err)
	}
	in.Version = 1
	msg := Message{ID: f.msgID(), Type: MsgInterest, From: f.o.Region.Code, To: prof.Profile.Region, Sent: now,
		Interest: &InterestMsg{ID: in.ID, Profile: prof.Profile.ID, Org: org, Note: note}}
	if err := f.send(ctx, msg); err != nil {
		return Interest{}, wrap("express interest", KindInterest, in.ID, err)
	}
	return in, nil
}

// canSeeInterest: platform admins; brokers' staff (an interest is handled
// broker to broker); at the interested side the interested org; at the
// owner's side the listing's owner (checked by the caller with the listing).
func (p Principal) canSeeInterest(x Interest) bool {
	switch {
	case p.Role == RolePlatformAdmin:
		return true
	case p.Role == RoleBrokerStaff:
		return x.Broker == "" || x.Broker == p.Broker
	case x.Outgoing:
		return p.Org != "" && p.Org == x.Org && !p.anonymous()
	}
	return false
}

// Interests returns the interests (sent and received) the principal may
// see at this node, in ID order.
func (f *Federation) Interests(ctx context.Context, p Principal) ([]Interest, error) {
	recs, err := scanPrefix(ctx, f.s.store.List, KindInterest, "")
	if err != nil {
		return nil, wrap("interests", KindInterest, "", err)
	}
	var out []Interest
	for _, r := range recs {
		x, err := f.s.interestLib().decodeRecord(r)
		if err != nil {
			return nil, wrap("interests", KindInterest, r.ID, err)
		}
		if p.canSeeInterest(x) || f.ownsListing(ctx, p, x) {
			out = append(out, x)
		}
	}
	return out, nil
}

// ownsListing reports whether p owns the listing an incoming interest is
// about.
func (f *Federation) ownsListing(ctx context.Context, p Principal, x Interest) bool {
	if x.Outgoing || p.anonymous() {
		return false
	}
	l, err := f.s.listingLib().Get(ctx, f.svc, x.Profile)
	return err == nil && p.owns(l.Meta, l.ownerOrgs())
}

// Respond answers an interest received by this node: accept (the owner's
// contact goes to the interested side) or decline (with a reason). The
// principal must be the listing's owner, or run the listing (its broker's
// staff, acting on the owner's decision, or a platform admin).
func (f *Federation) Respond(ctx context.Context, p Principal, interestID string, accept bool, reason string) (Interest, error) {
	reason = normMultiline(reason)
	var out Interest
	var msg Message
	err := driver.Update(ctx, f.s.store, func(ctx context.Context, tx driver.Tx) error {
		rec, err := tx.Get(ctx, string(KindInterest), interestID)
		if err != nil {
			return err
		}
		x, err := f.s.interestLib().decodeRecord(rec)
		if err != nil {
			return err
		}
		if x.Outgoing {
			return &TransitionError{Kind: KindInterest, ID: interestID, From: string(x.Status), To: "answered", Reason: "only the owner's side answers an interest"}
		}
		l, err := f.s.listingTx(ctx, tx, x.Profile)
		if err != nil {
			return err
		}
		if !p.canRunListing(l) && !p.owns(l.Meta, l.ownerOrgs()) {
			return forbidden("respond", KindInterest, interestID, "only the listing's owner or its broker answers an interest")
		}
		if x.Status != InterestReceived {
			return &TransitionError{Kind: KindInterest, ID: interestID, From: string(x.Status), To: "answered", Reason: "already answered"}
		}
		now := f.s.now()
		x.Decided, x.Reason = now, reason
		msg = Message{ID: f.msgID(), From: f.o.Region.Code, To: x.Remote, Sent: now,
			Interest: &InterestMsg{ID: x.RemoteID, Profile: x.Profile}}
		if accept {
			x.Status = InterestAccepted
			msg.Type = MsgAccept
			msg.Interest.Contact = &PartyContact{Org: l.Owner, Person: l.ContactPerson, Phone: l.Contact.Phone, Email: l.Contact.Email}
		} else {
			x.Status = InterestDeclined
			msg.Type = MsgDecline
			msg.Interest.Note = reason
		}
		out, err = f.s.interestLib().replaceTx(ctx, tx, f.svc, x, string(x.Status))
		return err
	})
	if err != nil {
		return Interest{}, wrap("respond", KindInterest, interestID, err)
	}
	if err := f.send(ctx, msg); err != nil {
		return Interest{}, wrap("respond", KindInterest, interestID, err)
	}
	return out, nil
}

// SyncReport says what Sync did.
type SyncReport struct {
	Processed int
	// Rejected lists the messages refused, each with a clear error (a
	// *FederationError): a region without an agreement, a profile that
	// fails CheckProfile, malformed JSON, an unknown interest.
	Rejected []error
}

// Sync reads this node's feed from where it stopped and handles every new
// message, each in its own transaction together with the node's feed
// position, so a message is handled once even across restarts. Refused
// messages are skipped and reported; replies that must go back (an
// introduction after an acceptance) are sent after their transaction.
func (f *Federation) Sync(ctx context.Context) (SyncReport, error) {
	var rep SyncReport
	for {
		pos, err := f.cursor(ctx)
		if err != nil {
			return rep, wrap("sync", kindCursor, f.o.Region.Code, err)
		}
		items, err := f.o.Transport.Feed(ctx, f.o.Region.Code, pos, 100)
		if err != nil {
			return rep, wrap("sync", kindCursor, f.o.Region.Code, err)
		}
		if len(items) == 0 {
			return rep, nil
		}
		for _, it := range items {
			var reply *Message
			var refused error
			err := driver.Update(ctx, f.s.store, func(ctx context.Context, tx driver.Tx) error {
				reply, refused = nil, nil
				r, herr := f.handle(ctx, tx, it.Body)
				if herr != nil {
					var fe *FederationError
					if !errors.As(herr, &fe) {
						return herr // a storage error: stop and retry later
					}
					refused = herr
				} else {
					reply = r
				}
				return f.setCursorTx(ctx, tx, it.Pos)
			})
			if err != nil {
				return rep, wrap("sync", kindCursor, f.o.Region.Code, err)
			}
			rep.Processed++
			if refused != nil {
				rep.Rejected = append(rep.Rejected, refused)
			}
			if reply != nil {
				if err := f.send(ctx, *reply); err != nil {
					return rep, wrap("sync", kindCursor, f.o.Region.Code, err)
				}
			}
		}
	}
}

func (f *Federation) cursor(ctx context.Context) (int64, error) {
	rec, err := f.s.store.Get(ctx, string(kindCursor), f.o.Region.Code)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(rec.Body), 10, 64)
}

func (f *Federation) setCursorTx(ctx context.Context, tx driver.Tx, pos int64) error {
	now := f.s.now()
	body := []byte(strconv.FormatInt(pos, 10))
	rec, err := tx.Get(ctx, string(kindCursor), f.o.Region.Code)
	if errors.Is(err, ErrNotFound) {
		return tx.Create(ctx, driver.Record{Kind: string(kindCursor), ID: f.o.Region.Code, Created: now, Updated: now, Body: body})
	}
	if err != nil {
		return err
	}
	rec.Body, rec.Updated = body, now
	_, err = tx.Replace(ctx, rec)
	return err
}

// handle processes one message inside tx. A refusal is a *FederationError;
// any other error is a storage failure.
func (f *Federation) handle(ctx context.Context, tx driver.Tx, body []byte) (*Message, error) {
	var m Message
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, &FederationError{Err: fmt.Errorf("malformed message: %w", err)}
	}
	refuse := func(err error) (*Message, error) {
		return nil, &FederationError{Message: m.ID, Region: m.From, Err: err}
	}
	if m.To != f.o.Region.Code {
		return refuse(fmt.Errorf("addressed to %q, not to this region %q", m.To, f.o.Region.Code))
	}
	now := f.s.now()
	broker := ""
	if m.Profile != nil {
		broker = m.Profile.Broker
	}
	if _, ok := f.agreementWith(m.From, broker, now); !ok {
		return refuse(ErrNoAgreement)
	}
	switch m.Type {
	case MsgProfile:
		if m.Profile == nil {
			return refuse(errors.New("a profile message without a profile"))
		}
		if m.Profile.Region != m.From {
			return refuse(fmt.Errorf("profile of region %q sent by region %q", m.Profile.Region, m.From))
		}
		if err := CheckProfile(*m.Profile); err != nil {
			return refuse(err)
		}
		id := profileRecordID(m.From, m.Profile.ID)
		sp := SharedProfile{Meta: Meta{ID: id, Visibility: Members, Region: m.From, Created: now, Updated: now}, Profile: *m.Profile, Received: now}
		lib := f.s.profileLib()
		if cur, err := tx.Get(ctx, string(KindProfile), id); err == nil {
			sp.Version = cur.Version
			sp.Created = cur.Created
			_, err := lib.replaceTx(ctx, tx, f.svc, sp, "updated")
			return nil, err
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		return nil, lib.createTx(ctx, tx, f.svc, sp, "received")
	case MsgInterest:
		in := m.Interest
		if in == nil || in.ID == "" || in.Profile == "" || in.Org == "" {
			return refuse(errors.New("an interest needs its id, profile and org"))
		}
		if !remoteID.MatchString(in.ID) || len(in.Org) > 600 || len(in.Note) > 6000 {
			return refuse(errors.New("malformed interest id, org or note"))
		}
		if in.Contact != nil {
			return refuse(errors.New("an interest must not carry contact data before acceptance"))
		}
		l, err := f.s.listingTx(ctx, tx, in.Profile)
		if errors.Is(err, ErrNotFound) {
			return refuse(fmt.Errorf("no listing %q here", in.Profile))
		} else if err != nil {
			return nil, err
		}
		if _, ok := f.agreementWith(m.From, l.Broker, now); !ok {
			return refuse(ErrNoAgreement)
		}
		x := Interest{Meta: Meta{ID: m.From + "." + in.ID, Broker: l.Broker, Visibility: Confidential, Created: now, Updated: now},
			Remote: m.From, RemoteID: in.ID, Profile: in.Profile, Title: l.Title, Org: normText(in.Org), Note: normMultiline(in.Note), Status: InterestReceived}
		if err := f.s.interestLib().createTx(ctx, tx, f.svc, x, string(InterestReceived)); err != nil {
			if errors.Is(err, ErrExists) {
				return refuse(fmt.Errorf("interest %s already received", in.ID))
			}
			return nil, err
		}
		return nil, nil
	case MsgAccept, MsgDecline, MsgIntroduce:
		in := m.Interest
		if in == nil || in.ID == "" {
			return refuse(errors.New("a reply needs the interest id"))
		}
		id := in.ID
		if m.Type == MsgIntroduce {
			id = m.From + "." + in.ID // the owner's side stores remote interests under region.id
		}
		rec, err := tx.Get(ctx, string(KindInterest), id)
		if errors.Is(err, ErrNotFound) {
			return refuse(fmt.Errorf("no interest %q here", in.ID))
		} else if err != nil {
			return nil, err
		}
		x, err := f.s.interestLib().decodeRecord(rec)
		if err != nil {
			return nil, err
		}
		if x.Remote != m.From {
			return refuse(fmt.Errorf("interest %s concerns region %s", id, x.Remote))
		}
		var reply *Message
		switch m.Type {
		case MsgAccept:
			if !x.Outgoing || x.Status != InterestSent || in.Contact == nil {
				return refuse(fmt.Errorf("interest %s cannot be accepted now (status %s)", id, x.Status))
			}
			x.Status, x.Counterpart, x.Decided = InterestAccepted, in.Contact, now
			reply = &Message{ID: f.msgID(), Type: MsgIntroduce, From: f.o.Region.Code, To: m.From, Sent: now,
				Interest: &InterestMsg{ID: x.ID, Profile: x.Profile, Contact: x.Contact}}
		case MsgDecline:
			if !x.Outgoing || x.Status != InterestSent {
				return refuse(fmt.Errorf("interest %s cannot be declined now (status %s)", id, x.Status))
			}
			x.Status, x.Decided, x.Reason = InterestDeclined, now, normMultiline(in.Note)
		case MsgIntroduce:
			if x.Outgoing || x.Status != InterestAccepted || in.Contact == nil {
				return refuse(fmt.Errorf("interest %s: introduction before acceptance", id))
			}
			x.Counterpart = in.Contact
		}
		x.Version = rec.Version
		if _, err := f.s.interestLib().replaceTx(ctx, tx, f.svc, x, string(m.Type)); err != nil {
			return nil, err
		}
		if reply != nil {
			return reply, nil
		}
		return nil, nil
	}
	return refuse(fmt.Errorf("unknown message type %q", m.Type))
}
