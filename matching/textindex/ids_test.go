package textindex

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestIDTableMatchesMap adds and removes ids at random and compares every
// lookup with a map.
func TestIDTableMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	tb := newIDTable()
	want := map[string]uint32{}
	for step := range 5000 {
		id := fmt.Sprint("d", r.IntN(800))
		if d, ok := want[id]; ok && r.IntN(2) == 0 {
			tb.remove(id, d)
			delete(want, id)
		} else if !ok {
			want[id] = tb.add(id)
		}
		if step%7 == 0 {
			tb.add("") // a deleted document
		}
		probe := fmt.Sprint("d", r.IntN(900))
		d, ok := tb.lookup(probe)
		wd, wok := want[probe]
		if ok != wok || d != wd {
			t.Fatalf("step %d: lookup(%q) got (%d, %v), want (%d, %v)", step, probe, d, ok, wd, wok)
		}
		if ok && tb.str(d) != probe {
			t.Fatalf("step %d: str(%d) got %q, want %q", step, d, tb.str(d), probe)
		}
	}
	if tb.live != len(want) {
		t.Fatalf("live got %d, want %d", tb.live, len(want))
	}
}
