package capital_test

import (
	"errors"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
)

// Who may do what with capital, as the access policy (broker.Rules)
// decides it: each operation asks the policy, none looks at roles itself.
func TestCapitalAccess(t *testing.T) {
	f := newFixture(t)
	uni := f.org(t, "上海海洋大学", broker.OrgUniversity)
	park := f.org(t, "杨浦科技创业中心", broker.OrgIncubator)
	fund := f.org(t, "蓝海创投", broker.OrgFund)
	principals := []struct {
		name string
		p    broker.Principal
	}{
		{"admin", admin}, {"desk", staff}, {"other desk", staffPeds},
		{"owner", broker.InstitutionUser("u-uni", uni.ID)}, {"incubator", broker.InstitutionUser("u-park", park.ID)},
		{"fund", broker.EnterpriseUser("u-fund", fund.ID)}, {"expert", broker.ExpertUser("exp-1")}, {"anonymous", broker.Anonymous()},
		{"investor", broker.InvestorUser("u-inv", fund.ID)}, {"other investor", broker.InvestorUser("u-x", "org-elsewhere")},
		{"oversight", broker.Overseer("kx-1", "杨浦区科协")},
	}
	inv, err := f.cp.Investors.Create(ctx, admin, capital.Investor{Name: "蓝海一期", OrgID: fund.ID, Keywords: []string{"网箱"},
		Meta: broker.Meta{Visibility: broker.Members}})
	if err != nil {
		t.Fatal(err)
	}
	show, err := f.acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Roadshow,
		Title: "路演", Start: t0.Add(time.Hour), End: t0.Add(2 * time.Hour), Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	traded := func() broker.Case {
		n++
		return f.tradedCase(t, "网箱"+string(rune('A'+n)), uni.ID)
	}
	started := func() capital.Incubation {
		inc, err := f.cp.StartIncubation(ctx, admin, capital.NewIncubation{Case: traded().ID, Incubator: park.ID})
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	featured := traded()
	if _, err := f.acts.Activities.Modify(ctx, staff, show.ID, func(a *activity.Activity) error {
		a.Featured = []broker.RecordRef{featured.Subject}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	inc := started()
	intent, err := f.cp.RecordInvestmentIntent(ctx, staff, capital.InvestmentIntent{Case: traded().ID, Investor: inv.ID, Amount: dec("500000")})
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		run  func(p broker.Principal) error
	}{
		{"create investor", func(p broker.Principal) error {
			_, err := f.cp.Investors.Create(ctx, p, capital.Investor{Name: "新基金", OrgID: fund.ID})
			return err
		}},
		{"read investor", func(p broker.Principal) error {
			_, err := f.cp.Investors.Get(ctx, p, inv.ID)
			return err
		}},
		{"match investors", func(p broker.Principal) error {
			_, err := f.cp.MatchInvestors(ctx, p, featured.Subject.ID, nil)
			return err
		}},
		{"record intent", func(p broker.Principal) error {
			_, err := f.cp.RecordInvestmentIntent(ctx, p, capital.InvestmentIntent{Case: traded().ID, Investor: inv.ID})
			return err
		}},
		{"record intent at the roadshow", func(p broker.Principal) error {
			_, err := f.cp.RecordInvestmentIntent(ctx, p, capital.InvestmentIntent{Case: traded().ID, Investor: inv.ID, Activity: show.ID})
			return err
		}},
		{"read intent", func(p broker.Principal) error {
			_, err := f.cp.Intents.Get(ctx, p, intent.ID)
			return err
		}},
		{"capital matched", func(p broker.Principal) error {
			_, err := f.cp.CapitalMatched(ctx, p, marine, broker.ReportPeriod{})
			return err
		}},
		{"start incubation", func(p broker.Principal) error {
			_, err := f.cp.StartIncubation(ctx, p, capital.NewIncubation{Case: traded().ID, Incubator: park.ID})
			return err
		}},
		{"read incubation", func(p broker.Principal) error {
			_, err := f.cp.Incubations.Get(ctx, p, inc.ID)
			return err
		}},
		{"set milestone", func(p broker.Principal) error {
			_, err := f.cp.SetMilestone(ctx, p, inc.ID, capital.Milestone{Name: "样机", Due: inc.DealDate.AddDate(0, 1, 0)})
			return err
		}},
		{"close incubation", func(p broker.Principal) error {
			_, err := f.cp.CloseIncubation(ctx, p, started().ID, capital.IncubationGraduated, "")
			return err
		}},
		{"overdue milestones", func(p broker.Principal) error {
			_, err := f.cp.OverdueMilestones(ctx, p, marine, time.Time{})
			return err
		}},
	}
	// Investors act as principals of their own: a principal acting for the
	// fund (an investor's or an enterprise user of its organization) keeps
	// its investor record and records and reads its intents; oversight reads
	// everything and records nothing.
	allowed := map[string][]string{
		"create investor":               {"admin", "fund", "investor"},
		"read investor":                 {"admin", "desk", "other desk", "owner", "incubator", "fund", "expert", "investor", "other investor", "oversight"},
		"match investors":               {"admin", "desk", "other desk", "owner", "incubator", "fund", "expert", "investor", "other investor", "oversight"},
		"record intent":                 {"admin", "desk", "fund", "investor"},
		"record intent at the roadshow": {"admin", "desk", "fund", "investor"},
		"read intent":                   {"admin", "desk", "owner", "fund", "investor", "oversight"},
		"capital matched":               {"admin", "desk", "oversight"},
		"start incubation":              {"admin", "desk"},
		"read incubation":               {"admin", "desk", "owner", "incubator", "oversight"},
		"set milestone":                 {"admin", "desk"},
		"close incubation":              {"admin", "desk"},
		"overdue milestones":            {"admin", "desk"},
	}
	for _, o := range ops {
		for _, pr := range principals {
			t.Run(o.name+"/"+pr.name, func(t *testing.T) {
				err := o.run(pr.p)
				want := false
				for _, a := range allowed[o.name] {
					want = want || a == pr.name
				}
				switch {
				case want && err != nil:
					t.Errorf("got %v, want it allowed", err)
				case !want && !errors.Is(err, broker.ErrForbidden):
					t.Errorf("got %v, want ErrForbidden", err)
				}
			})
		}
	}
}
