// Package tagplan compiles a struct type's validate tags into a plan that
// answers "passes for certain" with a few comparisons per field, so that
// the records that pass (nearly all of them) skip the go-playground
// validator's reflection; a record the plan cannot vouch for goes through
// the validator, which names what is wrong. A plan understands only the
// rules the library's records use (required, omitempty, min, max, oneof,
// printascii, dive); a type with any other rule gets no plan.
// Package tagplantest checks, on random records near every bound, that a
// type's plan and the validator agree.
package tagplan

import (
	"sync"

	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// Cache keeps the plans of the types it has seen; the zero value is ready
// to use and safe for concurrent use.
type Cache struct{ plans sync.Map } // reflect.Type → *Plan (nil: no plan)

// Passes reports whether x, a struct or a pointer to one, passes its
// validate tags for certain.
func (c *Cache) Passes(x any) bool {
	v := reflect.ValueOf(x)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	t := v.Type()
	p, ok := c.plans.Load(t)
	if !ok {
		p, _ = c.plans.LoadOrStore(t, Compile(t))
	}
	plan := p.(*Plan)
	return plan != nil && plan.Passes(v)
}

// Plan is the compiled tags of one struct type.
type Plan struct {
	fields []fieldPlan
}

type fieldPlan struct {
	index  int       // in the struct
	rules  []tagRule // on the field itself
	dive   bool
	elem   []tagRule // on each element, after dive
	nested *Plan     // for a struct field, or struct elements after dive
	ptr    bool      // nested is reached through a pointer (nil skips it)
}

type ruleOp uint8

const (
	opOmitEmpty ruleOp = iota
	opRequired
	opMin
	opMax
	opOneOf
	opPrintASCII
)

type tagRule struct {
	op   ruleOp
	kind reflect.Kind // of the value the rule applies to
	i    int64        // min/max as an integer (length, or Int value)
	u    uint64       // min/max for unsigned kinds
	f    float64      // min/max for float kinds
	set  []string     // oneof
}

var timeType = reflect.TypeFor[time.Time]()

// Compile returns the plan of struct type t, or nil when some tag is
// outside what a plan understands.
func Compile(t reflect.Type) *Plan {
	return compileStruct(t, map[reflect.Type]*Plan{})
}

func compileStruct(t reflect.Type, seen map[reflect.Type]*Plan) *Plan {
	if p, ok := seen[t]; ok {
		return p // a recursive type: the plan under construction
	}
	p := &Plan{}
	seen[t] = p
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue // the validator skips unexported fields, but not embedded ones
		}
		tag, hasTag := f.Tag.Lookup("validate")
		if tag == "-" {
			continue
		}
		fp := fieldPlan{index: i}
		ft := f.Type
		if !hasTag || tag == "" {
			// Untagged: the validator descends into structs (time.Time is a
			// value) and into non-nil pointers to structs.
			switch {
			case ft.Kind() == reflect.Struct && !ft.ConvertibleTo(timeType):
				fp.nested = compileStruct(ft, seen)
			case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && !ft.Elem().ConvertibleTo(timeType):
				fp.nested, fp.ptr = compileStruct(ft.Elem(), seen), true
			default:
				continue
			}
			if fp.nested == nil {
				return nil
			}
			p.fields = append(p.fields, fp)
			continue
		}
		if strings.ContainsAny(tag, "|") {
			return nil
		}
		parts := strings.Split(tag, ",")
		at := ft
		for _, part := range parts {
			name, param, _ := strings.Cut(part, "=")
			if name == "dive" {
				if fp.dive || (ft.Kind() != reflect.Slice && ft.Kind() != reflect.Array) {
					return nil
				}
				fp.dive = true
				at = ft.Elem()
				continue
			}
			r, ok := compileRule(name, param, at)
			if !ok {
				return nil
			}
			if fp.dive {
				fp.elem = append(fp.elem, r)
			} else {
				fp.rules = append(fp.rules, r)
			}
		}
		switch {
		case fp.dive && at.Kind() == reflect.Struct && !at.ConvertibleTo(timeType):
			if len(fp.elem) > 0 {
				return nil
			}
			if fp.nested = compileStruct(at, seen); fp.nested == nil {
				return nil
			}
		case fp.dive && !scalarKind(at.Kind()):
			return nil
		case !fp.dive && (ft.Kind() == reflect.Struct || ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Interface):
			return nil // tags on a struct or pointer field: leave it to the validator
		}
		p.fields = append(p.fields, fp)
	}
	return p
}

func scalarKind(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// oneofSplit splits a oneof parameter the way the validator does.
var oneofSplit = regexp.MustCompile(`'[^']*'|\S+`)

// OneOf splits a oneof rule's parameter into its values, as the validator
// does.
func OneOf(param string) []string { return oneofSplit.FindAllString(param, -1) }

func compileRule(name, param string, t reflect.Type) (tagRule, bool) {
	k := t.Kind()
	r := tagRule{kind: k}
	switch name {
	case "omitempty":
		r.op = opOmitEmpty
		return r, true
	case "required":
		r.op = opRequired
		return r, k != reflect.Struct && k != reflect.Pointer && k != reflect.Interface
	case "min", "max":
		r.op = opMin
		if name == "max" {
			r.op = opMax
		}
		var err error
		switch k {
		case reflect.String, reflect.Slice, reflect.Array, reflect.Map,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			r.i, err = strconv.ParseInt(param, 0, 64)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			r.u, err = strconv.ParseUint(param, 0, 64)
		case reflect.Float32, reflect.Float64:
			r.f, err = strconv.ParseFloat(param, 64)
		default:
			return r, false
		}
		return r, err == nil && (k != reflect.Int64 || t != reflect.TypeFor[time.Duration]())
	case "printascii":
		r.op = opPrintASCII
		return r, k == reflect.String
	case "oneof":
		if k != reflect.String {
			return r, false
		}
		r.op = opOneOf
		for _, v := range oneofSplit.FindAllString(param, -1) {
			r.set = append(r.set, strings.ReplaceAll(v, "'", ""))
		}
		return r, true
	}
	return r, false
}

// passes reports whether v (of the plan's struct type) passes every tag for
// certain. False means "ask the validator", not necessarily "invalid".
// Passes reports whether the struct value v passes its tags for certain.
func (p *Plan) Passes(v reflect.Value) bool {
	for i := range p.fields {
		fp := &p.fields[i]
		f := v.Field(fp.index) // embedded structs are nested plans
		ok, omitted := applyRules(fp.rules, f)
		if !ok {
			return false
		}
		switch {
		case omitted: // omitempty on an empty value skips the dive too
		case fp.dive:
			for j := 0; j < f.Len(); j++ {
				e := f.Index(j)
				if fp.nested != nil {
					if !fp.nested.Passes(e) {
						return false
					}
				} else if ok, _ := applyRules(fp.elem, e); !ok {
					return false
				}
			}
		case fp.nested != nil:
			if fp.ptr {
				if f.IsNil() {
					continue
				}
				f = f.Elem()
			}
			if !fp.nested.Passes(f) {
				return false
			}
		}
	}
	return true
}

// applyRules applies the rules in order. Omitempty on an empty value
// passes the rest: then omitted is true.
func applyRules(rules []tagRule, f reflect.Value) (ok, omitted bool) {
	for i := range rules {
		r := &rules[i]
		switch r.op {
		case opOmitEmpty:
			if !hasValue(f) {
				return true, true
			}
		case opRequired:
			if !hasValue(f) {
				return false, false
			}
		case opMin, opMax:
			var c int // -1, 0, 1: the value against the bound
			switch r.kind {
			case reflect.String:
				s := f.String()
				if r.op == opMax && int64(len(s)) <= r.i {
					continue // no more runes than bytes
				}
				c = cmpInt(int64(utf8.RuneCountInString(s)), r.i)
			case reflect.Slice, reflect.Array, reflect.Map:
				c = cmpInt(int64(f.Len()), r.i)
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				c = cmpInt(f.Int(), r.i)
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				switch u := f.Uint(); {
				case u < r.u:
					c = -1
				case u > r.u:
					c = 1
				}
			case reflect.Float32, reflect.Float64:
				switch x := f.Float(); {
				case x < r.f:
					c = -1
				case x > r.f:
					c = 1
				case x != r.f: // NaN
					return false, false
				}
			default:
				return false, false
			}
			if (r.op == opMin && c < 0) || (r.op == opMax && c > 0) {
				return false, false
			}
		case opPrintASCII: // the validator's ^[\x20-\x7E]*$
			s := f.String()
			for j := 0; j < len(s); j++ {
				if s[j] < 0x20 || s[j] > 0x7E {
					return false, false
				}
			}
		case opOneOf:
			s, ok := f.String(), false
			for _, v := range r.set {
				if s == v {
					ok = true
					break
				}
			}
			if !ok {
				return false, false
			}
		}
	}
	return true, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hasValue is the validator's notion of a value being present: a non-nil
// slice, map, pointer or interface (even an empty one), or a non-zero
// value of any other kind.
func hasValue(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
		return !f.IsNil()
	}
	return f.IsValid() && !f.IsZero()
}

// NewValidator returns the validator every System uses: required structs
// enabled, fields named by their JSON names.
func NewValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	return v
}
