package textindex

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPutBatchMatchesPut builds one index with Put and one with PutBatch
// (several chunks, replaced ids) and compares their snapshots byte for
// byte.
func TestPutBatchMatchesPut(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	var docs []Doc
	for i := range 5*batchChunk + 3 {
		id := fmt.Sprint("d", i)
		if i%9 == 4 {
			id = fmt.Sprint("d", i/2) // replaces an earlier document
		}
		docs = append(docs, Doc{ID: id, Texts: []string{randText(r, 3), randText(r, 20+r.IntN(30)) + " Li-ion PM2.5"}})
	}
	one, batch := newTestIndex(t), newTestIndex(t)
	for _, d := range docs {
		if err := one.Put(d.ID, d.Texts...); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.PutBatch(docs); err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if _, err := one.WriteTo(&a); err != nil {
		t.Fatal(err)
	}
	if _, err := batch.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("snapshots differ: got %d bytes with PutBatch, want %d as with Put", b.Len(), a.Len())
	}
	if err := batch.PutBatch([]Doc{{ID: "x", Texts: []string{"a", "b"}}, {ID: "", Texts: []string{"a", "b"}}}); err == nil {
		t.Fatal("PutBatch with an empty id: got no error")
	}
	if batch.Has("x") {
		t.Fatal("a rejected batch changed the index")
	}
}
