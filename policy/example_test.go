package policy_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/policy"
)

func ExampleRuleSet_Evaluate() {
	rules := policy.ExampleRules() // illustrative only: not any region's policy
	ev, err := rules.Evaluate(policy.Deal, policy.Facts{
		"contract_type":    "transfer",
		"contract_value":   decimal.RequireFromString("3000000"),
		"technical_income": decimal.RequireFromString("3000000"),
		"registered":       true,
		"buyer_region":     "示例区",
	})
	if err != nil {
		panic(err)
	}
	for _, r := range ev.Results {
		switch {
		case !r.Applies:
			fmt.Printf("%s: does not apply\n", r.Rule)
			for _, c := range r.Checks {
				if !c.Holds && !strings.HasSuffix(c.Condition, ":") {
					fmt.Printf("  %s (is %s)\n", c.Condition, c.Actual)
				}
			}
		case r.HasAmount:
			fmt.Printf("%s: %s\n", r.Rule, r.Calculation)
		default:
			fmt.Printf("%s: applies (no amount)\n", r.Rule)
		}
	}
	// Output:
	// example-contract-subsidy: contract_value 3000000: 1000000 × 3% + 2000000 × 2% = 70000.00
	// example-broker-reward: does not apply
	//   broker ≠ "" (is not known)
	// estimate-cit-transfer-relief: technical_income 3000000: 3000000 × 25% = 750000.00
	// vat-exemption: applies (no amount)
}

func ExampleParse_unknownField() {
	_, err := policy.Parse(strings.NewReader(`{"name": "mine", "rules": [{"id": "r1", "title": "T",
		"kind": "subsidy", "subject": "deal",
		"when": [{"field": "contract_amount", "op": "gte", "value": 1000000}]}]}`))
	var re *policy.RuleError
	if errors.As(err, &re) {
		fmt.Println(re.Path, re.Field, errors.Is(err, policy.ErrUnknownField))
	}
	fmt.Println(err)
	// Output:
	// rules[0].when[0].field contract_amount true
	// policy: rules[0].when[0].field (rule r1): unknown deal field "contract_amount"
}
