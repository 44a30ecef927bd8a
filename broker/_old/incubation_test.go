package broker_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
)

// evTradedCase opens a case for a new achievement and moves it to Traded.
func evTradedCase(t testing.TB, sys *broker.System, title string) broker.Case {
	t.Helper()
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: title})
	if err != nil {
		t.Fatal(err)
	}
	c, err := sys.OpenCase(ctx, evStaff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: evBroker})
	if err != nil {
		t.Fatal(err)
	}
	for _, mv := range []broker.CaseMove{
		{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel-1"}},
		{To: broker.StagePromoting},
		{To: broker.StageTraded, DealRef: "deal-" + a.ID},
	} {
		mv.Version = c.Version
		if c, err = sys.MoveCase(ctx, evStaff, c.ID, mv); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestIncubation(t *testing.T) {
	sys, clk := evSystem(t)
	clk.Set(evT0.AddDate(0, 0, 10)) // the deal
	c := evTradedCase(t, sys, "深远海智能养殖网箱")
	incubator := evOrg(t, sys, "杨浦科技创业中心", broker.OrgIncubator)
	spin := evOrg(t, sys, "蓝鲸养殖科技有限公司", broker.OrgEnterprise)
	dealDay := evT0.AddDate(0, 0, 10)

	// A milestone due before the deal is refused, and nothing is written.
	_, err := sys.StartIncubation(ctx, evStaff, broker.NewIncubation{Case: c.ID, Incubator: incubator.ID,
		Milestones: []broker.Milestone{{Name: "样机", Due: dealDay.AddDate(0, 0, -3)}, {Name: "中试", Due: dealDay.AddDate(0, 3, 0)}}})
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "milestones[0].due" || ve.Fields[0].Code != "date_order" ||
		!strings.Contains(ve.Fields[0].Param, dealDay.Format(time.DateOnly)) {
		t.Fatalf("milestone before the deal: got %v", err)
	}
	if got, _ := sys.GetCase(ctx, admin, c.ID); got.Stage != broker.StageTraded || got.Version != c.Version {
		t.Errorf("case after a refused start: got %s v%d, want traded v%d", got.Stage, got.Version, c.Version)
	}
	_, err = sys.StartIncubation(ctx, evStaff, broker.NewIncubation{Case: c.ID, Incubator: "org-999999"})
	if got := fieldCodes(err); !slices.Equal(got, []string{"incubator:ref"}) {
		t.Errorf("unknown incubator: got %v (%v)", got, err)
	}

	clk.Set(dealDay.AddDate(0, 0, 5))
	n, err := sys.StartIncubation(ctx, evStaff, broker.NewIncubation{Case: c.ID, Incubator: incubator.ID, SpinOff: spin.ID,
		Milestones: []broker.Milestone{{Name: "样机", Due: dealDay.AddDate(0, 1, 0)}, {Name: "中试", Due: dealDay.AddDate(0, 3, 0)}},
		Funding:    []broker.FundingRound{{Stage: "天使轮", Amount: evDec("2000000"), Date: dealDay.AddDate(0, 0, 3)}}})
	if err != nil {
		t.Fatal(err)
	}
	if !n.DealDate.Equal(dealDay) || n.Status != broker.IncubationActive || n.Visibility != broker.Confidential {
		t.Errorf("incubation: got deal date %v status %s visibility %s", n.DealDate, n.Status, n.Visibility)
	}
	if got, _ := sys.GetCase(ctx, admin, c.ID); got.Stage != broker.StageIncubating {
		t.Errorf("case stage: got %s, want incubating", got.Stage)
	}
	if _, err := sys.StartIncubation(ctx, evStaff, broker.NewIncubation{Case: c.ID, Incubator: incubator.ID}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("second start: got %v, want ErrConflict (the case is incubating)", err)
	}
	// The spin-off's principal reads it; another enterprise does not.
	if _, err := sys.GetIncubation(ctx, broker.EnterpriseUser("u", spin.ID), n.ID); err != nil {
		t.Errorf("spin-off reads its incubation: %v", err)
	}
	if _, err := sys.GetIncubation(ctx, broker.EnterpriseUser("u", "org-other"), n.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other enterprise: got %v, want ErrForbidden", err)
	}

	n, err = sys.AddFundingRound(ctx, evStaff, n.ID, broker.FundingRound{Stage: broker.StageA, Amount: evDec("10000000.50")})
	if err != nil || !n.Raised().Equal(evDec("12000000.50")) {
		t.Errorf("raised: got %s, %v", n.Raised(), err)
	}
	_, err = sys.SetMilestone(ctx, evStaff, n.ID, broker.Milestone{Name: "量产", Due: dealDay.AddDate(0, 0, -1)})
	if got := fieldCodes(err); !slices.Equal(got, []string{"milestones[2].due:date_order"}) {
		t.Errorf("milestone before the deal via SetMilestone: got %v", got)
	}

	// Overdue: one month and a half after the deal, 样机 is late.
	at := dealDay.AddDate(0, 1, 15)
	od, err := sys.OverdueMilestones(ctx, evStaff, evBroker, at)
	if err != nil || len(od) != 1 || od[0].Milestone.Name != "样机" || od[0].DaysLate != 15 || od[0].Case != c.ID {
		t.Errorf("overdue: got %+v, %v", od, err)
	}
	if _, err := sys.SetMilestone(ctx, evStaff, n.ID, broker.Milestone{Name: "样机", Due: dealDay.AddDate(0, 1, 0), Status: broker.MilestoneDone}); err == nil {
		t.Errorf("done without a date: got nil, want done:required")
	}
	if _, err := sys.SetMilestone(ctx, evStaff, n.ID, broker.Milestone{Name: "样机", Due: dealDay.AddDate(0, 1, 0), Status: broker.MilestoneDone, Done: at}); err != nil {
		t.Fatal(err)
	}
	if od, _ := sys.OverdueMilestones(ctx, evStaff, evBroker, at); len(od) != 0 {
		t.Errorf("overdue after done: got %+v", od)
	}
	if _, err := sys.OverdueMilestones(ctx, evStaff, "", at); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("all brokers as staff: got %v, want ErrForbidden", err)
	}

	// Failing needs a reason; with one, the case closes with it.
	if _, err := sys.CloseIncubation(ctx, evStaff, n.ID, broker.IncubationFailed, ""); !slices.Equal(fieldCodes(err), []string{"reason:required"}) {
		t.Errorf("fail without reason: got %v", err)
	}
	if got, _ := sys.GetCase(ctx, admin, c.ID); got.Stage != broker.StageIncubating {
		t.Errorf("case after a refused close: got %s", got.Stage)
	}
	n, err = sys.CloseIncubation(ctx, evStaff, n.ID, broker.IncubationFailed, "中试未达指标，企业放弃")
	if err != nil {
		t.Fatal(err)
	}
	hist, err := sys.CaseHistory(ctx, admin, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Stage == nil || last.Stage.To != broker.StageClosed || !strings.Contains(last.Stage.Reason, "中试未达指标") ||
		!slices.Contains(last.Stage.Evidence, "incubation:"+n.ID) {
		t.Errorf("case's last event: got %+v", last.Stage)
	}
	if _, err := sys.AddFundingRound(ctx, evStaff, n.ID, broker.FundingRound{Amount: evDec("1")}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("changing an ended incubation: got %v, want ErrConflict", err)
	}
	if _, err := sys.CloseIncubation(ctx, evStaff, n.ID, broker.IncubationGraduated, ""); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("closing twice: got %v, want ErrConflict", err)
	}
}

func TestIncubationGraduates(t *testing.T) {
	sys, _ := evSystem(t)
	c := evTradedCase(t, sys, "海水淡化膜")
	park := evOrg(t, sys, "复旦大学国家大学科技园", broker.OrgSciencePark)
	n, err := sys.StartIncubation(ctx, admin, broker.NewIncubation{Case: c.ID, Incubator: park.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sys.CloseIncubation(ctx, broker.BrokerStaff("x", "other"), n.ID, broker.IncubationGraduated, ""); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other broker's staff: got %v, want ErrForbidden", err)
	}
	if _, err := sys.CloseIncubation(ctx, evStaff, n.ID, "paused", ""); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("unknown outcome: got %v, want ErrInvalid", err)
	}
	n, err = sys.CloseIncubation(ctx, evStaff, n.ID, broker.IncubationGraduated, "")
	if err != nil || n.Status != broker.IncubationGraduated || n.Ended.IsZero() {
		t.Fatalf("graduate: got %+v, %v", n, err)
	}
	got, _ := sys.GetCase(ctx, admin, c.ID)
	if got.Stage != broker.StageClosed || !strings.Contains(got.Reason, "graduated") {
		t.Errorf("case: got %s %q", got.Stage, got.Reason)
	}
	page, err := sys.ListIncubations(ctx, evStaff, broker.ListOptions{Stage: string(broker.IncubationGraduated)})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("list graduated: got %d, %v", len(page.Items), err)
	}
	// A case not yet traded cannot start an incubation.
	a, _ := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "未成交"})
	open, _ := sys.OpenCase(ctx, evStaff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: evBroker})
	var te *broker.TransitionError
	if _, err := sys.StartIncubation(ctx, evStaff, broker.NewIncubation{Case: open.ID, Incubator: park.ID}); !errors.As(err, &te) {
		t.Errorf("untraded case: got %v, want *TransitionError", err)
	}
}
