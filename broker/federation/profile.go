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
)

// Profile is an anonymous profile (项目画像, after the EEN's profiles): a
// technology offer — what a listing says about the technology and the
// deal — or a technology request — what a demand asks for (Kind
// TechnologyRequest; ProfileOfDemand) — without the owner's name or
// contact, IP numbers, or anyone's name.
type Profile struct {
	ID            string                 `json:"id"` // the listing's (or demand's) ID at the origin
	Region        string                 `json:"region"`
	Broker        string                 `json:"broker,omitempty"` // the origin's industry broker desk
	Kind          string                 `json:"kind"`             // TechnologyOffer or TechnologyRequest
	Title         string                 `json:"title"`
	Summary       string                 `json:"summary"`
	Benefits      []string               `json:"benefits,omitempty"`
	Applications  []string               `json:"applications,omitempty"`
	IndustryCodes []string               `json:"industry_codes,omitempty"`
	Indicators    []exchange.Indicator   `json:"indicators,omitempty"`
	Comparison    *exchange.Comparison   `json:"comparison,omitempty"`
	Readiness     ProfileLevel           `json:"readiness,omitzero"`
	IP            []ProfileIP            `json:"ip,omitempty"`
	Mode          broker.TransferMode    `json:"mode,omitempty"`
	Method        exchange.TradingMethod `json:"method,omitempty"`
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

// TechnologyOffer is the kind of a listing's profile: a technology offer.
const TechnologyOffer = "technology_offer"

// listingID is what a profile's ID (the listing's ID at the origin) may
// hold: printable ASCII, as every record ID.
var listingID = regexp.MustCompile(`^[\x21-\x7e]{1,64}$`)

// CheckProfile checks a profile before it is shared or stored: its
// required fields, sizes and codes, and the leak rule — none of its texts
// may reveal private data: neither an item of private (the contact data,
// names and numbers of the record it is built from), in any spelling
// (full-width, spaced out, split by punctuation or invisible characters,
// in another case), nor, whoever's it is, an e-mail address, a phone
// number, a WeChat ID or QQ number with its label, or a patent or
// registration number. A node checks the profiles it receives with an
// empty Private. It returns a *broker.ValidationError naming every bad
// field; a leak error names the field, the kind of data (LeakPhone, …) and
// the value as written in the text.
func CheckProfile(p Profile, private Private) error {
	c := &broker.Check{}
	checkProfile(c, "", p, private)
	return c.Err(KindProfile)
}

func checkProfile(c *broker.Check, prefix string, p Profile, private Private) {
	add := func(field, code, param, value string) { c.Add(prefix+field, code, param, value) }
	required := func(field, v string) {
		if v == "" {
			add(field, "required", "", "")
		}
	}
	oneof := func(field, v, allowed string, optional bool) {
		if (v != "" || !optional) && !slices.Contains(strings.Fields(allowed), v) {
			add(field, "oneof", allowed, v)
		}
	}
	list := func(field string, xs []string, n, each int) {
		if len(xs) > n {
			add(field, "max_len", strconv.Itoa(n), strconv.Itoa(len(xs)))
		}
		for i, x := range xs {
			c.Text(prefix+field+"["+strconv.Itoa(i)+"]", x, each)
		}
	}
	switch {
	case p.ID == "":
		required("id", p.ID)
	case !listingID.MatchString(p.ID):
		add("id", "printascii", "", p.ID)
	}
	if !regionCode.MatchString(p.Region) {
		add("region", "malformed", "region code (ASCII letters, digits, - and _)", p.Region)
	}
	c.Text(prefix+"broker", p.Broker, 64)
	oneof("kind", p.Kind, TechnologyOffer+" "+TechnologyRequest, false)
	required("title", p.Title)
	required("summary", p.Summary)
	c.Text(prefix+"title", p.Title, 300)
	c.Text(prefix+"summary", p.Summary, 300)
	list("benefits", p.Benefits, 20, 500)
	list("applications", p.Applications, 20, 500)
	list("industry_codes", p.IndustryCodes, 20, 32)
	if len(p.Indicators) > 50 {
		add("indicators", "max_len", "50", strconv.Itoa(len(p.Indicators)))
	}
	for i, x := range p.Indicators {
		f := "indicators[" + strconv.Itoa(i) + "]"
		required(f+".name", x.Name)
		required(f+".value", x.Value)
		c.Text(prefix+f+".name", x.Name, 100)
		c.Text(prefix+f+".value", x.Value, 100)
		c.Text(prefix+f+".unit", x.Unit, 32)
	}
	if x := p.Comparison; x != nil {
		required("comparison.alternative", x.Alternative)
		required("comparison.metric", x.Metric)
		required("comparison.ours", x.Ours)
		required("comparison.theirs", x.Theirs)
		c.Text(prefix+"comparison.alternative", x.Alternative, 200)
		c.Text(prefix+"comparison.metric", x.Metric, 100)
		c.Text(prefix+"comparison.ours", x.Ours, 100)
		c.Text(prefix+"comparison.theirs", x.Theirs, 100)
	}
	if r := p.Readiness; r.Scale != "" || r.Level != 0 {
		switch n := r.Scale.Levels(); {
		case n == 0:
			add("readiness.scale", "oneof", "nasa-trl eu-trl gbt-37264", string(r.Scale))
		case r.Level < 1 || r.Level > n:
			add("readiness.level", "level_range", string(r.Scale)+" 1–"+strconv.Itoa(n), strconv.Itoa(r.Level))
		}
	}
	if len(p.IP) > 100 {
		add("ip", "max_len", "100", strconv.Itoa(len(p.IP)))
	}
	for i, ip := range p.IP {
		f := "ip[" + strconv.Itoa(i) + "]"
		oneof(f+".type", string(ip.Type), "invention_patent utility_model design_patent software_copyright ic_layout plant_variety biomedical_variety technical_secret other", false)
		oneof(f+".status", string(ip.Status), "filed granted expired invalidated", true)
		c.Text(prefix+f+".territory", ip.Territory, 32)
	}
	// An offer says how it trades; a request may name the mode it seeks.
	offer := p.Kind != TechnologyRequest
	oneof("mode", string(p.Mode), "transfer license investment development service consulting", !offer)
	if offer {
		oneof("method", string(p.Method), "agreement listing auction tender bidding", false)
	} else if p.Method != "" {
		add("method", "invalid", "", "a technology request has no trading method")
	}
	oneof("pricing", string(p.Pricing), "negotiable fixed floor", true)
	c.Money(prefix+"price", p.Price)
	checkLeaks(c, prefix, profileTexts(p), secretsOf(private))
}

// ProfileOf builds the anonymous profile of listing l in region and checks
// it with the private data of the listing and of the achievement a it
// lists (CheckProfile with PrivateOf(l, a)). A listing that names an
// achievement needs it (a with that ID), so that its inventors' names are
// checked too. The negotiable price is left out. It is the only builder
// of a profile from a listing: Share sends what it returns.
func ProfileOf(l exchange.Listing, a *broker.Achievement, region string) (Profile, error) {
	if l.Achievement != "" && (a == nil || a.ID != l.Achievement) {
		got := "none"
		if a != nil {
			got = a.ID
		}
		return Profile{}, &broker.ValidationError{Kind: KindProfile, Fields: []broker.FieldError{{Field: "achievement", Code: "invalid",
			Value: "the listing names achievement " + l.Achievement + ", whose inventors must be checked; given " + got}}}
	}
	p := Profile{
		ID: l.ID, Region: region, Broker: l.Broker, Kind: TechnologyOffer,
		Title: l.Title, Summary: l.Summary, Benefits: slices.Clone(l.Benefits), Applications: slices.Clone(l.Applications),
		IndustryCodes: slices.Clone(l.IndustryCodes), Indicators: slices.Clone(l.Indicators),
		Readiness: ProfileLevel{Scale: l.Readiness.Scale, Level: l.Readiness.Level},
		Mode:      l.Terms.Mode, Method: l.Terms.Method, Pricing: l.Terms.Pricing,
		Published: l.Published, Expires: l.Expires,
	}
	if l.Comparison != nil {
		cmp := *l.Comparison
		p.Comparison = &cmp
	}
	if l.Terms.Pricing != broker.Negotiable {
		p.Price = l.Terms.Price
	}
	for _, ip := range l.IPRights {
		p.IP = append(p.IP, ProfileIP{Type: ip.Type, Status: ip.Status, Territory: ip.Territory})
	}
	if err := CheckProfile(p, PrivateOf(l, a)); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// private reads the private data of listing l inside tx: the listing's own
// and the achievement's it lists. A listing whose achievement is gone is
// refused rather than checked without its inventors.
func private(tx *broker.Tx, l exchange.Listing) (*broker.Achievement, error) {
	if l.Achievement == "" {
		return nil, nil
	}
	a, err := broker.Read[broker.Achievement](tx, l.Achievement)
	if errors.Is(err, broker.ErrNotFound) {
		return nil, &broker.ValidationError{Kind: exchange.KindListing, Fields: []broker.FieldError{{Field: "achievement", Code: "ref", Value: l.Achievement}}}
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
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

// Validate applies CheckProfile to the profile (with no private data: the
// record it was built from is the other region's), so that no profile is
// stored, by Sync or any other write, that breaks the leak rule.
func (x SharedProfile) Validate(c *broker.Check) {
	checkProfile(c, "profile.", x.Profile, Private{})
}

// Share sends the anonymous profile of an open (or noticed) listing to the
// given regions. The principal must operate the listing (the policy's
// broker.ActOperate: its broker's staff or a platform admin). Every region
// needs an active agreement covering the listing's broker; the profile is
// built by ProfileOf, so it must pass CheckProfile with the private data of
// the listing and of the achievement it lists. Nothing is sent unless all
// checks pass.
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
			if _, ok, err := f.agreementWith(tx, r, l.Broker, now); err != nil {
				return err
			} else if !ok {
				return &Error{Region: r, Err: ErrNoAgreement}
			}
		}
		a, err := private(tx, l)
		if err != nil {
			return err
		}
		prof, err = ProfileOf(l, a, f.o.Region.Code)
		return err
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
