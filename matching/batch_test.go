package matching_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/eval"
	"github.com/kexie/techbroker/matching/router"
)

// BenchmarkEngineAdd indexes synthetic papers (title, keywords and
// abstract) with the default options; one op is one document.
func BenchmarkEngineAdd(b *testing.B) {
	docs := eval.Synthetic(rand.New(rand.NewPCG(1, 7)), 4096, nil)
	e, err := matching.NewEngine(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := docs[i%len(docs)]
		d := matching.Document{Kind: matching.Achievement, ID: p.ID + "-" + string(rune('a'+i/len(docs)%26)), Title: p.Title, Keywords: p.Keywords, Abstract: p.Abstract}
		if err := e.Add(d); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkEngineAddBatch indexes 20,000 synthetic papers with AddBatch
// and Compact (default options); one op is the whole batch. It reports
// documents per second and the Go heap per document after GC.
func BenchmarkEngineAddBatch(b *testing.B) {
	papers := eval.Synthetic(rand.New(rand.NewPCG(3, 7)), 20000, nil)
	docs := make([]matching.Document, len(papers))
	for i, p := range papers {
		docs[i] = matching.Document{Kind: matching.Achievement, ID: p.ID, Title: p.Title, Keywords: p.Keywords, Abstract: p.Abstract}
	}
	b.ReportAllocs()
	var bytesPerDoc float64
	for b.Loop() {
		before := heapAlloc()
		e, err := matching.NewEngine(nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.AddBatch(docs); err != nil {
			b.Fatal(err)
		}
		e.Compact()
		b.StopTimer()
		bytesPerDoc = float64(int64(heapAlloc())-int64(before)) / float64(len(docs))
		runtime.KeepAlive(e)
		b.StartTimer()
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(bytesPerDoc, "heap-B/doc")
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestAddBatchMatchesAdd indexes the same documents with Add and with
// AddBatch and compares the answers to every title as a query.
func TestAddBatchMatchesAdd(t *testing.T) {
	t.Run("default", func(t *testing.T) { testAddBatchMatchesAdd(t, nil, matching.DemandToAchievements) })
	t.Run("router and feedback", func(t *testing.T) {
		var ex []router.Example
		for _, p := range eval.Synthetic(rand.New(rand.NewPCG(4, 7)), 200, nil) {
			ex = append(ex, router.Example{Text: p.Title, Label: p.Category})
		}
		r, err := router.Train(ex, nil)
		if err != nil {
			t.Fatal(err)
		}
		testAddBatchMatchesAdd(t, &matching.Options{Categorizer: r, Feedback: 2, Weights: &matching.Weights{Text: 1, Category: 0.5}}, matching.SimilarAchievements)
	})
}

func testAddBatchMatchesAdd(t *testing.T, opts *matching.Options, dir matching.Direction) {
	papers := eval.Synthetic(rand.New(rand.NewPCG(2, 7)), 300, nil)
	one, err := matching.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := matching.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	var docs []matching.Document
	for _, p := range papers {
		d := matching.Document{Kind: matching.Achievement, ID: p.ID, Title: p.Title, Keywords: p.Keywords, Abstract: p.Abstract, Disciplines: []string{p.Discipline}}
		if err := one.Add(d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	if err := batch.AddBatch(docs); err != nil {
		t.Fatal(err)
	}
	categorized := false
	for _, p := range papers[:50] {
		q := matching.Query{Direction: dir, Source: matching.Document{Kind: matching.Demand, Title: p.Title, Abstract: p.Abstract}, K: 5}
		a, err := one.Match(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := batch.Match(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("%q: got %d matches with AddBatch, want %d", p.Title, len(b), len(a))
		}
		for i := range a {
			if a[i].ID != b[i].ID || a[i].Score != b[i].Score {
				t.Fatalf("%q: match %d got %s %.6f, want %s %.6f", p.Title, i, b[i].ID, b[i].Score, a[i].ID, a[i].Score)
			}
			for _, sig := range b[i].Explanation.Signals {
				if sig.Name == "category" && sig.Value > 0 {
					categorized = true
				}
			}
		}
	}
	if wantCategory := opts != nil && opts.Categorizer != nil; categorized != wantCategory {
		t.Fatalf("a match with a category signal: got %v, want %v", categorized, wantCategory)
	}
	if err := batch.AddBatch([]matching.Document{{Kind: matching.Achievement, ID: "x"}, {Kind: matching.Achievement}}); err == nil {
		t.Fatal("AddBatch with an empty ID: got no error")
	}
}
