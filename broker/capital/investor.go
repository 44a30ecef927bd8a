package capital

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// InvestStage is a financing stage (融资阶段) an investor invests in.
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

// stageNames maps the Chinese and mixed-case names of stages to their codes.
var stageNames = map[string]string{
	"种子": "seed", "种子轮": "seed", "天使": "angel", "天使轮": "angel", "pre-a": "pre_a", "pre-a轮": "pre_a",
	"a轮": "a", "b轮": "b", "c轮": "c", "成长期": "growth", "pre-ipo": "pre_ipo",
	"Pre-A": "pre_a", "Pre-A轮": "pre_a", "A轮": "a", "B轮": "b", "C轮": "c", "Pre-IPO": "pre_ipo",
}

// stageCode folds a stage given as its code or its Chinese name, in any
// case, to the code; an unknown stage is returned folded (and refused by
// the validation).
func stageCode(s InvestStage) InvestStage {
	t := textnorm.Text(string(s))
	if c, ok := stageNames[t]; ok {
		return InvestStage(c)
	}
	t = textnorm.LowerASCII(t)
	if c, ok := stageNames[t]; ok {
		return InvestStage(c)
	}
	return InvestStage(t)
}

// Investor is an investor profile (投资机构): a fund, an angel or a corporate
// venture arm, with the stages it invests in, its ticket size, sectors and
// regions. OrgID names its organization in the registry (role
// broker.OrgFund), if any; a merge of that organization rewrites it.
//
// Investors are registry records (broker.ClassRegistry): platform admins
// and the principals acting for OrgID write them. Contact is personal data,
// the investor's private part (broker.ActSeePrivate): returned only to
// those, and kept as stored when someone else updates the record.
type Investor struct {
	broker.Meta
	Name   string        `json:"name" validate:"required,max=200"`
	OrgID  string        `json:"org_id,omitempty" validate:"max=64" org:"id"`
	Stages []InvestStage `json:"stages,omitempty" validate:"max=8,dive,oneof=seed angel pre_a a b c growth pre_ipo"`
	// Ticket is the size of one investment in yuan; Max zero means no upper
	// limit. Min above Max is refused (range_order on ticket.max).
	Ticket        broker.Range `json:"ticket"`
	Disciplines   []string     `json:"disciplines,omitempty" validate:"max=50,dive,max=32"`
	IndustryCodes []string     `json:"industry_codes,omitempty" validate:"max=50,dive,max=32"`
	Keywords      []string     `json:"keywords,omitempty" validate:"max=100,dive,max=100"`
	// Regions are the regions it invests in; empty means anywhere.
	Regions []string       `json:"regions,omitempty" validate:"max=50,dive,max=64"`
	Thesis  string         `json:"thesis,omitempty" validate:"max=5000"` // investment thesis, in its words
	Contact broker.Contact `json:"contact"`
}

// RecordKind is KindInvestor.
func (Investor) RecordKind() broker.Kind { return KindInvestor }

// AccessClass: investors are kept by their organization, as the registry.
func (Investor) AccessClass() broker.Class { return broker.ClassRegistry }

// OwnerOrgs is the investor's organization, if any.
func (v Investor) OwnerOrgs() []string {
	if v.OrgID == "" {
		return nil
	}
	return []string{v.OrgID}
}

// DedupKey is a hash of the folded name and organization ID.
func (v Investor) DedupKey() string {
	if v.Name == "" {
		return ""
	}
	h := sha256.Sum256([]byte(textnorm.FoldKey(v.Name) + "\x1f" + textnorm.FoldKey(v.OrgID)))
	return hex.EncodeToString(h[:16])
}

// Redacted clears Contact.
func (v Investor) Redacted() Investor { v.Contact = broker.Contact{}; return v }

// Unredacted returns v with the stored Contact.
func (v Investor) Unredacted(stored Investor) Investor { v.Contact = stored.Contact; return v }

// Normalized folds the text, turns stage names into codes (天使轮 → angel)
// without repeats, and lower-cases the e-mail address.
func (v Investor) Normalized() Investor {
	v.Name, v.OrgID = textnorm.Text(v.Name), textnorm.Text(v.OrgID)
	if v.Stages != nil {
		ss := make([]InvestStage, 0, len(v.Stages))
		for _, s := range v.Stages {
			if s = stageCode(s); s != "" && !slices.Contains(ss, s) {
				ss = append(ss, s)
			}
		}
		v.Stages = ss
	}
	v.Disciplines = textnorm.Codes(v.Disciplines)
	v.IndustryCodes = textnorm.Codes(v.IndustryCodes)
	v.Keywords = textnorm.List(v.Keywords)
	v.Regions = textnorm.List(v.Regions)
	v.Thesis = textnorm.Multiline(v.Thesis)
	v.Contact = broker.Contact{Phone: textnorm.Text(v.Contact.Phone), Email: textnorm.LowerASCII(textnorm.Text(v.Contact.Email)),
		WeChat: textnorm.Text(v.Contact.WeChat)}
	return v
}

// Validate checks the codes against the System's lists and the ticket: two
// amounts in yuan, the maximum (when set) not below the minimum.
func (v Investor) Validate(c *broker.Check) {
	c.Disciplines("disciplines", v.Disciplines)
	c.Industries("industry_codes", v.IndustryCodes)
	n := c.Len()
	c.Money("ticket.min", v.Ticket.Min)
	c.Money("ticket.max", v.Ticket.Max)
	if c.Len() == n && !v.Ticket.Max.IsZero() && v.Ticket.Max.LessThan(v.Ticket.Min) {
		c.Add("ticket.max", "range_order", "ticket.min "+v.Ticket.Min.String(), v.Ticket.Max.String())
	}
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
// means anywhere; a region matches when one is a prefix of the other, so
// "上海市" covers "上海市杨浦区").
func (v Investor) Serves(region string) bool {
	if len(v.Regions) == 0 {
		return true
	}
	if region == "" {
		return false
	}
	for _, r := range v.Regions {
		if strings.HasPrefix(region, r) || strings.HasPrefix(r, region) {
			return true
		}
	}
	return false
}
