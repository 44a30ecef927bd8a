package capital_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
)

func TestInvestmentIntents(t *testing.T) {
	f, sea, _, act := matchFixture(t)
	fund := f.org(t, "蓝海创投管理有限公司", broker.OrgFund)
	inv, err := f.cp.Investors.Modify(ctx, admin, investorNamed(t, f, "蓝海创投").ID, func(v *capital.Investor) error { v.OrgID = fund.ID; return nil })
	if err != nil {
		t.Fatal(err)
	}
	angel := investorNamed(t, f, "早期天使")
	c, err := f.sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: sea.ID}, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.cp.RecordInvestmentIntent(ctx, staff, capital.InvestmentIntent{Case: c.ID, Investor: inv.ID, Amount: dec("2000000"), Stage: "A轮", Activity: act.ID})
	if err != nil {
		t.Fatal(err)
	}
	if n.Lead == "" || n.Broker != marine || n.Stage != capital.StageA || n.Subject != c.Subject || n.Visibility != broker.Confidential || n.Version != 1 {
		t.Errorf("intent: got %+v", n)
	}
	lead, err := f.acts.Leads.Get(ctx, staff, n.Lead)
	if err != nil || lead.Kind != activity.LeadInterest || lead.Party != fund.ID || lead.Subject != c.Subject || lead.Activity != act.ID {
		t.Errorf("the intent's lead: got %+v, %v; want an interest lead of the fund", lead, err)
	}
	if _, err := f.cp.RecordInvestmentIntent(ctx, staff, capital.InvestmentIntent{Case: c.ID, Investor: angel.ID, Amount: dec("300000")}); err != nil {
		t.Fatal(err)
	}
	cv, err := f.acts.Conversion(ctx, staff, act.ID)
	if err != nil || cv.Interests != 1 {
		t.Errorf("activity conversion: got %+v, %v; want 1 interest", cv, err)
	}
	fig, err := f.cp.CapitalMatched(ctx, staff, marine, broker.ReportPeriod{})
	if err != nil {
		t.Fatal(err)
	}
	if fig.Intents != 2 || fig.Investors != 2 || fig.Cases != 1 || !fig.Amount.Equal(dec("2300000")) ||
		!fig.ByStage[capital.StageA].Equal(dec("2000000")) || !fig.ByStage[""].Equal(dec("300000")) {
		t.Errorf("capital figures: got %+v", fig)
	}
	if fig, _ := f.cp.CapitalMatched(ctx, staff, marine, broker.ReportPeriod{From: t0.AddDate(0, 0, 1)}); fig.Intents != 0 {
		t.Errorf("figures of a later period: got %+v", fig)
	}
	if _, err := f.cp.CapitalMatched(ctx, staffPeds, marine, broker.ReportPeriod{}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("figures of another desk: got %v, want ErrForbidden", err)
	}
	if _, err := f.cp.CapitalMatched(ctx, staff, "", broker.ReportPeriod{}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("figures of every desk by staff: got %v, want ErrForbidden", err)
	}

	for _, tt := range []struct {
		name string
		n    capital.InvestmentIntent
		want []string
	}{
		{"unknown investor", capital.InvestmentIntent{Case: c.ID, Investor: "inve-999999", Amount: dec("1")}, []string{"investor:ref"}},
		{"no investor", capital.InvestmentIntent{Case: c.ID}, []string{"investor:required"}},
		{"unknown case", capital.InvestmentIntent{Case: "case-999999", Investor: inv.ID}, []string{"case:ref"}},
		{"no case", capital.InvestmentIntent{Investor: inv.ID}, []string{"case:required"}},
		{"unknown activity", capital.InvestmentIntent{Case: c.ID, Investor: inv.ID, Activity: "acti-999999"}, []string{"activity:ref"}},
		{"negative amount", capital.InvestmentIntent{Case: c.ID, Investor: inv.ID, Amount: dec("-5")}, []string{"amount:negative"}},
		{"unknown stage", capital.InvestmentIntent{Case: c.ID, Investor: inv.ID, Stage: "Z轮"}, []string{"stage:oneof"}},
	} {
		_, err := f.cp.RecordInvestmentIntent(ctx, staff, tt.n)
		if got := fieldCodes(err); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v (%v), want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := f.cp.RecordInvestmentIntent(ctx, staffPeds, capital.InvestmentIntent{Case: c.ID, Investor: inv.ID}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other broker's staff: got %v, want ErrForbidden", err)
	}
	// A refused intent writes no lead: the organizer check of another desk's
	// activity fails after nothing else did.
	pedsAct, err := f.acts.Activities.Create(ctx, staffPeds, activity.Activity{Meta: broker.Meta{Broker: peds}, Kind: activity.Roadshow,
		Title: "儿科路演", Start: t0.Add(48 * time.Hour), End: t0.Add(50 * time.Hour), Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.cp.RecordInvestmentIntent(ctx, staff, capital.InvestmentIntent{Case: c.ID, Investor: inv.ID, Activity: pedsAct.ID}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("intent at another desk's activity: got %v, want ErrForbidden", err)
	}
	if all, _ := f.cp.Intents.Find(ctx, admin, broker.ListOptions{}); len(all) != 2 {
		t.Errorf("intents after the refusals: got %d, want 2", len(all))
	}
	if leads, _ := f.acts.Leads.Find(ctx, admin, broker.ListOptions{}); len(leads) != 1 {
		t.Errorf("leads after the refusals: got %d, want 1", len(leads))
	}
	// Intents are written only by RecordInvestmentIntent.
	if _, err := f.cp.Intents.Create(ctx, admin, capital.InvestmentIntent{Case: c.ID, Investor: inv.ID}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("plain create: got %v, want ErrInvalid (guarded)", err)
	}
	if _, err := f.cp.Intents.Modify(ctx, admin, n.ID, func(n *capital.InvestmentIntent) error { n.Investor = angel.ID; return nil }); !slices.Equal(fieldCodes(err), []string{"investor:guarded"}) {
		t.Errorf("plain change of the investor: got %v, want investor:guarded", err)
	}
	// The subject's owner reads the intents on its case (none here: the
	// achievement has no owner); an enterprise reads none of them.
	if got, _ := f.cp.Intents.Find(ctx, broker.EnterpriseUser("u", "某企业"), broker.ListOptions{}); len(got) != 0 {
		t.Errorf("an enterprise sees %d intents, want 0", len(got))
	}
	if got, _ := f.cp.Intents.Find(ctx, staff, broker.ListOptions{Key: "intent:" + c.ID}); len(got) != 2 {
		t.Errorf("the desk's intents on the case: got %d, want 2", len(got))
	}
}

func investorNamed(t testing.TB, f *fixture, name string) capital.Investor {
	t.Helper()
	all, err := f.cp.Investors.Find(ctx, admin, broker.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range all {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no investor %s", name)
	return capital.Investor{}
}
