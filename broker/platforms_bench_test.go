package broker_test

import (
	"testing"

	"github.com/kexie/techbroker/broker"
)

// BenchmarkCaseTransition measures one guarded stage change with its audit
// event, in one memstore transaction: a case alternates between Promoting
// and Listed (each move needs its guard: a listing reference, a reason).
func BenchmarkCaseTransition(b *testing.B) {
	p := newPlatform(b)
	c := p.openCase(b, ref(broker.KindAchievement, p.achievement(b, "基准测试成果").ID))
	var err error
	for _, mv := range []broker.CaseMove{
		{To: broker.StageScreened, Verdict: verdict()},
		{To: broker.StagePromoting},
	} {
		mv.Version = c.Version
		if c, err = p.sys.MoveCase(ctx, p.staff, c.ID, mv); err != nil {
			b.Fatal(err)
		}
	}
	list := broker.CaseMove{To: broker.StageListed, ListingRef: "lst-000001", Evidence: []string{"挂牌公告"}}
	back := broker.CaseMove{To: broker.StagePromoting, Reason: "挂牌期满未成交"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mv := list
		if i%2 == 1 {
			mv = back
		}
		mv.Version = c.Version
		if c, err = p.sys.MoveCase(ctx, p.staff, c.ID, mv); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
}
