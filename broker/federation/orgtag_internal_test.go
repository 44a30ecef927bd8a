package federation

import (
	"reflect"
	"testing"

	"github.com/kexie/techbroker/internal/orgtag"
)

// Every record type of the federation tells organization merges and audits
// about the fields that name organizations (the org struct tag): a new
// field such as "buyer" or "owner_id" without a tag fails here.
func TestOrgTags(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[SharedProfile](), reflect.TypeFor[Interest](), reflect.TypeFor[cursor](),
		reflect.TypeFor[Agreement](), reflect.TypeFor[Workstation](),
	} {
		if got := orgtag.Lint(typ); len(got) > 0 {
			t.Errorf("%v: %v", typ, got)
		}
	}
}

// The tags are where merges find them: at the interested side the
// interested organization (a name or an ID), at the owner's side the
// listing's owner as an id field with its name; the other region's
// organizations are not references.
func TestOrgTagPaths(t *testing.T) {
	paths := func(v any) map[string]orgtag.Mode {
		out := map[string]orgtag.Mode{}
		orgtag.Walk(v, func(f orgtag.Field) { out[f.Path] = f.Mode })
		return out
	}
	x := Interest{Org: "乙", RemoteOrg: "丙", Owner: "甲", OwnerID: "org-1",
		Contact: &PartyContact{Org: "乙"}, Counterpart: &PartyContact{Org: "丙"}}
	got := paths(&x)
	want := map[string]orgtag.Mode{"org": orgtag.Ref, "owner_id": orgtag.ID}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("interest: got %v, want %v", got, want)
	}
}
