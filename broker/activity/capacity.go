package activity

// The capacity rule (容量, 座位): an activity never holds more registrations
// than its capacity. Register takes a seat only while one is left
// (SeatsLeft).

// SeatsLeft returns the seats still free at an activity of that capacity
// with taken seats taken: capacity − taken, and 0 when none is left.
func SeatsLeft(capacity, taken int) int { return max(capacity-taken, 0) }
