package capital_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

func TestIncubation(t *testing.T) {
	f := newFixture(t)
	dealDay := t0.AddDate(0, 0, 10)
	f.clock.set(dealDay) // the deal
	c := f.tradedCase(t, "深远海智能养殖网箱", "")
	incubator := f.org(t, "杨浦科技创业中心", broker.OrgIncubator)
	spin := f.org(t, "蓝鲸养殖科技有限公司", broker.OrgEnterprise)

	// A milestone due before the deal is refused, and nothing is written.
	_, err := f.cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: c.ID, Incubator: incubator.ID,
		Milestones: []capital.Milestone{{Name: "样机", Due: dealDay.AddDate(0, 0, -3)}, {Name: "中试", Due: dealDay.AddDate(0, 3, 0)}}})
	fe := fieldError(t, err)
	if fe.Field != "milestones[0].due" || fe.Code != "date_order" || !strings.Contains(fe.Param, dealDay.Format(time.DateOnly)) {
		t.Fatalf("milestone before the deal: got %v", err)
	}
	if got, _ := f.sys.GetCase(ctx, admin, c.ID); got.Stage != broker.StageTraded || got.Version != c.Version {
		t.Errorf("case after a refused start: got %s v%d, want traded v%d", got.Stage, got.Version, c.Version)
	}
	for _, tc := range []struct {
		name string
		ni   capital.NewIncubation
		want []string
	}{
		{"unknown incubator", capital.NewIncubation{Case: c.ID, Incubator: "org-999999"}, []string{"incubator:ref"}},
		{"unknown spin-off", capital.NewIncubation{Case: c.ID, Incubator: incubator.ID, SpinOff: "org-999998"}, []string{"spin_off:ref"}},
		{"spin-off is the incubator", capital.NewIncubation{Case: c.ID, Incubator: incubator.ID, SpinOff: incubator.ID}, []string{"spin_off:invalid"}},
		{"no incubator", capital.NewIncubation{Case: c.ID}, []string{"incubator:required"}},
		{"unknown case", capital.NewIncubation{Case: "case-999999", Incubator: incubator.ID}, []string{"case:ref"}},
		{"bad round", capital.NewIncubation{Case: c.ID, Incubator: incubator.ID, Funding: []capital.FundingRound{{Amount: dec("0.001")}}}, []string{"funding[0].amount:malformed"}},
	} {
		_, err := f.cp.StartIncubation(ctx, staff, tc.ni)
		if got := fieldCodes(err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v (%v), want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := f.cp.StartIncubation(ctx, staffPeds, capital.NewIncubation{Case: c.ID, Incubator: incubator.ID}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk starts: got %v, want ErrForbidden", err)
	}

	f.clock.set(dealDay.AddDate(0, 0, 5))
	n, err := f.cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: c.ID, Incubator: incubator.ID, SpinOff: spin.ID,
		Milestones: []capital.Milestone{{Name: "样机", Due: dealDay.AddDate(0, 1, 0)}, {Name: "中试", Due: dealDay.AddDate(0, 3, 0)}},
		Funding:    []capital.FundingRound{{Stage: "天使轮", Amount: dec("2000000"), Date: dealDay.AddDate(0, 0, 3)}}, Reason: "入驻孵化器"})
	if err != nil {
		t.Fatal(err)
	}
	if !n.DealDate.Equal(dealDay) || n.Status != capital.IncubationActive || n.Visibility != broker.Confidential ||
		n.DealRef != c.DealRef || n.Funding[0].Stage != capital.StageAngel || n.Milestones[0].Status != capital.MilestonePending {
		t.Errorf("incubation: got %+v", n)
	}
	got, _ := f.sys.GetCase(ctx, admin, c.ID)
	if got.Stage != broker.StageIncubating || got.Reason != "入驻孵化器" {
		t.Errorf("case: got %s %q, want incubating with the reason", got.Stage, got.Reason)
	}
	hist, _ := f.sys.CaseHistory(ctx, admin, c.ID)
	if last := hist[len(hist)-1]; last.Stage == nil || !slices.Contains(last.Stage.Evidence, "incubation:"+n.ID) {
		t.Errorf("the case's move names the incubation: got %+v", last.Stage)
	}
	_, err = f.cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: c.ID, Incubator: incubator.ID})
	var te *broker.TransitionError
	if !errors.Is(err, broker.ErrConflict) || !errors.As(err, &te) || te.From != string(broker.StageIncubating) {
		t.Errorf("second start: got %v, want ErrConflict (the case is incubating)", err)
	}
	// The spin-off's principal reads it; another enterprise does not.
	if _, err := f.cp.Incubations.Get(ctx, broker.EnterpriseUser("u", spin.ID), n.ID); err != nil {
		t.Errorf("spin-off reads its incubation: %v", err)
	}
	if _, err := f.cp.Incubations.Get(ctx, broker.EnterpriseUser("u", "org-other"), n.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other enterprise: got %v, want ErrForbidden", err)
	}

	n, err = f.cp.AddFundingRound(ctx, staff, n.ID, capital.FundingRound{Stage: capital.StageA, Amount: dec("10000000.50")})
	if err != nil || !n.Raised().Equal(dec("12000000.50")) {
		t.Errorf("raised: got %s, %v", n.Raised(), err)
	}
	_, err = f.cp.SetMilestone(ctx, staff, n.ID, capital.Milestone{Name: "量产", Due: dealDay.AddDate(0, 0, -1)})
	if got := fieldCodes(err); !slices.Equal(got, []string{"milestones[2].due:date_order"}) {
		t.Errorf("milestone before the deal via SetMilestone: got %v", got)
	}
	if _, err := f.cp.SetMilestone(ctx, staffPeds, n.ID, capital.Milestone{Name: "量产", Due: dealDay.AddDate(1, 0, 0)}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk sets a milestone: got %v, want ErrForbidden", err)
	}

	// Overdue: one month and a half after the deal, 样机 is late.
	at := dealDay.AddDate(0, 1, 15)
	od, err := f.cp.OverdueMilestones(ctx, staff, marine, at)
	if err != nil || len(od) != 1 || od[0].Milestone.Name != "样机" || od[0].DaysLate != 15 || od[0].Case != c.ID || od[0].Incubation != n.ID {
		t.Errorf("overdue: got %+v, %v", od, err)
	}
	if od, err := f.cp.OverdueMilestones(ctx, admin, "", at); err != nil || len(od) != 1 {
		t.Errorf("overdue of every desk for admins: got %+v, %v", od, err)
	}
	_, err = f.cp.SetMilestone(ctx, staff, n.ID, capital.Milestone{Name: "样机", Due: dealDay.AddDate(0, 1, 0), Status: capital.MilestoneDone})
	if got := fieldCodes(err); !slices.Equal(got, []string{"milestones[0].done:required"}) {
		t.Errorf("done without a date: got %v, want milestones[0].done:required", got)
	}
	n, err = f.cp.SetMilestone(ctx, staff, n.ID, capital.Milestone{Name: " 样机 ", Due: dealDay.AddDate(0, 1, 0), Status: "DONE", Done: at})
	if err != nil || len(n.Milestones) != 2 || n.Milestones[0].Status != capital.MilestoneDone {
		t.Fatalf("set milestone done (by its folded name): got %+v, %v", n.Milestones, err)
	}
	if od, _ := f.cp.OverdueMilestones(ctx, staff, marine, at); len(od) != 0 {
		t.Errorf("overdue after done: got %+v", od)
	}
	if _, err := f.cp.OverdueMilestones(ctx, staff, "", at); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("all brokers as staff: got %v, want ErrForbidden", err)
	}
	if _, err := f.cp.OverdueMilestones(ctx, staffPeds, marine, at); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk's reminders: got %v, want ErrForbidden", err)
	}
	evs, err := f.sys.Events(ctx, admin, capital.KindIncubation, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if !slices.Equal(types, []string{"started", "funding", "milestone"}) {
		t.Errorf("incubation events: got %v", types)
	}
	var m capital.Milestone
	if err := json.Unmarshal(evs[2].Body, &m); err != nil || m.Name != "样机" || m.Status != capital.MilestoneDone {
		t.Errorf("milestone event body: got %s, %v", evs[2].Body, err)
	}

	// Plain writes may not move what the operations own.
	if _, err := f.cp.Incubations.Modify(ctx, admin, n.ID, func(n *capital.Incubation) error { n.Status = capital.IncubationGraduated; return nil }); !slices.Equal(fieldCodes(err), []string{"status:guarded"}) {
		t.Errorf("plain status change: got %v, want status:guarded", err)
	}
	if _, err := f.cp.Incubations.Create(ctx, admin, capital.Incubation{Case: c.ID, Incubator: incubator.ID, DealDate: dealDay}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("plain create: got %v, want ErrInvalid (guarded)", err)
	}
	if _, err := f.cp.Incubations.Modify(ctx, staff, n.ID, func(n *capital.Incubation) error { n.Milestones = nil; return nil }); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("plain write by the desk: got %v, want ErrForbidden (through the operations only)", err)
	}

	// Failing needs a reason; with one, the case closes with it.
	if _, err := f.cp.CloseIncubation(ctx, staff, n.ID, capital.IncubationFailed, "  "); !slices.Equal(fieldCodes(err), []string{"reason:required"}) {
		t.Errorf("fail without reason: got %v", err)
	}
	if got, _ := f.sys.GetCase(ctx, admin, c.ID); got.Stage != broker.StageIncubating {
		t.Errorf("case after a refused close: got %s", got.Stage)
	}
	n, err = f.cp.CloseIncubation(ctx, staff, n.ID, capital.IncubationFailed, "中试未达指标，企业放弃")
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != capital.IncubationFailed || !n.Ended.Equal(f.clock.now()) {
		t.Errorf("closed: got %s ended %v", n.Status, n.Ended)
	}
	hist, err = f.sys.CaseHistory(ctx, admin, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Stage == nil || last.Stage.To != broker.StageClosed || last.Stage.Reason != "incubation failed: 中试未达指标,企业放弃" ||
		!slices.Contains(last.Stage.Evidence, "incubation:"+n.ID) {
		t.Errorf("case's last event: got %+v", last.Stage)
	}
	if _, err := f.cp.AddFundingRound(ctx, staff, n.ID, capital.FundingRound{Amount: dec("1")}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("changing an ended incubation: got %v, want ErrConflict", err)
	}
	if _, err := f.cp.CloseIncubation(ctx, staff, n.ID, capital.IncubationGraduated, ""); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("closing twice: got %v, want ErrConflict", err)
	}
	if od, _ := f.cp.OverdueMilestones(ctx, staff, marine, at.AddDate(1, 0, 0)); len(od) != 0 {
		t.Errorf("overdue of an ended incubation: got %+v", od)
	}
}

func TestIncubationGraduates(t *testing.T) {
	f := newFixture(t)
	c := f.tradedCase(t, "海水淡化膜", "")
	park := f.org(t, "复旦大学国家大学科技园", broker.OrgSciencePark)
	n, err := f.cp.StartIncubation(ctx, admin, capital.NewIncubation{Case: c.ID, Incubator: park.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !n.DealDate.Equal(c.StageSince) {
		t.Errorf("deal date without an exchange deal: got %v, want the time the case was traded %v", n.DealDate, c.StageSince)
	}
	if _, err := f.cp.CloseIncubation(ctx, staffPeds, n.ID, capital.IncubationGraduated, ""); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other broker's staff: got %v, want ErrForbidden", err)
	}
	_, err = f.cp.CloseIncubation(ctx, staff, n.ID, "paused", "")
	if fe := fieldError(t, err); fe.Field != "status" || fe.Code != "oneof" || fe.Value != "paused" {
		t.Errorf("unknown outcome: got %v, want ErrInvalid on status", err)
	}
	n, err = f.cp.CloseIncubation(ctx, staff, n.ID, capital.IncubationGraduated, "")
	if err != nil || n.Status != capital.IncubationGraduated || n.Ended.IsZero() {
		t.Fatalf("graduate: got %+v, %v", n, err)
	}
	got, _ := f.sys.GetCase(ctx, admin, c.ID)
	if got.Stage != broker.StageClosed || got.Reason != "incubation graduated: graduated" {
		t.Errorf("case: got %s %q", got.Stage, got.Reason)
	}
	page, err := f.cp.Incubations.List(ctx, staff, broker.ListOptions{Stage: string(capital.IncubationGraduated)})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("list graduated: got %d, %v", len(page.Items), err)
	}
	// A case not yet traded cannot start an incubation.
	a, _ := f.sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "未成交"})
	open, _ := f.sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
	var te *broker.TransitionError
	if _, err := f.cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: open.ID, Incubator: park.ID}); !errors.As(err, &te) ||
		!errors.Is(err, broker.ErrConflict) || te.From != string(broker.StageCollected) {
		t.Errorf("untraded case: got %v, want *TransitionError from collected", err)
	}
	if page, _ := f.cp.Incubations.List(ctx, admin, broker.ListOptions{}); len(page.Items) != 1 {
		t.Errorf("incubations after the refusal: got %d, want 1", len(page.Items))
	}
}

// The incubation of a case whose deal closed on the exchange dates from the
// deal's signing and names the deal.
func TestIncubationOfAnExchangeDeal(t *testing.T) {
	f := newFixture(t)
	a, err := f.sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "水质监测", Meta: broker.Meta{Broker: marine}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	for _, mv := range []broker.CaseMove{{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel-1"}}, {To: broker.StagePromoting}} {
		mv.Version = c.Version
		if c, err = f.sys.MoveCase(ctx, staff, c.ID, mv); err != nil {
			t.Fatal(err)
		}
	}
	l := listing(t, f, a.ID, c.ID)
	if l, err = f.x.PublishListing(ctx, staff, l.ID, publish(l)); err != nil {
		t.Fatal(err)
	}
	offers, err := f.cp.Offers(ctx, staff)
	if err != nil || len(offers) != 1 || !offers[0].Listed || !slices.Equal(offers[0].Cases, []string{c.ID}) {
		t.Errorf("offers with an open listing: got %+v, %v", offers, err)
	}
	signed := t0.AddDate(0, 0, 3)
	f.clock.set(t0.AddDate(0, 0, 5))
	dl, err := f.x.CloseDeal(ctx, staff, exchangeDeal(l.ID, signed))
	if err != nil {
		t.Fatal(err)
	}
	park := f.org(t, "杨浦科技园", broker.OrgSciencePark)
	f.clock.set(t0.AddDate(0, 1, 0))
	n, err := f.cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: c.ID, Incubator: park.ID,
		Milestones: []capital.Milestone{{Name: "样机", Due: signed.AddDate(0, 0, 1)}}})
	if err != nil {
		t.Fatal(err)
	}
	if !n.DealDate.Equal(dl.Signed) || n.DealRef != dl.ID {
		t.Errorf("incubation deal: got %v %q, want the deal's signing date %v and %q", n.DealDate, n.DealRef, dl.Signed, dl.ID)
	}
	// An incubating venture stays on offer through its open case with a
	// listing: its funding rounds need investors.
	if offers, _ := f.cp.Offers(ctx, staff); len(offers) != 1 || !offers[0].Listed || !slices.Equal(offers[0].Cases, []string{c.ID}) {
		t.Errorf("offers after the deal: got %+v, want the incubating case's achievement", offers)
	}
}

// A failure's reason may take all of an incubation's 2,000 characters; the
// case's move shortens it behind its "incubation failed: " prefix, and the
// incubation keeps it whole.
func TestCloseWithALongReason(t *testing.T) {
	f := newFixture(t)
	c := f.tradedCase(t, "海水淡化膜", "")
	park := f.org(t, "复旦大学国家大学科技园", broker.OrgSciencePark)
	n, err := f.cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: c.ID, Incubator: park.ID})
	if err != nil {
		t.Fatal(err)
	}
	reason := strings.Repeat("资", 2000)
	n, err = f.cp.CloseIncubation(ctx, staff, n.ID, capital.IncubationFailed, reason)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.sys.GetCase(ctx, admin, c.ID)
	r := []rune(got.Reason)
	if n.Reason != reason || got.Stage != broker.StageClosed || len(r) != 2000 || !strings.HasPrefix(got.Reason, "incubation failed: 资") || !strings.HasSuffix(got.Reason, "资...") {
		t.Errorf("case %s, reason of %d characters (%.30q…); incubation reason of %d characters", got.Stage, len(r), got.Reason, len([]rune(n.Reason)))
	}
	if _, err := f.cp.CloseIncubation(ctx, staff, n.ID, capital.IncubationFailed, strings.Repeat("资", 2001)); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("closing again: got %v, want ErrConflict", err)
	}
}
