package broker

import (
	"strconv"
	"strings"
	"time"

	"github.com/kexie/techbroker/internal/decimalx"

	"github.com/shopspring/decimal"
)

// CSV columns. A CSV import has a header row naming its columns; names are
// the JSON field names (snake_case). Lists are separated by ";", "；", "、"
// or "|". Money accepts thousands separators and the units 元, 万元, 亿元.
// Dates are YYYY-MM-DD. Enumerations accept their code or Chinese name
// (e.g. "转让" for transfer, "发明专利" for invention_patent).

type setter[T any] func(v *T, cell string, c *Check)

func splitList(s string) []string {
	s = normText(s)
	if s == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == '；' || r == '、' || r == '|'
	})
}

func metaColumns[T any](m func(*T) *Meta) map[string]setter[T] {
	return map[string]setter[T]{
		"id":         func(v *T, s string, c *Check) { m(v).ID = s },
		"broker":     func(v *T, s string, c *Check) { m(v).Broker = s },
		"visibility": func(v *T, s string, c *Check) { m(v).Visibility = Visibility(enumCode(s, visibilityNames)) },
		"region":     func(v *T, s string, c *Check) { m(v).Region = s },
		"society":    func(v *T, s string, c *Check) { m(v).Provenance.Society = s },
		"source":     func(v *T, s string, c *Check) { m(v).Provenance.Source = s },
	}
}

var visibilityNames = map[string]string{"公开": "public", "会员": "members", "会员可见": "members", "保密": "confidential", "机密": "confidential"}

var modeNames = map[string]string{
	"转让": "transfer", "技术转让": "transfer", "许可": "license", "技术许可": "license",
	"作价投资": "investment", "作价入股": "investment", "技术开发": "development", "开发": "development",
	"技术服务": "service", "服务": "service", "技术咨询": "consulting", "咨询": "consulting",
}

var ipNames = map[string]string{
	"发明专利": "invention_patent", "实用新型": "utility_model", "实用新型专利": "utility_model",
	"外观设计": "design_patent", "外观设计专利": "design_patent", "软件著作权": "software_copyright",
	"软著": "software_copyright", "集成电路布图设计": "ic_layout", "植物新品种": "plant_variety",
	"生物医药新品种": "biomedical_variety", "技术秘密": "technical_secret", "其他": "other",
}

var ipStatusNames = map[string]string{"申请中": "filed", "已受理": "filed", "已授权": "granted", "授权": "granted", "已失效": "expired", "失效": "expired", "无效": "invalidated"}

var pricingNames = map[string]string{"面议": "negotiable", "一口价": "fixed", "固定价": "fixed", "底价": "floor"}

var demandStatusNames = map[string]string{"已受理": "received", "已诊断": "diagnosed", "匹配中": "matching", "已解决": "resolved", "无法解决": "unresolvable"}

// enumCode maps a Chinese name to its code; other text is returned
// lower-cased for the validator to judge.
func enumCode(s string, names map[string]string) string {
	s = normText(s)
	if c, ok := names[s]; ok {
		return c
	}
	return lowerASCII(s)
}

func setDecimal(c *Check, field, s string) (d decimal.Decimal, ok bool) {
	if normText(s) == "" {
		return d, true
	}
	d, ok = decimalx.Parse(s)
	if !ok {
		c.Add(field, "malformed", "number", s)
	}
	return d, ok
}

func setInt(c *Check, field, s string) int {
	s = normText(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		c.Add(field, "malformed", "integer", s)
	}
	return n
}

func setDate(c *Check, field, s string) time.Time {
	s = normText(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02", "2006/01/02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	c.Add(field, "malformed", "date (YYYY-MM-DD)", s)
	return time.Time{}
}

func withColumns[T any](base map[string]setter[T], more map[string]setter[T]) map[string]setter[T] {
	for k, f := range more {
		base[k] = f
	}
	return base
}

func (Achievement) columns() map[string]setter[Achievement] {
	return withColumns(metaColumns(func(a *Achievement) *Meta { return &a.Meta }), map[string]setter[Achievement]{
		"title":          func(a *Achievement, s string, c *Check) { a.Title = s },
		"summary":        func(a *Achievement, s string, c *Check) { a.Summary = s },
		"abstract":       func(a *Achievement, s string, c *Check) { a.Abstract = s },
		"keywords":       func(a *Achievement, s string, c *Check) { a.Keywords = splitList(s) },
		"disciplines":    func(a *Achievement, s string, c *Check) { a.Disciplines = splitList(s) },
		"industry_codes": func(a *Achievement, s string, c *Check) { a.IndustryCodes = splitList(s) },
		"owner":          func(a *Achievement, s string, c *Check) { a.Owner = s },
		"owner_id":       func(a *Achievement, s string, c *Check) { a.OwnerID = s },
		"inventors":      func(a *Achievement, s string, c *Check) { a.Inventors = parseInventors(c, s) },
		"ip_rights":      func(a *Achievement, s string, c *Check) { a.IPRights = parseIPRights(s) },
		"readiness_scale": func(a *Achievement, s string, c *Check) {
			a.Readiness.Scale = ReadinessScale(lowerASCII(normText(s)))
		},
		"readiness_level":    func(a *Achievement, s string, c *Check) { a.Readiness.Level = setInt(c, "readiness.level", s) },
		"readiness_evidence": func(a *Achievement, s string, c *Check) { a.Readiness.Evidence = splitList(s) },
		"transfer_modes": func(a *Achievement, s string, c *Check) {
			for _, m := range splitList(s) {
				a.TransferModes = append(a.TransferModes, TransferMode(enumCode(m, modeNames)))
			}
		},
		"asking_price": func(a *Achievement, s string, c *Check) {
			if d, ok := setDecimal(c, "asking_price", s); ok {
				a.AskingPrice = d
			}
		},
		"pricing": func(a *Achievement, s string, c *Check) { a.Pricing = PricingType(enumCode(s, pricingNames)) },
	})
}

// parseInventors reads "张三:60;李四:40" (shares in percent; "%" allowed).
func parseInventors(c *Check, s string) []Inventor {
	var out []Inventor
	for i, item := range splitList(s) {
		name, share, _ := strings.Cut(item, ":")
		inv := Inventor{Name: strings.TrimSpace(name)}
		share = strings.TrimSuffix(strings.TrimSpace(share), "%")
		if share != "" {
			d, ok := decimalx.Parse(share)
			if !ok {
				c.Add("inventors["+itoa(i)+"].share", "malformed", "percentage", share)
			}
			inv.Share = d
		}
		out = append(out, inv)
	}
	return out
}

// parseIPRights reads "发明专利:ZL202110123456.7:已授权;软件著作权:2021SR0001234".
func parseIPRights(s string) []IPRight {
	var out []IPRight
	for _, item := range splitList(s) {
		parts := strings.Split(item, ":")
		ip := IPRight{Type: IPType(enumCode(parts[0], ipNames)), Territory: "CN"}
		if len(parts) > 1 {
			ip.Number = parts[1]
		}
		if len(parts) > 2 {
			ip.Status = IPStatus(enumCode(parts[2], ipStatusNames))
		}
		if len(parts) > 3 {
			ip.Territory = parts[3]
		}
		out = append(out, ip)
	}
	return out
}

func (Demand) columns() map[string]setter[Demand] {
	return withColumns(metaColumns(func(d *Demand) *Meta { return &d.Meta }), map[string]setter[Demand]{
		"enterprise":     func(d *Demand, s string, c *Check) { d.Enterprise = s },
		"enterprise_id":  func(d *Demand, s string, c *Check) { d.EnterpriseID = s },
		"title":          func(d *Demand, s string, c *Check) { d.Title = s },
		"problem":        func(d *Demand, s string, c *Check) { d.Problem = s },
		"spec":           func(d *Demand, s string, c *Check) { d.Spec = s },
		"keywords":       func(d *Demand, s string, c *Check) { d.Keywords = splitList(s) },
		"disciplines":    func(d *Demand, s string, c *Check) { d.Disciplines = splitList(s) },
		"industry_codes": func(d *Demand, s string, c *Check) { d.IndustryCodes = splitList(s) },
		"min_readiness_scale": func(d *Demand, s string, c *Check) {
			d.MinReadiness.Scale = ReadinessScale(lowerASCII(normText(s)))
		},
		"min_readiness_level": func(d *Demand, s string, c *Check) {
			d.MinReadiness.Level = setInt(c, "min_readiness.level", s)
		},
		"budget_min": func(d *Demand, s string, c *Check) {
			if v, ok := setDecimal(c, "budget.min", s); ok {
				d.Budget.Min = v
			}
		},
		"budget_max": func(d *Demand, s string, c *Check) {
			if v, ok := setDecimal(c, "budget.max", s); ok {
				d.Budget.Max = v
			}
		},
		"deadline": func(d *Demand, s string, c *Check) { d.Deadline = setDate(c, "deadline", s) },
		"status":   func(d *Demand, s string, c *Check) { d.Status = DemandStatus(enumCode(s, demandStatusNames)) },
	})
}

func (Expert) columns() map[string]setter[Expert] {
	return withColumns(metaColumns(func(e *Expert) *Meta { return &e.Meta }), map[string]setter[Expert]{
		"name":           func(e *Expert, s string, c *Check) { e.Name = s },
		"institution":    func(e *Expert, s string, c *Check) { e.Institution = s },
		"institution_id": func(e *Expert, s string, c *Check) { e.InstitutionID = s },
		"title":          func(e *Expert, s string, c *Check) { e.Title = s },
		"grade":          func(e *Expert, s string, c *Check) { e.Grade = s },
		"disciplines":    func(e *Expert, s string, c *Check) { e.Disciplines = splitList(s) },
		"keywords":       func(e *Expert, s string, c *Check) { e.Keywords = splitList(s) },
		"works": func(e *Expert, s string, c *Check) {
			for _, w := range splitList(s) {
				e.Works = append(e.Works, Work{Title: w})
			}
		},
		"societies":      func(e *Expert, s string, c *Check) { e.Societies = splitList(s) },
		"qualifications": func(e *Expert, s string, c *Check) { e.Qualifications = splitList(s) },
		"conflicts": func(e *Expert, s string, c *Check) {
			for _, p := range splitList(s) {
				e.Conflicts = append(e.Conflicts, Conflict{Party: p})
			}
		},
		"max_load": func(e *Expert, s string, c *Check) { e.MaxLoad = setInt(c, "max_load", s) },
		"city":     func(e *Expert, s string, c *Check) { e.City = s },
		"phone":    func(e *Expert, s string, c *Check) { e.Contact.Phone = s },
		"email":    func(e *Expert, s string, c *Check) { e.Contact.Email = s },
		"wechat":   func(e *Expert, s string, c *Check) { e.Contact.WeChat = s },
	})
}

func (IndustryBroker) columns() map[string]setter[IndustryBroker] {
	return withColumns(metaColumns(func(b *IndustryBroker) *Meta { return &b.Meta }), map[string]setter[IndustryBroker]{
		"name":           func(b *IndustryBroker, s string, c *Check) { b.Name = s },
		"name_en":        func(b *IndustryBroker, s string, c *Check) { b.NameEN = s },
		"description":    func(b *IndustryBroker, s string, c *Check) { b.Description = s },
		"disciplines":    func(b *IndustryBroker, s string, c *Check) { b.Sector.Disciplines = splitList(s) },
		"industry_codes": func(b *IndustryBroker, s string, c *Check) { b.Sector.IndustryCodes = splitList(s) },
		"keywords":       func(b *IndustryBroker, s string, c *Check) { b.Sector.Keywords = splitList(s) },
	})
}
