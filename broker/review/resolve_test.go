package review_test

import (
	"math"
	"slices"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/assign"
)

// affinities computes, independently of package review, the affinity of
// each expert for one achievement as a re-solve of its panel does: the
// matching engine's, text weight 1 and discipline weight 0.3, in one call
// for that achievement alone.
func affinities(t *testing.T, a broker.Achievement, experts []broker.Expert) []float64 {
	t.Helper()
	w := matching.DefaultWeights()
	w.Text, w.Discipline = 1, 0.3
	eng, err := matching.NewEngine(&matching.Options{Weights: &w})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Add(broker.AchievementDocument(a)); err != nil {
		t.Fatal(err)
	}
	profiles := make([]matching.Expert, len(experts))
	for i, e := range experts {
		profiles[i] = broker.ExpertProfile(e)
	}
	m, err := eng.Affinity(ctx, profiles, []string{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(experts))
	for i := range experts {
		out[i] = m[i][0]
	}
	return out
}

// TestResolveIsOptimal: a decline keeps every other seat of every panel,
// and the seat goes where a full solve of all open panels with every other
// seat fixed puts it — loads at once and per year included. The expert
// who would be best for the seat is given a full year beforehand, so the
// re-solve must count the load over time to pass.
func TestResolveIsOptimal(t *testing.T) {
	const atOnce, yearly = 2, 4
	f := newFixture(t, &review.Options{MaxLoad: atOnce, YearlyLoad: yearly})
	experts := f.experts(t, 40, 7)
	// Some experts did reviews this year already.
	done := map[string]int{}
	for i, e := range experts {
		if i%5 == 0 {
			done[e.ID] = 1 + i%3
			w := review.Workload{Expert: e.ID, Years: []review.YearLoad{{Year: 2026, Done: done[e.ID]}}}
			if _, err := f.rv.Workloads.Create(ctx, f.admin, w); err != nil {
				t.Fatal(err)
			}
		}
	}
	var subjects []broker.RecordRef
	for _, kw := range [][]string{{"养殖", "水质", "监测"}, {"养殖", "渔业", "网箱"}, {"水质", "监测", "传感器"}, {"海洋", "生态", "藻类"}, {"养殖", "水质"}, {"深海", "潜水器", "声呐"}} {
		subjects = append(subjects, f.achievement(t, kw, true))
	}
	panels := f.plan(t, 4, review.Scoring{}, subjects...)
	for i := range panels {
		var err error
		if panels[i], err = f.rv.Invite(ctx, f.staff, panels[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	target := panels[0]
	a, err := f.sys.Achievements.Get(ctx, f.admin, target.Subject.ID)
	if err != nil {
		t.Fatal(err)
	}
	aff := affinities(t, a, experts)
	index := map[string]int{}
	for i, e := range experts {
		index[e.ID] = i
	}
	seats := map[string]int{} // seats held per expert, every panel
	for _, pn := range panels {
		for _, e := range pn.Experts() {
			seats[e]++
		}
	}
	leaving := target.Seats[1].Expert
	// The best expert for the seat with room at once gets a full year.
	best := ""
	for i, e := range experts {
		if !slices.Contains(target.Experts(), e.ID) && seats[e.ID] < atOnce && (best == "" || aff[i] > aff[index[best]]) {
			best = e.ID
		}
	}
	done[best] = yearly - seats[best]
	if _, err := f.rv.Workloads.Modify(ctx, f.admin, best, func(w *review.Workload) error {
		w.Years = []review.YearLoad{{Year: 2026, Done: done[best]}}
		return nil
	}); err != nil {
		if _, err := f.rv.Workloads.Create(ctx, f.admin, review.Workload{Expert: best, Years: []review.YearLoad{{Year: 2026, Done: done[best]}}}); err != nil {
			t.Fatal(err)
		}
	}

	after, err := f.rv.Decline(ctx, broker.ExpertUser(leaving), target.ID, "", "时间冲突")
	if err != nil {
		t.Fatal(err)
	}
	got := after.Seats[1].Expert
	for j := range after.Seats {
		if j != 1 && after.Seats[j].Expert != target.Seats[j].Expert {
			t.Errorf("seat %d: %s → %s, but only seat 1 was declined", j, target.Seats[j].Expert, after.Seats[j].Expert)
		}
	}
	for _, pn := range panels[1:] {
		now, err := f.rv.Panels.Get(ctx, f.staff, pn.ID)
		if err != nil || !slices.Equal(now.Experts(), pn.Experts()) {
			t.Errorf("panel %s changed by another panel's decline: %v → %v (%v)", pn.ID, pn.Experts(), now.Experts(), err)
		}
	}
	if got == "" || got == leaving || got == best || slices.Contains(target.Experts(), got) {
		t.Fatalf("re-solved seat went to %q (leaving %s, full-year %s, panel %v)", got, leaving, best, target.Experts())
	}

	// The full solve: every open panel an item, every seat but the
	// re-solved one forced, the leaving expert forbidden, each expert's
	// load min(at once, yearly − done).
	prob := &assign.Problem{Cover: 4, MaxLoad: atOnce, Affinity: make([][]float64, len(panels)), LoadOverride: map[int]assign.Load{}}
	for _, e := range experts {
		prob.Experts = append(prob.Experts, e.ID)
	}
	for i, pn := range panels {
		prob.Items = append(prob.Items, pn.ID)
		prob.Affinity[i] = make([]float64, len(experts))
		cur := pn
		if i == 0 {
			cur = after
		}
		for j, st := range cur.Seats {
			if i == 0 && j == 1 {
				continue
			}
			prob.Forced = append(prob.Forced, assign.Pair{Expert: index[st.Expert], Item: i})
		}
	}
	copy(prob.Affinity[0], aff)
	prob.Forbidden = append(prob.Forbidden, assign.Conflict{Expert: index[leaving], Item: 0, Reason: "declined"})
	for _, e := range experts {
		for _, c := range broker.DefaultConflictRules().AchievementConflicts(e, a) {
			prob.Forbidden = append(prob.Forbidden, assign.Conflict{Expert: index[e.ID], Item: 0, Reason: c.Rule})
		}
	}
	for e, d := range done {
		prob.LoadOverride[index[e]] = assign.Load{Min: 0, Max: max(0, min(atOnce, yearly-d))}
	}
	res, err := assign.Solve(ctx, prob, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Verify(prob); err != nil {
		t.Fatal(err)
	}
	kept := slices.DeleteFunc(after.Experts(), func(e string) bool { return e == got })
	full := ""
	for _, e := range res.Panels[0] {
		if !slices.Contains(kept, prob.Experts[e]) {
			full = prob.Experts[e]
		}
	}
	if math.Abs(aff[index[full]]-aff[index[got]]) > 1e-6 {
		t.Errorf("re-solve chose %s (affinity %.6f); the full solve with the other seats fixed chose %s (%.6f)",
			got, aff[index[got]], full, aff[index[full]])
	}
	if aff[index[best]] <= aff[index[got]] {
		t.Errorf("the full-year expert %s (%.6f) is not better than the chosen %s (%.6f): the test does not exercise the yearly load",
			best, aff[index[best]], got, aff[index[got]])
	}
	// And by hand: nobody free is closer to the subject.
	for i, e := range experts {
		free := min(atOnce, yearly-done[e.ID]) - seats[e.ID]
		if e.ID == leaving || slices.Contains(after.Experts(), e.ID) || free <= 0 {
			continue
		}
		if aff[i] > aff[index[got]]+1e-6 {
			t.Errorf("%s is free with affinity %.6f, above the chosen %s (%.6f)", e.ID, aff[i], got, aff[index[got]])
		}
	}
	if after.Seats[1].Status != review.SeatInvited || math.Abs(after.Seats[1].Affinity-aff[index[got]]) > 1e-9 {
		t.Errorf("re-solved seat: %+v, want invited with affinity %.6f", after.Seats[1], aff[index[got]])
	}
}
