package broker

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/contract"
)

// Deal is a closed deal (成交) on a listing: the parties, the amount, the
// contract type (Civil Code Art. 843), the payment terms (Art. 846) and the
// dated payment schedule, with the compliance findings at closing. A deal
// is written once, by CloseDeal, together with the listing's and the case's
// moves.
type Deal struct {
	Meta
	Listing     string `json:"listing"`
	Case        string `json:"case,omitempty"`
	Achievement string `json:"achievement,omitempty"`
	Title       string `json:"title"`

	Seller       string `json:"seller"`
	SellerID     string `json:"seller_id,omitempty"`
	SellerPublic bool   `json:"seller_public,omitempty"`
	Buyer        string `json:"buyer"`
	BuyerID      string `json:"buyer_id,omitempty"`

	Amount       decimal.Decimal   `json:"amount"`
	Mode         TransferMode      `json:"mode"`
	Method       TradingMethod     `json:"method"`
	ContractType contract.Type     `json:"contract_type"`
	Terms        contract.Terms    `json:"terms"`
	Projected    []decimal.Decimal `json:"projected,omitempty"`
	Schedule     contract.Schedule `json:"schedule"`
	// Fee is the exchange's service fee: Amount × Terms.FeePercent of the
	// listing, rounded half away from zero to the cent.
	Fee decimal.Decimal `json:"fee"`

	Signed        time.Time             `json:"signed"`
	Closed        time.Time             `json:"closed"`
	Licence       contract.LicenceScope `json:"licence,omitzero"`
	PatentExpires time.Time             `json:"patent_expires,omitzero"`
	Findings      []contract.Finding    `json:"findings"`
}

func (Deal) kind() Kind             { return KindDeal }
func (d Deal) getMeta() Meta        { return d.Meta }
func (d Deal) withMeta(m Meta) Deal { d.Meta = m; return d }
func (d Deal) stage() string        { return "closed" }
func (d Deal) dedupKey() string     { return "deal:" + d.Listing }
func (d Deal) ownerOrgs() []string {
	return append(orgList(d.Seller, d.SellerID), orgList(d.Buyer, d.BuyerID)...)
}
func (d Deal) redactFor(Principal) Deal       { return d }
func (d Deal) normalized() Deal               { return d }
func (d Deal) check(*checker, *System)        {}
func (Deal) columns() map[string]setter[Deal] { return nil }

func (s *System) dealLib() *Library[Deal] { return &Library[Deal]{s: s} }

// Contract returns the deal as a contract.Contract for further checks (for
// example contract.EstimateTaxRelief once the contract is registered).
func (d Deal) Contract(written, registered bool) contract.Contract {
	return contract.Contract{
		Type: d.ContractType, Seller: contract.Party{Name: d.Seller, Public: d.SellerPublic}, Buyer: contract.Party{Name: d.Buyer},
		Amount: d.Amount, Terms: d.Terms, Signed: d.Signed, Written: written, Subject: d.Title,
		Licence: d.Licence, PatentExpires: d.PatentExpires, Registered: registered,
	}
}

// NewDeal asks to close a deal on a listing.
type NewDeal struct {
	Listing string
	Buyer   string
	BuyerID string
	Amount  decimal.Decimal
	// ContractType defaults from the listing's mode: transfer → transfer,
	// license → license, development/service/consulting → the same, and
	// investment (作价投资) → transfer.
	ContractType contract.Type
	// Terms default to a lump sum of Amount. For a lump sum or
	// instalments, Terms.Total must equal Amount.
	Terms contract.Terms
	// Projected is the projected royalty base per year (royalty terms).
	Projected []decimal.Decimal
	// Signed is the signing date; zero means now. Start is the first
	// payment date; zero means Signed.
	Signed time.Time
	Start  time.Time
	// Licence and PatentExpires for licence contracts (Art. 865).
	Licence       contract.LicenceScope
	PatentExpires time.Time
}

// DealError is a deal refused by a compliance rule.
type DealError struct {
	Listing  string
	Findings []contract.Finding // the failed findings
}

func (e *DealError) Error() string {
	msg := "deal on " + e.Listing + " fails compliance:"
	for _, f := range e.Findings {
		msg += " " + f.Rule + " (" + f.Why + ")"
	}
	return msg
}

// Is matches ErrInvalid.
func (e *DealError) Is(target error) bool { return target == ErrInvalid }

// blocking rules: a deal failing one of these is refused.
var blockingRules = map[string]bool{
	contract.RuleContractType: true, contract.RulePaymentTerms: true,
	contract.RulePricingPath: true, contract.RuleLicenceTerm: true,
}

// CloseDeal closes a deal on a listing, in one transaction: it checks the
// trading method's rule (an agreement price only after its public notice has
// run, at the noticed price; a fixed listing at its price or above its
// floor; a bidding listing with the winner at the winning amount), builds
// the payment schedule, runs the contract compliance checks (a failed
// contract type, payment terms, Art. 18 pricing path or Art. 865 licence
// term refuses the deal with a *DealError; the other findings are kept on
// the deal), writes the deal, marks the listing Traded and moves the
// listing's case to Traded. On any error nothing is written.
func (s *System) CloseDeal(ctx context.Context, p Principal, nd NewDeal) (Deal, error) {
	nd.Buyer, nd.BuyerID = normText(nd.Buyer), normText(nd.BuyerID)
	c := &checker{}
	if nd.Buyer == "" {
		c.add("buyer", "required", "", "")
	}
	checkText(c, "buyer", nd.Buyer, 200)
	checkText(c, "buyer_id", nd.BuyerID, 64)
	checkMoney(c, "amount", nd.Amount)
	if saneDecimal(nd.Amount, 2) && nd.Amount.Sign() <= 0 {
		c.add("amount", "required", "", "")
	}
	if err := c.err(KindDeal); err != nil {
		return Deal{}, wrap("close deal", KindDeal, nd.Listing, err)
	}
	var out Deal
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		l, err := s.listingTx(ctx, tx, nd.Listing)
		if err != nil {
			return err
		}
		if !p.canRunListing(l) {
			return forbidden("close deal", KindDeal, nd.Listing, "only platform admins and the handling broker's staff close deals")
		}
		now := s.now()
		if err := dealAllowed(l, nd, now); err != nil {
			return err
		}
		d := Deal{
			Meta:    Meta{Broker: l.Broker, Region: l.Region, Visibility: Confidential},
			Listing: l.ID, Case: l.Case, Achievement: l.Achievement, Title: l.Title,
			Seller: l.Owner, SellerID: l.OwnerID, SellerPublic: l.OwnerPublic, Buyer: nd.Buyer, BuyerID: nd.BuyerID,
			Amount: nd.Amount, Mode: l.Terms.Mode, Method: l.Terms.Method, ContractType: nd.ContractType,
			Terms: nd.Terms, Projected: nd.Projected, Signed: nd.Signed, Closed: now,
			Licence: nd.Licence, PatentExpires: nd.PatentExpires,
		}
		if d.ContractType == "" {
			d.ContractType = contractTypeFor(l.Terms.Mode)
		}
		if d.Terms.Method == "" {
			d.Terms = contract.Terms{Method: contract.LumpSum, Total: nd.Amount}
		}
		if d.Signed.IsZero() {
			d.Signed = now
		}
		d.Signed = d.Signed.UTC().Truncate(time.Microsecond)
		start := nd.Start
		if start.IsZero() {
			start = d.Signed
		}
		if (d.Terms.Method == contract.LumpSum || d.Terms.Method == contract.Instalments) && !d.Terms.Total.Equal(d.Amount) {
			return &ValidationError{Kind: KindDeal, Fields: []FieldError{{Field: "terms.total", Code: "invalid", Value: "total " + d.Terms.Total.String() + " differs from the amount " + d.Amount.String()}}}
		}
		sched, err := contract.Plan(d.Terms, start.UTC().Truncate(time.Microsecond), d.Projected)
		if err != nil {
			return &ValidationError{Kind: KindDeal, Fields: []FieldError{{Field: "terms", Code: "invalid", Value: err.Error()}}}
		}
		d.Schedule = sched
		d.Fee = d.Amount.Mul(l.Terms.FeePercent).Div(hundred).Round(2)
		cc := d.Contract(true, false)
		cc.Pricing = pricingEvidence(l)
		d.Findings = contract.Check(cc, &contract.CheckOptions{NoticeDays: l.noticeDays()})
		var failed []contract.Finding
		for _, f := range d.Findings {
			if !f.Pass && blockingRules[f.Rule] {
				failed = append(failed, f)
			}
		}
		if len(failed) > 0 {
			return &DealError{Listing: l.ID, Findings: failed}
		}
		lib := s.dealLib()
		d = lib.stamp(p, d, now)
		if err := lib.createTx(ctx, tx, p, d, "closed"); err != nil {
			if errors.Is(err, ErrExists) {
				return &Error{Op: "close deal", Kind: KindDeal, ID: d.ID, Code: ErrExists, Err: errors.New("deal ID already used")}
			}
			return err
		}
		d.Version = 1
		from := l.Status
		l.Status, l.DealRef = ListingTraded, d.ID
		if err := s.writeListingTx(ctx, tx, p, &l, EventListingTraded, ListingEvent{From: from, To: ListingTraded, Ref: d.ID}); err != nil {
			return err
		}
		if l.Case != "" {
			if err := s.moveListingCaseTx(ctx, tx, p, l, StageTraded, CaseMove{To: StageTraded, DealRef: d.ID}); err != nil {
				return err
			}
		}
		out = d
		return nil
	})
	if err != nil {
		return Deal{}, wrap("close deal", KindDeal, nd.Listing, err)
	}
	return out, nil
}

func contractTypeFor(m TransferMode) contract.Type {
	switch m {
	case ModeLicense:
		return contract.License
	case ModeDevelopment:
		return contract.Development
	case ModeService:
		return contract.Service
	case ModeConsulting:
		return contract.Consulting
	}
	return contract.Transfer
}

func pricingEvidence(l Listing) contract.PricingEvidence {
	venue := l.Venue
	if venue == "" {
		venue = "technology exchange"
	}
	switch l.Terms.Method {
	case MethodAgreement:
		pe := contract.PricingEvidence{Path: contract.ByAgreement}
		if n := l.Notice; n != nil {
			pe.Notice = &contract.Notice{Name: n.Name, Price: n.Price, Start: n.Start, End: n.End}
		}
		return pe
	case MethodAuction:
		return contract.PricingEvidence{Path: contract.ByAuction, Venue: venue, Reference: l.ID}
	}
	return contract.PricingEvidence{Path: contract.ByListing, Venue: venue, Reference: l.ID}
}

// dealAllowed applies the trading method's rule to a deal.
func dealAllowed(l Listing, nd NewDeal, now time.Time) error {
	terr := func(reason string) error {
		return &TransitionError{Kind: KindListing, ID: l.ID, From: string(l.StatusAt(now)), To: string(ListingTraded), Reason: reason}
	}
	amountErr := func(want string) error {
		return &ValidationError{Kind: KindDeal, Fields: []FieldError{{Field: "amount", Code: "invalid", Value: nd.Amount.String() + ": " + want}}}
	}
	st := l.StatusAt(now)
	switch l.Terms.Method {
	case MethodAgreement:
		if st != ListingNotice {
			return terr("an agreement deal needs a listing under public notice")
		}
		if l.Notice == nil {
			return terr("no public notice (公示) recorded")
		}
		if now.Before(l.Notice.End) {
			return terr("the public notice (公示) runs until " + l.Notice.End.Format(time.RFC3339))
		}
		if !nd.Amount.Equal(l.Notice.Price) {
			return amountErr("must equal the noticed price " + l.Notice.Price.StringFixed(2))
		}
		if l.Terms.Counterparty != "" && l.Terms.Counterparty != nd.Buyer {
			return &ValidationError{Kind: KindDeal, Fields: []FieldError{{Field: "buyer", Code: "invalid", Value: nd.Buyer + ": the notice named " + l.Terms.Counterparty}}}
		}
	case MethodFixed:
		if st != ListingOpen {
			return terr("the listing is not open")
		}
		switch l.Terms.Pricing {
		case FixedPrice:
			if !nd.Amount.Equal(l.Terms.Price) {
				return amountErr("must equal the listed price " + l.Terms.Price.StringFixed(2))
			}
		case FloorPrice:
			if nd.Amount.LessThan(l.Terms.Price) {
				return amountErr("must reach the floor price " + l.Terms.Price.StringFixed(2))
			}
		}
	default:
		if st != ListingAwarded || l.Award == nil {
			return terr("a bidding listing closes a deal only after it is awarded")
		}
		if nd.Buyer != l.Award.Bidder {
			return &ValidationError{Kind: KindDeal, Fields: []FieldError{{Field: "buyer", Code: "invalid", Value: nd.Buyer + ": the winner is " + l.Award.Bidder}}}
		}
		if !nd.Amount.Equal(l.Award.Amount) {
			return amountErr("must equal the winning bid " + l.Award.Amount.StringFixed(2))
		}
	}
	return nil
}

// GetDeal returns a deal. Deals are Confidential: seen by the parties, the
// handling broker's staff and platform admins.
func (s *System) GetDeal(ctx context.Context, p Principal, id string) (Deal, error) {
	return s.dealLib().Get(ctx, p, id)
}

// ListDeals returns one page of the deals the principal may see.
func (s *System) ListDeals(ctx context.Context, p Principal, o ListOptions) (Page[Deal], error) {
	return s.dealLib().List(ctx, p, o)
}
