// Package policy is a library of policy rules (政策) as data: subsidies
// tiered by registered contract value, tax relief for registered technical
// contracts, rewards. Rules are JSON, validated on load; evaluating a deal
// or an enterprise returns every rule about it, whether it applies, the
// amount (decimal yuan) and why, condition by condition.
//
// It is pure: no storage, no clock, no I/O beyond the reader handed to
// Parse. Package broker and callers supply the facts.
//
// # Rules
//
// A [RuleSet] holds [Rule]s. A rule names its [Subject] (deal or
// enterprise), its [Kind] (subsidy, tax_relief, reward), conditions that
// must all hold (When; a condition tests one fact, or groups others with
// "any" or "all") and an optional [Amount]: a fixed sum, a rate (percent) of
// a base fact, or tiers of it — progressive (each slice at its own rate) or
// brackets (the tier the base falls in sets the rate or fixed sum for the
// whole) — capped and rounded half away from zero to the cent.
//
// The facts a rule may name are fixed per subject ([Fields]): a rule that
// names any other field, an operator that does not fit the field's type,
// a value of the wrong type, tiers out of order or an unknown JSON key is
// refused by [Parse] with [Errors], each a [*RuleError] naming the path
// (e.g. "rules[2].when[0].field") and the field; errors.Is(err,
// ErrUnknownField) picks out unknown fields.
//
//	{"id": "r1", "title": "…", "kind": "subsidy", "subject": "deal",
//	 "when": [{"field": "registered", "op": "eq", "value": true}],
//	 "amount": {"base": "contract_value", "progressive": true,
//	            "tiers": [{"from": "0", "to": "1000000", "rate": "3"},
//	                      {"from": "1000000", "rate": "2"}],
//	            "cap": "500000"}}
//
// # Evaluation
//
// [RuleSet.Evaluate] takes [Facts] (by field name). A fact that is not
// given makes the conditions on it fail with "not known" — the result says
// so — while a fact that no field has, or of the wrong type, is an error
// ([*FactError]): a typo must not silently turn a policy off.
// [ContractFacts] fills the deal facts a contract.Contract carries.
//
// # The example rule set
//
// [ExampleRules] is a small ILLUSTRATIVE rule set (its Example flag is set
// and its Disclaimer says so): invented thresholds and amounts showing the
// format, plus two rules paraphrasing the national tax relief for
// registered technology contracts (VAT exemption for transfer and
// development; corporate income tax exempt on transfer income up to ¥5M
// and halved above, with a qualifying licence — exclusive, worldwide, at
// least five years — counting as a transfer) as an estimate. It is not
// any region's policy.
package policy
