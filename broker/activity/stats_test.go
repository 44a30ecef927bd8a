package activity_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

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
