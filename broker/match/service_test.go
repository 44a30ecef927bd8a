package match_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/router"
)

var admin = broker.PlatformAdmin("admin")

func newSystem(t testing.TB) *broker.System {
	t.Helper()
	sys := broker.New(memstore.New(), &broker.Options{NewID: broker.SequentialIDs()})
	for _, b := range []string{"marine-tech", "pediatrics"} {
		if _, err := sys.Brokers.Create(context.Background(), admin, broker.IndustryBroker{Meta: broker.Meta{ID: b}, Name: b}); err != nil {
			t.Fatal(err)
		}
	}
	return sys
}

func trainRouter(t testing.TB) *router.Router {
	t.Helper()
	var ex []router.Example
	for _, s := range []string{"深远海养殖网箱", "水下机器人巡检", "海水淡化膜", "船舶导航雷达", "渔业资源监测", "海洋水质在线监测"} {
		ex = append(ex, router.Example{Text: s, Label: "marine-tech"})
	}
	for _, s := range []string{"新生儿黄疸检测", "儿童哮喘雾化", "儿科疫苗接种", "儿童生长发育评估", "新生儿遗传筛查", "儿科呼吸治疗"} {
		ex = append(ex, router.Example{Text: s, Label: "pediatrics"})
	}
	r, err := router.Train(ex, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRoutingOnArrival: with a router, a new achievement without a broker
// gets one suggestion however many instances catch up; staff confirm or
// override it, which routes the record, and the figures count both.
func TestRoutingOnArrival(t *testing.T) {
	ctx := context.Background()
	sys := newSystem(t)
	rt := trainRouter(t)
	one, err := match.New(sys, &match.Options{Router: rt})
	if err != nil {
		t.Fatal(err)
	}
	two, err := match.New(broker.New(mustStore(t, sys), nil), &match.Options{Router: rt})
	if err != nil {
		t.Fatal(err)
	}
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱水质监测"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := sys.Demands.Create(ctx, admin, broker.Demand{Enterprise: "某医院", Title: "新生儿黄疸快速检测", Problem: "需要无创检测"})
	if err != nil {
		t.Fatal(err)
	}
	routed, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "水下机器人", Meta: broker.Meta{Broker: "marine-tech"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*match.Service{one, two, one} {
		if _, err := svc.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	all, err := broker.NewLibrary[match.Suggestion](sys).Find(ctx, admin, broker.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("got %d suggestions, want 2 (one per unrouted arrival): %+v", len(all), all)
	}
	staff := broker.BrokerStaff("s1", "marine-tech")
	sg, err := one.Suggest(ctx, staff, broker.Ref(a))
	if err != nil {
		t.Fatal(err)
	}
	if sg.Suggested != "marine-tech" || sg.Confidence <= 0 || sg.Outcome() != match.Open {
		t.Errorf("suggestion %+v: want marine-tech, open", sg)
	}
	if _, err := one.Suggest(ctx, broker.EnterpriseUser("x", "别的企业"), broker.Ref(a)); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another enterprise reads a suggestion: got %v, want ErrForbidden", err)
	}
	if _, err := one.Suggest(ctx, admin, broker.Ref(routed)); err != nil {
		t.Errorf("a routed record's suggestion is computed on request: %v", err)
	}
	// Staff of another desk may not route a record routed elsewhere; an
	// unrouted one they may.
	if _, err := one.Decide(ctx, broker.BrokerStaff("s2", "pediatrics"), broker.Ref(routed), "pediatrics"); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk routes a routed record: got %v, want ErrForbidden", err)
	}
	got, err := one.Decide(ctx, staff, broker.Ref(a), "marine-tech")
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome() != match.Confirmed || got.DecidedBy != "s1" {
		t.Errorf("decision %+v: want confirmed by s1", got)
	}
	if _, err := one.Decide(ctx, staff, broker.Ref(a), "pediatrics"); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("a second decision: got %v, want ErrConflict", err)
	}
	if _, err := one.Decide(ctx, admin, broker.Ref(d), "marine-tech"); err != nil { // the router said pediatrics
		t.Fatal(err)
	}
	if _, err := one.Decide(ctx, admin, broker.Ref(d), "nowhere"); !errors.Is(err, match.ErrInvalid) {
		t.Errorf("an unknown broker: got %v, want ErrInvalid", err)
	}
	a2, _ := sys.Achievements.Get(ctx, admin, a.ID)
	d2, _ := sys.Demands.Get(ctx, admin, d.ID)
	if a2.Broker != "marine-tech" || d2.Broker != "marine-tech" {
		t.Errorf("after the decisions: achievement at %q, demand at %q, want both at marine-tech", a2.Broker, d2.Broker)
	}
	f, err := one.RoutingAccuracy(ctx, admin, broker.ReportPeriod{})
	if err != nil {
		t.Fatal(err)
	}
	if f != (match.RoutingFigures{Decided: 2, Confirmed: 1, Overridden: 1, Accuracy: 0.5}) {
		t.Errorf("figures %+v, want 2 decided, 1 confirmed, 1 overridden", f)
	}
	if f, _ := one.RoutingAccuracy(ctx, admin, broker.ReportPeriod{To: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}); f.Decided != 0 {
		t.Errorf("a period before every decision counts %d", f.Decided)
	}
	if _, err := match.New(sys, nil); err != nil {
		t.Fatal(err)
	}
	noRouter, _ := match.New(sys, nil)
	if _, err := noRouter.Suggest(ctx, admin, broker.Ref(routed)); !errors.Is(err, match.ErrNoRouter) {
		t.Errorf("no router: got %v, want ErrNoRouter", err)
	}
}

func mustStore(t testing.TB, sys *broker.System) broker.Store {
	t.Helper()
	var s broker.Store
	if !sys.As(&s) {
		t.Fatal("no store")
	}
	return s
}

// TestFollow: Follow catches up as the log grows and returns ctx's error
// when cancelled.
func TestFollow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sys := newSystem(t)
	svc, err := match.New(sys, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Follow(ctx) }()
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "海水淡化"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for svc.Index().Len(broker.KindAchievement) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("Follow did not index %s", a.ID)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Follow returned %v, want context.Canceled", err)
	}
}

type memSnaps struct{ b []byte }

func (m *memSnaps) Save(ctx context.Context, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	m.b = buf.Bytes()
	return nil
}

func (m *memSnaps) Load(ctx context.Context, read func(io.Reader) error) error {
	if m.b == nil {
		return match.ErrNoSnapshot
	}
	return read(bytes.NewReader(m.b))
}

// TestSnapshotRefused: a snapshot of another analyzer configuration, of
// other engine parameters, of another format or cut short is refused with
// ErrSnapshot, and the index keeps what it had; the router travels with
// the snapshot.
func TestSnapshotRefused(t *testing.T) {
	ctx := context.Background()
	sys := newSystem(t)
	if _, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "海水淡化膜"}); err != nil {
		t.Fatal(err)
	}
	src, _ := match.New(sys, &match.Options{Router: trainRouter(t)})
	if _, err := src.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	snaps := &memSnaps{}
	if err := src.Save(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	other := analysis.New(&analysis.Options{NoUnigrams: true})
	for name, opts := range map[string]*match.Options{
		"analyzer": {Engine: &matching.Options{Analyzer: other}},
		"boosts":   {Engine: &matching.Options{TitleBoost: 3}},
	} {
		svc, err := match.New(sys, opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		err = svc.Restore(ctx, snaps)
		if !errors.Is(err, match.ErrSnapshot) {
			t.Errorf("%s: got %v, want ErrSnapshot", name, err)
		}
		if svc.Index().Len(broker.KindAchievement) != 1 {
			t.Errorf("%s: the refused restore changed the index", name)
		}
	}
	for name, b := range map[string][]byte{
		"format": append([]byte("TBMSNAP9"), snaps.b[8:]...),
		"short":  snaps.b[:len(snaps.b)/2],
		"empty":  {},
	} {
		svc, _ := match.New(sys, nil)
		if err := svc.Restore(ctx, &memSnaps{b: b}); !errors.Is(err, match.ErrSnapshot) {
			t.Errorf("%s: got %v, want ErrSnapshot", name, err)
		} else if !strings.Contains(err.Error(), "match: restore") {
			t.Errorf("%s: the error %q does not say what refused it", name, err)
		}
	}
	svc, _ := match.New(sys, nil)
	if err := svc.Restore(ctx, &memSnaps{}); !errors.Is(err, match.ErrNoSnapshot) {
		t.Errorf("no snapshot: got %v, want ErrNoSnapshot", err)
	}
	if err := svc.Restore(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Suggest(ctx, admin, broker.RecordRef{Kind: broker.KindAchievement, ID: "ach-000001"}); err != nil {
		t.Errorf("the router came with the snapshot: %v", err)
	}
}

// TestExpertsAndAffinity: experts for an achievement come from the same
// index, without their contact data, and Affinity gives panel planning
// their scores.
func TestExpertsAndAffinity(t *testing.T) {
	ctx := context.Background()
	sys := newSystem(t)
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱水质监测", Disciplines: []string{"170"}})
	if err != nil {
		t.Fatal(err)
	}
	near, err := sys.Experts.Create(ctx, admin, broker.Expert{Name: "王", Keywords: []string{"水质监测", "深远海养殖"}, Disciplines: []string{"170"},
		Contact: broker.Contact{Phone: "13800000000"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sys.Experts.Create(ctx, admin, broker.Expert{Name: "李", Keywords: []string{"新生儿黄疸"}}); err != nil {
		t.Fatal(err)
	}
	svc, _ := match.New(sys, nil)
	staff := broker.BrokerStaff("s", "marine-tech")
	rs, err := svc.Experts(ctx, staff, a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Ref.ID != near.ID || rs[0].Record.(broker.Expert).Contact.Phone != "" {
		t.Fatalf("experts: got %+v, want %s alone, without contact data", rs, near.ID)
	}
	aff, err := svc.Affinity(ctx, staff, []string{a.ID}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if aff[a.ID][near.ID] <= 0 || len(aff[a.ID]) != 1 {
		t.Errorf("affinity %v: want %s alone, above 0", aff, near.ID)
	}
}
