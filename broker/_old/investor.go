package broker

import (
	"slices"

	"github.com/shopspring/decimal"
)

// InvestStage is a financing stage an investor invests in.
type InvestStage string

// Investment stages.
const (
	StageSeed   InvestStage = "seed"    // 种子轮
	StageAngel  InvestStage = "angel"   // 天使轮
	StagePreA   InvestStage = "pre_a"   // Pre-A
	StageA      InvestStage = "a"       // A轮
	StageB      InvestStage = "b"       // B轮
	StageC      InvestStage = "c"       // C轮
	StageGrowth InvestStage = "growth"  // 成长期 / 并购前
	StagePreIPO InvestStage = "pre_ipo" // Pre-IPO
)

// InvestStages returns every investment stage, earliest first.
func InvestStages() []InvestStage {
	return []InvestStage{StageSeed, StageAngel, StagePreA, StageA, StageB, StageC, StageGrowth, StagePreIPO}
}

// ReadinessBand is the range of technology readiness levels (1–9) that an
// investment stage usually takes up. It is a heuristic for ranking, not a
// rule: investors differ, and the bands overlap on purpose.
type ReadinessBand struct{ Min, Max int }

// DefaultStageReadiness maps stages to readiness bands: seed TRL 1–4,
// angel 3–6, pre-A 4–6, A 5–7, B 6–8, C 7–9, growth and pre-IPO 8–9. It is
// a labelled heuristic; pass your own to MatchOptions.StageReadiness.
func DefaultStageReadiness() map[InvestStage]ReadinessBand {
	return map[InvestStage]ReadinessBand{
		StageSeed: {1, 4}, StageAngel: {3, 6}, StagePreA: {4, 6}, StageA: {5, 7},
		StageB: {6, 8}, StageC: {7, 9}, StageGrowth: {8, 9}, StagePreIPO: {8, 9},
	}
}

// Investor is an investor profile (资本): a fund, an angel or a corporate
// venture arm, with the stages it invests in, its ticket size, sectors and
// regions. OrgID names its organization in the registry (role
// investment_fund), if any.
//
// Contact is personal data: returned only to platform admins and the
// principals acting for OrgID. Only those may write the record.
type Investor struct {
	Meta
	Name   string        `json:"name" validate:"required,max=200"`
	OrgID  string        `json:"org_id,omitempty" validate:"max=64"`
	Stages []InvestStage `json:"stages,omitempty" validate:"max=8,dive,oneof=seed angel pre_a a b c growth pre_ipo"`
	// Ticket is the size of one investment in yuan; Max zero means no upper
	// limit. Min above Max is refused (range_order on ticket.max).
	Ticket        Range    `json:"ticket"`
	Disciplines   []string `json:"disciplines,omitempty" validate:"max=50,dive,max=32"`
	IndustryCodes []string `json:"industry_codes,omitempty" validate:"max=50,dive,max=32"`
	Keywords      []string `json:"keywords,omitempty" validate:"max=100,dive,max=100"`
	// Regions are the regions it invests in; empty means anywhere.
	Regions []string `json:"regions,omitempty" validate:"max=50,dive,max=64"`
	Thesis  string   `json:"thesis,omitempty" validate:"max=5000"` // investment thesis, in its words
	Contact Contact  `json:"contact"`
}

func (Investor) kind() Kind                 { return KindInvestor }
func (v Investor) getMeta() Meta            { return v.Meta }
func (v Investor) withMeta(m Meta) Investor { v.Meta = m; return v }
func (v Investor) stage() string            { return "" }
func (v Investor) dedupKey() string         { return dedupKey(v.Name, v.OrgID) }
func (v Investor) ownerOrgs() []string      { return orgList("", v.OrgID) }

func (v Investor) redactFor(p Principal) Investor {
	if !p.canSeeInvestorContact(v) {
		v.Contact = Contact{}
	}
	return v
}

func (p Principal) canSeeInvestorContact(v Investor) bool {
	return p.Role == RolePlatformAdmin || p.actsFor(v.OrgID)
}

// InvestsIn reports whether the investor takes the stage (an investor
// naming no stage takes any).
func (v Investor) InvestsIn(s InvestStage) bool {
	return len(v.Stages) == 0 || slices.Contains(v.Stages, s)
}

// TicketFits reports whether an amount lies in the ticket range (a zero
// Max has no upper limit).
func (v Investor) TicketFits(amount decimal.Decimal) bool {
	return amount.GreaterThanOrEqual(v.Ticket.Min) && (v.Ticket.Max.IsZero() || amount.LessThanOrEqual(v.Ticket.Max))
}

// Serves reports whether the investor invests in the region (no regions
// means anywhere; a region matches when one names the other's prefix, so
// "上海市" covers "上海市杨浦区").
func (v Investor) Serves(region string) bool {
	if len(v.Regions) == 0 {
		return true
	}
	if region == "" {
		return false
	}
	for _, r := range v.Regions {
		if len(r) <= len(region) && region[:len(r)] == r || len(region) <= len(r) && r[:len(region)] == region {
			return true
		}
	}
	return false
}

func (v Investor) normalized() Investor {
	v.Meta.normalize()
	v.Name, v.OrgID = normText(v.Name), normText(v.OrgID)
	if v.Stages != nil {
		ss := make([]InvestStage, 0, len(v.Stages))
		for _, s := range v.Stages {
			s = InvestStage(enumCode(string(s), stageNames))
			if s != "" && !slices.Contains(ss, s) {
				ss = append(ss, s)
			}
		}
		v.Stages = ss
	}
	v.Disciplines = normCodes(v.Disciplines)
	v.IndustryCodes = normCodes(v.IndustryCodes)
	v.Keywords = normList(v.Keywords)
	v.Regions = normList(v.Regions)
	v.Thesis = normMultiline(v.Thesis)
	v.Contact = Contact{Phone: normText(v.Contact.Phone), Email: lowerASCII(normText(v.Contact.Email)), WeChat: normText(v.Contact.WeChat)}
	return v
}

var stageNames = map[string]string{
	"种子": "seed", "种子轮": "seed", "天使": "angel", "天使轮": "angel", "pre-a": "pre_a", "pre-a轮": "pre_a",
	"a轮": "a", "b轮": "b", "c轮": "c", "成长期": "growth", "pre-ipo": "pre_ipo",
	"Pre-A": "pre_a", "Pre-A轮": "pre_a", "A轮": "a", "B轮": "b", "C轮": "c", "Pre-IPO": "pre_ipo",
}

func (v Investor) check(c *checker, s *System) {
	s.checkCodes(c, "disciplines", "discipline", v.Disciplines, s.disciplines)
	s.checkCodes(c, "industry_codes", "industry", v.IndustryCodes, s.industries)
	n := len(c.errs)
	checkMoney(c, "ticket.min", v.Ticket.Min)
	checkMoney(c, "ticket.max", v.Ticket.Max)
	if len(c.errs) == n && !v.Ticket.Max.IsZero() && v.Ticket.Max.LessThan(v.Ticket.Min) {
		c.add("ticket.max", "range_order", "ticket.min "+v.Ticket.Min.String(), v.Ticket.Max.String())
	}
}

func (Investor) columns() map[string]setter[Investor] {
	return withColumns(metaColumns(func(v *Investor) *Meta { return &v.Meta }), map[string]setter[Investor]{
		"name":   func(v *Investor, s string, c *checker) { v.Name = s },
		"org_id": func(v *Investor, s string, c *checker) { v.OrgID = s },
		"stages": func(v *Investor, s string, c *checker) {
			for _, x := range splitList(s) {
				v.Stages = append(v.Stages, InvestStage(x))
			}
		},
		"ticket_min": func(v *Investor, s string, c *checker) {
			if d, ok := setDecimal(c, "ticket.min", s); ok {
				v.Ticket.Min = d
			}
		},
		"ticket_max": func(v *Investor, s string, c *checker) {
			if d, ok := setDecimal(c, "ticket.max", s); ok {
				v.Ticket.Max = d
			}
		},
		"disciplines":    func(v *Investor, s string, c *checker) { v.Disciplines = splitList(s) },
		"industry_codes": func(v *Investor, s string, c *checker) { v.IndustryCodes = splitList(s) },
		"keywords":       func(v *Investor, s string, c *checker) { v.Keywords = splitList(s) },
		"regions":        func(v *Investor, s string, c *checker) { v.Regions = splitList(s) },
		"thesis":         func(v *Investor, s string, c *checker) { v.Thesis = s },
	})
}
