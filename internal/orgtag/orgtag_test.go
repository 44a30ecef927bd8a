package orgtag_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/internal/orgtag"
)

type unit struct {
	Name  string `json:"name" org:"name"`
	OrgID string `json:"org_id,omitempty" org:"id"`
}

type base struct {
	ID string `json:"id"`
}

type record struct {
	base
	Owner     string   `json:"owner" org:"name"`
	OwnerID   string   `json:"owner_id" org:"id"`
	Members   []unit   `json:"members"`
	Lead      *unit    `json:"lead,omitempty"`
	Owners    []string `json:"owners" org:"list"`
	Party     string   `json:"party" org:"ref"`
	Incubator string   `json:"incubator" org:"id"`
	SpinOff   string   `json:"spin_off" org:"id"`
	Note      string   `json:"note"`
}

type pair struct {
	Incubator string `json:"incubator" org:"id"`
	SpinOff   string `json:"spin_off" org:"id"`
}

func TestWalk(t *testing.T) {
	r := record{Owner: "甲大学", OwnerID: "org-1", Members: []unit{{Name: "乙", OrgID: "org-2"}, {Name: "丙"}},
		Lead: &unit{Name: "丁", OrgID: "org-4"}, Owners: []string{"甲大学", "org-1"}, Party: "org-9"}
	var got []string
	var c orgtag.Cache
	for _, walk := range []func(any, func(orgtag.Field)){orgtag.Walk, c.Walk, c.Walk} {
		got = got[:0]
		walk(&r, func(f orgtag.Field) {
			name := "-"
			if f.Name.IsValid() {
				name = f.Name.String()
			}
			got = append(got, fmt.Sprintf("%s:%s:%v:%s", f.Path, f.Mode, f.Val.Interface(), name))
		})
		want := []string{
			"members[0].org_id:id:org-2:乙", "members[1].org_id:id::丙", "lead.org_id:id:org-4:丁",
			"owners:list:[甲大学 org-1]:-", "party:ref:org-9:-",
			"owner_id:id:org-1:-", "incubator:id::-", "spin_off:id::-", // three id fields: no name pairs
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("walk:\n got %q\nwant %q", got, want)
		}
	}
	// Walked from a pointer, the fields are settable.
	c.Walk(&r, func(f orgtag.Field) {
		if f.Mode == orgtag.ID && f.Val.String() == "org-2" {
			f.Val.SetString("org-7")
			f.Name.SetString("戊")
		}
	})
	if r.Members[0].OrgID != "org-7" || r.Members[0].Name != "戊" {
		t.Errorf("rewrite through Walk: got %+v", r.Members[0])
	}
	if !orgtag.HasIDs(reflect.TypeFor[pair]()) || orgtag.HasIDs(reflect.TypeFor[base]()) {
		t.Error("HasIDs")
	}
}

func TestLint(t *testing.T) {
	type untagged struct {
		OwnerID    string   `json:"owner_id"`
		Enterprise string   `json:"enterprise"`
		Owners     []string `json:"owners"`
		Title      string   `json:"title"`
		Party      string   `json:"party" org:"-"`
	}
	got := orgtag.Lint(reflect.TypeFor[untagged]())
	if len(got) != 3 || !strings.Contains(strings.Join(got, "\n"), "owner_id") || !strings.Contains(strings.Join(got, "\n"), "enterprise") {
		t.Errorf("lint of untagged fields: got %q", got)
	}
	type lonelyName struct {
		Owner string `json:"owner" org:"name"`
	}
	if got := orgtag.Lint(reflect.TypeFor[lonelyName]()); len(got) != 1 {
		t.Errorf("a name without an id: got %q", got)
	}
	if got := orgtag.Lint(reflect.TypeFor[record]()); len(got) != 1 {
		t.Errorf("a name beside three ids: got %q, want one finding", got)
	}
	type valid struct {
		Owner   string   `json:"owner" org:"name"`
		OwnerID string   `json:"owner_id" org:"id"`
		Members []unit   `json:"members"`
		Owners  []string `json:"owners" org:"list"`
	}
	if got := orgtag.Lint(reflect.TypeFor[valid]()); len(got) != 0 {
		t.Errorf("a tagged record: got %q", got)
	}
}
