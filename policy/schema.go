package policy

import "slices"

// Subject is what a rule is about: a deal or an enterprise.
type Subject string

// Subjects.
const (
	Deal       Subject = "deal"       // a technology deal (a registered technology contract)
	Enterprise Subject = "enterprise" // an enterprise, for enterprise policies
)

// Type is the type of a fact.
type Type string

// Fact types.
const (
	Number Type = "number" // decimal.Decimal (also int, int64 and numeric strings on input; not float64)
	String Type = "string"
	Bool   Type = "bool"
	List   Type = "list" // []string
)

// Field is one fact a rule may refer to.
type Field struct {
	Name        string
	Type        Type
	Description string
}

// Fields returns the facts rules about a subject may refer to, in a
// stable order. A rule naming any other field is refused by Parse.
func Fields(s Subject) []Field {
	switch s {
	case Deal:
		return slices.Clone(dealFields)
	case Enterprise:
		return slices.Clone(enterpriseFields)
	}
	return nil
}

var dealFields = []Field{
	{"contract_type", String, "technology contract type: development, transfer, license, consulting, service (Civil Code Art. 843)"},
	{"contract_value", Number, "registered contract value, yuan"},
	{"registered", Bool, "the contract passed 技术合同认定登记"},
	{"technical_income", Number, "technical income (技术性收入) from the contract, yuan"},
	{"transfer_mode", String, "transfer mode: transfer, license, investment, development, service, consulting"},
	{"licence_exclusive", Bool, "the licence is exclusive (独占)"},
	{"licence_worldwide", Bool, "the licence is worldwide"},
	{"licence_years", Number, "the licence term in whole years"},
	{"seller_public", Bool, "the seller is a state-funded institute or university"},
	{"seller_kind", String, "organization role of the seller, e.g. university, hospital, enterprise"},
	{"buyer_kind", String, "organization role of the buyer"},
	{"seller_region", String, "the seller's region"},
	{"buyer_region", String, "the buyer's region"},
	{"broker", String, "the industry broker that handled the deal; empty if none"},
	{"signed_year", Number, "the year the contract was signed"},
}

var enterpriseFields = []Field{
	{"region", String, "the enterprise's region"},
	{"high_tech", Bool, "a certified high-tech enterprise (高新技术企业)"},
	{"tech_sme", Bool, "a technology-based SME (科技型中小企业)"},
	{"employees", Number, "number of employees"},
	{"revenue", Number, "annual revenue, yuan"},
	{"rd_spending", Number, "annual R&D spending, yuan"},
	{"rd_ratio", Number, "R&D spending as a percentage of revenue"},
	{"age_years", Number, "years since registration"},
	{"industry_codes", List, "industry codes (GB/T 4754)"},
	{"technical_income", Number, "annual technical income, yuan"},
}

func field(s Subject, name string) (Field, bool) {
	var fs []Field
	switch s {
	case Deal:
		fs = dealFields
	case Enterprise:
		fs = enterpriseFields
	}
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// ops lists the operators each type accepts.
var ops = map[Type][]string{
	Number: {"eq", "ne", "gt", "gte", "lt", "lte"},
	String: {"eq", "ne", "in", "not_in"},
	Bool:   {"eq", "ne"},
	List:   {"contains", "intersects"},
}
