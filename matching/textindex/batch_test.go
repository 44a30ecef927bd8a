package textindex

import (
	"bytes"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// batchDocs returns n documents; every replaceEvery-th (if > 0) reuses the
// id of an earlier one.
func batchDocs(r *rand.Rand, prefix string, n, replaceEvery int) []Doc {
	var docs []Doc
	for i := range n {
		id := fmt.Sprint(prefix, i)
		if replaceEvery > 0 && i%replaceEvery == replaceEvery/2 {
			id = fmt.Sprint(prefix, i/2) // replaces an earlier document
		}
		docs = append(docs, Doc{ID: id, Texts: []string{randText(r, 1), randText(r, 2+r.IntN(8)) + " Li-ion PM2.5 ＡＢＣ"}})
	}
	return docs
}

func snapshot(t *testing.T, ix *Index) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := ix.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPutBatchMatchesPut builds one index with Put and one with PutBatch
// and compares their snapshots byte for byte (and their document vectors),
// for batches spanning several windows, with and without replaced ids, and
// for a second batch that replaces enough documents to compact the index.
func TestPutBatchMatchesPut(t *testing.T) {
	window := windowChunks * batchChunk
	tests := []struct {
		name      string
		batches   [][2]int // (documents, replace every) per batch
		compacted bool     // some replaced documents were compacted away
	}{
		{"one chunk", [][2]int{{batchChunk - 3, 0}}, false},
		{"windows", [][2]int{{2*window + 5, 0}}, false},
		{"replacing", [][2]int{{5*batchChunk + 3, 9}}, false},
		{"replacing in one window", [][2]int{{window + batchChunk, window + 2*batchChunk}}, false},
		{"second batch compacts", [][2]int{{window / 4, 0}, {window / 2, 2}}, true},
		// The first windows of the second batch replace documents (and
		// compact the index), the last one does not.
		{"compacts then adds", [][2]int{{700, 0}, {6000, 1 << 20}}, true},
	}
	for _, tt := range tests {
		for _, keep := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/vectors=%v", tt.name, keep), func(t *testing.T) {
				r := rand.New(rand.NewPCG(5, 5))
				opts := &Options{Fields: []FieldOptions{{Name: "title", Boost: 2}, {Name: "abstract"}}, KeepVectors: keep}
				one, err := New(opts)
				if err != nil {
					t.Fatal(err)
				}
				batch, err := New(opts)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for bi, spec := range tt.batches {
					prefix := "d"
					if spec[1] > 0 && bi > 0 {
						prefix = "d" // the second batch reuses the ids of the first
					} else if bi > 0 {
						prefix = fmt.Sprint("b", bi, "-")
					}
					docs := batchDocs(r, prefix, spec[0], spec[1])
					for _, d := range docs {
						if err := one.Put(d.ID, d.Texts...); err != nil {
							t.Fatal(err)
						}
						ids = append(ids, d.ID)
					}
					if err := batch.PutBatch(docs); err != nil {
						t.Fatal(err)
					}
				}
				if n := batch.ids.n(); tt.compacted != (n < len(ids)) {
					t.Fatalf("%d documents numbered for %d puts: compacted %v, want %v", n, len(ids), n < len(ids), tt.compacted)
				}
				if a, b := snapshot(t, one), snapshot(t, batch); !bytes.Equal(a, b) {
					t.Fatalf("snapshots differ: got %d bytes with PutBatch, want %d as with Put", len(b), len(a))
				}
				samePostings(t, one, batch)
				for _, id := range ids {
					if diff := cmp.Diff(one.DocVector(id), batch.DocVector(id)); diff != "" {
						t.Fatalf("DocVector(%q) mismatch (-Put +PutBatch):\n%s", id, diff)
					}
				}
			})
		}
	}
}

// samePostings checks that two indexes hold the same posting lists in
// memory, block layout included (snapshots store plain varints).
func samePostings(t *testing.T, want, got *Index) {
	t.Helper()
	if len(want.post) != len(got.post) {
		t.Fatalf("got %d posting lists, want %d", len(got.post), len(want.post))
	}
	for pid := range want.post {
		w, g := &want.post[pid], &got.post[pid]
		if !bytes.Equal(w.data, g.data) || !cmp.Equal(w.skipList(), g.skipList(), cmp.AllowUnexported(skip{})) ||
			w.df != g.df || w.last != g.last || w.maxTF != g.maxTF || w.minLen != g.minLen ||
			w.blkMaxTF != g.blkMaxTF || w.blkMinLen != g.blkMinLen {
			t.Fatalf("posting list %d (%q): got df %d, %d bytes, want df %d, %d bytes or other bounds", pid, want.terms[pid], g.df, len(g.data), w.df, len(w.data))
		}
	}
}

func TestPutBatchRejects(t *testing.T) {
	ix := newTestIndex(t)
	if err := ix.PutBatch([]Doc{{ID: "x", Texts: []string{"a", "b"}}, {ID: "", Texts: []string{"a", "b"}}}); err == nil {
		t.Fatal("PutBatch with an empty id: got no error")
	}
	if err := ix.PutBatch([]Doc{{ID: "x", Texts: []string{"a"}}}); err == nil {
		t.Fatal("PutBatch with one text for two fields: got no error")
	}
	if ix.Has("x") {
		t.Fatal("a rejected batch changed the index")
	}
	if err := ix.PutBatch(nil); err != nil {
		t.Fatalf("PutBatch(nil): got %v, want nil", err)
	}
}

// TestPutBatchConcurrentReaders searches while batches go in (run with
// -race).
func TestPutBatchConcurrentReaders(t *testing.T) {
	ix := newTestIndex(t)
	r := rand.New(rand.NewPCG(6, 6))
	docs := batchDocs(r, "d", 3*windowChunks*batchChunk/2, 0)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := ix.Search(Query{Text: "电池 储能", K: 5}); err != nil {
					t.Error(err)
					return
				}
				ix.Len()
			}
		})
	}
	if err := ix.PutBatch(docs); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if got := ix.Len(); got != len(docs) {
		t.Fatalf("Len after PutBatch: got %d, want %d", got, len(docs))
	}
}

// BenchmarkPutBatch indexes 20,000 documents per op with PutBatch.
func BenchmarkPutBatch(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	docs := make([]Doc, 20000)
	for i := range docs {
		docs[i] = Doc{ID: fmt.Sprint("d", i), Texts: []string{randText(r, 3), randText(r, 60)}}
	}
	b.ReportAllocs()
	for b.Loop() {
		ix := newTestIndex(b)
		if err := ix.PutBatch(docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
}

// TestAddRunMatchesAdd appends postings in runs of random lengths and one
// by one, and compares the lists' bytes, skips and bounds.
func TestAddRunMatchesAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	const nf, f = 2, 1
	for trial := range 20 {
		n := r.IntN(5 * blockSize)
		var run []docTF
		doc := uint32(r.IntN(3))
		for range n {
			doc += 1 + uint32(r.IntN(1+r.IntN(2000)))
			tf := uint32(1)
			switch r.IntN(6) {
			case 0, 1:
				tf = 1 + uint32(r.IntN(1+r.IntN(70000)))
			case 2:
				if r.IntN(10) == 0 {
					tf = tfMask - 1 + uint32(r.IntN(1<<30)) // from addRun's bigs
				}
			}
			run = append(run, docTF{doc, tf})
		}
		lens := make([]uint32, (int(doc)+1)*nf)
		for i := range lens {
			lens[i] = uint32(r.IntN(1 + r.IntN(70000)))
		}
		if one, byRun := addBoth(r, run, lens, nf, f, 300); !sameList(&one, &byRun) {
			t.Fatalf("trial %d (%d postings): addRun gives a different list than add", trial, n)
		}
	}
}

// docTF is a posting of a test.
type docTF struct{ doc, tf uint32 }

// addBoth appends run to one list posting by posting and to another in
// runs of 1..maxRun postings (each within a window), for field f of nf.
func addBoth(r *rand.Rand, run []docTF, lens []uint32, nf, f, maxRun int) (one, byRun postings) {
	one = postings{minLen: math.MaxUint16, blkMinLen: math.MaxUint16}
	for _, e := range run {
		one.add(e.doc, e.tf, lens[int(e.doc)*nf+f])
	}
	byRun = postings{minLen: math.MaxUint16, blkMinLen: math.MaxUint16}
	for rest := run; len(rest) > 0; {
		// A run of the window that starts at its first document.
		base := rest[0].doc
		k, most := 0, min(len(rest), 1+r.IntN(maxRun))
		for k < most && rest[k].doc-base < 1<<windowBits {
			k++
		}
		var wl windowLens
		for i := range wl {
			if d := int(base) + i; d*nf+f < len(lens) {
				wl[i] = sat16(lens[d*nf+f])
			}
		}
		var pend []pending
		var bigs []uint32
		for _, e := range rest[:k] {
			if e.tf < tfMask {
				pend = append(pend, pending((e.doc-base)<<tfBits|e.tf))
			} else {
				pend = append(pend, pending((e.doc-base)<<tfBits))
				bigs = append(bigs, e.tf)
			}
		}
		byRun.addRun(pend, bigs, &wl, base, r.IntN(500))
		rest = rest[k:]
	}
	return one, byRun
}

// sameList reports whether two lists have the same bytes, skips and bounds.
func sameList(a, b *postings) bool {
	return bytes.Equal(a.data, b.data) && cmp.Equal(a.skipList(), b.skipList(), cmp.AllowUnexported(skip{})) &&
		a.df == b.df && a.last == b.last && a.maxTF == b.maxTF && a.minLen == b.minLen &&
		a.blkMaxTF == b.blkMaxTF && a.blkMinLen == b.blkMinLen
}

// FuzzAddRunMatchesAdd checks addRun against add on lists drawn from the
// fuzzer's seed: document gaps, frequencies, field lengths and the
// lengths of the runs.
func FuzzAddRunMatchesAdd(f *testing.F) {
	f.Add(uint64(1), uint16(300), uint16(2000), uint16(70000>>2))
	f.Add(uint64(2), uint16(129), uint16(1), uint16(1))
	f.Add(uint64(3), uint16(1000), uint16(60000), uint16(3))
	f.Fuzz(func(t *testing.T, seed uint64, n, maxGap, maxTF uint16) {
		r := rand.New(rand.NewPCG(seed, seed))
		const nf, fld = 3, 2
		n %= 6 * blockSize
		var run []docTF
		doc := uint32(r.IntN(3))
		for range n {
			doc += 1 + uint32(r.IntN(1+int(maxGap%(2<<windowBits))))
			tf := uint32(1)
			if r.IntN(2) == 0 {
				tf = 1 + uint32(r.IntN(1+4*int(maxTF)))
				if r.IntN(64) == 0 {
					tf += tfMask - 2
				}
			}
			run = append(run, docTF{doc, tf})
		}
		lens := make([]uint32, (int(doc)+1)*nf)
		for i := range lens {
			lens[i] = uint32(r.IntN(1 + r.IntN(70000)))
		}
		one, byRun := addBoth(r, run, lens, nf, fld, 2*blockSize)
		if !sameList(&one, &byRun) {
			t.Fatalf("%d postings: addRun gives a different list than add", n)
		}
		// Both decode to the postings appended.
		c := newCursor(&byRun)
		for i, e := range run {
			if !c.next() || c.doc != e.doc || c.tf != e.tf {
				t.Fatalf("posting %d: got (%d, %d), want (%d, %d)", i, c.doc, c.tf, e.doc, e.tf)
			}
		}
		if c.next() {
			t.Fatalf("cursor: got more than %d postings", len(run))
		}
	})
}

// TestPartEntry packs postings of every document of a chunk with small
// and huge frequencies and reads them back. (A list has one posting per
// document.)
func TestPartEntry(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	var a analyzed
	type posting struct{ pid, doc, tf uint32 }
	var want []posting
	var got []partEntry
	for doc := range uint32(batchChunk) {
		for _, pid := range r.Perm(1000)[:20] {
			tf := 1 + uint32(r.IntN(5))
			switch r.IntN(4) {
			case 0:
				tf = tfMask - 1 + uint32(r.IntN(3)) // around the limit
			case 1:
				tf = uint32(r.Uint64() >> 32)
			}
			if tf == 0 {
				tf = 1
			}
			p := posting{uint32(pid), doc, tf}
			want = append(want, p)
			got = append(got, a.part(p.pid, p.doc, p.tf))
		}
	}
	for i, e := range got {
		tf := e.dt & tfMask
		if tf == 0 {
			tf = a.bigTF(e)
		}
		if g := (posting{e.pid, e.dt >> tfBits, tf}); g != want[i] {
			t.Fatalf("posting %d: got %+v, want %+v", i, g, want[i])
		}
	}
}

// TestInserterBigTFs checks that the frequencies too large for a
// partEntry reach addRun in its bigs, in order: lists 3 and 11, each over
// two chunks of a window, scattered as insert does.
func TestInserterBigTFs(t *testing.T) {
	chunks := make([]analyzed, 2)
	lists := map[uint32][]docTF{
		3:  {{0, 2}, {5, tfMask + 7}, {batchChunk + 1, 1}, {batchChunk + 9, 1 << 31}},
		11: {{5, tfMask}, {batchChunk, 4}},
	}
	var p inserter
	for _, pid := range []uint32{11, 3} {
		var run []pending
		var wantBigs []uint32
		for _, e := range lists[pid] {
			a := &chunks[e.doc/batchChunk]
			pe := a.part(pid, e.doc%batchChunk, e.tf)
			run = append(run, pending(uint32(e.doc/batchChunk)<<(tfBits+bits.Len(batchChunk-1))+pe.dt))
			if e.tf >= tfMask {
				wantBigs = append(wantBigs, e.tf)
			}
		}
		for i, e := range run {
			if want := lists[pid][i]; e.off() != want.doc || (want.tf < tfMask) != (uint32(e)&tfMask == want.tf) {
				t.Fatalf("list %d, posting %d: got offset %d, frequency %d, want %d, %d", pid, i, e.off(), uint32(e)&tfMask, want.doc, want.tf)
			}
		}
		if got := p.bigTFs(chunks, pid, run); !slices.Equal(got, wantBigs) {
			t.Fatalf("list %d: got bigs %v, want %v", pid, got, wantBigs)
		}
	}
}
