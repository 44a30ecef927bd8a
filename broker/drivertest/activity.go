package drivertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/driver"
)

// testActivity runs the activity platform's store-dependent behaviour:
// concurrent registrations never over-book, registrations racing capacity
// changes never leave the capacity below the seats taken, and concurrent
// roster changes with trainings lose nothing.
func testActivity(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("ConcurrentRegistrations", func(t *testing.T) { testConcurrentRegistrations(t, open(t)) })
	t.Run("RegistrationsRaceCapacity", func(t *testing.T) { testRegistrationsRaceCapacity(t, open(t)) })
	t.Run("ConcurrentRosterWithTrainings", func(t *testing.T) { testConcurrentRosterTrainings(t, open(t)) })
	t.Run("ConcurrentMeetingRequests", func(t *testing.T) { testConcurrentMeetingRequests(t, open(t)) })
}

func testConcurrentRegistrations(t *testing.T, s driver.Store) {
	f := newPlatformFixture(t, s)
	acts := activity.New(f.sys)
	ctx := context.Background()
	const capacity, people = 7, 32
	a, err := acts.Activities.Create(ctx, f.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Roadshow,
		Title: "海洋技术成果路演", Start: t0, End: t0.Add(3 * time.Hour), Capacity: capacity})
	if err != nil {
		t.Fatal(err)
	}
	var ok, full atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			p := broker.EnterpriseUser(fmt.Sprintf("user-%02d", i), fmt.Sprintf("企业%02d", i))
			_, err := acts.Register(ctx, p, a.ID, activity.Registration{Role: "seek"})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, activity.ErrFull):
				full.Add(1)
			default:
				t.Errorf("register %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	taken, capGot, err := acts.Seats(ctx, f.staff, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := acts.Conversion(ctx, f.staff, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok.Load() != capacity || full.Load() != people-capacity || taken != capacity || capGot != capacity || cv.Registrations != capacity {
		t.Errorf("got %d registered, %d full, %d seats taken of %d, %d registrations stored; want %d, %d, %d of %d, %d",
			ok.Load(), full.Load(), taken, capGot, cv.Registrations, capacity, people-capacity, capacity, capacity, capacity)
	}
}

// testRegistrationsRaceCapacity lets registrations race organizers
// lowering the capacity: whatever the interleaving, the capacity never ends
// below the seats taken, every seat taken is a stored registration, and
// each call either succeeds or is refused for its own reason (full, or
// below the seats taken).
func testRegistrationsRaceCapacity(t *testing.T, s driver.Store) {
	f := newPlatformFixture(t, s)
	acts := activity.New(f.sys)
	ctx := context.Background()
	a, err := acts.Activities.Create(ctx, f.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Seminar,
		Title: "海洋装备研讨会", Start: t0, End: t0.Add(3 * time.Hour), Capacity: 4})
	if err != nil {
		t.Fatal(err)
	}
	const people = 6
	var registered atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			p := broker.EnterpriseUser(fmt.Sprintf("user-%02d", i), fmt.Sprintf("企业%02d", i))
			switch _, err := acts.Register(ctx, p, a.ID, activity.Registration{}); {
			case err == nil:
				registered.Add(1)
			case !errors.Is(err, activity.ErrFull):
				t.Errorf("register %d: %v", i, err)
			}
		}()
	}
	for _, c := range []int{2, 3} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := acts.Activities.Modify(ctx, f.staff, a.ID, func(v *activity.Activity) error { v.Capacity = c; return nil })
			if err != nil && !errors.Is(err, broker.ErrInvalid) {
				t.Errorf("capacity %d: %v", c, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	got, err := acts.Activities.Get(ctx, f.staff, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	regs, err := acts.Registrations.Find(ctx, f.admin, broker.ListOptions{Key: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Capacity < got.SeatsTaken || int64(got.SeatsTaken) != registered.Load() || len(regs) != got.SeatsTaken {
		t.Errorf("capacity %d, %d seats taken, %d registered, %d registrations stored; want capacity ≥ seats taken = registered = stored",
			got.Capacity, got.SeatsTaken, registered.Load(), len(regs))
	}
}

// testConcurrentRosterTrainings is the roster test with trainings: case
// assignments and training records written concurrently onto one roster
// entry all land.
func testConcurrentRosterTrainings(t *testing.T, s driver.Store) {
	f := newEveryone(t, s)
	acts := activity.New(f.sys)
	st, err := f.sys.AddStaff(f.ctx, f.staff, broker.Staff{Meta: broker.Meta{Broker: marine}, Person: "p-1", Name: "王经理", Grade: broker.GradeJunior})
	f.must(t, err)
	const workers, each = 4, 4
	cases := make([]string, workers*each)
	for i := range cases {
		a, err := f.sys.Achievements.Create(f.ctx, f.admin, broker.Achievement{Title: fmt.Sprintf("成果%02d", i)})
		f.must(t, err)
		c, err := f.sys.OpenCase(f.ctx, f.staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
		f.must(t, err)
		cases[i] = c.ID
	}
	trainings := make([]string, workers)
	for i := range trainings {
		a, err := acts.Activities.Create(f.ctx, f.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Training,
			Title: fmt.Sprintf("培训%d", i), Start: t0.AddDate(0, 0, i+1), End: t0.AddDate(0, 0, i+1).Add(2 * time.Hour), Capacity: 10})
		f.must(t, err)
		_, err = acts.Register(f.ctx, f.staff, a.ID, activity.Registration{Participant: "p-1"})
		f.must(t, err)
		trainings[i] = a.ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*(each+1))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := f.sys.AssignCase(f.ctx, f.staff, st.ID, cases[w*each+i]); err != nil {
					errs <- err
				}
			}
			if _, err := acts.RecordTraining(f.ctx, f.staff, trainings[w], []string{"p-1"}, decimal.NewFromInt(2)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent roster change: %v", err)
	}
	roster, err := f.sys.Roster(f.ctx, f.staff, marine)
	f.must(t, err)
	if len(roster) != 1 || len(roster[0].Cases) != workers*each || len(roster[0].Training) != workers {
		t.Fatalf("after concurrent changes: %d entries; want 1 with %d cases and %d trainings (got %+v)", len(roster), workers*each, workers, roster)
	}
	fig, err := f.sys.StaffFigures(f.ctx, f.staff, marine, broker.ReportPeriod{})
	f.must(t, err)
	if fig.MaxCaseload != workers*each || !fig.TrainingHours.Equal(decimal.NewFromInt(2*workers)) {
		t.Errorf("figures: got caseload %d, hours %s; want %d and %d", fig.MaxCaseload, fig.TrainingHours, workers*each, 2*workers)
	}
}

// testConcurrentMeetingRequests lets the two participants of a pair
// request a meeting with each other at once, many times over: exactly one
// request stands, the others get ErrExists.
func testConcurrentMeetingRequests(t *testing.T, s driver.Store) {
	f := newPlatformFixture(t, s)
	acts := activity.New(f.sys)
	ctx := context.Background()
	a, err := acts.Activities.Create(ctx, f.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Matchmaking,
		Title: "海洋技术对接会", Start: t0, End: t0.Add(3 * time.Hour), Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	ann, bo := broker.EnterpriseUser("ann", "甲公司"), broker.EnterpriseUser("bo", "乙公司")
	for _, p := range []broker.Principal{ann, bo} {
		if _, err := acts.Register(ctx, p, a.ID, activity.Registration{}); err != nil {
			t.Fatal(err)
		}
	}
	const each = 4
	var ok, exists atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 2 * each {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			from, to := ann, bo
			if i%2 == 1 {
				from, to = bo, ann
			}
			switch _, err := acts.RequestMeeting(ctx, from, a.ID, to.ID, ""); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, broker.ErrExists):
				exists.Add(1)
			default:
				t.Errorf("request %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	ms, err := acts.Meetings.Find(ctx, f.admin, broker.ListOptions{Key: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ok.Load() != 1 || exists.Load() != 2*each-1 || len(ms) != 1 {
		t.Errorf("got %d requests standing, %d ErrExists, %d meetings stored; want 1, %d, 1", ok.Load(), exists.Load(), len(ms), 2*each-1)
	}
}
