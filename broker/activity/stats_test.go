package activity_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
)

func TestPlatformStats(t *testing.T) {
	p := newPlatform(t)
	if _, err := p.sys.ServicePackages.Create(ctx, p.staff, broker.ServicePackage{Meta: broker.Meta{Broker: marine}, Name: "服务包",
		Services: []broker.ServiceItem{{Code: "S01", Name: "成果评价", Fee: decimal.RequireFromString("8000")}}}); err != nil {
		t.Fatal(err)
	}
	from := p.clock.now()
	var cs []broker.Case
	for i := range 3 {
		cs = append(cs, p.openCase(t, ref(broker.KindAchievement, p.achievement(t, fmt.Sprint("成果", i)).ID)))
	}
	move := func(i int, mv broker.CaseMove) {
		t.Helper()
		mv.Version = cs[i].Version
		c, err := p.sys.MoveCase(ctx, p.staff, cs[i].ID, mv)
		if err != nil {
			t.Fatal(err)
		}
		cs[i] = c
	}
	move(0, broker.CaseMove{To: broker.StageScreened, Verdict: verdict()})
	move(0, broker.CaseMove{To: broker.StagePromoting})
	move(0, broker.CaseMove{To: broker.StageListed, ListingRef: "lst-1"})
	move(0, broker.CaseMove{To: broker.StageTraded, DealRef: "deal-1"})
	move(1, broker.CaseMove{To: broker.StageScreened, Verdict: verdict()})
	move(2, broker.CaseMove{To: broker.StageRejected, Reason: "不在本领域"})
	if _, err := p.sys.DeliverService(ctx, p.staff, cs[1].ID, broker.Delivery{Code: "S01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.sys.RecordFeedback(ctx, p.ent, broker.Feedback{Subject: cs[1].Subject, Reason: broker.DeclineIPStatus}); err != nil {
		t.Fatal(err)
	}
	// An activity in the period with one registration and one interest lead.
	a := p.activity(t, activity.Roadshow, "路演", 10)
	if _, err := p.acts.Register(ctx, p.ent, a.ID, activity.Registration{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.acts.RecordLead(ctx, p.staff, a.ID, activity.Lead{Kind: activity.LeadInterest, Subject: cs[1].Subject, Party: "蓝海水产"}); err != nil {
		t.Fatal(err)
	}
	st, err := p.acts.PlatformStats(ctx, p.staff, marine, broker.ReportPeriod{From: from})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[broker.CaseStage]int{"traded": 1, "screened": 1, "rejected": 1}; !cmp.Equal(st.CasesByStage, want) {
		t.Errorf("cases by stage: got %v, want %v", st.CasesByStage, want)
	}
	wantFlows := []activity.StageFlow{{"collected", "screened", 2}, {"screened", "promoting", 1}, {"promoting", "listed", 1}, {"listed", "traded", 1}, {"collected", "rejected", 1}}
	if d := cmp.Diff(wantFlows, st.Flows); d != "" {
		t.Errorf("flows (-want +got):\n%s", d)
	}
	if st.CasesOpened != 3 || st.Entered[broker.StageScreened] != 2 || st.ServicesDelivered != 1 || st.ServiceFees.StringFixed(2) != "8000.00" {
		t.Errorf("opened %d, entered screened %d, services %d fees %s", st.CasesOpened, st.Entered[broker.StageScreened], st.ServicesDelivered, st.ServiceFees)
	}
	if st.Feedback[5].Reason != broker.DeclineIPStatus || st.Feedback[5].Count != 1 {
		t.Errorf("feedback: %+v", st.Feedback)
	}
	if st.Activities != 1 || st.Registrations != 1 || st.Leads != 1 || st.Interests != 1 || st.CasesFromLeads != 0 {
		t.Errorf("activities %d, registrations %d, leads %d, interests %d, cases from leads %d; want 1 1 1 1 0",
			st.Activities, st.Registrations, st.Leads, st.Interests, st.CasesFromLeads)
	}
	// A period that ends before everything counts no moves.
	empty, err := p.acts.PlatformStats(ctx, p.admin, marine, broker.ReportPeriod{To: from})
	if err != nil || empty.CasesOpened != 0 || len(empty.Flows) != 0 || empty.CasesByStage[broker.StageTraded] != 1 || empty.Activities != 0 {
		t.Errorf("empty period: %v %+v", err, empty)
	}
	if _, err := p.acts.PlatformStats(ctx, p.staffPeds, marine, broker.ReportPeriod{}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another broker's stats: got %v, want ErrForbidden", err)
	}
}

// Fill carries the platform's figures into the scorecard's statistics: the
// funnel closed upwards, the demand loop's median times, and the declines
// by whether the broker can fix their reason.
func TestPlatformStatsFill(t *testing.T) {
	ps := activity.PlatformStats{
		Entered:    map[broker.CaseStage]int{broker.StageCollected: 10, broker.StageScreened: 6, broker.StageListed: 3, broker.StageTraded: 2},
		Demand:     broker.DemandLoopStats{Received: 8, Responded: 7, Resolved: 4, MedianResponse: 36 * time.Hour, MedianResolution: 30 * 24 * time.Hour},
		Activities: 2, Leads: 9, CasesFromLeads: 3, ServicesDelivered: 5, ServiceFees: decimal.NewFromInt(120000),
		Feedback: []broker.ReasonCount{{Reason: broker.DeclinePrice, Count: 2}, {Reason: broker.DeclineDescriptionUnclear, Count: 3}, {Reason: broker.DeclineBenefitUnclear, Count: 1}},
	}
	var st assessment.BrokerStats
	ps.Fill(&st)
	want := map[assessment.Stage]int{assessment.StageCollected: 10, assessment.StageScreened: 6, assessment.StageCultivating: 3,
		assessment.StagePromoting: 3, assessment.StageListed: 3, assessment.StageTraded: 2, assessment.StageIncubating: 0}
	for s, n := range want {
		if st.CasesReached[s] != n {
			t.Errorf("reached %s: got %d, want %d", s, st.CasesReached[s], n)
		}
	}
	if st.DemandsReceived != 8 || st.DemandsResponded != 7 || st.DemandsResolved != 4 || st.MeanResponseDays != 1.5 || st.MeanResolutionDays != 30 {
		t.Errorf("demand loop: %+v", st)
	}
	if st.Declines != 6 || st.DeclinesFixable != 4 {
		t.Errorf("declines: got %d (%d fixable), want 6 (4 fixable)", st.Declines, st.DeclinesFixable)
	}
	if st.Activities != 2 || st.ActivityLeads != 9 || st.LeadsConverted != 3 || st.ServicesDelivered != 5 || !st.TechIncome.Equal(decimal.NewFromInt(120000)) {
		t.Errorf("activities and services: %+v", st)
	}
}
