package capital_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/memstore"
)

// exampleService is the capital service over a System with one industry
// broker, marine-tech, whose clock stands at 2026-03-02 09:00 UTC, and the
// activity platform it takes roadshows from.
func exampleService() (*capital.Service, *activity.Platform) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sys := broker.New(memstore.New(), &broker.Options{Clock: func() time.Time { return now }, NewID: broker.SequentialIDs()})
	if _, err := sys.Brokers.Create(context.Background(), broker.PlatformAdmin("admin"),
		broker.IndustryBroker{Meta: broker.Meta{ID: "marine-tech"}, Name: "海洋技术"}); err != nil {
		panic(err)
	}
	acts := activity.New(sys)
	return capital.New(sys, exchange.New(sys), acts), acts
}

// An achievement featured at a roadshow is on offer to investors; each
// match says why its stage, ticket and region signals have their values.
func ExampleService_MatchInvestors() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	staff := broker.BrokerStaff("staff-1", "marine-tech")
	cp, acts := exampleService()
	sys := cp.System()
	a, _ := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海智能养殖网箱", Keywords: []string{"海洋", "养殖", "网箱"},
		Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6}, AskingPrice: decimal.NewFromInt(3000000), Meta: broker.Meta{Region: "上海市"}})
	start := time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC)
	// Featured at a roadshow, the achievement is on offer to investors.
	_, err := acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: "marine-tech"}, Kind: activity.Roadshow,
		Title: "海洋技术路演", Start: start, End: start.Add(3 * time.Hour), Capacity: 80,
		Featured: []broker.RecordRef{{Kind: broker.KindAchievement, ID: a.ID}}})
	if err != nil {
		panic(err)
	}
	for _, v := range []capital.Investor{
		{Name: "蓝海创投", Keywords: []string{"海洋", "养殖"}, Stages: []capital.InvestStage{"A轮"},
			Ticket: broker.Range{Min: decimal.NewFromInt(1000000), Max: decimal.NewFromInt(10000000)}, Regions: []string{"上海市"}},
		{Name: "早期天使", Keywords: []string{"海洋"}, Stages: []capital.InvestStage{capital.StageSeed},
			Ticket: broker.Range{Min: decimal.NewFromInt(100000), Max: decimal.NewFromInt(500000)}},
	} {
		if _, err := cp.Investors.Create(ctx, admin, v); err != nil {
			panic(err)
		}
	}
	ms, err := cp.MatchInvestors(ctx, staff, a.ID, nil)
	if err != nil {
		panic(err)
	}
	for _, m := range ms {
		fmt.Printf("%s %.2f\n", m.Name, m.Score)
		for _, why := range m.Reasons {
			fmt.Println("  " + why)
		}
	}
	// Output:
	// 蓝海创投 1.60
	//   readiness level 6 is within the a band 5–7
	//   asking price 3000000 is within the ticket 1000000–10000000
	//   the investor invests in 上海市
	// 早期天使 0.34
	//   readiness level 6 is 2 level(s) outside the seed band 1–4
	//   asking price 3000000 is outside the ticket 100000–500000
	//   the investor invests in any region
}

// An incubation starts from a traded case and moves it to incubating;
// closing it closes the case, with the outcome and its reason.
func ExampleService_StartIncubation() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	staff := broker.BrokerStaff("staff-1", "marine-tech")
	cp, _ := exampleService()
	sys := cp.System()
	park, _ := sys.Organizations.Create(ctx, admin, broker.Organization{Name: "杨浦科技创业中心", Roles: []broker.OrgRole{broker.OrgIncubator}})
	a, _ := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "海水淡化膜"})
	c, _ := sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: "marine-tech"})
	for _, mv := range []broker.CaseMove{
		{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel-1"}},
		{To: broker.StagePromoting},
		{To: broker.StageTraded, DealRef: "deal-1"},
	} {
		mv.Version = c.Version
		c, _ = sys.MoveCase(ctx, staff, c.ID, mv)
	}
	deal := c.StageSince // no exchange deal here: the time the case was traded

	// A milestone due before the deal is refused.
	_, err := cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: c.ID, Incubator: park.ID,
		Milestones: []capital.Milestone{{Name: "样机", Due: deal.AddDate(0, 0, -1)}}})
	fmt.Println(err)

	n, err := cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: c.ID, Incubator: park.ID,
		Milestones: []capital.Milestone{{Name: "样机", Due: deal.AddDate(0, 1, 0)}, {Name: "中试", Due: deal.AddDate(0, 4, 0)}}})
	if err != nil {
		panic(err)
	}
	c, _ = sys.GetCase(ctx, staff, c.ID)
	fmt.Println(c.Stage)
	od, _ := cp.OverdueMilestones(ctx, staff, "marine-tech", deal.AddDate(0, 2, 0))
	for _, o := range od {
		fmt.Println("overdue:", o.Milestone.Name, o.DaysLate, "days")
	}
	n, _ = cp.CloseIncubation(ctx, staff, n.ID, capital.IncubationFailed, "中试资金未到位")
	c, _ = sys.GetCase(ctx, staff, c.ID)
	fmt.Println(n.Status, c.Stage, c.Reason)
	// Output:
	// broker: start incubation case-000001: invalid incubation: milestones[0].due must not be before the deal date 2026-03-02 (got 2026-03-01)
	// incubating
	// overdue: 样机 30 days
	// failed closed incubation failed: 中试资金未到位
}
