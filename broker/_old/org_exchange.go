package broker

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/policy"
)

// This file joins the organization registry, incubation and the policy
// library to the exchange (listings and deals).

// exchangeOrgReferrers returns the referrers of the exchange's kinds:
// listings' OwnerID, deals' SellerID and BuyerID.
func exchangeOrgReferrers() []orgReferrer {
	return []orgReferrer{
		referrer(KindListing, func(l Listing) []OrgRef { return ref("owner_id", l.OwnerID) },
			func(l *Listing, from, to Organization) bool { return swapID(&l.OwnerID, &l.Owner, from, to) }),
		referrer(KindDeal, func(d Deal) []OrgRef {
			return append(ref("seller_id", d.SellerID), ref("buyer_id", d.BuyerID)...)
		}, func(d *Deal, from, to Organization) bool {
			a := swapID(&d.SellerID, &d.Seller, from, to)
			b := swapID(&d.BuyerID, &d.Buyer, from, to)
			return a || b
		}),
	}
}

// dealDateTx returns the signing date of the deal behind a case (its
// DealRef): ok is false when there is no such deal, and the caller falls
// back to the time the case entered Traded.
func (s *System) dealDateTx(ctx context.Context, tx driver.Tx, c Case) (time.Time, bool, error) {
	if c.DealRef == "" {
		return time.Time{}, false, nil
	}
	rec, err := tx.Get(ctx, string(KindDeal), c.DealRef)
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	d, err := s.dealLib().decodeRecord(rec)
	if err != nil {
		return time.Time{}, false, err
	}
	switch {
	case !d.Signed.IsZero():
		return d.Signed, true, nil
	case !d.Closed.IsZero():
		return d.Closed, true, nil
	}
	return time.Time{}, false, nil
}

// DealFacts returns the policy facts a deal carries: those of its contract
// (policy.ContractFacts; registered as given, since registration happens
// after the deal), transfer_mode and broker, and, for a seller or buyer in
// the registry, seller_kind / buyer_kind (its first role) and
// seller_region / buyer_region.
func (s *System) DealFacts(ctx context.Context, p Principal, dealID string, registered bool) (policy.Facts, error) {
	d, err := s.dealLib().Get(ctx, p, dealID)
	if err != nil {
		return nil, err
	}
	f := policy.ContractFacts(d.Contract(true, registered))
	f["transfer_mode"] = string(d.Mode)
	f["broker"] = d.Broker
	for _, side := range []struct{ id, kind, region string }{{d.SellerID, "seller_kind", "seller_region"}, {d.BuyerID, "buyer_kind", "buyer_region"}} {
		if side.id == "" {
			continue
		}
		rec, err := s.store.Get(ctx, string(KindOrganization), side.id)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return nil, wrap("deal facts", KindDeal, dealID, err)
		}
		o, err := s.Organizations.decodeRecord(rec)
		if err != nil {
			return nil, wrap("deal facts", KindDeal, dealID, err)
		}
		if len(o.Roles) > 0 {
			f[side.kind] = string(o.Roles[0])
		}
		if o.Region != "" {
			f[side.region] = o.Region
		}
	}
	return f, nil
}

// DealPolicies evaluates a policy rule set against a deal: DealFacts plus
// extra facts the deal does not carry (technical_income, registered, ...),
// which win over the deal's own. Unknown or mistyped facts are errors
// (policy.FactError).
func (s *System) DealPolicies(ctx context.Context, p Principal, dealID string, rules *policy.RuleSet, extra policy.Facts) (policy.Evaluation, error) {
	registered, _ := extra["registered"].(bool)
	f, err := s.DealFacts(ctx, p, dealID, registered)
	if err != nil {
		return policy.Evaluation{}, err
	}
	maps.Copy(f, extra)
	ev, err := rules.Evaluate(policy.Deal, f)
	if err != nil {
		return policy.Evaluation{}, wrap("deal policies", KindDeal, dealID, &ValidationError{Kind: KindDeal,
			Fields: []FieldError{{Field: "facts", Code: "invalid", Value: err.Error()}}})
	}
	return ev, nil
}

// EnterprisePolicies evaluates a policy rule set against an enterprise of
// the registry: its region, plus the facts given (high_tech, revenue, ...).
// The organization must hold the enterprise role.
func (s *System) EnterprisePolicies(ctx context.Context, p Principal, orgID string, rules *policy.RuleSet, facts policy.Facts) (policy.Evaluation, error) {
	o, err := s.Organizations.Get(ctx, p, orgID)
	if err != nil {
		return policy.Evaluation{}, err
	}
	if !o.HasRole(OrgEnterprise) {
		return policy.Evaluation{}, wrap("enterprise policies", KindOrganization, orgID, &ValidationError{Kind: KindOrganization,
			Fields: []FieldError{{Field: "roles", Code: "invalid", Value: "not an enterprise"}}})
	}
	f := policy.Facts{}
	if o.Region != "" {
		f["region"] = o.Region
	}
	maps.Copy(f, facts)
	ev, err := rules.Evaluate(policy.Enterprise, f)
	if err != nil {
		return policy.Evaluation{}, wrap("enterprise policies", KindOrganization, orgID, &ValidationError{Kind: KindOrganization,
			Fields: []FieldError{{Field: "facts", Code: "invalid", Value: err.Error()}}})
	}
	return ev, nil
}
