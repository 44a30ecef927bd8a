package drivertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
)

// testPlatforms runs the platform behaviour that depends on the store:
// guarded case transitions over every stage pair, a property test of the
// stage/audit agreement, concurrent moves and concurrent registrations.
func testPlatforms(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("EveryStagePair", func(t *testing.T) { testEveryStagePair(t, open(t)) })
	t.Run("EveryDemandPair", func(t *testing.T) { testEveryDemandPair(t, open(t)) })
	t.Run("StageAgreesWithLastEvent", func(t *testing.T) { testStageProperty(t, open(t)) })
	t.Run("ConcurrentMoves", func(t *testing.T) { testConcurrentMoves(t, open(t)) })
	t.Run("ConcurrentOpenCase", func(t *testing.T) { testConcurrentOpenCase(t, open(t)) })
}

const (
	marine = "marine-tech"
	peds   = "pediatrics"
	owner  = "上海海洋大学"
)

type platformFixture struct {
	sys                  *broker.System
	admin, staff, staff2 broker.Principal
	other, ownerP, anon  broker.Principal
	subjects             atomic.Int64
}

func newPlatformFixture(t testing.TB, s driver.Store) *platformFixture {
	t.Helper()
	var tick atomic.Int64
	clock := func() time.Time { return t0.Add(time.Duration(tick.Add(1)) * time.Second) }
	f := &platformFixture{
		sys:    broker.New(s, &broker.Options{NewID: broker.SequentialIDs(), Clock: clock}),
		admin:  broker.PlatformAdmin("admin"),
		staff:  broker.BrokerStaff("staff-1", marine),
		staff2: broker.BrokerStaff("staff-2", marine),
		other:  broker.BrokerStaff("staff-9", peds),
		ownerP: broker.InstitutionUser("inst-1", owner),
		anon:   broker.Anonymous(),
	}
	ctx := context.Background()
	for _, b := range []broker.IndustryBroker{{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}, {Meta: broker.Meta{ID: peds}, Name: "儿科医学"}} {
		if _, err := f.sys.Brokers.Create(ctx, f.admin, b); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.sys.ServicePackages.Create(ctx, f.staff, broker.ServicePackage{Meta: broker.Meta{Broker: marine}, Name: "海洋技术标准服务包",
		Services: []broker.ServiceItem{{Code: "S01", Name: "技术评价", Fee: decimal.RequireFromString("5000.00"), Unit: "项"}}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// openCase creates an achievement and opens a case for it at marine-tech.
func (f *platformFixture) openCase(t failer) broker.Case {
	t.Helper()
	ctx := context.Background()
	n := f.subjects.Add(1)
	a, err := f.sys.Achievements.Create(ctx, f.admin, broker.Achievement{Title: fmt.Sprintf("深远海养殖水质监测系统 %d", n), Owner: owner,
		Meta: broker.Meta{Broker: marine}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.sys.OpenCase(ctx, f.staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// failer is what both *testing.T and *rapid.T provide.
type failer interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func passing() *broker.ScreeningVerdict {
	return &broker.ScreeningVerdict{Passed: true, Panel: []string{"exp-1", "exp-2", "exp-3"}, Score: 82.5, Ref: "eval-1"}
}

// fullMove is a move carrying everything any guard could ask for.
func fullMove(to broker.CaseStage, version int64) broker.CaseMove {
	mv := broker.CaseMove{To: to, Version: version, Reason: "理由", Evidence: []string{"doc-1"}, Verdict: passing()}
	switch to {
	case broker.StageListed:
		mv.ListingRef = "lst-1"
	case broker.StageTraded:
		mv.DealRef = "deal-1"
	}
	return mv
}

// pathTo is a shortest path of moves from Collected to stage.
func pathTo(stage broker.CaseStage) []broker.CaseStage {
	prev := map[broker.CaseStage]broker.CaseStage{broker.StageCollected: ""}
	queue := []broker.CaseStage{broker.StageCollected}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range broker.CaseTransitions() {
			if _, seen := prev[e.To]; e.From == s && !seen {
				prev[e.To] = s
				queue = append(queue, e.To)
			}
		}
	}
	var path []broker.CaseStage
	for s := stage; s != broker.StageCollected; s = prev[s] {
		path = append([]broker.CaseStage{s}, path...)
	}
	return path
}

func (f *platformFixture) drive(t testing.TB, c broker.Case, to broker.CaseStage) broker.Case {
	t.Helper()
	for _, s := range pathTo(to) {
		var err error
		c, err = f.sys.MoveCase(context.Background(), f.staff, c.ID, fullMove(s, c.Version))
		if err != nil {
			t.Fatalf("drive to %s: %v", s, err)
		}
	}
	return c
}

func (f *platformFixture) history(t failer, id string) []broker.CaseEvent {
	t.Helper()
	h, err := f.sys.CaseHistory(context.Background(), f.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func testEveryStagePair(t *testing.T, s driver.Store) {
	f := newPlatformFixture(t, s)
	ctx := context.Background()
	for _, from := range broker.CaseStages() {
		for _, to := range broker.CaseStages() {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				c := f.drive(t, f.openCase(t), from)
				guard, allowed := broker.CaseMoveAllowed(from, to)
				n := len(f.history(t, c.ID))
				unchanged := func(what string) {
					t.Helper()
					got, err := f.sys.GetCase(ctx, f.admin, c.ID)
					if err != nil {
						t.Fatal(err)
					}
					if got.Stage != from || got.Version != c.Version || len(f.history(t, c.ID)) != n {
						t.Errorf("%s wrote: stage %s v%d, %d events; want %s v%d, %d events", what, got.Stage, got.Version, len(f.history(t, c.ID)), from, c.Version, n)
					}
				}
				var te *broker.TransitionError
				if allowed && guard != broker.GuardNone {
					_, err := f.sys.MoveCase(ctx, f.staff, c.ID, broker.CaseMove{To: to, Version: c.Version})
					if !errors.As(err, &te) || te.Missing != guard || !errors.Is(err, broker.ErrInvalid) {
						t.Fatalf("move without %s: got %v, want a TransitionError missing %s matching ErrInvalid", guard, err, guard)
					}
					unchanged("refused move")
				}
				got, err := f.sys.MoveCase(ctx, f.staff, c.ID, fullMove(to, c.Version))
				if !allowed {
					if !errors.As(err, &te) || !errors.Is(err, broker.ErrConflict) || te.From != string(from) || te.To != string(to) {
						t.Fatalf("move not in the table: got %v, want a TransitionError %s→%s matching ErrConflict", err, from, to)
					}
					unchanged("refused move")
					return
				}
				if err != nil {
					t.Fatalf("allowed move: %v", err)
				}
				h := f.history(t, c.ID)
				last := h[len(h)-1]
				if got.Stage != to || got.Version != c.Version+1 || len(h) != n+1 || last.Stage == nil ||
					last.Stage.From != from || last.Stage.To != to || last.Actor != f.staff.ID {
					t.Errorf("after move: stage %s v%d, %d events, last %+v; want %s v%d, %d events, last %s→%s by %s",
						got.Stage, got.Version, len(h), last, to, c.Version+1, n+1, from, to, f.staff.ID)
				}
			})
		}
	}
}

func testEveryDemandPair(t *testing.T, s driver.Store) {
	f := newPlatformFixture(t, s)
	ctx := context.Background()
	statuses := []broker.DemandStatus{broker.DemandReceived, broker.DemandDiagnosed, broker.DemandMatching, broker.DemandResolved, broker.DemandUnresolvable}
	paths := map[broker.DemandStatus][]broker.DemandStatus{
		broker.DemandDiagnosed:    {broker.DemandDiagnosed},
		broker.DemandMatching:     {broker.DemandDiagnosed, broker.DemandMatching},
		broker.DemandResolved:     {broker.DemandDiagnosed, broker.DemandMatching, broker.DemandResolved},
		broker.DemandUnresolvable: {broker.DemandUnresolvable},
	}
	allowed := map[[2]broker.DemandStatus]broker.Guard{}
	for _, e := range broker.DemandTransitions() {
		allowed[[2]broker.DemandStatus{e.From, e.To}] = e.Guard
	}
	full := func(to broker.DemandStatus, v int64) broker.DemandMove {
		return broker.DemandMove{To: to, Version: v, Spec: "技术规格：检测限≤0.1mg/L", Reason: "理由"}
	}
	for _, from := range statuses {
		for _, to := range statuses {
			d, err := f.sys.Demands.Create(ctx, f.admin, broker.Demand{Enterprise: "某水产公司", Title: fmt.Sprintf("水质监测需求 %s %s", from, to), Problem: "网箱水质波动"})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range paths[from] {
				if d, err = f.sys.MoveDemand(ctx, f.staff, d.ID, full(st, d.Version)); err != nil {
					t.Fatal(err)
				}
			}
			guard, ok := allowed[[2]broker.DemandStatus{from, to}]
			if ok && guard != broker.GuardNone {
				_, err := f.sys.MoveDemand(ctx, f.staff, d.ID, broker.DemandMove{To: to, Version: d.Version})
				if !errors.Is(err, broker.ErrInvalid) {
					t.Errorf("%s→%s without %s: got %v, want ErrInvalid", from, to, guard, err)
				}
			}
			got, err := f.sys.MoveDemand(ctx, f.staff, d.ID, full(to, d.Version))
			switch {
			case ok && err != nil:
				t.Errorf("%s→%s: %v", from, to, err)
			case ok && got.Status != to:
				t.Errorf("%s→%s: status %s", from, to, got.Status)
			case !ok && !errors.Is(err, broker.ErrConflict):
				t.Errorf("%s→%s: got %v, want a TransitionError matching ErrConflict", from, to, err)
			}
			if ok && (got.RespondedAt.IsZero() || got.ReceivedAt.IsZero()) {
				t.Errorf("%s→%s: received %v responded %v, want both set", from, to, got.ReceivedAt, got.RespondedAt)
			}
		}
	}
}

// testStageProperty: random sequences of moves and service deliveries, by
// random principals with random versions and guard data, never leave a case
// whose stage disagrees with its last stage event, nor a write without its
// event; and each operation succeeds exactly when the model says it should.
func testStageProperty(t *testing.T, s driver.Store) {
	f := newPlatformFixture(t, s)
	ctx := context.Background()
	stages := broker.CaseStages()
	whos := []string{"staff", "admin", "other", "owner", "anon"}
	principal := map[string]broker.Principal{"staff": f.staff, "admin": f.admin, "other": f.other, "owner": f.ownerP, "anon": f.anon}
	type model struct {
		stage   broker.CaseStage
		version int64
		verdict bool
	}
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 3).Draw(rt, "cases")
		cases := make([]broker.Case, n)
		models := make([]model, n)
		for i := range cases {
			cases[i] = f.openCase(rt)
			models[i] = model{stage: broker.StageCollected, version: 1}
		}
		steps := rapid.IntRange(1, 20).Draw(rt, "steps")
		for range steps {
			k := rapid.IntRange(0, n-1).Draw(rt, "case")
			who := rapid.SampledFrom(whos).Draw(rt, "who")
			stale := rapid.IntRange(0, 5).Draw(rt, "stale") == 0
			m := &models[k]
			version := m.version
			if stale {
				version = m.version + 1
			}
			var err error
			var want bool
			if rapid.IntRange(0, 4).Draw(rt, "op") == 0 {
				_, err = f.sys.DeliverService(ctx, principal[who], cases[k].ID, broker.Delivery{Code: "S01"})
				want = (who == "staff" || who == "admin") && m.stage.Open()
			} else {
				to := rapid.SampledFrom(stages).Draw(rt, "to")
				guards := rapid.Bool().Draw(rt, "guards")
				mv := broker.CaseMove{To: to, Version: version}
				if guards {
					mv = fullMove(to, version)
				}
				_, err = f.sys.MoveCase(ctx, principal[who], cases[k].ID, mv)
				guard, inTable := broker.CaseMoveAllowed(m.stage, to)
				guardOK := guards || guard == broker.GuardNone || (guard == broker.GuardVerdict && m.verdict)
				access := who == "staff" || who == "admin" || (who == "owner" && to == broker.StageWithdrawn)
				want = access && !stale && inTable && guardOK
				if want {
					m.stage = to
					m.verdict = m.verdict || guards
				}
			}
			if want != (err == nil) {
				rt.Fatalf("%s on case %d in %s: got error %v, want success %v", who, k, m.stage, err, want)
			}
			if want {
				m.version++
			}
			c, gerr := f.sys.GetCase(ctx, f.admin, cases[k].ID)
			if gerr != nil {
				rt.Fatal(gerr)
			}
			h := f.history(rt, c.ID)
			var last *broker.StageEvent
			for _, e := range h {
				if e.Stage != nil {
					last = e.Stage
				}
			}
			if last == nil || last.To != c.Stage || c.Stage != m.stage || c.Version != m.version || int64(len(h)) != c.Version {
				rt.Fatalf("case %s: stage %s v%d, %d events, last stage event %+v; model %s v%d", c.ID, c.Stage, c.Version, len(h), last, m.stage, m.version)
			}
		}
	})
}

func testConcurrentMoves(t *testing.T, s driver.Store) {
	f := newPlatformFixture(t, s)
	ctx := context.Background()
	for round := range 10 {
		c := f.openCase(t)
		moves := []struct {
			p  broker.Principal
			mv broker.CaseMove
		}{
			{f.staff, fullMove(broker.StageScreened, c.Version)},
			{f.staff2, broker.CaseMove{To: broker.StageRejected, Version: c.Version, Reason: "不符合方向"}},
		}
		if round%2 == 1 {
			moves[1] = struct {
				p  broker.Principal
				mv broker.CaseMove
			}{f.admin, fullMove(broker.StageScreened, c.Version)}
		}
		errs := make([]error, len(moves))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, m := range moves {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.sys.MoveCase(ctx, m.p, c.ID, m.mv)
			}()
		}
		close(start)
		wg.Wait()
		wins, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, broker.ErrStale) && !errors.Is(err, broker.ErrConflict):
				conflicts++ // the loser named a version that is no longer stored
			default:
				t.Errorf("round %d: unexpected error %v", round, err)
			}
		}
		h := f.history(t, c.ID)
		got, _ := f.sys.GetCase(ctx, f.admin, c.ID)
		if wins != 1 || conflicts != 1 || len(h) != 2 || got.Version != 2 || h[1].Stage.To != got.Stage {
			t.Errorf("round %d: %d wins, %d conflicts, %d events, v%d, stage %s; want 1, 1, 2, v2 and the winner's stage", round, wins, conflicts, len(h), got.Version, got.Stage)
		}
	}
}

// testConcurrentOpenCase: several principals open a case for one subject at
// one broker at once; exactly one case opens, the others get ErrExists, and
// after it closes a new one may open.
func testConcurrentOpenCase(t *testing.T, s driver.Store) {
	f := newPlatformFixture(t, s)
	ctx := context.Background()
	for round := range 5 {
		a, err := f.sys.Achievements.Create(ctx, f.admin, broker.Achievement{Title: fmt.Sprintf("并发立案 %d", round), Owner: owner})
		if err != nil {
			t.Fatal(err)
		}
		subject := broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}
		const openers = 8
		errs := make([]error, openers)
		ids := make([]string, openers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range openers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p := f.staff
				if i%2 == 1 {
					p = f.staff2
				}
				c, err := f.sys.OpenCase(ctx, p, broker.NewCase{Subject: subject, Broker: marine})
				errs[i], ids[i] = err, c.ID
			}()
		}
		close(start)
		wg.Wait()
		opened, exists := 0, 0
		var id string
		for i, err := range errs {
			switch {
			case err == nil:
				opened++
				id = ids[i]
			case errors.Is(err, broker.ErrExists):
				exists++
			default:
				t.Errorf("round %d: unexpected error %v", round, err)
			}
		}
		if opened != 1 || exists != openers-1 {
			t.Fatalf("round %d: %d cases opened, %d refused; want 1 and %d", round, opened, exists, openers-1)
		}
		c, err := f.sys.GetCase(ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.sys.MoveCase(ctx, f.staff, c.ID, broker.CaseMove{To: broker.StageWithdrawn, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.sys.OpenCase(ctx, f.staff, broker.NewCase{Subject: subject, Broker: marine}); err != nil {
			t.Errorf("round %d: a new case after the first was withdrawn: %v", round, err)
		}
	}
}
