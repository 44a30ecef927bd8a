package textindex

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkIndexAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	docs := make([][2]string, 4096)
	for i := range docs {
		docs[i] = [2]string{randText(r, 3), randText(r, 60)}
	}
	ix := newTestIndex(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d := docs[i%len(docs)]
		if err := ix.Put(fmt.Sprint(i), d[0], d[1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkSearch(b *testing.B) {
	n := 100000
	if testing.Short() {
		n = 10000
	}
	r := rand.New(rand.NewPCG(2, 2))
	ix := newTestIndex(b)
	fill(b, ix, r, n)
	queries := make([]string, 256)
	for i := range queries {
		queries[i] = randText(r, 2+r.IntN(4))
	}
	for _, mode := range []struct {
		name       string
		exhaustive bool
	}{{"maxscore", false}, {"exhaustive", true}} {
		b.Run(fmt.Sprintf("docs=%d/%s", n, mode.name), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := ix.Search(Query{Text: queries[i%len(queries)], K: 10, Exhaustive: mode.exhaustive}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
