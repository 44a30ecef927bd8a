package assessment

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// Stage is a stage of the broker pipeline that a case can reach.
type Stage string

// The pipeline stages in order (Closed, Rejected and Withdrawn are end
// states, not funnel steps).
const (
	StageCollected   Stage = "collected"   // 收集
	StageScreened    Stage = "screened"    // 筛选
	StageCultivating Stage = "cultivating" // 策划培育
	StagePromoting   Stage = "promoting"   // 推介撮合
	StageListed      Stage = "listed"      // 挂牌
	StageTraded      Stage = "traded"      // 交易
	StageIncubating  Stage = "incubating"  // 孵化
)

// PipelineStages returns the funnel stages in order.
func PipelineStages() []Stage {
	return []Stage{StageCollected, StageScreened, StageCultivating, StagePromoting, StageListed, StageTraded, StageIncubating}
}

// StageName returns the stage's Chinese and English names.
func StageName(s Stage) (zh, en string) {
	switch s {
	case StageCollected:
		return "收集", "Collected"
	case StageScreened:
		return "筛选", "Screened"
	case StageCultivating:
		return "策划培育", "Cultivating"
	case StagePromoting:
		return "推介撮合", "Promoting"
	case StageListed:
		return "挂牌", "Listed"
	case StageTraded:
		return "交易", "Traded"
	case StageIncubating:
		return "孵化", "Incubating"
	}
	return string(s), string(s)
}

// BrokerStats is what a broker platform records about one industry broker
// (样板间) in one period. Package broker fills it; counts are plain
// integers and money is exact CNY.
type BrokerStats struct {
	BrokerID string `json:"broker_id"`
	NameZH   string `json:"name_zh"`
	NameEN   string `json:"name_en"`
	Period   string `json:"period"` // e.g. "2024"

	Staff          int `json:"staff"`           // full-time staff (专职人员)
	TechManagers   int `json:"tech_managers"`   // certified technology managers (技术经理人)
	ExpertsEngaged int `json:"experts_engaged"` // experts who served in the period
	MemberUnits    int `json:"member_units"`    // member units (universities, hospitals, societies…)

	// CasesReached counts the cases that reached at least each stage in
	// the period: the conversion funnel. Absent stages count zero.
	CasesReached map[Stage]int `json:"cases_reached"`

	Listings          int             `json:"listings"`    // items listed on the exchange (挂牌)
	Deals             int             `json:"deals"`       // deals closed (成交)
	DealValue         decimal.Decimal `json:"deal_value"`  // total value of the deals, CNY
	TechIncome        decimal.Decimal `json:"tech_income"` // technical income (技术性收入), CNY
	EnterprisesServed int             `json:"enterprises_served"`
	ServicesDelivered int             `json:"services_delivered"` // standard service products delivered

	DemandsReceived  int `json:"demands_received"`
	DemandsResponded int `json:"demands_responded"`
	DemandsResolved  int `json:"demands_resolved"`
	// MeanResponseDays is the typical time to a first response (the
	// platform reports the median); it is meaningful only when
	// DemandsResponded > 0. MeanResolutionDays is the typical time from
	// receipt to resolution, meaningful only when DemandsResolved > 0.
	MeanResponseDays   float64 `json:"mean_response_days"`
	MeanResolutionDays float64 `json:"mean_resolution_days"`

	// Declines counts the companies' structured declines of promoted
	// results recorded in the period (the decline reasons); DeclinesFixable
	// those for reasons the broker can address by presenting the result
	// better (description or application unclear, benefit over existing
	// technology unclear, commercial route unclear). The metric
	// fixable_decline_share is their share of Declines, and 0 without
	// declines.
	Declines        int `json:"declines"`
	DeclinesFixable int `json:"declines_fixable"`

	// Routed counts the records routed to the broker in the period and
	// RoutingOverrides those whose router's suggestion a person overrode.
	Routed           int `json:"routed"`
	RoutingOverrides int `json:"routing_overrides"`

	// Review figures of the expert think tank's panels at the broker:
	// invitations sent and accepted, sheets due and in on time, reviews
	// done, verdicts issued and the panels' agreement (mean Kendall's W
	// over the verdicts that define it; meaningful only when
	// AgreementVerdicts > 0).
	ReviewInvitations int     `json:"review_invitations"`
	ReviewsAccepted   int     `json:"reviews_accepted"`
	ReviewsDue        int     `json:"reviews_due"`
	ReviewsOnTime     int     `json:"reviews_on_time"`
	Reviews           int     `json:"reviews"`
	Verdicts          int     `json:"verdicts"`
	AgreementVerdicts int     `json:"agreement_verdicts"`
	PanelAgreement    float64 `json:"panel_agreement"`

	Activities     int `json:"activities"`      // roadshows, salons, seminars held
	ActivityLeads  int `json:"activity_leads"`  // leads recorded at them
	LeadsConverted int `json:"leads_converted"` // leads that became cases

	// Satisfaction forms, for platforms that collect them. A broker System
	// records none (it records structured declines instead), and the
	// default scheme does not use them.
	FeedbackCount    int     `json:"feedback_count"`    // companies' feedback forms
	FeedbackPositive int     `json:"feedback_positive"` // of which satisfied
	FeedbackMean     float64 `json:"feedback_mean"`     // mean rating on 1–5; meaningful only when FeedbackCount > 0
}

// Reached returns the number of cases that reached stage s.
func (b *BrokerStats) Reached(s Stage) int { return b.CasesReached[s] }

// metricInfo describes one metric a scheme indicator can use.
type metricInfo struct {
	unitZH, unitEN string
	dir            Direction
}

// Metrics returns the names of the metrics a scheme can use, besides the
// family "conversion:FROM:TO" (percentage of cases reaching stage FROM that
// also reached stage TO).
func Metrics() []string {
	return []string{
		"staff", "tech_managers", "tech_manager_share", "experts_engaged", "member_units",
		"cases_collected", "listings", "deals", "deal_value", "tech_income",
		"enterprises_served", "services_delivered",
		"deals_per_100_staff", "deal_value_per_100_staff", "tech_income_per_100_staff",
		"demand_response_rate", "demand_resolution_rate", "mean_response_days", "mean_resolution_days",
		"activities", "leads_per_activity", "lead_conversion_rate",
		"declines_per_promoted", "fixable_decline_share", "routing_override_rate",
		"review_accept_rate", "review_on_time_rate", "reviews", "panel_agreement",
		"feedback_mean", "feedback_positive_rate",
	}
}

// metric returns the metric's unit and natural direction; ok is false for
// unknown names.
func metric(name string) (metricInfo, bool) {
	if from, to, ok := parseConversion(name); ok {
		if slices.Index(PipelineStages(), from) >= slices.Index(PipelineStages(), to) {
			return metricInfo{}, false
		}
		return metricInfo{"%", "%", Benefit}, true
	}
	switch name {
	case "staff", "tech_managers", "experts_engaged":
		return metricInfo{"人", "persons", Benefit}, true
	case "member_units", "enterprises_served":
		return metricInfo{"家", "units", Benefit}, true
	case "cases_collected", "listings", "deals":
		return metricInfo{"项", "items", Benefit}, true
	case "deal_value", "tech_income":
		return metricInfo{"万元", "CNY 10k", Benefit}, true
	case "services_delivered":
		return metricInfo{"次", "times", Benefit}, true
	case "activities":
		return metricInfo{"场", "events", Benefit}, true
	case "deals_per_100_staff":
		return metricInfo{"项/百人", "per 100 staff", Benefit}, true
	case "deal_value_per_100_staff", "tech_income_per_100_staff":
		return metricInfo{"万元/百人", "CNY 10k per 100 staff", Benefit}, true
	case "tech_manager_share", "demand_response_rate", "demand_resolution_rate", "lead_conversion_rate", "feedback_positive_rate",
		"review_accept_rate", "review_on_time_rate":
		return metricInfo{"%", "%", Benefit}, true
	case "fixable_decline_share", "routing_override_rate":
		return metricInfo{"%", "%", Cost}, true
	case "declines_per_promoted":
		return metricInfo{"条/百项", "per 100 promoted", Cost}, true
	case "reviews":
		return metricInfo{"份", "sheets", Benefit}, true
	case "panel_agreement":
		return metricInfo{"W", "W", Benefit}, true
	case "mean_response_days", "mean_resolution_days":
		return metricInfo{"天", "days", Cost}, true
	case "leads_per_activity":
		return metricInfo{"条/场", "per event", Benefit}, true
	case "feedback_mean":
		return metricInfo{"分", "points", Benefit}, true
	}
	return metricInfo{}, false
}

func parseConversion(name string) (from, to Stage, ok bool) {
	rest, found := strings.CutPrefix(name, "conversion:")
	if !found {
		return "", "", false
	}
	f, t, found := strings.Cut(rest, ":")
	if !found || !slices.Contains(PipelineStages(), Stage(f)) || !slices.Contains(PipelineStages(), Stage(t)) {
		return "", "", false
	}
	return Stage(f), Stage(t), true
}

// wan converts CNY to 万元 for scoring (exact shift, then float).
func wan(d decimal.Decimal) float64 { return d.Shift(-4).InexactFloat64() }

// ratio returns 100·num/den, or ok = false when den is zero: a rate with
// no base is missing, not zero.
func ratio(num, den float64, scale float64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return scale * num / den, true
}

// Value computes the named metric; ok is false when it is undefined for
// these statistics (a rate whose base is zero, a mean of nothing). It
// returns an error for unknown names.
func (b *BrokerStats) Value(name string) (v float64, ok bool, err error) {
	if from, to, isConv := parseConversion(name); isConv {
		if _, known := metric(name); !known {
			return 0, false, fmt.Errorf("%w: metric %q: stage %s does not precede %s", ErrInvalid, name, from, to)
		}
		v, ok = ratio(float64(b.Reached(to)), float64(b.Reached(from)), 100)
		return v, ok, nil
	}
	switch name {
	case "staff":
		return float64(b.Staff), true, nil
	case "tech_managers":
		return float64(b.TechManagers), true, nil
	case "tech_manager_share":
		v, ok = ratio(float64(b.TechManagers), float64(b.Staff), 100)
	case "experts_engaged":
		return float64(b.ExpertsEngaged), true, nil
	case "member_units":
		return float64(b.MemberUnits), true, nil
	case "cases_collected":
		return float64(b.Reached(StageCollected)), true, nil
	case "listings":
		return float64(b.Listings), true, nil
	case "deals":
		return float64(b.Deals), true, nil
	case "deal_value":
		return wan(b.DealValue), true, nil
	case "tech_income":
		return wan(b.TechIncome), true, nil
	case "enterprises_served":
		return float64(b.EnterprisesServed), true, nil
	case "services_delivered":
		return float64(b.ServicesDelivered), true, nil
	case "deals_per_100_staff":
		v, ok = ratio(float64(b.Deals), float64(b.Staff), 100)
	case "deal_value_per_100_staff":
		v, ok = ratio(wan(b.DealValue), float64(b.Staff), 100)
	case "tech_income_per_100_staff":
		v, ok = ratio(wan(b.TechIncome), float64(b.Staff), 100)
	case "demand_response_rate":
		v, ok = ratio(float64(b.DemandsResponded), float64(b.DemandsReceived), 100)
	case "demand_resolution_rate":
		v, ok = ratio(float64(b.DemandsResolved), float64(b.DemandsReceived), 100)
	case "mean_response_days":
		return b.MeanResponseDays, b.DemandsResponded > 0, nil
	case "mean_resolution_days":
		return b.MeanResolutionDays, b.DemandsResolved > 0, nil
	case "declines_per_promoted":
		v, ok = ratio(float64(b.Declines), float64(b.Reached(StagePromoting)), 100)
	case "fixable_decline_share":
		// No decline, nothing to fix: 0, not undefined, so that a period
		// in which no company declined anything still scores.
		if b.Declines == 0 {
			return 0, true, nil
		}
		v, ok = ratio(float64(b.DeclinesFixable), float64(b.Declines), 100)
	case "routing_override_rate":
		if b.Routed == 0 {
			return 0, true, nil // nothing routed, nothing overridden
		}
		v, ok = ratio(float64(b.RoutingOverrides), float64(b.Routed), 100)
	case "review_accept_rate":
		v, ok = ratio(float64(b.ReviewsAccepted), float64(b.ReviewInvitations), 100)
	case "review_on_time_rate":
		v, ok = ratio(float64(b.ReviewsOnTime), float64(b.ReviewsDue), 100)
	case "reviews":
		return float64(b.Reviews), true, nil
	case "panel_agreement":
		return b.PanelAgreement, b.AgreementVerdicts > 0, nil
	case "activities":
		return float64(b.Activities), true, nil
	case "leads_per_activity":
		v, ok = ratio(float64(b.ActivityLeads), float64(b.Activities), 1)
	case "lead_conversion_rate":
		v, ok = ratio(float64(b.LeadsConverted), float64(b.ActivityLeads), 100)
	case "feedback_mean":
		return b.FeedbackMean, b.FeedbackCount > 0, nil
	case "feedback_positive_rate":
		v, ok = ratio(float64(b.FeedbackPositive), float64(b.FeedbackCount), 100)
	default:
		return 0, false, fmt.Errorf("%w: unknown metric %q", ErrInvalid, name)
	}
	return v, ok, nil
}
