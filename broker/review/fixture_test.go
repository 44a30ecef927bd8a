package review_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/evaluation"
)

var ctx = context.Background()

const (
	marine  = "marine-tech"
	peds    = "pediatrics"
	owner   = "上海海洋大学"
	society = "coss"
)

// testClock is a settable clock; it starts at 2026-03-02 09:00 CST.
type testClock struct{ us atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.us.Store(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC).UnixMicro())
	return c
}
func (c *testClock) now() time.Time          { return time.UnixMicro(c.us.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.us.Add(d.Microseconds()) }
func (c *testClock) set(t time.Time)         { c.us.Store(t.UnixMicro()) }

// fixture is a System on a memory store with two industry brokers, a
// qualified society, expert review over it and the principals the tests
// act as.
type fixture struct {
	sys                        *broker.System
	rv                         *review.Service
	clock                      *testClock
	admin, staff, other, owner broker.Principal
	n                          atomic.Int64
}

func newFixture(t testing.TB, opts *review.Options) *fixture {
	t.Helper()
	clk := newTestClock()
	sys := broker.New(memstore.New(), &broker.Options{Clock: clk.now, NewID: broker.SequentialIDs()})
	t.Cleanup(func() { _ = sys.Close() })
	f := &fixture{sys: sys, rv: review.New(sys, opts), clock: clk, admin: broker.PlatformAdmin("admin"),
		staff: broker.BrokerStaff("staff-m", marine), other: broker.BrokerStaff("staff-p", peds), owner: broker.InstitutionUser("inst-1", owner)}
	for _, b := range []broker.IndustryBroker{{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}, {Meta: broker.Meta{ID: peds}, Name: "儿科医学"}} {
		if _, err := sys.Brokers.Create(ctx, f.admin, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sys.Societies.Create(ctx, f.admin, broker.Society{Meta: broker.Meta{ID: society}, Name: "中国海洋学会"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.GrantQualification(ctx, f.admin, broker.Qualification{Society: society, Ref: "科技评估资质 2026-01"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// words are the keywords experts and achievements draw from.
var words = []string{"养殖", "水质", "渔业", "监测", "传感器", "海洋", "船舶", "生态", "材料", "网箱", "藻类", "声呐",
	"导航", "防腐", "涂层", "深海", "潜水器", "遥感", "港口", "海水淡化"}

// experts adds n members of the society with keywords drawn by a seeded
// generator; expert i is "exp-%04d".
func (f *fixture) experts(t testing.TB, n int, seed uint64) []broker.Expert {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]broker.Expert, 0, n)
	err := f.sys.Update(ctx, func(tx *broker.Tx) error {
		for i := range n {
			kw := []string{words[r.IntN(len(words))], words[r.IntN(len(words))], words[r.IntN(len(words))]}
			e := broker.Expert{Meta: broker.Meta{ID: fmt.Sprintf("exp-%04d", i)}, Name: fmt.Sprintf("专家%d", i),
				Institution: fmt.Sprintf("大学%02d", i%40), Keywords: kw, Societies: []string{society}}
			created, err := broker.Create(tx, f.admin, e)
			if err != nil {
				return err
			}
			out = append(out, created)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// achievement creates an achievement of the owner at marine-tech, with
// keywords, and opens its case when withCase.
func (f *fixture) achievement(t testing.TB, kw []string, withCase bool) broker.RecordRef {
	t.Helper()
	n := f.n.Add(1)
	a, err := f.sys.Achievements.Create(ctx, f.admin, broker.Achievement{Meta: broker.Meta{Broker: marine},
		Title: fmt.Sprintf("%s技术 %d", strings.Join(kw, ""), n), Keywords: kw, Owner: owner, Inventors: []broker.Inventor{{Name: "李明"}}})
	if err != nil {
		t.Fatal(err)
	}
	ref := broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}
	if withCase {
		if _, err := f.sys.OpenCase(ctx, f.staff, broker.NewCase{Subject: ref, Broker: marine}); err != nil {
			t.Fatal(err)
		}
	}
	return ref
}

// plan plans panels for the subjects and fails the test on error.
func (f *fixture) plan(t testing.TB, seats int, sc review.Scoring, subjects ...broker.RecordRef) []review.Panel {
	t.Helper()
	pns, err := f.rv.Plan(ctx, f.staff, review.PlanRequest{Broker: marine, Subjects: subjects, Seats: seats, Scoring: sc})
	if err != nil {
		t.Fatal(err)
	}
	return pns
}

// seated plans, invites and accepts a panel for a new achievement.
func (f *fixture) seated(t testing.TB, seats int, sc review.Scoring, kw ...string) review.Panel {
	t.Helper()
	pn := f.plan(t, seats, sc, f.achievement(t, kw, true))[0]
	pn, err := f.rv.Invite(ctx, f.staff, pn.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pn.Experts() {
		if pn, err = f.rv.Accept(ctx, broker.ExpertUser(e), pn.ID); err != nil {
			t.Fatal(err)
		}
	}
	return pn
}

// profile is a complete sheet of the default template: the same shape
// around level for everyone.
func profile(level float64) review.Sheet {
	return review.Sheet{Scores: map[string]float64{
		evaluation.CritNovelty: level + 5, evaluation.CritAdvancement: level + 8, evaluation.CritMaturity: level - 6,
		evaluation.CritMarket: level, evaluation.CritIP: level - 10, evaluation.CritTeam: level + 2,
	}}
}

// fieldCodes returns "field:code" of each bad field of a validation
// error, sorted.
func fieldCodes(err error) []string {
	var ve *broker.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, fe := range ve.Fields {
		out = append(out, fe.Field+":"+fe.Code)
	}
	slices.Sort(out)
	return out
}
