// Package tagplantest checks that package tagplan's plans agree with the
// go-playground validator: a record type's test calls Agree with its types,
// which draws records field by field near the bounds their tags set and
// checks that the plan passes a record exactly when the validator does.
package tagplantest

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/internal/tagplan"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// Agree generates records of each type field by field near the bounds
// their tags set (lengths max-1, max, max+1 in runes, values in and out of
// oneof sets, nil and empty lists, numbers at min-1 … max+1) and checks that
// the type's plan passes a record exactly when the validator does. A type
// without a plan is skipped (the validator checks all its records).
func Agree(t *testing.T, types ...any) {
	v := tagplan.NewValidator()
	var cache tagplan.Cache
	for _, k := range types {
		typ := reflect.TypeOf(k)
		plan := tagplan.Compile(typ)
		t.Run(typ.Name(), func(t *testing.T) {
			if plan == nil {
				t.Skipf("%s has a tag the plan does not understand: the validator checks every record", typ)
			}
			var passed, failed int
			for range 5 { // 500 records a kind at rapid's default 100 checks
				rapid.Check(t, func(rt *rapid.T) {
					g := &recordGen{t: rt, bad: rapid.SampledFrom([]float64{0, 0, 0.02, 0.3}).Draw(rt, "bad")}
					if g.bad == 0 {
						g.target = rapid.IntRange(0, 120).Draw(rt, "target")
					}
					x := g.value(typ, "", 0).Interface()
					want := v.Struct(x) == nil
					got := cache.Passes(x)
					if got != want {
						rt.Fatalf("quick check says %v, validator says %v (%v) for %#v", got, want, v.Struct(x), x)
					}
					if want {
						passed++
					} else {
						failed++
					}
				})
			}
			if passed == 0 || failed == 0 {
				t.Errorf("the generator made %d valid and %d invalid records: it must make both", passed, failed)
			}
		})
	}
}

// Draw draws a value of type typ (a struct), field by field near the bounds
// its validate tags set, as Agree does: strings of any script and invalid
// UTF-8, numbers at and past their bounds, nil and empty lists, times.
// Tests of encoders and decoders use it for random records.
func Draw(t *rapid.T, typ reflect.Type) any {
	g := &recordGen{t: t, bad: rapid.SampledFrom([]float64{0, 0.05, 0.3}).Draw(t, "bad")}
	return g.value(typ, "", 0).Interface()
}

type recordGen struct {
	t   *rapid.T
	bad float64 // chance of drawing a value at or past a bound

	// target is the one decision (counted in points) forced to draw a bad
	// value, so that some records have exactly one fault; 0 for none.
	target, points int
}

// badHere decides whether to draw a value at or past a bound.
func (g *recordGen) badHere() bool {
	g.points++
	return g.points == g.target || g.coin(g.bad)
}

func (g *recordGen) coin(p float64) bool {
	return rapid.Float64Range(0, 1).Draw(g.t, "p") < p
}

// bounds reads min, max and oneof from a tag segment.
func bounds(tag string) (lo, hi *int64, set []string) {
	for _, part := range strings.Split(tag, ",") {
		name, param, _ := strings.Cut(part, "=")
		switch name {
		case "min", "max":
			n, err := strconv.ParseInt(param, 0, 64)
			if err != nil {
				continue
			}
			if name == "min" {
				lo = &n
			} else {
				hi = &n
			}
		case "oneof":
			set = tagplan.OneOf(param)
		}
	}
	return lo, hi, set
}

// value draws a value of type t for a field with the given tag (the part
// that applies to it).
func (g *recordGen) value(t reflect.Type, tag string, depth int) reflect.Value {
	v := reflect.New(t).Elem()
	lo, hi, set := bounds(tag)
	switch t.Kind() {
	case reflect.String:
		switch {
		case len(set) > 0 && !g.badHere():
			v.SetString(strings.ReplaceAll(rapid.SampledFrom(set).Draw(g.t, "enum"), "'", ""))
		case hi != nil && g.coin(0.1):
			n := int(*hi) + rapid.IntRange(-1, 0).Draw(g.t, "len")
			switch {
			case !g.badHere():
			case lo != nil && g.coin(0.3):
				n = int(*lo) - 1
			default:
				n = int(*hi) + 1
			}
			v.SetString(g.str(max(n, 0), tag))
		case strings.Contains(tag, "required") && g.badHere(), !strings.Contains(tag, "required") && g.coin(0.15):
			// empty
		default:
			n := rapid.IntRange(1, 8).Draw(g.t, "len")
			if hi != nil {
				n = min(n, int(*hi))
			}
			if lo != nil {
				n = max(n, int(*lo))
			}
			v.SetString(g.str(n, tag))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t == reflect.TypeFor[time.Duration]() {
			v.SetInt(rapid.Int64().Draw(g.t, "dur"))
			break
		}
		var cands []int64
		if lo != nil {
			cands = append(cands, *lo, *lo+1)
		}
		if hi != nil {
			cands = append(cands, *hi, *hi-1)
		}
		if g.badHere() {
			if lo != nil {
				cands = append(cands, *lo-1)
			}
			if hi != nil {
				cands = append(cands, *hi+1)
			}
			cands = append(cands, -1)
		}
		if (lo == nil || *lo <= 0) && (hi == nil || *hi >= 0) {
			cands = append(cands, 0)
		}
		if len(cands) == 0 {
			cands = append(cands, -1)
		}
		n := rapid.SampledFrom(cands).Draw(g.t, "int")
		if !v.OverflowInt(n) {
			v.SetInt(n)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(rapid.IntRange(0, 3).Draw(g.t, "uint")))
	case reflect.Float32, reflect.Float64:
		f := rapid.SampledFrom([]float64{0, 0.5, 1, 100, -1, math.Inf(1)}).Draw(g.t, "float")
		if g.badHere() {
			f = math.NaN()
		}
		v.SetFloat(f)
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(g.t, "bool"))
	case reflect.Slice:
		required := strings.HasPrefix(tag, "required")
		if depth > 4 || (required && g.badHere()) || (!required && g.coin(0.3)) {
			break // nil
		}
		before, after, dive := strings.Cut(tag, "dive")
		if !dive {
			before, after = tag, ""
		}
		lo, hi, _ := bounds(before)
		n := rapid.IntRange(0, 3).Draw(g.t, "n")
		if hi != nil && *hi <= 60 && (g.coin(0.05) || g.badHere()) {
			n = int(*hi)
			if g.badHere() {
				n++
			}
		}
		if lo != nil && n < int(*lo) && !g.badHere() {
			n = int(*lo)
		}
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			s.Index(i).Set(g.value(t.Elem(), strings.TrimPrefix(after, ","), depth+1))
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < t.Len(); i++ {
			v.Index(i).Set(g.value(t.Elem(), "", depth+1))
		}
	case reflect.Map:
		if depth > 4 || g.coin(0.5) {
			break
		}
		m := reflect.MakeMap(t)
		for i := rapid.IntRange(0, 2).Draw(g.t, "n"); i > 0; i-- {
			m.SetMapIndex(g.value(t.Key(), "", depth+1), g.value(t.Elem(), "", depth+1))
		}
		v.Set(m)
	case reflect.Pointer:
		if depth > 4 || g.coin(0.4) {
			break
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(g.value(t.Elem(), tag, depth+1))
		v.Set(p)
	case reflect.Struct:
		switch t {
		case reflect.TypeFor[time.Time]():
			if g.coin(0.8) {
				v.Set(reflect.ValueOf(time.Unix(rapid.Int64Range(0, 4e9).Draw(g.t, "time"), 0).UTC()))
			}
			return v
		case reflect.TypeFor[decimal.Decimal]():
			v.Set(reflect.ValueOf(decimal.New(rapid.Int64Range(-1e6, 1e9).Draw(g.t, "dec"), int32(rapid.IntRange(-4, 2).Draw(g.t, "exp")))))
			return v
		}
		if depth > 4 {
			return v
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			v.Field(i).Set(g.value(f.Type, f.Tag.Get("validate"), depth+1))
		}
	case reflect.Interface, reflect.Func, reflect.Chan:
	default:
		panic(fmt.Sprintf("recordGen: kind %s", t.Kind()))
	}
	return v
}

// str is n runes for a field with the tag: printable ASCII where the tag
// asks for it, unless the draw is to be bad.
func (g *recordGen) str(n int, tag string) string {
	if strings.Contains(tag, "printascii") && !g.badHere() {
		return strings.Repeat("a", n)
	}
	return g.text(n)
}

// text is n runes of ASCII, CJK and astral characters: the validator and
// the plan count runes, not bytes.
func (g *recordGen) text(n int) string {
	if n > 40 {
		return strings.Repeat("中", n-1) + "a"
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(rapid.SampledFrom([]rune{'a', 'Z', '中', '😀', ' '}).Draw(g.t, "r"))
	}
	return b.String()
}
