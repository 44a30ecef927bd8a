package activity

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kexie/techbroker/broker"
)

func TestSlots(t *testing.T) {
	start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		end          time.Duration
		slotMinutes  int
		want         int
		wantLastFrom string
	}{
		{2 * time.Hour, 0, 4, "15:30"},
		{2 * time.Hour, 30, 4, "15:30"},
		{100 * time.Minute, 45, 2, "14:45"},
		{20 * time.Minute, 30, 0, ""},
		{0, 30, 0, ""},
		{-time.Hour, 30, 0, ""},
	} {
		a := Activity{Start: start, End: start.Add(tc.end), SlotMinutes: tc.slotMinutes}
		if got := a.Slots(); got != tc.want {
			t.Errorf("%v/%d: Slots() = %d, want %d", tc.end, tc.slotMinutes, got, tc.want)
		}
		if tc.want > 0 {
			if got := a.SlotStart(tc.want).Format("15:04"); got != tc.wantLastFrom {
				t.Errorf("%v/%d: last slot starts %s, want %s", tc.end, tc.slotMinutes, got, tc.wantLastFrom)
			}
		}
	}
}

func TestPlace(t *testing.T) {
	start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	a := Activity{Start: start, End: start.Add(90 * time.Minute), Tables: 1}
	m := func(id, x, y string, st MeetingStatus, minute int) Meeting {
		return Meeting{Meta: broker.Meta{ID: id, Created: start.Add(time.Duration(minute) * time.Minute)}, Requester: x, Invitee: y, Status: st}
	}
	ms := []Meeting{
		m("m4", "c", "d", MeetingAccepted, 4), // one table: waits for a free slot
		m("m1", "a", "b", MeetingAccepted, 1),
		m("m2", "a", "c", MeetingAccepted, 2),
		m("m3", "b", "c", MeetingRequested, 3), // not accepted: never placed
		m("m5", "a", "d", MeetingAccepted, 5),  // no slot left
	}
	placed := place(a, ms)
	got := map[string]int{}
	for _, x := range ms {
		got[x.ID] = x.Slot
	}
	if d := cmp.Diff(map[string]int{"m1": 1, "m2": 2, "m3": 0, "m4": 3, "m5": 0}, got); d != "" {
		t.Errorf("slots (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]bool{"m1": true, "m2": true, "m4": true}, placed); d != "" {
		t.Errorf("placed (-want +got):\n%s", d)
	}
	// A very long activity does not allocate per slot, and still ends.
	long := Activity{Start: start, End: start.Add(100 * 365 * 24 * time.Hour), SlotMinutes: 1}
	ms = []Meeting{m("x", "a", "b", MeetingAccepted, 0)}
	if place(long, ms); ms[0].Slot != 1 {
		t.Errorf("long activity: slot %d, want 1", ms[0].Slot)
	}
}

// FuzzScheduleMeetings checks the scheduler's invariants on arbitrary
// inputs: nobody is double-booked, no slot holds more than Tables meetings,
// meetings already scheduled keep their slots, only accepted meetings are
// placed, an unplaced accepted meeting really had no free slot, and the
// result does not depend on the input order.
func FuzzScheduleMeetings(f *testing.F) {
	f.Add([]byte{4, 2, 5, 0, 1, 1, 0, 2, 1, 1, 2, 1, 3, 4, 2})
	f.Add([]byte{1, 0, 3, 0, 1, 1, 1, 2, 1, 0, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
		slots, tables, people := int(data[0]%8)+1, int(data[1]%4), int(data[2]%6)+2
		a := Activity{Start: start, End: start.Add(time.Duration(slots) * 30 * time.Minute), Tables: tables}
		var ms []Meeting
		for i := 3; i+2 < len(data) && len(ms) < 40; i += 3 {
			x, y := int(data[i])%people, int(data[i+1])%people
			if x == y {
				continue
			}
			m := Meeting{Meta: broker.Meta{ID: fmt.Sprintf("m%03d", len(ms)), Created: start.Add(time.Duration(data[i+2]%4) * time.Minute)},
				Requester: fmt.Sprint("p", x), Invitee: fmt.Sprint("p", y), Status: []MeetingStatus{MeetingRequested, MeetingAccepted, MeetingAccepted, MeetingDeclined}[data[i+2]%4]}
			ms = append(ms, m)
		}
		// Pre-schedule a valid subset by running the scheduler on a prefix.
		half := len(ms) / 2
		place(a, ms[:half])
		before := append([]Meeting(nil), ms...)
		placed := place(a, ms)

		busy := map[string]bool{}
		perSlot := map[int]int{}
		for i, m := range ms {
			if before[i].Slot != 0 && (m.Slot != before[i].Slot || m.Table != before[i].Table) {
				t.Fatalf("meeting %s moved from slot %d to %d", m.ID, before[i].Slot, m.Slot)
			}
			if placed[m.ID] && (before[i].Slot != 0 || m.Status != MeetingAccepted) {
				t.Fatalf("placed %s (status %s, was in slot %d)", m.ID, m.Status, before[i].Slot)
			}
			if m.Slot == 0 {
				continue
			}
			if m.Slot > slots || !m.Start.Equal(a.SlotStart(m.Slot)) {
				t.Fatalf("meeting %s: slot %d start %v of %d slots", m.ID, m.Slot, m.Start, slots)
			}
			for _, who := range []string{m.Requester, m.Invitee} {
				k := fmt.Sprint(who, "@", m.Slot)
				if busy[k] {
					t.Fatalf("%s double-booked in slot %d", who, m.Slot)
				}
				busy[k] = true
			}
			perSlot[m.Slot]++
			if tables > 0 && perSlot[m.Slot] > tables {
				t.Fatalf("slot %d holds %d meetings, tables %d", m.Slot, perSlot[m.Slot], tables)
			}
		}
		for _, m := range ms {
			if m.Status != MeetingAccepted || m.Slot != 0 {
				continue
			}
			for s := 1; s <= slots; s++ {
				if !busy[fmt.Sprint(m.Requester, "@", s)] && !busy[fmt.Sprint(m.Invitee, "@", s)] && (tables == 0 || perSlot[s] < tables) {
					t.Fatalf("meeting %s left unplaced although slot %d was free", m.ID, s)
				}
			}
		}
		// Order independence: the same meetings reversed give the same slots.
		rev := make([]Meeting, len(before))
		for i, m := range before {
			rev[len(before)-1-i] = m
		}
		place(a, rev)
		got := map[string]int{}
		for _, m := range rev {
			got[m.ID] = m.Slot
		}
		want := map[string]int{}
		for _, m := range ms {
			want[m.ID] = m.Slot
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("order changed the schedule (-want +got):\n%s", d)
		}
	})
}
