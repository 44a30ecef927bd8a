package broker

import (
	"slices"
	"time"

	"github.com/kexie/techbroker/internal/decimalx"

	"github.com/shopspring/decimal"
)

// Achievement is a record of the achievement library (成果库): one research
// result offered for transfer.
type Achievement struct {
	Meta
	Title    string   `json:"title" validate:"required,max=300"`
	Summary  string   `json:"summary,omitempty" validate:"max=500"` // one-sentence summary
	Abstract string   `json:"abstract,omitempty" validate:"max=20000"`
	Keywords []string `json:"keywords,omitempty" validate:"max=50,dive,max=100"`
	// Disciplines are discipline codes (e.g. GB/T 13745 "520" 计算机科学技术).
	Disciplines []string `json:"disciplines,omitempty" validate:"max=20,dive,max=32"`
	// IndustryCodes are industry codes (e.g. GB/T 4754-2017 "I65").
	IndustryCodes []string       `json:"industry_codes,omitempty" validate:"max=20,dive,max=32"`
	Owner         string         `json:"owner,omitempty" validate:"max=200" org:"name"` // owning (completing) institution
	OwnerID       string         `json:"owner_id,omitempty" validate:"max=64" org:"id"`
	Inventors     []Inventor     `json:"inventors,omitempty" validate:"max=100,dive"`
	IPRights      []IPRight      `json:"ip_rights,omitempty" validate:"max=100,dive"`
	Readiness     Readiness      `json:"readiness"`
	TransferModes []TransferMode `json:"transfer_modes,omitempty" validate:"max=6,dive,oneof=transfer license investment development service consulting"`
	// AskingPrice in yuan; zero with Pricing "negotiable" (面议).
	AskingPrice decimal.Decimal `json:"asking_price"`
	Pricing     PricingType     `json:"pricing,omitempty" validate:"omitempty,oneof=negotiable fixed floor"`
}

// Inventor is a member of the team that completed an achievement, with the
// share of the reward they are entitled to, in percent.
type Inventor struct {
	Name     string          `json:"name" validate:"required,max=64"`
	ExpertID string          `json:"expert_id,omitempty" validate:"max=64"`
	Share    decimal.Decimal `json:"share"` // percent, 0–100
}

// IPRight is one intellectual-property right behind an achievement.
type IPRight struct {
	Type      IPType   `json:"type" validate:"required,oneof=invention_patent utility_model design_patent software_copyright ic_layout plant_variety biomedical_variety technical_secret other"`
	Number    string   `json:"number,omitempty" validate:"max=64"` // e.g. ZL202110123456.7
	Status    IPStatus `json:"status,omitempty" validate:"omitempty,oneof=filed granted expired invalidated"`
	Territory string   `json:"territory,omitempty" validate:"max=32"` // e.g. CN, PCT, US
	Owners    []string `json:"owners,omitempty" validate:"max=20,dive,max=200" org:"list"`
	// Shares are the owners' shares in percent, in the order of Owners;
	// empty when not recorded.
	Shares  []decimal.Decimal `json:"shares,omitempty" validate:"max=20"`
	Expires time.Time         `json:"expires,omitzero"`
}

// IPType is a kind of intellectual property that can be traded.
type IPType string

// IP types tradable on Shanghai's technology exchange.
const (
	InventionPatent   IPType = "invention_patent"   // 发明专利
	UtilityModel      IPType = "utility_model"      // 实用新型
	DesignPatent      IPType = "design_patent"      // 外观设计
	SoftwareCopyright IPType = "software_copyright" // 软件著作权
	ICLayout          IPType = "ic_layout"          // 集成电路布图设计
	PlantVariety      IPType = "plant_variety"      // 植物新品种
	BiomedVariety     IPType = "biomedical_variety" // 生物医药新品种
	TechnicalSecret   IPType = "technical_secret"   // 技术秘密
	OtherIP           IPType = "other"
)

// IPStatus is the legal status of an IP right.
type IPStatus string

// IP statuses.
const (
	IPFiled       IPStatus = "filed"
	IPGranted     IPStatus = "granted"
	IPExpired     IPStatus = "expired"
	IPInvalidated IPStatus = "invalidated"
)

// PricingType says how an asking price is meant.
type PricingType string

// Pricing types.
const (
	Negotiable PricingType = "negotiable" // 面议
	FixedPrice PricingType = "fixed"      // 一口价
	FloorPrice PricingType = "floor"      // 底价
)

// RecordKind is KindAchievement; an achievement is in ClassAchievement.
func (Achievement) RecordKind() Kind      { return KindAchievement }
func (Achievement) AccessClass() Class    { return ClassAchievement }
func (a Achievement) DedupKey() string    { return dedupKey(a.Title, a.Owner) }
func (a Achievement) OwnerOrgs() []string { return orgList(a.Owner, a.OwnerID) }

func (a Achievement) Normalized() Achievement {
	a.Meta.normalize()
	a.Title = normText(a.Title)
	a.Summary = normText(a.Summary)
	a.Abstract = normMultiline(a.Abstract)
	a.Keywords = normList(a.Keywords)
	a.Disciplines = normCodes(a.Disciplines)
	a.IndustryCodes = normCodes(a.IndustryCodes)
	a.Owner = normText(a.Owner)
	a.OwnerID = normText(a.OwnerID)
	if a.Inventors != nil {
		inv := make([]Inventor, len(a.Inventors))
		for i, x := range a.Inventors {
			x.Name = normText(x.Name)
			x.ExpertID = normText(x.ExpertID)
			inv[i] = x
		}
		a.Inventors = inv
	}
	if a.IPRights != nil {
		ips := make([]IPRight, len(a.IPRights))
		for i, x := range a.IPRights {
			x.Type = IPType(normEnum(string(x.Type)))
			x.Number = normCode(x.Number)
			x.Status = IPStatus(normEnum(string(x.Status)))
			x.Territory = normCode(x.Territory)
			if len(x.Shares) == 0 {
				x.Owners = normList(x.Owners) // shares, when given, stay aligned with owners as written
			}
			x.Shares = slices.Clone(x.Shares)
			if !x.Expires.IsZero() {
				x.Expires = x.Expires.UTC().Truncate(time.Microsecond)
			}
			ips[i] = x
		}
		a.IPRights = ips
	}
	a.Readiness = a.Readiness.normalizedCopy()
	if a.TransferModes != nil {
		ms := make([]TransferMode, 0, len(a.TransferModes))
		for _, m := range a.TransferModes {
			m = TransferMode(normEnum(string(m)))
			if m != "" && !slices.Contains(ms, m) { // at most six modes
				ms = append(ms, m)
			}
		}
		a.TransferModes = ms
	}
	if a.Pricing == "" && a.AskingPrice.IsZero() {
		a.Pricing = Negotiable
	}
	return a
}

func (a Achievement) Validate(c *Check) {
	c.Disciplines("disciplines", a.Disciplines)
	c.Industries("industry_codes", a.IndustryCodes)
	checkShares(c, a.Inventors)
	for i, ip := range a.IPRights {
		checkIPShares(c, "ip_rights["+itoa(i)+"]", ip)
	}
	a.Readiness.check(c, "readiness")
	checkMoney(c, "asking_price", a.AskingPrice)
	if a.Pricing != "" && a.Pricing != Negotiable && a.AskingPrice.IsZero() && decimalx.Sane(a.AskingPrice, 2) {
		c.Add("asking_price", "required", "", "")
	}
}

// checkShares checks inventors' shares: each in [0, 100], total ≤ 100.
func checkShares(c *Check, inv []Inventor) {
	ok := true
	for i, x := range inv {
		if !c.Percent("inventors["+itoa(i)+"].share", x.Share) {
			ok = false
		}
	}
	if ok && sharesOver100(inv) {
		c.Add("inventors", "share_total", "100", sumShares(inv).String())
	}
}

func sumShares(inv []Inventor) decimal.Decimal {
	total := decimal.Zero
	for _, x := range inv {
		total = total.Add(x.Share)
	}
	return total
}

// sharesOver100 reports whether sane shares in [0, 100] add up to more
// than 100, in integer units of 0.0001 when every share is small.
func sharesOver100(inv []Inventor) bool {
	var units int64
	for _, x := range inv {
		sc, exp, ok := decimalx.Small(x.Share)
		if !ok || exp > 2 {
			return sumShares(inv).GreaterThan(hundred)
		}
		if exp >= -4 {
			units += sc * decimalx.Pow10(exp+4) // ≤ 100 × 10^4
		} else {
			units += sc / decimalx.Pow10(min(-exp-4, 18)) // exact: a sane share has at most 4 places
		}
	}
	return units > 100*1e4
}

var hundred = decimal.NewFromInt(100)

// checkIPShares checks an IP right's owner shares: one per owner, each in
// [0, 100], total at most 100.
func checkIPShares(c *Check, field string, ip IPRight) {
	if len(ip.Shares) == 0 {
		return
	}
	if len(ip.Shares) != len(ip.Owners) {
		c.Add(field+".shares", "invalid", "", itoa(len(ip.Shares))+" shares for "+itoa(len(ip.Owners))+" owners")
		return
	}
	total := decimal.Zero
	for j, sh := range ip.Shares {
		if !c.Percent(field+".shares["+itoa(j)+"]", sh) {
			return
		}
		total = total.Add(sh)
	}
	if total.GreaterThan(hundred) {
		c.Add(field+".shares", "share_total", "100", total.String())
	}
}
