package matching

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestReadinessFit(t *testing.T) {
	tests := []struct {
		min, level int
		want       float64
	}{
		{0, 5, 0.5}, {5, 0, 0.5}, {5, 5, 1}, {5, 9, 1}, {6, 5, 2.0 / 3}, {9, 3, 0}, {9, 1, 0},
	}
	for _, tt := range tests {
		if got := ReadinessFit(tt.min, tt.level); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("ReadinessFit(%d, %d) = %v, want %v", tt.min, tt.level, got, tt.want)
		}
	}
}

func TestBudgetFit(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		price, budget string
		want          float64
	}{
		{"0", "100", 0.5}, {"100", "0", 0.5}, {"100", "100", 1}, {"50", "100", 1},
		{"150", "100", 0.5}, {"200", "100", 0}, {"1000", "100", 0}, {"100.01", "100", 0.9999},
	}
	for _, tt := range tests {
		if got := BudgetFit(d(tt.price), d(tt.budget)); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("BudgetFit(%s, %s) = %v, want %v", tt.price, tt.budget, got, tt.want)
		}
	}
}

func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	docs := []Document{
		{Kind: Achievement, ID: "bat", Title: "锂离子电池正极材料", Keywords: []string{"锂电池"}, Disciplines: []string{"材料"}, Readiness: 6, Price: decimal.NewFromInt(100), Region: "上海"},
		{Kind: Achievement, ID: "bat2", Title: "固态锂电池电解质", Keywords: []string{"固态电池"}, Disciplines: []string{"材料"}, Readiness: 3, Price: decimal.NewFromInt(500)},
		{Kind: Achievement, ID: "fish", Title: "海水鱼类养殖病害检测", Keywords: []string{"养殖"}, Disciplines: []string{"水产"}},
		{Kind: Demand, ID: "need-bat", Abstract: "寻找锂电池正极材料供应技术", Disciplines: []string{"材料"}, Readiness: 5, BudgetMax: decimal.NewFromInt(200)},
		{Kind: Demand, ID: "need-fish", Abstract: "鱼类病害快速检测", Disciplines: []string{"水产"}},
	}
	for _, d := range docs {
		if err := e.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestMatchDirections(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		q     Query
		first string
		kind  Kind
		not   string
	}{
		{"demand to achievements", Query{Direction: DemandToAchievements, Source: Document{Kind: Demand, Abstract: "锂电池正极", Readiness: 5, BudgetMax: decimal.NewFromInt(200)}}, "bat", Achievement, ""},
		{"achievement to demands", Query{Direction: AchievementToDemands, Source: Document{Kind: Achievement, ID: "fish", Title: "海水鱼类养殖病害检测"}}, "need-fish", Demand, ""},
		{"similar achievements", Query{Direction: SimilarAchievements, Source: Document{Kind: Achievement, ID: "bat", Title: "锂离子电池正极材料", Keywords: []string{"锂电池"}}}, "bat2", Achievement, "bat"},
		{"expert to achievements", Query{Direction: ExpertToAchievements, Expert: Expert{ID: "x", Keywords: []string{"养殖", "病害"}}}, "fish", Achievement, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := e.Match(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) == 0 || ms[0].ID != tt.first || ms[0].Kind != tt.kind {
				t.Fatalf("got %+v, want %s (%v) first", ms, tt.first, tt.kind)
			}
			for _, m := range ms {
				if m.ID == tt.not {
					t.Errorf("source %s returned as its own match", m.ID)
				}
				sum := 0.0
				for _, s := range m.Explanation.Signals {
					if math.Abs(s.Contribution-s.Value*s.Weight) > 1e-12 {
						t.Errorf("%s: signal %s contribution %v, want %v × %v", m.ID, s.Name, s.Contribution, s.Value, s.Weight)
					}
					sum += s.Contribution
				}
				if math.Abs(sum-m.Score) > 1e-9 {
					t.Errorf("%s: signals sum to %v, score is %v", m.ID, sum, m.Score)
				}
			}
			if len(ms[0].Explanation.Terms) == 0 {
				t.Errorf("%s: no matched terms", ms[0].ID)
			}
		})
	}
}

func TestSignalsChangeRanking(t *testing.T) {
	e := newTestEngine(t)
	// Both battery achievements match the text; the readiness and budget
	// fit of "bat" should put it first, and declining it should drop it.
	q := Query{Direction: DemandToAchievements, Source: Document{Kind: Demand, ID: "d", Abstract: "锂电池", Readiness: 5, BudgetMax: decimal.NewFromInt(200), Disciplines: []string{"材料"}}}
	ms, err := e.Match(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 || ms[0].ID != "bat" {
		t.Fatalf("got %+v, want bat first", ms)
	}
	e.Decline("d", "bat")
	ms, _ = e.Match(context.Background(), q)
	if ms[0].ID == "bat" {
		t.Errorf("declined achievement still first: %+v", ms)
	}
	last := ms[len(ms)-1].Explanation.Signals
	if got := last[len(last)-1].Name; got != "declined" {
		t.Errorf("last signal of the declined match is %q, want declined", got)
	}
}

func TestEngineErrors(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		name string
		err  error
	}{
		{"no id", e.Add(Document{Kind: Achievement})},
		{"bad kind", e.Add(Document{ID: "x"})},
		{"bad readiness", e.Add(Document{Kind: Achievement, ID: "x", Readiness: 10})},
		{"negative price", e.Add(Document{Kind: Achievement, ID: "x", Price: decimal.NewFromInt(-1)})},
		{"bad direction", func() error { _, err := e.Match(context.Background(), Query{}); return err }()},
		{"negative k", func() error {
			_, err := e.Match(context.Background(), Query{Direction: DemandToAchievements, K: -1})
			return err
		}()},
	}
	for _, tt := range tests {
		var me *Error
		if !errors.Is(tt.err, ErrInvalid) || !errors.As(tt.err, &me) {
			t.Errorf("%s: got %v, want an *Error wrapping ErrInvalid", tt.name, tt.err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Match(ctx, Query{Direction: DemandToAchievements}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v, want context.Canceled", err)
	}
}

func TestRemove(t *testing.T) {
	e := newTestEngine(t)
	if !e.Remove(Achievement, "bat") || e.Remove(Achievement, "bat") {
		t.Fatal("Remove: want true then false")
	}
	if got := e.Len(Achievement); got != 2 {
		t.Errorf("Len got %d, want 2", got)
	}
	ms, _ := e.Match(context.Background(), Query{Direction: DemandToAchievements, Source: Document{Abstract: "锂离子电池正极材料"}})
	for _, m := range ms {
		if m.ID == "bat" {
			t.Error("removed achievement returned")
		}
	}
}

func TestAffinity(t *testing.T) {
	e := newTestEngine(t)
	experts := []Expert{
		{ID: "chem", Keywords: []string{"锂电池", "电解质"}, Disciplines: []string{"材料"}},
		{ID: "fish", Works: []string{"鱼类病害的快速检测方法"}, Disciplines: []string{"水产"}},
	}
	ids := []string{"bat", "bat2", "fish", "missing"}
	a, err := e.Affinity(context.Background(), experts, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		for j := range a[i] {
			if a[i][j] < 0 || a[i][j] > 1 {
				t.Errorf("affinity[%d][%d] = %v, want 0..1", i, j, a[i][j])
			}
		}
		if a[i][3] != 0 {
			t.Errorf("affinity to a missing achievement = %v, want 0", a[i][3])
		}
	}
	if !(a[0][1] > a[0][2] && a[1][2] > a[1][0]) {
		t.Errorf("affinities %v: want chem closer to bat2 than fish, fish closer to fish than bat", a)
	}
}

// MaxTerms leaves a short demand query whole, keeps a long one's heaviest
// terms (the rare words that tell what it is about) and refuses a negative
// bound.
func TestMatchMaxTerms(t *testing.T) {
	ctx := context.Background()
	e, err := NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	filler := "本项目研究技术方法系统应用"
	for i := range 60 {
		d := Document{Kind: Achievement, ID: fmt.Sprintf("a%02d", i), Title: fmt.Sprintf("通用技术方案%d", i), Abstract: strings.Repeat(filler, 3)}
		if i == 42 {
			d.Title, d.Abstract = "溶解氧传感器", "网箱溶解氧传感器与浮标"
		}
		if err := e.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(ms []Match) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	short := Document{Kind: Demand, Title: "溶解氧传感器"}
	whole, err := e.Match(ctx, Query{Direction: DemandToAchievements, Source: short, K: 5})
	if err != nil {
		t.Fatal(err)
	}
	capped, err := e.Match(ctx, Query{Direction: DemandToAchievements, Source: short, K: 5, MaxTerms: 96})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(whole), ids(capped)) {
		t.Errorf("a short query changed under MaxTerms: %v, then %v", ids(whole), ids(capped))
	}
	long := Document{Kind: Demand, Title: "溶解氧传感器", Abstract: strings.Repeat(filler+"，", 20) + "通用技术方案"}
	ms, err := e.Match(ctx, Query{Direction: DemandToAchievements, Source: long, K: 3, MaxTerms: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].ID != "a42" {
		t.Errorf("a long query capped to 8 terms ranks %v first, want a42 (its rare terms)", ids(ms))
	}
	if _, err := e.Match(ctx, Query{Direction: DemandToAchievements, Source: long, MaxTerms: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("MaxTerms -1: %v, want ErrInvalid", err)
	}
}
