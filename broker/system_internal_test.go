package broker

import (
	"fmt"
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestTimeIDMatchesSprintf(t *testing.T) {
	check := func(prefix string, micros int64, n uint64) {
		t.Helper()
		if got, want := timeID(prefix, micros, n), fmt.Sprintf("%s-%014x-%06x", prefix, micros, n); got != want {
			t.Fatalf("timeID(%q, %d, %d) = %q, want %q", prefix, micros, n, got, want)
		}
	}
	for _, m := range []int64{0, 1, 15, 16, 1 << 40, 1798341234567890, math.MaxInt64, -1, math.MinInt64} {
		for _, n := range []uint64{0, 1, 0xffffff, 0x1000000} {
			check("ach", m, n)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		check(rapid.StringMatching(`[a-z]{0,4}`).Draw(rt, "prefix"), rapid.Int64().Draw(rt, "micros"), rapid.Uint64().Draw(rt, "n"))
	})
}
