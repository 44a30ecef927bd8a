package exchange_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/contract"
	"github.com/kexie/techbroker/policy"
)

// TestExchangeSeam: a deal closed on the exchange feeds the registry
// (merging rewrites the listing's owner and the deal's parties), the
// incubation (DealDate: the deal's signing date) and the policy library
// (the deal's facts).
func TestExchangeSeam(t *testing.T) {
	x, clk := newExchange(t)
	seller, err := x.System().Organizations.Create(exCtx, exAdmin, broker.Organization{Name: "上海海洋大学", Roles: []broker.OrgRole{broker.OrgUniversity}, Meta: broker.Meta{Region: "上海市杨浦区"}})
	if err != nil {
		t.Fatal(err)
	}
	sellerDup, err := x.System().Organizations.Create(exCtx, exAdmin, broker.Organization{Name: "上海水产大学", Roles: []broker.OrgRole{broker.OrgUniversity}})
	if err != nil {
		t.Fatal(err)
	}
	buyer, err := x.System().Organizations.Create(exCtx, exAdmin, broker.Organization{Name: bidderA, Roles: []broker.OrgRole{broker.OrgEnterprise}, Meta: broker.Meta{Region: "示例区"}})
	if err != nil {
		t.Fatal(err)
	}
	a, c := promotingCase(t, x)
	l := sampleListing(exchange.MethodAuction)
	l.Achievement, l.Case, l.OwnerID = a.ID, c.ID, sellerDup.ID
	l = mustListing(t, x, l, exStart.Add(5*exDay))
	payDeposits(t, x, l.ID, bidderA, bidderB)
	for _, org := range []string{bidderA, bidderB, bidderA} {
		if _, err := x.PlaceBid(exCtx, enterprise(org), l.ID, exchange.PlaceBid{Bidder: org, Raise: 2}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(5 * exDay)
	if l, err = x.CloseBidding(exCtx, exStaff, l.ID); err != nil {
		t.Fatal(err)
	}
	terms := contract.Terms{Method: contract.LumpSum, Total: l.Award.Amount}
	dl, err := x.CloseDeal(exCtx, exStaff, exchange.NewDeal{Listing: l.ID, Buyer: bidderA, BuyerID: buyer.ID, Amount: l.Award.Amount, Terms: terms})
	if err != nil {
		t.Fatal(err)
	}

	rep, err := x.System().MergeOrganizations(exCtx, exAdmin, seller.ID, sellerDup.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rewritten[exchange.KindListing] != 1 {
		t.Errorf("listings rewritten: got %v", rep.Rewritten)
	}
	gotL, _ := x.GetListing(exCtx, exAdmin, l.ID)
	if gotL.OwnerID != seller.ID {
		t.Errorf("listing owner after merge: got %q, want %q", gotL.OwnerID, seller.ID)
	}

	// The deal's date, for the incubation of the traded case (package
	// capital): the signing date.
	gotC, err := x.System().GetCase(exCtx, exStaff, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var date time.Time
	var ok bool
	err = x.System().Update(exCtx, func(tx *broker.Tx) (err error) {
		date, ok, err = exchange.DealDate(tx, gotC)
		return err
	})
	if err != nil || !ok || !date.Equal(dl.Signed) {
		t.Errorf("deal date: got %v %v %v, want the deal's signing date %v", date, ok, err, dl.Signed)
	}

	ev, err := x.DealPolicies(exCtx, exStaff, dl.ID, policy.ExampleRules(), policy.Facts{"registered": true, "technical_income": dl.Amount})
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
	if _, err := x.DealPolicies(exCtx, exStaff, dl.ID, policy.ExampleRules(), policy.Facts{"tech_income": 1}); err == nil {
		t.Errorf("unknown fact: got nil error")
	}
	if _, err := x.EnterprisePolicies(exCtx, exAdmin, seller.ID, policy.ExampleRules(), nil); err == nil {
		t.Errorf("enterprise policies for a university: got nil error")
	}
	ent, err := x.EnterprisePolicies(exCtx, exAdmin, buyer.ID, policy.ExampleRules(), policy.Facts{"high_tech": true})
	if err != nil || !ent.Total[policy.Reward].Equal(d("200000")) {
		t.Errorf("enterprise policies: got %v, %v", ent.Total, err)
	}
}
