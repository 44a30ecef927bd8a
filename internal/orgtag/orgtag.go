// Package orgtag reads the org struct tag, which marks the fields of a
// record type that name organizations, so that merging two organizations
// rewrites every such field and the audits of references find them all,
// from one list: the tags themselves.
//
// The tag's values:
//
//	org:"id"    a string holding an organization's ID
//	org:"name"  a string holding the display name of the organization whose
//	            ID is in the org:"id" field of the same struct (a struct
//	            with a name field has exactly one id field)
//	org:"ref"   a string holding an organization's name or its ID
//	org:"list"  a []string holding organizations' names and IDs
//	org:"-"     not a reference, though its name looks like one (see Lint)
//
// Tags are read in nested structs, pointers to structs and slices of
// structs, with JSON paths such as "members[2].org_id".
package orgtag

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
)

// Mode is how a field names organizations.
type Mode string

// Modes.
const (
	ID   Mode = "id"
	Ref  Mode = "ref"
	List Mode = "list"
)

// Field is one tagged field of a value.
type Field struct {
	Path string        // JSON path, e.g. "owner_id", "members[2].org_id"
	Mode Mode          // ID or List
	Val  reflect.Value // the string (ID, Ref) or []string (List); settable when walked from a pointer
	// Name is the paired display-name string of an ID field, if any.
	Name reflect.Value
}

// Walk calls fn for every tagged field of the struct v points to (or is).
// It reads the type's tags every time; a Cache reads them once per type.
func Walk(v any, fn func(Field)) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	if p := compile(rv.Type(), map[reflect.Type]*plan{}); p != nil {
		p.walk(rv, "", fn)
	}
}

// Cache keeps the compiled tags of the types it has seen; the zero value is
// ready to use and safe for concurrent use.
type Cache struct{ plans sync.Map } // reflect.Type → *plan (nil: no tagged field)

// Walk is the package's Walk with the tags of v's type read once.
func (c *Cache) Walk(v any, fn func(Field)) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	t := rv.Type()
	p, ok := c.plans.Load(t)
	if !ok {
		p, _ = c.plans.LoadOrStore(t, compile(t, map[reflect.Type]*plan{}))
	}
	if pl := p.(*plan); pl != nil {
		pl.walk(rv, "", fn)
	}
}

// plan is a struct type's tagged fields and the fields leading to more.
type plan struct {
	fields []planField
}

type planField struct {
	index int
	path  string // the field's JSON name
	mode  string // "id", "name", "ref", "list", or "" for a field to descend into
	sub   *plan  // for descent: the plan of the struct, pointer or slice elements
	elems bool   // descend into slice or array elements
}

// compile returns the plan of t (a struct, or a pointer or slice of one),
// nil when nothing in it is tagged.
func compile(t reflect.Type, seen map[reflect.Type]*plan) *plan {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	if p, ok := seen[t]; ok {
		return p // a recursive type: its plan is being built
	}
	p := &plan{}
	seen[t] = p
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := planField{index: i, path: join("", sf)}
		switch tag := sf.Tag.Get("org"); tag {
		case "id", "name", "ref", "list":
			f.mode = tag
		case "-":
			continue
		default:
			ft := sf.Type
			if ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array {
				f.elems, ft = true, ft.Elem()
			}
			if f.sub = compile(ft, seen); f.sub == nil {
				continue
			}
		}
		p.fields = append(p.fields, f)
	}
	if len(p.fields) == 0 {
		seen[t] = nil
		return nil
	}
	return p
}

// walk calls fn for the tagged fields of the struct value v at path.
func (p *plan) walk(v reflect.Value, path string, fn func(Field)) {
	var ids []Field
	var name reflect.Value
	for _, f := range p.fields {
		fv := v.Field(f.index)
		fp := f.path
		if fp == "" {
			fp = path // an embedded struct
		} else if path != "" {
			fp = path + "." + fp
		}
		switch f.mode {
		case "id":
			ids = append(ids, Field{Path: fp, Mode: ID, Val: fv})
		case "name":
			name = fv
		case "ref":
			fn(Field{Path: fp, Mode: Ref, Val: fv})
		case "list":
			fn(Field{Path: fp, Mode: List, Val: fv})
		default:
			if f.elems {
				for i := 0; i < fv.Len(); i++ {
					f.sub.walkValue(fv.Index(i), fmt.Sprintf("%s[%d]", fp, i), fn)
				}
			} else {
				f.sub.walkValue(fv, fp, fn)
			}
		}
	}
	for _, f := range ids {
		if len(ids) == 1 {
			f.Name = name
		}
		fn(f)
	}
}

func (p *plan) walkValue(v reflect.Value, path string, fn func(Field)) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		p.walk(v, path, fn)
	}
}

func join(path string, sf reflect.StructField) string {
	if sf.Anonymous {
		return path
	}
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "" {
		name = sf.Name
	}
	if path == "" {
		return name
	}
	return path + "." + name
}

// looksLikeOrg matches JSON field names that usually name an organization.
var looksLikeOrg = regexp.MustCompile(`(^|_)(org|org_id|org_ids|owner|owners|owner_id|enterprise|enterprise_id|institution|institution_id|incubator|spin_off|party|parties|bidder|buyer|seller|investor_org)$`)

// Lint lists the fields of struct type t (and the structs it holds) whose
// JSON names look like references to organizations but carry no org tag,
// and the structs whose org:"name" field has no single org:"id" partner.
// A record type's test calls it so that a new field naming organizations
// cannot be added without telling merges and audits about it.
func Lint(t reflect.Type) []string {
	var out []string
	lint(t, "", map[reflect.Type]bool{}, &out)
	return out
}

func lint(t reflect.Type, path string, seen map[reflect.Type]bool, out *[]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	ids, names := 0, 0
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		fp := join(path, sf)
		tag, tagged := sf.Tag.Lookup("org")
		switch tag {
		case "id":
			ids++
		case "name":
			names++
		}
		jsonName, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		isString := sf.Type.Kind() == reflect.String || sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.String
		if !tagged && isString && looksLikeOrg.MatchString(jsonName) {
			*out = append(*out, fmt.Sprintf("%s.%s (json %q): looks like an organization reference but has no org tag", t.Name(), sf.Name, fp))
		}
		if !tagged {
			lint(sf.Type, fp, seen, out)
		}
	}
	if names > 0 && ids != 1 {
		*out = append(*out, fmt.Sprintf("%s: an org:\"name\" field needs exactly one org:\"id\" field beside it (has %d)", t.Name(), ids))
	}
}

// HasIDs reports whether values of type t can hold an org:"id" field, so
// that a caller can skip walking values of types that cannot.
func HasIDs(t reflect.Type) bool { return hasIDs(t, map[reflect.Type]bool{}) }

func hasIDs(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return false
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		switch sf.Tag.Get("org") {
		case "id":
			return true
		case "", "name":
			if hasIDs(sf.Type, seen) {
				return true
			}
		}
	}
	return false
}
