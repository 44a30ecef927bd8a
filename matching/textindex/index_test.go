package textindex

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/kexie/techbroker/matching/analysis"
)

// vocab is a small Zipf-like vocabulary of Chinese words and Latin terms.
var vocab = []string{
	"电池", "锂离子", "储能", "材料", "催化剂", "算法", "神经网络", "图像", "识别", "传感器",
	"5G", "PM2.5", "Li-ion", "控制", "系统", "模型", "优化", "检测", "医学", "儿科",
	"海洋", "养殖", "印刷", "包装", "环境", "净化", "机械", "制造", "数字化", "设计",
	"基因", "蛋白", "土壤", "作物", "病害", "疫苗", "芯片", "光伏", "氢能", "涂层",
}

func randText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		// Zipf-ish: favour the head of the vocabulary.
		i := int(float64(len(vocab)) * math.Pow(r.Float64(), 2))
		b.WriteString(vocab[i])
		if r.IntN(3) == 0 {
			b.WriteString("，")
		}
	}
	return b.String()
}

func newTestIndex(tb testing.TB) *Index {
	tb.Helper()
	ix, err := New(&Options{Fields: []FieldOptions{{Name: "title", Boost: 2}, {Name: "abstract"}}})
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func fill(tb testing.TB, ix *Index, r *rand.Rand, n int) {
	tb.Helper()
	for i := range n {
		if err := ix.Put(fmt.Sprintf("d%d", i), randText(r, 1+r.IntN(4)), randText(r, 5+r.IntN(40))); err != nil {
			tb.Fatal(err)
		}
	}
}

func sameHits(tb testing.TB, label string, got, want []Hit) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: got %d hits, want %d", label, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i].Score-want[i].Score) > 1e-9*math.Max(1, math.Abs(want[i].Score)) {
			tb.Fatalf("%s: hit %d score got %v, want %v", label, i, got[i].Score, want[i].Score)
		}
		if got[i].ID != want[i].ID {
			// Allowed only for ties within rounding.
			if i+1 < len(want) && math.Abs(want[i].Score-want[i+1].Score) < 1e-9 {
				continue
			}
			if i > 0 && math.Abs(want[i].Score-want[i-1].Score) < 1e-9 {
				continue
			}
			tb.Fatalf("%s: hit %d got %s, want %s", label, i, got[i].ID, want[i].ID)
		}
	}
}

func TestPrunedEqualsExhaustive(t *testing.T) {
	for seed := range uint64(3) {
		r := rand.New(rand.NewPCG(seed, 42))
		ix := newTestIndex(t)
		fill(t, ix, r, 200+r.IntN(1500))
		for qi := range 30 {
			text := randText(r, 1+r.IntN(8))
			k := 1 + r.IntN(20)
			pruned, err := ix.Search(Query{Text: text, K: k})
			if err != nil {
				t.Fatal(err)
			}
			full, err := ix.Search(Query{Text: text, K: k, Exhaustive: true})
			if err != nil {
				t.Fatal(err)
			}
			sameHits(t, fmt.Sprintf("seed %d query %d %q k=%d", seed, qi, text, k), pruned, full)
		}
	}
}

func TestPruningSkipsPostings(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	ix := newTestIndex(t)
	fill(t, ix, r, 12000)
	var pruned, full Stats
	// A frequent term together with a rare one: the frequent term becomes
	// non-essential once k good hits are known.
	q := Query{Text: "电池 涂层", K: 5, Stats: &pruned}
	if _, err := ix.Search(q); err != nil {
		t.Fatal(err)
	}
	q.Exhaustive, q.Stats = true, &full
	if _, err := ix.Search(q); err != nil {
		t.Fatal(err)
	}
	if full.Decoded != full.Postings {
		t.Errorf("exhaustive decoded %d postings, want all %d", full.Decoded, full.Postings)
	}
	if pruned.Decoded*4 > full.Postings*3 {
		t.Errorf("pruned search decoded %d of %d postings, want less than three quarters", pruned.Decoded, full.Postings)
	}
	t.Logf("pruned search decoded %d of %d postings", pruned.Decoded, full.Postings)
}

func TestBM25Formula(t *testing.T) {
	ix, err := New(&Options{K1: 1.5, B: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{"cat cat dog", "dog bird", "fish"}
	for i, d := range docs {
		if err := ix.Put(fmt.Sprint(i), d); err != nil {
			t.Fatal(err)
		}
	}
	hits, err := ix.Search(Query{Text: "cat"})
	if err != nil {
		t.Fatal(err)
	}
	n, df, avg := 3.0, 1.0, 6.0/3
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	want := idf * 2 * 2.5 / (2 + 1.5*(1-0.5+0.5*3/avg))
	if len(hits) != 1 || hits[0].ID != "0" || math.Abs(hits[0].Score-want) > 1e-12 {
		t.Fatalf("got %+v, want one hit 0 with score %v", hits, want)
	}
	if got := ix.AvgLen("text"); got != avg {
		t.Errorf("AvgLen got %v, want %v", got, avg)
	}
	ix.Delete("2")
	if got, want := ix.AvgLen("text"), 5.0/2; got != want {
		t.Errorf("AvgLen after delete got %v, want %v", got, want)
	}
}

func TestUpdateDeleteMatchesFreshBuild(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	ix := newTestIndex(t)
	final := map[string][2]string{}
	for range 3000 {
		id := fmt.Sprintf("d%d", r.IntN(800))
		if r.IntN(4) == 0 {
			ix.Delete(id)
			delete(final, id)
			continue
		}
		doc := [2]string{randText(r, 2), randText(r, 10+r.IntN(20))}
		if err := ix.Put(id, doc[0], doc[1]); err != nil {
			t.Fatal(err)
		}
		final[id] = doc
	}
	ix.Compact()
	fresh := newTestIndex(t)
	// Same insertion order as the surviving documents in ix.
	for doc := range ix.ids.n() {
		id := ix.ids.str(uint32(doc))
		d := final[id]
		if err := fresh.Put(id, d[0], d[1]); err != nil {
			t.Fatal(err)
		}
	}
	if ix.Len() != len(final) || fresh.Len() != len(final) {
		t.Fatalf("Len got %d and %d, want %d", ix.Len(), fresh.Len(), len(final))
	}
	for range 20 {
		q := Query{Text: randText(r, 3), K: 15}
		a, _ := ix.Search(q)
		b, _ := fresh.Search(q)
		sameHits(t, q.Text, a, b)
	}
}

func TestDeletedNeverReturned(t *testing.T) {
	ix := newTestIndex(t)
	for i := range 10 {
		if err := ix.Put(fmt.Sprint(i), "电池", "锂离子电池"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		ix.Delete(fmt.Sprint(i))
	}
	hits, _ := ix.Search(Query{Text: "电池", K: 10})
	if len(hits) != 5 {
		t.Fatalf("got %d hits, want 5", len(hits))
	}
	for _, h := range hits {
		if h.ID < "5" {
			t.Errorf("deleted document %s returned", h.ID)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	ix := newTestIndex(t)
	fill(t, ix, r, 1500)
	for i := range 100 {
		ix.Delete(fmt.Sprintf("d%d", i*3))
	}
	var buf bytes.Buffer
	n, err := ix.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v; buffer has %d", n, err, buf.Len())
	}
	snap := bytes.Clone(buf.Bytes())
	back, err := Restore(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.Len() != ix.Len() {
		t.Fatalf("Len got %d, want %d", back.Len(), ix.Len())
	}
	for range 20 {
		q := Query{Text: randText(r, 4), K: 10}
		a, _ := ix.Search(q)
		b, _ := back.Search(q)
		sameHits(t, q.Text, b, a)
	}
	var again bytes.Buffer
	if _, err := back.WriteTo(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), snap) {
		t.Errorf("second snapshot differs from the first (%d vs %d bytes)", again.Len(), len(snap))
	}
	// Every truncation is an error, never a panic.
	for cut := 0; cut < len(snap); cut += 1 + len(snap)/40 {
		if _, err := Restore(bytes.NewReader(snap[:cut]), nil); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Restore of %d/%d bytes: got %v, want ErrCorrupt", cut, len(snap), err)
		}
	}
}

// TestSnapshotAnalyzer checks that a snapshot is refused by an analyzer
// configured otherwise than the index's, accepted by an equivalent one,
// and that a snapshot of the first format (without the fingerprint)
// still restores.
func TestSnapshotAnalyzer(t *testing.T) {
	syn := &analysis.Options{Synonyms: [][]string{{"人工智能", "AI"}}}
	ix, err := New(&Options{Analyzer: analysis.New(syn)})
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"人工智能 芯片", "AI 电池", "锂电池 材料"} {
		if err := ix.Put(fmt.Sprint(i), text); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	snap := buf.Bytes()
	for _, opts := range []*Options{nil, {Analyzer: analysis.New(&analysis.Options{NoBigrams: true})}} {
		if _, err := Restore(bytes.NewReader(snap), opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("another analyzer: got %v, want ErrInvalid", err)
		}
	}
	same := &Options{Analyzer: analysis.New(&analysis.Options{Synonyms: [][]string{{"ＡＩ", "人工智能"}}})}
	v1 := append([]byte(magicV1), snap[len(magic)+8:]...)
	for name, data := range map[string][]byte{"current": snap, "first format": v1} {
		back, err := Restore(bytes.NewReader(data), same)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		q := Query{Text: "人工智能"}
		a, _ := ix.Search(q)
		b, _ := back.Search(q)
		if len(a) != 2 {
			t.Fatalf("%s: %d hits for the synonym, want 2", name, len(a))
		}
		sameHits(t, name, b, a)
	}
}

func FuzzRestore(f *testing.F) {
	ix, _ := New(nil)
	_ = ix.Put("a", "电池 5G")
	_ = ix.Put("b", "材料")
	var buf bytes.Buffer
	_, _ = ix.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add(append([]byte(magicV1), buf.Bytes()[len(magic)+8:]...))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		back, err := Restore(bytes.NewReader(data), nil)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrCorrupt or ErrInvalid", err)
			}
			return
		}
		_, _ = back.Search(Query{Text: "电池"})
	})
}

func TestErrors(t *testing.T) {
	ix := newTestIndex(t)
	tests := []struct {
		name string
		err  error
	}{
		{"empty id", ix.Put("", "a", "b")},
		{"wrong field count", ix.Put("x", "a")},
		{"unknown field", func() error { _, err := ix.Search(Query{Text: "a", Fields: []string{"body"}}); return err }()},
		{"negative k", func() error { _, err := ix.Search(Query{Text: "a", K: -1}); return err }()},
		{"bad weight", func() error { _, err := ix.Search(Query{Terms: []Term{{Text: "a", Weight: math.NaN()}}}); return err }()},
		{"bad b", func() error { _, err := New(&Options{B: 2}); return err }()},
		{"duplicate field", func() error {
			_, err := New(&Options{Fields: []FieldOptions{{Name: "a"}, {Name: "a"}}})
			return err
		}()},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", tt.name, tt.err)
		}
	}
}

func TestExplainSumsToScore(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	ix := newTestIndex(t)
	fill(t, ix, r, 500)
	q := Query{Text: "锂离子电池 储能 材料", K: 5}
	hits, _ := ix.Search(q)
	for _, h := range hits {
		parts, err := ix.Explain(q, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, p := range parts {
			sum += p.Score
		}
		if math.Abs(sum-h.Score) > 1e-9 {
			t.Errorf("%s: explanation sums to %v, score is %v", h.ID, sum, h.Score)
		}
	}
}

func TestConcurrentReadersAndWriter(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	ix := newTestIndex(t)
	fill(t, ix, r, 500)
	texts := make([]string, 200)
	for i := range texts {
		texts[i] = randText(r, 10)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				if _, err := ix.Search(Query{Text: texts[(g*100+i)%len(texts)], K: 5}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 200 {
			id := fmt.Sprintf("w%d", i%50)
			if i%3 == 0 {
				ix.Delete(id)
			} else if err := ix.Put(id, texts[i], texts[(i+1)%len(texts)]); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
}

func TestAnalyzerSynonymsAtQueryTime(t *testing.T) {
	an := analysis.New(&analysis.Options{Synonyms: [][]string{{"人工智能", "AI"}}})
	ix, _ := New(&Options{Analyzer: an})
	_ = ix.Put("zh", "人工智能芯片")
	_ = ix.Put("other", "芯片封装")
	hits, _ := ix.Search(Query{Text: "AI"})
	if len(hits) != 1 || hits[0].ID != "zh" {
		t.Fatalf("got %+v, want the document that says 人工智能", hits)
	}
}

func TestCompactWithoutDeletesKeepsResults(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	ix := newTestIndex(t)
	fill(t, ix, r, 400)
	q := Query{Text: randText(r, 3), K: 10}
	before, _ := ix.Search(q)
	ix.Compact()
	after, _ := ix.Search(q)
	sameHits(t, "after Compact", after, before)
	if err := ix.Put("new", "电池", randText(r, 10)); err != nil {
		t.Fatal(err)
	}
	if !ix.Has("new") || ix.Len() != 401 {
		t.Errorf("Put after Compact: Has %v, Len %d, want true, 401", ix.Has("new"), ix.Len())
	}
}
