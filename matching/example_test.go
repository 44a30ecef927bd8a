package matching_test

import (
	"context"
	"fmt"

	"github.com/kexie/techbroker/matching"
	"github.com/shopspring/decimal"
)

func ExampleEngine_Match() {
	e, err := matching.NewEngine(nil)
	if err != nil {
		panic(err)
	}
	for _, d := range []matching.Document{
		{Kind: matching.Achievement, ID: "a1", Title: "高能量密度锂离子电池正极材料", Keywords: []string{"锂离子电池", "正极材料"},
			Readiness: 6, Price: decimal.NewFromInt(3_000_000), Region: "上海"},
		{Kind: matching.Achievement, ID: "a2", Title: "海水养殖病害快速检测试剂盒", Keywords: []string{"水产养殖", "病害检测"},
			Readiness: 7, Region: "浙江"},
	} {
		if err := e.Add(d); err != nil {
			panic(err)
		}
	}
	demand := matching.Document{Kind: matching.Demand, ID: "d1", Abstract: "我们需要提高电动车锂电池的能量密度",
		Readiness: 5, BudgetMax: decimal.NewFromInt(5_000_000), Region: "上海"}
	ms, err := e.Match(context.Background(), matching.Query{Direction: matching.DemandToAchievements, Source: demand, K: 5})
	if err != nil {
		panic(err)
	}
	for _, m := range ms {
		fmt.Printf("%s %.2f %v\n", m.ID, m.Score, m.Explanation.Terms)
		for _, s := range m.Explanation.Signals {
			fmt.Printf("  %-10s %.2f × %.2f = %.3f\n", s.Name, s.Value, s.Weight, s.Contribution)
		}
	}
	// Output:
	// a1 1.35 [能量密度 电池]
	//   text       1.00 × 1.00 = 1.000
	//   discipline 0.00 × 0.30 = 0.000
	//   industry   0.00 × 0.20 = 0.000
	//   readiness  1.00 × 0.15 = 0.150
	//   budget     1.00 × 0.15 = 0.150
	//   region     1.00 × 0.05 = 0.050
}

// keywordMatcher is a Matcher of one's own: here a toy that matches by
// shared keywords; in practice a client of a search cluster.
type keywordMatcher struct{ docs []matching.Document }

func (k keywordMatcher) Match(_ context.Context, q matching.Query) ([]matching.Match, error) {
	var out []matching.Match
	for _, d := range k.docs {
		n := 0
		for _, a := range q.Source.Keywords {
			for _, b := range d.Keywords {
				if a == b {
					n++
				}
			}
		}
		if n > 0 {
			s := matching.Signal{Name: "keywords", Value: 1, Weight: float64(n), Contribution: float64(n)}
			out = append(out, matching.Match{Kind: d.Kind, ID: d.ID, Score: float64(n), Explanation: matching.Explanation{Signals: []matching.Signal{s}}})
		}
	}
	return out, nil
}

func ExampleMatcher() {
	var m matching.Matcher = keywordMatcher{docs: []matching.Document{
		{Kind: matching.Achievement, ID: "a1", Keywords: []string{"5G", "天线"}},
		{Kind: matching.Achievement, ID: "a2", Keywords: []string{"疫苗"}},
	}}
	ms, _ := m.Match(context.Background(), matching.Query{Direction: matching.DemandToAchievements,
		Source: matching.Document{Kind: matching.Demand, Keywords: []string{"5G"}}})
	fmt.Println(len(ms), ms[0].ID)
	// Output: 1 a1
}
