package broker_test

import (
	"slices"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/contract"
	"github.com/kexie/techbroker/policy"
)

// TestExchangeSeam: a deal closed on the exchange feeds the registry
// (merging rewrites the listing's owner and the deal's parties), the
// incubation (its deal date is the deal's signing date) and the policy
// library (the deal's facts).
func TestExchangeSeam(t *testing.T) {
	sys, clk := newExchange(t)
	seller, err := sys.Organizations.Create(exCtx, exAdmin, broker.Organization{Name: "上海海洋大学", Roles: []broker.OrgRole{broker.OrgUniversity}, Meta: broker.Meta{Region: "上海市杨浦区"}})
	if err != nil {
		t.Fatal(err)
	}
	sellerDup, err := sys.Organizations.Create(exCtx, exAdmin, broker.Organization{Name: "上海水产大学", Roles: []broker.OrgRole{broker.OrgUniversity}})
	if err != nil {
		t.Fatal(err)
	}
	buyer, err := sys.Organizations.Create(exCtx, exAdmin, broker.Organization{Name: bidderA, Roles: []broker.OrgRole{broker.OrgEnterprise}, Meta: broker.Meta{Region: "示例区"}})
	if err != nil {
		t.Fatal(err)
	}
	a, c := promotingCase(t, sys)
	l := sampleListing(broker.MethodAuction)
	l.Achievement, l.Case, l.OwnerID = a.ID, c.ID, sellerDup.ID
	l = mustListing(t, sys, l, exStart.Add(5*exDay))
	offers, err := sys.Offers(exCtx, exStaff)
	if err != nil || len(offers) != 1 || !offers[0].Listed {
		t.Errorf("offers with an open listing: got %+v, %v", offers, err)
	}
	payDeposits(t, sys, l.ID, bidderA, bidderB)
	for _, org := range []string{bidderA, bidderB, bidderA} {
		if _, err := sys.PlaceBid(exCtx, enterprise(org), l.ID, broker.PlaceBid{Bidder: org, Raise: 2}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(5 * exDay)
	if l, err = sys.CloseBidding(exCtx, exStaff, l.ID); err != nil {
		t.Fatal(err)
	}
	terms := contract.Terms{Method: contract.LumpSum, Total: l.Award.Amount}
	dl, err := sys.CloseDeal(exCtx, exStaff, broker.NewDeal{Listing: l.ID, Buyer: bidderA, BuyerID: buyer.ID, Amount: l.Award.Amount, Terms: terms})
	if err != nil {
		t.Fatal(err)
	}

	rep, err := sys.MergeOrganizations(exCtx, exAdmin, seller.ID, sellerDup.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rewritten[broker.KindListing] != 1 {
		t.Errorf("listings rewritten: got %v", rep.Rewritten)
	}
	gotL, _ := sys.GetListing(exCtx, exAdmin, l.ID)
	if gotL.OwnerID != seller.ID {
		t.Errorf("listing owner after merge: got %q, want %q", gotL.OwnerID, seller.ID)
	}

	park, err := sys.Organizations.Create(exCtx, exAdmin, broker.Organization{Name: "杨浦科技园", Roles: []broker.OrgRole{broker.OrgSciencePark}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(30 * exDay)
	n, err := sys.StartIncubation(exCtx, exStaff, broker.NewIncubation{Case: c.ID, Incubator: park.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !n.DealDate.Equal(dl.Signed) || n.DealRef != dl.ID {
		t.Errorf("incubation deal: got %v %q, want the deal's signing date %v and %q", n.DealDate, n.DealRef, dl.Signed, dl.ID)
	}

	ev, err := sys.DealPolicies(exCtx, exStaff, dl.ID, policy.ExampleRules(), policy.Facts{"registered": true, "technical_income": dl.Amount})
	if err != nil {
		t.Fatal(err)
	}
	var applied []string
	for _, r := range ev.Applicable() {
		applied = append(applied, r.Rule)
	}
	// 1,450,000: 1,000,000 × 3% + 450,000 × 2% = 39,000; reward bracket 1M–10M: 20,000; CIT 25%: 362,500.
	want := []string{"example-contract-subsidy", "example-broker-reward", "estimate-cit-transfer-relief", "vat-exemption"}
	if !slices.Equal(applied, want) {
		t.Fatalf("applicable: got %v, want %v", applied, want)
	}
	if got := ev.Total[policy.Subsidy]; !got.Equal(d("39000")) {
		t.Errorf("subsidy: got %s, want 39000", got)
	}
	if got := ev.Total[policy.TaxRelief]; !got.Equal(d("362500")) {
		t.Errorf("tax relief: got %s, want 362500", got)
	}
	if _, err := sys.DealPolicies(exCtx, exStaff, dl.ID, policy.ExampleRules(), policy.Facts{"tech_income": 1}); err == nil {
		t.Errorf("unknown fact: got nil error")
	}
	if _, err := sys.EnterprisePolicies(exCtx, exAdmin, seller.ID, policy.ExampleRules(), nil); err == nil {
		t.Errorf("enterprise policies for a university: got nil error")
	}
	ent, err := sys.EnterprisePolicies(exCtx, exAdmin, buyer.ID, policy.ExampleRules(), policy.Facts{"high_tech": true})
	if err != nil || !ent.Total[policy.Reward].Equal(d("200000")) {
		t.Errorf("enterprise policies: got %v, %v", ent.Total, err)
	}
}
