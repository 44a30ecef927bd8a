package exchange

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/policy"
)

// This file joins deals to the policy library (package policy): the facts
// a deal carries, and the evaluation of a rule set on a deal or on an
// enterprise of the registry (the counterparty of deals).

// DealFacts returns the policy facts a deal carries: those of its contract
// (policy.ContractFacts; registered as given, since registration happens
// after the deal), transfer_mode and broker, and, for a seller or buyer in
// the registry that the principal may read, seller_kind / buyer_kind (its
// first role) and seller_region / buyer_region. The principal must be able
// to read the deal.
func (x *Exchange) DealFacts(ctx context.Context, p broker.Principal, dealID string, registered bool) (policy.Facts, error) {
	d, err := x.deals.Get(ctx, p, dealID)
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
		o, err := x.sys.Organizations.Get(ctx, p, side.id)
		if errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrForbidden) {
			continue
		} else if err != nil {
			return nil, broker.Wrap("deal facts", KindDeal, dealID, err)
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
// which win over the deal's own. Unknown or mistyped facts are refused
// (ErrInvalid naming them).
func (x *Exchange) DealPolicies(ctx context.Context, p broker.Principal, dealID string, rules *policy.RuleSet, extra policy.Facts) (policy.Evaluation, error) {
	registered, _ := extra["registered"].(bool)
	f, err := x.DealFacts(ctx, p, dealID, registered)
	if err != nil {
		return policy.Evaluation{}, err
	}
	maps.Copy(f, extra)
	ev, err := rules.Evaluate(policy.Deal, f)
	if err != nil {
		return policy.Evaluation{}, broker.Wrap("deal policies", KindDeal, dealID, &broker.ValidationError{Kind: KindDeal,
			Fields: []broker.FieldError{{Field: "facts", Code: "invalid", Value: err.Error()}}})
	}
	return ev, nil
}

// EnterprisePolicies evaluates a policy rule set against an enterprise of
// the registry (a buyer on the exchange): its region, plus the facts given
// (high_tech, revenue, ...). The organization must hold the enterprise
// role and be readable by the principal.
func (x *Exchange) EnterprisePolicies(ctx context.Context, p broker.Principal, orgID string, rules *policy.RuleSet, facts policy.Facts) (policy.Evaluation, error) {
	o, err := x.sys.Organizations.Get(ctx, p, orgID)
	if err != nil {
		return policy.Evaluation{}, err
	}
	if !o.HasRole(broker.OrgEnterprise) {
		return policy.Evaluation{}, broker.Wrap("enterprise policies", broker.KindOrganization, orgID, &broker.ValidationError{Kind: broker.KindOrganization,
			Fields: []broker.FieldError{{Field: "roles", Code: "invalid", Value: "not an enterprise"}}})
	}
	f := policy.Facts{}
	if o.Region != "" {
		f["region"] = o.Region
	}
	maps.Copy(f, facts)
	ev, err := rules.Evaluate(policy.Enterprise, f)
	if err != nil {
		return policy.Evaluation{}, broker.Wrap("enterprise policies", broker.KindOrganization, orgID, &broker.ValidationError{Kind: broker.KindOrganization,
			Fields: []broker.FieldError{{Field: "facts", Code: "invalid", Value: err.Error()}}})
	}
	return ev, nil
}

// DealDate returns, inside a transaction, the date of the deal a case
// points to (its DealRef): the signing date, else the closing date. ok is
// false when the case names no deal or the deal does not exist; a caller
// (the incubation of a traded case) then falls back to the time the case
// entered Traded.
func DealDate(tx *broker.Tx, c broker.Case) (date time.Time, ok bool, err error) {
	if c.DealRef == "" {
		return time.Time{}, false, nil
	}
	d, err := broker.Read[Deal](tx, c.DealRef)
	if notFound(err) {
		return time.Time{}, false, nil
	}
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
