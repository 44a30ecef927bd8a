package drivertest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/match"
)

// testMatch runs the match service over the store: two Systems over one
// store, where one writes and the other's Service follows the log; an
// index replayed from the log against one built from the records; a
// restored snapshot plus catch-up against a rebuild; the access property;
// declines across a restart; and search paging while writes go on.
func testMatch(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("Changes", func(t *testing.T) { testChanges(t, open(t)) })
	t.Run("FollowAcrossSystems", func(t *testing.T) { testFollowAcross(t, open(t)) })
	t.Run("ReplayEqualsRebuild", func(t *testing.T) { testReplayEqualsRebuild(t, open(t)) })
	t.Run("SnapshotCatchUpEqualsRebuild", func(t *testing.T) { testSnapshotCatchUp(t, open(t)) })
	t.Run("AccessProperty", func(t *testing.T) { testMatchAccess(t, open(t)) })
	t.Run("DeclineSurvivesRestart", func(t *testing.T) { testDeclineRestart(t, open(t)) })
	t.Run("SearchPagingUnderWrites", func(t *testing.T) { testSearchPaging(t, open(t)) })
}

// Fields of generated records: a broker, its words and disciplines.
var matchFields = []struct {
	broker string
	words  []string
	disc   string
}{
	{"info-eng", []string{"信息工程", "无线通信", "边缘计算", "网络安全", "数据中心", "芯片设计", "光纤传感"}, "520"},
	{"marine-tech", []string{"海洋技术", "深远海养殖", "水质监测", "水下机器人", "船舶导航", "海水淡化", "渔业资源"}, "170"},
	{"pediatrics", []string{"儿科医学", "新生儿黄疸", "儿童哮喘", "疫苗接种", "生长发育", "雾化治疗", "遗传筛查"}, "320"},
	{"green-print", []string{"绿色印刷", "环保油墨", "包装材料", "可降解薄膜", "数字印刷", "纸张回收", "防伪标签"}, "460"},
	{"indoor-air", []string{"室内环境", "甲醛净化", "空气过滤", "光催化", "新风系统", "除湿", "检测仪器"}, "610"},
	{"mech-digital", []string{"机械制造", "数字孪生", "工业机器人", "数控机床", "故障诊断", "增材制造", "智能产线"}, "460"},
}

var matchRegions = []string{"上海市杨浦区", "上海市浦东新区", "江苏省苏州市", "浙江省杭州市"}

// matchGen writes random records through a System.
type matchGen struct {
	rng   *rand.Rand
	sys   *broker.System
	admin broker.Principal
	n     int
}

func newMatchGen(seed uint64, sys *broker.System) *matchGen {
	return &matchGen{rng: rand.New(rand.NewPCG(seed, seed+1)), sys: sys, admin: broker.PlatformAdmin("admin")}
}

func (g *matchGen) text(field int, words int) (string, []string) {
	f := matchFields[field]
	var parts, kws []string
	for range words {
		w := f.words[g.rng.IntN(len(f.words))]
		if g.rng.IntN(4) == 0 { // a word from another field now and then
			o := matchFields[g.rng.IntN(len(matchFields))]
			w = o.words[g.rng.IntN(len(o.words))]
		}
		parts = append(parts, w)
		if len(kws) < 3 && !slices.Contains(kws, w) {
			kws = append(kws, w)
		}
	}
	return strings.Join(parts, "与"), kws
}

func (g *matchGen) tier() broker.Visibility {
	return []broker.Visibility{broker.Public, broker.Public, broker.Members, broker.Confidential}[g.rng.IntN(4)]
}

func (g *matchGen) achievement(ctx context.Context, tb testing.TB) broker.Achievement {
	tb.Helper()
	g.n++
	f := g.rng.IntN(len(matchFields))
	title, kws := g.text(f, 2+g.rng.IntN(2))
	abstract, _ := g.text(f, 6+g.rng.IntN(6))
	a := broker.Achievement{
		Meta: broker.Meta{Broker: matchFields[f].broker, Visibility: g.tier(), Region: matchRegions[g.rng.IntN(len(matchRegions))],
			Provenance: broker.Provenance{AddedBy: fmt.Sprintf("u%d", g.rng.IntN(4))}},
		Title: fmt.Sprintf("%s方法%d", title, g.n), Keywords: kws, Abstract: abstract,
		Disciplines: []string{matchFields[f].disc}, Owner: fmt.Sprintf("大学%d", g.rng.IntN(5)),
		Readiness:   broker.Readiness{Scale: broker.NASATRL, Level: 1 + g.rng.IntN(9)},
		AskingPrice: decimal.NewFromInt(int64(10000 * (1 + g.rng.IntN(500)))),
	}
	if g.rng.IntN(5) == 0 {
		a.Broker = "" // unrouted
	}
	out, err := g.sys.Achievements.Create(ctx, g.admin, a)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func (g *matchGen) demand(ctx context.Context, tb testing.TB) broker.Demand {
	tb.Helper()
	g.n++
	f := g.rng.IntN(len(matchFields))
	title, kws := g.text(f, 2)
	problem, _ := g.text(f, 5+g.rng.IntN(5))
	d := broker.Demand{
		Meta:       broker.Meta{Broker: matchFields[f].broker, Visibility: g.tier(), Region: matchRegions[g.rng.IntN(len(matchRegions))]},
		Enterprise: fmt.Sprintf("企业%d", g.rng.IntN(6)), Title: fmt.Sprintf("需要%s%d", title, g.n), Problem: problem, Keywords: kws,
		Disciplines:  []string{matchFields[f].disc},
		MinReadiness: broker.Readiness{Scale: broker.NASATRL, Level: 1 + g.rng.IntN(9)},
		Budget:       broker.Range{Max: decimal.NewFromInt(int64(10000 * (1 + g.rng.IntN(500))))},
	}
	out, err := g.sys.Demands.Create(ctx, g.admin, d)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func (g *matchGen) expert(ctx context.Context, tb testing.TB) broker.Expert {
	tb.Helper()
	g.n++
	f := g.rng.IntN(len(matchFields))
	_, kws := g.text(f, 4)
	w1, _ := g.text(f, 3)
	w2, _ := g.text(f, 3)
	e, err := g.sys.Experts.Create(ctx, g.admin, broker.Expert{Name: fmt.Sprintf("专家%d", g.n), Keywords: kws,
		Disciplines: []string{matchFields[f].disc}, Works: []broker.Work{{Title: w1}, {Title: w2}},
		Contact: broker.Contact{Phone: "13800000000"}})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// mutate changes, deletes or re-tiers one random record of ids.
func (g *matchGen) mutate(ctx context.Context, tb testing.TB, ids []string) []string {
	tb.Helper()
	if len(ids) == 0 {
		return ids
	}
	i := g.rng.IntN(len(ids))
	id := ids[i]
	switch g.rng.IntN(3) {
	case 0:
		a, err := g.sys.Achievements.Get(ctx, g.admin, id)
		if err != nil {
			tb.Fatal(err)
		}
		if err := g.sys.Achievements.Delete(ctx, g.admin, id, a.Version); err != nil {
			tb.Fatal(err)
		}
		return slices.Delete(ids, i, i+1)
	case 1:
		if _, err := g.sys.Achievements.Modify(ctx, g.admin, id, func(a *broker.Achievement) error {
			a.Visibility = g.tier()
			return nil
		}); err != nil {
			tb.Fatal(err)
		}
	default:
		if _, err := g.sys.Achievements.Modify(ctx, g.admin, id, func(a *broker.Achievement) error {
			t, kws := g.text(g.rng.IntN(len(matchFields)), 3)
			a.Title, a.Keywords = t+"改", kws
			return nil
		}); err != nil {
			tb.Fatal(err)
		}
	}
	return ids
}

func newMatchSystem(tb testing.TB, s driver.Store) *broker.System {
	tb.Helper()
	sys := broker.New(s, nil)
	admin := broker.PlatformAdmin("admin")
	for _, f := range matchFields {
		if _, err := sys.Brokers.Create(context.Background(), admin, broker.IndustryBroker{Meta: broker.Meta{ID: f.broker}, Name: f.broker}); err != nil && !errors.Is(err, broker.ErrExists) {
			tb.Fatal(err)
		}
	}
	return sys
}

func newService(tb testing.TB, sys *broker.System, opts *match.Options) *match.Service {
	tb.Helper()
	svc, err := match.New(sys, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

func ids(rs []match.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Ref.ID
	}
	return out
}

func testChanges(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := newMatchSystem(t, s)
	admin := broker.PlatformAdmin("admin")
	cs, err := sys.Changes(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := cs[len(cs)-1].Seq
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "水下机器人"})
	if err != nil {
		t.Fatal(err)
	}
	a, err = sys.Achievements.Modify(ctx, admin, a.ID, func(a *broker.Achievement) error { a.Title = "水下机器人导航"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	cs, err = sys.Changes(ctx, last, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Type != "created" || cs[1].Type != "updated" {
		t.Fatalf("changes after %d: got %v, want created and updated", last, cs)
	}
	for _, c := range cs {
		var got broker.Achievement
		if err := c.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Title != "水下机器人导航" || got.Version != 2 || got.ID != a.ID {
			t.Errorf("change %d: got %q v%d, want the record as stored now (v2)", c.Seq, got.Title, got.Version)
		}
	}
	if err := sys.Achievements.Delete(ctx, admin, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	cs, _ = sys.Changes(ctx, last, 1)
	if len(cs) != 1 || cs[0].Record != nil || !errors.Is(cs[0].Decode(&broker.Achievement{}), broker.ErrNotFound) {
		t.Fatalf("a deleted record's change: got %+v, want no record", cs)
	}
	// WaitChanges returns at once when the log holds more, and after a
	// commit when it does not.
	head, _ := sys.Changes(ctx, last, 0)
	top := head[len(head)-1].Seq
	if err := sys.WaitChanges(ctx, last, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sys.WaitChanges(wctx, top, 10*time.Millisecond) }()
	if _, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "海水淡化"}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("WaitChanges after a commit: %v", err)
	}
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	if err := sys.WaitChanges(cctx, top+100, 10*time.Millisecond); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitChanges on a cancelled context: got %v, want context.Canceled", err)
	}
}

// testFollowAcross: a record written through one System appears in
// another's matches after Sync, and disappears after a change to
// confidential and after a delete.
func testFollowAcross(t *testing.T, s driver.Store) {
	ctx := context.Background()
	writer, reader := newMatchSystem(t, s), broker.New(s, nil)
	admin := broker.PlatformAdmin("admin")
	g := newMatchGen(7, writer)
	for range 30 {
		g.achievement(ctx, t)
	}
	svc := newService(t, reader, &match.Options{MaxLag: time.Hour})
	if _, err := svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := writer.Demands.Create(ctx, admin, broker.Demand{Enterprise: "临港船舶公司", Title: "深远海养殖网箱水质在线监测", Problem: "需要水质在线监测与水下机器人巡检"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := writer.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱水质在线监测系统", Owner: "上海海洋大学",
		Keywords: []string{"水质在线监测", "深远海养殖"}, Abstract: "网箱水质在线监测与水下机器人巡检"})
	if err != nil {
		t.Fatal(err)
	}
	ent := broker.EnterpriseUser("e1", "临港船舶公司")
	top := func() []string {
		t.Helper()
		if _, err := svc.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		rs, err := svc.MatchDemand(ctx, ent, d.ID, &match.MatchOptions{K: 5})
		if err != nil {
			t.Fatal(err)
		}
		return ids(rs)
	}
	if got := top(); len(got) == 0 || got[0] != a.ID {
		t.Fatalf("after Sync: top matches %v, want %s first", got, a.ID)
	}
	rs, _ := svc.MatchDemand(ctx, ent, d.ID, &match.MatchOptions{K: 1})
	if len(rs) != 1 || len(rs[0].Explanation.Signals) == 0 || len(rs[0].Explanation.Terms) == 0 || rs[0].Record.(broker.Achievement).Title != a.Title {
		t.Errorf("a result carries its record and explanation: got %+v", rs)
	}
	a, err = writer.Achievements.Modify(ctx, admin, a.ID, func(a *broker.Achievement) error { a.Visibility = broker.Confidential; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if got := top(); slices.Contains(got, a.ID) {
		t.Fatalf("after a change to confidential: %v still holds %s", got, a.ID)
	}
	if rs, _ := svc.MatchDemand(ctx, admin, d.ID, nil); !slices.Contains(ids(rs), a.ID) {
		t.Errorf("an admin still sees the confidential achievement: got %v", ids(rs))
	}
	if err := writer.Achievements.Delete(ctx, admin, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if rs, _ := svc.MatchDemand(ctx, admin, d.ID, nil); slices.Contains(ids(rs), a.ID) {
		t.Errorf("after a delete: %v still holds %s", ids(rs), a.ID)
	}
	if n := svc.Index().Len(broker.KindAchievement); n != 30 {
		t.Errorf("the index holds %d achievements, want 30", n)
	}
}

// randomWrites makes achievements, demands and experts, then changes and
// deletes some, letting follow catch up now and then.
func randomWrites(ctx context.Context, tb testing.TB, g *matchGen, n int, follow func()) (achs, dems []string) {
	tb.Helper()
	for i := range n {
		switch g.rng.IntN(10) {
		case 0, 1:
			dems = append(dems, g.demand(ctx, tb).ID)
		case 2:
			g.expert(ctx, tb)
		case 3, 4:
			achs = g.mutate(ctx, tb, achs)
		default:
			achs = append(achs, g.achievement(ctx, tb).ID)
		}
		if follow != nil && i%17 == 0 {
			follow()
		}
	}
	return achs, dems
}

// sameTop compares two services' answers to the same random queries.
func sameTop(ctx context.Context, tb testing.TB, seed uint64, a, b *match.Service, achs, dems []string, n int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	principals := []broker.Principal{broker.PlatformAdmin("admin"), broker.Anonymous(), broker.EnterpriseUser("e", "企业1"),
		broker.BrokerStaff("s", "marine-tech"), broker.InstitutionUser("i", "大学2")}
	for q := range n {
		p := principals[rng.IntN(len(principals))]
		var ra, rb []string
		switch rng.IntN(4) {
		case 0:
			id := dems[rng.IntN(len(dems))]
			x, err1 := a.MatchDemand(ctx, p, id, nil)
			y, err2 := b.MatchDemand(ctx, p, id, nil)
			if (err1 == nil) != (err2 == nil) {
				tb.Fatalf("query %d: errors %v and %v", q, err1, err2)
			}
			ra, rb = ids(x), ids(y)
		case 1:
			id := achs[rng.IntN(len(achs))]
			x, err1 := a.MatchAchievement(ctx, p, id, nil)
			y, err2 := b.MatchAchievement(ctx, p, id, nil)
			if (err1 == nil) != (err2 == nil) {
				tb.Fatalf("query %d: errors %v and %v", q, err1, err2)
			}
			ra, rb = ids(x.Demands), ids(y.Demands)
		case 2:
			id := achs[rng.IntN(len(achs))]
			x, _ := a.SimilarAchievements(ctx, p, id, nil)
			y, _ := b.SimilarAchievements(ctx, p, id, nil)
			ra, rb = ids(x), ids(y)
		default:
			f := matchFields[rng.IntN(len(matchFields))]
			sq := match.SearchQuery{Text: f.words[rng.IntN(len(f.words))], Limit: 10}
			x, err := a.Search(ctx, p, sq)
			if err != nil {
				tb.Fatal(err)
			}
			y, err := b.Search(ctx, p, sq)
			if err != nil {
				tb.Fatal(err)
			}
			ra, rb = ids(x.Results), ids(y.Results)
			if x.Total != y.Total {
				tb.Errorf("query %d (search %q): totals %d and %d", q, sq.Text, x.Total, y.Total)
			}
		}
		if !slices.Equal(ra, rb) {
			tb.Errorf("query %d for %+v: top 10\n%v\n%v", q, p, ra, rb)
		}
	}
}

// testReplayEqualsRebuild: an index that followed the log as it was
// written, and one replayed from the whole log, equal one built from the
// records (the same top 10 for 200 random queries).
func testReplayEqualsRebuild(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := newMatchSystem(t, s)
	g := newMatchGen(11, sys)
	live := newService(t, sys, nil)
	achs, dems := randomWrites(ctx, t, g, 400, func() {
		if _, err := live.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	})
	replayed := newService(t, sys, nil)
	if _, err := replayed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt := newService(t, sys, nil)
	if err := rebuilt.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := live.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// BM25's statistics count replaced documents until a compaction.
	live.Index().(*match.EngineIndex).Compact()
	for _, svc := range []*match.Service{live, replayed} {
		for _, k := range []broker.Kind{broker.KindAchievement, broker.KindDemand, broker.KindExpert} {
			if a, b := svc.Index().Len(k), rebuilt.Index().Len(k); a != b {
				t.Fatalf("%s: %d documents, rebuilt %d", k, a, b)
			}
		}
		if svc.Index().Seq() != rebuilt.Index().Seq() {
			t.Errorf("sequence %d, rebuilt %d", svc.Index().Seq(), rebuilt.Index().Seq())
		}
	}
	sameTop(ctx, t, 1, replayed, rebuilt, achs, dems, 200)
	sameTop(ctx, t, 2, live, rebuilt, achs, dems, 200)
}

// testSnapshotCatchUp: a snapshot restored into a new Service, plus the
// catch-up from its sequence number, equals a rebuild.
func testSnapshotCatchUp(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := newMatchSystem(t, s)
	g := newMatchGen(13, sys)
	first := newService(t, sys, nil)
	achs, dems := randomWrites(ctx, t, g, 200, nil)
	if _, err := first.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	snaps := match.Files{Path: t.TempDir() + "/match.snap"}
	if err := first.Save(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	a2, d2 := randomWrites(ctx, t, g, 150, nil)
	achs, dems = append(achs, a2...), append(dems, d2...)
	achs = slices.DeleteFunc(achs, func(id string) bool {
		_, err := sys.Achievements.Get(ctx, broker.PlatformAdmin("admin"), id)
		return err != nil
	})
	restored := newService(t, sys, nil)
	if err := restored.Restore(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	restored.Index().(*match.EngineIndex).Compact()
	rebuilt := newService(t, sys, nil)
	if err := rebuilt.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if restored.Index().Seq() != rebuilt.Index().Seq() {
		t.Errorf("sequence %d, rebuilt %d", restored.Index().Seq(), rebuilt.Index().Seq())
	}
	sameTop(ctx, t, 3, restored, rebuilt, achs, dems, 200)
}

// testMatchAccess: over random principals, no match or search result is
// a record the principal may not read (a confidential or members record
// of another), and a page or a top K is full when enough readable
// records match.
func testMatchAccess(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := newMatchSystem(t, s)
	g := newMatchGen(17, sys)
	achs, dems := randomWrites(ctx, t, g, 300, nil)
	svc := newService(t, sys, nil)
	admin := broker.PlatformAdmin("admin")
	rng := rand.New(rand.NewPCG(5, 6))
	randomPrincipal := func() broker.Principal {
		id := fmt.Sprintf("u%d", rng.IntN(6))
		switch rng.IntN(6) {
		case 0:
			return broker.Anonymous()
		case 1:
			return broker.BrokerStaff(id, matchFields[rng.IntN(len(matchFields))].broker)
		case 2:
			return broker.EnterpriseUser(id, fmt.Sprintf("企业%d", rng.IntN(6)))
		case 3:
			return broker.InstitutionUser(id, fmt.Sprintf("大学%d", rng.IntN(5)))
		case 4:
			return broker.ExpertUser(id)
		}
		return broker.SocietyAdmin(id, "学会")
	}
	check := func(p broker.Principal, rs []match.Result) {
		t.Helper()
		for _, r := range rs {
			var v broker.Record
			var err error
			switch r.Ref.Kind {
			case broker.KindAchievement:
				v, err = sys.Achievements.Get(ctx, admin, r.Ref.ID)
			case broker.KindDemand:
				v, err = sys.Demands.Get(ctx, admin, r.Ref.ID)
			default:
				v, err = sys.Experts.Get(ctx, admin, r.Ref.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !broker.CanDo(p, broker.ActRead, v) {
				t.Fatalf("%+v got %s (%s) it may not read", p, r.Ref, broker.TargetOf(v).Tier)
			}
			if e, ok := r.Record.(broker.Expert); ok && e.Contact.Phone != "" && p.Role != broker.RolePlatformAdmin {
				t.Fatalf("%+v got an expert's contact data", p)
			}
		}
	}
	readable := func(p broker.Principal, kind broker.Kind) int {
		n := 0
		switch kind {
		case broker.KindAchievement:
			all, _ := sys.Achievements.Find(ctx, p, broker.ListOptions{})
			n = len(all)
		case broker.KindDemand:
			all, _ := sys.Demands.Find(ctx, p, broker.ListOptions{})
			n = len(all)
		}
		return n
	}
	for range 60 {
		p := randomPrincipal()
		d := dems[rng.IntN(len(dems))]
		rs, err := svc.MatchDemand(ctx, p, d, &match.MatchOptions{K: 20})
		if err == nil {
			check(p, rs)
		} else if !errors.Is(err, broker.ErrForbidden) {
			t.Fatal(err)
		}
		a := achs[rng.IntN(len(achs))]
		if m, err := svc.MatchAchievement(ctx, p, a, &match.MatchOptions{K: 20}); err == nil {
			check(p, m.Demands)
		} else if !errors.Is(err, broker.ErrForbidden) {
			t.Fatal(err)
		}
		if rs, err := svc.SimilarAchievements(ctx, p, a, &match.MatchOptions{K: 20}); err == nil {
			check(p, rs)
		}
		if rs, err := svc.Experts(ctx, p, a, nil); err == nil {
			check(p, rs)
		}
		// Search with no text: every readable achievement matches, so
		// pages are full until the last and the total is what Find sees.
		q := match.SearchQuery{Kinds: []broker.Kind{broker.KindAchievement}, Limit: 25, Order: match.ByID}
		seen := 0
		for {
			pg, err := svc.Search(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			check(p, pg.Results)
			seen += len(pg.Results)
			if pg.Total != readable(p, broker.KindAchievement) {
				t.Fatalf("%+v: search total %d, Find sees %d", p, pg.Total, readable(p, broker.KindAchievement))
			}
			if pg.Next == "" {
				break
			}
			if len(pg.Results) != 25 {
				t.Fatalf("%+v: a page of %d with a next page", p, len(pg.Results))
			}
			q.Cursor = pg.Next
		}
		if seen != readable(p, broker.KindAchievement) {
			t.Fatalf("%+v: pages held %d, Find sees %d", p, seen, readable(p, broker.KindAchievement))
		}
		f := matchFields[rng.IntN(len(matchFields))]
		pg, err := svc.Search(ctx, p, match.SearchQuery{Text: f.words[0] + " " + f.words[1], Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		check(p, pg.Results)
	}
}

// testDeclineRestart: a recorded decline reaches the index through the
// log, marks its pair, and still does in a Service started afterwards.
func testDeclineRestart(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := newMatchSystem(t, s)
	admin := broker.PlatformAdmin("admin")
	g := newMatchGen(19, sys)
	for range 20 {
		g.achievement(ctx, t)
	}
	d, err := sys.Demands.Create(ctx, admin, broker.Demand{Enterprise: "企业甲", Title: "水质在线监测", Problem: "深远海养殖网箱的水质在线监测"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱水质在线监测系统", Keywords: []string{"水质在线监测"}})
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, sys, nil)
	ent := broker.EnterpriseUser("e", "企业甲")
	before, err := svc.MatchDemand(ctx, ent, d.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 || before[0].Ref.ID != a.ID {
		t.Fatalf("before the decline: %v, want %s first", ids(before), a.ID)
	}
	if _, err := sys.RecordFeedback(ctx, ent, broker.Feedback{Subject: broker.Ref(a), Reason: broker.DeclinePrice}); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*match.Service{svc, newService(t, broker.New(s, nil), nil)} { // the second is a restart
		rs, err := svc.MatchDemand(ctx, ent, d.ID, &match.MatchOptions{K: 30})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(rs, func(r match.Result) bool { return r.Ref.ID == a.ID })
		if i < 0 {
			t.Fatalf("the declined achievement is gone from %v; want it ranked lower, with a note", ids(rs))
		}
		if !slices.Contains(rs[i].Explanation.Notes, "declined before: price") || rs[i].Score >= before[0].Score {
			t.Errorf("declined: score %v (was %v), notes %v; want lower, with \"declined before: price\"", rs[i].Score, before[0].Score, rs[i].Explanation.Notes)
		}
		m, err := svc.MatchAchievement(ctx, admin, a.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range m.Demands {
			if r.Ref.ID == d.ID && !slices.Contains(r.Explanation.Notes, "declined before: price") {
				t.Errorf("the other direction: %s has notes %v", d.ID, r.Explanation.Notes)
			}
		}
	}
}

// testSearchPaging: paging a search while other records are written,
// changed and deleted never repeats or skips a record that did not change.
func testSearchPaging(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := newMatchSystem(t, s)
	g := newMatchGen(23, sys)
	var stable []string
	for range 120 {
		stable = append(stable, g.achievement(ctx, t).ID)
	}
	svc := newService(t, sys, nil)
	writer := newMatchGen(29, sys)
	var churn []string
	for range 30 {
		churn = append(churn, writer.achievement(ctx, t).ID)
	}
	admin := broker.PlatformAdmin("admin")
	for _, q := range []match.SearchQuery{
		{Text: "海洋技术 水质监测 数字孪生", Limit: 7},
		{Text: "机器人", Limit: 5, Order: match.ByNewest},
		{Kinds: []broker.Kind{broker.KindAchievement}, Limit: 9},
	} {
		seen := map[string]int{}
		pages := 0
		for {
			pg, err := svc.Search(ctx, admin, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range pg.Results {
				seen[r.Ref.ID]++
			}
			pages++
			if pg.Next == "" {
				break
			}
			q.Cursor = pg.Next
			// Writes between the pages: other records change, are deleted
			// and are added, some of them matching the query.
			for range 3 {
				churn = writer.mutate(ctx, t, churn)
				churn = append(churn, writer.achievement(ctx, t).ID)
			}
		}
		// The stable records a query matches: ask again now that writes
		// stopped, without paging.
		q.Cursor, q.Limit = "", 1000
		all, err := svc.Search(ctx, admin, q)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, r := range all.Results {
			if !slices.Contains(stable, r.Ref.ID) {
				continue
			}
			want++
			if seen[r.Ref.ID] != 1 {
				t.Errorf("%q: stable record %s seen %d times over %d pages", q.Text, r.Ref.ID, seen[r.Ref.ID], pages)
			}
		}
		for _, id := range stable {
			if seen[id] > 1 {
				t.Errorf("%q: %s repeated", q.Text, id)
			}
		}
		if want == 0 {
			t.Errorf("%q matched no stable record: the test tests nothing", q.Text)
		}
	}
}
