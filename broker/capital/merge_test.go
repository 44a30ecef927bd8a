package capital_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

// Defect 6 of issue 21, for the capital records: merging organizations
// rewrites every field of an investor, an intent and an incubation that
// names the removed organization — Investor.OrgID, Incubation.Incubator,
// SpinOff and Owners, InvestmentIntent.Owners — so that the kept
// organization's principal sees the incubation and one acting for the
// removed ID no longer does, and the audits of references see them before
// and after.
func TestMergeRewritesCapital(t *testing.T) {
	f := newFixture(t)
	uni, uniDup := f.org(t, "上海海洋大学", broker.OrgUniversity), f.org(t, "上海水产大学", broker.OrgUniversity)
	park, parkDup := f.org(t, "杨浦科技创业中心", broker.OrgIncubator), f.org(t, "杨浦创业中心", broker.OrgIncubator)
	spin, spinDup := f.org(t, "蓝鲸养殖科技有限公司", broker.OrgEnterprise), f.org(t, "蓝鲸养殖公司", broker.OrgEnterprise)
	fund, fundDup := f.org(t, "蓝海创投", broker.OrgFund), f.org(t, "蓝海创业投资", broker.OrgFund)

	a, err := f.sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "网箱", Owner: uniDup.Name, OwnerID: uniDup.ID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := f.cp.Investors.Create(ctx, admin, capital.Investor{Name: "蓝海一期", OrgID: fundDup.ID})
	if err != nil {
		t.Fatal(err)
	}
	intent, err := f.cp.RecordInvestmentIntent(ctx, staff, capital.InvestmentIntent{Case: c.ID, Investor: inv.ID, Amount: dec("1000000")})
	if err != nil {
		t.Fatal(err)
	}
	for _, mv := range []broker.CaseMove{
		{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel-1"}},
		{To: broker.StagePromoting},
		{To: broker.StageTraded, DealRef: "deal-1"},
	} {
		mv.Version = c.Version
		if c, err = f.sys.MoveCase(ctx, staff, c.ID, mv); err != nil {
			t.Fatal(err)
		}
	}
	n, err := f.cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: c.ID, Incubator: parkDup.ID, SpinOff: spinDup.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.Owners, []string{uniDup.Name, uniDup.ID}) {
		t.Fatalf("incubation owners: got %v, want the case's owners", n.Owners)
	}

	// Before the merges the audit finds every reference to the duplicates.
	fields := func(orgID string) []string {
		t.Helper()
		refs, err := f.sys.OrgReferences(ctx, admin, orgID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range refs {
			if r.Record.Kind == capital.KindIncubation || r.Record.Kind == capital.KindInvestor || r.Record.Kind == capital.KindIntent {
				out = append(out, string(r.Record.Kind)+"."+r.Field)
			}
		}
		return out
	}
	for org, want := range map[string][]string{
		uniDup.ID:   {"incubation.owners[1]", "investment_intent.owners[1]"},
		parkDup.ID:  {"incubation.incubator"},
		spinDup.ID:  {"incubation.spin_off"},
		fundDup.ID:  {"investment_intent.investor_org", "investor.org_id"},
		uni.ID:      nil,
		park.ID:     nil,
		spin.ID:     nil,
		fund.ID:     nil,
		"org-other": nil,
	} {
		if got := fields(org); !slices.Equal(got, want) {
			t.Errorf("references to %s before the merges: got %v, want %v", org, got, want)
		}
	}
	// The principal of the removed university still sees the incubation.
	if _, err := f.cp.Incubations.Get(ctx, broker.InstitutionUser("u", uniDup.ID), n.ID); err != nil {
		t.Fatalf("before the merge: %v", err)
	}

	rewritten := map[broker.Kind]int{}
	for _, m := range [][2]broker.Organization{{uni, uniDup}, {park, parkDup}, {spin, spinDup}, {fund, fundDup}} {
		rep, err := f.sys.MergeOrganizations(ctx, admin, m[0].ID, m[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range rep.Rewritten {
			rewritten[k] += v
		}
	}
	if rewritten[capital.KindIncubation] != 3 || rewritten[capital.KindInvestor] != 1 || rewritten[capital.KindIntent] != 2 {
		t.Errorf("rewritten: got %v, want the incubation by 3 merges, the investor by 1 and the intent by 2 (its owner, its investor)", rewritten)
	}

	n, err = f.cp.Incubations.Get(ctx, admin, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n.Incubator != park.ID || n.SpinOff != spin.ID || !slices.Equal(n.Owners, []string{uni.Name, uni.ID}) {
		t.Errorf("incubation after the merges: incubator %q spin-off %q owners %v", n.Incubator, n.SpinOff, n.Owners)
	}
	if inv, _ = f.cp.Investors.Get(ctx, admin, inv.ID); inv.OrgID != fund.ID {
		t.Errorf("investor after the merge: org %q, want %q", inv.OrgID, fund.ID)
	}
	if intent, _ = f.cp.Intents.Get(ctx, admin, intent.ID); !slices.Equal(intent.Owners, []string{uni.Name, uni.ID}) || intent.InvestorOrg != fund.ID {
		t.Errorf("intent after the merge: owners %v, investor's organization %q", intent.Owners, intent.InvestorOrg)
	}
	for _, tc := range []struct {
		name string
		p    broker.Principal
		err  error
	}{
		{"the kept university", broker.InstitutionUser("u", uni.ID), nil},
		{"the kept incubator", broker.InstitutionUser("u", park.ID), nil},
		{"the kept spin-off", broker.EnterpriseUser("u", spin.ID), nil},
		{"the removed university", broker.InstitutionUser("u", uniDup.ID), broker.ErrForbidden},
		{"the removed incubator", broker.InstitutionUser("u", parkDup.ID), broker.ErrForbidden},
		{"the removed spin-off", broker.EnterpriseUser("u", spinDup.ID), broker.ErrForbidden},
	} {
		_, err := f.cp.Incubations.Get(ctx, tc.p, n.ID)
		if !errors.Is(err, tc.err) || err != nil && tc.err == nil {
			t.Errorf("%s reads the incubation: got %v, want %v", tc.name, err, tc.err)
		}
	}
	if _, err := f.cp.Investors.Modify(ctx, broker.EnterpriseUser("u", fund.ID), inv.ID, func(v *capital.Investor) error { v.Thesis = "海洋"; return nil }); err != nil {
		t.Errorf("the kept fund changes its investor: %v", err)
	}
	for org, want := range map[string][]string{
		uni.ID:  {"incubation.owners[1]", "investment_intent.owners[1]"},
		park.ID: {"incubation.incubator"},
		spin.ID: {"incubation.spin_off"},
		fund.ID: {"investment_intent.investor_org", "investor.org_id"},
	} {
		if got := fields(org); !slices.Equal(got, want) {
			t.Errorf("references to %s after the merges: got %v, want %v", org, got, want)
		}
	}
	dangling, err := f.sys.DanglingOrgReferences(ctx, admin)
	if err != nil || len(dangling) != 0 {
		t.Errorf("dangling references: got %v, %v", dangling, err)
	}
	// The rewritten incubation can still be operated on.
	if _, err := f.cp.SetMilestone(ctx, staff, n.ID, capital.Milestone{Name: "样机", Due: n.DealDate.AddDate(0, 1, 0)}); err != nil {
		t.Errorf("milestone after the merges: %v", err)
	}
}
