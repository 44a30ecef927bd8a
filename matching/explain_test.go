package matching_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kexie/techbroker/matching"
)

// Explanations show words a reader recognises — the query's keywords that
// matched, then the longest shared runs of its text — never bigram
// fragments such as 解纸 or 基包 cut across two words, nor single
// characters such as 上 or 成.
func TestExplanationTermsAreWords(t *testing.T) {
	e, err := matching.NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []matching.Document{
		{Kind: matching.Achievement, ID: "a1", Title: "一种可降解纸基包装材料", Keywords: []string{"可降解", "纸基包装", "阻隔涂层"},
			Abstract: "针对塑料包装难以降解的问题，本成果提出可降解纸基包装材料，采用阻隔涂层，在上海新华印刷有限公司完成验证，降解率达96%，VOCs排放降低。"},
		{Kind: matching.Achievement, ID: "a2", Title: "大黄鱼智能投喂系统", Keywords: []string{"水产", "投喂"},
			Abstract: "采用机器视觉摄食识别，饵料系数降低。"},
	} {
		if err := e.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	demand := matching.Document{Kind: matching.Demand, ID: "d1", Title: "寻求可降解纸基包装相关技术", Keywords: []string{"纸基包装", "可降解", "VOCs"},
		Abstract: "我公司在生产中遇到塑料包装难以降解，希望引进可降解纸基包装方面的成熟技术，能够尽快在产线上落地。"}
	ms, err := e.Match(context.Background(), matching.Query{Direction: matching.DemandToAchievements, Source: demand, K: 1})
	if err != nil || len(ms) != 1 || ms[0].ID != "a1" {
		t.Fatalf("match: %v %+v", err, ms)
	}
	terms := ms[0].Explanation.Terms
	if len(terms) < 3 {
		t.Fatalf("terms %v: want several", terms)
	}
	// The matched keywords come first.
	for _, kw := range []string{"纸基包装", "可降解", "VOCs"} {
		if i := slices.Index(terms, kw); i < 0 || i > 2 {
			t.Errorf("keyword %q at %d in %v, want among the first three", kw, i, terms)
		}
	}
	for _, term := range terms {
		if utf8.RuneCountInString(term) < 2 {
			t.Errorf("single character %q in %v", term, terms)
		}
		for _, frag := range []string{"解纸", "基包", "的", "在"} {
			if term == frag || strings.HasPrefix(term, "的") || strings.HasSuffix(term, "的") {
				t.Errorf("fragment %q in %v", term, terms)
			}
		}
	}
	// Shared runs read as phrases of the query: 塑料包装, 难以降解.
	joined := strings.Join(terms, " ")
	for _, w := range []string{"塑料包装", "难以降解"} {
		if !strings.Contains(joined, w) {
			t.Errorf("terms %v lack the shared phrase %q", terms, w)
		}
	}
}
