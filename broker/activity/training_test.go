package activity_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
)

// TestRecordTraining is the training part of the roster's test: attendance
// at a training activity lands on the attendees' roster entries and in the
// staff figures.
func TestRecordTraining(t *testing.T) {
	p := newPlatform(t)
	t0 := p.clock.now()
	st, err := p.sys.AddStaff(ctx, p.staff, broker.Staff{Meta: broker.Meta{Broker: marine}, Person: "p-wang", Name: "王经理", Grade: broker.GradeIntermediate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.sys.AddStaff(ctx, p.staff, broker.Staff{Meta: broker.Meta{Broker: marine}, Person: "p-li", Name: "李助理"}); err != nil {
		t.Fatal(err)
	}
	tr, err := p.acts.Activities.Create(ctx, p.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Training,
		Title: "技术经理人培训", Start: t0.Add(48 * time.Hour), End: t0.Add(52 * time.Hour), Capacity: 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"p-wang", "p-guest"} {
		if _, err := p.acts.Register(ctx, p.staff, tr.ID, activity.Registration{Participant: who}); err != nil {
			t.Fatal(err)
		}
	}
	four := decimal.NewFromInt(4)
	if _, err := p.acts.RecordTraining(ctx, p.staffPeds, tr.ID, []string{"p-wang"}, four); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another broker's staff: got %v, want ErrForbidden", err)
	}
	res, err := p.acts.RecordTraining(ctx, p.staff, tr.ID, []string{"p-wang", "p-guest", "p-wang"}, four)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Recorded, []string{st.ID}) || !slices.Equal(res.NotStaff, []string{"p-guest"}) || len(res.Already) != 0 {
		t.Errorf("training result: got %+v", res)
	}
	if res, _ := p.acts.RecordTraining(ctx, p.staff, tr.ID, []string{"p-wang"}, four); !slices.Equal(res.Already, []string{st.ID}) || len(res.Recorded) != 0 {
		t.Errorf("recording twice: got %+v, want Already", res)
	}
	_, err = p.acts.RecordTraining(ctx, p.staff, tr.ID, []string{"p-li"}, four)
	if got := fieldCodes(err); !slices.Equal(got, []string{"attendees[0]:ref"}) {
		t.Errorf("unregistered attendee: got %v", got)
	}
	_, err = p.acts.RecordTraining(ctx, p.staff, tr.ID, nil, decimal.Zero)
	if got := fieldCodes(err); !slices.Equal(got, []string{"hours:min"}) {
		t.Errorf("no hours: got %v", got)
	}
	show := p.activity(t, activity.Roadshow, "路演", 30)
	_, err = p.acts.RecordTraining(ctx, p.staff, show.ID, nil, decimal.NewFromInt(2))
	if got := fieldCodes(err); !slices.Equal(got, []string{"activity.kind:oneof"}) {
		t.Errorf("not a training: got %v", got)
	}
	roster, err := p.sys.Roster(ctx, p.staff, marine)
	if err != nil || len(roster) != 2 {
		t.Fatalf("roster: %v, %d entries", err, len(roster))
	}
	want := broker.TrainingRecord{Activity: tr.ID, Title: "技术经理人培训", Date: tr.Start, Hours: four}
	if got := roster[0].Training; len(got) != 1 || got[0].Activity != want.Activity || got[0].Title != want.Title || !got[0].Date.Equal(want.Date) || !got[0].Hours.Equal(four) {
		t.Errorf("training record: got %+v, want %+v", got, want)
	}
	evs, err := p.sys.Events(ctx, p.staff, broker.KindStaff, st.ID)
	if err != nil || evs[len(evs)-1].Type != "training" || evs[len(evs)-1].Actor != p.staff.ID {
		t.Errorf("staff events: %v %+v", err, evs)
	}
	p.clock.set(t0.AddDate(0, 1, 0))
	f, err := p.sys.StaffFigures(ctx, p.staff, marine, broker.ReportPeriod{From: t0, To: t0.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if f.Staff != 2 || f.Trained != 1 || f.TrainedShare != 0.5 || !f.TrainingHours.Equal(four) {
		t.Errorf("figures: got staff %d, trained %d, share %v, hours %s; want 2, 1, 0.5, 4", f.Staff, f.Trained, f.TrainedShare, f.TrainingHours)
	}
}
