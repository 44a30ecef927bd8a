package router_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/router"
)

// A router trained on past cases routes (分流) a new achievement to an
// industry broker (样板间), and gives the matching engine its category
// signal.
func Example() {
	past := []router.Example{
		{Text: "锂离子电池正极材料的制备", Label: "新能源"},
		{Text: "固态电池电解质研究", Label: "新能源"},
		{Text: "光伏组件效率提升", Label: "新能源"},
		{Text: "儿童哮喘的临床治疗", Label: "生物医药"},
		{Text: "新生儿黄疸的诊断", Label: "生物医药"},
		{Text: "儿科用药安全评价", Label: "生物医药"},
	}
	r, err := router.Train(past, nil)
	if err != nil {
		panic(err)
	}
	got := r.Route("一种高容量电池正极")
	fmt.Printf("route to %s (%.2f)\n", got.Label, got.Confidence)

	// The engine compares the routers' label distributions of a source
	// and its candidates (the "category" signal).
	e, err := matching.NewEngine(&matching.Options{Categorizer: r, Weights: &matching.Weights{Text: 1, Category: 0.5}})
	if err != nil {
		panic(err)
	}
	for _, d := range []matching.Document{
		{Kind: matching.Achievement, ID: "a1", Title: "电池正极材料的制备方法"},
		{Kind: matching.Achievement, ID: "a2", Title: "儿童用药的制备方法"},
	} {
		if err := e.Add(d); err != nil {
			panic(err)
		}
	}
	src := matching.Document{Kind: matching.Achievement, ID: "a0", Title: "一种高容量电池正极的制备方法"}
	ms, err := e.Match(context.Background(), matching.Query{Direction: matching.SimilarAchievements, Source: src})
	if err != nil {
		panic(err)
	}
	for _, m := range ms {
		for _, s := range m.Explanation.Signals {
			if s.Name == "category" {
				fmt.Printf("%s category %.2f\n", m.ID, s.Value)
			}
		}
	}
	// Output:
	// route to 新能源 (1.00)
	// a1 category 1.00
	// a2 category 0.00
}

func ExampleRouter() {
	train := []router.Example{
		{Text: "锂离子电池正极材料的制备", Label: "新能源"},
		{Text: "固态电池电解质研究", Label: "新能源"},
		{Text: "光伏组件效率提升", Label: "新能源"},
		{Text: "儿童哮喘的临床治疗", Label: "儿科医学"},
		{Text: "新生儿黄疸的诊断", Label: "儿科医学"},
		{Text: "儿科用药安全评价", Label: "儿科医学"},
	}
	r, err := router.Train(train, &router.Options{Threshold: 0.8})
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

// A trained router is saved with WriteTo and read back with Read, given
// an analyzer configured as in training.
func ExampleRead() {
	an := analysis.New(&analysis.Options{Synonyms: [][]string{{"人工智能", "AI"}}})
	train := []router.Example{
		{Text: "人工智能芯片设计", Label: "信息技术"},
		{Text: "深度学习图像识别", Label: "信息技术"},
		{Text: "锂离子电池正极材料", Label: "新能源"},
		{Text: "固态电池电解质研究", Label: "新能源"},
	}
	r, err := router.Train(train, &router.Options{Analyzer: an})
	if err != nil {
		panic(err)
	}
	var saved bytes.Buffer // a file, in practice
	if _, err := r.WriteTo(&saved); err != nil {
		panic(err)
	}
	data := saved.Bytes()

	back, err := router.Read(bytes.NewReader(data), an)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Route("AI 芯片").Label, back.Route("电池材料").Label)

	// An analyzer without the synonyms would see other terms.
	_, err = router.Read(bytes.NewReader(data), analysis.New(nil))
	fmt.Println(errors.Is(err, router.ErrInvalid))
	// Output:
	// 信息技术 新能源
	// true
}
