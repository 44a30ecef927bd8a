package review_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/evaluation"
	"github.com/kexie/techbroker/matching/assign"
)

// TestLoadOverTime: the reviews an expert did this year count against
// the yearly load in the next plan, and stop counting the next year.
func TestLoadOverTime(t *testing.T) {
	f := newFixture(t, &review.Options{YearlyLoad: 2, MaxLoad: 5})
	f.experts(t, 12, 3)
	// Two reviews done this year by every expert seated on a panel.
	var busy []string
	for range 2 {
		pn := f.seated(t, 3, review.Scoring{}, "养殖", "水质")
		for _, e := range pn.Experts() {
			if _, err := f.rv.Submit(ctx, broker.ExpertUser(e), pn.ID, profile(80)); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(busy, e) {
				busy = append(busy, e)
			}
		}
		if _, err := f.rv.Lock(ctx, f.staff, pn.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rv.Decide(ctx, f.staff, pn.ID, review.Decision{}); err != nil {
			t.Fatal(err)
		}
	}
	full := map[string]bool{}
	for _, e := range busy {
		w, err := f.rv.Workloads.Get(ctx, f.admin, e)
		if err != nil {
			t.Fatal(err)
		}
		if w.Open != 0 {
			t.Errorf("%s holds %d seats after the verdicts", e, w.Open)
		}
		if w.In(2026).Done >= 2 {
			full[e] = true
		}
	}
	if len(full) == 0 {
		t.Fatal("no expert did two reviews: the test does not exercise the yearly load")
	}
	pn := f.plan(t, 3, review.Scoring{}, f.achievement(t, []string{"养殖", "水质"}, false))[0]
	for _, e := range pn.Experts() {
		if full[e] {
			t.Errorf("%s did the yearly load already, but is planned again", e)
		}
	}
	// Next year the reviews of 2026 no longer count.
	f.clock.set(time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC))
	var seatedAgain bool
	for range 3 {
		pn := f.plan(t, 3, review.Scoring{}, f.achievement(t, []string{"养殖", "水质"}, false))[0]
		for _, e := range pn.Experts() {
			seatedAgain = seatedAgain || full[e]
		}
	}
	if !seatedAgain {
		t.Error("in 2027 no expert who was full in 2026 is planned")
	}
}

// TestPlanRefusals: the desk plans only its own panels, a subject has one
// panel at a time, and a plan nobody can staff says so.
func TestPlanRefusals(t *testing.T) {
	f := newFixture(t, &review.Options{MaxLoad: 1})
	f.experts(t, 4, 11)
	ref := f.achievement(t, []string{"养殖"}, true)
	req := review.PlanRequest{Broker: marine, Subjects: []broker.RecordRef{ref}, Seats: 3}
	if _, err := f.rv.Plan(ctx, f.other, req); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk plans: %v, want ErrForbidden", err)
	}
	if _, err := f.rv.Plan(ctx, broker.ExpertUser("exp-0001"), req); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("an expert plans: %v, want ErrForbidden", err)
	}
	bad := req
	bad.Subjects = []broker.RecordRef{ref, ref, {Kind: "listing", ID: "x"}}
	bad.Seats = 51
	bad.Scoring = review.Scoring{Method: "borda", Aggregation: "median"}
	if _, err := f.rv.Plan(ctx, f.staff, bad); !slices.Equal(fieldCodes(err), []string{"scoring.aggregation:oneof", "scoring.method:oneof", "seats:max", "subjects[1]:unique"}) {
		t.Errorf("a bad request: %v", fieldCodes(err))
	}
	ahp := req
	ahp.Scoring = review.Scoring{Method: review.AHP, Pairwise: [][]float64{{1, 2}, {0.5, 1}}}
	if _, err := f.rv.Plan(ctx, f.staff, ahp); !slices.Equal(fieldCodes(err), []string{"scoring.pairwise:invalid"}) {
		t.Errorf("AHP comparing 2 of the template's 4 criteria: %v", err)
	}
	if _, err := f.rv.Plan(ctx, f.staff, req); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rv.Plan(ctx, f.staff, req); !errors.Is(err, broker.ErrExists) {
		t.Errorf("a second panel for the subject: %v, want ErrExists", err)
	}
	// One expert left with a free seat, two subjects of three seats each.
	two := req
	two.Subjects = []broker.RecordRef{f.achievement(t, []string{"水质"}, false)}
	_, err := f.rv.Plan(ctx, f.staff, two)
	var ie *assign.InfeasibleError
	if !errors.Is(err, review.ErrNoPanelists) || !errors.Is(err, broker.ErrConflict) || !errors.As(err, &ie) {
		t.Errorf("a plan nobody can staff: %v, want ErrNoPanelists with the solver's reasons", err)
	}
	// No qualified society at all.
	if err := f.sys.RevokeQualification(ctx, f.admin, society); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rv.Plan(ctx, f.staff, two); !errors.Is(err, review.ErrNoPanelists) {
		t.Errorf("without a qualified society: %v, want ErrNoPanelists", err)
	}
}

// TestDemandPanel: a demand gets a panel without the enterprise's
// employees, and its verdict is issued without a case to move.
func TestDemandPanel(t *testing.T) {
	f := newFixture(t, nil)
	experts := f.experts(t, 8, 5)
	e0 := experts[0]
	if _, err := f.sys.Experts.Modify(ctx, f.admin, e0.ID, func(e *broker.Expert) error {
		e.Institution, e.Keywords = "蓝海水产", []string{"养殖", "水质", "监测"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	d, err := f.sys.Demands.Create(ctx, f.admin, broker.Demand{Meta: broker.Meta{Broker: marine}, Title: "养殖水质在线监测需求",
		Keywords: []string{"养殖", "水质", "监测"}, Enterprise: "蓝海水产", Problem: "网箱水质波动大，需要实时监测"})
	if err != nil {
		t.Fatal(err)
	}
	pn := f.plan(t, 3, review.Scoring{}, broker.RecordRef{Kind: broker.KindDemand, ID: d.ID})[0]
	if slices.Contains(pn.Experts(), e0.ID) || pn.Case != "" {
		t.Fatalf("demand panel %v (case %q) seats the enterprise's employee %s", pn.Experts(), pn.Case, e0.ID)
	}
	if pn, err = f.rv.Invite(ctx, f.staff, pn.ID); err != nil {
		t.Fatal(err)
	}
	for _, e := range pn.Experts() {
		if _, err := f.rv.Accept(ctx, broker.ExpertUser(e), pn.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rv.Submit(ctx, broker.ExpertUser(e), pn.ID, profile(70)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.rv.Lock(ctx, f.staff, pn.ID); err != nil {
		t.Fatal(err)
	}
	v, err := f.rv.Decide(ctx, f.staff, pn.ID, review.Decision{})
	if err != nil {
		t.Fatal(err)
	}
	ent := broker.EnterpriseUser("u-1", "蓝海水产")
	if _, err := f.rv.Verdicts.Get(ctx, ent, v.ID); err != nil {
		t.Errorf("the enterprise reads its demand's verdict: %v", err)
	}
}

// TestModeratorRequired: a disagreeing panel's verdict needs a moderator
// and a note; with them, the verdict records both and the case moves.
func TestModeratorRequired(t *testing.T) {
	f := newFixture(t, nil)
	f.experts(t, 10, 9)
	pn := f.seated(t, 4, review.Scoring{}, "养殖", "水质")
	ex := pn.Experts()
	for i, e := range ex {
		s := profile(75 + float64(i))
		if i == 3 {
			for k, v := range s.Scores {
				s.Scores[k] = 150 - v
			}
		}
		if _, err := f.rv.Submit(ctx, broker.ExpertUser(e), pn.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.rv.Decide(ctx, f.staff, pn.ID, review.Decision{}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("deciding before the lock: %v, want ErrConflict", err)
	}
	if _, err := f.rv.Lock(ctx, f.staff, pn.ID); err != nil {
		t.Fatal(err)
	}
	o, err := f.rv.Preview(ctx, f.staff, pn.ID)
	if err != nil || !o.Disagreement || o.Experts[3].Expert != ex[3] || !o.Experts[3].Disagreement.Flagged {
		t.Fatalf("preview: %+v, %v", o, err)
	}
	if _, err := f.rv.Preview(ctx, f.owner, pn.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("the owner previews who scored what: %v, want ErrForbidden", err)
	}
	_, err = f.rv.Decide(ctx, f.staff, pn.ID, review.Decision{})
	if got := fieldCodes(err); !slices.Equal(got, []string{"moderator:required", "note:required"}) {
		t.Errorf("a disagreement without a moderator: %v (%v)", got, err)
	}
	v, err := f.rv.Decide(ctx, f.staff, pn.ID, review.Decision{Moderator: "exp-senior", Note: "复核后维持多数意见"})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Disagreement || v.Flagged != 1 || v.Moderator != "exp-senior" || !strings.Contains(v.Reasons[len(v.Reasons)-1].Zh, "复核后维持多数意见") {
		t.Errorf("verdict: %+v", v)
	}
}

// TestVacantSeat: when nobody is free to take a declined seat it stays
// vacant, the decline is kept, the panel can still lock with its minimum
// of sheets, and Refill fills the seat once someone is free.
func TestVacantSeat(t *testing.T) {
	f := newFixture(t, &review.Options{MaxLoad: 1})
	f.experts(t, 3, 13)
	pn := f.seated(t, 3, review.Scoring{MinSheets: 2}, "养殖")
	leaving := pn.Experts()[0]
	got, err := f.rv.Decline(ctx, broker.ExpertUser(leaving), pn.ID, "", "身体原因")
	if err != nil {
		t.Fatal(err)
	}
	if got.Seats[0].Status != review.SeatVacant || got.Status != review.StatusScoring || len(got.Experts()) != 2 {
		t.Fatalf("after a decline nobody can take: %+v", got)
	}
	if r, err := f.rv.Refill(ctx, f.staff, pn.ID); err != nil || r.Seats[0].Status != review.SeatVacant {
		t.Errorf("refill with nobody free: %+v, %v", r.Seats[0], err)
	}
	// A new member joins the society: the seat can be filled.
	if _, err := f.sys.ContributeExpert(ctx, f.admin, society, broker.Expert{Meta: broker.Meta{ID: "exp-new"}, Name: "新专家", Keywords: []string{"养殖"}}); err != nil {
		t.Fatal(err)
	}
	r, err := f.rv.Refill(ctx, f.staff, pn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Seats[0].Expert != "exp-new" || r.Seats[0].Status != review.SeatInvited || r.Status != review.StatusInviting {
		t.Errorf("after refill: %+v, %s", r.Seats[0], r.Status)
	}
}

// TestOverdue lists unanswered invitations past their reply date and
// missing sheets past the deadline, oldest first.
func TestOverdue(t *testing.T) {
	f := newFixture(t, &review.Options{ReplyDays: 2})
	f.experts(t, 8, 17)
	pn := f.plan(t, 3, review.Scoring{}, f.achievement(t, []string{"养殖"}, true))[0]
	pn, err := f.rv.Invite(ctx, f.staff, pn.ID)
	if err != nil {
		t.Fatal(err)
	}
	ex := pn.Experts()
	if _, err := f.rv.Accept(ctx, broker.ExpertUser(ex[0]), pn.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := f.rv.Overdue(ctx, f.staff, marine); err != nil || len(got) != 0 {
		t.Errorf("nothing is late yet: %+v, %v", got, err)
	}
	f.clock.advance(3 * 24 * time.Hour)
	got, err := f.rv.Overdue(ctx, f.staff, marine)
	if err != nil || len(got) != 2 || got[0].What != "reply" || got[0].Expert == ex[0] {
		t.Errorf("after 3 days: %+v, %v; want the two unanswered invitations", got, err)
	}
	f.clock.advance(12 * 24 * time.Hour)
	got, _ = f.rv.Overdue(ctx, f.staff, marine)
	if len(got) != 3 || got[2].What != "sheet" || got[2].Expert != ex[0] {
		t.Errorf("after the deadline: %+v; want two replies and one sheet", got)
	}
	if _, err := f.rv.Overdue(ctx, f.other, marine); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk's overdue list: %v", err)
	}
	fig, err := f.rv.Figures(ctx, f.staff, review.FigureQuery{Broker: marine})
	if err != nil || fig.Due != 1 || fig.OnTime != 0 || fig.OnTimeRate != 0 || fig.Invitations != 3 || fig.Accepted != 1 {
		t.Errorf("figures with one missed sheet: %+v, %v", fig, err)
	}
	if _, err := f.rv.Figures(ctx, f.staff, review.FigureQuery{}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("a desk reads every broker's figures: %v", err)
	}
}

// TestGuardedRecords: plain writes cannot change what the operations own,
// not even a platform admin's.
func TestGuardedRecords(t *testing.T) {
	f := newFixture(t, nil)
	f.experts(t, 6, 19)
	pn := f.seated(t, 3, review.Scoring{}, "养殖")
	e := pn.Experts()[0]
	sh, err := f.rv.Submit(ctx, broker.ExpertUser(e), pn.ID, profile(80))
	if err != nil {
		t.Fatal(err)
	}
	sh.Scores[evaluation.CritNovelty] = 10
	if _, err := f.rv.Sheets.Update(ctx, f.admin, sh); !slices.Contains(fieldCodes(err), "scores:guarded") {
		t.Errorf("changing a submitted sheet: %v", err)
	}
	if _, err := f.rv.Sheets.Update(ctx, broker.ExpertUser(e), sh); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("the expert changes their submitted sheet: %v, want ErrForbidden", err)
	}
	if _, err := f.rv.Panels.Modify(ctx, f.admin, pn.ID, func(p *review.Panel) error { p.Status = review.StatusDecided; return nil }); !slices.Contains(fieldCodes(err), "status:guarded") {
		t.Errorf("changing a panel's status by hand: %v", err)
	}
	if _, err := f.rv.Sheets.Create(ctx, f.admin, review.ScoreSheet{Panel: pn.ID, Expert: "exp-x", Scores: map[string]float64{}, Submitted: f.clock.now()}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("creating a sheet by hand: %v", err)
	}
}

// TestDecideNeedsTheCase: when the case cannot move (its owner withdrew
// it meanwhile), the verdict is not issued and nothing is written.
func TestDecideNeedsTheCase(t *testing.T) {
	f := newFixture(t, nil)
	f.experts(t, 6, 29)
	pn := f.seated(t, 3, review.Scoring{}, "养殖")
	for _, e := range pn.Experts() {
		if _, err := f.rv.Submit(ctx, broker.ExpertUser(e), pn.ID, profile(80)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.rv.Lock(ctx, f.staff, pn.ID); err != nil {
		t.Fatal(err)
	}
	c, err := f.sys.GetCase(ctx, f.staff, pn.Case)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sys.MoveCase(ctx, f.owner, c.ID, broker.CaseMove{To: broker.StageWithdrawn, Version: c.Version, Reason: "自行转化"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.rv.Decide(ctx, f.staff, pn.ID, review.Decision{})
	var te *broker.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, broker.ErrConflict) {
		t.Fatalf("deciding for a withdrawn case: %v, want a TransitionError", err)
	}
	got, err := f.rv.Panels.Get(ctx, f.staff, pn.ID)
	if err != nil || got.Status != review.StatusLocked || got.Verdict != "" {
		t.Errorf("panel after the refused verdict: %s %q, %v", got.Status, got.Verdict, err)
	}
	if vs, err := f.rv.Verdicts.Find(ctx, f.admin, broker.ListOptions{}); err != nil || len(vs) != 0 {
		t.Errorf("%d verdicts stored (%v), want none", len(vs), err)
	}
	if _, err := f.rv.Panels.Get(ctx, f.other, pn.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk reads the panel: %v", err)
	}
}
