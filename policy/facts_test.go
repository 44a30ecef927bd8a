package policy

import (
	"errors"
	"testing"
)

// TestFactErrorMessages: a fact of the wrong type is refused in the
// reader's words, naming the value (issue 21, friction: "want a number,
// got string" for "12万", "got float64" for 1.5).
func TestFactErrorMessages(t *testing.T) {
	tests := []struct {
		facts Facts
		want  string
	}{
		{Facts{"contract_value": "12万"}, `policy: fact "contract_value": want a number such as "1200000.00", got "12万", which is not a number`},
		{Facts{"contract_value": " 100 "}, `policy: fact "contract_value": want a number such as "1200000.00", got " 100 ", which is not a number`},
		{Facts{"contract_value": 1.5}, `policy: fact "contract_value": want an exact number (a decimal.Decimal, an int, an int64 or a string such as "1.5"), got the float64 1.5: a float cannot hold an amount exactly`},
		{Facts{"contract_value": true}, `policy: fact "contract_value": want a number (a decimal.Decimal, an int, an int64 or a string such as "1200000.00"), got the bool true`},
		{Facts{"contract_value": int32(5)}, `policy: fact "contract_value": want a number (a decimal.Decimal, an int, an int64 or a string such as "1200000.00"), got the int32 5`},
		{Facts{"registered": "yes"}, `policy: fact "registered": want true or false, got "yes"`},
		{Facts{"contract_valu": "1"}, `policy: fact "contract_valu": not a deal field`},
	}
	for _, tt := range tests {
		_, err := ExampleRules().Evaluate(Deal, tt.facts)
		var fe *FactError
		if !errors.As(err, &fe) || err.Error() != tt.want {
			t.Errorf("Evaluate(%v):\n got %v,\nwant %s", tt.facts, err, tt.want)
		}
	}
}

// TestFactErrorsAll: every bad fact is reported, in field-name order.
func TestFactErrorsAll(t *testing.T) {
	_, err := ExampleRules().Evaluate(Deal, Facts{"registered": "yes", "contract_value": 1.5, "contract_valu": "1"})
	want := `policy: fact "contract_valu": not a deal field
policy: fact "contract_value": want an exact number (a decimal.Decimal, an int, an int64 or a string such as "1.5"), got the float64 1.5: a float cannot hold an amount exactly
policy: fact "registered": want true or false, got "yes"`
	var fe *FactError
	if err == nil || err.Error() != want || !errors.As(err, &fe) || fe.Field != "contract_valu" {
		t.Errorf("got %v,\nwant %s", err, want)
	}
}
