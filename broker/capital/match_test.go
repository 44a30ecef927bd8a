package capital_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
)

// matchFixture: two achievements, one featured at a roadshow, and three
// investors.
func matchFixture(t *testing.T) (*fixture, broker.Achievement, broker.Achievement, activity.Activity) {
	f := newFixture(t)
	mk := func(a broker.Achievement) broker.Achievement {
		a, err := f.sys.Achievements.Create(ctx, admin, a)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	sea := mk(broker.Achievement{Title: "深远海智能养殖网箱", Keywords: []string{"海洋", "养殖", "网箱"}, Abstract: "用于深远海的智能养殖装备",
		Disciplines: []string{"240"}, Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6}, AskingPrice: dec("3000000"),
		Pricing: broker.FixedPrice, Meta: broker.Meta{Region: "上海市"}})
	other := mk(broker.Achievement{Title: "海洋养殖水质监测传感器", Keywords: []string{"海洋", "养殖", "传感器"}})
	act, err := f.acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Roadshow, Title: "海洋技术路演",
		Start: t0.Add(24 * time.Hour), End: t0.Add(27 * time.Hour), Capacity: 50,
		Featured: []broker.RecordRef{{Kind: broker.KindAchievement, ID: sea.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []capital.Investor{
		{Name: "蓝海创投", Keywords: []string{"海洋", "养殖"}, Thesis: "投资海洋养殖装备", Stages: []capital.InvestStage{capital.StageA},
			Ticket: broker.Range{Min: dec("1000000"), Max: dec("10000000")}, Regions: []string{"上海市"}, Disciplines: []string{"240"}},
		{Name: "早期天使", Keywords: []string{"海洋"}, Thesis: "海洋早期项目", Stages: []capital.InvestStage{capital.StageSeed},
			Ticket: broker.Range{Min: dec("100000"), Max: dec("500000")}, Regions: []string{"浙江省"}},
		{Name: "医疗基金", Keywords: []string{"医疗器械"}, Thesis: "只投医疗", Stages: []capital.InvestStage{capital.StageB}},
	} {
		if _, err := f.cp.Investors.Create(ctx, admin, v); err != nil {
			t.Fatal(err)
		}
	}
	return f, sea, other, act
}

func TestMatchInvestors(t *testing.T) {
	f, sea, other, act := matchFixture(t)
	ms, err := f.cp.MatchInvestors(ctx, staff, sea.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"蓝海创投", "早期天使"}) {
		t.Fatalf("ranking: got %v, want 蓝海创投 then 早期天使 (医疗基金 shares no term)", names)
	}
	top := ms[0]
	sig := map[string]float64{}
	sum := 0.0
	for _, s := range top.Signals {
		sig[s.Name] = s.Value
		sum += s.Contribution
	}
	if sig["stage"] != 1 || sig["ticket"] != 1 || sig["region"] != 1 || sig["discipline"] != 1 {
		t.Errorf("top signals: got %v", sig)
	}
	for _, replaced := range []string{"readiness", "budget"} {
		if _, ok := sig[replaced]; ok {
			t.Errorf("the engine's %s signal is replaced by the investor signals: got %v", replaced, sig)
		}
	}
	if math.Abs(sum-top.Score) > 1e-9 {
		t.Errorf("score %v is not the sum of contributions %v", top.Score, sum)
	}
	if len(top.Reasons) != 3 || len(top.Terms) == 0 || top.Achievement != sea.ID {
		t.Errorf("explanation: reasons %v terms %v achievement %q", top.Reasons, top.Terms, top.Achievement)
	}
	second := map[string]float64{}
	for _, s := range ms[1].Signals {
		second[s.Name] = s.Value
	}
	if second["ticket"] != 0 || second["region"] != 0 || second["stage"] >= 1 {
		t.Errorf("second's signals: got %v", second)
	}
	if ms, err := f.cp.MatchInvestors(ctx, staff, sea.ID, &capital.MatchOptions{K: 1}); err != nil || len(ms) != 1 || ms[0].Name != "蓝海创投" {
		t.Errorf("K 1: got %v, %v", ms, err)
	}
	_, err = f.cp.MatchInvestors(ctx, staff, other.ID, nil)
	if fe := fieldError(t, err); fe.Field != "id" || fe.Code != "invalid" || !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("achievement not on offer: got %v, want ErrInvalid on id", err)
	}
	if _, err := f.cp.MatchInvestors(ctx, broker.Anonymous(), sea.ID, nil); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("anonymous: got %v, want ErrForbidden", err)
	}
	if _, err := f.cp.MatchInvestors(ctx, staff, "ach-999999", nil); !errors.Is(err, broker.ErrNotFound) {
		t.Errorf("unknown achievement: got %v, want ErrNotFound", err)
	}
	// A confidential investor is matched only for those who may read it.
	if _, err := f.cp.Investors.Create(ctx, admin, capital.Investor{Name: "保密基金", Keywords: []string{"海洋", "养殖", "网箱"},
		Meta: broker.Meta{Visibility: broker.Confidential}}); err != nil {
		t.Fatal(err)
	}
	if ms, _ := f.cp.MatchInvestors(ctx, staff, sea.ID, nil); len(ms) != 2 {
		t.Errorf("staff sees a confidential investor: got %d matches, want 2", len(ms))
	}
	if ms, _ := f.cp.MatchInvestors(ctx, admin, sea.ID, nil); len(ms) != 3 {
		t.Errorf("admin: got %d matches, want 3", len(ms))
	}
	offers, err := f.cp.Offers(ctx, staff)
	if err != nil || len(offers) != 1 || offers[0].Achievement != sea.ID || !slices.Equal(offers[0].Activities, []string{act.ID}) || offers[0].Listed {
		t.Errorf("offers: got %+v, %v", offers, err)
	}
}

func TestMatchOffers(t *testing.T) {
	f, sea, _, _ := matchFixture(t)
	page, err := f.cp.Investors.List(ctx, admin, broker.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := f.cp.MatchOffers(ctx, staff, page.Items[0].ID, &capital.MatchOptions{K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Achievement != sea.ID || ms[0].Investor != page.Items[0].ID || len(ms[0].Reasons) != 3 {
		t.Errorf("offers for 蓝海创投: got %+v, want only the roadshow achievement", ms)
	}
	_, err = f.cp.MatchOffers(ctx, staff, page.Items[0].ID, &capital.MatchOptions{K: -1})
	if fe := fieldError(t, err); fe.Field != "k" || fe.Code != "min" || fe.Value != "-1" {
		t.Errorf("K -1: got %v, want ErrInvalid on k", err)
	}
	if _, err := f.cp.MatchOffers(ctx, broker.Anonymous(), page.Items[0].ID, nil); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("anonymous: got %v, want ErrForbidden", err)
	}
	// An investor that nothing on offer shares a term with has no match.
	ms, err = f.cp.MatchOffers(ctx, staff, page.Items[2].ID, nil)
	if err != nil || len(ms) != 0 {
		t.Errorf("医疗基金: got %+v, %v; want no match", ms, err)
	}
}

// An achievement on an exchange listing is on offer (Listed); one whose
// confidential roadshow the principal may not read is still on offer, but
// its Offer does not name the roadshow.
func TestOffersFromTheExchange(t *testing.T) {
	f := newFixture(t)
	a, err := f.sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "水质在线监测", Keywords: []string{"海洋", "监测"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "儿童哮喘监测"})
	if err != nil {
		t.Fatal(err)
	}
	l := listing(t, f, a.ID, "")
	if offers, err := f.cp.Offers(ctx, staff); err != nil || len(offers) != 0 {
		t.Fatalf("offers with a draft listing: got %+v, %v; want none", offers, err)
	}
	if _, err := f.x.PublishListing(ctx, staff, l.ID, publish(l)); err != nil {
		t.Fatal(err)
	}
	closed, err := f.acts.Activities.Create(ctx, staffPeds, activity.Activity{Meta: broker.Meta{Broker: peds, Visibility: broker.Confidential},
		Kind: activity.InvestmentSalon, Title: "儿科投资沙龙", Start: t0.Add(time.Hour), End: t0.Add(2 * time.Hour), Capacity: 20,
		Featured: []broker.RecordRef{{Kind: broker.KindAchievement, ID: b.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	offers, err := f.cp.Offers(ctx, staff)
	if err != nil {
		t.Fatal(err)
	}
	want := []capital.Offer{{Achievement: a.ID, Listed: true}, {Achievement: b.ID}}
	if fmt.Sprint(offers) != fmt.Sprint(want) {
		t.Errorf("offers to marine staff: got %+v, want %+v", offers, want)
	}
	offers, _ = f.cp.Offers(ctx, staffPeds)
	if len(offers) != 2 || !slices.Equal(offers[1].Activities, []string{closed.ID}) {
		t.Errorf("offers to the salon's desk: got %+v, want it named", offers)
	}
	if _, err := f.cp.MatchInvestors(ctx, staff, a.ID, nil); err != nil {
		t.Errorf("match for a listed achievement: %v", err)
	}
}

// listing creates a fixed-price listing of marine-tech for an achievement
// (and its case, if any).
func listing(t testing.TB, f *fixture, achievement, caseID string) exchangeListing {
	t.Helper()
	l, err := f.x.CreateListing(ctx, staff, newListing(achievement, caseID))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// BenchmarkMatchInvestors ranks 500 investors for one roadshow achievement.
func BenchmarkMatchInvestors(b *testing.B) {
	f := newFixture(b)
	a, err := f.sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海智能养殖网箱", Keywords: []string{"海洋", "养殖", "网箱"},
		Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6}, AskingPrice: decimal.NewFromInt(3000000)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Roadshow, Title: "路演",
		Start: t0, End: t0.Add(time.Hour), Capacity: 10, Featured: []broker.RecordRef{{Kind: broker.KindAchievement, ID: a.ID}}}); err != nil {
		b.Fatal(err)
	}
	words := []string{"海洋", "养殖", "医疗", "芯片", "材料", "网箱", "能源", "装备"}
	for i := range 500 {
		v := capital.Investor{Name: fmt.Sprintf("基金%03d", i), Keywords: []string{words[i%8], words[(i/8)%8]},
			Stages: []capital.InvestStage{capital.InvestStages()[i%8]}, Ticket: broker.Range{Min: decimal.NewFromInt(int64(i) * 10000)}}
		if _, err := f.cp.Investors.Create(ctx, admin, v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.cp.MatchInvestors(ctx, staff, a.ID, nil); err != nil {
			b.Fatal(err)
		}
	}
}
