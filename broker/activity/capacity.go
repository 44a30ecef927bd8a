package activity

import (
	"strconv"

	"github.com/kexie/techbroker/broker"
)

// The capacity rule (容量, 座位): an activity never holds more registrations
// than its capacity. Register takes a seat only while one is left
// (SeatsLeft), and an activity's capacity may not be set below the seats
// already taken (CheckCapacity): lowering it under them is refused, never
// silently accepted, and no registration is ever dropped to make room.

// SeatsLeft returns the seats still free at an activity of that capacity
// with taken seats taken: capacity − taken, and 0 when none is left.
func SeatsLeft(capacity, taken int) int { return max(capacity-taken, 0) }

// CheckCapacity checks a capacity against the seats taken. It returns the
// bad field when the capacity is below them — field "capacity", code
// "range_order", the seats taken as the parameter ("seats_taken 3") and the
// capacity asked as the value ("1"), which reads "capacity must not be
// below seats_taken 3 (got 1)" — and nil otherwise.
func CheckCapacity(capacity, taken int) *broker.FieldError {
	if capacity >= taken {
		return nil
	}
	return &broker.FieldError{Field: "capacity", Code: "range_order",
		Param: "seats_taken " + strconv.Itoa(taken), Value: strconv.Itoa(capacity)}
}
