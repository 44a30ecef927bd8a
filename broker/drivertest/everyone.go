package drivertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/driver"
)

// testEveryone checks the store-dependent behaviour of organizations and
// staff: merges that rewrite many kinds in one transaction (the core's,
// and capital's investors and incubations), and concurrent roster changes
// that lose nothing. Incubations that move their case are the Capital
// group's.
func testEveryone(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("MergeRewritesEveryKind", func(t *testing.T) { testMergeEveryKind(t, open(t)) })
	t.Run("ConcurrentRosterChanges", func(t *testing.T) { testConcurrentRoster(t, open(t)) })
}

type everyoneFixture struct {
	sys   *broker.System
	admin broker.Principal
	staff broker.Principal
	ctx   context.Context
}

func newEveryone(t testing.TB, s driver.Store) *everyoneFixture {
	t.Helper()
	var tick atomic.Int64
	clock := func() time.Time { return t0.Add(time.Duration(tick.Add(1)) * time.Second) }
	f := &everyoneFixture{
		sys:   broker.New(s, &broker.Options{Clock: clock, NewID: broker.SequentialIDs()}),
		admin: broker.PlatformAdmin("admin"), staff: broker.BrokerStaff("staff", marine), ctx: context.Background(),
	}
	if _, err := f.sys.Brokers.Create(f.ctx, f.admin, broker.IndustryBroker{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *everyoneFixture) must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *everyoneFixture) org(t testing.TB, name, code string, role broker.OrgRole) broker.Organization {
	t.Helper()
	o, err := f.sys.Organizations.Create(f.ctx, f.admin, broker.Organization{Name: name, CreditCode: code, Roles: []broker.OrgRole{role}})
	f.must(t, err)
	return o
}

// tradedCase opens a case for a new achievement owned by ownerID and
// moves it to Traded.
func (f *everyoneFixture) tradedCase(t testing.TB, title, ownerID string) broker.Case {
	t.Helper()
	a, err := f.sys.Achievements.Create(f.ctx, f.admin, broker.Achievement{Title: title, OwnerID: ownerID})
	f.must(t, err)
	c, err := f.sys.OpenCase(f.ctx, f.staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
	f.must(t, err)
	for _, mv := range []broker.CaseMove{
		{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel"}},
		{To: broker.StagePromoting},
		{To: broker.StageTraded, DealRef: "deal-" + a.ID},
	} {
		mv.Version = c.Version
		c, err = f.sys.MoveCase(f.ctx, f.staff, c.ID, mv)
		f.must(t, err)
	}
	return c
}

func testMergeEveryKind(t *testing.T, s driver.Store) {
	f := newEveryone(t, s)
	keep := f.org(t, "上海海洋大学", "91350100M000100Y43", broker.OrgUniversity)
	dup := f.org(t, "上海水产大学", "", broker.OrgUniversity)
	other := f.org(t, "其他单位", "", broker.OrgEnterprise)
	c := f.tradedCase(t, "网箱", dup.ID)
	d, err := f.sys.Demands.Create(f.ctx, f.admin, broker.Demand{Title: "需求", Problem: "问题", Enterprise: "甲", EnterpriseID: dup.ID})
	f.must(t, err)
	e, err := f.sys.Experts.Create(f.ctx, f.admin, broker.Expert{Name: "专家", InstitutionID: dup.ID})
	f.must(t, err)
	fb, err := f.sys.RecordFeedback(f.ctx, f.staff, broker.Feedback{Subject: c.Subject, Party: "某公司", Reason: broker.DeclinePrice})
	f.must(t, err)
	// The capital records: an investor of the duplicate, and the incubation
	// of the case (its owners are the case's) at the duplicate as incubator
	// and as spin-off of another duplicate.
	cp := newCapital(f.sys)
	inc, incDup := f.org(t, "杨浦科技创业中心", "", broker.OrgIncubator), f.org(t, "杨浦创业中心", "", broker.OrgIncubator)
	inv, err := cp.Investors.Create(f.ctx, f.admin, capital.Investor{Name: "水产大学基金", OrgID: dup.ID})
	f.must(t, err)
	n, err := cp.StartIncubation(f.ctx, f.staff, capital.NewIncubation{Case: c.ID, Incubator: incDup.ID, SpinOff: dup.ID})
	f.must(t, err)
	if !slices.Contains(n.Owners, dup.ID) {
		t.Fatalf("incubation owners: got %v, want the case's owners", n.Owners)
	}

	// A refused merge (two credit codes) writes nothing.
	coded := f.org(t, "另一法人", "914403001922038216", broker.OrgEnterprise)
	if _, err := f.sys.MergeOrganizations(f.ctx, f.admin, keep.ID, coded.ID); !errors.Is(err, broker.ErrConflict) {
		t.Fatalf("merge of two legal persons: got %v, want ErrConflict", err)
	}

	rep, err := f.sys.MergeOrganizations(f.ctx, f.admin, keep.ID, dup.ID)
	f.must(t, err)
	if got := rep.Rewritten[broker.KindAchievement] + rep.Rewritten[broker.KindDemand] + rep.Rewritten[broker.KindExpert] +
		rep.Rewritten[broker.KindFeedback] + rep.Rewritten[broker.KindCase] + rep.Rewritten[capital.KindInvestor] +
		rep.Rewritten[capital.KindIncubation]; got != 7 {
		t.Errorf("rewritten: got %v, want one of each of 7 kinds", rep.Rewritten)
	}
	if _, err := f.sys.MergeOrganizations(f.ctx, f.admin, inc.ID, incDup.ID); err != nil {
		t.Fatal(err)
	}
	inv, _ = cp.Investors.Get(f.ctx, f.admin, inv.ID)
	n, _ = cp.Incubations.Get(f.ctx, f.admin, n.ID)
	if inv.OrgID != keep.ID || n.Incubator != inc.ID || n.SpinOff != keep.ID ||
		!slices.Contains(n.Owners, keep.ID) || slices.Contains(n.Owners, dup.ID) || slices.Contains(n.Owners, dup.Name) {
		t.Errorf("capital after the merges: investor org %q, incubator %q, spin-off %q, owners %v", inv.OrgID, n.Incubator, n.SpinOff, n.Owners)
	}
	if _, err := cp.Incubations.Get(f.ctx, broker.InstitutionUser("u", keep.ID), n.ID); err != nil {
		t.Errorf("the kept organization reads the incubation: %v", err)
	}
	if _, err := cp.Incubations.Get(f.ctx, broker.InstitutionUser("u", dup.ID), n.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("the removed organization reads the incubation: got %v, want ErrForbidden", err)
	}
	a, _ := f.sys.Achievements.Get(f.ctx, f.admin, c.Subject.ID)
	d, _ = f.sys.Demands.Get(f.ctx, f.admin, d.ID)
	e, _ = f.sys.Experts.Get(f.ctx, f.admin, e.ID)
	c, _ = f.sys.GetCase(f.ctx, f.admin, c.ID)
	fbs, _ := f.sys.Feedback(f.ctx, f.admin, broker.FeedbackQuery{Subject: c.Subject})
	if got := []string{a.OwnerID, d.EnterpriseID, e.InstitutionID}; !slices.Equal(got, []string{keep.ID, keep.ID, keep.ID}) {
		t.Errorf("references after merge: got %v", got)
	}
	if len(fbs) != 1 || fbs[0].ID != fb.ID || !slices.Contains(fbs[0].Owners, keep.ID) || slices.Contains(fbs[0].Owners, dup.ID) {
		t.Errorf("feedback owners after merge: got %v", fbs)
	}
	if !slices.Contains(c.Owners, keep.ID) || slices.Contains(c.Owners, dup.ID) {
		t.Errorf("case owners: got %v", c.Owners)
	}
	if _, err := f.sys.Organizations.Get(f.ctx, f.admin, dup.ID); !errors.Is(err, broker.ErrNotFound) {
		t.Errorf("duplicate: got %v, want ErrNotFound", err)
	}
	dangling, err := f.sys.DanglingOrgReferences(f.ctx, f.admin)
	f.must(t, err)
	if len(dangling) != 0 {
		t.Errorf("dangling: %v", dangling)
	}
	refs, err := f.sys.OrgReferences(f.ctx, f.admin, other.ID)
	if err != nil || len(refs) != 0 {
		t.Errorf("references to an untouched organization: got %v, %v", refs, err)
	}
	evs, err := f.sys.Events(f.ctx, f.admin, broker.KindOrganization, dup.ID)
	f.must(t, err)
	if len(evs) == 0 || evs[len(evs)-1].Type != "merged_into" {
		t.Errorf("events of the removed organization: got %v", evs)
	}
}

func testConcurrentRoster(t *testing.T, s driver.Store) {
	f := newEveryone(t, s)
	st, err := f.sys.AddStaff(f.ctx, f.staff, broker.Staff{Meta: broker.Meta{Broker: marine}, Person: "p-1", Name: "王经理", Grade: broker.GradeJunior})
	f.must(t, err)
	const workers, each = 4, 4
	cases := make([]string, workers*each)
	for i := range cases {
		a, err := f.sys.Achievements.Create(f.ctx, f.admin, broker.Achievement{Title: fmt.Sprintf("成果%02d", i)})
		f.must(t, err)
		c, err := f.sys.OpenCase(f.ctx, f.staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
		f.must(t, err)
		cases[i] = c.ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*(each+1))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := f.sys.AssignCase(f.ctx, f.staff, st.ID, cases[w*each+i]); err != nil {
					errs <- err
				}
			}
			_, err := f.sys.ModifyStaff(f.ctx, f.staff, st.ID, func(s *broker.Staff) error {
				s.Certifications = append(s.Certifications, broker.Certification{Name: fmt.Sprintf("证书%d", w)})
				return nil
			})
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent roster change: %v", err)
	}
	roster, err := f.sys.Roster(f.ctx, f.staff, marine)
	f.must(t, err)
	if len(roster) != 1 || len(roster[0].Cases) != workers*each || len(roster[0].Certifications) != workers {
		t.Fatalf("after concurrent changes: %d cases, %d certifications; want %d and %d", len(roster[0].Cases), len(roster[0].Certifications), workers*each, workers)
	}
	fig, err := f.sys.StaffFigures(f.ctx, f.staff, marine, broker.ReportPeriod{})
	f.must(t, err)
	if fig.MaxCaseload != workers*each {
		t.Errorf("figures: got caseload %d, want %d", fig.MaxCaseload, workers*each)
	}
}
