package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// Kind is what a policy grants.
type Kind string

// Policy kinds.
const (
	Subsidy   Kind = "subsidy"    // 补贴
	TaxRelief Kind = "tax_relief" // 税收优惠
	Reward    Kind = "reward"     // 奖励
)

// RuleSet is a policy library: rules as data.
type RuleSet struct {
	Name string `json:"name"`
	// Example marks an illustrative rule set that is not any region's real
	// policy; Disclaimer says so in words.
	Example    bool   `json:"example,omitempty"`
	Disclaimer string `json:"disclaimer,omitempty"`
	Rules      []Rule `json:"rules"`
}

// Rule is one policy: when it applies (all of When) and how much it grants.
type Rule struct {
	ID      string      `json:"id"`
	Title   string      `json:"title"`
	TitleEN string      `json:"title_en,omitempty"`
	Kind    Kind        `json:"kind"`
	Subject Subject     `json:"subject"`
	When    []Condition `json:"when,omitempty"`
	// Amount computes what the rule grants; nil means the rule grants
	// something without an amount (e.g. an exemption).
	Amount *Amount `json:"amount,omitempty"`
	Note   string  `json:"note,omitempty"`
	Source string  `json:"source,omitempty"`
}

// Condition is a test on one fact, or a group: Any holds when one of its
// conditions holds, All when all do.
type Condition struct {
	Field string          `json:"field,omitempty"`
	Op    string          `json:"op,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
	Any   []Condition     `json:"any,omitempty"`
	All   []Condition     `json:"all,omitempty"`

	want any // Value decoded for the field's type by Validate
}

// Amount computes a rule's amount from a base fact: a fixed amount, a rate
// (percent) of the base, or tiers of the base. Tiers are progressive
// (each slice of the base at its own rate, like income tax) or, when
// Progressive is false, brackets (the tier the base falls in gives the
// rate or fixed amount for the whole). The result is capped at Cap (if
// set) and rounded half away from zero to Places decimals (default 2).
type Amount struct {
	Base        string           `json:"base,omitempty"`
	Fixed       *decimal.Decimal `json:"fixed,omitempty"`
	Rate        *decimal.Decimal `json:"rate,omitempty"` // percent
	Tiers       []Tier           `json:"tiers,omitempty"`
	Progressive bool             `json:"progressive,omitempty"`
	Cap         *decimal.Decimal `json:"cap,omitempty"`
	Places      *int32           `json:"places,omitempty"`
}

// Tier is one slice [From, To) of the base; a nil To is open-ended.
type Tier struct {
	From  decimal.Decimal  `json:"from"`
	To    *decimal.Decimal `json:"to,omitempty"`
	Rate  *decimal.Decimal `json:"rate,omitempty"`  // percent
	Fixed *decimal.Decimal `json:"fixed,omitempty"` // brackets only
}

// ErrInvalid is matched by every rule error.
var ErrInvalid = errors.New("policy: invalid rule set")

// ErrUnknownField is matched by an error about a field no fact has.
var ErrUnknownField = errors.New("policy: unknown field")

// RuleError is one problem with a rule set. Path locates it in the JSON
// (e.g. "rules[2].when[0].field"); Field is the fact named, if any.
type RuleError struct {
	Rule  string // the rule's ID, if known
	Path  string
	Field string
	Code  string // "unknown_field", "required", "type", "op", "value", "order", "duplicate", "json"
	Msg   string
}

func (e *RuleError) Error() string {
	s := "policy: " + e.Path
	if e.Rule != "" {
		s += " (rule " + e.Rule + ")"
	}
	return s + ": " + e.Msg
}

// Is matches ErrInvalid, and ErrUnknownField for unknown fields.
func (e *RuleError) Is(target error) bool {
	return target == ErrInvalid || (target == ErrUnknownField && e.Code == "unknown_field")
}

// Errors lists every problem found in a rule set.
type Errors []*RuleError

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the errors, so errors.As finds a *RuleError.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Parse reads a rule set from JSON and validates it. Unknown JSON keys,
// unknown facts, operators that do not fit a fact's type, values of the
// wrong type, malformed tiers and duplicate IDs are all reported, each
// naming its path, as Errors.
func Parse(r io.Reader) (*RuleSet, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var rs RuleSet
	if err := dec.Decode(&rs); err != nil {
		return nil, Errors{{Path: "$", Code: "json", Msg: err.Error()}}
	}
	if dec.More() {
		return nil, Errors{{Path: "$", Code: "json", Msg: "data after the rule set"}}
	}
	if err := rs.Validate(); err != nil {
		return nil, err
	}
	return &rs, nil
}

// ParseBytes is Parse over a byte slice.
func ParseBytes(b []byte) (*RuleSet, error) { return Parse(bytes.NewReader(b)) }

// Validate checks a rule set built in code; Parse calls it. It also
// decodes every condition's value once for Evaluate, so call it again after
// changing a rule (and not while another goroutine evaluates the set). A
// RuleSet is safe for concurrent Evaluate calls.
func (rs *RuleSet) Validate() error {
	var es Errors
	add := func(rule, path, field, code, format string, args ...any) {
		es = append(es, &RuleError{Rule: rule, Path: path, Field: field, Code: code, Msg: fmt.Sprintf(format, args...)})
	}
	if rs.Name == "" {
		add("", "name", "", "required", "a rule set needs a name")
	}
	if rs.Example && rs.Disclaimer == "" {
		add("", "disclaimer", "", "required", "an example rule set must say it is not real policy")
	}
	seen := map[string]bool{}
	for i, r := range rs.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		switch {
		case r.ID == "":
			add("", p+".id", "", "required", "a rule needs an id")
		case seen[r.ID]:
			add(r.ID, p+".id", "", "duplicate", "id %q is used twice", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" {
			add(r.ID, p+".title", "", "required", "a rule needs a title")
		}
		if r.Kind != Subsidy && r.Kind != TaxRelief && r.Kind != Reward {
			add(r.ID, p+".kind", "", "value", "kind %q, want subsidy, tax_relief or reward", r.Kind)
		}
		if r.Subject != Deal && r.Subject != Enterprise {
			add(r.ID, p+".subject", "", "value", "subject %q, want deal or enterprise", r.Subject)
			continue
		}
		for j := range r.When {
			validateCondition(r, &rs.Rules[i].When[j], fmt.Sprintf("%s.when[%d]", p, j), add)
		}
		if r.Amount != nil {
			validateAmount(r, *r.Amount, p+".amount", add)
		}
	}
	if len(es) > 0 {
		return es
	}
	return nil
}

type adder func(rule, path, field, code, format string, args ...any)

func validateCondition(r Rule, c *Condition, p string, add adder) {
	groups := 0
	if c.Any != nil {
		groups++
	}
	if c.All != nil {
		groups++
	}
	if c.Field != "" {
		groups++
	}
	if groups != 1 {
		add(r.ID, p, "", "required", "a condition needs exactly one of field, any, all")
		return
	}
	for j := range c.Any {
		validateCondition(r, &c.Any[j], fmt.Sprintf("%s.any[%d]", p, j), add)
	}
	for j := range c.All {
		validateCondition(r, &c.All[j], fmt.Sprintf("%s.all[%d]", p, j), add)
	}
	if c.Field == "" {
		return
	}
	f, ok := field(r.Subject, c.Field)
	if !ok {
		add(r.ID, p+".field", c.Field, "unknown_field", "unknown %s field %q", r.Subject, c.Field)
		return
	}
	if !slices.Contains(ops[f.Type], c.Op) {
		add(r.ID, p+".op", c.Field, "op", "operator %q does not apply to %s field %q (want one of %s)", c.Op, f.Type, c.Field, strings.Join(ops[f.Type], ", "))
		return
	}
	v, err := conditionValue(f, *c)
	if err != nil {
		add(r.ID, p+".value", c.Field, "value", "%v", err)
	}
	c.want = v
}

// conditionValue decodes a condition's value for the field's type.
func conditionValue(f Field, c Condition) (any, error) {
	if len(c.Value) == 0 {
		return nil, fmt.Errorf("a value is required")
	}
	switch {
	case f.Type == String && (c.Op == "in" || c.Op == "not_in"), f.Type == List:
		var v []string
		if err := json.Unmarshal(c.Value, &v); err != nil || len(v) == 0 {
			return nil, fmt.Errorf("%s on %q needs a non-empty list of strings, got %s", c.Op, f.Name, c.Value)
		}
		return v, nil
	case f.Type == String:
		var v string
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return nil, fmt.Errorf("%q needs a string, got %s", f.Name, c.Value)
		}
		return v, nil
	case f.Type == Bool:
		var v bool
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return nil, fmt.Errorf("%q needs true or false, got %s", f.Name, c.Value)
		}
		return v, nil
	case f.Type == Number:
		var v decimal.Decimal
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return nil, fmt.Errorf("%q needs a number, got %s", f.Name, c.Value)
		}
		return v, nil
	}
	return nil, fmt.Errorf("unsupported type %s", f.Type)
}

func validateAmount(r Rule, a Amount, p string, add adder) {
	n := 0
	if a.Fixed != nil {
		n++
	}
	if a.Rate != nil {
		n++
	}
	if a.Tiers != nil {
		n++
	}
	if n != 1 {
		add(r.ID, p, "", "required", "an amount needs exactly one of fixed, rate, tiers")
	}
	if a.Rate != nil || a.Tiers != nil {
		if a.Base == "" {
			add(r.ID, p+".base", "", "required", "a rate or tiers need a base field")
		} else if f, ok := field(r.Subject, a.Base); !ok {
			add(r.ID, p+".base", a.Base, "unknown_field", "unknown %s field %q", r.Subject, a.Base)
		} else if f.Type != Number {
			add(r.ID, p+".base", a.Base, "type", "base %q is a %s, want a number", a.Base, f.Type)
		}
	} else if a.Base != "" {
		if _, ok := field(r.Subject, a.Base); !ok {
			add(r.ID, p+".base", a.Base, "unknown_field", "unknown %s field %q", r.Subject, a.Base)
		}
	}
	nonNeg := func(path string, d *decimal.Decimal) {
		if d != nil && d.Sign() < 0 {
			add(r.ID, path, "", "value", "must not be negative, got %s", d)
		}
	}
	nonNeg(p+".fixed", a.Fixed)
	nonNeg(p+".rate", a.Rate)
	nonNeg(p+".cap", a.Cap)
	if a.Places != nil && (*a.Places < 0 || *a.Places > 8) {
		add(r.ID, p+".places", "", "value", "places %d, want 0–8", *a.Places)
	}
	for i, t := range a.Tiers {
		tp := fmt.Sprintf("%s.tiers[%d]", p, i)
		nonNeg(tp+".rate", t.Rate)
		nonNeg(tp+".fixed", t.Fixed)
		if t.From.Sign() < 0 {
			add(r.ID, tp+".from", "", "value", "must not be negative, got %s", t.From)
		}
		if a.Progressive && t.Fixed != nil {
			add(r.ID, tp+".fixed", "", "value", "progressive tiers take rates, not fixed amounts")
		}
		if (t.Rate == nil) == (t.Fixed == nil) {
			add(r.ID, tp, "", "required", "a tier needs exactly one of rate, fixed")
		}
		if t.To != nil && !t.To.GreaterThan(t.From) {
			add(r.ID, tp+".to", "", "order", "to %s must be above from %s", t.To, t.From)
		}
		if i == 0 && !t.From.IsZero() && a.Progressive {
			add(r.ID, tp+".from", "", "order", "progressive tiers start at 0, got %s", t.From)
		}
		if i > 0 {
			prev := a.Tiers[i-1]
			if prev.To == nil {
				add(r.ID, tp, "", "order", "tier follows an open-ended tier")
			} else if !prev.To.Equal(t.From) {
				add(r.ID, tp+".from", "", "order", "from %s must equal the previous tier's to %s", t.From, prev.To)
			}
		}
	}
}
