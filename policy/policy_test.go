package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/contract"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestExampleRulesParse(t *testing.T) {
	rs := ExampleRules()
	if !rs.Example || !strings.Contains(rs.Disclaimer, "ILLUSTRATIVE") {
		t.Errorf("example rule set not labelled: Example=%v Disclaimer=%q", rs.Example, rs.Disclaimer)
	}
	if got := len(rs.Rules); got != 6 {
		t.Errorf("rules: got %d, want 6", got)
	}
}

func ruleJSON(when, amount string) string {
	s := `{"name":"t","rules":[{"id":"r1","title":"T","kind":"subsidy","subject":"deal"`
	if when != "" {
		s += `,"when":[` + when + `]`
	}
	if amount != "" {
		s += `,"amount":` + amount
	}
	return s + `}]}`
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, json, path, field, code string
	}{
		{"unknown condition field", ruleJSON(`{"field":"contract_valu","op":"gt","value":1}`, ""), "rules[0].when[0].field", "contract_valu", "unknown_field"},
		{"unknown nested field", ruleJSON(`{"any":[{"field":"registered","op":"eq","value":true},{"field":"high_tech","op":"eq","value":true}]}`, ""), "rules[0].when[0].any[1].field", "high_tech", "unknown_field"},
		{"unknown base", ruleJSON("", `{"base":"price","rate":"1"}`), "rules[0].amount.base", "price", "unknown_field"},
		{"op does not fit", ruleJSON(`{"field":"registered","op":"gt","value":true}`, ""), "rules[0].when[0].op", "registered", "op"},
		{"value of wrong type", ruleJSON(`{"field":"contract_value","op":"gt","value":"a lot"}`, ""), "rules[0].when[0].value", "contract_value", "value"},
		{"in needs a list", ruleJSON(`{"field":"contract_type","op":"in","value":"transfer"}`, ""), "rules[0].when[0].value", "contract_type", "value"},
		{"base not a number", ruleJSON("", `{"base":"contract_type","rate":"1"}`), "rules[0].amount.base", "contract_type", "type"},
		{"two amounts", ruleJSON("", `{"base":"contract_value","rate":"1","fixed":"5"}`), "rules[0].amount", "", "required"},
		{"tier gap", ruleJSON("", `{"base":"contract_value","progressive":true,"tiers":[{"from":"0","to":"10","rate":"1"},{"from":"20","rate":"2"}]}`), "rules[0].amount.tiers[1].from", "", "order"},
		{"tier backwards", ruleJSON("", `{"base":"contract_value","tiers":[{"from":"10","to":"5","fixed":"1"}]}`), "rules[0].amount.tiers[0].to", "", "order"},
		{"negative cap", ruleJSON("", `{"fixed":"5","cap":"-1"}`), "rules[0].amount.cap", "", "value"},
		{"empty condition", ruleJSON(`{}`, ""), "rules[0].when[0]", "", "required"},
		{"unknown JSON key", `{"name":"t","rules":[{"id":"r1","title":"T","kind":"subsidy","subject":"deal","wen":[]}]}`, "$", "", "json"},
		{"example without disclaimer", `{"name":"t","example":true,"rules":[]}`, "disclaimer", "", "required"},
		{"bad kind", `{"name":"t","rules":[{"id":"r1","title":"T","kind":"loan","subject":"deal"}]}`, "rules[0].kind", "", "value"},
		{"duplicate id", `{"name":"t","rules":[{"id":"r1","title":"T","kind":"reward","subject":"deal"},{"id":"r1","title":"U","kind":"reward","subject":"deal"}]}`, "rules[1].id", "", "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.json))
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *RuleError", err)
			}
			if re.Path != tt.path || re.Field != tt.field || re.Code != tt.code {
				t.Errorf("got path %q field %q code %q, want %q %q %q (%v)", re.Path, re.Field, re.Code, tt.path, tt.field, tt.code, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid): got false")
			}
			if got := errors.Is(err, ErrUnknownField); got != (tt.code == "unknown_field") {
				t.Errorf("errors.Is(err, ErrUnknownField): got %v", got)
			}
			if tt.field != "" && !strings.Contains(err.Error(), tt.field) {
				t.Errorf("message %q does not name %q", err, tt.field)
			}
		})
	}
}

func result(t *testing.T, ev Evaluation, id string) Result {
	t.Helper()
	for _, r := range ev.Results {
		if r.Rule == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return Result{}
}

func TestEvaluateDeal(t *testing.T) {
	rs := ExampleRules()
	tests := []struct {
		name  string
		facts Facts
		want  map[string]string // rule → amount, "-" for not applicable, "x" for applies without amount
	}{
		{"transfer of 3M in the example district", Facts{
			"contract_type": "transfer", "contract_value": d("3000000"), "registered": true,
			"buyer_region": "示例区", "broker": "marine-tech", "technical_income": d("3000000"),
		}, map[string]string{
			// 1,000,000 × 3% + 2,000,000 × 2% = 30,000 + 40,000
			"example-contract-subsidy": "70000",
			"example-broker-reward":    "20000",
			// 3,000,000 × 25%
			"estimate-cit-transfer-relief": "750000",
			"vat-exemption":                "x",
		}},
		{"large transfer hits the cap and the CIT half rate", Facts{
			"contract_type": "transfer", "contract_value": d("40000000"), "registered": true,
			"buyer_region": "示例区", "broker": "b", "technical_income": d("8000000"),
		}, map[string]string{
			// 30,000 + 80,000 + 350,000 = 460,000 (< cap 500,000)
			"example-contract-subsidy": "460000",
			"example-broker-reward":    "50000",
			// 5,000,000 × 25% + 3,000,000 × 12.5% = 1,250,000 + 375,000
			"estimate-cit-transfer-relief": "1625000",
			"vat-exemption":                "x",
		}},
		{"unregistered contract gets nothing", Facts{
			"contract_type": "transfer", "contract_value": d("3000000"), "registered": false, "buyer_region": "示例区", "broker": "b",
		}, map[string]string{"example-contract-subsidy": "-", "example-broker-reward": "-", "estimate-cit-transfer-relief": "-", "vat-exemption": "-"}},
		{"qualifying licence counts as a transfer for CIT", Facts{
			"contract_type": "license", "contract_value": d("600000"), "registered": true, "licence_exclusive": true,
			"licence_worldwide": true, "licence_years": 6, "technical_income": d("600000"),
		}, map[string]string{
			"example-contract-subsidy":     "-", // buyer region not known
			"example-broker-reward":        "-", // no broker
			"estimate-cit-transfer-relief": "150000",
			"vat-exemption":                "-",
		}},
		{"non-exclusive licence does not", Facts{
			"contract_type": "license", "contract_value": d("600000"), "registered": true, "licence_exclusive": false,
			"licence_worldwide": true, "licence_years": 6, "technical_income": d("600000"), "broker": "",
		}, map[string]string{"estimate-cit-transfer-relief": "-", "example-broker-reward": "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := rs.Evaluate(Deal, tt.facts)
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range tt.want {
				r := result(t, ev, id)
				switch want {
				case "-":
					if r.Applies {
						t.Errorf("%s: applies, want not (%+v)", id, r.Checks)
					}
				case "x":
					if !r.Applies || r.HasAmount {
						t.Errorf("%s: got applies=%v hasAmount=%v, want applies without amount", id, r.Applies, r.HasAmount)
					}
				default:
					if !r.Applies || !r.Amount.Equal(d(want)) {
						t.Errorf("%s: got applies=%v amount %s (%s), want %s", id, r.Applies, r.Amount, r.Calculation, want)
					}
				}
			}
		})
	}
}

func TestEvaluateExplains(t *testing.T) {
	rs := ExampleRules()
	ev, err := rs.Evaluate(Deal, Facts{"contract_type": "license", "registered": true, "licence_exclusive": false, "licence_worldwide": true})
	if err != nil {
		t.Fatal(err)
	}
	r := result(t, ev, "estimate-cit-transfer-relief")
	want := []Check{
		{Condition: "registered = true", Holds: true, Actual: "true"},
		{Condition: "any of:", Holds: false},
		{Condition: `  contract_type = "transfer"`, Holds: false, Actual: `"license"`},
		{Condition: "  all of:", Holds: false},
		{Condition: `    contract_type = "license"`, Holds: true, Actual: `"license"`},
		{Condition: "    licence_exclusive = true", Holds: false, Actual: "false"},
		{Condition: "    licence_worldwide = true", Holds: true, Actual: "true"},
		{Condition: "    licence_years ≥ 5", Holds: false, Actual: "not known"},
	}
	if diff := cmp.Diff(want, r.Checks); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

func TestEvaluateEnterprise(t *testing.T) {
	rs := ExampleRules()
	ev, err := rs.Evaluate(Enterprise, Facts{"tech_sme": true, "rd_spending": d("10000000"), "high_tech": true, "region": "别处"})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, ev, "example-rd-subsidy"); !r.Amount.Equal(d("300000")) || !strings.Contains(r.Calculation, "capped") {
		t.Errorf("rd subsidy: got %s (%s), want 300000 capped", r.Amount, r.Calculation)
	}
	if r := result(t, ev, "example-high-tech-award"); r.Applies {
		t.Errorf("award outside the example district: applies, want not")
	}
	if got := ev.Total[Subsidy]; !got.Equal(d("300000")) {
		t.Errorf("total subsidy: got %s, want 300000", got)
	}
	if n := len(ev.Applicable()); n != 1 {
		t.Errorf("applicable: got %d, want 1", n)
	}
	if len(ev.Results) != 2 {
		t.Errorf("results: got %d, want the 2 enterprise rules", len(ev.Results))
	}
}

func TestFactErrors(t *testing.T) {
	rs := ExampleRules()
	for _, f := range []Facts{{"contract_valu": d("1")}, {"contract_value": 1.5}, {"registered": "yes"}, {"high_tech": true}} {
		_, err := rs.Evaluate(Deal, f)
		var fe *FactError
		if !errors.As(err, &fe) {
			t.Errorf("Evaluate(%v): got %v, want *FactError", f, err)
		}
	}
}

func TestRounding(t *testing.T) {
	rs, err := Parse(strings.NewReader(ruleJSON("", `{"base":"contract_value","rate":"3.333"}`)))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := rs.Evaluate(Deal, Facts{"contract_value": "100.15"})
	if err != nil {
		t.Fatal(err)
	}
	// 100.15 × 3.333% = 3.3379995 → 3.34
	if got := ev.Results[0].Amount; !got.Equal(d("3.34")) {
		t.Errorf("got %s, want 3.34", got)
	}
}

func TestContractFacts(t *testing.T) {
	c := contract.Contract{Type: contract.License, Amount: d("600000"), Registered: true,
		Licence: contract.LicenceScope{Exclusive: true, Worldwide: true,
			Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC)},
		Signed: time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)}
	f := ContractFacts(c)
	f["technical_income"] = d("600000")
	ev, err := ExampleRules().Evaluate(Deal, f)
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, ev, "estimate-cit-transfer-relief"); !r.Applies || !r.Amount.Equal(d("150000")) {
		t.Errorf("got applies=%v %s, want 150000", r.Applies, r.Amount)
	}
}

// FuzzProgressiveMonotone: a progressive amount never falls as the base
// grows, and never exceeds base × the highest rate.
func FuzzProgressiveMonotone(f *testing.F) {
	f.Add(int64(0), int64(1))
	f.Add(int64(999999), int64(2))
	f.Add(int64(5000000), int64(123456789))
	rs := ExampleRules()
	f.Fuzz(func(t *testing.T, a, delta int64) {
		if a < 0 || delta < 0 || a > 1e13 || delta > 1e13 {
			return
		}
		amt := func(x int64) decimal.Decimal {
			ev, err := rs.Evaluate(Deal, Facts{"registered": true, "contract_type": "transfer", "technical_income": x, "contract_value": x, "buyer_region": "示例区"})
			if err != nil {
				t.Fatal(err)
			}
			return result(t, ev, "estimate-cit-transfer-relief").Amount.Add(result(t, ev, "example-contract-subsidy").Amount)
		}
		lo, hi := amt(a), amt(a+delta)
		if hi.LessThan(lo) {
			t.Fatalf("amount(%d) = %s > amount(%d) = %s", a, lo, a+delta, hi)
		}
		if ceil := decimal.NewFromInt(a).Mul(d("0.28")).Add(d("0.02")); lo.GreaterThan(ceil) {
			t.Fatalf("amount(%d) = %s above 28%% of the base", a, lo)
		}
	})
}

// FuzzParse: Parse never panics, and a rule set it accepts evaluates
// without error on empty facts.
func FuzzParse(f *testing.F) {
	f.Add(string(ExampleJSON()))
	f.Add(ruleJSON(`{"field":"contract_value","op":"gt","value":1}`, `{"base":"contract_value","rate":"1"}`))
	f.Add(`{"name":"x","rules":[{"id":"a","title":"b","kind":"reward","subject":"enterprise","when":[{"any":[]}]}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, sub := range []Subject{Deal, Enterprise} {
			if _, err := rs.Evaluate(sub, Facts{}); err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
		}
	})
}

func BenchmarkEvaluate(b *testing.B) {
	rs := ExampleRules()
	facts := Facts{"contract_type": "transfer", "contract_value": d("3000000"), "registered": true,
		"buyer_region": "示例区", "broker": "b", "technical_income": d("3000000")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rs.Evaluate(Deal, facts); err != nil {
			b.Fatal(err)
		}
	}
}
