package broker

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

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
			m := Meeting{Meta: Meta{ID: fmt.Sprintf("m%03d", len(ms)), Created: start.Add(time.Duration(data[i+2]%4) * time.Minute)},
				Requester: fmt.Sprint("p", x), Invitee: fmt.Sprint("p", y), Status: []MeetingStatus{MeetingRequested, MeetingAccepted, MeetingAccepted, MeetingDeclined}[data[i+2]%4]}
			ms = append(ms, m)
		}
		// Pre-schedule a valid subset by running the scheduler on a prefix.
		half := len(ms) / 2
		scheduleMeetings(a, ms[:half])
		before := append([]Meeting(nil), ms...)
		placed := scheduleMeetings(a, ms)

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
		scheduleMeetings(a, rev)
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
