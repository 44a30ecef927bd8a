package review_test

import (
	"context"
	"slices"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/review"
)

// Panels planned from the matching service's index: Options.Affinity
// feeds Plan the index's affinities, the panel is the three best experts
// by them, and each seat carries the index's value.
func TestPlanFromTheMatchIndex(t *testing.T) {
	var svc *match.Service
	f := newFixture(t, &review.Options{Affinity: func(ctx context.Context, p broker.Principal, ids []string) (map[string]map[string]float64, error) {
		return svc.Affinity(ctx, p, ids, 0)
	}})
	var err error
	if svc, err = match.New(f.sys, nil); err != nil {
		t.Fatal(err)
	}
	f.experts(t, 30, 11)
	ref := f.achievement(t, []string{"养殖", "水质", "监测"}, true)
	pn := f.plan(t, 3, review.Scoring{}, ref)[0]
	aff, err := svc.Affinity(ctx, f.staff, []string{ref.ID}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := aff[ref.ID]
	if len(want) < 3 {
		t.Fatalf("the index scores %d experts for the result: the test tests nothing", len(want))
	}
	best := slices.Sorted(func(yield func(float64) bool) {
		for _, v := range want {
			if !yield(v) {
				return
			}
		}
	})
	slices.Reverse(best)
	sum := 0.0
	for _, s := range pn.Seats {
		if s.Affinity != want[s.Expert] {
			t.Errorf("seat of %s: affinity %v, the index says %v", s.Expert, s.Affinity, want[s.Expert])
		}
		sum += s.Affinity
	}
	if top := best[0] + best[1] + best[2]; sum < top-1e-9 {
		t.Errorf("the panel's affinities add up to %v, the index's best three to %v", sum, top)
	}
}
