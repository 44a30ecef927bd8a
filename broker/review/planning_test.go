package review_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/matching/assign"
)

func TestConflictRules(t *testing.T) {
	a := broker.Achievement{Meta: broker.Meta{ID: "ach-1", Region: "上海市杨浦区"}, Title: "海水养殖", Owner: "上海海洋大学",
		Inventors: []broker.Inventor{{Name: "王海"}, {Name: "李渔", ExpertID: "exp-9"}}}
	d := broker.Demand{Meta: broker.Meta{ID: "dem-1"}, Enterprise: "东海水产有限公司", Title: "t", Problem: "p"}
	rules := review.DefaultConflictRules()
	for _, tc := range []struct {
		name   string
		e      broker.Expert
		rules  review.ConflictRules
		achHit []string
		demHit []string
	}{
		{"none", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "赵六", Institution: "复旦大学"}, rules, nil, nil},
		{"same institution", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "赵六", Institution: " 上海海洋大学 "}, rules, []string{"same_institution"}, nil},
		{"inventor by id", broker.Expert{Meta: broker.Meta{ID: "exp-9"}, Name: "别名"}, rules, []string{"coauthor"}, nil},
		{"inventor by name", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "王海"}, rules, []string{"coauthor"}, nil},
		{"co-author", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "钱七", Works: []broker.Work{{Title: "论文", Coauthors: []string{"王海"}}}}, rules, []string{"coauthor"}, nil},
		{"declared", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "孙八", Conflicts: []broker.Conflict{{Party: "上海海洋大学", Reason: "兼职"}, {Party: "东海水产有限公司"}}}, rules, []string{"declared"}, []string{"declared"}},
		{"employee", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "周九", Institution: "东海水产有限公司"}, rules, nil, []string{"employee"}},
		{"same city off", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "吴十", City: "上海"}, rules, nil, nil},
		{"same city on", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "吴十", City: "上海"}, review.ConflictRules{SameCity: true}, []string{"same_city"}, nil},
		{"rules off", broker.Expert{Meta: broker.Meta{ID: "e"}, Name: "王海", Institution: "上海海洋大学"}, review.ConflictRules{}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range tc.rules.AchievementConflicts(tc.e, a) {
				got = append(got, c.Rule)
				if c.Reason == "" || c.ExpertID != tc.e.ID || c.ItemID != a.ID {
					t.Errorf("conflict lacks detail: %+v", c)
				}
			}
			if !slices.Equal(got, tc.achHit) {
				t.Errorf("achievement conflicts: got %q, want %q", got, tc.achHit)
			}
			got = nil
			for _, c := range tc.rules.DemandConflicts(tc.e, d) {
				got = append(got, c.Rule)
			}
			if !slices.Equal(got, tc.demHit) {
				t.Errorf("demand conflicts: got %q, want %q", got, tc.demHit)
			}
		})
	}
}

func TestPlanPanels(t *testing.T) {
	achs := []broker.Achievement{
		{Meta: broker.Meta{ID: "a-marine"}, Title: "深远海养殖网箱水质监测", Keywords: []string{"养殖", "水质"}, Owner: "上海海洋大学", Disciplines: []string{"240"}},
		{Meta: broker.Meta{ID: "a-child"}, Title: "新生儿黄疸无创检测", Keywords: []string{"新生儿", "黄疸"}, Owner: "新华医院", Disciplines: []string{"320"}},
		{Meta: broker.Meta{ID: "a-print"}, Title: "水性油墨柔版印刷", Keywords: []string{"油墨", "印刷"}, Owner: "上海出版印刷高等专科学校", Disciplines: []string{"530"}},
	}
	var experts []broker.Expert
	kw := [][]string{{"养殖", "水质", "渔业"}, {"新生儿", "黄疸", "儿科"}, {"油墨", "印刷", "包装"}}
	for i := 0; i < 12; i++ {
		e := broker.Expert{Meta: broker.Meta{ID: fmt.Sprintf("e%02d", i)}, Name: fmt.Sprintf("专家%d", i), Keywords: kw[i%3], Institution: "某大学"}
		if i == 0 {
			e.Institution = "上海海洋大学" // best keywords for a-marine, but a conflict
		}
		experts = append(experts, e)
	}
	plan, err := review.PlanPanels(context.Background(), review.PanelRequest{Achievements: achs, Experts: experts, Cover: 3, MaxLoad: 1, Rules: review.DefaultConflictRules()})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Conflicts) != 1 || plan.Conflicts[0].ExpertID != "e00" {
		t.Errorf("conflicts: %+v", plan.Conflicts)
	}
	// Each panel is three experts of the item's keyword group (i%3): the
	// group of a-marine has exactly three once e00 is excluded; the other
	// two have four equally good experts, and any three are optimal.
	group := map[string][]string{"a-marine": {"e03", "e06", "e09"}, "a-child": {"e01", "e04", "e07", "e10"}, "a-print": {"e02", "e05", "e08", "e11"}}
	for item, allowed := range group {
		got := slices.Clone(plan.Panels[item])
		slices.Sort(got)
		if len(slices.Compact(got)) != 3 || slices.ContainsFunc(got, func(e string) bool { return !slices.Contains(allowed, e) }) {
			t.Errorf("panel of %s: got %q, want three of %q", item, got, allowed)
		}
	}
	if err := plan.Result.Verify(plan.Problem); err != nil {
		t.Errorf("the optimality certificate does not verify: %v", err)
	}
	// Everyone in conflict with one item: infeasible, and the error says which.
	for i := range experts {
		experts[i].Institution = "新华医院"
	}
	_, err = review.PlanPanels(context.Background(), review.PanelRequest{Achievements: achs, Experts: experts, Cover: 3, MaxLoad: 2, Rules: review.DefaultConflictRules()})
	var ie *assign.InfeasibleError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an InfeasibleError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "a-child") {
		t.Errorf("error does not name the item: %s", msg)
	}
}

// TestPlanPanelsDemandsLoadsExclusions: a demand gets a panel beside an
// achievement, with the demand's conflicts; an expert with no load left is
// not planned, one with one panel left takes at most one; an excluded pair
// stays apart and is reported with the conflicts; an achievement and a
// demand sharing an ID are refused.
func TestPlanPanelsDemandsLoadsExclusions(t *testing.T) {
	achs := []broker.Achievement{{Meta: broker.Meta{ID: "a-marine"}, Title: "深远海养殖网箱水质监测", Keywords: []string{"养殖", "水质"}, Owner: "上海海洋大学"}}
	dems := []broker.Demand{{Meta: broker.Meta{ID: "d-ink"}, Title: "水性油墨印刷质量提升", Keywords: []string{"油墨", "印刷"}, Enterprise: "蓝海印务"}}
	experts := []broker.Expert{
		{Meta: broker.Meta{ID: "e-fish1"}, Name: "甲", Keywords: []string{"养殖", "水质"}},
		{Meta: broker.Meta{ID: "e-fish2"}, Name: "乙", Keywords: []string{"养殖", "水质"}},
		{Meta: broker.Meta{ID: "e-ink1"}, Name: "丙", Keywords: []string{"油墨", "印刷"}, Institution: "蓝海印务"}, // employee of the enterprise
		{Meta: broker.Meta{ID: "e-ink2"}, Name: "丁", Keywords: []string{"油墨", "印刷"}},
		{Meta: broker.Meta{ID: "e-any1"}, Name: "戊", Keywords: []string{"材料"}},
		{Meta: broker.Meta{ID: "e-any2"}, Name: "己", Keywords: []string{"材料"}},
	}
	req := review.PanelRequest{Achievements: achs, Demands: dems, Experts: experts, Cover: 2, Rules: review.DefaultConflictRules(),
		LoadLeft: map[string]int{"e-fish1": 0, "e-ink2": 1},
		Exclude:  []review.ConflictOfInterest{{ExpertID: "e-fish2", ItemID: "d-ink", Rule: "declined", Reason: "出差"}, {ExpertID: "nobody", ItemID: "d-ink", Rule: "declined"}}}
	plan, err := review.PlanPanels(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Result.Verify(plan.Problem); err != nil {
		t.Fatalf("certificate: %v", err)
	}
	for item, panel := range plan.Panels {
		if slices.Contains(panel, "e-fish1") {
			t.Errorf("%s: an expert with no load left is on the panel %v", item, panel)
		}
	}
	if slices.Contains(plan.Panels["d-ink"], "e-ink1") || slices.Contains(plan.Panels["d-ink"], "e-fish2") {
		t.Errorf("demand panel %v holds the enterprise's employee or the excluded expert", plan.Panels["d-ink"])
	}
	if !slices.Contains(plan.Panels["a-marine"], "e-fish2") || plan.Load["e-ink2"] > 1 {
		t.Errorf("panels %v, loads %v: want e-fish2 on a-marine and e-ink2 on one panel at most", plan.Panels, plan.Load)
	}
	var rules []string
	for _, c := range plan.Conflicts {
		rules = append(rules, c.ExpertID+"/"+c.ItemID+"/"+c.Rule)
	}
	slices.Sort(rules)
	if want := []string{"e-fish2/d-ink/declined", "e-ink1/d-ink/employee"}; !slices.Equal(rules, want) {
		t.Errorf("conflicts: got %v, want %v", rules, want)
	}
	req.Demands[0].ID = "a-marine"
	if _, err := review.PlanPanels(context.Background(), req); !errors.Is(err, broker.ErrInvalid) || !strings.Contains(err.Error(), "demands[0].id") {
		t.Errorf("an achievement and a demand sharing an ID: got %v, want ErrInvalid naming demands[0].id", err)
	}
}

// Affinities given for an item replace the engine's: an index that likes
// the print experts for the marine result seats them there; an item it
// does not name keeps the engine's; a value outside 0..1 is refused with
// the pair named.
func TestPlanPanelsGivenAffinity(t *testing.T) {
	achs := []broker.Achievement{
		{Meta: broker.Meta{ID: "a-marine"}, Title: "深远海养殖网箱水质监测", Keywords: []string{"养殖", "水质"}, Owner: "上海海洋大学"},
		{Meta: broker.Meta{ID: "a-child"}, Title: "新生儿黄疸无创检测", Keywords: []string{"新生儿", "黄疸"}, Owner: "新华医院"},
	}
	kw := [][]string{{"养殖", "水质", "渔业"}, {"新生儿", "黄疸", "儿科"}, {"油墨", "印刷", "包装"}}
	var experts []broker.Expert
	for i := range 9 {
		experts = append(experts, broker.Expert{Meta: broker.Meta{ID: fmt.Sprintf("e%02d", i)}, Name: fmt.Sprintf("专家%d", i), Keywords: kw[i%3], Institution: "某大学"})
	}
	given := map[string]map[string]float64{"a-marine": {"e02": 0.9, "e05": 0.8, "e08": 0.7}}
	plan, err := review.PlanPanels(context.Background(), review.PanelRequest{Achievements: achs, Experts: experts, Cover: 3, MaxLoad: 1,
		Rules: review.DefaultConflictRules(), Affinity: given})
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(plan.Panels["a-marine"]))
	if !slices.Equal(got, []string{"e02", "e05", "e08"}) || plan.Affinity["a-marine"]["e02"] != 0.9 {
		t.Errorf("a-marine's panel %q with affinities %v, want the experts the given affinities prefer", got, plan.Affinity["a-marine"])
	}
	got = slices.Sorted(slices.Values(plan.Panels["a-child"]))
	if !slices.Equal(got, []string{"e01", "e04", "e07"}) {
		t.Errorf("a-child's panel %q, want the engine's choice (the paediatric experts)", got)
	}
	given["a-marine"]["e02"] = 1.5
	_, err = review.PlanPanels(context.Background(), review.PanelRequest{Achievements: achs, Experts: experts, Cover: 3, MaxLoad: 1,
		Rules: review.DefaultConflictRules(), Affinity: given})
	if !errors.Is(err, broker.ErrInvalid) || !strings.Contains(err.Error(), "affinity[a-marine][e02]") {
		t.Errorf("an affinity of 1.5: %v, want ErrInvalid naming the pair", err)
	}
}
