// Package assessmenttest provides sample data for tests, examples and
// benchmarks of package assessment and its report writer.
//
// # Sample brokers
//
// [SevenBrokers] returns statistics for the seven Yangpu model rooms (样板间)
// named in the source article for 2023 and 2024. The names and member units
// are real; the numbers are invented, chosen only so that the totals agree
// with the article (45 listings in two years, deals above 4.15亿元).
package assessmenttest

import (
	"fmt"

	"github.com/kexie/techbroker/assessment"
	"github.com/shopspring/decimal"
)

type room struct {
	id, zh, en                        string
	staff, managers, experts, members int
}

var rooms = [7]room{
	{"fudan-ie", "信息工程与应用（复旦大学）", "Information engineering (Fudan University)", 12, 6, 40, 5},
	{"tongji-design", "智能设计（同济大学）", "Intelligent design (Tongji University)", 10, 5, 32, 4},
	{"shou-marine", "海洋技术（上海海洋大学）", "Marine technology (Shanghai Ocean University)", 8, 4, 26, 4},
	{"xinhua-paediatrics", "儿科医学（新华医院）", "Paediatric medicine (Xinhua Hospital)", 9, 3, 30, 3},
	{"sppc-printing", "绿色印刷与包装技术（上海出版印刷高等专科学校）", "Green printing and packaging (SPPC)", 6, 2, 15, 3},
	{"iep-purification", "室内环境净化（上海市室内环境净化行业协会）", "Indoor air purification (Shanghai IEP Association)", 5, 2, 12, 6},
	{"csme-machinery", "机械制造数字化转型（上海市机械工程学会）", "Digital machinery manufacturing (Shanghai CSME)", 7, 3, 22, 8},
}

// yearly figures per room: listings, deals, deal value (万元), technical
// income (万元), collected cases, activities, feedback mean ×10.
var yearly = map[string][7][7]int{
	"2023": {
		{4, 5, 6200, 420, 38, 9, 44},
		{3, 4, 3100, 260, 30, 7, 42},
		{3, 3, 2500, 180, 22, 6, 41},
		{2, 3, 4800, 300, 18, 5, 45},
		{2, 2, 900, 90, 14, 4, 39},
		{1, 2, 600, 70, 12, 6, 40},
		{3, 3, 2200, 150, 24, 8, 43},
	},
	"2024": {
		{5, 6, 7400, 510, 44, 10, 45},
		{4, 5, 3600, 300, 34, 8, 43},
		{4, 4, 3300, 240, 27, 7, 42},
		{3, 3, 5200, 330, 20, 5, 46},
		{3, 3, 1100, 110, 16, 5, 40},
		{2, 2, 800, 80, 14, 7, 41},
		{6, 5, 2500, 190, 30, 9, 44},
	},
}

// Periods returns the periods SevenBrokers knows: "2023" and "2024".
func Periods() []string { return []string{"2023", "2024"} }

// SevenBrokers returns the sample statistics for period "2023" or "2024".
// It panics for other periods.
func SevenBrokers(period string) []assessment.BrokerStats {
	rows, ok := yearly[period]
	if !ok {
		panic(fmt.Sprintf("assessmenttest: no sample data for period %q", period))
	}
	out := make([]assessment.BrokerStats, len(rooms))
	for i, r := range rooms {
		y := rows[i]
		listings, deals, value, income, collected, acts, fb := y[0], y[1], y[2], y[3], y[4], y[5], y[6]
		// Derive the rest of the funnel and the service figures from the
		// headline numbers with fixed, room-specific proportions.
		screened := collected * (70 + 3*i) / 100
		cultivating := screened * (60 + 2*i) / 100
		promoting := max(cultivating*(75-i)/100, listings+1)
		received := 20 + 7*i + collected/2
		out[i] = assessment.BrokerStats{
			BrokerID: r.id, NameZH: r.zh, NameEN: r.en, Period: period,
			Staff: r.staff, TechManagers: r.managers, ExpertsEngaged: r.experts, MemberUnits: r.members,
			CasesReached: map[assessment.Stage]int{
				assessment.StageCollected:   collected,
				assessment.StageScreened:    screened,
				assessment.StageCultivating: cultivating,
				assessment.StagePromoting:   promoting,
				assessment.StageListed:      listings,
				assessment.StageTraded:      min(deals, listings),
				assessment.StageIncubating:  min(deals, listings) / 2,
			},
			Listings:           listings,
			Deals:              deals,
			DealValue:          decimal.NewFromInt(int64(value)).Shift(4),
			TechIncome:         decimal.NewFromInt(int64(income)).Shift(4),
			EnterprisesServed:  15 + 4*deals + i,
			ServicesDelivered:  10 + 3*acts,
			DemandsReceived:    received,
			DemandsResponded:   received - i%3,
			DemandsResolved:    received * (80 + 2*i) / 100,
			MeanResponseDays:   1.5 + 0.4*float64(i%4),
			Activities:         acts,
			ActivityLeads:      acts * (5 + i%3),
			LeadsConverted:     acts * (1 + i%2),
			MeanResolutionDays: 20 + 4*float64(i%5) + float64(collected%7),
			Declines:           promoting / 3,
			DeclinesFixable:    (promoting / 3) * (30 + 5*i) / 100,
			Routed:             collected + received,
			RoutingOverrides:   (collected + received) * (3 + i%4) / 100,
			ReviewInvitations:  3 * screened * 11 / 10,
			ReviewsAccepted:    3 * screened,
			ReviewsDue:         3 * screened,
			ReviewsOnTime:      3 * screened * (90 + i) / 100,
			Reviews:            3 * screened * (90 + i) / 100,
			Verdicts:           collected,
			AgreementVerdicts:  collected,
			PanelAgreement:     0.55 + 0.04*float64(i%6),
			FeedbackCount:      12 + 2*deals,
			FeedbackPositive:   (12 + 2*deals) * (85 + i) / 100,
			FeedbackMean:       float64(fb) / 10,
		}
	}
	return out
}

// RegionalSeries returns an invented regional indicator panel for 2018–2024
// (R&D spending 亿元, invention patents granted, technology contract turnover
// 亿元, energy use per unit of output — a cost indicator) with weights, for
// examples of a composite innovation index.
func RegionalSeries() (periods []string, indicators []assessment.Indicator, weights []float64, series [][]float64) {
	periods = []string{"2018", "2019", "2020", "2021", "2022", "2023", "2024"}
	indicators = []assessment.Indicator{
		{ID: "rd", NameZH: "研发投入", NameEN: "R&D spending", Unit: "亿元", UnitEN: "CNY 100m", Direction: assessment.Benefit},
		{ID: "patents", NameZH: "发明专利授权", NameEN: "Invention patents granted", Unit: "件", UnitEN: "patents", Direction: assessment.Benefit},
		{ID: "contracts", NameZH: "技术合同成交额", NameEN: "Technology contract turnover", Unit: "亿元", UnitEN: "CNY 100m", Direction: assessment.Benefit},
		{ID: "energy", NameZH: "单位产出能耗", NameEN: "Energy per unit of output", Unit: "吨标煤/万元", UnitEN: "tce per CNY 10k", Direction: assessment.Cost},
	}
	weights = []float64{0.3, 0.25, 0.3, 0.15}
	series = [][]float64{
		{82, 2100, 95, 0.42},
		{91, 2350, 118, 0.41},
		{97, 2600, 146, 0.40},
		{108, 2950, 190, 0.38},
		{117, 3300, 221, 0.37},
		{126, 3560, 262, 0.36},
		{137, 3900, 301, 0.35},
	}
	return periods, indicators, weights, series
}
