package matching_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/analysis"
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
		fmt.Printf("%s %.2f %v\n", m.ID, m.Score, m.Explanation.Terms[:3])
		for _, s := range m.Explanation.Signals {
			fmt.Printf("  %-10s %.2f × %.2f = %.3f\n", s.Name, s.Value, s.Weight, s.Contribution)
		}
	}
	// Output:
	// a1 1.35 [锂 电池 高]
	//   text       1.00 × 1.00 = 1.000
	//   discipline 0.00 × 0.30 = 0.000
	//   industry   0.00 × 0.20 = 0.000
	//   readiness  1.00 × 0.15 = 0.150
	//   budget     1.00 × 0.15 = 0.150
	//   region     1.00 × 0.05 = 0.050
}

func ExampleRouter() {
	train := []matching.Example{
		{Text: "锂离子电池正极材料的制备", Label: "新能源"},
		{Text: "固态电池电解质研究", Label: "新能源"},
		{Text: "光伏组件效率提升", Label: "新能源"},
		{Text: "儿童哮喘的临床治疗", Label: "儿科医学"},
		{Text: "新生儿黄疸的诊断", Label: "儿科医学"},
		{Text: "儿科用药安全评价", Label: "儿科医学"},
	}
	r, err := matching.TrainRouter(train, &matching.RouterOptions{Threshold: 0.8})
	if err != nil {
		panic(err)
	}
	for _, text := range []string{"一种电池电解质材料", "儿童用药", "城市规划"} {
		got := r.Route(text)
		fmt.Printf("%s → %s (needs a person: %v)\n", text, got.Label, got.NeedsPerson)
	}
	// Output:
	// 一种电池电解质材料 → 新能源 (needs a person: false)
	// 儿童用药 → 儿科医学 (needs a person: false)
	// 城市规划 → 新能源 (needs a person: true)
}

// A trained router is saved with WriteTo and read back with ReadRouter,
// given an analyzer configured as in training.
func ExampleReadRouter() {
	an := analysis.New(&analysis.Options{Synonyms: [][]string{{"人工智能", "AI"}}})
	train := []matching.Example{
		{Text: "人工智能芯片设计", Label: "信息技术"},
		{Text: "深度学习图像识别", Label: "信息技术"},
		{Text: "锂离子电池正极材料", Label: "新能源"},
		{Text: "固态电池电解质研究", Label: "新能源"},
	}
	r, err := matching.TrainRouter(train, &matching.RouterOptions{Analyzer: an})
	if err != nil {
		panic(err)
	}
	var saved bytes.Buffer // a file, in practice
	if _, err := r.WriteTo(&saved); err != nil {
		panic(err)
	}
	data := saved.Bytes()

	back, err := matching.ReadRouter(bytes.NewReader(data), an)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Route("AI 芯片").Label, back.Route("电池材料").Label)

	// An analyzer without the synonyms would see other terms.
	_, err = matching.ReadRouter(bytes.NewReader(data), analysis.New(nil))
	fmt.Println(errors.Is(err, matching.ErrInvalid))
	// Output:
	// 信息技术 新能源
	// true
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
