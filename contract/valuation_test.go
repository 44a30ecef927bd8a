package contract_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/contract"
)

func TestCheckValuation(t *testing.T) {
	v := contract.Valuation{Report: "val-1", Low: decimal.NewFromInt(12_000_000), High: decimal.NewFromInt(15_000_000)}
	for _, tc := range []struct {
		price string
		pass  bool
		why   string
	}{
		{"9000000", false, "25% below the range 1200万元–1500万元"},
		{"12000000", true, "within"},
		{"15000000", true, "within"},
		{"18000000", false, "20% above"},
	} {
		f := contract.CheckValuation(decimal.RequireFromString(tc.price), v)
		if f.Pass != tc.pass || !strings.Contains(f.Why, tc.why) || f.Rule != contract.RuleValuation {
			t.Errorf("price %s: got %v", tc.price, f)
		}
	}
	if f := contract.CheckValuation(decimal.NewFromInt(1), contract.Valuation{Report: "v"}); !f.Pass {
		t.Errorf("no range: got %v, want a pass that says nothing was compared", f)
	}
}

func ExampleCheckValuation() {
	v := contract.Valuation{Report: "val-000001", Low: decimal.NewFromInt(12_000_000), High: decimal.NewFromInt(15_000_000)}
	fmt.Println(contract.CheckValuation(decimal.NewFromInt(9_000_000), v))
	// Output:
	// [FAIL] price-within-valuation (GB/T 39057-2020 科技成果经济价值评估指南; 促进科技成果转化法 第十八条 (a price by agreement, supported by a valuation)): the price 900万元 is 25% below the range 1200万元–1500万元 of valuation val-000001
}
