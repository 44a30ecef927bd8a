package drivertest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/evaluation"
)

// testReview runs expert review's store-dependent behaviour: a panel's
// whole life, concurrent sheets and a lock racing them, bad sheets, blind
// reads per role, and a conflict of interest appearing after planning.
func testReview(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("PanelLife", func(t *testing.T) { testPanelLife(t, open(t)) })
	t.Run("ConcurrentSheets", func(t *testing.T) { testConcurrentSheets(t, open(t)) })
	t.Run("LockRacesSheet", func(t *testing.T) { testLockRacesSheet(t, open(t)) })
	t.Run("BadSheets", func(t *testing.T) { testBadSheets(t, open(t)) })
	t.Run("BlindReads", func(t *testing.T) { testBlindReads(t, open(t)) })
	t.Run("ConflictAfterPlanning", func(t *testing.T) { testConflictAfterPlanning(t, open(t)) })
	t.Run("ConcurrentPlans", func(t *testing.T) { testConcurrentPlans(t, open(t)) })
}

// reviewFixture is a System with one industry broker (marine-tech), a
// qualified society (中国海洋学会) of eight experts, expert review over it,
// a settable clock and the principals the tests act as.
type reviewFixture struct {
	ctx                        context.Context
	sys                        *broker.System
	rv                         *review.Service
	now                        atomic.Int64 // the clock, in Unix microseconds
	admin, staff, other, owner broker.Principal
	anon                       broker.Principal
	subjects                   atomic.Int64
}

const society = "coss"

// reviewExperts are the society's members: the first works at the
// achievements' owner (a conflict), the others at other institutions.
var reviewExperts = []broker.Expert{
	{Meta: broker.Meta{ID: "exp-wang"}, Name: "王海", Institution: owner, Keywords: []string{"养殖", "水质", "监测"}},
	{Meta: broker.Meta{ID: "exp-li"}, Name: "李澜", Institution: "中国海洋大学", Keywords: []string{"养殖", "水质", "监测"}},
	{Meta: broker.Meta{ID: "exp-zhao"}, Name: "赵波", Institution: "浙江大学", Keywords: []string{"水质", "监测", "传感器"}},
	{Meta: broker.Meta{ID: "exp-qian"}, Name: "钱潮", Institution: "同济大学", Keywords: []string{"海洋", "监测"}},
	{Meta: broker.Meta{ID: "exp-sun"}, Name: "孙渔", Institution: "大连海洋大学", Keywords: []string{"养殖", "渔业"}},
	{Meta: broker.Meta{ID: "exp-zhou"}, Name: "周航", Institution: "上海交通大学", Keywords: []string{"船舶", "海洋"}},
	{Meta: broker.Meta{ID: "exp-wu"}, Name: "吴涛", Institution: "华东师范大学", Keywords: []string{"海洋", "生态"}},
	{Meta: broker.Meta{ID: "exp-zheng"}, Name: "郑岩", Institution: "复旦大学", Keywords: []string{"材料"}},
}

func newReviewFixture(t testing.TB, s driver.Store) *reviewFixture {
	t.Helper()
	return newReviewFixtureOpts(t, s, &review.Options{YearlyLoad: 1000})
}

func newReviewFixtureOpts(t testing.TB, s driver.Store, opts *review.Options) *reviewFixture {
	t.Helper()
	f := &reviewFixture{ctx: context.Background(), admin: broker.PlatformAdmin("admin"), staff: broker.BrokerStaff("staff-1", marine),
		other: broker.BrokerStaff("staff-9", peds), owner: broker.InstitutionUser("inst-1", owner), anon: broker.Anonymous()}
	f.now.Store(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC).UnixMicro())
	f.sys = broker.New(s, &broker.Options{NewID: broker.SequentialIDs(), Clock: func() time.Time { return time.UnixMicro(f.now.Load()) }})
	f.rv = review.New(f.sys, opts)
	for _, b := range []broker.IndustryBroker{{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}, {Meta: broker.Meta{ID: peds}, Name: "儿科医学"}} {
		if _, err := f.sys.Brokers.Create(f.ctx, f.admin, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.sys.Societies.Create(f.ctx, f.admin, broker.Society{Meta: broker.Meta{ID: society}, Name: "中国海洋学会"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sys.GrantQualification(f.ctx, f.admin, broker.Qualification{Society: society, Ref: "科技评估资质 2026-01"}); err != nil {
		t.Fatal(err)
	}
	for _, e := range reviewExperts {
		if _, err := f.sys.ContributeExpert(f.ctx, f.admin, society, e); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *reviewFixture) advance(d time.Duration) { f.now.Add(d.Microseconds()) }

// subject creates an achievement of the owner at marine-tech and opens its
// case.
func (f *reviewFixture) subject(t testing.TB) (broker.RecordRef, broker.Case) {
	t.Helper()
	n := f.subjects.Add(1)
	a, err := f.sys.Achievements.Create(f.ctx, f.admin, broker.Achievement{Meta: broker.Meta{Broker: marine, Visibility: broker.Confidential},
		Title: fmt.Sprintf("深远海养殖网箱水质在线监测系统 %d", n), Keywords: []string{"养殖", "水质", "监测"}, Owner: owner,
		Inventors: []broker.Inventor{{Name: "李明"}}})
	if err != nil {
		t.Fatal(err)
	}
	ref := broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}
	c, err := f.sys.OpenCase(f.ctx, f.staff, broker.NewCase{Subject: ref, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	return ref, c
}

// plan plans one panel of seats for a new subject.
func (f *reviewFixture) plan(t testing.TB, seats int, sc review.Scoring) (review.Panel, broker.Case) {
	t.Helper()
	ref, c := f.subject(t)
	pns, err := f.rv.Plan(f.ctx, f.staff, review.PlanRequest{Broker: marine, Subjects: []broker.RecordRef{ref}, Seats: seats, Society: society, Scoring: sc})
	if err != nil {
		t.Fatal(err)
	}
	return pns[0], c
}

// seated plans a panel, invites it and has every expert accept.
func (f *reviewFixture) seated(t testing.TB, seats int, sc review.Scoring) (review.Panel, broker.Case) {
	t.Helper()
	pn, c := f.plan(t, seats, sc)
	pn, err := f.rv.Invite(f.ctx, f.staff, pn.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pn.Experts() {
		if pn, err = f.rv.Accept(f.ctx, broker.ExpertUser(e), pn.ID); err != nil {
			t.Fatal(err)
		}
	}
	if pn.Status != review.StatusScoring {
		t.Fatalf("after every acceptance: status %s, want scoring", pn.Status)
	}
	return pn, c
}

// sheet is a complete sheet of the default template around level, the
// same profile for every panelist (so that the panel agrees).
func sheet(level float64) review.Sheet {
	return review.Sheet{Scores: map[string]float64{
		evaluation.CritNovelty: level + 5, evaluation.CritAdvancement: level + 8, evaluation.CritMaturity: level - 6,
		evaluation.CritMarket: level, evaluation.CritIP: level - 10, evaluation.CritTeam: level + 2,
	}, Comment: "技术路线清晰，建议补充中试数据。"}
}

func sameSeat(a, b review.Seat) bool {
	return a.Expert == b.Expert && a.Status == b.Status && a.Affinity == b.Affinity && a.Since.Equal(b.Since) &&
		a.Invited.Equal(b.Invited) && a.ReplyBy.Equal(b.ReplyBy) && a.Answered.Equal(b.Answered) && a.Submitted.Equal(b.Submitted) && a.Sheet == b.Sheet
}

func fieldCodes(err error) []string {
	var ve *broker.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, fe := range ve.Fields {
		out = append(out, fe.Field+":"+fe.Code)
	}
	slices.Sort(out)
	return out
}

// testPanelLife takes a panel from plan through invitation, a decline and
// its re-solve, the sheets and the lock, to the verdict and the case move;
// and a second panel whose low scores reject its case.
func testPanelLife(t *testing.T, s driver.Store) {
	f := newReviewFixture(t, s)
	pn, c := f.plan(t, 3, review.Scoring{})
	if pn.Status != review.StatusPlanned || pn.Case != c.ID || len(pn.Seats) != 3 {
		t.Fatalf("planned panel: status %s, case %q, %d seats; want planned, %s, 3", pn.Status, pn.Case, len(pn.Seats), c.ID)
	}
	if slices.Contains(pn.Experts(), "exp-wang") {
		t.Errorf("the owner's colleague is on the panel %v", pn.Experts())
	}
	for _, e := range pn.Experts() {
		w, err := f.rv.Workloads.Get(f.ctx, f.admin, e)
		if err != nil || w.Open != 1 {
			t.Errorf("workload of %s after planning: %+v, %v; want 1 open seat", e, w, err)
		}
	}
	// The owner sees neither the panel nor, for now, a verdict.
	if _, err := f.rv.Panels.Get(f.ctx, f.owner, pn.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("owner reads the panel: %v, want ErrForbidden", err)
	}
	// Invitations.
	f.advance(time.Hour)
	pn, err := f.rv.Invite(f.ctx, f.staff, pn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pn.Status != review.StatusInviting {
		t.Fatalf("after Invite: status %s", pn.Status)
	}
	for _, st := range pn.Seats {
		if st.Status != review.SeatInvited || st.ReplyBy.IsZero() {
			t.Errorf("seat after Invite: %+v", st)
		}
	}
	experts := pn.Experts()
	first, second, third := experts[0], experts[1], experts[2]
	if pn, err = f.rv.Accept(f.ctx, broker.ExpertUser(first), pn.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rv.Accept(f.ctx, broker.ExpertUser(first), pn.ID); !errors.Is(err, review.ErrNoInvitation) || !errors.Is(err, broker.ErrConflict) {
		t.Errorf("accepting twice: %v, want ErrNoInvitation", err)
	}
	// A decline re-solves that seat only.
	before := pn
	if pn, err = f.rv.Decline(f.ctx, broker.ExpertUser(second), pn.ID, "", "出差无法按期评审"); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(before.Seats, func(s review.Seat) bool { return s.Expert == second })
	for j := range pn.Seats {
		if j != i && !sameSeat(pn.Seats[j], before.Seats[j]) {
			t.Errorf("seat %d changed by another's decline: %+v → %+v", j, before.Seats[j], pn.Seats[j])
		}
	}
	repl := pn.Seats[i]
	if repl.Expert == "" || repl.Expert == second || slices.Contains(before.Experts(), repl.Expert) || repl.Expert == "exp-wang" || repl.Status != review.SeatInvited {
		t.Fatalf("re-solved seat: %+v", repl)
	}
	if len(pn.Declined) != 1 || pn.Declined[0].Expert != second || pn.Declined[0].Reason != "出差无法按期评审" {
		t.Errorf("declines: %+v", pn.Declined)
	}
	for _, e := range []string{repl.Expert, third} {
		if pn, err = f.rv.Accept(f.ctx, broker.ExpertUser(e), pn.ID); err != nil {
			t.Fatal(err)
		}
	}
	if pn.Status != review.StatusScoring {
		t.Fatalf("after every acceptance: status %s", pn.Status)
	}
	// Sheets, lock and verdict.
	for k, e := range pn.Experts() {
		if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(e), pn.ID, sheet(78+float64(k))); err != nil {
			t.Fatalf("sheet of %s: %v", e, err)
		}
	}
	if pn, err = f.rv.Lock(f.ctx, f.staff, pn.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(first), pn.ID, sheet(80)); !errors.Is(err, review.ErrLocked) {
		t.Errorf("a sheet after the lock: %v, want ErrLocked", err)
	}
	v, err := f.rv.Decide(f.ctx, f.staff, pn.ID, review.Decision{})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Passed || v.Sheets != 3 || v.Agreement.KendallW == nil || v.Disagreement || len(v.Reasons) == 0 || v.Case != c.ID {
		t.Errorf("verdict: %+v", v)
	}
	got, err := f.sys.GetCase(f.ctx, f.staff, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stage != broker.StageScreened || got.Screening == nil || got.Screening.Ref != v.ID || !got.Screening.Passed || got.Screening.Society != society {
		t.Errorf("case after the verdict: stage %s, screening %+v; want screened with Ref %s", got.Stage, got.Screening, v.ID)
	}
	if pn, err = f.rv.Panels.Get(f.ctx, f.staff, pn.ID); err != nil || pn.Status != review.StatusDecided || pn.Verdict != v.ID {
		t.Errorf("panel after Decide: %s %s, %v", pn.Status, pn.Verdict, err)
	}
	if _, err := f.rv.Decide(f.ctx, f.staff, pn.ID, review.Decision{}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("deciding twice: %v, want ErrConflict", err)
	}
	// The experts' loads: the declined expert holds nothing; the others did one review.
	for _, e := range []string{first, third, repl.Expert} {
		w, err := f.rv.Workloads.Get(f.ctx, broker.ExpertUser(e), e)
		if y := w.In(2026); err != nil || w.Open != 0 || y.Done != 1 || y.Invited != 1 || y.Accepted != 1 {
			t.Errorf("workload of %s: %+v, %v; want 0 open, 1 invited, accepted and done in 2026", e, w, err)
		}
	}
	if w, err := f.rv.Workloads.Get(f.ctx, f.admin, second); err != nil || w.Open != 0 || w.In(2026).Declined != 1 || w.In(2026).Done != 0 {
		t.Errorf("workload of the declined %s: %+v, %v", second, w, err)
	}

	// A second panel scores low: its case is rejected, with the verdict's reasons.
	pn2, c2 := f.seated(t, 3, review.Scoring{Method: review.Fuzzy})
	for k, e := range pn2.Experts() {
		if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(e), pn2.ID, sheet(40+float64(k))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.rv.Lock(f.ctx, f.staff, pn2.ID); err != nil {
		t.Fatal(err)
	}
	v2, err := f.rv.Decide(f.ctx, f.staff, pn2.ID, review.Decision{})
	if err != nil {
		t.Fatal(err)
	}
	got2, err := f.sys.GetCase(f.ctx, f.staff, c2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Passed || v2.Method != review.Fuzzy || len(v2.Membership) != 4 || got2.Stage != broker.StageRejected || got2.Screening.Ref != v2.ID || got2.Reason == "" {
		t.Errorf("low verdict %+v; case %s %+v", v2, got2.Stage, got2.Screening)
	}
	fig, err := f.rv.Figures(f.ctx, f.staff, review.FigureQuery{Broker: marine, Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if fig.Invitations != 7 || fig.Accepted != 6 || fig.Declined != 1 || fig.Reviews != 6 || fig.Due != 6 || fig.OnTimeRate != 1 ||
		len(fig.PerBroker) != 1 || fig.PerBroker[0].Reviews != 6 {
		t.Errorf("figures: %+v; want 7 invitations, 6 accepted, 1 declined, 6 reviews all on time", fig)
	}
	reviews := 0
	for _, c := range fig.PerExpert {
		reviews += c.Reviews
		if c.ID == second && (c.Declined != 1 || c.Invitations < 1) {
			t.Errorf("figures of the declined %s: %+v", second, c)
		}
	}
	if reviews != 6 {
		t.Errorf("reviews per expert add up to %d, want 6 (%+v)", reviews, fig.PerExpert)
	}
}

// testConcurrentSheets lets every panelist submit at once: every sheet is
// kept, every seat says so, every workload counts it.
func testConcurrentSheets(t *testing.T, s driver.Store) {
	f := newReviewFixture(t, s)
	pn, _ := f.seated(t, 5, review.Scoring{})
	var wg sync.WaitGroup
	start := make(chan struct{})
	for k, e := range pn.Experts() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(e), pn.ID, sheet(70+float64(k))); err != nil {
				t.Errorf("sheet of %s: %v", e, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	got, err := f.rv.Panels.Get(f.ctx, f.staff, pn.ID)
	if err != nil {
		t.Fatal(err)
	}
	sheets, err := f.rv.Sheets.Find(f.ctx, f.staff, broker.ListOptions{Key: review.SheetKey(pn.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 5 {
		t.Errorf("%d sheets stored, want 5", len(sheets))
	}
	for _, st := range got.Seats {
		if st.Status != review.SeatSubmitted || st.Sheet == "" {
			t.Errorf("seat after concurrent sheets: %+v", st)
		}
		w, err := f.rv.Workloads.Get(f.ctx, f.admin, st.Expert)
		if err != nil || w.In(2026).Done != 1 || w.Open != 0 {
			t.Errorf("workload of %s: %+v, %v", st.Expert, w, err)
		}
	}
}

// testLockRacesSheet lets the desk lock a panel while a panelist submits,
// many times over: either the sheet is in before the lock and the locked
// panel counts it, or it is refused with ErrLocked and not stored; no
// sheet is ever written after the lock.
func testLockRacesSheet(t *testing.T, s driver.Store) {
	f := newReviewFixture(t, s)
	var before, after int
	for round := range 8 {
		pn, _ := f.seated(t, 3, review.Scoring{MinSheets: 1})
		experts := pn.Experts()
		if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(experts[0]), pn.ID, sheet(75)); err != nil {
			t.Fatal(err)
		}
		var subErr, lockErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, subErr = f.rv.Submit(f.ctx, broker.ExpertUser(experts[1]), pn.ID, sheet(76))
		}()
		go func() {
			defer wg.Done()
			<-start
			// A growing head start for the sheet, so that both orders occur.
			time.Sleep(time.Duration(round%4) * 300 * time.Microsecond)
			_, lockErr = f.rv.Lock(f.ctx, f.staff, pn.ID)
		}()
		close(start)
		wg.Wait()
		if lockErr != nil {
			t.Fatalf("round %d: lock: %v", round, lockErr)
		}
		got, err := f.rv.Panels.Get(f.ctx, f.staff, pn.ID)
		if err != nil {
			t.Fatal(err)
		}
		sheets, err := f.rv.Sheets.Find(f.ctx, f.staff, broker.ListOptions{Key: review.SheetKey(pn.ID)})
		if err != nil {
			t.Fatal(err)
		}
		var submitted []string
		for _, st := range got.Seats {
			if st.Status == review.SeatSubmitted {
				submitted = append(submitted, st.Expert)
			}
		}
		switch {
		case subErr == nil:
			before++
			if len(sheets) != 2 || len(submitted) != 2 {
				t.Errorf("round %d: the sheet went in before the lock, but %d sheets are stored and %d seats submitted", round, len(sheets), len(submitted))
			}
		case errors.Is(subErr, review.ErrLocked):
			after++
			if len(sheets) != 1 || len(submitted) != 1 {
				t.Errorf("round %d: the sheet was refused after the lock, but %d sheets are stored and %d seats submitted", round, len(sheets), len(submitted))
			}
		default:
			t.Errorf("round %d: submit: %v", round, subErr)
		}
		for _, sh := range sheets {
			if sh.Submitted.After(got.LockedAt) || !slices.Equal(sh.Readers, submitted) {
				t.Errorf("round %d: sheet %s submitted %v after the lock %v, or readers %v != %v", round, sh.ID, sh.Submitted, got.LockedAt, sh.Readers, submitted)
			}
		}
		// Close the round's seats, so the experts' loads stay free.
		if _, err := f.rv.Decide(f.ctx, f.staff, pn.ID, review.Decision{Moderator: "staff-1", Note: "两份评分表"}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("sheet before the lock in %d rounds, refused after it in %d", before, after)
}

// testBadSheets: a sheet is refused with every bad field named, and the
// panel and the sheets are unchanged.
func testBadSheets(t *testing.T, s driver.Store) {
	f := newReviewFixture(t, s)
	pn, _ := f.seated(t, 3, review.Scoring{})
	e := pn.Experts()[0]
	bad := sheet(80)
	bad.Scores[evaluation.CritNovelty] = 130  // out of scale
	delete(bad.Scores, evaluation.CritMarket) // missing
	bad.Scores["charm"] = 90                  // not a criterion
	bad.Comments = map[string]string{"ip": strings.Repeat("很", 501)}
	_, err := f.rv.Submit(f.ctx, broker.ExpertUser(e), pn.ID, bad)
	want := []string{"comments.ip:max_len", "scores.charm:not_criterion", "scores.market:required", "scores.novelty:score_range"}
	if got := fieldCodes(err); !slices.Equal(got, want) {
		t.Errorf("bad sheet: got %v (%v), want %v", got, err, want)
	}
	var ve *broker.ValidationError
	if errors.As(err, &ve) {
		zh := ve.Localize(language.Chinese)
		if !strings.Contains(zh, "评分130超出评分范围0–100") || !strings.Contains(zh, "评分表") {
			t.Errorf("Chinese message: %s", zh)
		}
	}
	// Late, and by someone not on the panel: named with the sheet's faults.
	f.advance(15 * 24 * time.Hour)
	_, err = f.rv.Submit(f.ctx, f.staff, pn.ID, bad)
	want = []string{"comments.ip:max_len", "expert:not_on_panel", "scores.charm:not_criterion", "scores.market:required", "scores.novelty:score_range", "submitted:late"}
	if got := fieldCodes(err); !slices.Equal(got, want) {
		t.Errorf("late sheet by the desk: got %v, want %v", got, want)
	}
	if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(e), pn.ID, sheet(80)); !slices.Equal(fieldCodes(err), []string{"submitted:late"}) {
		t.Errorf("a good sheet after the deadline: got %v, want submitted:late", err)
	}
	// An expert who is not on the panel may not even see it.
	if _, err := f.rv.Submit(f.ctx, broker.ExpertUser("exp-wang"), pn.ID, sheet(80)); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("a stranger's sheet: %v, want ErrForbidden", err)
	}
	sheets, err := f.rv.Sheets.Find(f.ctx, f.admin, broker.ListOptions{})
	if err != nil || len(sheets) != 0 {
		t.Errorf("sheets stored after refusals: %d, %v", len(sheets), err)
	}
	// With the deadline moved, the good sheet goes in, once.
	if _, err := f.rv.Extend(f.ctx, f.staff, pn.ID, time.UnixMicro(f.now.Load()).Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(e), pn.ID, sheet(80)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(e), pn.ID, sheet(60)); !errors.Is(err, review.ErrSubmitted) {
		t.Errorf("a second sheet: %v, want ErrSubmitted", err)
	}
}

// testBlindReads checks what each principal reads before and after the
// lock, and after the verdict.
func testBlindReads(t *testing.T, s driver.Store) {
	f := newReviewFixture(t, s)
	pn, _ := f.seated(t, 3, review.Scoring{})
	ex := pn.Experts()
	a, b := broker.ExpertUser(ex[0]), broker.ExpertUser(ex[1])
	shA, err := f.rv.Submit(f.ctx, a, pn.ID, sheet(80))
	if err != nil {
		t.Fatal(err)
	}
	shB, err := f.rv.Submit(f.ctx, b, pn.ID, sheet(82))
	if err != nil {
		t.Fatal(err)
	}
	stranger := broker.ExpertUser("exp-wang") // never seated: a colleague of the owner
	type read struct {
		who  string
		p    broker.Principal
		want bool
	}
	check := func(stage, what string, get func(broker.Principal) error, reads []read) {
		t.Helper()
		for _, r := range reads {
			err := get(r.p)
			if got := err == nil; got != r.want {
				t.Errorf("%s: %s reads %s: got %v (%v), want %v", stage, r.who, what, got, err, r.want)
			}
		}
	}
	sheetOf := func(id string) func(broker.Principal) error {
		return func(p broker.Principal) error { _, err := f.rv.Sheets.Get(f.ctx, p, id); return err }
	}
	panel := func(p broker.Principal) error { _, err := f.rv.Panels.Get(f.ctx, p, pn.ID); return err }
	// Before the lock.
	check("before the lock", "A's sheet", sheetOf(shA.ID), []read{
		{"A", a, true}, {"B", b, false}, {"owner", f.owner, false}, {"desk", f.staff, true}, {"other desk", f.other, false},
		{"admin", f.admin, true}, {"anonymous", f.anon, false}, {"stranger expert", stranger, false}})
	subject := func(p broker.Principal) error { _, err := f.rv.Subject(f.ctx, p, pn.ID); return err }
	check("before the lock", "the confidential achievement under review", subject, []read{
		{"A", a, true}, {"desk", f.staff, true}, {"other desk", f.other, false}, {"stranger expert", stranger, false}})
	if _, err := f.sys.Achievements.Get(f.ctx, a, pn.Subject.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("A reads the confidential achievement outside the panel: %v, want ErrForbidden", err)
	}
	check("before the lock", "the panel", panel, []read{
		{"A", a, true}, {"owner", f.owner, false}, {"desk", f.staff, true}, {"other desk", f.other, false}, {"stranger expert", stranger, false}})
	if page, err := f.rv.Sheets.List(f.ctx, a, broker.ListOptions{}); err != nil || len(page.Items) != 1 || page.Items[0].ID != shA.ID {
		t.Errorf("before the lock A lists %d sheets (%v), want only their own", len(page.Items), err)
	}
	if _, err := f.rv.Submit(f.ctx, broker.ExpertUser(ex[2]), pn.ID, sheet(81)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rv.Lock(f.ctx, f.staff, pn.ID); err != nil {
		t.Fatal(err)
	}
	// After the lock: the panelists read each other's sheets; nobody else new.
	check("after the lock", "A's sheet", sheetOf(shA.ID), []read{
		{"A", a, true}, {"B", b, true}, {"owner", f.owner, false}, {"desk", f.staff, true}, {"other desk", f.other, false},
		{"anonymous", f.anon, false}, {"stranger expert", stranger, false}})
	check("after the lock", "B's sheet", sheetOf(shB.ID), []read{{"A", a, true}})
	if page, err := f.rv.Sheets.List(f.ctx, a, broker.ListOptions{}); err != nil || len(page.Items) != 3 {
		t.Errorf("after the lock A lists %d sheets (%v), want 3", len(page.Items), err)
	}
	v, err := f.rv.Decide(f.ctx, f.staff, pn.ID, review.Decision{})
	if err != nil {
		t.Fatal(err)
	}
	verdict := func(p broker.Principal) error { _, err := f.rv.Verdicts.Get(f.ctx, p, v.ID); return err }
	check("after the verdict", "the verdict", verdict, []read{
		{"owner", f.owner, true}, {"A", a, true}, {"desk", f.staff, true}, {"other desk", f.other, false},
		{"anonymous", f.anon, false}, {"stranger expert", stranger, false}, {"another institution", broker.InstitutionUser("u", "复旦大学"), false}})
	check("after the verdict", "A's sheet", sheetOf(shA.ID), []read{{"owner", f.owner, false}})
	if got, err := f.rv.Verdicts.Get(f.ctx, f.owner, v.ID); err == nil {
		for _, r := range got.Reasons {
			for _, e := range ex {
				if strings.Contains(r.Zh+r.En, e) {
					t.Errorf("a reason the owner reads names panelist %s: %v", e, r)
				}
			}
		}
	}
}

// testConflictAfterPlanning: a conflict that appears after the expert
// accepted blocks their sheet; one that appears before the invitations
// keeps the expert off the panel.
func testConflictAfterPlanning(t *testing.T, s driver.Store) {
	f := newReviewFixture(t, s)
	pn, _ := f.seated(t, 3, review.Scoring{})
	e := pn.Experts()[0]
	if _, err := f.sys.Experts.Modify(f.ctx, f.admin, e, func(x *broker.Expert) error { x.Institution = owner; return nil }); err != nil {
		t.Fatal(err)
	}
	_, err := f.rv.Submit(f.ctx, broker.ExpertUser(e), pn.ID, sheet(80))
	var ce *review.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, broker.ErrConflict) || len(ce.Conflicts) == 0 || ce.Conflicts[0].Rule != "same_institution" {
		t.Fatalf("sheet after a new conflict: %v, want a ConflictError (same_institution)", err)
	}
	if sheets, _ := f.rv.Sheets.Find(f.ctx, f.admin, broker.ListOptions{}); len(sheets) != 0 {
		t.Errorf("%d sheets stored after the refusal", len(sheets))
	}
	// The expert may not recuse themself; the desk recuses them and the
	// seat is re-solved.
	if _, err := f.rv.Recuse(f.ctx, broker.ExpertUser(e), pn.ID, e, "回避"); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("an expert recuses themself: %v, want ErrForbidden", err)
	}
	got, err := f.rv.Recuse(f.ctx, f.staff, pn.ID, e, "回避：现任职于成果完成单位")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(got.Experts(), e) || len(got.Experts()) != 3 || got.Declined[0].Rule != "recused" {
		t.Errorf("after the recusal: experts %v, declines %+v", got.Experts(), got.Declined)
	}
	if w, err := f.rv.Workloads.Get(f.ctx, f.admin, e); err != nil || w.Open != 0 || w.In(2026).Declined != 0 {
		t.Errorf("workload of the recused %s: %+v, %v; want nothing open and no decline counted", e, w, err)
	}

	// Before the invitations: Invite keeps the expert off and re-solves.
	pn2, _ := f.plan(t, 3, review.Scoring{})
	e2 := pn2.Experts()[1]
	if _, err := f.sys.Experts.Modify(f.ctx, f.admin, e2, func(x *broker.Expert) error {
		x.Conflicts = append(x.Conflicts, broker.Conflict{Party: owner, Reason: "兼职"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	inv, err := f.rv.Invite(f.ctx, f.staff, pn2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(inv.Experts(), e2) || len(inv.Experts()) != 3 || len(inv.Declined) != 1 || inv.Declined[0].Rule != "declared" {
		t.Errorf("invited panel: experts %v, declined %+v; want %s off with rule declared", inv.Experts(), inv.Declined, e2)
	}
	for i, st := range pn2.Seats {
		if st.Expert != e2 && inv.Seats[i].Expert != st.Expert {
			t.Errorf("seat %d: %s replaced by %s, though only %s has a conflict", i, st.Expert, inv.Seats[i].Expert, e2)
		}
	}
}

// benchReviewPlan measures planning and inviting 100 panels of 5 from
// 2,000 qualified experts: one Plan of 100 subjects, then 100 Invites
// (each re-checks its experts' conflicts). The System, its experts and
// subjects are made afresh, untimed, for every iteration.
func benchReviewPlan(b *testing.B, open func(*testing.B) driver.Store) {
	const experts, subjects, seats = 2000, 100, 5
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f, refs := reviewBenchSystem(b, open(b), experts, subjects)
		b.StartTimer()
		pns, err := f.rv.Plan(f.ctx, f.staff, review.PlanRequest{Broker: marine, Subjects: refs, Seats: seats, Society: society})
		if err != nil {
			b.Fatal(err)
		}
		for _, pn := range pns {
			if _, err := f.rv.Invite(f.ctx, f.staff, pn.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(subjects*b.N)/b.Elapsed().Seconds(), "panels/s")
}

// reviewBenchSystem is a System with one qualified society of n experts
// and m confidential achievements of 30 owners at marine-tech, each with
// an open case. Keywords come from a seeded generator; experts work at 100
// institutions, some of which own achievements (conflicts).
func reviewBenchSystem(b *testing.B, s driver.Store, n, m int) (*reviewFixture, []broker.RecordRef) {
	b.Helper()
	f := &reviewFixture{ctx: context.Background(), admin: broker.PlatformAdmin("admin"), staff: broker.BrokerStaff("staff-1", marine)}
	f.now.Store(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC).UnixMicro())
	f.sys = broker.New(s, &broker.Options{NewID: broker.SequentialIDs(), Clock: func() time.Time { return time.UnixMicro(f.now.Load()) }})
	f.rv = review.New(f.sys, nil)
	vocab := []string{"养殖", "水质", "渔业", "监测", "传感器", "海洋", "船舶", "生态", "材料", "网箱", "藻类", "声呐", "导航", "防腐",
		"涂层", "深海", "潜水器", "遥感", "港口", "海水淡化", "风电", "波浪能", "海底电缆", "无人艇", "水下机器人", "水声通信",
		"海洋药物", "海藻", "贝类", "冷链", "水产品加工", "饲料", "疫苗", "病害", "循环水", "增氧", "投喂", "渔具", "卫星", "气象"}
	r := rand.New(rand.NewPCG(26, 2026))
	pick := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = vocab[r.IntN(len(vocab))]
		}
		return out
	}
	err := f.sys.Update(f.ctx, func(tx *broker.Tx) error {
		if _, err := broker.Create(tx, f.admin, broker.IndustryBroker{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}); err != nil {
			return err
		}
		if _, err := broker.Create(tx, f.admin, broker.Society{Meta: broker.Meta{ID: society}, Name: "中国海洋学会"}); err != nil {
			return err
		}
		for i := range n {
			e := broker.Expert{Meta: broker.Meta{ID: fmt.Sprintf("exp-%05d", i)}, Name: fmt.Sprintf("专家%d", i),
				Institution: fmt.Sprintf("海洋研究院%03d", i%100), Keywords: pick(4), Societies: []string{society},
				Works: []broker.Work{{Title: strings.Join(pick(2), "与") + "研究", Coauthors: []string{fmt.Sprintf("完成人%d", i%300)}}}}
			if _, err := broker.Create(tx, f.admin, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.sys.GrantQualification(f.ctx, f.admin, broker.Qualification{Society: society, Ref: "科技评估资质"}); err != nil {
		b.Fatal(err)
	}
	refs := make([]broker.RecordRef, m)
	for j := range m {
		kw := pick(3)
		a, err := f.sys.Achievements.Create(f.ctx, f.admin, broker.Achievement{Meta: broker.Meta{Broker: marine, Visibility: broker.Confidential},
			Title: "一种" + strings.Join(kw, "") + "方法", Keywords: kw, Owner: fmt.Sprintf("海洋研究院%03d", j%30),
			Inventors: []broker.Inventor{{Name: fmt.Sprintf("完成人%d", j)}}})
		if err != nil {
			b.Fatal(err)
		}
		refs[j] = broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}
		if _, err := f.sys.OpenCase(f.ctx, f.staff, broker.NewCase{Subject: refs[j], Broker: marine}); err != nil {
			b.Fatal(err)
		}
	}
	return f, refs
}

// testConcurrentPlans lets several desks' staff plan at once: panels for
// one subject (one gets it, the others ErrExists), and panels for
// different subjects competing for experts who may sit on one panel at a
// time (no expert ends up on two; a plan nobody can staff says so).
func testConcurrentPlans(t *testing.T, s driver.Store) {
	f := newReviewFixtureOpts(t, s, &review.Options{MaxLoad: 1})
	ref, _ := f.subject(t)
	var ok, exists atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.rv.Plan(f.ctx, f.staff, review.PlanRequest{Broker: marine, Subjects: []broker.RecordRef{ref}, Seats: 2, Society: society})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, broker.ErrExists):
				exists.Add(1)
			default:
				t.Errorf("plan: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != 1 || exists.Load() != 3 {
		t.Errorf("4 plans of one subject: %d planned, %d refused as existing; want 1 and 3", ok.Load(), exists.Load())
	}
	// Seven experts may sit (one is the owner's colleague), two are
	// taken: five left, so two more panels of two, and no third.
	refs := make([]broker.RecordRef, 4)
	for i := range refs {
		refs[i], _ = f.subject(t)
	}
	var planned, none atomic.Int64
	start = make(chan struct{})
	for _, r := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.rv.Plan(f.ctx, f.staff, review.PlanRequest{Broker: marine, Subjects: []broker.RecordRef{r}, Seats: 2, Society: society})
			switch {
			case err == nil:
				planned.Add(1)
			case errors.Is(err, review.ErrNoPanelists):
				none.Add(1)
			default:
				t.Errorf("plan: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	pns, err := f.rv.Panels.Find(f.ctx, f.admin, broker.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seats := map[string]int{}
	for _, pn := range pns {
		for _, e := range pn.Experts() {
			seats[e]++
			if seats[e] > 1 {
				t.Errorf("%s sits on %d panels at once, above the load of 1", e, seats[e])
			}
		}
	}
	if planned.Load() != 2 || none.Load() != 2 || len(pns) != 3 {
		t.Errorf("4 concurrent plans for 5 free experts: %d planned, %d without panelists, %d panels stored; want 2, 2, 3", planned.Load(), none.Load(), len(pns))
	}
	for e, n := range seats {
		if w, err := f.rv.Workloads.Get(f.ctx, f.admin, e); err != nil || w.Open != n {
			t.Errorf("workload of %s: %+v, %v; want %d open", e, w, err, n)
		}
	}
}
