package broker_test

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/memstore"
)

const (
	marine = "marine-tech"
	peds   = "pediatrics"
)

// testClock is a settable clock; it starts at 2026-01-05 09:00 UTC.
type testClock struct{ us atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.set(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	return c
}
func (c *testClock) now() time.Time          { return time.UnixMicro(c.us.Load()).UTC() }
func (c *testClock) set(t time.Time)         { c.us.Store(t.UnixMicro()) }
func (c *testClock) advance(d time.Duration) { c.us.Add(d.Microseconds()) }

type platform struct {
	sys   *broker.System
	store driver.Store
	clock *testClock
	// principals
	admin, staff, staffPeds, ent, entOther, inst, expert, socAdmin, anon broker.Principal
}

func newPlatform(t testing.TB) *platform {
	t.Helper()
	st := memstore.New()
	clk := newTestClock()
	p := &platform{
		sys: broker.New(st, &broker.Options{Clock: clk.now, NewID: broker.SequentialIDs()}), store: st, clock: clk,
		admin:     broker.PlatformAdmin("admin"),
		staff:     broker.BrokerStaff("staff-m", marine),
		staffPeds: broker.BrokerStaff("staff-p", peds),
		ent:       broker.EnterpriseUser("ent-user", "蓝海水产"),
		entOther:  broker.EnterpriseUser("ent-user-2", "别的企业"),
		inst:      broker.InstitutionUser("inst-user", "上海海洋大学"),
		expert:    broker.ExpertUser("exp-wang"),
		socAdmin:  broker.SocietyAdmin("soc-user", "csoe"),
		anon:      broker.Anonymous(),
	}
	t.Cleanup(func() { _ = p.sys.Close() })
	for _, b := range []broker.IndustryBroker{{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}, {Meta: broker.Meta{ID: peds}, Name: "儿科医学"}} {
		if _, err := p.sys.Brokers.Create(ctx, p.admin, b); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func (p *platform) events(t testing.TB) int {
	t.Helper()
	evs, err := p.store.Events(ctx, driver.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func (p *platform) achievement(t testing.TB, title string) broker.Achievement {
	t.Helper()
	a, err := p.sys.Achievements.Create(ctx, p.admin, broker.Achievement{Title: title, Owner: "上海海洋大学", Meta: broker.Meta{Broker: marine}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (p *platform) openCase(t testing.TB, subject broker.RecordRef) broker.Case {
	t.Helper()
	c, err := p.sys.OpenCase(ctx, p.staff, broker.NewCase{Subject: subject, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verdict() *broker.ScreeningVerdict {
	return &broker.ScreeningVerdict{Passed: true, Panel: []string{"exp-000001"}, Score: 80, Ref: "eval-1"}
}

func ref(k broker.Kind, id string) broker.RecordRef { return broker.RecordRef{Kind: k, ID: id} }

// TestAccessByRole checks, role by role, what each principal can and cannot
// read or change; every denied call returns ErrForbidden and writes nothing.
func TestAccessByRole(t *testing.T) {
	p := newPlatform(t)
	dem, err := p.sys.Demands.Create(ctx, p.ent, broker.Demand{Enterprise: "蓝海水产", Title: "网箱水质在线监测", Problem: "溶解氧波动大",
		Meta: broker.Meta{Broker: marine, Visibility: broker.Confidential}})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := p.sys.Experts.Create(ctx, p.admin, broker.Expert{Meta: broker.Meta{ID: "exp-wang"}, Name: "王海", Contact: broker.Contact{Phone: "13800000000"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.sys.Societies.Create(ctx, p.admin, broker.Society{Meta: broker.Meta{ID: "csoe"}, Name: "中国海洋工程咨询协会"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.sys.Societies.Create(ctx, p.admin, broker.Society{Meta: broker.Meta{ID: "other-soc"}, Name: "另一学会"}); err != nil {
		t.Fatal(err)
	}
	ach := p.achievement(t, "深远海养殖网箱水质在线监测系统")
	demCase := p.openCase(t, ref(broker.KindDemand, dem.ID))
	if _, err := p.sys.ServicePackages.Create(ctx, p.staff, broker.ServicePackage{Meta: broker.Meta{Broker: marine}, Name: "服务包",
		Services: []broker.ServiceItem{{Code: "S01", Name: "技术评价", Fee: decimal.NewFromInt(5000)}}}); err != nil {
		t.Fatal(err)
	}

	roles := []struct {
		name string
		p    broker.Principal
	}{
		{"admin", p.admin}, {"staff", p.staff}, {"staff-other-broker", p.staffPeds}, {"enterprise", p.ent},
		{"other-enterprise", p.entOther}, {"institution", p.inst}, {"expert", p.expert}, {"society-admin", p.socAdmin}, {"anonymous", p.anon},
	}
	type action struct {
		name string
		do   func(q broker.Principal) error
		// allowed lists the roles that may do it.
		allowed []string
		// setup is true when the action itself writes something before the
		// checked call (a case to act on), so the event count is not compared.
		setup bool
	}
	actions := []action{
		{"read confidential demand", func(q broker.Principal) error {
			_, err := p.sys.Demands.Get(ctx, q, dem.ID)
			return err
		}, []string{"admin", "staff", "enterprise"}, false},
		{"read case", func(q broker.Principal) error {
			_, err := p.sys.GetCase(ctx, q, demCase.ID)
			return err
		}, []string{"admin", "staff", "enterprise"}, false},
		{"open case", func(q broker.Principal) error {
			c, err := p.sys.OpenCase(ctx, q, broker.NewCase{Subject: ref(broker.KindAchievement, ach.ID), Broker: marine})
			if err == nil { // undo for the next role
				_, err = p.sys.MoveCase(ctx, p.admin, c.ID, broker.CaseMove{To: broker.StageWithdrawn, Version: c.Version})
			}
			return err
		}, []string{"admin", "staff"}, false},
		{"screen case", func(q broker.Principal) error {
			c := p.openCase(t, ref(broker.KindAchievement, p.achievement(t, "成果 "+q.ID).ID))
			_, err := p.sys.MoveCase(ctx, q, c.ID, broker.CaseMove{To: broker.StageScreened, Version: c.Version, Verdict: verdict()})
			return err
		}, []string{"admin", "staff"}, true},
		{"withdraw case", func(q broker.Principal) error {
			d, err := p.sys.Demands.Create(ctx, p.ent, broker.Demand{Enterprise: "蓝海水产", Title: "需求 " + q.ID, Problem: "问题", Meta: broker.Meta{Broker: marine}})
			if err != nil {
				return err
			}
			c := p.openCase(t, ref(broker.KindDemand, d.ID))
			_, err = p.sys.MoveCase(ctx, q, c.ID, broker.CaseMove{To: broker.StageWithdrawn, Version: c.Version})
			return err
		}, []string{"admin", "staff", "enterprise"}, true},
		{"deliver service", func(q broker.Principal) error {
			_, err := p.sys.DeliverService(ctx, q, demCase.ID, broker.Delivery{Code: "S01"})
			return err
		}, []string{"admin", "staff"}, false},
		{"stale list", func(q broker.Principal) error {
			_, err := p.sys.Stale(ctx, q, marine, 5)
			return err
		}, []string{"admin", "staff"}, false},
		{"respond to demand", func(q broker.Principal) error {
			d, err := p.sys.Demands.Create(ctx, p.ent, broker.Demand{Enterprise: "蓝海水产", Title: "响应 " + q.ID, Problem: "问题", Meta: broker.Meta{Broker: marine}})
			if err != nil {
				return err
			}
			_, err = p.sys.RespondDemand(ctx, q, d.ID, d.Version)
			return err
		}, []string{"admin", "staff"}, true},
		{"demand stats", func(q broker.Principal) error {
			_, err := p.sys.DemandStats(ctx, q, marine, broker.ReportPeriod{})
			return err
		}, []string{"admin", "staff"}, false},
		{"edit marine service package", func(q broker.Principal) error {
			_, err := p.sys.ServicePackages.Modify(ctx, q, marine, func(sp *broker.ServicePackage) error {
				sp.Name = "服务包 " + q.ID
				return nil
			})
			return err
		}, []string{"admin", "staff"}, false},
		{"edit society csoe", func(q broker.Principal) error {
			_, err := p.sys.Societies.Modify(ctx, q, "csoe", func(s *broker.Society) error {
				s.NameEN = "CSOE " + q.ID
				return nil
			})
			return err
		}, []string{"admin", "society-admin"}, false},
		{"edit another society", func(q broker.Principal) error {
			_, err := p.sys.Societies.Modify(ctx, q, "other-soc", func(s *broker.Society) error {
				s.NameEN = "X " + q.ID
				return nil
			})
			return err
		}, []string{"admin"}, false},
		{"contribute expert for csoe", func(q broker.Principal) error {
			_, err := p.sys.ContributeExpert(ctx, q, "csoe", broker.Expert{Name: "专家 " + q.ID})
			return err
		}, []string{"admin", "society-admin"}, false},
		{"record feedback", func(q broker.Principal) error {
			_, err := p.sys.RecordFeedback(ctx, q, broker.Feedback{Subject: ref(broker.KindAchievement, ach.ID), Party: "蓝海水产", Reason: broker.DeclinePrice})
			return err
		}, []string{"admin", "staff", "enterprise"}, false},
	}
	for _, a := range actions {
		for _, r := range roles {
			t.Run(a.name+"/"+r.name, func(t *testing.T) {
				before := p.events(t)
				err := a.do(r.p)
				want := slices.Contains(a.allowed, r.name)
				switch {
				case want && err != nil:
					t.Errorf("got %v, want allowed", err)
				case !want && !errors.Is(err, broker.ErrForbidden):
					t.Errorf("got %v, want ErrForbidden", err)
				}
				if !want && !a.setup && p.events(t) != before {
					t.Errorf("denied call wrote %d events", p.events(t)-before)
				}
			})
		}
	}
	// Contact data: only the expert and platform admins.
	for _, r := range roles {
		e, err := p.sys.Experts.Get(ctx, r.p, exp.ID)
		if err != nil {
			t.Fatalf("%s reads expert: %v", r.name, err)
		}
		sees := e.Contact.Phone != ""
		if want := r.name == "admin" || r.name == "expert"; sees != want {
			t.Errorf("%s sees contact: got %v, want %v", r.name, sees, want)
		}
	}
}

// TestDeniedMoveWritesNothing checks the denied-write rule on a case move
// directly, for every role that may not move.
func TestDeniedMoveWritesNothing(t *testing.T) {
	p := newPlatform(t)
	c := p.openCase(t, ref(broker.KindAchievement, p.achievement(t, "成果").ID))
	for _, q := range []broker.Principal{p.staffPeds, p.ent, p.inst, p.expert, p.socAdmin, p.anon, p.entOther} {
		before := p.events(t)
		_, err := p.sys.MoveCase(ctx, q, c.ID, broker.CaseMove{To: broker.StageScreened, Version: c.Version, Verdict: verdict()})
		if !errors.Is(err, broker.ErrForbidden) || p.events(t) != before {
			t.Errorf("%s/%s: got %v and %d new events, want ErrForbidden and none", q.Role, q.ID, err, p.events(t)-before)
		}
	}
	// The owner institution may withdraw its own achievement's case.
	if _, err := p.sys.MoveCase(ctx, p.inst, c.ID, broker.CaseMove{To: broker.StageWithdrawn, Version: c.Version}); err != nil {
		t.Errorf("owner withdraws: %v", err)
	}
}

func TestCaseGuardsAndErrors(t *testing.T) {
	p := newPlatform(t)
	c := p.openCase(t, ref(broker.KindAchievement, p.achievement(t, "成果").ID))
	failing := &broker.ScreeningVerdict{Passed: false, Ref: "eval-2", Summary: "创新性不足"}
	_, err := p.sys.MoveCase(ctx, p.staff, c.ID, broker.CaseMove{To: broker.StageScreened, Version: c.Version, Verdict: failing})
	var te *broker.TransitionError
	if !errors.As(err, &te) || te.Missing != broker.GuardVerdict || !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("screen with a failing verdict: got %v, want a TransitionError missing the verdict", err)
	}
	if got, want := err.Error(), `broker: move: cannot move case case-000001 from "collected" to "screened": needs a passing screening verdict`; got != want {
		t.Errorf("message: got %q, want %q", got, want)
	}
	if _, err := p.sys.MoveCase(ctx, p.staff, c.ID, broker.CaseMove{To: broker.StageScreened, Verdict: verdict()}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("move without version: got %v, want ErrInvalid", err)
	}
	if _, err := p.sys.MoveCase(ctx, p.staff, c.ID, broker.CaseMove{To: "nowhere", Version: 1}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("unknown stage: got %v, want ErrInvalid", err)
	}
	if _, err := p.sys.MoveCase(ctx, p.staff, c.ID, broker.CaseMove{To: broker.StageScreened, Version: 1, Verdict: verdict(), DealRef: "deal-1"}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("deal ref on a screening move: got %v, want ErrInvalid", err)
	}
	if _, err := p.sys.MoveCase(ctx, p.staff, "case-404", broker.CaseMove{To: broker.StageScreened, Version: 1}); !errors.Is(err, broker.ErrNotFound) {
		t.Errorf("missing case: got %v, want ErrNotFound", err)
	}
	// Opening a second case for the same subject at the same broker.
	if _, err := p.sys.OpenCase(ctx, p.staff, broker.NewCase{Subject: c.Subject, Broker: marine}); !errors.Is(err, broker.ErrExists) {
		t.Errorf("second open case: got %v, want ErrExists", err)
	}
	if _, err := p.sys.OpenCase(ctx, p.staff, broker.NewCase{Subject: ref(broker.KindAchievement, "ach-404"), Broker: marine}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("case for a missing subject: got %v, want ErrInvalid", err)
	}
	// A failing verdict is recorded with a rejection.
	c, err = p.sys.MoveCase(ctx, p.staff, c.ID, broker.CaseMove{To: broker.StageRejected, Version: c.Version, Verdict: failing, Reason: "评审未通过"})
	if err != nil || c.Screening == nil || c.Screening.Passed || c.Reason != "评审未通过" {
		t.Fatalf("reject: %v %+v", err, c)
	}
	// Once closed, the subject may get a new case.
	if _, err := p.sys.OpenCase(ctx, p.staff, broker.NewCase{Subject: c.Subject, Broker: marine}); err != nil {
		t.Errorf("reopen after rejection: %v", err)
	}
}

func TestServicesAndStale(t *testing.T) {
	p := newPlatform(t)
	_, err := p.sys.ServicePackages.Create(ctx, p.staff, broker.ServicePackage{Meta: broker.Meta{Broker: marine}, Name: "海洋技术标准服务包",
		Services: []broker.ServiceItem{
			{Code: "s01", Name: "成果评价", Fee: decimal.RequireFromString("8000.00"), Unit: "项"},
			{Code: "S02", Name: "专利导航", Fee: decimal.RequireFromString("12500.50"), Unit: "项"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.sys.ServicePackages.Create(ctx, p.staff, broker.ServicePackage{Meta: broker.Meta{Broker: marine, ID: "x"}, Name: "bad",
		Services: []broker.ServiceItem{{Code: "A", Name: "a", Fee: decimal.NewFromInt(-1)}, {Code: "A", Name: "b"}}})
	if got, want := fieldCodes(err), []string{"id:invalid", "services[0].fee:negative", "services[1].code:unique"}; !cmp.Equal(got, want) {
		t.Errorf("bad package: got %v, want %v", got, want)
	}
	c1 := p.openCase(t, ref(broker.KindAchievement, p.achievement(t, "成果一").ID))
	c2 := p.openCase(t, ref(broker.KindAchievement, p.achievement(t, "成果二").ID))
	c3 := p.openCase(t, ref(broker.KindAchievement, p.achievement(t, "成果三").ID))
	p.clock.advance(3 * 24 * time.Hour)
	c1, err = p.sys.DeliverService(ctx, p.staff, c1.ID, broker.Delivery{Code: "S01", Note: "出具评价报告"})
	if err != nil {
		t.Fatal(err)
	}
	if c1, err = p.sys.DeliverService(ctx, p.staff, c1.ID, broker.Delivery{Code: "S02"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.sys.DeliverService(ctx, p.staff, c1.ID, broker.Delivery{Code: "S99"}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("unknown service: got %v, want ErrInvalid", err)
	}
	total := decimal.Zero
	for _, s := range c1.Services {
		total = total.Add(s.Fee)
	}
	if len(c1.Services) != 2 || total.StringFixed(2) != "20500.50" || c1.Version != 3 {
		t.Errorf("services: got %d totalling %s at v%d, want 2 totalling 20500.50 at v3", len(c1.Services), total.StringFixed(2), c1.Version)
	}
	p.clock.advance(3 * 24 * time.Hour)
	if _, err := p.sys.MoveCase(ctx, p.staff, c3.ID, broker.CaseMove{To: broker.StageWithdrawn, Version: c3.Version}); err != nil {
		t.Fatal(err)
	}
	// Now: c2 has had no event for 6 days, c1 for 3, c3 is closed.
	for _, tc := range []struct {
		days int
		want []string
	}{{7, nil}, {6, []string{c2.ID}}, {3, []string{c2.ID, c1.ID}}, {1, []string{c2.ID, c1.ID}}} {
		got, err := p.sys.Stale(ctx, p.staff, marine, tc.days)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !cmp.Equal(ids, tc.want) {
			t.Errorf("Stale(%d days): got %v, want %v", tc.days, ids, tc.want)
		}
	}
	if _, err := p.sys.Stale(ctx, p.staff, marine, 0); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("Stale(0): got %v, want ErrInvalid", err)
	}
}

func TestSocietyDocking(t *testing.T) {
	p := newPlatform(t)
	now := p.clock.now()
	for _, so := range []broker.Society{
		{Meta: broker.Meta{ID: "csoe"}, Name: "中国海洋学会", Disciplines: []string{"170"},
			Teams: []broker.ServiceTeam{{Name: "海洋科技服务团", Regions: []string{"上海市杨浦区", "浙江省舟山市"}}}},
		{Meta: broker.Meta{ID: "lapsed"}, Name: "资质过期学会"},
		{Meta: broker.Meta{ID: "plain"}, Name: "无资质学会", Teams: []broker.ServiceTeam{{Name: "服务团", Regions: []string{"上海市杨浦区"}}}},
	} {
		if _, err := p.sys.Societies.Create(ctx, p.admin, so); err != nil {
			t.Fatal(err)
		}
	}
	// Only platform admins grant the qualification, with a reference.
	if _, err := p.sys.GrantQualification(ctx, p.socAdmin, broker.Qualification{Society: "csoe", Ref: "自封"}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("society admin grants itself: got %v, want ErrForbidden", err)
	}
	if _, err := p.sys.GrantQualification(ctx, p.admin, broker.Qualification{Society: "csoe"}); !cmp.Equal(fieldCodes(err), []string{"ref:required"}) {
		t.Errorf("qualification without a reference: got %v", err)
	}
	if _, err := p.sys.GrantQualification(ctx, p.admin, broker.Qualification{Society: "nope", Ref: "X"}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("qualification of a missing society: got %v, want ErrInvalid", err)
	}
	for _, q := range []broker.Qualification{{Society: "csoe", Ref: "评估资质-2025-01"}, {Society: "lapsed", Ref: "X", Until: now.Add(-time.Hour)}} {
		if _, err := p.sys.GrantQualification(ctx, p.admin, q); err != nil {
			t.Fatal(err)
		}
	}
	e1, err := p.sys.ContributeExpert(ctx, p.socAdmin, "csoe", broker.Expert{Name: "海洋专家甲", Disciplines: []string{"17050"}})
	if err != nil {
		t.Fatal(err)
	}
	if e1.Provenance.Society != "csoe" || !slices.Contains(e1.Societies, "csoe") {
		t.Errorf("provenance: got %+v, societies %v", e1.Provenance, e1.Societies)
	}
	// A member by self-declaration, of a lapsed and an unqualified society.
	if _, err := p.sys.Experts.Create(ctx, p.admin, broker.Expert{Name: "海洋专家乙", Societies: []string{"中国海洋学会"}, Disciplines: []string{"520"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.sys.Experts.Create(ctx, p.admin, broker.Expert{Name: "专家丙", Societies: []string{"lapsed", "plain"}}); err != nil {
		t.Fatal(err)
	}
	a, err := p.sys.ContributeAchievement(ctx, p.socAdmin, "csoe", broker.Achievement{Title: "海洋牧场监测浮标"})
	if err != nil || a.Provenance.Society != "csoe" {
		t.Fatalf("contribute achievement: %v %+v", err, a.Provenance)
	}
	so, err := p.sys.Societies.Get(ctx, p.anon, "csoe")
	if err != nil || !cmp.Equal(so.Experts, []string{e1.ID}) {
		t.Errorf("society members: %v %v", err, so.Experts)
	}
	names := func(ps []broker.Panelist) []string {
		var out []string
		for _, x := range ps {
			out = append(out, x.Expert.Name+":"+fmt.Sprint(x.Societies))
		}
		return out
	}
	all, err := p.sys.QualifiedPanelists(ctx, p.staff, broker.PanelQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(all), []string{"海洋专家甲:[csoe]", "海洋专家乙:[csoe]"}; !cmp.Equal(got, want) {
		t.Errorf("panelists: got %v, want %v", got, want)
	}
	some, _ := p.sys.QualifiedPanelists(ctx, p.staff, broker.PanelQuery{Disciplines: []string{"170"}})
	if got, want := names(some), []string{"海洋专家甲:[csoe]"}; !cmp.Equal(got, want) {
		t.Errorf("panelists in 170: got %v, want %v", got, want)
	}
	if ids, err := p.sys.PanelEligible(ctx, p.admin, e1.ID); err != nil || !cmp.Equal(ids, []string{"csoe"}) {
		t.Errorf("PanelEligible(甲): got %v %v", ids, err)
	}
	if ids, err := p.sys.PanelEligible(ctx, p.admin, "exp-000003"); err != nil || len(ids) != 0 {
		t.Errorf("PanelEligible(丙): got %v %v, want none", ids, err)
	}
	teams, _ := p.sys.TeamsServing(ctx, p.anon, "上海市杨浦区")
	if len(teams) != 2 || teams[0].Society != "csoe" || teams[1].Society != "plain" {
		t.Errorf("teams serving 杨浦: got %+v", teams)
	}
	if teams, _ := p.sys.TeamsServing(ctx, p.anon, "浙江省舟山市"); len(teams) != 1 {
		t.Errorf("teams serving 舟山: got %+v", teams)
	}
	if _, err := p.sys.ContributeExpert(ctx, p.socAdmin, "plain", broker.Expert{Name: "x"}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("contribute to another society: got %v, want ErrForbidden", err)
	}
	if _, err := p.sys.ContributeExpert(ctx, p.admin, "nope", broker.Expert{Name: "x"}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("contribute to a missing society: got %v, want ErrInvalid", err)
	}
	if err := p.sys.RevokeQualification(ctx, p.socAdmin, "csoe"); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("society admin revokes: got %v, want ErrForbidden", err)
	}
	if err := p.sys.RevokeQualification(ctx, p.admin, "csoe"); err != nil {
		t.Fatal(err)
	}
	if left, err := p.sys.QualifiedPanelists(ctx, p.staff, broker.PanelQuery{}); err != nil || len(left) != 0 {
		t.Errorf("panelists after revocation: got %v %v, want none", names(left), err)
	}
}

// TestDemandLoopStats reproduces the published figure 428 of 441 = 97.1%
// from 441 demands driven through the loop, with known response and
// resolution times.
func TestDemandLoopStats(t *testing.T) {
	p := newPlatform(t)
	start := p.clock.now()
	// Five demands received before the period do not count.
	for i := range 446 {
		p.clock.set(start.Add(time.Duration(i) * time.Hour))
		d, err := p.sys.Demands.Create(ctx, p.ent, broker.Demand{Enterprise: "蓝海水产", Title: fmt.Sprintf("需求%03d", i), Problem: "问题", Meta: broker.Meta{Broker: marine}})
		if err != nil {
			t.Fatal(err)
		}
		recv := p.clock.now()
		p.clock.set(recv.Add(time.Duration(i%5+1) * time.Hour)) // response: 1–5 h
		if d, err = p.sys.RespondDemand(ctx, p.staff, d.ID, d.Version); err != nil {
			t.Fatal(err)
		}
		if d, err = p.sys.MoveDemand(ctx, p.staff, d.ID, broker.DemandMove{To: broker.DemandDiagnosed, Version: d.Version, Spec: "技术规格"}); err != nil {
			t.Fatal(err)
		}
		if i < 5+13 {
			if i%2 == 0 {
				_, err = p.sys.MoveDemand(ctx, p.staff, d.ID, broker.DemandMove{To: broker.DemandUnresolvable, Version: d.Version, Reason: "超出现有技术能力"})
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		if d, err = p.sys.MoveDemand(ctx, p.staff, d.ID, broker.DemandMove{To: broker.DemandMatching, Version: d.Version}); err != nil {
			t.Fatal(err)
		}
		p.clock.set(recv.Add(time.Duration(i%7+1) * 24 * time.Hour)) // resolution: 1–7 days
		if _, err = p.sys.MoveDemand(ctx, p.staff, d.ID, broker.DemandMove{To: broker.DemandResolved, Version: d.Version}); err != nil {
			t.Fatal(err)
		}
	}
	period := broker.ReportPeriod{From: start.Add(5 * time.Hour), To: start.Add(2 * 365 * 24 * time.Hour)}
	st, err := p.sys.DemandStats(ctx, p.staff, marine, period)
	if err != nil {
		t.Fatal(err)
	}
	// Resolution times i%7+1 days over i = 18..445: the 214th and 215th
	// smallest of 428 are both 4 days.
	want := broker.DemandLoopStats{Received: 441, Responded: 441, Diagnosed: 441, Resolved: 428, Unresolvable: 6,
		MedianResponse: 3 * time.Hour, MedianResolution: 4 * 24 * time.Hour}
	got := st
	got.ResolutionRate = 0
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("stats (-want +got):\n%s", d)
	}
	if st.RatePercent() != "97.1%" {
		t.Errorf("rate: got %s, want 97.1%%", st.RatePercent())
	}
	// A period ending before any resolution counts none.
	early, _ := p.sys.DemandStats(ctx, p.staff, marine, broker.ReportPeriod{To: start.Add(10 * time.Hour)})
	if early.Received != 10 || early.Resolved != 0 {
		t.Errorf("early period: got %d received, %d resolved; want 10, 0", early.Received, early.Resolved)
	}
}

func TestDemandAssignsBrokerOnResponse(t *testing.T) {
	p := newPlatform(t)
	d, err := p.sys.Demands.Create(ctx, p.ent, broker.Demand{Enterprise: "蓝海水产", Title: "未分派需求", Problem: "问题", Meta: broker.Meta{Visibility: broker.Confidential}})
	if err != nil {
		t.Fatal(err)
	}
	d, err = p.sys.RespondDemand(ctx, p.staffPeds, d.ID, d.Version)
	if err != nil || d.Broker != peds || d.RespondedAt.IsZero() {
		t.Fatalf("respond: %v broker %q responded %v", err, d.Broker, d.RespondedAt)
	}
	if _, err := p.sys.Demands.Get(ctx, p.staff, d.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another broker reads the confidential demand: got %v, want ErrForbidden", err)
	}
	if _, err := p.sys.MoveDemand(ctx, p.staff, d.ID, broker.DemandMove{To: broker.DemandDiagnosed, Version: d.Version, Spec: "s"}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another broker moves it: got %v, want ErrForbidden", err)
	}
	before := p.events(t)
	again, err := p.sys.RespondDemand(ctx, p.staffPeds, d.ID, d.Version)
	if err != nil || !again.RespondedAt.Equal(d.RespondedAt) || p.events(t) != before {
		t.Errorf("second response: %v, responded %v (was %v), %d new events", err, again.RespondedAt, d.RespondedAt, p.events(t)-before)
	}
}

func TestFeedbackQueries(t *testing.T) {
	p := newPlatform(t)
	a1 := p.achievement(t, "成果一")
	a2 := p.achievement(t, "成果二")
	jan := p.clock.now()
	record := func(q broker.Principal, f broker.Feedback) {
		t.Helper()
		if _, err := p.sys.RecordFeedback(ctx, q, f); err != nil {
			t.Fatal(err)
		}
	}
	record(p.ent, broker.Feedback{Subject: ref(broker.KindAchievement, a1.ID), Reason: broker.DeclineTooEarly})
	record(p.ent, broker.Feedback{Subject: ref(broker.KindAchievement, a2.ID), Reason: broker.DeclinePrice})
	p.clock.advance(40 * 24 * time.Hour)
	record(p.entOther, broker.Feedback{Subject: ref(broker.KindAchievement, a1.ID), Reason: broker.DeclineTooEarly})
	record(p.staff, broker.Feedback{Subject: ref(broker.KindAchievement, a1.ID), Party: "第三家企业", Reason: broker.DeclineOther, Text: "已有供应商"})
	if _, err := p.sys.RecordFeedback(ctx, p.ent, broker.Feedback{Subject: ref(broker.KindAchievement, a1.ID), Reason: broker.DeclineOther}); !cmp.Equal(fieldCodes(err), []string{"text:required"}) {
		t.Errorf("other without text: got %v", err)
	}
	if _, err := p.sys.RecordFeedback(ctx, p.ent, broker.Feedback{Subject: ref(broker.KindAchievement, a1.ID), Reason: "boring"}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("reason outside the taxonomy: got %v, want ErrInvalid", err)
	}
	if _, err := p.sys.RecordFeedback(ctx, p.ent, broker.Feedback{Subject: ref(broker.KindAchievement, a1.ID), Party: "别人", Reason: broker.DeclinePrice}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("feedback on behalf of another enterprise: got %v, want ErrForbidden", err)
	}
	counts := func(q broker.Principal, fq broker.FeedbackQuery) map[broker.DeclineReason]int {
		t.Helper()
		rc, err := p.sys.FeedbackCounts(ctx, q, fq)
		if err != nil {
			t.Fatal(err)
		}
		if len(rc) != 8 {
			t.Fatalf("got %d reasons, want all 8", len(rc))
		}
		m := map[broker.DeclineReason]int{}
		for _, r := range rc {
			if r.Count > 0 {
				m[r.Reason] = r.Count
			}
		}
		return m
	}
	for _, tc := range []struct {
		name string
		q    broker.Principal
		fq   broker.FeedbackQuery
		want map[broker.DeclineReason]int
	}{
		{"achievement 1, staff", p.staff, broker.FeedbackQuery{Subject: ref(broker.KindAchievement, a1.ID)}, map[broker.DeclineReason]int{"too_early": 2, "other": 1}},
		{"broker, admin", p.admin, broker.FeedbackQuery{Broker: marine}, map[broker.DeclineReason]int{"too_early": 2, "price": 1, "other": 1}},
		{"first month", p.admin, broker.FeedbackQuery{Broker: marine, Period: broker.ReportPeriod{From: jan, To: jan.Add(30 * 24 * time.Hour)}}, map[broker.DeclineReason]int{"too_early": 1, "price": 1}},
		{"owner institution", p.inst, broker.FeedbackQuery{}, map[broker.DeclineReason]int{"too_early": 2, "price": 1, "other": 1}},
		{"one enterprise sees its own", p.entOther, broker.FeedbackQuery{}, map[broker.DeclineReason]int{"too_early": 1}},
		{"other broker sees none", p.staffPeds, broker.FeedbackQuery{}, map[broker.DeclineReason]int{}},
		{"expert sees none", p.expert, broker.FeedbackQuery{}, map[broker.DeclineReason]int{}},
	} {
		if got := counts(tc.q, tc.fq); !cmp.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCaseTransitionsTable(t *testing.T) {
	// Every open stage can be rejected and withdrawn; nothing leaves a
	// terminal stage; the chain is reachable in order.
	for _, s := range broker.CaseStages() {
		for _, to := range []broker.CaseStage{broker.StageRejected, broker.StageWithdrawn} {
			if _, ok := broker.CaseMoveAllowed(s, to); ok != s.Open() {
				t.Errorf("%s → %s allowed: got %v, want %v", s, to, ok, s.Open())
			}
		}
		if !s.Open() {
			for _, to := range broker.CaseStages() {
				if _, ok := broker.CaseMoveAllowed(s, to); ok {
					t.Errorf("%s → %s is allowed from a terminal stage", s, to)
				}
			}
		}
	}
	if g, _ := broker.CaseMoveAllowed(broker.StageCollected, broker.StageScreened); g != broker.GuardVerdict {
		t.Errorf("screening guard: got %q", g)
	}
}
