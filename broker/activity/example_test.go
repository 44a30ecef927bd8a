package activity_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/memstore"
)

// exampleSystem is a System with one industry broker, marine-tech, whose
// clock starts at 2026-03-02 09:00 UTC and moves a second each time it is
// read.
func exampleSystem() *broker.System {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var tick atomic.Int64
	clock := func() time.Time { return start.Add(time.Duration(tick.Add(1)) * time.Second) }
	sys := broker.New(memstore.New(), &broker.Options{Clock: clock, NewID: broker.SequentialIDs()})
	if _, err := sys.Brokers.Create(context.Background(), broker.PlatformAdmin("admin"),
		broker.IndustryBroker{Meta: broker.Meta{ID: "marine-tech"}, Name: "海洋技术"}); err != nil {
		panic(err)
	}
	return sys
}

// A roadshow holds as many participants as its capacity, and its capacity
// cannot drop below the seats taken.
func ExamplePlatform_Register() {
	ctx := context.Background()
	acts := activity.New(exampleSystem())
	staff := broker.BrokerStaff("li", "marine-tech")
	start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	show, _ := acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: "marine-tech"}, Kind: activity.Roadshow,
		Title: "海洋技术成果路演", Start: start, End: start.Add(2 * time.Hour), Capacity: 2})
	for _, name := range []string{"ann", "bo", "cai"} {
		_, err := acts.Register(ctx, broker.EnterpriseUser(name, name+" Co."), show.ID, activity.Registration{})
		fmt.Println(name, err == nil, errors.Is(err, activity.ErrFull))
	}
	_, err := acts.Activities.Modify(ctx, staff, show.ID, func(a *activity.Activity) error { a.Capacity = 1; return nil })
	fmt.Println(errors.Is(err, broker.ErrInvalid))
	taken, capacity, _ := acts.Seats(ctx, staff, show.ID)
	fmt.Println(taken, "of", capacity)
	// Output:
	// ann true false
	// bo true false
	// cai false true
	// true
	// 2 of 2
}

// Participants of a matchmaking meeting request 1:1 meetings; accepted ones
// are placed in slots so that nobody is double-booked.
func ExamplePlatform_ScheduleMeetings() {
	ctx := context.Background()
	acts := activity.New(exampleSystem())
	staff := broker.BrokerStaff("li", "marine-tech")
	start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	act, _ := acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: "marine-tech"}, Kind: activity.Matchmaking,
		Title: "海洋技术对接会", Start: start, End: start.Add(90 * time.Minute), Capacity: 50, SlotMinutes: 30})
	var ps []broker.Principal
	for _, name := range []string{"ann", "bo", "cai"} {
		p := broker.EnterpriseUser(name, name+" Co.")
		_, _ = acts.Register(ctx, p, act.ID, activity.Registration{})
		ps = append(ps, p)
	}
	for _, pair := range [][2]int{{0, 1}, {0, 2}, {1, 2}} {
		m, _ := acts.RequestMeeting(ctx, ps[pair[0]], act.ID, ps[pair[1]].ID, "")
		_, _ = acts.RespondMeeting(ctx, ps[pair[1]], m.ID, true)
	}
	sched, _ := acts.ScheduleMeetings(ctx, staff, act.ID)
	for _, m := range sched.Meetings {
		fmt.Println(m.Start.Format("15:04"), m.Requester, "meets", m.Invitee)
	}
	// Output:
	// 14:00 ann meets bo
	// 14:30 ann meets cai
	// 15:00 bo meets cai
}

// Attendance at a training activity goes on the technology managers'
// roster and into the broker's staff figures.
func ExamplePlatform_RecordTraining() {
	ctx := context.Background()
	sys := exampleSystem()
	acts := activity.New(sys)
	staff := broker.BrokerStaff("staff-1", "marine-tech")
	for _, st := range []broker.Staff{
		{Meta: broker.Meta{Broker: "marine-tech"}, Person: "p-wang", Name: "王经理", Grade: broker.GradeSenior},
		{Meta: broker.Meta{Broker: "marine-tech"}, Person: "p-li", Name: "李助理"},
	} {
		if _, err := sys.AddStaff(ctx, staff, st); err != nil {
			panic(err)
		}
	}
	start := time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
	tr, _ := acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: "marine-tech"}, Kind: activity.Training,
		Title: "技术经理人实务培训", Start: start, End: start.Add(4 * time.Hour), Capacity: 40})
	_, _ = acts.Register(ctx, staff, tr.ID, activity.Registration{Participant: "p-li"})
	if _, err := acts.RecordTraining(ctx, staff, tr.ID, []string{"p-li"}, decimal.NewFromInt(4)); err != nil {
		panic(err)
	}
	f, err := sys.StaffFigures(ctx, staff, "marine-tech", broker.ReportPeriod{})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Staff, f.ByGrade[broker.GradeSenior], f.Graded(), f.Trained, f.TrainedShare, f.TrainingHours)
	// Output:
	// 2 1 1 1 0.5 4
}
