package textindex_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/matching/textindex"
)

func filterIndex(t *testing.T, n int) *textindex.Index {
	t.Helper()
	ix, err := textindex.New(&textindex.Options{Fields: []textindex.FieldOptions{{Name: "title", Boost: 2}, {Name: "body"}}})
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"锂电池", "储能", "海洋", "传感器", "印刷", "包装", "机器人", "医学"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		var title, body []string
		for range 1 + rng.IntN(3) {
			title = append(title, words[rng.IntN(len(words))])
		}
		for range 2 + rng.IntN(6) {
			body = append(body, words[rng.IntN(len(words))])
		}
		if err := ix.Put(fmt.Sprintf("d%04d", i), strings.Join(title, " "), strings.Join(body, " ")); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

// TestFilterBeforeCut: with a filter, Search returns the best admitted
// documents — the same as the exhaustive list of admitted documents, cut
// to K — never fewer because rejected ones took the places.
func TestFilterBeforeCut(t *testing.T) {
	ix := filterIndex(t, 2000)
	odd := func(id string) bool { return id[len(id)-1]%2 == 1 }
	for _, text := range []string{"锂电池 储能", "海洋传感器", "医学机器人 包装"} {
		got, err := ix.Search(textindex.Query{Text: text, K: 25, Filter: odd})
		if err != nil {
			t.Fatal(err)
		}
		all, err := ix.Search(textindex.Query{Text: text, K: 2000, Exhaustive: true})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, h := range all {
			if odd(h.ID) && len(want) < 25 {
				want = append(want, h.ID)
			}
		}
		var ids []string
		for _, h := range got {
			ids = append(ids, h.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s: got %v, want %v", text, ids, want)
		}
	}
}

// TestEachAndPin: Each visits every admitted match with Search's scores;
// a pinned query keeps every score while other documents come and go.
func TestEachAndPin(t *testing.T) {
	ix := filterIndex(t, 500)
	q := textindex.Query{Text: "锂电池 海洋", K: 500, Exhaustive: true}
	top, err := ix.Search(q)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, h := range top {
		want[h.ID] = h.Score
	}
	got := map[string]float64{}
	if err := ix.Each(q, func(id string, s float64) { got[id] = s }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Each visited %d documents, Search found %d", len(got), len(want))
	}
	for id, s := range want {
		if d := got[id] - s; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: Each scored %v, Search %v", id, got[id], s)
		}
	}
	pin, err := ix.Pin(q)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 { // other documents change the statistics
		if err := ix.Put(fmt.Sprintf("x%03d", i), "锂电池", "锂电池 锂电池 海洋"); err != nil {
			t.Fatal(err)
		}
	}
	ix.Delete("d0001")
	pinned := map[string]float64{}
	if err := ix.Each(textindex.Query{Pinned: pin}, func(id string, s float64) { pinned[id] = s }); err != nil {
		t.Fatal(err)
	}
	for id, s := range want {
		if id == "d0001" {
			continue
		}
		if d := pinned[id] - s; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: pinned score %v, before the changes %v", id, pinned[id], s)
		}
	}
	if _, err := ix.Search(textindex.Query{Pinned: &textindex.Pinned{AvgLen: []float64{1}}}); err == nil {
		t.Error("pinned statistics of the wrong field count: want an error")
	}
}
