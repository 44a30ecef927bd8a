package exchange_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/contract"
)

// A deal far from the signed valuation of what it sells carries a failed
// pricing finding naming the range and the report; it is not refused
// (issue 26, item 4).
func TestDealPriceAgainstValuation(t *testing.T) {
	x, _ := newExchange(t)
	sys := x.System()
	rv := review.New(sys, nil)
	a, c := promotingCase(t, x)
	e, err := sys.Experts.Create(exCtx, exAdmin, broker.Expert{Name: "评估专家"})
	if err != nil {
		t.Fatal(err)
	}
	draft := review.ValuationReport{Meta: broker.Meta{Broker: "marine-tech"}, Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID},
		Approach: "income", Value: d("1400000"), Low: d("1300000"), High: d("1500000"), Evaluator: e.ID, Status: review.ReportDraft}
	v, err := rv.DraftValuation(exCtx, exStaff, draft)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rv.SignValuation(exCtx, broker.ExpertUser(e.ID), v.ID, v.Version); err != nil {
		t.Fatal(err)
	}
	l := sampleListing(exchange.MethodFixed)
	l.Achievement, l.Case, l.Terms.Price = a.ID, c.ID, d("1000000")
	l = mustListing(t, x, l, time.Time{})
	dl, err := x.CloseDeal(exCtx, exStaff, exchange.NewDeal{Listing: l.ID, Buyer: bidderA, Amount: d("1000000")})
	if err != nil {
		t.Fatalf("a deal below the valuation: %v (a finding informs, it does not refuse)", err)
	}
	var f *contract.Finding
	for i := range dl.Findings {
		if dl.Findings[i].Rule == contract.RuleValuation {
			f = &dl.Findings[i]
		}
	}
	if f == nil || f.Pass || !strings.Contains(f.Why, v.ID) || !strings.Contains(f.Why, "23.1% below") {
		t.Errorf("valuation finding: got %v among %v", f, dl.Findings)
	}
}
