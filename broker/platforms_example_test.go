package broker_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
)

// exampleSystem returns a System whose clock starts at 2026-03-02 09:00 UTC
// and advances one hour per reading, with one industry broker.
func exampleSystem() (*broker.System, broker.Principal) {
	t := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { t = t.Add(time.Hour); return t }
	sys := broker.New(memstore.New(), &broker.Options{Clock: clock, NewID: broker.SequentialIDs()})
	admin := broker.PlatformAdmin("admin")
	if _, err := sys.Brokers.Create(context.Background(), admin, broker.IndustryBroker{Meta: broker.Meta{ID: "marine-tech"}, Name: "海洋技术"}); err != nil {
		panic(err)
	}
	return sys, admin
}

// A case moves through the broker service chain; every move is guarded and
// audited.
func ExampleSystem_MoveCase() {
	ctx := context.Background()
	sys, admin := exampleSystem()
	staff := broker.BrokerStaff("li", "marine-tech")
	a, _ := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱水质在线监测系统", Owner: "上海海洋大学"})

	c, _ := sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: "marine-tech"})
	c, _ = sys.MoveCase(ctx, staff, c.ID, broker.CaseMove{To: broker.StageScreened, Version: c.Version,
		Verdict: &broker.ScreeningVerdict{Passed: true, Panel: []string{"exp-1", "exp-2", "exp-3"}, Score: 84.5, Ref: "eval-7"}})
	c, _ = sys.MoveCase(ctx, staff, c.ID, broker.CaseMove{To: broker.StagePromoting, Version: c.Version})

	// Listing needs a listing reference; skipping ahead is not in the table.
	_, err := sys.MoveCase(ctx, staff, c.ID, broker.CaseMove{To: broker.StageListed, Version: c.Version})
	fmt.Println(errors.Is(err, broker.ErrInvalid), err)
	_, err = sys.MoveCase(ctx, staff, c.ID, broker.CaseMove{To: broker.StageIncubating, Version: c.Version})
	fmt.Println(errors.Is(err, broker.ErrConflict), err)
	// Staff of another broker may not touch it.
	_, err = sys.MoveCase(ctx, broker.BrokerStaff("wu", "pediatrics"), c.ID, broker.CaseMove{To: broker.StageWithdrawn, Version: c.Version})
	fmt.Println(errors.Is(err, broker.ErrForbidden))

	c, _ = sys.MoveCase(ctx, staff, c.ID, broker.CaseMove{To: broker.StageListed, Version: c.Version, ListingRef: "lst-000001"})
	h, _ := sys.CaseHistory(ctx, admin, c.ID)
	for _, e := range h {
		fmt.Println(e.Time.Format("15:04"), e.Actor, e.Type, e.Stage.From, "→", e.Stage.To)
	}
	// Output:
	// true broker: move: cannot move case case-000001 from "promoting" to "listed": needs a listing reference
	// true broker: move: cannot move case case-000001 from "promoting" to "incubating": not in the transition table
	// true
	// 11:00 li opened  → collected
	// 12:00 li stage collected → screened
	// 13:00 li stage screened → promoting
	// 14:00 li stage promoting → listed
}

// The transition table is data: print the moves that leave Promoting.
func ExampleCaseTransitions() {
	for _, e := range broker.CaseTransitions() {
		if e.From == broker.StagePromoting {
			fmt.Printf("%s → %s %s\n", e.From, e.To, e.Guard)
		}
	}
	// Output:
	// promoting → listed listing_ref
	// promoting → traded deal_ref
	// promoting → rejected reason
	// promoting → withdrawn
}

// The demand closed loop: received → diagnosed → matching → resolved, with
// the broker's resolution rate and median times.
func ExampleSystem_DemandStats() {
	ctx := context.Background()
	sys, _ := exampleSystem()
	staff := broker.BrokerStaff("li", "marine-tech")
	ent := broker.EnterpriseUser("zhang", "蓝海水产")
	for i, title := range []string{"网箱溶解氧监测", "尾水处理", "饲料投喂优化", "病害预警"} {
		d, _ := sys.Demands.Create(ctx, ent, broker.Demand{Enterprise: "蓝海水产", Title: title, Problem: "……", Meta: broker.Meta{Broker: "marine-tech"}})
		d, _ = sys.RespondDemand(ctx, staff, d.ID, d.Version)
		d, _ = sys.MoveDemand(ctx, staff, d.ID, broker.DemandMove{To: broker.DemandDiagnosed, Version: d.Version, Spec: "技术规格……"})
		if i == 3 {
			_, _ = sys.MoveDemand(ctx, staff, d.ID, broker.DemandMove{To: broker.DemandUnresolvable, Version: d.Version, Reason: "暂无成熟技术"})
			continue
		}
		d, _ = sys.MoveDemand(ctx, staff, d.ID, broker.DemandMove{To: broker.DemandMatching, Version: d.Version})
		_, _ = sys.MoveDemand(ctx, staff, d.ID, broker.DemandMove{To: broker.DemandResolved, Version: d.Version})
	}
	st, _ := sys.DemandStats(ctx, staff, "marine-tech", broker.ReportPeriod{})
	fmt.Println(st.Received, st.Resolved, st.Unresolvable, st.RatePercent(), st.MedianResponse, st.MedianResolution)
	// Output:
	// 4 3 1 75.0% 1h0m0s 4h0m0s
}

// Declines are counted by reason from the fixed taxonomy.
func ExampleSystem_FeedbackCounts() {
	ctx := context.Background()
	sys, admin := exampleSystem()
	a, _ := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "海水淡化膜材料", Owner: "上海海洋大学", Meta: broker.Meta{Broker: "marine-tech"},
		AskingPrice: decimal.RequireFromString("3000000")})
	subject := broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}
	for i, r := range []broker.DeclineReason{broker.DeclinePrice, broker.DeclineTooEarly, broker.DeclinePrice} {
		ent := broker.EnterpriseUser(fmt.Sprint("u", i), fmt.Sprint("企业", i))
		_, _ = sys.RecordFeedback(ctx, ent, broker.Feedback{Subject: subject, Reason: r})
	}
	counts, _ := sys.FeedbackCounts(ctx, broker.BrokerStaff("li", "marine-tech"), broker.FeedbackQuery{Subject: subject})
	for _, c := range counts {
		if c.Count > 0 {
			fmt.Println(c.Reason.Chinese(), c.Count)
		}
	}
	// Output:
	// 技术尚处早期 1
	// 价格 2
}
