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
		if i%3 != 0 && !ix.SetTag(fmt.Sprintf("d%04d", i), uint32(i)) { // every third keeps tag 0
			t.Fatal("SetTag found no document")
		}
	}
	return ix
}

// TestFilterBeforeCut: with a filter, Search returns the best admitted
// documents — the same as the exhaustive list of admitted documents, cut
// to K — never fewer because rejected ones took the places.
func TestFilterBeforeCut(t *testing.T) {
	ix := filterIndex(t, 2000)
	odd := func(tag uint32) bool { return tag%2 == 1 }
	oddID := func(id string) bool {
		var n uint32
		fmt.Sscanf(id, "d%d", &n)
		return n%3 != 0 && odd(n)
	}
	for i := range 200 { // deletions compact the index, which keeps the tags
		ix.Delete(fmt.Sprintf("d%04d", 1000+i*3))
	}
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
			if oddID(h.ID) && len(want) < 25 {
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
	for i := range 500 {
		ix.SetTag(fmt.Sprintf("d%04d", i), uint32(i+1))
	}
	id := func(tag uint32) string { return fmt.Sprintf("d%04d", tag-1) }
	if err := ix.Each(q, func(tag uint32, s float64) { got[id(tag)] = s }); err != nil {
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
	if err := ix.Each(textindex.Query{Pinned: pin}, func(tag uint32, s float64) {
		if tag != 0 { // the documents added after the pin have none
			pinned[id(tag)] = s
		}
	}); err != nil {
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

// TestExplainAll: ExplainAll equals Explain document by document.
func TestExplainAll(t *testing.T) {
	ix := filterIndex(t, 300)
	q := textindex.Query{Text: "海洋传感器 锂电池"}
	ids := []string{"d0007", "nope", "d0002", "d0150", "d0002"}
	all, err := ix.ExplainAll(q, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		one, err := ix.Explain(q, id)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(one) != fmt.Sprint(all[i]) {
			t.Errorf("%s: ExplainAll %v, Explain %v", id, all[i], one)
		}
	}
}
