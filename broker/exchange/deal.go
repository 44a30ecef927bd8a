package exchange

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/contract"
	"github.com/kexie/techbroker/internal/textnorm"
)

// Deal is a closed deal (成交) on a listing: the parties, the amount, the
// contract type (Civil Code Art. 843), the payment terms (Art. 846) and the
// dated payment schedule, with the compliance findings at closing. A deal
// is written once, by CloseDeal, together with the listing's and the case's
// moves. It is Confidential: seen by the parties, the handling broker's
// staff and platform admins.
type Deal struct {
	broker.Meta
	Listing     string `json:"listing"`
	Case        string `json:"case,omitempty"`
	Achievement string `json:"achievement,omitempty"`
	Title       string `json:"title"`

	SellerParty
	BuyerParty

	Amount       decimal.Decimal     `json:"amount"`
	Mode         broker.TransferMode `json:"mode"`
	Method       TradingMethod       `json:"method"`
	ContractType contract.Type       `json:"contract_type"`
	Terms        contract.Terms      `json:"terms"`
	Projected    []decimal.Decimal   `json:"projected,omitempty"`
	Schedule     contract.Schedule   `json:"schedule"`
	// Fee is the exchange's service fee: Amount × Terms.FeePercent of the
	// listing, rounded half away from zero to the cent.
	Fee decimal.Decimal `json:"fee"`

	Signed        time.Time             `json:"signed"`
	Closed        time.Time             `json:"closed"`
	Licence       contract.LicenceScope `json:"licence,omitzero"`
	PatentExpires time.Time             `json:"patent_expires,omitzero"`
	Findings      []contract.Finding    `json:"findings"`
}

// SellerParty is a deal's seller: the listing's owner. Its fields read as
// the deal's own (Deal.Seller, Deal.SellerID).
type SellerParty struct {
	Seller       string `json:"seller" validate:"max=200" org:"name"`
	SellerID     string `json:"seller_id,omitempty" validate:"max=64" org:"id"`
	SellerPublic bool   `json:"seller_public,omitempty"`
}

// BuyerParty is a deal's buyer. Its fields read as the deal's own
// (Deal.Buyer, Deal.BuyerID).
type BuyerParty struct {
	Buyer   string `json:"buyer" validate:"required,max=200" org:"name"`
	BuyerID string `json:"buyer_id,omitempty" validate:"max=64" org:"id"`
}

// RecordKind is KindDeal.
func (Deal) RecordKind() broker.Kind { return KindDeal }

// AccessClass: deals are the exchange's records.
func (Deal) AccessClass() broker.Class { return broker.ClassExchange }

// RecordStage: a stored deal is closed.
func (Deal) RecordStage() string { return "closed" }

// DedupKey indexes a deal by its listing.
func (d Deal) DedupKey() string { return "deal:" + d.Listing }

// OwnerOrgs are both parties, by name and ID.
func (d Deal) OwnerOrgs() []string {
	return append(orgList(d.Seller, d.SellerID), orgList(d.Buyer, d.BuyerID)...)
}

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

// Is matches broker.ErrInvalid.
func (e *DealError) Is(target error) bool { return target == broker.ErrInvalid }

// blocking rules: a deal failing one of these is refused.
var blockingRules = map[string]bool{
	contract.RuleContractType: true, contract.RulePaymentTerms: true,
	contract.RulePricingPath: true, contract.RuleLicenceTerm: true,
}

// EventDealClosed is the event of a new deal.
const EventDealClosed = "closed"

// CloseDeal closes a deal on a listing, in one transaction: it checks the
// trading method's rule (an agreement price only after its public notice has
// run, at the noticed price; a fixed listing at its price or above its
// floor; a bidding listing with the winner at the winning amount), builds
// the payment schedule, runs the contract compliance checks (a failed
// contract type, payment terms, Art. 18 pricing path or Art. 865 licence
// term refuses the deal with a *DealError; the other findings are kept on
// the deal), writes the deal, marks the listing Traded and moves the
// listing's case to Traded. The principal must run the listing. On any
// error nothing is written.
func (x *Exchange) CloseDeal(ctx context.Context, p broker.Principal, nd NewDeal) (Deal, error) {
	nd.Buyer, nd.BuyerID = textnorm.Text(nd.Buyer), textnorm.Text(nd.BuyerID)
	c := &broker.Check{}
	if nd.Buyer == "" {
		c.Add("buyer", "required", "", "")
	}
	c.Text("buyer", nd.Buyer, 200)
	c.Text("buyer_id", nd.BuyerID, 64)
	c.Money("amount", nd.Amount)
	if nd.Amount.IsZero() {
		c.Add("amount", "required", "", "")
	}
	if err := c.Err(KindDeal); err != nil {
		return Deal{}, broker.Wrap("close deal", KindDeal, nd.Listing, err)
	}
	var out Deal
	err := x.sys.Update(ctx, func(tx *broker.Tx) error {
		l, err := broker.Read[Listing](tx, nd.Listing)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, l) {
			return broker.Forbidden("close deal", KindDeal, nd.Listing, "only platform admins and the handling broker's staff close deals")
		}
		now := tx.Now()
		if err := dealAllowed(l, nd, now); err != nil {
			return err
		}
		d := Deal{
			Meta:    broker.Meta{Broker: l.Broker, Region: l.Region, Visibility: broker.Confidential},
			Listing: l.ID, Case: l.Case, Achievement: l.Achievement, Title: l.Title,
			SellerParty: SellerParty{Seller: l.Owner, SellerID: l.OwnerID, SellerPublic: l.OwnerPublic},
			BuyerParty:  BuyerParty{Buyer: nd.Buyer, BuyerID: nd.BuyerID},
			Amount:      nd.Amount, Mode: l.Terms.Mode, Method: l.Terms.Method, ContractType: nd.ContractType,
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
			return &broker.ValidationError{Kind: KindDeal, Fields: []broker.FieldError{{Field: "terms.total", Code: "invalid", Value: "total " + d.Terms.Total.String() + " differs from the amount " + d.Amount.String()}}}
		}
		sched, err := contract.Plan(d.Terms, start.UTC().Truncate(time.Microsecond), d.Projected)
		if err != nil {
			return &broker.ValidationError{Kind: KindDeal, Fields: []broker.FieldError{{Field: "terms", Code: "invalid", Value: err.Error()}}}
		}
		d.Schedule = sched
		d.Fee = d.Amount.Mul(l.Terms.FeePercent).Div(hundred).Round(2)
		cc := d.Contract(true, false)
		cc.Pricing = pricingEvidence(l)
		d.Findings = contract.Check(cc, &contract.CheckOptions{NoticeDays: l.Terms.NoticeDays})
		if v, ok, err := signedValuation(tx, l); err != nil {
			return err
		} else if ok {
			d.Findings = append(d.Findings, contract.CheckValuation(d.Amount, v))
		}
		var failed []contract.Finding
		for _, f := range d.Findings {
			if !f.Pass && blockingRules[f.Rule] {
				failed = append(failed, f)
			}
		}
		if len(failed) > 0 {
			return &DealError{Listing: l.ID, Findings: failed}
		}
		run := broker.Via(broker.ActOperate, broker.TargetOf(l))
		if out, err = broker.Create(tx, p, d, run, broker.Logged(EventDealClosed, nil)); err != nil {
			return err
		}
		from := l.Status
		l.Status, l.DealRef = ListingTraded, out.ID
		if _, err := broker.Replace(tx, p, l, run, broker.Logged(EventListingTraded, ListingEvent{From: from, To: ListingTraded, Ref: out.ID})); err != nil {
			return err
		}
		if l.Case != "" {
			return moveListingCase(tx, p, l, broker.CaseMove{To: broker.StageTraded, DealRef: out.ID})
		}
		return nil
	})
	if err != nil {
		return Deal{}, broker.Wrap("close deal", KindDeal, nd.Listing, err)
	}
	return out, nil
}

func contractTypeFor(m broker.TransferMode) contract.Type {
	switch m {
	case broker.ModeLicense:
		return contract.License
	case broker.ModeDevelopment:
		return contract.Development
	case broker.ModeService:
		return contract.Service
	case broker.ModeConsulting:
		return contract.Consulting
	}
	return contract.Transfer
}

// pricingEvidence is the Art. 18 evidence a listing gives of its price.
func pricingEvidence(l Listing) contract.PricingEvidence {
	venue := l.Venue
	if venue == "" {
		venue = "technology exchange"
	}
	path := pricingPath(l.Terms.Method)
	if path == contract.ByAgreement {
		pe := contract.PricingEvidence{Path: path}
		if n := l.Notice; n != nil {
			pe.Notice = &contract.Notice{Name: n.Name, Price: n.Price, Start: n.Start, End: n.End}
		}
		return pe
	}
	return contract.PricingEvidence{Path: path, Venue: venue, Reference: l.ID}
}

// dealAllowed applies the trading method's rule to a deal.
func dealAllowed(l Listing, nd NewDeal, now time.Time) error {
	st := l.StatusAt(now)
	terr := func(reason string) error {
		return &broker.TransitionError{Kind: KindListing, ID: l.ID, From: string(st), To: string(ListingTraded), Reason: reason}
	}
	field := func(name, value string) error {
		return &broker.ValidationError{Kind: KindDeal, Fields: []broker.FieldError{{Field: name, Code: "invalid", Value: value}}}
	}
	amountErr := func(want string) error { return field("amount", nd.Amount.String()+": "+want) }
	switch l.Terms.Method {
	case MethodAgreement:
		if st != ListingNotice {
			return terr("an agreement deal needs a listing under public notice")
		}
		if l.Notice == nil {
			return terr("no public notice (公示) recorded")
		}
		if now.Before(l.Notice.End) {
			return terr("the public notice (公示) runs until " + stamp(l.Notice.End))
		}
		if !nd.Amount.Equal(l.Notice.Price) {
			return amountErr("must equal the noticed price " + l.Notice.Price.StringFixed(2))
		}
		if l.Terms.Counterparty != "" && l.Terms.Counterparty != nd.Buyer {
			return field("buyer", nd.Buyer+": the notice named "+l.Terms.Counterparty)
		}
	case MethodFixed:
		if st != ListingOpen {
			return terr("the listing is not open")
		}
		switch l.Terms.Pricing {
		case broker.FixedPrice:
			if !nd.Amount.Equal(l.Terms.Price) {
				return amountErr("must equal the listed price " + l.Terms.Price.StringFixed(2))
			}
		case broker.FloorPrice:
			if nd.Amount.LessThan(l.Terms.Price) {
				return amountErr("must reach the floor price " + l.Terms.Price.StringFixed(2))
			}
		}
	default:
		if st != ListingAwarded || l.Award == nil {
			return terr("a bidding listing closes a deal only after it is awarded")
		}
		if nd.Buyer != l.Award.Bidder {
			return field("buyer", nd.Buyer+": the winner is "+l.Award.Bidder)
		}
		if !nd.Amount.Equal(l.Award.Amount) {
			return amountErr("must equal the winning bid " + l.Award.Amount.StringFixed(2))
		}
	}
	return nil
}

// GetDeal returns a deal the principal may read (a party, the handling
// broker's staff, a platform admin).
func (x *Exchange) GetDeal(ctx context.Context, p broker.Principal, id string) (Deal, error) {
	return x.deals.Get(ctx, p, id)
}

// ListDeals returns one page of the deals the principal may read.
func (x *Exchange) ListDeals(ctx context.Context, p broker.Principal, o broker.ListOptions) (broker.Page[Deal], error) {
	return x.deals.List(ctx, p, o)
}

// signedValuation returns the range of the latest signed valuation report
// (package review) of the listing, else of the achievement it lists.
func signedValuation(tx *broker.Tx, l Listing) (contract.Valuation, bool, error) {
	subjects := []broker.RecordRef{{Kind: KindListing, ID: l.ID}}
	if l.Achievement != "" {
		subjects = append(subjects, broker.RecordRef{Kind: broker.KindAchievement, ID: l.Achievement})
	}
	for _, s := range subjects {
		reports, err := broker.Find[review.ValuationReport](tx, keeper, broker.ListOptions{Key: review.ValuationKey(s)})
		if err != nil {
			return contract.Valuation{}, false, err
		}
		var best *review.ValuationReport
		for i := range reports {
			if r := &reports[i]; r.Status == review.ReportSigned && (best == nil || r.Signed.After(best.Signed)) {
				best = r
			}
		}
		if best != nil {
			return contract.Valuation{Report: best.ID, Low: best.Low, High: best.High}, true, nil
		}
	}
	return contract.Valuation{}, false, nil
}
