package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Facts are what is known about a deal or an enterprise, by field name
// (see Fields). Values are decimal.Decimal, int, int64 or a numeric string
// for numbers (not float64, which cannot hold an amount exactly); string;
// bool; []string for lists. A fact that is absent
// makes every condition on it fail, with the reason "not known".
type Facts map[string]any

// FactError reports a fact of the wrong type or an unknown fact.
type FactError struct {
	Field string
	Msg   string
}

func (e *FactError) Error() string { return "policy: fact " + strconv.Quote(e.Field) + ": " + e.Msg }

// Check is the outcome of one condition, in words.
type Check struct {
	Condition string // e.g. `contract_value ≥ 1000000`
	Holds     bool
	Actual    string // the fact's value, or "not known"
}

// Result is what one rule says about the subject.
type Result struct {
	Rule    string
	Title   string
	Kind    Kind
	Applies bool
	// Amount is the amount granted; zero when the rule does not apply or
	// grants no amount (HasAmount false).
	Amount    decimal.Decimal
	HasAmount bool
	// Checks say why the rule applies or not: every condition with its
	// outcome (for a group, its members follow it, indented).
	Checks []Check
	// Calculation shows how the amount was computed.
	Calculation string
	Note        string
}

// Evaluation is the outcome of all rules about one subject.
type Evaluation struct {
	Subject Subject
	Results []Result // in rule order, applicable or not
	// Total adds up the amounts of the rules that apply, by kind.
	Total map[Kind]decimal.Decimal
}

// Applicable returns the results of the rules that apply.
func (e Evaluation) Applicable() []Result {
	var out []Result
	for _, r := range e.Results {
		if r.Applies {
			out = append(out, r)
		}
	}
	return out
}

// Evaluate runs every rule about subject against the facts. Facts named by
// no field of the subject, or of the wrong type, are errors (*FactError,
// one per bad fact in field-name order, joined by errors.Join): a typo in
// a fact must not silently make a rule not apply.
func (rs *RuleSet) Evaluate(subject Subject, facts Facts) (Evaluation, error) {
	vals, err := typedFacts(subject, facts)
	if err != nil {
		return Evaluation{}, err
	}
	ev := Evaluation{Subject: subject, Total: map[Kind]decimal.Decimal{}}
	for _, r := range rs.Rules {
		if r.Subject != subject {
			continue
		}
		res := Result{Rule: r.ID, Title: r.Title, Kind: r.Kind, Note: r.Note, Applies: true}
		for _, c := range r.When {
			if !evalCondition(subject, c, vals, &res.Checks, "") {
				res.Applies = false
			}
		}
		if res.Applies && r.Amount != nil {
			res.Amount, res.Calculation, res.HasAmount = amount(*r.Amount, vals)
			if res.HasAmount {
				ev.Total[r.Kind] = ev.Total[r.Kind].Add(res.Amount)
			}
		}
		ev.Results = append(ev.Results, res)
	}
	return ev, nil
}

// typedFacts converts the facts to their fields' types. Every bad fact is
// reported, in the order of the field names, as a *FactError joined with
// errors.Join.
func typedFacts(subject Subject, facts Facts) (map[string]any, error) {
	out := make(map[string]any, len(facts))
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(facts)) {
		v := facts[name]
		f, ok := field(subject, name)
		if !ok {
			errs = append(errs, &FactError{Field: name, Msg: fmt.Sprintf("not a %s field", subject)})
			continue
		}
		var msg string
		switch f.Type {
		case Number:
			d, ok := toDecimal(v)
			switch {
			case ok:
				out[name] = d
			case isString(v):
				msg = fmt.Sprintf("want a number such as \"1200000.00\", got %q, which is not a number", v)
			case isFloat(v):
				msg = fmt.Sprintf("want an exact number (a decimal.Decimal, an int, an int64 or a string such as \"1.5\"), got the %T %v: a float cannot hold an amount exactly", v, v)
			default:
				msg = "want a number (a decimal.Decimal, an int, an int64 or a string such as \"1200000.00\"), got " + describe(v)
			}
		case String:
			if s, ok := v.(string); ok {
				out[name] = s
			} else {
				msg = "want a string, got " + describe(v)
			}
		case Bool:
			if b, ok := v.(bool); ok {
				out[name] = b
			} else {
				msg = "want true or false, got " + describe(v)
			}
		case List:
			if l, ok := v.([]string); ok {
				out[name] = l
			} else {
				msg = "want a list of strings ([]string), got " + describe(v)
			}
		}
		if msg != "" {
			errs = append(errs, &FactError{Field: name, Msg: msg})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func isString(v any) bool { _, ok := v.(string); return ok }

func isFloat(v any) bool {
	switch v.(type) {
	case float64, float32:
		return true
	}
	return false
}

// describe names a fact's value for a message: a string quoted, anything
// else with its Go type ("the bool true", "nothing" for nil).
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing (nil)"
	case string:
		return strconv.Quote(x)
	}
	s := fmt.Sprint(v)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return fmt.Sprintf("the %T %s", v, s)
}

func toDecimal(v any) (decimal.Decimal, bool) {
	switch x := v.(type) {
	case decimal.Decimal:
		return x, true
	case int:
		return decimal.NewFromInt(int64(x)), true
	case int64:
		return decimal.NewFromInt(x), true
	case string:
		d, err := decimal.NewFromString(x)
		return d, err == nil
	}
	return decimal.Decimal{}, false
}

var opSigns = map[string]string{"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤",
	"in": "in", "not_in": "not in", "contains": "contains", "intersects": "intersects"}

// evalCondition appends the checks of c and reports whether it holds.
func evalCondition(subject Subject, c Condition, vals map[string]any, checks *[]Check, indent string) bool {
	if c.Any != nil || c.All != nil {
		any := c.Any != nil
		members := c.All
		label := "all of"
		if any {
			members, label = c.Any, "any of"
		}
		i := len(*checks)
		*checks = append(*checks, Check{Condition: indent + label + ":"})
		holds := !any
		for _, m := range members {
			h := evalCondition(subject, m, vals, checks, indent+"  ")
			if any {
				holds = holds || h
			} else {
				holds = holds && h
			}
		}
		(*checks)[i].Holds = holds
		return holds
	}
	want := c.want
	if want == nil { // a rule set built in code and not validated
		f, ok := field(subject, c.Field)
		if !ok {
			*checks = append(*checks, Check{Condition: indent + c.Field, Actual: "unknown field"})
			return false
		}
		want, _ = conditionValue(f, c)
	}
	ck := Check{Condition: indent + c.Field + " " + opSigns[c.Op] + " " + show(want)}
	v, ok := vals[c.Field]
	if !ok {
		ck.Actual = "not known"
		*checks = append(*checks, ck)
		return false
	}
	ck.Actual = show(v)
	ck.Holds = compare(c.Op, v, want)
	*checks = append(*checks, ck)
	return ck.Holds
}

func show(v any) string {
	switch x := v.(type) {
	case decimal.Decimal:
		return x.String()
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func compare(op string, v, want any) bool {
	switch x := v.(type) {
	case decimal.Decimal:
		w := want.(decimal.Decimal)
		c := x.Cmp(w)
		switch op {
		case "eq":
			return c == 0
		case "ne":
			return c != 0
		case "gt":
			return c > 0
		case "gte":
			return c >= 0
		case "lt":
			return c < 0
		case "lte":
			return c <= 0
		}
	case string:
		switch op {
		case "eq":
			return x == want.(string)
		case "ne":
			return x != want.(string)
		case "in":
			return slices.Contains(want.([]string), x)
		case "not_in":
			return !slices.Contains(want.([]string), x)
		}
	case bool:
		switch op {
		case "eq":
			return x == want.(bool)
		case "ne":
			return x != want.(bool)
		}
	case []string:
		w := want.([]string)
		switch op {
		case "contains":
			return containsAll(x, w)
		case "intersects":
			return slices.ContainsFunc(w, func(s string) bool { return slices.Contains(x, s) })
		}
	}
	return false
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// amount computes an amount and explains it. ok is false when the base is
// not known.
func amount(a Amount, vals map[string]any) (decimal.Decimal, string, bool) {
	places := int32(2)
	if a.Places != nil {
		places = *a.Places
	}
	var base decimal.Decimal
	if a.Base != "" && (a.Rate != nil || a.Tiers != nil) {
		v, ok := vals[a.Base]
		if !ok {
			return decimal.Zero, a.Base + " not known: no amount", false
		}
		base = v.(decimal.Decimal)
	}
	var total decimal.Decimal
	var calc string
	switch {
	case a.Fixed != nil:
		total, calc = *a.Fixed, "fixed "+a.Fixed.String()
	case a.Rate != nil:
		total = base.Mul(*a.Rate).Shift(-2)
		calc = fmt.Sprintf("%s %s × %s%%", a.Base, base, a.Rate)
	case a.Progressive:
		var parts []string
		for _, t := range a.Tiers {
			if base.LessThanOrEqual(t.From) {
				break
			}
			hi := base
			if t.To != nil && t.To.LessThan(base) {
				hi = *t.To
			}
			slice := hi.Sub(t.From)
			total = total.Add(slice.Mul(*t.Rate).Shift(-2))
			parts = append(parts, fmt.Sprintf("%s × %s%%", slice, t.Rate))
		}
		calc = fmt.Sprintf("%s %s: %s", a.Base, base, strings.Join(parts, " + "))
		if len(parts) == 0 {
			calc = fmt.Sprintf("%s %s: 0", a.Base, base)
		}
	default:
		calc = fmt.Sprintf("%s %s: no tier", a.Base, base)
		for _, t := range a.Tiers {
			if base.GreaterThanOrEqual(t.From) && (t.To == nil || base.LessThan(*t.To)) {
				hi := "∞"
				if t.To != nil {
					hi = t.To.String()
				}
				if t.Fixed != nil {
					total = *t.Fixed
					calc = fmt.Sprintf("%s %s in [%s, %s): fixed %s", a.Base, base, t.From, hi, t.Fixed)
				} else {
					total = base.Mul(*t.Rate).Shift(-2)
					calc = fmt.Sprintf("%s %s in [%s, %s): × %s%%", a.Base, base, t.From, hi, t.Rate)
				}
				break
			}
		}
	}
	total = total.Round(places)
	calc += " = " + total.StringFixed(places)
	if a.Cap != nil && total.GreaterThan(*a.Cap) {
		total = a.Cap.Round(places)
		calc += ", capped at " + total.StringFixed(places)
	}
	return total, calc, true
}
