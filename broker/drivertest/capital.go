package drivertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/exchange"
)

// testCapital runs the capital service's store-dependent behaviour: an
// incubation's start and close move the case in the same transaction (and
// a refused start writes nothing, though the case's move came first), the
// incubation of an exchange deal dates from the deal, concurrent starts on
// one case open one incubation, and concurrent milestones lose nothing.
// (The merge of the capital records' organization references is part of
// the Everyone group's merge test.)
func testCapital(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("IncubationAtomic", func(t *testing.T) { testIncubationAtomic(t, open(t)) })
	t.Run("IncubationOfExchangeDeal", func(t *testing.T) { testIncubationOfDeal(t, open(t)) })
	t.Run("ConcurrentIncubationStarts", func(t *testing.T) { testConcurrentIncubationStarts(t, open(t)) })
	t.Run("ConcurrentMilestones", func(t *testing.T) { testConcurrentMilestones(t, open(t)) })
}

// newCapital is the capital service over the fixture's System.
func newCapital(sys *broker.System) *capital.Service {
	return capital.New(sys, exchange.New(sys), activity.New(sys))
}

func testIncubationAtomic(t *testing.T, s driver.Store) {
	f := newEveryone(t, s)
	cp := newCapital(f.sys)
	inc := f.org(t, "杨浦科创中心", "", broker.OrgIncubator)
	c := f.tradedCase(t, "膜材料", "")
	// Refused before any write: an unknown incubator, a plan naming a
	// milestone twice.
	_, err := cp.StartIncubation(f.ctx, f.staff, capital.NewIncubation{Case: c.ID, Incubator: "org-missing"})
	if !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("unknown incubator: got %v, want ErrInvalid", err)
	}
	_, err = cp.StartIncubation(f.ctx, f.staff, capital.NewIncubation{Case: c.ID, Incubator: inc.ID,
		Milestones: []capital.Milestone{{Name: "样机", Due: t0.AddDate(0, 2, 0)}, {Name: "样机", Due: t0.AddDate(0, 3, 0)}}})
	if !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("a milestone named twice: got %v, want ErrInvalid", err)
	}
	// Refused by the case's move (its reason is too long) after the
	// incubation was written in the same transaction: the incubation must
	// not survive.
	_, err = cp.StartIncubation(f.ctx, f.staff, capital.NewIncubation{Case: c.ID, Incubator: inc.ID, Reason: strings.Repeat("长", 2001)})
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "reason" || ve.Kind != broker.KindCase {
		t.Fatalf("a move reason of 2001 characters: got %v, want ErrInvalid on the case's reason", err)
	}
	got, err := f.sys.GetCase(f.ctx, f.admin, c.ID)
	f.must(t, err)
	if got.Stage != broker.StageTraded || got.Version != c.Version {
		t.Fatalf("case after refused starts: got %s v%d, want traded v%d", got.Stage, got.Version, c.Version)
	}
	if page, _ := cp.Incubations.List(f.ctx, f.admin, broker.ListOptions{}); len(page.Items) != 0 {
		t.Fatalf("incubations after refused starts: got %d, want 0", len(page.Items))
	}
	hist, err := f.sys.CaseHistory(f.ctx, f.admin, c.ID)
	f.must(t, err)
	n, err := cp.StartIncubation(f.ctx, f.staff, capital.NewIncubation{Case: c.ID, Incubator: inc.ID,
		Milestones: []capital.Milestone{{Name: "样机", Due: t0.AddDate(0, 2, 0)}}})
	f.must(t, err)
	hist2, _ := f.sys.CaseHistory(f.ctx, f.admin, c.ID)
	if len(hist2) != len(hist)+1 || hist2[len(hist2)-1].Stage.To != broker.StageIncubating ||
		!slices.Contains(hist2[len(hist2)-1].Stage.Evidence, "incubation:"+n.ID) {
		t.Errorf("case history after start: got %d events, want %d with incubating last, naming the incubation", len(hist2), len(hist)+1)
	}
	// A close refused by its outcome's rule (a failure needs a reason)
	// leaves both records as they were.
	if _, err := cp.CloseIncubation(f.ctx, f.staff, n.ID, capital.IncubationFailed, ""); !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("fail without a reason: got %v, want ErrInvalid", err)
	}
	if got, _ := f.sys.GetCase(f.ctx, f.admin, c.ID); got.Stage != broker.StageIncubating {
		t.Fatalf("case after a refused close: %s", got.Stage)
	}
	n, err = cp.CloseIncubation(f.ctx, f.staff, n.ID, capital.IncubationFailed, "资金链断裂")
	f.must(t, err)
	got, _ = f.sys.GetCase(f.ctx, f.admin, c.ID)
	stored, _ := cp.Incubations.Get(f.ctx, f.admin, n.ID)
	if got.Stage != broker.StageClosed || n.Status != capital.IncubationFailed || stored.Status != capital.IncubationFailed || stored.Version != n.Version {
		t.Errorf("after close: case %s, incubation %s (stored %s v%d)", got.Stage, n.Status, stored.Status, stored.Version)
	}
	if od, err := cp.OverdueMilestones(f.ctx, f.admin, "", t0.AddDate(1, 0, 0)); err != nil || len(od) != 0 {
		t.Errorf("overdue of an ended incubation: got %v, %v", od, err)
	}
}

// testIncubationOfDeal: an achievement listed on the exchange is on offer
// to investors, and the incubation of its case after the deal dates from
// the deal's signing and names the deal (exchange.DealDate).
func testIncubationOfDeal(t *testing.T, s driver.Store) {
	f := newExFixture(t, s)
	cp := newCapital(f.sys)
	ctx := context.Background()
	a, err := f.sys.Achievements.Create(ctx, f.staff, broker.Achievement{Title: "水质监测", Keywords: []string{"海洋", "监测"}, Owner: owner, Meta: broker.Meta{Broker: marine}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.sys.OpenCase(ctx, f.staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	for _, mv := range []broker.CaseMove{{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel-1"}}, {To: broker.StagePromoting}} {
		mv.Version = c.Version
		if c, err = f.sys.MoveCase(ctx, f.staff, c.ID, mv); err != nil {
			t.Fatal(err)
		}
	}
	l := f.draft(exchange.MethodFixed, c.ID)
	l.Achievement = a.ID
	l = f.publish(t, l, 0)
	offers, err := cp.Offers(ctx, f.staff)
	if err != nil || len(offers) != 1 || offers[0].Achievement != a.ID || !offers[0].Listed {
		t.Errorf("offers with an open listing: got %+v, %v", offers, err)
	}
	if _, err := cp.Investors.Create(ctx, f.admin, capital.Investor{Name: "蓝海创投", Keywords: []string{"海洋", "监测"}}); err != nil {
		t.Fatal(err)
	}
	if ms, err := cp.MatchInvestors(ctx, f.staff, a.ID, nil); err != nil || len(ms) != 1 {
		t.Errorf("investors for the listed achievement: got %+v, %v", ms, err)
	}
	signed := f.clock().Add(24 * time.Hour)
	f.add(3 * 24 * time.Hour)
	dl, err := f.x.CloseDeal(ctx, f.staff, exchange.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: l.Terms.Price, Signed: signed})
	if err != nil {
		t.Fatal(err)
	}
	park, err := f.sys.Organizations.Create(ctx, f.admin, broker.Organization{Name: "杨浦科技园", Roles: []broker.OrgRole{broker.OrgSciencePark}})
	if err != nil {
		t.Fatal(err)
	}
	f.add(30 * 24 * time.Hour)
	n, err := cp.StartIncubation(ctx, f.staff, capital.NewIncubation{Case: c.ID, Incubator: park.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !n.DealDate.Equal(dl.Signed) || n.DealRef != dl.ID {
		t.Errorf("incubation deal: got %v %q, want the deal's signing date %v and %q", n.DealDate, n.DealRef, dl.Signed, dl.ID)
	}
	// A milestone between the signing and the closing of the deal is after
	// the deal.
	if _, err := cp.SetMilestone(ctx, f.staff, n.ID, capital.Milestone{Name: "交割", Due: signed.Add(time.Hour)}); err != nil {
		t.Errorf("milestone after the signing: %v", err)
	}
	if _, err := cp.SetMilestone(ctx, f.staff, n.ID, capital.Milestone{Name: "签约前", Due: signed.Add(-time.Hour)}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("milestone before the signing: got %v, want ErrInvalid", err)
	}
}

// testConcurrentIncubationStarts: workers start the incubation of one
// traded case at once; exactly one succeeds, the others are refused by the
// case's stage (ErrConflict), and one incubation and one move exist.
func testConcurrentIncubationStarts(t *testing.T, s driver.Store) {
	const workers = 8
	f := newEveryone(t, s)
	cp := newCapital(f.sys)
	inc := f.org(t, "杨浦科创中心", "", broker.OrgIncubator)
	c := f.tradedCase(t, "膜材料", "")
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = cp.StartIncubation(f.ctx, f.staff, capital.NewIncubation{Case: c.ID, Incubator: inc.ID, Reason: fmt.Sprint("worker ", i)})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, broker.ErrConflict), errors.Is(err, broker.ErrStale):
			// refused by the case's stage, or out of retries: nothing written
		default:
			t.Errorf("worker %d: %v", i, err)
		}
	}
	all, err := cp.Incubations.Find(f.ctx, f.admin, broker.ListOptions{})
	f.must(t, err)
	hist, err := f.sys.CaseHistory(f.ctx, f.admin, c.ID)
	f.must(t, err)
	moves := 0
	for _, e := range hist {
		if e.Stage != nil && e.Stage.To == broker.StageIncubating {
			moves++
		}
	}
	if ok != 1 || len(all) != 1 || moves != 1 {
		t.Fatalf("concurrent starts: %d succeeded, %d incubations, %d moves to incubating; want 1 of each", ok, len(all), moves)
	}
}

// testConcurrentMilestones: workers each set their own milestones on one
// incubation at once; none is lost. A caller may try again on ErrStale,
// which System.Update returns after its bounded retries.
func testConcurrentMilestones(t *testing.T, s driver.Store) {
	const workers, each = 4, 4
	f := newEveryone(t, s)
	cp := newCapital(f.sys)
	inc := f.org(t, "杨浦科创中心", "", broker.OrgIncubator)
	c := f.tradedCase(t, "膜材料", "")
	n, err := cp.StartIncubation(f.ctx, f.staff, capital.NewIncubation{Case: c.ID, Incubator: inc.ID})
	f.must(t, err)
	// retry calls fn again while it returns ErrStale, as a caller may.
	retry := func(fn func() error) error {
		for attempt := 0; ; attempt++ {
			if err := fn(); !errors.Is(err, broker.ErrStale) || attempt == 50 {
				return err
			}
		}
	}
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m := capital.Milestone{Name: fmt.Sprintf("里程碑%d-%d", w, i), Due: n.DealDate.AddDate(0, w+1, i)}
				err := retry(func() error { _, err := cp.SetMilestone(f.ctx, f.staff, n.ID, m); return err })
				if err == nil {
					err = retry(func() error {
						_, err := cp.AddFundingRound(f.ctx, f.staff, n.ID, capital.FundingRound{Amount: decimal.NewFromInt(int64(w*each + i + 1))})
						return err
					})
				}
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	got, err := cp.Incubations.Get(f.ctx, f.admin, n.ID)
	f.must(t, err)
	// 1 + 2 + … + workers×each yuan in workers×each rounds.
	total := decimal.NewFromInt(int64(workers * each * (workers*each + 1) / 2))
	if len(got.Milestones) != workers*each || len(got.Funding) != workers*each || !got.Raised().Equal(total) {
		t.Fatalf("after concurrent changes: %d milestones, %d rounds raising %s; want %d, %d and %s",
			len(got.Milestones), len(got.Funding), got.Raised(), workers*each, workers*each, total)
	}
	evs, err := f.sys.Events(f.ctx, f.admin, capital.KindIncubation, n.ID)
	f.must(t, err)
	count := map[string]int{}
	for _, e := range evs {
		count[e.Type]++
	}
	if count[capital.EventMilestone] != workers*each || count[capital.EventFunding] != workers*each {
		t.Errorf("events: got %v, want %d milestone and %d funding events", count, workers*each, workers*each)
	}
}
