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

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
)

// testEveryone checks the store-dependent behaviour of organizations,
// investors, staff and incubation: merges that rewrite many kinds in one
// transaction, incubation starts and ends that move a case in the same
// transaction (or not at all), and concurrent roster changes that lose
// nothing.
func testEveryone(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("MergeRewritesEveryKind", func(t *testing.T) { testMergeEveryKind(t, open(t)) })
	t.Run("IncubationMovesCaseAtomically", func(t *testing.T) { testIncubationAtomic(t, open(t)) })
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
	inc := f.org(t, "水产孵化器", "", broker.OrgIncubator)
	other := f.org(t, "其他单位", "", broker.OrgEnterprise)
	c := f.tradedCase(t, "网箱", dup.ID)
	d, err := f.sys.Demands.Create(f.ctx, f.admin, broker.Demand{Title: "需求", Problem: "问题", Enterprise: "甲", EnterpriseID: dup.ID})
	f.must(t, err)
	e, err := f.sys.Experts.Create(f.ctx, f.admin, broker.Expert{Name: "专家", InstitutionID: dup.ID})
	f.must(t, err)
	v, err := f.sys.Investors.Create(f.ctx, f.admin, broker.Investor{Name: "基金", OrgID: dup.ID})
	f.must(t, err)
	n, err := f.sys.StartIncubation(f.ctx, f.staff, broker.NewIncubation{Case: c.ID, Incubator: dup.ID, SpinOff: inc.ID})
	f.must(t, err)

	// A refused merge (two credit codes) writes nothing.
	coded := f.org(t, "另一法人", "914403001922038216", broker.OrgEnterprise)
	if _, err := f.sys.MergeOrganizations(f.ctx, f.admin, keep.ID, coded.ID); !errors.Is(err, broker.ErrConflict) {
		t.Fatalf("merge of two legal persons: got %v, want ErrConflict", err)
	}

	rep, err := f.sys.MergeOrganizations(f.ctx, f.admin, keep.ID, dup.ID)
	f.must(t, err)
	if got := rep.Rewritten[broker.KindAchievement] + rep.Rewritten[broker.KindDemand] + rep.Rewritten[broker.KindExpert] +
		rep.Rewritten[broker.KindInvestor] + rep.Rewritten[broker.KindIncubation] + rep.Rewritten[broker.KindCase]; got != 6 {
		t.Errorf("rewritten: got %v, want one of each of 6 kinds", rep.Rewritten)
	}
	a, _ := f.sys.Achievements.Get(f.ctx, f.admin, c.Subject.ID)
	d, _ = f.sys.Demands.Get(f.ctx, f.admin, d.ID)
	e, _ = f.sys.Experts.Get(f.ctx, f.admin, e.ID)
	v, _ = f.sys.Investors.Get(f.ctx, f.admin, v.ID)
	n, _ = f.sys.GetIncubation(f.ctx, f.admin, n.ID)
	c, _ = f.sys.GetCase(f.ctx, f.admin, c.ID)
	if got := []string{a.OwnerID, d.EnterpriseID, e.InstitutionID, v.OrgID, n.Incubator, n.SpinOff}; !slices.Equal(got, []string{keep.ID, keep.ID, keep.ID, keep.ID, keep.ID, inc.ID}) {
		t.Errorf("references after merge: got %v", got)
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

func testIncubationAtomic(t *testing.T, s driver.Store) {
	f := newEveryone(t, s)
	inc := f.org(t, "杨浦科创中心", "", broker.OrgIncubator)
	c := f.tradedCase(t, "膜材料", "")
	// Refused after the case move was written inside the transaction: the
	// move must not survive.
	_, err := f.sys.StartIncubation(f.ctx, f.staff, broker.NewIncubation{Case: c.ID, Incubator: "org-missing"})
	if !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("unknown incubator: got %v, want ErrInvalid", err)
	}
	got, err := f.sys.GetCase(f.ctx, f.admin, c.ID)
	f.must(t, err)
	if got.Stage != broker.StageTraded || got.Version != c.Version {
		t.Fatalf("case after a refused start: got %s v%d, want traded v%d", got.Stage, got.Version, c.Version)
	}
	if page, _ := f.sys.ListIncubations(f.ctx, f.admin, broker.ListOptions{}); len(page.Items) != 0 {
		t.Fatalf("incubations after a refused start: got %d, want 0", len(page.Items))
	}
	hist, err := f.sys.CaseHistory(f.ctx, f.admin, c.ID)
	f.must(t, err)
	n, err := f.sys.StartIncubation(f.ctx, f.staff, broker.NewIncubation{Case: c.ID, Incubator: inc.ID,
		Milestones: []broker.Milestone{{Name: "样机", Due: t0.AddDate(0, 2, 0)}}})
	f.must(t, err)
	hist2, _ := f.sys.CaseHistory(f.ctx, f.admin, c.ID)
	if len(hist2) != len(hist)+1 || hist2[len(hist2)-1].Stage.To != broker.StageIncubating {
		t.Errorf("case history after start: got %d events, want %d with incubating last", len(hist2), len(hist)+1)
	}
	n, err = f.sys.CloseIncubation(f.ctx, f.staff, n.ID, broker.IncubationFailed, "资金链断裂")
	f.must(t, err)
	got, _ = f.sys.GetCase(f.ctx, f.admin, c.ID)
	if got.Stage != broker.StageClosed || n.Status != broker.IncubationFailed {
		t.Errorf("after close: case %s, incubation %s", got.Stage, n.Status)
	}
	if od, err := f.sys.OverdueMilestones(f.ctx, f.admin, "", t0.AddDate(1, 0, 0)); err != nil || len(od) != 0 {
		t.Errorf("overdue of an ended incubation: got %v, %v", od, err)
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
	trainings := make([]string, workers)
	for i := range trainings {
		a, err := f.sys.Activities.Create(f.ctx, f.staff, broker.Activity{Meta: broker.Meta{Broker: marine}, Kind: broker.Training,
			Title: fmt.Sprintf("培训%d", i), Start: t0.AddDate(0, 0, i+1), End: t0.AddDate(0, 0, i+1).Add(2 * time.Hour), Capacity: 10})
		f.must(t, err)
		_, err = f.sys.Register(f.ctx, f.staff, a.ID, broker.Registration{Participant: "p-1"})
		f.must(t, err)
		trainings[i] = a.ID
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
			if _, err := f.sys.RecordTraining(f.ctx, f.staff, trainings[w], []string{"p-1"}, decimal.NewFromInt(2)); err != nil {
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
	if len(roster) != 1 || len(roster[0].Cases) != workers*each || len(roster[0].Training) != workers {
		t.Fatalf("after concurrent changes: %d cases, %d trainings; want %d and %d", len(roster[0].Cases), len(roster[0].Training), workers*each, workers)
	}
	fig, err := f.sys.StaffFigures(f.ctx, f.staff, marine, broker.ReportPeriod{})
	f.must(t, err)
	if fig.MaxCaseload != workers*each || !fig.TrainingHours.Equal(decimal.NewFromInt(2*workers)) {
		t.Errorf("figures: got caseload %d, hours %s", fig.MaxCaseload, fig.TrainingHours)
	}
}
