package broker

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/internal/orgtag"
)

// OrgRef is one reference to an organization: a record's field holding the
// organization's ID. The fields that name organizations are marked on the
// record types with the org struct tag: org:"id" (an organization ID),
// org:"name" (the display name beside it), org:"ref" (a name or an ID) and
// org:"list" (a list of names and IDs). Merges rewrite every such field of every
// record kind known to the System (NewLibrary and the feature packages
// make their kinds known), and the audits report them.
type OrgRef struct {
	Record RecordRef `json:"record"`
	Field  string    `json:"field"` // e.g. "owner_id", "members[2].org_id", "owners[1]"
	OrgID  string    `json:"org_id"`
}

// register makes a record kind and its Go type known to the System.
func (s *System) register(kind Kind, typ reflect.Type) {
	if old, loaded := s.kinds.LoadOrStore(kind, typ); loaded && old != typ {
		panic(fmt.Sprintf("broker: record kind %q used by two types, %v and %v", kind, old, typ))
	}
}

// knownKinds returns the registered kinds in order, with their types.
func (s *System) knownKinds() ([]Kind, map[Kind]reflect.Type) {
	types := map[Kind]reflect.Type{}
	s.kinds.Range(func(k, v any) bool {
		types[k.(Kind)] = v.(reflect.Type)
		return true
	})
	kinds := make([]Kind, 0, len(types))
	for k := range types {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	return kinds, types
}

// decodeAny decodes a stored record into a new value of typ.
func decodeAny(rec driver.Record, typ reflect.Type) (reflect.Value, error) {
	ptr := reflect.New(typ)
	if err := json.Unmarshal(rec.Body, ptr.Interface()); err != nil {
		return ptr, fmt.Errorf("decode stored %s %s: %w", rec.Kind, rec.ID, err)
	}
	return ptr, nil
}

// orgRefs lists the references of a stored record: every org:"id" field
// that is set, and every org:"ref" field and org:"list" element for which
// isID reports true (they may hold names).
func (s *System) orgRefs(rec driver.Record, typ reflect.Type, isID func(string) bool) ([]OrgRef, error) {
	ptr, err := decodeAny(rec, typ)
	if err != nil {
		return nil, err
	}
	var out []OrgRef
	ref := RecordRef{Kind: Kind(rec.Kind), ID: rec.ID}
	s.orgTags.Walk(ptr.Interface(), func(f orgtag.Field) {
		switch f.Mode {
		case orgtag.ID:
			if id := f.Val.String(); id != "" {
				out = append(out, OrgRef{Record: ref, Field: f.Path, OrgID: id})
			}
		case orgtag.Ref:
			if x := f.Val.String(); isID(x) {
				out = append(out, OrgRef{Record: ref, Field: f.Path, OrgID: x})
			}
		case orgtag.List:
			for i := 0; i < f.Val.Len(); i++ {
				if x := f.Val.Index(i).String(); isID(x) {
					out = append(out, OrgRef{Record: ref, Field: fmt.Sprintf("%s[%d]", f.Path, i), OrgID: x})
				}
			}
		}
	})
	return out, nil
}

// rewriteOrgRefs points every reference of a stored record to from at to:
// org:"id" fields holding from's ID take to's ID (and their paired name,
// when it was from's name or empty, takes to's name); org:"list" elements
// that are from's ID or name become to's, without repeats. changed is
// false when the record has no such reference; out is the record with its
// new body, key and stage.
func (s *System) rewriteOrgRefs(rec driver.Record, typ reflect.Type, from, to Organization, now time.Time) (out driver.Record, changed bool, err error) {
	ptr, err := decodeAny(rec, typ)
	if err != nil {
		return rec, false, err
	}
	s.orgTags.Walk(ptr.Interface(), func(f orgtag.Field) {
		switch f.Mode {
		case orgtag.ID:
			if f.Val.String() != from.ID {
				return
			}
			f.Val.SetString(to.ID)
			if f.Name.IsValid() && (f.Name.String() == from.Name || f.Name.String() == "") {
				f.Name.SetString(to.Name)
			}
			changed = true
		case orgtag.Ref:
			switch f.Val.String() {
			case from.ID:
				f.Val.SetString(to.ID)
				changed = true
			case from.Name:
				f.Val.SetString(to.Name)
				changed = true
			}
		case orgtag.List:
			list := f.Val.Interface().([]string)
			if !slices.Contains(list, from.ID) && !slices.Contains(list, from.Name) {
				return
			}
			next := make([]string, 0, len(list))
			for _, x := range list {
				switch x {
				case from.ID:
					x = to.ID
				case from.Name:
					x = to.Name
				}
				if !slices.Contains(next, x) {
					next = append(next, x)
				}
			}
			f.Val.Set(reflect.ValueOf(next))
			changed = true
		}
	})
	if !changed {
		return rec, false, nil
	}
	out = rec
	if m, ok := ptr.Interface().(interface{ meta() *Meta }); ok {
		m.meta().Updated = now
	}
	out.Updated = now
	if out.Body, err = json.Marshal(ptr.Interface()); err != nil {
		return rec, false, err
	}
	v := ptr.Elem().Interface()
	if k, ok := v.(Keyed); ok {
		out.Key = k.DedupKey()
	}
	if st, ok := v.(Staged); ok {
		out.Stage = st.RecordStage()
	}
	return out, true, nil
}

// checkOrgRefs refuses a record whose org:"id" fields name organizations
// missing from the registry, when the registry holds any: an unknown ID is
// a typo or a dangling reference, not a new organization.
func (tx *Tx) checkOrgRefs(v any) error {
	if !tx.s.hasOrgIDs(reflect.TypeOf(v)) {
		return nil
	}
	var ids []orgtag.Field
	tx.s.orgTags.Walk(v, func(f orgtag.Field) {
		if f.Mode == orgtag.ID && f.Val.String() != "" {
			ids = append(ids, f)
		}
	})
	if len(ids) == 0 {
		return nil
	}
	if tx.registry == 0 {
		recs, err := tx.dtx.List(tx.ctx, driver.Query{Kind: string(KindOrganization), Limit: 1})
		if err != nil {
			return err
		}
		tx.registry = 1
		if len(recs) > 0 {
			tx.registry = 2
		}
	}
	if tx.registry == 1 {
		return nil
	}
	c := &Check{}
	for _, f := range ids {
		id := f.Val.String()
		if _, err := tx.dtx.Get(tx.ctx, string(KindOrganization), id); errors.Is(err, ErrNotFound) {
			c.Add(f.Path, "ref", "organization", id)
		} else if err != nil {
			return err
		}
	}
	if r, ok := v.(Record); ok {
		return c.Err(r.RecordKind())
	}
	return c.Err("")
}

// hasOrgIDs reports whether values of type t can name an organization by
// ID (orgtag.HasIDs), remembered per type.
func (s *System) hasOrgIDs(t reflect.Type) bool {
	if v, ok := s.orgIDTypes.Load(t); ok {
		return v.(bool)
	}
	has := orgtag.HasIDs(t)
	s.orgIDTypes.Store(t, has)
	return has
}

// rewriteOrgRefs points every reference to from at to, in every record of
// every known kind but organizations, logging an "org_merged" event with
// body on each record it changes; it returns how many it changed by kind.
func (tx *Tx) rewriteOrgRefs(p Principal, from, to Organization, body any) (map[Kind]int, error) {
	s := tx.s
	changed := map[Kind]int{}
	kinds, types := s.knownKinds()
	for _, kind := range kinds {
		if kind == KindOrganization {
			continue
		}
		recs, err := tx.dtx.List(tx.ctx, driver.Query{Kind: string(kind)})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			out, ok, err := s.rewriteOrgRefs(rec, types[kind], from, to, tx.Now())
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if _, err := tx.dtx.Replace(tx.ctx, out); err != nil {
				return nil, err
			}
			if err := tx.Log(p, RecordRef{Kind: kind, ID: rec.ID}, "org_merged", body); err != nil {
				return nil, err
			}
			changed[kind]++
		}
	}
	return changed, nil
}
