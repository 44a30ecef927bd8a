package broker_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
)

func evExampleSystem() *broker.System {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sys := broker.New(memstore.New(), &broker.Options{Clock: func() time.Time { return now }, NewID: broker.SequentialIDs()})
	if _, err := sys.Brokers.Create(context.Background(), broker.PlatformAdmin("admin"),
		broker.IndustryBroker{Meta: broker.Meta{ID: "marine-tech"}, Name: "海洋技术"}); err != nil {
		panic(err)
	}
	return sys
}

func ExampleSystem_MergeOrganizations() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	sys := evExampleSystem()
	orgs := sys.Organizations

	// A wrong check character is refused, naming the position.
	_, err := orgs.Create(ctx, admin, broker.Organization{Name: "某公司", Roles: []broker.OrgRole{broker.OrgEnterprise}, CreditCode: "91350100M000100Y42"})
	var ve *broker.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Fields[0].Message(language.English))
		fmt.Println(ve.Fields[0].Message(language.Chinese))
	}

	keep, _ := orgs.Create(ctx, admin, broker.Organization{Name: "上海海洋大学", Roles: []broker.OrgRole{broker.OrgUniversity}})
	dup, _ := orgs.Create(ctx, admin, broker.Organization{Name: "上海水产大学", Roles: []broker.OrgRole{broker.OrgUniversity}})
	a, _ := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱", Owner: dup.Name, OwnerID: dup.ID})

	rep, err := sys.MergeOrganizations(ctx, admin, keep.ID, dup.ID)
	if err != nil {
		panic(err)
	}
	a, _ = sys.Achievements.Get(ctx, admin, a.ID)
	fmt.Println(rep.Kept.Name, rep.Kept.Aliases, rep.Rewritten[broker.KindAchievement])
	fmt.Println(a.Owner, a.OwnerID)
	// Output:
	// credit_code: position 18: check character "2" does not match the first 17 characters (they call for 3)
	// 统一社会信用代码(credit_code)：第18位校验码"2"与前17位不符（应为3）
	// 上海海洋大学 [上海水产大学] 1
	// 上海海洋大学 org-000001
}

func ExampleSystem_MatchInvestors() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	staff := broker.BrokerStaff("staff-1", "marine-tech")
	sys := evExampleSystem()
	a, _ := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海智能养殖网箱", Keywords: []string{"海洋", "养殖", "网箱"},
		Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6}, AskingPrice: decimal.NewFromInt(3000000), Meta: broker.Meta{Region: "上海市"}})
	start := time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC)
	// Featured at a roadshow, the achievement is on offer to investors.
	_, err := sys.Activities.Create(ctx, staff, broker.Activity{Meta: broker.Meta{Broker: "marine-tech"}, Kind: broker.Roadshow, Title: "海洋技术路演",
		Start: start, End: start.Add(3 * time.Hour), Capacity: 80, Featured: []broker.RecordRef{{Kind: broker.KindAchievement, ID: a.ID}}})
	if err != nil {
		panic(err)
	}
	for _, v := range []broker.Investor{
		{Name: "蓝海创投", Keywords: []string{"海洋", "养殖"}, Stages: []broker.InvestStage{broker.StageA},
			Ticket: broker.Range{Min: decimal.NewFromInt(1000000), Max: decimal.NewFromInt(10000000)}, Regions: []string{"上海市"}},
		{Name: "早期天使", Keywords: []string{"海洋"}, Stages: []broker.InvestStage{broker.StageSeed},
			Ticket: broker.Range{Min: decimal.NewFromInt(100000), Max: decimal.NewFromInt(500000)}},
	} {
		if _, err := sys.Investors.Create(ctx, admin, v); err != nil {
			panic(err)
		}
	}
	ms, err := sys.MatchInvestors(ctx, staff, a.ID, nil)
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

func ExampleSystem_StartIncubation() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	staff := broker.BrokerStaff("staff-1", "marine-tech")
	sys := evExampleSystem()
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
	_, err := sys.StartIncubation(ctx, staff, broker.NewIncubation{Case: c.ID, Incubator: park.ID,
		Milestones: []broker.Milestone{{Name: "样机", Due: deal.AddDate(0, 0, -1)}}})
	fmt.Println(err)

	n, err := sys.StartIncubation(ctx, staff, broker.NewIncubation{Case: c.ID, Incubator: park.ID,
		Milestones: []broker.Milestone{{Name: "样机", Due: deal.AddDate(0, 1, 0)}, {Name: "中试", Due: deal.AddDate(0, 4, 0)}}})
	if err != nil {
		panic(err)
	}
	od, _ := sys.OverdueMilestones(ctx, staff, "marine-tech", deal.AddDate(0, 2, 0))
	for _, o := range od {
		fmt.Println("overdue:", o.Milestone.Name, o.DaysLate, "days")
	}
	n, _ = sys.CloseIncubation(ctx, staff, n.ID, broker.IncubationFailed, "中试资金未到位")
	c, _ = sys.GetCase(ctx, staff, c.ID)
	fmt.Println(n.Status, c.Stage, c.Reason)
	// Output:
	// broker: start incubation incubation case-000001: invalid incubation: milestones[0].due must not be before the deal date 2026-03-02 (got 2026-03-01)
	// overdue: 样机 30 days
	// failed closed incubation failed: 中试资金未到位
}

func ExampleSystem_StaffFigures() {
	ctx := context.Background()
	staff := broker.BrokerStaff("staff-1", "marine-tech")
	sys := evExampleSystem()
	for _, st := range []broker.Staff{
		{Meta: broker.Meta{Broker: "marine-tech"}, Person: "p-wang", Name: "王经理", Grade: broker.GradeSenior},
		{Meta: broker.Meta{Broker: "marine-tech"}, Person: "p-li", Name: "李助理"},
	} {
		if _, err := sys.AddStaff(ctx, staff, st); err != nil {
			panic(err)
		}
	}
	start := time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
	tr, _ := sys.Activities.Create(ctx, staff, broker.Activity{Meta: broker.Meta{Broker: "marine-tech"}, Kind: broker.Training,
		Title: "技术经理人实务培训", Start: start, End: start.Add(4 * time.Hour), Capacity: 40})
	_, _ = sys.Register(ctx, staff, tr.ID, broker.Registration{Participant: "p-li"})
	if _, err := sys.RecordTraining(ctx, staff, tr.ID, []string{"p-li"}, decimal.NewFromInt(4)); err != nil {
		panic(err)
	}
	f, err := sys.StaffFigures(ctx, staff, "marine-tech", broker.ReportPeriod{})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Staff, f.ByGrade[broker.GradeSenior], f.Graded(), f.Trained, f.TrainedShare, f.TrainingHours)
	// Output:
	// 2 1 1 1 0.5 4
}
