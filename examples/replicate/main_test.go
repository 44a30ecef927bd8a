package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// The model is copied to Tongling with its own blueprint and rooms, the
// intent agreement is fulfilled by it, and a year runs there on the copied
// scorecard.
func TestReplicate(t *testing.T) {
	f, err := files.Open("tongling.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	res, err := run(context.Background(), &out, f, 2022)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.City.RegionCode != "340700" || !slices.Equal(res.Rooms, []string{"copper-materials", "pcb-materials", "energy-saving"}) {
		t.Errorf("the city's rooms: %s %v", res.City.RegionCode, res.Rooms)
	}
	if res.City.Scorecard == nil || res.City.Scorecard.NameZH != "技术券商考核体系（试行）" || len(res.City.StaffRoles) == 0 {
		t.Error("the city's model did not copy the scorecard and staff roles")
	}
	if f := res.Fulfil.FulfilledBy; f == nil || f.Region != "340700" || len(f.Rooms) != 3 {
		t.Errorf("the intent agreement's fulfilment: %+v", res.Fulfil)
	}
	if res.Listings == 0 || res.Deals != res.Listings || res.Value.IsZero() || len(res.Card.Entities) != 3 {
		t.Errorf("the year: %d listings, %d deals, %s, %d rooms scored", res.Listings, res.Deals, res.Value, len(res.Card.Entities))
	}
	for _, want := range []string{"意向合作协议", "builds", "copied from the Yangpu model", "fulfilled", "scores the rooms"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// A city blueprint that is not valid is refused with its errors.
	if _, err := run(context.Background(), &bytes.Buffer{}, strings.NewReader(`{"name": "x", "region_code": "x y", "rooms": []}`), 1); err == nil ||
		!strings.Contains(err.Error(), "region_code") {
		t.Errorf("bad city blueprint: got %v", err)
	}
}
