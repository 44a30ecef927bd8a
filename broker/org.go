package broker

import (
	"errors"
	"slices"

	"github.com/kexie/techbroker/creditcode"
)

// Record kinds of the people and organizations around the chain.
const (
	KindOrganization Kind = "organization" // an institution of the registry
	KindStaff        Kind = "staff"        // a technology manager on a broker's roster
)

// OrgRole is what an organization is to the chain. An organization may
// hold several roles (a university that also runs a science park).
type OrgRole string

// Organization roles.
const (
	OrgUniversity      OrgRole = "university"          // 高校
	OrgHospital        OrgRole = "hospital"            // 医院
	OrgInstitute       OrgRole = "research_institute"  // 科研院所
	OrgEnterprise      OrgRole = "enterprise"          // 企业
	OrgIncubator       OrgRole = "incubator"           // 孵化器
	OrgSciencePark     OrgRole = "science_park"        // 大学科技园
	OrgFund            OrgRole = "investment_fund"     // 投资机构 / 基金
	OrgIPFirm          OrgRole = "ip_firm"             // 知识产权服务机构
	OrgLawFirm         OrgRole = "law_firm"            // 律师事务所
	OrgTransferService OrgRole = "transfer_service"    // 技术转移服务机构
	OrgSocietyRole     OrgRole = "society"             // 学会
	OrgExchange        OrgRole = "technology_exchange" // 技术交易所
	OrgAssociation     OrgRole = "science_association" // 科协 (科学技术协会), including a park's 园区科协
	orgRolesOneOf              = "university hospital research_institute enterprise incubator science_park investment_fund ip_firm law_firm transfer_service society technology_exchange science_association"
)

// OrgRoles returns every organization role.
func OrgRoles() []OrgRole {
	return []OrgRole{OrgUniversity, OrgHospital, OrgInstitute, OrgEnterprise, OrgIncubator, OrgSciencePark,
		OrgFund, OrgIPFirm, OrgLawFirm, OrgTransferService, OrgSocietyRole, OrgExchange, OrgAssociation}
}

// Organization is an institution of the registry: a university, hospital,
// research institute, enterprise, incubator or university science park,
// investment fund, IP or law firm, technology-transfer service institution
// or society. Achievements (OwnerID), demands (EnterpriseID), experts
// (InstitutionID), industry brokers' member units (OrgID), investors
// (OrgID) and incubations (Incubator, SpinOff) point to it by ID;
// MergeOrganizations folds a duplicate into another and rewrites all of
// them.
//
// Contacts are personal data (个人信息): the System returns them only to
// platform admins and to the organization's own principals (Principal.Org
// equal to the organization's ID); everyone else gets them cleared. Only
// those two may write the record, so nobody writes back a record whose
// contacts were hidden from them.
type Organization struct {
	Meta
	Name   string `json:"name" validate:"required,max=200"`
	NameEN string `json:"name_en,omitempty" validate:"max=200"`
	// Aliases are former names and the names of merged duplicates.
	Aliases []string  `json:"aliases,omitempty" validate:"max=50,dive,max=200"`
	Roles   []OrgRole `json:"roles" validate:"min=1,max=13,dive,oneof=university hospital research_institute enterprise incubator science_park investment_fund ip_firm law_firm transfer_service society technology_exchange science_association"`
	// CreditCode is the unified social credit code (统一社会信用代码, GB
	// 32100-2015), validated strictly (package creditcode); empty for
	// organizations without one (foreign institutions).
	CreditCode string `json:"credit_code,omitempty" validate:"max=18"`
	// CreditCodeLenient accepts a code that fails its check characters, as
	// some legal codes issued early in pilot regions do. The code is kept
	// exactly as given; CreditCodeWarnings (set on write) say what did not
	// match.
	CreditCodeLenient  bool     `json:"credit_code_lenient,omitempty"`
	CreditCodeWarnings []string `json:"credit_code_warnings,omitempty"`
	Address            string   `json:"address,omitempty" validate:"max=300"`
	Website            string   `json:"website,omitempty" validate:"max=300"`
	// Society is the ID of the Society record of the society docking
	// platform, for an organization with the society role.
	Society  string       `json:"society,omitempty" validate:"max=64"`
	Contacts []OrgContact `json:"contacts,omitempty" validate:"max=50,dive"`
}

// OrgContact is a contact person of an organization: personal data.
type OrgContact struct {
	Name  string `json:"name" validate:"required,max=64"`
	Title string `json:"title,omitempty" validate:"max=64"` // e.g. 技术转移办公室主任
	Phone string `json:"phone,omitempty" validate:"max=32"`
	Email string `json:"email,omitempty" validate:"omitempty,email,max=254"`
}

// HasRole reports whether the organization holds the role.
func (o Organization) HasRole(r OrgRole) bool { return slices.Contains(o.Roles, r) }

func (Organization) RecordKind() Kind      { return KindOrganization }
func (Organization) AccessClass() Class    { return ClassRegistry }
func (o Organization) OwnerOrgs() []string { return orgList("", o.ID) }

// dedupKey is the credit code when there is one, else the folded name.
func (o Organization) DedupKey() string {
	if o.CreditCode != "" {
		return "uscc:" + o.CreditCode
	}
	return dedupKey(o.Name, "")
}

// Redacted clears Contacts, personal data that only platform admins and
// the organization's own principals see.
func (o Organization) Redacted() Organization { o.Contacts = nil; return o }

// Unredacted returns o with the stored contacts.
func (o Organization) Unredacted(stored Organization) Organization {
	o.Contacts = stored.Contacts
	return o
}

func (o Organization) Normalized() Organization {
	o.Meta.normalize()
	o.Name, o.NameEN = normText(o.Name), normText(o.NameEN)
	o.Aliases = normList(o.Aliases)
	if o.Roles != nil {
		rs := make([]OrgRole, 0, len(o.Roles))
		for _, r := range o.Roles {
			r = OrgRole(normEnum(string(r)))
			if r != "" && !slices.Contains(rs, r) {
				rs = append(rs, r)
			}
		}
		o.Roles = rs
	}
	o.CreditCode = creditcode.Normalize(o.CreditCode)
	o.CreditCodeWarnings = nil
	if o.CreditCode != "" && o.CreditCodeLenient {
		if cc, err := creditcode.Validate(o.CreditCode, &creditcode.Options{Lenient: true}); err == nil {
			for _, w := range cc.Warnings {
				o.CreditCodeWarnings = append(o.CreditCodeWarnings, w.Error())
			}
		}
	}
	o.Address, o.Website, o.Society = normText(o.Address), normText(o.Website), normText(o.Society)
	if o.Contacts != nil {
		cs := make([]OrgContact, len(o.Contacts))
		for i, x := range o.Contacts {
			cs[i] = OrgContact{Name: normText(x.Name), Title: normText(x.Title), Phone: normText(x.Phone), Email: lowerASCII(normText(x.Email))}
		}
		o.Contacts = cs
	}
	return o
}

func (o Organization) Validate(c *Check) {
	if o.CreditCode != "" {
		checkCreditCode(c, "credit_code", o.CreditCode, o.CreditCodeLenient)
	}
}

// checkCreditCode validates a code into c, naming the position and the
// character that is wrong.
func checkCreditCode(c *Check, field, code string, lenient bool) {
	_, err := creditcode.Validate(code, &creditcode.Options{Lenient: lenient})
	var e *creditcode.Error
	if errors.As(err, &e) {
		switch e.Reason {
		case creditcode.BadLength:
			c.Add(field, "credit_code_length", "18", itoa(e.Len))
		case creditcode.BadSymbol:
			c.Add(field, "credit_code_symbol", itoa(e.Position), e.Char)
		case creditcode.BadDivision:
			c.Add(field, "credit_code_division", itoa(e.Position), e.Char)
		case creditcode.BadOrgCheck:
			c.Add(field, "credit_code_org_check", e.Want, e.Char)
		default:
			c.Add(field, "credit_code_check", e.Want, e.Char)
		}
		return
	}
	if err != nil {
		c.Add(field, "invalid", "", err.Error())
	}
}

func (Organization) columns() map[string]setter[Organization] {
	return withColumns(metaColumns(func(o *Organization) *Meta { return &o.Meta }), map[string]setter[Organization]{
		"name":    func(o *Organization, s string, c *Check) { o.Name = s },
		"name_en": func(o *Organization, s string, c *Check) { o.NameEN = s },
		"aliases": func(o *Organization, s string, c *Check) { o.Aliases = splitList(s) },
		"roles": func(o *Organization, s string, c *Check) {
			for _, r := range splitList(s) {
				o.Roles = append(o.Roles, OrgRole(enumCode(r, orgRoleNames)))
			}
		},
		"credit_code": func(o *Organization, s string, c *Check) { o.CreditCode = s },
		"address":     func(o *Organization, s string, c *Check) { o.Address = s },
		"website":     func(o *Organization, s string, c *Check) { o.Website = s },
		"society_id":  func(o *Organization, s string, c *Check) { o.Society = s },
	})
}

var orgRoleNames = map[string]string{
	"高校": "university", "大学": "university", "医院": "hospital", "科研院所": "research_institute",
	"研究所": "research_institute", "企业": "enterprise", "孵化器": "incubator", "大学科技园": "science_park",
	"科技园": "science_park", "投资机构": "investment_fund", "基金": "investment_fund",
	"知识产权服务机构": "ip_firm", "律师事务所": "law_firm", "技术转移服务机构": "transfer_service",
	"学会": "society", "技术交易所": "technology_exchange", "科协": "science_association", "科学技术协会": "science_association",
}
