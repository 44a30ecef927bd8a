package activity_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
)

func TestSeatsLeft(t *testing.T) {
	for _, tc := range []struct{ capacity, taken, want int }{
		{3, 0, 3}, {3, 2, 1}, {3, 3, 0}, {3, 5, 0}, {1, 0, 1}, {0, 0, 0},
	} {
		if got := activity.SeatsLeft(tc.capacity, tc.taken); got != tc.want {
			t.Errorf("SeatsLeft(%d, %d) = %d, want %d", tc.capacity, tc.taken, got, tc.want)
		}
	}
}

func TestCheckCapacity(t *testing.T) {
	for _, tc := range []struct {
		capacity, taken int
		want            *broker.FieldError
	}{
		{3, 0, nil},
		{3, 3, nil},
		{10, 3, nil},
		{1, 3, &broker.FieldError{Field: "capacity", Code: "range_order", Param: "seats_taken 3", Value: "1"}},
		{2, 3, &broker.FieldError{Field: "capacity", Code: "range_order", Param: "seats_taken 3", Value: "2"}},
		{0, 1, &broker.FieldError{Field: "capacity", Code: "range_order", Param: "seats_taken 1", Value: "0"}},
	} {
		t.Run(fmt.Sprint(tc.capacity, "/", tc.taken), func(t *testing.T) {
			if d := cmp.Diff(tc.want, activity.CheckCapacity(tc.capacity, tc.taken)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	fe := activity.CheckCapacity(1, 3)
	if got, want := fe.Message(language.English), "capacity must not be below seats_taken 3 (got 1)"; got != want {
		t.Errorf("message: got %q, want %q", got, want)
	}
}

// fullActivity returns a platform with a roadshow of capacity 3 and its 3
// seats taken.
func fullActivity(t *testing.T) (*platform, activity.Activity) {
	t.Helper()
	p := newPlatform(t)
	a := p.activity(t, activity.Roadshow, "海洋技术成果路演", 3)
	for i := range 3 {
		if _, err := p.acts.Register(ctx, broker.EnterpriseUser(fmt.Sprint("u", i), fmt.Sprint("企业", i)), a.ID, activity.Registration{}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := p.acts.Activities.Get(ctx, p.staff, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.SeatsTaken != 3 || a.Capacity != 3 {
		t.Fatalf("seats: got %d of %d, want 3 of 3", a.SeatsTaken, a.Capacity)
	}
	return p, a
}

// TestCapacityBelowSeatsTaken is issue 21's defect 1: with 3 of 3 seats
// taken, no write of any kind may set the capacity to 1; each is refused
// naming the field, the capacity asked and the seats taken, and nothing
// changes.
func TestCapacityBelowSeatsTaken(t *testing.T) {
	want := []broker.FieldError{{Field: "capacity", Code: "range_order", Param: "seats_taken 3", Value: "1"}}
	for _, path := range []struct {
		name string
		do   func(p *platform, a activity.Activity) error
	}{
		{"Library.Update", func(p *platform, a activity.Activity) error {
			a.Capacity = 1
			_, err := p.acts.Activities.Update(ctx, p.staff, a)
			return err
		}},
		{"Library.Update by a platform admin", func(p *platform, a activity.Activity) error {
			a.Capacity = 1
			_, err := p.acts.Activities.Update(ctx, p.admin, a)
			return err
		}},
		{"Library.Modify", func(p *platform, a activity.Activity) error {
			_, err := p.acts.Activities.Modify(ctx, p.staff, a.ID, func(v *activity.Activity) error { v.Capacity = 1; return nil })
			return err
		}},
		{"Tx Replace", func(p *platform, a activity.Activity) error {
			return p.sys.Update(ctx, func(tx *broker.Tx) error {
				v, err := broker.Get[activity.Activity](tx, p.staff, a.ID)
				if err != nil {
					return err
				}
				v.Capacity = 1
				_, err = broker.Replace(tx, p.staff, v)
				return err
			})
		}},
		{"Tx Replace Via an operation", func(p *platform, a activity.Activity) error {
			return p.sys.Update(ctx, func(tx *broker.Tx) error {
				v, err := broker.Read[activity.Activity](tx, a.ID)
				if err != nil {
					return err
				}
				v.Capacity = 1
				_, err = broker.Replace(tx, p.admin, v, broker.Via(broker.ActOperate, broker.TargetOf(v)))
				return err
			})
		}},
	} {
		t.Run(path.name, func(t *testing.T) {
			p, a := fullActivity(t)
			err := path.do(p, a)
			if !errors.Is(err, broker.ErrInvalid) {
				t.Fatalf("capacity 1 with 3 seats taken: got %v, want ErrInvalid", err)
			}
			if d := cmp.Diff(want, fieldErrors(err)); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			if !strings.Contains(err.Error(), "capacity must not be below seats_taken 3 (got 1)") {
				t.Errorf("message: %q", err)
			}
			if taken, capacity, err := p.acts.Seats(ctx, p.staff, a.ID); err != nil || taken != 3 || capacity != 3 {
				t.Errorf("seats after the refusal: got %d of %d, %v; want 3 of 3", taken, capacity, err)
			}
		})
	}
}

// TestCapacityChanges checks the writes around the rule: clearing the
// count to make room is refused (it belongs to Register), the capacity may
// go down to the seats taken and up, and a new activity has no seat taken.
func TestCapacityChanges(t *testing.T) {
	p, a := fullActivity(t)
	v := a
	v.Capacity, v.SeatsTaken = 1, 0
	_, err := p.acts.Activities.Update(ctx, p.staff, v)
	if got := fieldCodes(err); !cmp.Equal(got, []string{"seats_taken:guarded"}) {
		t.Errorf("clearing seats taken: got %v (%v), want seats_taken:guarded", got, err)
	}
	for _, c := range []int{3, 10} {
		a, err = p.acts.Activities.Modify(ctx, p.staff, a.ID, func(v *activity.Activity) error { v.Capacity = c; return nil })
		if err != nil || a.Capacity != c || a.SeatsTaken != 3 {
			t.Errorf("capacity %d: got %d, %d seats taken, %v", c, a.Capacity, a.SeatsTaken, err)
		}
	}
	if _, err := p.acts.Register(ctx, p.ent, a.ID, activity.Registration{}); err != nil {
		t.Errorf("a fourth seat after raising the capacity: %v", err)
	}
	start := p.clock.now().Add(48 * time.Hour)
	_, err = p.acts.Activities.Create(ctx, p.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Seminar,
		Title: "研讨会", Start: start, End: start.Add(time.Hour), Capacity: 10, SeatsTaken: 4})
	if got := fieldCodes(err); !cmp.Equal(got, []string{"seats_taken:guarded"}) {
		t.Errorf("create with seats taken: got %v (%v), want seats_taken:guarded", got, err)
	}
}
