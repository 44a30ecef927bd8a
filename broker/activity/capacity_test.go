package activity_test

import (
	"testing"

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
