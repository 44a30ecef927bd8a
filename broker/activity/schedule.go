package activity

import (
	"slices"
	"strings"
	"time"
)

// The slot rule (排期): an activity's time from Start to End is cut into
// slots of SlotMinutes (30 by default); a 1:1 meeting takes one slot at
// one of the activity's Tables (any number when Tables is 0). Nobody is in
// two meetings in one slot.

// Slots returns the number of whole meeting slots between Start and End
// (0 when End is not after Start).
func (a Activity) Slots() int {
	if !a.End.After(a.Start) {
		return 0
	}
	return int(a.End.Sub(a.Start) / a.slotLen())
}

// SlotStart returns the start of slot n (1-based).
func (a Activity) SlotStart(n int) time.Time { return a.Start.Add(time.Duration(n-1) * a.slotLen()) }

func (a Activity) slotLen() time.Duration {
	if a.SlotMinutes <= 0 {
		return 30 * time.Minute
	}
	return time.Duration(a.SlotMinutes) * time.Minute
}

// place assigns Slot, Table and Start to the accepted, unscheduled
// meetings of ms (in place) and returns the IDs it placed. It is
// deterministic and greedy: meetings in order of creation (then ID) each
// take the earliest slot in which neither participant already has a
// meeting and a table is free. Meetings scheduled before keep their slots.
// The result does not depend on the order of ms.
func place(a Activity, ms []Meeting) map[string]bool {
	n := a.Slots()
	type seat struct {
		who  string
		slot int
	}
	busy := map[seat]bool{}
	used := map[int]int{} // meetings per slot; a map, as an activity may have very many slots
	for _, m := range ms {
		if m.Slot > 0 && m.Slot <= n {
			busy[seat{m.Requester, m.Slot}] = true
			busy[seat{m.Invitee, m.Slot}] = true
			used[m.Slot]++
		}
	}
	order := make([]int, 0, len(ms))
	for i, m := range ms {
		if m.Status == MeetingAccepted && m.Slot == 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(x, y int) int {
		if c := ms[x].Created.Compare(ms[y].Created); c != 0 {
			return c
		}
		return strings.Compare(ms[x].ID, ms[y].ID)
	})
	placed := map[string]bool{}
	for _, i := range order {
		m := &ms[i]
		// The loop ends at the first free slot: at most one slot per
		// meeting already placed is busy for this pair or full.
		for slot := 1; slot <= n; slot++ {
			if busy[seat{m.Requester, slot}] || busy[seat{m.Invitee, slot}] || (a.Tables > 0 && used[slot] >= a.Tables) {
				continue
			}
			used[slot]++
			m.Slot, m.Table, m.Start = slot, used[slot], a.SlotStart(slot)
			busy[seat{m.Requester, slot}] = true
			busy[seat{m.Invitee, slot}] = true
			placed[m.ID] = true
			break
		}
	}
	return placed
}
