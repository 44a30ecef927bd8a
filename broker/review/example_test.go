package review_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/evaluation/valuation"
)

// A screening panel's life: planned from the qualified experts, invited,
// scored blind, locked and decided; the verdict moves the case.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	sys := broker.New(memstore.New(), &broker.Options{Clock: func() time.Time { return now }, NewID: broker.SequentialIDs()})
	admin, staff := broker.PlatformAdmin("admin"), broker.BrokerStaff("staff-1", "marine-tech")
	must := func(_ any, err error) {
		if err != nil {
			panic(err)
		}
	}
	must(sys.Brokers.Create(ctx, admin, broker.IndustryBroker{Meta: broker.Meta{ID: "marine-tech"}, Name: "海洋技术"}))
	must(sys.Societies.Create(ctx, admin, broker.Society{Meta: broker.Meta{ID: "coss"}, Name: "中国海洋学会"}))
	must(sys.GrantQualification(ctx, admin, broker.Qualification{Society: "coss", Ref: "科技评估资质 2026-01"}))
	for i, kw := range [][]string{{"养殖", "水质"}, {"水质", "监测"}, {"养殖", "渔业"}, {"船舶"}} {
		must(sys.ContributeExpert(ctx, admin, "coss", broker.Expert{Meta: broker.Meta{ID: fmt.Sprintf("exp-%d", i+1)},
			Name: fmt.Sprintf("专家%d", i+1), Institution: "某大学", Keywords: kw}))
	}
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Meta: broker.Meta{Broker: "marine-tech"},
		Title: "深远海养殖网箱水质在线监测系统", Keywords: []string{"养殖", "水质", "监测"}, Owner: "上海海洋大学"})
	must(a, err)
	subject := broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}
	c, err := sys.OpenCase(ctx, staff, broker.NewCase{Subject: subject, Broker: "marine-tech"})
	must(c, err)

	rv := review.New(sys, nil)
	panels, err := rv.Plan(ctx, staff, review.PlanRequest{Broker: "marine-tech", Subjects: []broker.RecordRef{subject}, Seats: 3})
	must(panels, err)
	pn, err := rv.Invite(ctx, staff, panels[0].ID)
	must(pn, err)
	fmt.Println("panel:", pn.Experts(), pn.Status)
	for i, e := range pn.Experts() {
		expert := broker.ExpertUser(e)
		must(rv.Accept(ctx, expert, pn.ID))
		level := 78 + float64(i)
		must(rv.Submit(ctx, expert, pn.ID, review.Sheet{Scores: map[string]float64{
			"novelty": level + 5, "advancement": level + 8, "maturity": level - 6, "market": level, "ip": level - 10, "team": level + 2}}))
	}
	must(rv.Lock(ctx, staff, pn.ID))
	v, err := rv.Decide(ctx, staff, pn.ID, review.Decision{})
	must(v, err)
	fmt.Printf("verdict: passed %v, score %.2f, grade %s, Kendall's W %.2f\n", v.Passed, v.Score, v.Grade.Grade, *v.Agreement.KendallW)
	c, err = sys.GetCase(ctx, staff, c.ID)
	must(c, err)
	fmt.Println("case:", c.Stage, c.Screening.Ref == v.ID)
	// Output:
	// panel: [exp-1 exp-2 exp-3] inviting
	// verdict: passed true, score 79.85, grade B, Kendall's W 1.00
	// case: screened true
}

// A valuation report written in Chinese, with amounts in 万元.
func ExampleValuationReport_Render() {
	r, err := valuation.MarketApproach([]valuation.Comparable{
		{ID: "deal-1", Price: decimal.RequireFromString("12000000"), Adjustments: []valuation.Adjustment{{Name: "时间", Factor: decimal.RequireFromString("1.05")}}},
		{ID: "deal-2", Price: decimal.RequireFromString("15000000")},
	}, "可比交易均为近两年水产养殖监测技术转让")
	if err != nil {
		panic(err)
	}
	v := review.FromReport(broker.RecordRef{Kind: broker.KindAchievement, ID: "ach-000001"}, "exp-1", r)
	v.Report, v.Revision, v.Title, v.Status = "val-000001", 1, "深远海养殖网箱水质在线监测系统", review.ReportDraft
	fmt.Print(v.Render(language.Chinese))
	// Output:
	// 估值报告 val-000001 第 1 版（草稿）
	// 评估对象：深远海养殖网箱水质在线监测系统（科技成果 ach-000001）
	// 评估方法：市场法
	// 评估值：1380万元（区间 1260万元 至 1500万元）
	// 主要参数：
	//   - comparable deal-1: price 12000000.00; 时间×1.05; adjusted 12600000.00; weight 1
	//   - comparable deal-2: price 15000000.00; ; adjusted 15000000.00; weight 1
	// 假设：
	//   - comparable deals are similar enough that multiplicative adjustments capture the differences
	//   - 可比交易均为近两年水产养殖监测技术转让
	// 评估人：exp-1（待签署）
}
