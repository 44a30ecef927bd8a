package matching_test

import (
	"math/rand/v2"
	"testing"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/eval"
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
