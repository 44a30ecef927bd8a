package capital

import (
	"reflect"
	"testing"

	"github.com/kexie/techbroker/internal/orgtag"
)

// Every record type of the package tells organization merges and audits
// about the fields that name organizations (the org struct tag): a new
// field such as "owner_id" or "incubator" without a tag fails here.
func TestOrgTags(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[Investor](), reflect.TypeFor[InvestmentIntent](), reflect.TypeFor[Incubation](),
	} {
		if got := orgtag.Lint(typ); len(got) > 0 {
			t.Errorf("%v: %v", typ, got)
		}
	}
}

// The tags are where merges find them (defect 6 of issue 21): the
// investor's organization, the incubation's incubator and spin-off as id
// fields, and the owners of incubations and intents as lists.
func TestOrgTagPaths(t *testing.T) {
	paths := func(v any) map[string]orgtag.Mode {
		out := map[string]orgtag.Mode{}
		orgtag.Walk(v, func(f orgtag.Field) { out[f.Path] = f.Mode })
		return out
	}
	for _, tc := range []struct {
		v    any
		want map[string]orgtag.Mode
	}{
		{&Investor{}, map[string]orgtag.Mode{"org_id": orgtag.ID}},
		{&Incubation{}, map[string]orgtag.Mode{"incubator": orgtag.ID, "spin_off": orgtag.ID, "owners": orgtag.List}},
		{&InvestmentIntent{}, map[string]orgtag.Mode{"owners": orgtag.List, "investor_org": orgtag.ID}},
	} {
		if got := paths(tc.v); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%T: got %v, want %v", tc.v, got, tc.want)
		}
	}
	// Lint itself catches an untagged owners list, so the test above can fail.
	type careless struct {
		Owners []string `json:"owners"`
	}
	if got := orgtag.Lint(reflect.TypeFor[careless]()); len(got) != 1 {
		t.Errorf("lint of an untagged owners field: got %v, want one finding", got)
	}
}
