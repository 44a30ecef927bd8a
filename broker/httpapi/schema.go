package httpapi

import (
	"encoding"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// schemas builds JSON Schemas (draft 2020-12, as OpenAPI 3.1 has them)
// from Go types by the rules encoding/json follows, so the document
// describes exactly what the handler writes: a struct is an object of its
// JSON fields (embedded structs flattened), with no other properties; a
// field that encoding/json may write as null (a nil slice, map or pointer
// without omitempty) admits null; time.Time is a date-time string and
// decimal.Decimal a decimal string (a number is accepted on input). Named
// struct types become components referenced by $ref.
type schemas struct {
	defs map[string]map[string]any
	// names maps each component's Go type to its name.
	names map[reflect.Type]string
}

func newSchemas() *schemas {
	return &schemas{defs: map[string]map[string]any{}, names: map[reflect.Type]string{}}
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	durationType  = reflect.TypeFor[time.Duration]()
	decimalType   = reflect.TypeFor[decimal.Decimal]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	bytesType     = reflect.TypeFor[[]byte]()
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	nameCleaner   = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
)

// DecimalPattern is the pattern of the decimal strings the API writes.
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?$`

// of returns the schema of t.
func (s *schemas) of(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case durationType:
		return map[string]any{"type": "integer", "description": "nanoseconds"}
	case decimalType:
		return map[string]any{"type": []any{"string", "number"}, "pattern": decimalPattern,
			"description": "an amount or quantity as a decimal string (a JSON number is accepted on input)"}
	case rawType:
		return map[string]any{}
	case bytesType:
		return map[string]any{"type": "string", "contentEncoding": "base64"}
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonMarshaler) || t.Implements(jsonMarshaler) {
		return map[string]any{}
	}
	if t.Kind() != reflect.String && (t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler)) {
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return s.of(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.of(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		return s.ref(t)
	}
	return map[string]any{}
}

// ref registers the struct type t as a component and returns a reference
// to it.
func (s *schemas) ref(t reflect.Type) map[string]any {
	name, ok := s.names[t]
	if !ok {
		name = componentName(t)
		for n := 2; s.defs[name] != nil; n++ {
			name = componentName(t) + "_" + itoa(n)
		}
		s.names[t] = name
		s.defs[name] = map[string]any{} // placeholder for recursive types
		s.defs[name] = s.object(t)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// componentName is "package.Type", e.g. "broker.Achievement".
func componentName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	if pkg != "" {
		name = pkg + "." + name
	}
	return nameCleaner.ReplaceAllString(name, "_")
}

// object is the schema of a struct's JSON fields.
func (s *schemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fs := s.of(f.Type)
			omits := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
			if !omits && nullable(f.Type) {
				fs = orNull(fs)
			}
			if strings.Contains(opts, "string") {
				fs = map[string]any{"type": "string"}
			}
			props[name] = fs
		}
	}
	walk(t)
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

// nullable reports whether encoding/json writes a nil value of t as null.
func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
		return true
	}
	return false
}

func orNull(s map[string]any) map[string]any {
	if len(s) == 0 {
		return s // any value, null included
	}
	if typ, ok := s["type"].(string); ok && s["$ref"] == nil {
		c := merge(s, nil)
		c["type"] = []any{typ, "null"}
		return c
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

func merge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
