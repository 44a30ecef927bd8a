package match_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/match"
)

// TestInvestorsAsCapitalRanks: for an achievement on offer, the index
// ranks investors as capital's per-request engine does — the same
// investors, order, scores and reasons — when they are fewer than the
// index's candidates; anonymous principals are refused as by capital.
func TestInvestorsAsCapitalRanks(t *testing.T) {
	ctx := context.Background()
	sys := newSystem(t)
	x, acts := exchange.New(sys), activity.New(sys)
	cp := capital.New(sys, x, acts)
	staff := broker.BrokerStaff("s1", "marine-tech")
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海智能养殖网箱", Keywords: []string{"海洋", "养殖", "网箱"},
		Abstract: "用于深远海的智能养殖装备", Disciplines: []string{"240"}, Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6},
		AskingPrice: decimal.RequireFromString("3000000"), Meta: broker.Meta{Region: "上海市", Broker: "marine-tech"}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	if _, err := acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: "marine-tech"}, Kind: activity.Roadshow,
		Title: "路演", Start: start, End: start.Add(3 * time.Hour), Capacity: 50, Featured: []broker.RecordRef{broker.Ref(a)}}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"海洋", "养殖", "网箱", "深远海", "智能", "装备", "医疗", "芯片", "材料", "水质"}
	stages := capital.InvestStages()
	regions := []string{"上海市", "浙江省", "江苏省"}
	for i := range 40 {
		v := capital.Investor{Name: fmt.Sprintf("基金%02d", i), Keywords: []string{words[rng.IntN(len(words))], words[rng.IntN(len(words))]},
			Thesis: "投资" + words[rng.IntN(len(words))] + "与" + words[rng.IntN(len(words))], Stages: []capital.InvestStage{stages[rng.IntN(len(stages))]},
			Ticket: broker.Range{Min: decimal.NewFromInt(int64(rng.IntN(3)) * 1000000), Max: decimal.NewFromInt(int64(2+rng.IntN(8)) * 1000000)}}
		if rng.IntN(2) == 0 {
			v.Regions = []string{regions[rng.IntN(len(regions))]}
		}
		if rng.IntN(3) == 0 {
			v.Disciplines = []string{"240"}
		}
		if _, err := cp.Investors.Create(ctx, admin, v); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := match.New(sys, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []broker.Principal{admin, staff, broker.EnterpriseUser("e", "某企业")} {
		want, err := cp.MatchInvestors(ctx, p, a.ID, &capital.MatchOptions{K: 15})
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.MatchInvestors(ctx, p, a.ID, &match.MatchOptions{K: 15})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%+v: %d investors, capital ranks %d", p, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Ref.ID != w.Investor || fmt.Sprintf("%.9f", g.Score) != fmt.Sprintf("%.9f", w.Score) ||
				fmt.Sprint(g.Explanation.Notes) != fmt.Sprint(w.Reasons) {
				t.Errorf("%+v, rank %d: got %s %.6f %v, capital %s %.6f %v", p, i, g.Ref.ID, g.Score, g.Explanation.Notes, w.Investor, w.Score, w.Reasons)
			}
			if v := g.Record.(capital.Investor); v.Contact != (broker.Contact{}) && p.Role != broker.RolePlatformAdmin {
				t.Errorf("an investor's contact data reached %+v", p)
			}
		}
	}
	if _, err := svc.MatchInvestors(ctx, broker.Anonymous(), a.ID, nil); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("anonymous: got %v, want ErrForbidden", err)
	}

	// Offers for an investor: only achievements on offer, with the fit
	// reasons; capital ranks its one offer first too.
	if _, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱监测平台", Keywords: []string{"海洋", "养殖"}}); err != nil {
		t.Fatal(err)
	}
	invs, err := cp.Investors.Find(ctx, admin, broker.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, v := range invs[:10] {
		want, err := cp.MatchOffers(ctx, staff, v.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.MatchOffers(ctx, staff, cp, v.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("offers for %s: got %d, capital %d", v.ID, len(got), len(want))
		}
		found += len(got)
		for i := range got {
			if got[i].Ref.ID != a.ID || got[i].Ref.ID != want[i].Achievement || len(got[i].Explanation.Notes) != 3 {
				t.Errorf("offers for %s: got %s %v, want %s (the one on offer) with three reasons", v.ID, got[i].Ref.ID, got[i].Explanation.Notes, a.ID)
			}
		}
	}
	if found == 0 {
		t.Error("no investor had an offer: the test tests nothing")
	}
}
