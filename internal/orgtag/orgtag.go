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
func Walk(v any, fn func(Field)) {
	rv := reflect.ValueOf(v)
	walk(rv, "", fn)
}

func walk(v reflect.Value, path string, fn func(Field)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), path, fn)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case reflect.Struct:
		t := v.Type()
		var ids []Field
		var name reflect.Value
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			fp := join(path, sf)
			switch tag := sf.Tag.Get("org"); tag {
			case "id":
				ids = append(ids, Field{Path: fp, Mode: ID, Val: v.Field(i)})
			case "name":
				name = v.Field(i)
			case "list":
				fn(Field{Path: fp, Mode: List, Val: v.Field(i)})
			case "ref":
				fn(Field{Path: fp, Mode: Ref, Val: v.Field(i)})
			case "-":
			default:
				if k := sf.Type.Kind(); k == reflect.Struct || k == reflect.Pointer || k == reflect.Slice && sf.Type.Elem().Kind() != reflect.String {
					walk(v.Field(i), fp, fn)
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
