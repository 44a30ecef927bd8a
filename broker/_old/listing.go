package broker

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker/driver"
)

// Record kinds of the exchange.
const (
	KindListing Kind = "listing" // a listing (挂牌) on a technology exchange
	KindBid     Kind = "bid"     // one bid or sealed offer on a listing
	KindDeposit Kind = "deposit" // a bidder's deposit (保证金) for one listing
	KindDeal    Kind = "deal"    // a closed deal (成交) with its contract
	kindBook    Kind = "listing_book"
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

// methodNames maps the Chinese names of the trading methods to their codes.
var methodNames = map[string]string{"协议定价": "agreement", "协议转让": "agreement", "挂牌": "listing", "挂牌交易": "listing", "拍卖": "auction", "招标": "tender", "竞价": "bidding"}

// bids reports whether the method takes bids on a book.
func (m TradingMethod) bids() bool {
	return m == MethodAuction || m == MethodBidding || m == MethodTender
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

// Listing is one result listed on a technology exchange: what a real
// listing holds (title, one-sentence summary, overview, readiness, benefits,
// applications, industries, technical indicators, the comparison with the
// leading alternative, IP, provenance, deal terms, public summary versus
// confidential detail) and where it stands.
//
// Listings change only through the System's operations (CreateListing,
// UpdateListing while a draft, PublishListing, RenewListing,
// WithdrawListing, bids, CloseBidding, CloseDeal), which check the status
// rules and write an audit event in the same transaction.
type Listing struct {
	Meta
	// Achievement is the ID of the achievement listed (optional).
	Achievement string `json:"achievement,omitempty" validate:"max=64"`
	// Case is the broker's case carrying the achievement (optional):
	// publishing moves it to Listed and closing a deal to Traded.
	Case string `json:"case,omitempty" validate:"max=64"`

	Title    string `json:"title" validate:"required,max=300"`
	Summary  string `json:"summary" validate:"required,max=300"` // one sentence
	Overview string `json:"overview,omitempty" validate:"max=5000"`

	Readiness     Readiness   `json:"readiness"`
	Benefits      []string    `json:"benefits,omitempty" validate:"max=20,dive,max=500"`
	Applications  []string    `json:"applications,omitempty" validate:"max=20,dive,max=500"`
	IndustryCodes []string    `json:"industry_codes,omitempty" validate:"max=20,dive,max=32"`
	Indicators    []Indicator `json:"indicators,omitempty" validate:"max=50,dive"`
	Comparison    *Comparison `json:"comparison,omitempty"`
	IPRights      []IPRight   `json:"ip_rights,omitempty" validate:"max=100,dive"`
	Origin        Origin      `json:"origin"`

	// Owner is the seller (the completing unit or right holder).
	Owner         string  `json:"owner" validate:"required,max=200"`
	OwnerID       string  `json:"owner_id,omitempty" validate:"max=64"`
	OwnerPublic   bool    `json:"owner_public,omitempty"` // a state-funded institute or university (Art. 18 applies)
	ContactPerson string  `json:"contact_person,omitempty" validate:"max=64"`
	Contact       Contact `json:"contact"`
	// Detail is the confidential part (技术细节): shown only to the owner,
	// the broker's staff and platform admins.
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
	Unit         string   `json:"unit,omitempty" validate:"max=200"` // completing unit
	Funding      []string `json:"funding,omitempty" validate:"max=20,dive,max=200"`
	Awards       []string `json:"awards,omitempty" validate:"max=20,dive,max=200"`
	Registration string   `json:"registration,omitempty" validate:"max=64"` // achievement registration number
}

// ListingTerms are a listing's deal terms.
type ListingTerms struct {
	Mode    TransferMode  `json:"mode" validate:"required,oneof=transfer license investment development service consulting"`
	Method  TradingMethod `json:"method" validate:"required,oneof=agreement listing auction tender bidding"`
	Pricing PricingType   `json:"pricing,omitempty" validate:"omitempty,oneof=negotiable fixed floor"`
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
	// NoticeDays is the length of the public notice (agreement); 0 means 15.
	NoticeDays int `json:"notice_days,omitempty" validate:"min=0,max=90"`
	// Counterparty is the agreed buyer (agreement), if known.
	Counterparty string `json:"counterparty,omitempty" validate:"max=200"`
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
	Bidder  string          `json:"bidder"`
	Amount  decimal.Decimal `json:"amount"`
	Bid     string          `json:"bid"`
	Decided time.Time       `json:"decided"`
	Bids    int64           `json:"bids"` // bids or offers received
}

func (Listing) kind() Kind                { return KindListing }
func (l Listing) getMeta() Meta           { return l.Meta }
func (l Listing) withMeta(m Meta) Listing { l.Meta = m; return l }
func (l Listing) stage() string           { return string(l.Status) }
func (l Listing) dedupKey() string        { return "" }
func (l Listing) ownerOrgs() []string     { return orgList(l.Owner, l.OwnerID) }
func (Listing) columns() map[string]setter[Listing] {
	return metaColumns(func(l *Listing) *Meta { return &l.Meta })
}

// redactFor hides the contact and the confidential detail from everyone
// but the owner, the handling broker's staff and platform admins.
func (l Listing) redactFor(p Principal) Listing {
	if p.canSeeListingPrivate(l) {
		return l
	}
	l.Contact, l.ContactPerson, l.Detail = Contact{}, "", ""
	return l
}

func (p Principal) canSeeListingPrivate(l Listing) bool {
	return p.Role == RolePlatformAdmin || (p.Role == RoleBrokerStaff && p.Broker != "" && p.Broker == l.Broker) ||
		p.owns(l.Meta, l.ownerOrgs())
}

// canRunListing: platform admins and the handling broker's staff run a
// listing (publish, renew, withdraw, confirm deposits, close bidding and
// deals).
func (p Principal) canRunListing(l Listing) bool {
	return p.Role == RolePlatformAdmin || (p.Role == RoleBrokerStaff && p.Broker != "" && p.Broker == l.Broker)
}

func (l Listing) normalized() Listing {
	l.Meta.normalize()
	l.Achievement, l.Case = normText(l.Achievement), normText(l.Case)
	l.Title, l.Summary, l.Overview = normText(l.Title), normText(l.Summary), normMultiline(l.Overview)
	l.Readiness = l.Readiness.normalizedCopy()
	l.Benefits, l.Applications = normList(l.Benefits), normList(l.Applications)
	l.IndustryCodes = normCodes(l.IndustryCodes)
	if l.Indicators != nil {
		in := make([]Indicator, len(l.Indicators))
		for i, x := range l.Indicators {
			in[i] = Indicator{Name: normText(x.Name), Value: normText(x.Value), Unit: normText(x.Unit)}
		}
		l.Indicators = in
	}
	if c := l.Comparison; c != nil {
		l.Comparison = &Comparison{Alternative: normText(c.Alternative), Metric: normText(c.Metric), Ours: normText(c.Ours), Theirs: normText(c.Theirs)}
	}
	if l.IPRights != nil {
		a := Achievement{IPRights: l.IPRights}.normalized()
		l.IPRights = a.IPRights
	}
	l.Origin = Origin{Unit: normText(l.Origin.Unit), Funding: normList(l.Origin.Funding), Awards: normList(l.Origin.Awards), Registration: normCode(l.Origin.Registration)}
	l.Owner, l.OwnerID, l.ContactPerson = normText(l.Owner), normText(l.OwnerID), normText(l.ContactPerson)
	l.Contact = Contact{Phone: normText(l.Contact.Phone), Email: normText(l.Contact.Email), WeChat: normText(l.Contact.WeChat)}
	l.Detail = normMultiline(l.Detail)
	l.Venue = normText(l.Venue)
	t := &l.Terms
	t.Mode = TransferMode(enumCode(string(t.Mode), modeNames))
	t.Method = TradingMethod(enumCode(string(t.Method), methodNames))
	t.Pricing = PricingType(enumCode(string(t.Pricing), pricingNames))
	if t.Pricing == "" {
		switch {
		case t.Method.bids():
			t.Pricing = FloorPrice
		case t.Price.IsZero():
			t.Pricing = Negotiable
		default:
			t.Pricing = FixedPrice
		}
	}
	t.Counterparty = normText(t.Counterparty)
	if l.Status == "" {
		l.Status = ListingDraft
	}
	return l
}

func (l Listing) check(c *checker, s *System) {
	s.checkCodes(c, "industry_codes", "industry", l.IndustryCodes, s.industries)
	l.Readiness.check(c, "readiness")
	if l.Comparison != nil && (!hasDigit(l.Comparison.Ours) || !hasDigit(l.Comparison.Theirs)) {
		c.add("comparison", "quantified", "", l.Comparison.Ours+" / "+l.Comparison.Theirs)
	}
	t := l.Terms
	checkMoney(c, "terms.price", t.Price)
	checkMoney(c, "terms.increment", t.Increment)
	checkMoney(c, "terms.deposit", t.Deposit)
	if !saneDecimal(t.FeePercent, 4) || t.FeePercent.Sign() < 0 || t.FeePercent.GreaterThan(hundred) {
		c.add("terms.fee_percent", "share_range", "", shortDecimal(t.FeePercent))
	}
	positive := func(field string, d decimal.Decimal) {
		if saneDecimal(d, 2) && d.IsZero() {
			c.add(field, "required", "", "")
		}
	}
	switch t.Method {
	case MethodAgreement:
		positive("terms.price", t.Price)
	case MethodFixed:
		if t.Pricing != Negotiable {
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
	if t.Method.bids() && t.Pricing != FloorPrice {
		c.add("terms.pricing", "oneof", "floor", string(t.Pricing))
	}
	switch l.Status {
	case ListingDraft, ListingNotice, ListingOpen, ListingAwarded, ListingUnsold, ListingTraded, ListingWithdrawn:
	default:
		c.add("status", "oneof", "draft notice open awarded unsold traded withdrawn", string(l.Status))
	}
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

func (l Listing) noticeDays() int {
	if l.Terms.NoticeDays <= 0 {
		return 15
	}
	return l.Terms.NoticeDays
}

func (s *System) listingLib() *Library[Listing] { return &Library[Listing]{s: s} }

// ListingEvent is the body of a listing's status events.
type ListingEvent struct {
	From   ListingStatus `json:"from,omitempty"`
	To     ListingStatus `json:"to"`
	Reason string        `json:"reason,omitempty"`
	Ref    string        `json:"ref,omitempty"` // a deal, bid or case reference
}

// CreateListing stores a new listing as a draft. The principal must be a
// platform admin or on the staff of the broker named in l.Broker (brokers
// verify the material they submit). The status and bidding fields are set
// by the System: whatever the caller puts there is ignored.
func (s *System) CreateListing(ctx context.Context, p Principal, l Listing) (Listing, error) {
	l.Status, l.Published, l.Expires, l.Renewals, l.Notice, l.Closes, l.Award, l.DealRef, l.Reason =
		ListingDraft, time.Time{}, time.Time{}, 0, nil, time.Time{}, nil, "", ""
	if l.Broker == "" && p.Role == RoleBrokerStaff {
		l.Broker = p.Broker
	}
	if !p.canRunListing(l.normalized()) {
		return Listing{}, forbidden("create", KindListing, l.ID, "only platform admins and the handling broker's staff create listings")
	}
	return s.listingLib().Create(ctx, p, l)
}

// GetListing returns a listing; its Status is the status now (see
// StatusAt). Contact and Detail are cleared unless the principal is the
// owner, the broker's staff or a platform admin. Drafts are seen only by
// those who run the listing and its owner.
func (s *System) GetListing(ctx context.Context, p Principal, id string) (Listing, error) {
	l, err := s.listingLib().Get(ctx, p, id)
	if err != nil {
		return Listing{}, err
	}
	if l.Status == ListingDraft && !p.canSeeListingPrivate(l) {
		return Listing{}, wrap("get", KindListing, id, ErrNotFound)
	}
	l.Status = l.StatusAt(s.now())
	return l, nil
}

// ListListings returns one page of listings the principal may see;
// ListOptions.Stage filters by stored status.
func (s *System) ListListings(ctx context.Context, p Principal, o ListOptions) (Page[Listing], error) {
	pg, err := s.listingLib().List(ctx, p, o)
	if err != nil {
		return pg, err
	}
	now := s.now()
	items := pg.Items[:0]
	for _, l := range pg.Items {
		if l.Status == ListingDraft && !p.canSeeListingPrivate(l) {
			continue
		}
		l.Status = l.StatusAt(now)
		items = append(items, l)
	}
	pg.Items = items
	return pg, nil
}

// UpdateListing replaces a draft listing (l.Version must be the version
// read). Once published, the content and terms are fixed: withdraw and list
// again to change them.
func (s *System) UpdateListing(ctx context.Context, p Principal, l Listing) (Listing, error) {
	var out Listing
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		cur, err := s.listingTx(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		if !p.canRunListing(cur) {
			return forbidden("update", KindListing, l.ID, "only platform admins and the handling broker's staff change listings")
		}
		if cur.Status != ListingDraft {
			return &TransitionError{Kind: KindListing, ID: l.ID, From: string(cur.Status), To: string(cur.Status), Reason: "only a draft can be edited"}
		}
		l.Status = ListingDraft
		v, err := s.listingLib().prepare(l)
		if err != nil {
			return err
		}
		out, err = s.listingLib().replaceTx(ctx, tx, p, v, "updated")
		return err
	})
	if err != nil {
		return Listing{}, wrap("update", KindListing, l.ID, err)
	}
	return out, nil
}

func (s *System) listingTx(ctx context.Context, tx driver.Tx, id string) (Listing, error) {
	rec, err := tx.Get(ctx, string(KindListing), id)
	if err != nil {
		return Listing{}, err
	}
	return s.listingLib().decodeRecord(rec)
}

// writeListingTx replaces the listing (l.Version is the version read) and
// appends an event of type typ with body.
func (s *System) writeListingTx(ctx context.Context, tx driver.Tx, p Principal, l *Listing, typ string, body any) error {
	l.Updated = s.now()
	rec, err := s.listingLib().record(*l)
	if err != nil {
		return err
	}
	ver, err := tx.Replace(ctx, rec)
	if err != nil {
		return err
	}
	l.Version = ver
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return tx.Append(ctx, driver.Event{Kind: string(KindListing), RecordID: l.ID, Type: typ, Actor: p.ID, Time: l.Updated, Body: b})
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

// Publish asks to publish a draft listing.
type Publish struct {
	// Version is the listing version the caller read (0: as stored now).
	Version int64
	// Closes is the bidding deadline (auction, bidding, tender); required
	// for those methods, in the future and no later than the expiry.
	Closes time.Time
}

// PublishListing publishes a draft: an agreement price goes under public
// notice (公示) of the title and price for Terms.NoticeDays (default 15)
// days; every other method opens the listing, and the bidding methods open
// their book until Closes. The listing expires after ValidDays (default 90).
// If the listing names a Case, the case moves to Listed (from Promoting) in
// the same transaction; if it cannot, nothing is published.
func (s *System) PublishListing(ctx context.Context, p Principal, id string, pub Publish) (Listing, error) {
	var out Listing
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		l, err := s.listingTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.canRunListing(l) {
			return forbidden("publish", KindListing, id, "only platform admins and the handling broker's staff publish listings")
		}
		if pub.Version != 0 && pub.Version != l.Version {
			return ErrConflict
		}
		if l.Status != ListingDraft {
			return &TransitionError{Kind: KindListing, ID: id, From: string(l.Status), To: string(ListingOpen), Reason: "only a draft can be published"}
		}
		now := s.now()
		l.Published = now
		l.Expires = now.AddDate(0, 0, l.validDays())
		l.Status = ListingOpen
		if l.Terms.Method == MethodAgreement {
			l.Status = ListingNotice
			l.Notice = &PublicNotice{Name: l.Title, Price: l.Terms.Price, Start: now, End: now.AddDate(0, 0, l.noticeDays())}
			if l.Notice.End.After(l.Expires) {
				l.Expires = l.Notice.End.AddDate(0, 0, l.validDays())
			}
		}
		if l.Terms.Method.bids() {
			closes := pub.Closes.UTC().Truncate(time.Microsecond)
			if !closes.After(now) || closes.After(l.Expires) {
				return &ValidationError{Kind: KindListing, Fields: []FieldError{{Field: "closes", Code: "closes_range", Param: l.Expires.Format(time.RFC3339), Value: closes.Format(time.RFC3339)}}}
			}
			l.Closes = closes
			if err := s.createBookTx(ctx, tx, l); err != nil {
				return err
			}
		}
		if err := s.writeListingTx(ctx, tx, p, &l, EventListingPublished, ListingEvent{From: ListingDraft, To: l.Status}); err != nil {
			return err
		}
		if l.Case != "" {
			if err := s.moveListingCaseTx(ctx, tx, p, l, StageListed, CaseMove{To: StageListed, ListingRef: l.ID}); err != nil {
				return err
			}
		}
		out = l
		return nil
	})
	if err != nil {
		return Listing{}, wrap("publish", KindListing, id, err)
	}
	return out, nil
}

// moveListingCaseTx moves the listing's case to `to` through moveCaseTx
// (its table, guards and access apply, and a refused move fails the
// caller's transaction), unless the case is there already or no longer
// open. Going back to Promoting applies only to a Listed case.
func (s *System) moveListingCaseTx(ctx context.Context, tx driver.Tx, p Principal, l Listing, to CaseStage, mv CaseMove) error {
	rec, err := tx.Get(ctx, string(KindCase), l.Case)
	if errors.Is(err, ErrNotFound) {
		return &ValidationError{Kind: KindListing, Fields: []FieldError{{Field: "case", Code: "ref", Value: l.Case}}}
	}
	if err != nil {
		return err
	}
	c, err := s.caseLib().decodeRecord(rec)
	if err != nil {
		return err
	}
	if c.Stage == to || !c.Stage.Open() {
		return nil
	}
	if to == StagePromoting && c.Stage != StageListed {
		return nil // only a Listed case goes back to promotion
	}
	_, err = s.moveCaseTx(ctx, tx, p, l.Case, mv)
	return err
}

// RenewListing extends a notice or open listing (expired or not) by its
// ValidDays from now or from its current expiry, whichever is later. A
// bidding listing can be renewed only while it has no bid; newCloses, if
// not zero, sets a new bidding deadline (required when the old one has
// passed).
func (s *System) RenewListing(ctx context.Context, p Principal, id string, newCloses time.Time) (Listing, error) {
	var out Listing
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		l, err := s.listingTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.canRunListing(l) {
			return forbidden("renew", KindListing, id, "only platform admins and the handling broker's staff renew listings")
		}
		if l.Status != ListingOpen && l.Status != ListingNotice {
			return &TransitionError{Kind: KindListing, ID: id, From: string(l.Status), To: string(ListingOpen), Reason: "only a notice or open listing can be renewed"}
		}
		now := s.now()
		from := l.StatusAt(now)
		base := l.Expires
		if now.After(base) {
			base = now
		}
		l.Expires = base.AddDate(0, 0, l.validDays())
		l.Renewals++
		if l.Terms.Method.bids() {
			b, err := s.bookTx(ctx, tx, id)
			if err != nil {
				return err
			}
			if b.Seq > 0 {
				return &TransitionError{Kind: KindListing, ID: id, From: string(from), To: string(ListingOpen), Reason: "bidding has started: close it instead"}
			}
			if !newCloses.IsZero() {
				l.Closes = newCloses.UTC().Truncate(time.Microsecond)
			}
			if !l.Closes.After(now) || l.Closes.After(l.Expires) {
				return &ValidationError{Kind: KindListing, Fields: []FieldError{{Field: "closes", Code: "closes_range", Param: l.Expires.Format(time.RFC3339), Value: l.Closes.Format(time.RFC3339)}}}
			}
			b.Closes, b.Expires = l.Closes, l.Expires
			if err := s.writeBookTx(ctx, tx, &b); err != nil {
				return err
			}
		}
		if err := s.writeListingTx(ctx, tx, p, &l, EventListingRenewed, ListingEvent{From: from, To: l.Status}); err != nil {
			return err
		}
		out = l
		return nil
	})
	if err != nil {
		return Listing{}, wrap("renew", KindListing, id, err)
	}
	return out, nil
}

// WithdrawListing withdraws a listing that is not traded: it accepts no
// more bids, every paid deposit is marked for refund, and a Listed case goes
// back to Promoting with the reason, all in one transaction.
func (s *System) WithdrawListing(ctx context.Context, p Principal, id, reason string) (Listing, error) {
	var out Listing
	reason = normMultiline(reason)
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		if reason == "" {
			return &ValidationError{Kind: KindListing, Fields: []FieldError{{Field: "reason", Code: "required"}}}
		}
		l, err := s.listingTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.canRunListing(l) {
			return forbidden("withdraw", KindListing, id, "only platform admins and the handling broker's staff withdraw listings")
		}
		if l.Status == ListingTraded || l.Status == ListingWithdrawn {
			return &TransitionError{Kind: KindListing, ID: id, From: string(l.Status), To: string(ListingWithdrawn), Reason: "already " + string(l.Status)}
		}
		from := l.Status
		l.Status, l.Reason = ListingWithdrawn, reason
		if l.Terms.Method.bids() {
			b, err := s.bookTx(ctx, tx, id)
			if err != nil {
				return err
			}
			b.Status = bookCancelled
			if err := s.writeBookTx(ctx, tx, &b); err != nil {
				return err
			}
			if err := s.settleDepositsTx(ctx, tx, p, l, ""); err != nil {
				return err
			}
		}
		if err := s.writeListingTx(ctx, tx, p, &l, EventListingWithdrawn, ListingEvent{From: from, To: ListingWithdrawn, Reason: reason}); err != nil {
			return err
		}
		if l.Case != "" {
			if err := s.moveListingCaseTx(ctx, tx, p, l, StagePromoting, CaseMove{To: StagePromoting, Reason: "listing " + l.ID + " withdrawn: " + reason}); err != nil {
				return err
			}
		}
		out = l
		return nil
	})
	if err != nil {
		return Listing{}, wrap("withdraw", KindListing, id, err)
	}
	return out, nil
}
