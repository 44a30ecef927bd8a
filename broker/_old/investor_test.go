package broker_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
)

func evDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestInvestorValidation(t *testing.T) {
	sys, _ := evSystem(t)
	tests := []struct {
		name string
		v    broker.Investor
		want []string
	}{
		{"ticket backwards", broker.Investor{Name: "甲基金", Ticket: broker.Range{Min: evDec("5000000"), Max: evDec("1000000")}}, []string{"ticket.max:range_order"}},
		{"negative ticket", broker.Investor{Name: "乙基金", Ticket: broker.Range{Min: evDec("-1")}}, []string{"ticket.min:negative"}},
		{"unknown stage", broker.Investor{Name: "丙基金", Stages: []broker.InvestStage{"d"}}, []string{"stages[0]:oneof"}},
		{"no name", broker.Investor{}, []string{"name:required"}},
		{"open-ended ticket is fine", broker.Investor{Name: "丁基金", Ticket: broker.Range{Min: evDec("1000000")}}, nil},
		{"Chinese stage names", broker.Investor{Name: "戊基金", Stages: []broker.InvestStage{"天使轮", "A轮"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := sys.Investors.Create(ctx, admin, tt.v)
			if got := fieldCodes(err); !slices.Equal(got, tt.want) {
				t.Errorf("got %v (%v), want %v", got, err, tt.want)
			}
			if tt.name == "Chinese stage names" && !slices.Equal(v.Stages, []broker.InvestStage{broker.StageAngel, broker.StageA}) {
				t.Errorf("stages: got %v", v.Stages)
			}
		})
	}
	_, err := sys.Investors.Create(ctx, admin, tests[0].v)
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Param != "ticket.min 5000000" || ve.Fields[0].Value != "1000000" {
		t.Errorf("backwards ticket error: got %v", err)
	}
}

func TestInvestorContact(t *testing.T) {
	sys, _ := evSystem(t)
	fund := evOrg(t, sys, "蓝海创投", broker.OrgFund)
	v, err := sys.Investors.Create(ctx, broker.InstitutionUser("u-fund", fund.ID), broker.Investor{Name: "蓝海创投一期", OrgID: fund.ID,
		Contact: broker.Contact{Phone: "138"}, Meta: broker.Meta{Visibility: broker.Members}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Contact.Phone != "138" {
		t.Errorf("own principal sees contact: got %q", v.Contact.Phone)
	}
	got, err := sys.Investors.Get(ctx, evStaff, v.ID)
	if err != nil || got.Contact.Phone != "" {
		t.Errorf("broker staff: got %v %q, want the record without contact", err, got.Contact.Phone)
	}
	if _, err := sys.Investors.Create(ctx, evStaff, broker.Investor{Name: "x"}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("broker staff create: got %v, want ErrForbidden", err)
	}
}

func TestStageFit(t *testing.T) {
	bands := broker.DefaultStageReadiness()
	v := broker.Investor{Stages: []broker.InvestStage{broker.StageSeed, broker.StageAngel}}
	tests := []struct {
		level int
		want  float64
	}{{0, 0.5}, {2, 1}, {6, 1}, {7, 2.0 / 3}, {9, 0}}
	for _, tt := range tests {
		if got, why := broker.StageFit(v, tt.level, bands); got < tt.want-1e-9 || got > tt.want+1e-9 || why == "" {
			t.Errorf("StageFit(level %d): got %v (%q), want %v", tt.level, got, why, tt.want)
		}
	}
	if got, _ := broker.StageFit(broker.Investor{}, 5, bands); got != 0.5 {
		t.Errorf("no stages: got %v, want 0.5", got)
	}
}

// evMatchFixture: two achievements, one featured at a roadshow, and three
// investors.
func evMatchFixture(t *testing.T) (*broker.System, broker.Achievement, broker.Achievement, broker.Activity) {
	sys, _ := evSystem(t)
	mk := func(a broker.Achievement) broker.Achievement {
		a, err := sys.Achievements.Create(ctx, admin, a)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	sea := mk(broker.Achievement{Title: "深远海智能养殖网箱", Keywords: []string{"海洋", "养殖", "网箱"}, Abstract: "用于深远海的智能养殖装备",
		Disciplines: []string{"240"}, Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6}, AskingPrice: evDec("3000000"),
		Pricing: broker.FixedPrice, Meta: broker.Meta{Region: "上海市"}})
	other := mk(broker.Achievement{Title: "海洋养殖水质监测传感器", Keywords: []string{"海洋", "养殖", "传感器"}})
	act, err := sys.Activities.Create(ctx, evStaff, broker.Activity{Meta: broker.Meta{Broker: evBroker}, Kind: broker.Roadshow, Title: "海洋技术路演",
		Start: evT0.Add(24 * time.Hour), End: evT0.Add(27 * time.Hour), Capacity: 50,
		Featured: []broker.RecordRef{{Kind: broker.KindAchievement, ID: sea.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []broker.Investor{
		{Name: "蓝海创投", Keywords: []string{"海洋", "养殖"}, Thesis: "投资海洋养殖装备", Stages: []broker.InvestStage{broker.StageA},
			Ticket: broker.Range{Min: evDec("1000000"), Max: evDec("10000000")}, Regions: []string{"上海市"}, Disciplines: []string{"240"}},
		{Name: "早期天使", Keywords: []string{"海洋"}, Thesis: "海洋早期项目", Stages: []broker.InvestStage{broker.StageSeed},
			Ticket: broker.Range{Min: evDec("100000"), Max: evDec("500000")}, Regions: []string{"浙江省"}},
		{Name: "医疗基金", Keywords: []string{"医疗器械"}, Thesis: "只投医疗", Stages: []broker.InvestStage{broker.StageB}},
	} {
		if _, err := sys.Investors.Create(ctx, admin, v); err != nil {
			t.Fatal(err)
		}
	}
	return sys, sea, other, act
}

func TestMatchInvestors(t *testing.T) {
	sys, sea, other, _ := evMatchFixture(t)
	ms, err := sys.MatchInvestors(ctx, evStaff, sea.ID, nil)
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
	if d := sum - top.Score; d > 1e-9 || d < -1e-9 {
		t.Errorf("score %v is not the sum of contributions %v", top.Score, sum)
	}
	if len(top.Reasons) != 3 || len(top.Terms) == 0 {
		t.Errorf("explanation: reasons %v terms %v", top.Reasons, top.Terms)
	}
	second := map[string]float64{}
	for _, s := range ms[1].Signals {
		second[s.Name] = s.Value
	}
	if second["ticket"] != 0 || second["region"] != 0 || second["stage"] >= 1 {
		t.Errorf("second's signals: got %v", second)
	}
	if _, err := sys.MatchInvestors(ctx, evStaff, other.ID, nil); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("achievement not on offer: got %v, want ErrInvalid", err)
	}
	if _, err := sys.MatchInvestors(ctx, broker.Anonymous(), sea.ID, nil); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("anonymous: got %v, want ErrForbidden", err)
	}
	// A confidential investor is matched only for those who may read it.
	if _, err := sys.Investors.Create(ctx, admin, broker.Investor{Name: "保密基金", Keywords: []string{"海洋", "养殖", "网箱"},
		Meta: broker.Meta{Visibility: broker.Confidential}}); err != nil {
		t.Fatal(err)
	}
	if ms, _ := sys.MatchInvestors(ctx, evStaff, sea.ID, nil); len(ms) != 2 {
		t.Errorf("staff sees a confidential investor: got %d matches, want 2", len(ms))
	}
	if ms, _ := sys.MatchInvestors(ctx, admin, sea.ID, nil); len(ms) != 3 {
		t.Errorf("admin: got %d matches, want 3", len(ms))
	}
	offers, err := sys.Offers(ctx, evStaff)
	if err != nil || len(offers) != 1 || offers[0].Achievement != sea.ID || len(offers[0].Activities) != 1 {
		t.Errorf("offers: got %+v, %v", offers, err)
	}
}

func TestMatchOffers(t *testing.T) {
	sys, sea, _, _ := evMatchFixture(t)
	page, err := sys.Investors.List(ctx, admin, broker.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sys.MatchOffers(ctx, evStaff, page.Items[0].ID, &broker.InvestorMatchOptions{K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Achievement != sea.ID {
		t.Errorf("offers for 蓝海创投: got %+v, want only the roadshow achievement", ms)
	}
	if _, err := sys.MatchOffers(ctx, evStaff, page.Items[0].ID, &broker.InvestorMatchOptions{K: -1}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("K -1: got %v, want ErrInvalid", err)
	}
}

func TestInvestmentIntents(t *testing.T) {
	sys, sea, _, act := evMatchFixture(t)
	page, _ := sys.Investors.List(ctx, admin, broker.ListOptions{})
	inv := page.Items[0]
	c, err := sys.OpenCase(ctx, evStaff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: sea.ID}, Broker: evBroker})
	if err != nil {
		t.Fatal(err)
	}
	n, err := sys.RecordInvestmentIntent(ctx, evStaff, broker.InvestmentIntent{Case: c.ID, Investor: inv.ID, Amount: evDec("2000000"), Stage: "A轮", Activity: act.ID})
	if err != nil {
		t.Fatal(err)
	}
	if n.Lead == "" || n.Broker != evBroker || n.Stage != broker.StageA {
		t.Errorf("intent: got %+v", n)
	}
	if _, err := sys.RecordInvestmentIntent(ctx, evStaff, broker.InvestmentIntent{Case: c.ID, Investor: page.Items[1].ID, Amount: evDec("300000")}); err != nil {
		t.Fatal(err)
	}
	cv, err := sys.ActivityConversion(ctx, evStaff, act.ID)
	if err != nil || cv.Interests != 1 {
		t.Errorf("activity conversion: got %+v, %v; want 1 interest", cv, err)
	}
	f, err := sys.CapitalMatched(ctx, evStaff, evBroker, broker.ReportPeriod{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Intents != 2 || f.Investors != 2 || f.Cases != 1 || !f.Amount.Equal(evDec("2300000")) || !f.ByStage[broker.StageA].Equal(evDec("2000000")) {
		t.Errorf("capital figures: got %+v", f)
	}
	for _, tt := range []struct {
		name string
		n    broker.InvestmentIntent
		want []string
	}{
		{"unknown investor", broker.InvestmentIntent{Case: c.ID, Investor: "inv-999999", Amount: evDec("1")}, []string{"investor:ref"}},
		{"unknown case", broker.InvestmentIntent{Case: "case-999999", Investor: inv.ID}, []string{"case:ref"}},
		{"negative amount", broker.InvestmentIntent{Case: c.ID, Investor: inv.ID, Amount: evDec("-5")}, []string{"amount:negative"}},
	} {
		_, err := sys.RecordInvestmentIntent(ctx, evStaff, tt.n)
		if got := fieldCodes(err); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v (%v), want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := sys.RecordInvestmentIntent(ctx, broker.BrokerStaff("s", "other"), broker.InvestmentIntent{Case: c.ID, Investor: inv.ID}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other broker's staff: got %v, want ErrForbidden", err)
	}
}
