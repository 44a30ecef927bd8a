package report_test

import (
	"os"
	"strings"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/assessment/report"
	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
)

func ExampleWriteMarkdown() {
	scheme, err := assessment.LoadScheme(strings.NewReader(`{
	  "id": "mini", "name_zh": "简化方案", "name_en": "Mini scheme",
	  "grading": {"method": "thresholds", "labels": ["A", "B"], "thresholds": [60]},
	  "groups": [{"id": "perf", "name_zh": "服务业绩", "name_en": "Performance", "weight": 100,
	    "indicators": [
	      {"id": "deals", "name_zh": "成交项目数", "name_en": "Deals", "metric": "deals", "weight": 1},
	      {"id": "value", "name_zh": "成交金额", "name_en": "Deal value", "metric": "deal_value", "weight": 1}]}]}`))
	if err != nil {
		panic(err)
	}
	stats := []assessment.BrokerStats{
		{BrokerID: "a", NameZH: "海洋技术", NameEN: "Marine technology", Period: "2024", Deals: 4, DealValue: decimal.NewFromInt(33_000_000)},
		{BrokerID: "b", NameZH: "儿科医学", NameEN: "Paediatrics", Period: "2024", Deals: 3, DealValue: decimal.NewFromInt(52_000_000)},
		{BrokerID: "c", NameZH: "智能设计", NameEN: "Intelligent design", Period: "2024", Deals: 1, DealValue: decimal.NewFromInt(9_000_000)},
	}
	sc, err := scheme.Score(stats)
	if err != nil {
		panic(err)
	}
	r := &report.Report{Scorecard: sc}
	if err := report.WriteMarkdown(os.Stdout, r, language.Chinese); err != nil {
		panic(err)
	}
	// Output:
	// # 技术券商考核报告
	//
	// 考核期：2024 · 考核方案：简化方案
	//
	// ## 排名
	//
	// 等级按分数线评定（A：60分及以上；B：其余）。
	//
	// | 名次 | 名称 | 总分 | 等级 | 服务业绩 |
	// |---:|---|---:|:---:|---:|
	// | 1 | 儿科医学 | 83.3 | A | 83.3 |
	// | 2 | 海洋技术 | 77.9 | A | 77.9 |
	// | 3 | 智能设计 | 0.0 | B | 0.0 |
	//
	// ## 指标原始值
	//
	// | 指标 | 单位 | 权重（分） | 儿科医学 | 海洋技术 | 智能设计 |
	// |---|---|---:|---:|---:|---:|
	// | 成交项目数 | 项 | 50.00 | 3 | 4 | 1 |
	// | 成交金额 | 万元 | 50.00 | 5200 | 3300 | 900 |
	//
	// ## 方法说明
	//
	// 标准化：极差标准化（最优 1，最差 0）；缺失值：报错；组内权重：固定权重；分级：分数线。
}
