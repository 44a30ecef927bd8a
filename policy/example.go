package policy

import (
	_ "embed"

	"github.com/kexie/techbroker/contract"
)

//go:embed rules/example.json
var exampleJSON []byte

// ExampleRules returns a small illustrative rule set. It is an EXAMPLE:
// its thresholds and amounts are invented to show the format and are not
// the policy of any region (RuleSet.Example is true and its Disclaimer
// says so). The two tax rules paraphrase the national relief for
// registered technology contracts as an estimate only.
func ExampleRules() *RuleSet {
	rs, err := ParseBytes(exampleJSON)
	if err != nil {
		panic("policy: embedded example rules are invalid: " + err.Error()) // a build defect, not user data
	}
	return rs
}

// ExampleJSON returns the example rule set's JSON, as a template to copy.
func ExampleJSON() []byte { return append([]byte(nil), exampleJSON...) }

// ContractFacts returns the deal facts a technology contract carries:
// contract_type, contract_value, registered, seller_public and, for a
// licence, licence_exclusive, licence_worldwide and licence_years (when
// its term is known), and signed_year. Add the rest (technical_income,
// regions, kinds, broker) to the map before evaluating.
func ContractFacts(c contract.Contract) Facts {
	f := Facts{
		"contract_type":  string(c.Type),
		"contract_value": c.Amount,
		"registered":     c.Registered,
		"seller_public":  c.Seller.Public,
	}
	if c.Type == contract.License {
		f["licence_exclusive"] = c.Licence.Exclusive
		f["licence_worldwide"] = c.Licence.Worldwide
		if y := c.Licence.Years(); y > 0 {
			f["licence_years"] = y
		}
	}
	if !c.Signed.IsZero() {
		f["signed_year"] = c.Signed.Year()
	}
	return f
}
