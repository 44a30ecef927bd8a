package exchange

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/contract"
	"github.com/kexie/techbroker/internal/decimalx"
	"github.com/kexie/techbroker/internal/textnorm"
)

// TradingMethod is how a listing is traded (Art. 18 of the Law on Promoting
// the Transformation of S&T Achievements; Shanghai's rules for technology
// trading venues).
type TradingMethod string

// Trading methods.
const (
	// MethodAgreement: 协议定价. The parties agree the price; the result's
	// name and price are publicly noticed (公示, 15 days by default) and the
	// deal may close only after the notice has run.
	MethodAgreement TradingMethod = "agreement"
	// MethodFixed: 挂牌. Listed at a firm or floor price (or negotiable);
	// a buyer closes at that price.
	MethodFixed TradingMethod = "listing"
	// MethodAuction: 拍卖. Open ascending bids above a reserve price with a
	// bid increment, deposits, and a deadline; the highest bid wins.
	MethodAuction TradingMethod = "auction"
	// MethodTender: 招标. Sealed offers, one per bidder, opened together
	// after the deadline; the highest offer at or above the reserve wins.
	MethodTender TradingMethod = "tender"
	// MethodBidding: 竞价. Online competitive bidding: mechanically like
	// an auction (reserve, increment, deposit, deadline).
	MethodBidding TradingMethod = "bidding"
)

// Bids reports whether the method takes bids on a book (auction, bidding,
// tender).
func (m TradingMethod) Bids() bool {
	return m == MethodAuction || m == MethodBidding || m == MethodTender
}

// The Chinese names accepted for the listing's enumerations. The transfer
// modes and pricing types are the achievement library's (broker), which
// keeps its own table for imports.
var (
	methodNames  = map[string]string{"协议定价": "agreement", "协议转让": "agreement", "挂牌": "listing", "挂牌交易": "listing", "拍卖": "auction", "招标": "tender", "竞价": "bidding"}
	modeNames    = map[string]string{"转让": "transfer", "技术转让": "transfer", "许可": "license", "技术许可": "license", "作价投资": "investment", "作价入股": "investment", "技术开发": "development", "开发": "development", "技术服务": "service", "服务": "service", "技术咨询": "consulting", "咨询": "consulting"}
	pricingNames = map[string]string{"面议": "negotiable", "一口价": "fixed", "固定价": "fixed", "底价": "floor"}
)

// enumCode maps a Chinese name to its code; other text is returned
// lower-cased for the validator to judge.
func enumCode(s string, names map[string]string) string {
	s = textnorm.Text(s)
	if c, ok := names[s]; ok {
		return c
	}
	return textnorm.LowerASCII(s)
}

// ListingStatus is where a listing stands.
type ListingStatus string

// Listing statuses.
const (
	ListingDraft     ListingStatus = "draft"     // being prepared; not public
	ListingNotice    ListingStatus = "notice"    // 公示中: an agreement price under public notice
	ListingOpen      ListingStatus = "open"      // 挂牌中: open for offers or bids
	ListingAwarded   ListingStatus = "awarded"   // bidding closed with a winner; deal pending
	ListingUnsold    ListingStatus = "unsold"    // bidding closed without a valid bid (流拍)
	ListingTraded    ListingStatus = "traded"    // a deal is closed
	ListingWithdrawn ListingStatus = "withdrawn" // withdrawn; accepts nothing
	// ListingExpired is never stored: GetListing reports it for a notice
	// or open listing whose Expires has passed. Renew reopens it.
	ListingExpired ListingStatus = "expired"
)

// Listing is one result listed on a technology exchange (挂牌): what a real
// listing holds (title, one-sentence summary, overview, readiness,
// benefits, applications, industries, technical indicators, the comparison
// with the leading alternative, IP, provenance, deal terms, public summary
// versus confidential detail) and where it stands.
//
// Listings change only through the exchange's operations (CreateListing,
// UpdateListing while a draft, PublishListing, RenewListing,
// WithdrawListing, bids, CloseBidding, CloseDeal), which check the status
// rules and write an audit event in the same transaction. The fields the
// operations own (Status and what follows it) are refused on a plain write
// (broker.Guarded).
type Listing struct {
	broker.Meta
	// Achievement is the ID of the achievement listed (optional).
	Achievement string `json:"achievement,omitempty" validate:"max=64"`
	// Case is the broker's case carrying the achievement (optional):
	// publishing moves it to Listed and closing a deal to Traded.
	Case string `json:"case,omitempty" validate:"max=64"`

	Title    string `json:"title" validate:"required,max=300"`
	Summary  string `json:"summary" validate:"required,max=300"` // one sentence
	Overview string `json:"overview,omitempty" validate:"max=5000"`

	Readiness     broker.Readiness `json:"readiness"`
	Benefits      []string         `json:"benefits,omitempty" validate:"max=20,dive,max=500"`
	Applications  []string         `json:"applications,omitempty" validate:"max=20,dive,max=500"`
	IndustryCodes []string         `json:"industry_codes,omitempty" validate:"max=20,dive,max=32"`
	Indicators    []Indicator      `json:"indicators,omitempty" validate:"max=50,dive"`
	Comparison    *Comparison      `json:"comparison,omitempty"`
	IPRights      []broker.IPRight `json:"ip_rights,omitempty" validate:"max=100,dive"`
	Origin        Origin           `json:"origin"`

	// Owner is the seller (the completing unit or right holder).
	Owner       string `json:"owner" validate:"required,max=200" org:"name"`
	OwnerID     string `json:"owner_id,omitempty" validate:"max=64" org:"id"`
	OwnerPublic bool   `json:"owner_public,omitempty"` // a state-funded institute or university (Art. 18 applies)
	// ContactPerson and Contact are private: shown only to the owner, the
	// handling broker's staff and platform admins.
	ContactPerson string         `json:"contact_person,omitempty" validate:"max=64"`
	Contact       broker.Contact `json:"contact"`
	// Detail is the confidential part (技术细节), private like the contact.
	Detail string `json:"detail,omitempty" validate:"max=20000"`

	// Venue is the exchange the listing is on, e.g. 上海技术交易所.
	Venue string       `json:"venue,omitempty" validate:"max=100"`
	Terms ListingTerms `json:"terms"`
	// ValidDays is how long a publication lasts; 0 means 90 days.
	ValidDays int `json:"valid_days,omitempty" validate:"min=0,max=730"`

	Status    ListingStatus `json:"status"`
	Published time.Time     `json:"published,omitzero"`
	Expires   time.Time     `json:"expires,omitzero"`
	Renewals  int           `json:"renewals,omitempty"`
	Notice    *PublicNotice `json:"notice,omitempty"`
	Closes    time.Time     `json:"closes,omitzero"` // bidding deadline
	Award     *Award        `json:"award,omitempty"`
	DealRef   string        `json:"deal_ref,omitempty"`
	Reason    string        `json:"reason,omitempty"` // why it was withdrawn
}

// Indicator is one quantified technical indicator, e.g. 检测精度 ±0.1 mg/L.
type Indicator struct {
	Name  string `json:"name" validate:"required,max=100"`
	Value string `json:"value" validate:"required,max=100"`
	Unit  string `json:"unit,omitempty" validate:"max=32"`
}

// Comparison sets the result against the leading alternative, quantified:
// both values must contain a number ("better" alone is rejected).
type Comparison struct {
	Alternative string `json:"alternative" validate:"required,max=200"`
	Metric      string `json:"metric" validate:"required,max=100"`
	Ours        string `json:"ours" validate:"required,max=100"`
	Theirs      string `json:"theirs" validate:"required,max=100"`
}

// Origin is a listing's provenance.
type Origin struct {
	Unit         string   `json:"unit,omitempty" validate:"max=200" org:"ref"` // completing unit
	Funding      []string `json:"funding,omitempty" validate:"max=20,dive,max=200"`
	Awards       []string `json:"awards,omitempty" validate:"max=20,dive,max=200"`
	Registration string   `json:"registration,omitempty" validate:"max=64"` // achievement registration number
}

// ListingTerms are a listing's deal terms.
type ListingTerms struct {
	Mode    broker.TransferMode `json:"mode" validate:"required,oneof=transfer license investment development service consulting"`
	Method  TradingMethod       `json:"method" validate:"required,oneof=agreement listing auction tender bidding"`
	Pricing broker.PricingType  `json:"pricing,omitempty" validate:"omitempty,oneof=negotiable fixed floor"`
	// Price in yuan: the agreed price (agreement), the firm or floor price
	// (listing), or the reserve price (auction, bidding, tender).
	Price decimal.Decimal `json:"price"`
	// Increment is the minimum raise over the highest bid (auction, bidding).
	Increment decimal.Decimal `json:"increment"`
	// Deposit a bidder must have paid before bidding (auction, bidding,
	// tender); required for those methods.
	Deposit decimal.Decimal `json:"deposit"`
	// FeePercent is the exchange's service fee, percent of the deal amount.
	FeePercent decimal.Decimal `json:"fee_percent"`
	// NoticeDays is the length of the public notice (agreement); 0 means
	// contract.MinNoticeDays (15).
	NoticeDays int `json:"notice_days,omitempty" validate:"min=0,max=90"`
	// Counterparty is the agreed buyer (agreement), if known.
	Counterparty string `json:"counterparty,omitempty" validate:"max=200" org:"ref"`
}

// PublicNotice is the 公示 of an agreement price.
type PublicNotice struct {
	Name  string          `json:"name"`
	Price decimal.Decimal `json:"price"`
	Start time.Time       `json:"start"`
	End   time.Time       `json:"end"`
}

// Award is the outcome of closed bidding.
type Award struct {
	Bidder  string          `json:"bidder" org:"ref"`
	Amount  decimal.Decimal `json:"amount"`
	Bid     string          `json:"bid"`
	Decided time.Time       `json:"decided"`
	Bids    int64           `json:"bids"` // bids or offers received
}

// RecordKind is KindListing.
func (Listing) RecordKind() broker.Kind { return KindListing }

// AccessClass: listings are the exchange's records, run by the handling
// broker's desk (broker.ClassExchange).
func (Listing) AccessClass() broker.Class { return broker.ClassExchange }

// RecordStage is the stored status (broker.ListOptions.Stage).
func (l Listing) RecordStage() string { return string(l.Status) }

// Tier is the listing's visibility tier for the access policy: a draft is
// Confidential (its owner, the handling broker's staff and platform admins)
// whatever its Visibility; a published listing has its Visibility. Every
// read, and every List before its page is cut, applies it.
func (l Listing) Tier() broker.Visibility {
	if l.Status == ListingDraft || l.Status == "" {
		return broker.Confidential
	}
	return l.Visibility
}

// OwnerOrgs is the seller, by name and ID.
func (l Listing) OwnerOrgs() []string { return orgList(l.Owner, l.OwnerID) }

// Redacted clears the private part: the contact and the confidential
// detail.
func (l Listing) Redacted() Listing {
	l.Contact, l.ContactPerson, l.Detail = broker.Contact{}, "", ""
	return l
}

// Unredacted returns l with the stored private part.
func (l Listing) Unredacted(stored Listing) Listing {
	l.Contact, l.ContactPerson, l.Detail = stored.Contact, stored.ContactPerson, stored.Detail
	return l
}

func orgList(name, id string) []string {
	var out []string
	if name != "" {
		out = append(out, name)
	}
	if id != "" {
		out = append(out, id)
	}
	return out
}

// achievementPart is the part of a listing that is the listed
// achievement's own data — industry codes, IP rights and readiness — so
// that it is normalized and checked by the achievement library's rules,
// under the same field names.
func (l Listing) achievementPart() broker.Achievement {
	return broker.Achievement{IndustryCodes: l.IndustryCodes, IPRights: l.IPRights, Readiness: l.Readiness}
}

// Normalized folds the listing's text, maps Chinese names of the
// enumerations to their codes (拍卖 → auction, 许可 → license, 底价 →
// floor), defaults the pricing type and the status (draft).
func (l Listing) Normalized() Listing {
	a := l.achievementPart().Normalized()
	l.IndustryCodes, l.IPRights, l.Readiness = a.IndustryCodes, a.IPRights, a.Readiness
	l.Achievement, l.Case = textnorm.Text(l.Achievement), textnorm.Text(l.Case)
	l.Title, l.Summary, l.Overview = textnorm.Text(l.Title), textnorm.Text(l.Summary), textnorm.Multiline(l.Overview)
	l.Benefits, l.Applications = textnorm.List(l.Benefits), textnorm.List(l.Applications)
	if l.Indicators != nil {
		in := make([]Indicator, len(l.Indicators))
		for i, x := range l.Indicators {
			in[i] = Indicator{Name: textnorm.Text(x.Name), Value: textnorm.Text(x.Value), Unit: textnorm.Text(x.Unit)}
		}
		l.Indicators = in
	}
	if c := l.Comparison; c != nil {
		l.Comparison = &Comparison{Alternative: textnorm.Text(c.Alternative), Metric: textnorm.Text(c.Metric), Ours: textnorm.Text(c.Ours), Theirs: textnorm.Text(c.Theirs)}
	}
	l.Origin = Origin{Unit: textnorm.Text(l.Origin.Unit), Funding: textnorm.List(l.Origin.Funding), Awards: textnorm.List(l.Origin.Awards), Registration: textnorm.Code(l.Origin.Registration)}
	l.Owner, l.OwnerID, l.ContactPerson = textnorm.Text(l.Owner), textnorm.Text(l.OwnerID), textnorm.Text(l.ContactPerson)
	l.Contact = broker.Contact{Phone: textnorm.Text(l.Contact.Phone), Email: textnorm.Text(l.Contact.Email), WeChat: textnorm.Text(l.Contact.WeChat)}
	l.Detail = textnorm.Multiline(l.Detail)
	l.Venue = textnorm.Text(l.Venue)
	t := &l.Terms
	t.Mode = broker.TransferMode(enumCode(string(t.Mode), modeNames))
	t.Method = TradingMethod(enumCode(string(t.Method), methodNames))
	t.Pricing = broker.PricingType(enumCode(string(t.Pricing), pricingNames))
	if t.Pricing == "" {
		switch {
		case t.Method.Bids():
			t.Pricing = broker.FloorPrice
		case t.Price.IsZero():
			t.Pricing = broker.Negotiable
		default:
			t.Pricing = broker.FixedPrice
		}
	}
	t.Counterparty = textnorm.Text(t.Counterparty)
	if l.Status == "" {
		l.Status = ListingDraft
	}
	l.Reason = textnorm.Multiline(l.Reason)
	return l
}

var hundred = decimal.NewFromInt(100)

// Validate checks what the struct tags cannot: the achievement's part by
// its rules, a quantified comparison, money, the terms each trading method
// needs, and for a draft the length of its 公示 (checkNotice).
func (l Listing) Validate(c *broker.Check) {
	l.achievementPart().Validate(c)
	if l.Comparison != nil && (!hasDigit(l.Comparison.Ours) || !hasDigit(l.Comparison.Theirs)) {
		c.Add("comparison", "quantified", "", l.Comparison.Ours+" / "+l.Comparison.Theirs)
	}
	t := l.Terms
	c.Money("terms.price", t.Price)
	c.Money("terms.increment", t.Increment)
	c.Money("terms.deposit", t.Deposit)
	if !decimalx.Sane(t.FeePercent, 4) || t.FeePercent.Sign() < 0 || t.FeePercent.GreaterThan(hundred) {
		c.Add("terms.fee_percent", "share_range", "", decimalx.Short(t.FeePercent))
	}
	positive := func(field string, d decimal.Decimal) {
		if decimalx.Sane(d, 2) && d.IsZero() {
			c.Add(field, "required", "", "")
		}
	}
	switch t.Method {
	case MethodAgreement:
		positive("terms.price", t.Price)
	case MethodFixed:
		if t.Pricing != broker.Negotiable {
			positive("terms.price", t.Price)
		}
	case MethodAuction, MethodBidding:
		positive("terms.price", t.Price)
		positive("terms.increment", t.Increment)
		positive("terms.deposit", t.Deposit)
	case MethodTender:
		positive("terms.price", t.Price)
		positive("terms.deposit", t.Deposit)
	}
	if t.Method.Bids() && t.Pricing != broker.FloorPrice {
		c.Add("terms.pricing", "oneof", "floor", string(t.Pricing))
	}
	switch l.Status {
	case ListingDraft, ListingNotice, ListingOpen, ListingAwarded, ListingUnsold, ListingTraded, ListingWithdrawn:
	default:
		c.Add("status", "oneof", "draft notice open awarded unsold traded withdrawn", string(l.Status))
	}
	if l.Status == ListingDraft {
		l.checkNotice(c)
	}
}

// checkNotice applies the 公示 rule to a listing whose notice is still to
// run (a draft, and a draft being published): contract.CheckNoticeDays,
// the one source of the rule that CloseDeal's pricing finding
// (contract.CheckPricing) applies too. A state-funded owner (OwnerPublic)
// pricing by agreement needs contract.RequiredNoticeDays (15) days; a
// shorter Terms.NoticeDays is refused on terms.notice_days with the days
// required (Param) and given (Value).
func (l Listing) checkNotice(c *broker.Check) {
	path, days := pricingPath(l.Terms.Method), l.NoticeDays()
	if contract.CheckNoticeDays(l.OwnerPublic, path, days, nil) != nil {
		c.Add("terms.notice_days", "min", strconv.Itoa(contract.RequiredNoticeDays(l.OwnerPublic, path, nil)), strconv.Itoa(days))
	}
}

// GuardUpdate names the fields the exchange's operations own, when a plain
// write (broker.Library, broker.Create or broker.Replace without Via)
// would change them.
func (l Listing) GuardUpdate(stored Listing) []broker.FieldError {
	if stored.Status == "" {
		stored.Status = ListingDraft // a new listing is a draft
	}
	var out []broker.FieldError
	guard := func(field string, same bool) {
		if !same {
			out = append(out, broker.FieldError{Field: field, Code: "guarded", Param: "the exchange's operations (publish, renew, withdraw, bids, deals)"})
		}
	}
	guard("status", l.Status == stored.Status)
	guard("published", l.Published.Equal(stored.Published))
	guard("expires", l.Expires.Equal(stored.Expires))
	guard("renewals", l.Renewals == stored.Renewals)
	guard("notice", sameNotice(l.Notice, stored.Notice))
	guard("closes", l.Closes.Equal(stored.Closes))
	guard("award", sameAward(l.Award, stored.Award))
	guard("deal_ref", l.DealRef == stored.DealRef)
	guard("reason", l.Reason == stored.Reason)
	return out
}

func sameNotice(a, b *PublicNotice) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && a.Price.Equal(b.Price) && a.Start.Equal(b.Start) && a.End.Equal(b.End)
}

func sameAward(a, b *Award) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Bidder == b.Bidder && a.Amount.Equal(b.Amount) && a.Bid == b.Bid && a.Decided.Equal(b.Decided) && a.Bids == b.Bids
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
}

// StatusAt returns the listing's status at time t: ListingExpired for a
// notice or open listing whose Expires has passed, else the stored status.
func (l Listing) StatusAt(t time.Time) ListingStatus {
	if (l.Status == ListingOpen || l.Status == ListingNotice) && !l.Expires.IsZero() && !t.Before(l.Expires) {
		return ListingExpired
	}
	return l.Status
}

func (l Listing) validDays() int {
	if l.ValidDays <= 0 {
		return 90
	}
	return l.ValidDays
}

// NoticeDays is the length of the listing's public notice: Terms.NoticeDays,
// or contract.MinNoticeDays when it is 0.
func (l Listing) NoticeDays() int {
	if l.Terms.NoticeDays <= 0 {
		return contract.MinNoticeDays
	}
	return l.Terms.NoticeDays
}

// pricingPath is the Art. 18 pricing path of a trading method.
func pricingPath(m TradingMethod) contract.PricingPath {
	switch m {
	case MethodAgreement:
		return contract.ByAgreement
	case MethodAuction:
		return contract.ByAuction
	}
	return contract.ByListing
}

// ListingEvent is the body of a listing's status events.
type ListingEvent struct {
	From   ListingStatus `json:"from,omitempty"`
	To     ListingStatus `json:"to"`
	Reason string        `json:"reason,omitempty"`
	Ref    string        `json:"ref,omitempty"` // a deal, bid or case reference
}

// Listing event types.
const (
	EventListingPublished = "published"
	EventListingRenewed   = "renewed"
	EventListingWithdrawn = "withdrawn"
	EventListingAwarded   = "awarded"
	EventListingUnsold    = "unsold"
	EventListingTraded    = "traded"
)

// CreateListing stores a new listing as a draft. The principal must be a
// platform admin or on the staff of the broker named in l.Broker (brokers
// verify the material they submit); an empty Broker is the staff member's
// own. The status and bidding fields are set by the exchange: whatever the
// caller puts there is ignored.
func (x *Exchange) CreateListing(ctx context.Context, p broker.Principal, l Listing) (Listing, error) {
	l.Status, l.Published, l.Expires, l.Renewals, l.Notice, l.Closes, l.Award, l.DealRef, l.Reason =
		ListingDraft, time.Time{}, time.Time{}, 0, nil, time.Time{}, nil, "", ""
	if l.Broker == "" {
		l.Broker = p.Broker
	}
	var out Listing
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		var err error
		out, err = broker.Create(tx, p, l, broker.Via(broker.ActOperate, broker.DeskTarget(l.Broker)))
		return err
	})
	return out, broker.Wrap("create", KindListing, l.ID, err)
}

// GetListing returns a listing; its Status is the status now (see
// StatusAt). Contact and Detail are left out unless the principal is the
// owner, the handling broker's staff or a platform admin. Drafts are seen
// only by those (Tier) and refused (ErrForbidden) to everyone else.
func (x *Exchange) GetListing(ctx context.Context, p broker.Principal, id string) (Listing, error) {
	l, err := x.listings.Get(ctx, p, id)
	if err != nil {
		return Listing{}, err
	}
	l.Status = l.StatusAt(x.sys.Now())
	return l, nil
}

// ListListings returns one page of the listings the principal may see,
// ordered by ID; broker.ListOptions.Stage filters by stored status. Drafts
// the principal may not see are left out by the policy before the page is
// cut (Tier), so a page of Limit listings with more visible ones beyond it
// holds Limit listings.
func (x *Exchange) ListListings(ctx context.Context, p broker.Principal, o broker.ListOptions) (broker.Page[Listing], error) {
	pg, err := x.listings.List(ctx, p, o)
	now := x.sys.Now()
	for i := range pg.Items {
		pg.Items[i].Status = pg.Items[i].StatusAt(now)
	}
	return pg, err
}

// UpdateListing replaces a draft listing (l.Version must be the version
// read). Once published, the content and terms are fixed: withdraw and list
// again to change them. The status and bidding fields are the stored ones,
// whatever the caller puts there.
func (x *Exchange) UpdateListing(ctx context.Context, p broker.Principal, l Listing) (Listing, error) {
	var out Listing
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		cur, err := broker.Read[Listing](tx, l.ID)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, cur) {
			return broker.Forbidden("update", KindListing, l.ID, "only platform admins and the handling broker's staff change listings")
		}
		if err := checkVersion("update", KindListing, l.ID, l.Version, cur.Version); err != nil {
			return err
		}
		if cur.Status != ListingDraft {
			return &broker.TransitionError{Kind: KindListing, ID: l.ID, From: string(cur.Status), To: string(cur.Status), Reason: "only a draft can be edited"}
		}
		l.Status, l.Published, l.Expires, l.Renewals, l.Notice, l.Closes, l.Award, l.DealRef, l.Reason =
			cur.Status, cur.Published, cur.Expires, cur.Renewals, cur.Notice, cur.Closes, cur.Award, cur.DealRef, cur.Reason
		out, err = broker.Replace(tx, p, l, broker.Via(broker.ActOperate, broker.TargetOf(cur)))
		return err
	})
	return out, broker.Wrap("update", KindListing, l.ID, err)
}

// Publish asks to publish a draft listing.
type Publish struct {
	// Version is the listing version the caller read; required.
	Version int64
	// Closes is the bidding deadline (auction, bidding, tender); required
	// for those methods, in the future and no later than the expiry.
	Closes time.Time
}

// PublishListing publishes a draft: an agreement price goes under public
// notice (公示) of the title and price for Terms.NoticeDays (default 15)
// days — at least 15 for a state-funded owner (ErrInvalid otherwise, see
// Validate); every other method opens the listing, and the bidding methods open
// their book until Closes. The listing expires after ValidDays (default 90).
// If the listing names a Case, the case moves to Listed (from Promoting) in
// the same transaction; if it cannot, nothing is published.
//
// The handling broker's desk publishes (broker.ActOperate), but the public
// notice is the exchange's: an agreement price is published by the
// exchange operator, who posts the notice (broker.ActConfirm); its case
// then moves to Listed as the listing's consequence.
func (x *Exchange) PublishListing(ctx context.Context, p broker.Principal, id string, pub Publish) (Listing, error) {
	var out Listing
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		l, err := broker.Read[Listing](tx, id)
		if err != nil {
			return err
		}
		act, why := broker.ActOperate, "only platform admins and the handling broker's staff publish listings"
		if l.Terms.Method == MethodAgreement {
			act, why = broker.ActConfirm, "the exchange operator posts an agreement price's public notice (公示)"
		}
		if !broker.CanDo(p, act, l) {
			return broker.Forbidden("publish", KindListing, id, why)
		}
		if err := checkVersion("publish", KindListing, id, pub.Version, l.Version); err != nil {
			return err
		}
		if l.Status != ListingDraft {
			return &broker.TransitionError{Kind: KindListing, ID: id, From: string(l.Status), To: string(ListingOpen), Reason: "only a draft can be published"}
		}
		c := &broker.Check{}
		if l.checkNotice(c); c.Len() > 0 {
			return c.Err(KindListing) // a draft stored before the rule
		}
		run := broker.Via(act, broker.TargetOf(l))
		now := tx.Now()
		l.Published = now
		l.Expires = now.AddDate(0, 0, l.validDays())
		l.Status = ListingOpen
		if l.Terms.Method == MethodAgreement {
			l.Status = ListingNotice
			l.Notice = &PublicNotice{Name: l.Title, Price: l.Terms.Price, Start: now, End: now.AddDate(0, 0, l.NoticeDays())}
			if l.Notice.End.After(l.Expires) {
				l.Expires = l.Notice.End.AddDate(0, 0, l.validDays())
			}
		}
		if l.Terms.Method.Bids() {
			closes := pub.Closes.UTC().Truncate(time.Microsecond)
			if !DeadlineOK(closes, now, l.Expires) {
				return &broker.ValidationError{Kind: KindListing, Fields: []broker.FieldError{{Field: "closes", Code: "closes_range", Param: stamp(l.Expires), Value: stamp(closes)}}}
			}
			l.Closes = closes
			if err := openBook(tx, p, l, run); err != nil {
				return err
			}
		}
		if out, err = broker.Replace(tx, p, l, run, broker.Logged(EventListingPublished, ListingEvent{From: ListingDraft, To: l.Status})); err != nil {
			return err
		}
		if l.Case != "" {
			// The case follows its listing. When the exchange posts the
			// notice, the move is the listing's consequence, not an
			// operation of the exchange's on the desk's case.
			mover := p
			if act == broker.ActConfirm {
				mover = keeper
			}
			return moveListingCase(tx, mover, l, broker.CaseMove{To: broker.StageListed, ListingRef: l.ID})
		}
		return nil
	})
	return out, broker.Wrap("publish", KindListing, id, err)
}

// moveListingCase moves the listing's case to mv.To through the core's
// case move (its table, guards and access apply, and a refused move fails
// the caller's transaction), unless the case is there already or no longer
// open. Going back to Promoting applies only to a Listed case.
func moveListingCase(tx *broker.Tx, p broker.Principal, l Listing, mv broker.CaseMove) error {
	c, err := broker.Read[broker.Case](tx, l.Case)
	if notFound(err) {
		return &broker.ValidationError{Kind: KindListing, Fields: []broker.FieldError{{Field: "case", Code: "ref", Value: l.Case}}}
	}
	if err != nil {
		return err
	}
	if c.Stage == mv.To || !c.Stage.Open() {
		return nil
	}
	if mv.To == broker.StagePromoting && c.Stage != broker.StageListed {
		return nil // only a Listed case goes back to promotion
	}
	mv.Version = c.Version
	_, err = tx.MoveCase(p, l.Case, mv)
	return err
}

// RenewListing extends a notice or open listing (expired or not) by its
// ValidDays from now or from its current expiry, whichever is later. A
// bidding listing can be renewed only while it has no bid; newCloses, if
// not zero, sets a new bidding deadline (required when the old one has
// passed).
func (x *Exchange) RenewListing(ctx context.Context, p broker.Principal, id string, newCloses time.Time) (Listing, error) {
	var out Listing
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		l, err := broker.Read[Listing](tx, id)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, l) {
			return broker.Forbidden("renew", KindListing, id, "only platform admins and the handling broker's staff renew listings")
		}
		if l.Status != ListingOpen && l.Status != ListingNotice {
			return &broker.TransitionError{Kind: KindListing, ID: id, From: string(l.Status), To: string(ListingOpen), Reason: "only a notice or open listing can be renewed"}
		}
		run := broker.Via(broker.ActOperate, broker.TargetOf(l))
		now := tx.Now()
		from := l.StatusAt(now)
		base := l.Expires
		if now.After(base) {
			base = now
		}
		l.Expires = base.AddDate(0, 0, l.validDays())
		l.Renewals++
		if l.Terms.Method.Bids() {
			b, err := broker.Read[book](tx, id)
			if err != nil {
				return err
			}
			if b.Bids > 0 {
				return &broker.TransitionError{Kind: KindListing, ID: id, From: string(from), To: string(ListingOpen), Reason: "bidding has started: close it instead"}
			}
			if !newCloses.IsZero() {
				l.Closes = newCloses.UTC().Truncate(time.Microsecond)
			}
			if !DeadlineOK(l.Closes, now, l.Expires) {
				return &broker.ValidationError{Kind: KindListing, Fields: []broker.FieldError{{Field: "closes", Code: "closes_range", Param: stamp(l.Expires), Value: stamp(l.Closes)}}}
			}
			b.Closes, b.Expires = l.Closes, l.Expires
			if _, err := broker.Replace(tx, p, b, run, broker.Logged(EventListingRenewed, nil)); err != nil {
				return err
			}
		}
		out, err = broker.Replace(tx, p, l, run, broker.Logged(EventListingRenewed, ListingEvent{From: from, To: l.Status}))
		return err
	})
	return out, broker.Wrap("renew", KindListing, id, err)
}

// WithdrawListing withdraws a listing that is not traded: it accepts no
// more bids, every paid deposit is marked for refund, and a Listed case goes
// back to Promoting with the reason, all in one transaction.
func (x *Exchange) WithdrawListing(ctx context.Context, p broker.Principal, id, reason string) (Listing, error) {
	var out Listing
	reason = textnorm.Multiline(reason)
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		if reason == "" {
			return &broker.ValidationError{Kind: KindListing, Fields: []broker.FieldError{{Field: "reason", Code: "required"}}}
		}
		l, err := broker.Read[Listing](tx, id)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, l) {
			return broker.Forbidden("withdraw", KindListing, id, "only platform admins and the handling broker's staff withdraw listings")
		}
		if l.Status == ListingTraded || l.Status == ListingWithdrawn {
			return &broker.TransitionError{Kind: KindListing, ID: id, From: string(l.Status), To: string(ListingWithdrawn), Reason: "already " + string(l.Status)}
		}
		run := broker.Via(broker.ActOperate, broker.TargetOf(l))
		from := l.Status
		l.Status, l.Reason = ListingWithdrawn, reason
		if l.Terms.Method.Bids() && from != ListingDraft {
			b, err := broker.Read[book](tx, id)
			if err != nil {
				return err
			}
			b.Status = BookCancelled
			if _, err := broker.Replace(tx, p, b, run, broker.Logged(EventListingWithdrawn, nil)); err != nil {
				return err
			}
			if err := settleDeposits(tx, p, l, b, "", run); err != nil {
				return err
			}
		}
		if out, err = broker.Replace(tx, p, l, run, broker.Logged(EventListingWithdrawn, ListingEvent{From: from, To: ListingWithdrawn, Reason: reason})); err != nil {
			return err
		}
		if l.Case != "" {
			return moveListingCase(tx, p, l, broker.CaseMove{To: broker.StagePromoting, Reason: "listing " + l.ID + " withdrawn: " + reason})
		}
		return nil
	})
	return out, broker.Wrap("withdraw", KindListing, id, err)
}
