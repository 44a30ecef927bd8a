package broker

import "strings"

// IndustryBroker is one industry broker desk (样板间, 细分领域技术券商): a
// team focused on one sector that collects, screens, cultivates, promotes,
// lists and incubates that sector's achievements. Its ID is chosen by the
// blueprint (e.g. "marine-tech").
type IndustryBroker struct {
	Meta
	Name        string        `json:"name" validate:"required,max=100"` // Chinese name, e.g. 海洋技术
	NameEN      string        `json:"name_en,omitempty" validate:"max=100"`
	Description string        `json:"description,omitempty" validate:"max=2000"`
	Sector      Sector        `json:"sector"`
	Members     []MemberUnit  `json:"members,omitempty" validate:"max=50,dive"`
	Staff       []StaffMember `json:"staff,omitempty" validate:"max=500,dive"`
}

// Sector describes what an industry broker covers: a field (disciplines,
// industry codes, keywords) or a place. A room defined by a place, such as
// the 700米科创街区 room on 大学路, names the place (Place) and the streets
// and landmarks it covers (Streets), and serves what is found there
// whatever its field.
type Sector struct {
	Disciplines   []string `json:"disciplines,omitempty" validate:"max=50,dive,max=32"`
	IndustryCodes []string `json:"industry_codes,omitempty" validate:"max=50,dive,max=32"`
	Keywords      []string `json:"keywords,omitempty" validate:"max=200,dive,max=100"`
	Place         string   `json:"place,omitempty" validate:"max=100"`
	Streets       []string `json:"streets,omitempty" validate:"max=50,dive,max=100"`
}

// ByPlace reports whether the sector is a place rather than a field.
func (s Sector) ByPlace() bool { return s.Place != "" }

// Covers reports whether an address (or any text naming a location) lies in
// the sector's place: it names one of its streets or landmarks.
func (s Sector) Covers(address string) bool {
	folded := foldKey(address)
	for _, st := range s.Streets {
		if st != "" && strings.Contains(folded, foldKey(st)) {
			return true
		}
	}
	return false
}

// MemberUnit is an organization that runs or backs an industry broker: the
// lead university or hospital, a society, an industry association.
type MemberUnit struct {
	Name  string   `json:"name" validate:"required,max=200" org:"name"`
	Kind  UnitKind `json:"kind" validate:"required,oneof=university hospital institute society association enterprise exchange government other"`
	OrgID string   `json:"org_id,omitempty" validate:"max=64" org:"id"`
	Lead  bool     `json:"lead,omitempty"` // the unit that leads the desk
}

// UnitKind is the kind of a member unit.
type UnitKind string

// Member unit kinds.
const (
	University  UnitKind = "university"
	Hospital    UnitKind = "hospital"
	Institute   UnitKind = "institute"
	SocietyUnit UnitKind = "society"
	Association UnitKind = "association"
	Enterprise  UnitKind = "enterprise"
)

// StaffMember is a person working on an industry broker desk (技术经理人).
type StaffMember struct {
	ID   string `json:"id" validate:"required,max=64"` // principal ID
	Name string `json:"name" validate:"required,max=64"`
	Role string `json:"role,omitempty" validate:"max=64"`
}

// AccessClass: an industry broker's own record (ClassBroker).
func (IndustryBroker) AccessClass() Class { return ClassBroker }

func (IndustryBroker) RecordKind() Kind { return KindBroker }

func (b IndustryBroker) Normalized() IndustryBroker {
	b.Meta.normalize()
	b.Name = normText(b.Name)
	b.NameEN = normText(b.NameEN)
	b.Description = normMultiline(b.Description)
	b.Sector = Sector{
		Disciplines:   normCodes(b.Sector.Disciplines),
		IndustryCodes: normCodes(b.Sector.IndustryCodes),
		Keywords:      normList(b.Sector.Keywords),
		Place:         normText(b.Sector.Place),
		Streets:       normList(b.Sector.Streets),
	}
	if b.Members != nil {
		ms := make([]MemberUnit, len(b.Members))
		for i, m := range b.Members {
			ms[i] = MemberUnit{Name: normText(m.Name), Kind: UnitKind(lowerASCII(normText(string(m.Kind)))), OrgID: normText(m.OrgID), Lead: m.Lead}
		}
		b.Members = ms
	}
	if b.Staff != nil {
		ss := make([]StaffMember, len(b.Staff))
		for i, m := range b.Staff {
			ss[i] = StaffMember{ID: normText(m.ID), Name: normText(m.Name), Role: normText(m.Role)}
		}
		b.Staff = ss
	}
	return b
}

func (b IndustryBroker) Validate(c *Check) {
	switch {
	case b.Sector.ByPlace() && len(b.Sector.Streets) == 0:
		c.Add("sector.streets", "required", "", "") // a place needs its streets
	case !b.Sector.ByPlace() && len(b.Sector.Streets) > 0:
		c.Add("sector.place", "required", "", "") // streets need their place
	}
	c.Disciplines("sector.disciplines", b.Sector.Disciplines)
	c.Industries("sector.industry_codes", b.Sector.IndustryCodes)
	seen := map[string]bool{}
	for i, m := range b.Staff {
		if seen[m.ID] {
			c.Add("staff["+itoa(i)+"].id", "unique", "", m.ID)
		}
		seen[m.ID] = true
	}
}

// HasStaff reports whether the principal ID is on the desk's staff.
func (b IndustryBroker) HasStaff(id string) bool {
	for _, m := range b.Staff {
		if m.ID == id {
			return true
		}
	}
	return false
}

// SectorFit scores how well a record's disciplines, industry codes and text
// fit the sector: 3 points per shared discipline code (a code matches when
// one is a prefix of the other, so "320" covers "32047"), 3 per shared
// industry code (same prefix rule) and 1 per sector keyword found in the
// text. It is a transparent rule for routing before a trained router is
// available (see package matching for the learned one).
func (s Sector) SectorFit(disciplines, industryCodes []string, text string) int {
	score := 0
	for _, d := range disciplines {
		if prefixMatch(s.Disciplines, d) {
			score += 3
		}
	}
	for _, d := range industryCodes {
		if prefixMatch(s.IndustryCodes, d) {
			score += 3
		}
	}
	folded := foldKey(text)
	for _, k := range s.Keywords {
		if k != "" && strings.Contains(folded, foldKey(k)) {
			score++
		}
	}
	return score
}

func prefixMatch(codes []string, c string) bool {
	for _, x := range codes {
		if strings.HasPrefix(c, x) || strings.HasPrefix(x, c) {
			return true
		}
	}
	return false
}
