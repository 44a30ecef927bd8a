package textindex

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"

	"github.com/kexie/techbroker/matching/analysis"
)

// Doc is one document of a batch: its id and one text per field, in the
// order of Options.Fields.
type Doc struct {
	ID    string
	Texts []string
}

// termTF is a distinct term of one field of a document with its
// frequency. Terms of one or two runes are keyed by shortKey; others (key
// 0) by text.
type termTF struct {
	key  uint64
	long string
	tf   uint32
}

// analyzed holds documents turned into distinct terms, ready to insert:
// document i, field f has the terms ents[end[i*nf+f-1]:end[i*nf+f]] and
// the length lens[i*nf+f].
type analyzed struct {
	ents []termTF
	end  []int
	lens []uint32
}

func (a *analyzed) reset() {
	a.ents, a.end, a.lens = a.ents[:0], a.end[:0], a.lens[:0]
}

// counter turns texts into distinct terms with their frequencies; each
// goroutine has its own.
type counter struct {
	an      *analysis.Analyzer
	toks    []analysis.Token
	slots   []int32 // index+1 into the field's terms, by shortKey
	touched []int
	long    map[string]int32
}

func newCounter(an *analysis.Analyzer) *counter {
	return &counter{an: an, slots: make([]int32, 1024), long: map[string]int32{}}
}

// add appends the distinct terms of text (first-seen order) to a.
func (c *counter) add(a *analyzed, text string) {
	c.toks = c.an.AppendTokens(c.toks[:0], text)
	base := len(a.ents)
	if 2*len(c.toks) > len(c.slots) {
		n := len(c.slots)
		for n < 2*len(c.toks) {
			n *= 2
		}
		c.slots = make([]int32, n)
	}
	mask := uint64(len(c.slots) - 1)
	for _, tk := range c.toks {
		k, ok := shortKey(tk.Term)
		if !ok {
			if i, seen := c.long[tk.Term]; seen {
				a.ents[i].tf++
			} else {
				c.long[tk.Term] = int32(len(a.ents))
				a.ents = append(a.ents, termTF{long: tk.Term, tf: 1})
			}
			continue
		}
		for s := (k * 0x9E3779B97F4A7C15) >> 40 & mask; ; s = (s + 1) & mask {
			i := c.slots[s]
			if i == 0 {
				c.slots[s] = int32(len(a.ents)-base) + 1
				c.touched = append(c.touched, int(s))
				a.ents = append(a.ents, termTF{key: k, tf: 1})
				break
			}
			if e := &a.ents[base+int(i)-1]; e.key == k {
				e.tf++
				break
			}
		}
	}
	for _, s := range c.touched {
		c.slots[s] = 0
	}
	c.touched = c.touched[:0]
	if len(c.long) > 0 {
		clear(c.long)
	}
	a.end = append(a.end, len(a.ents))
	a.lens = append(a.lens, uint32(len(c.toks)))
	if len(c.toks) > 4096 {
		c.toks = nil // do not pin a huge buffer
	}
}

// insert adds document i of a under id; the caller holds the write lock
// and has checked id and the number of texts.
func (ix *Index) insert(id string, a *analyzed, i int) error {
	if old, ok := ix.ids.lookup(id); ok {
		ix.deleteDoc(old)
	}
	if ix.ids.n() >= math.MaxUint32-1 || len(ix.ids.buf)+len(id) > math.MaxUint32 {
		return fmt.Errorf("%w: index full", ErrInvalid)
	}
	doc := ix.ids.add(id)
	if int(doc)/64 >= len(ix.deleted) {
		ix.deleted = append(ix.deleted, 0)
	}
	ix.live++
	var vec []byte
	nf := len(ix.fields)
	for f := range nf {
		j := i*nf + f
		start := 0
		if j > 0 {
			start = a.end[j-1]
		}
		n := a.lens[j]
		ix.lens = append(ix.lens, n)
		ix.sumLen[f] += uint64(n)
		d := &ix.dict[f]
		for _, e := range a.ents[start:a.end[j]] {
			var pid uint32
			var ok bool
			if e.key != 0 {
				pid, ok = d.getShort(e.key)
			} else {
				pid, ok = d.long[e.long]
			}
			if !ok {
				pid = ix.newTerm(d, f, e)
			}
			ix.post[pid].add(doc, e.tf, n)
			if ix.keepVec {
				vec = appendUvarint(appendUvarint(vec, uint64(pid)), uint64(e.tf))
			}
		}
	}
	if ix.keepVec {
		ix.vecs = append(ix.vecs, vec)
	}
	return nil
}

func (ix *Index) newTerm(d *dict, f int, e termTF) uint32 {
	pid := uint32(len(ix.post))
	var term string
	if e.key != 0 {
		term = keyTerm(e.key)
		d.setShort(e.key, pid)
	} else {
		term = strings.Clone(e.long)
		d.long[term] = pid
	}
	ix.terms = append(ix.terms, term)
	ix.tfld = append(ix.tfld, uint8(f))
	ix.post = append(ix.post, postings{minLen: math.MaxUint16, blkMinLen: math.MaxUint16})
	return pid
}

// keyTerm is the inverse of shortKey.
func keyTerm(k uint64) string {
	r1 := rune(k >> 32)
	if uint32(k) == 1<<31 {
		return string(r1)
	}
	return string([]rune{r1, rune(uint32(k))})
}

// check validates a document before any change.
func (ix *Index) check(id string, texts []string) error {
	if id == "" {
		return fmt.Errorf("%w: empty document id", ErrInvalid)
	}
	if len(texts) != len(ix.fields) {
		return fmt.Errorf("%w: document %q has %d field texts, want %d", ErrInvalid, id, len(texts), len(ix.fields))
	}
	return nil
}

// batchChunk is how many documents a goroutine of PutBatch analyzes at a
// time.
const batchChunk = 64

// PutBatch adds the documents in order, as Put would one by one (a later
// document replaces an earlier one with the same id), but analyzes them on
// several goroutines while one inserts, which is faster on a multi-core
// machine. It checks every document before changing anything. Readers
// may see a batch partly applied; they are let in between chunks.
func (ix *Index) PutBatch(docs []Doc) error {
	for i, d := range docs {
		if err := ix.check(d.ID, d.Texts); err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
	}
	nch := (len(docs) + batchChunk - 1) / batchChunk
	workers := min(runtime.GOMAXPROCS(0), nch)
	if workers <= 1 {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		for _, d := range docs {
			ix.wa.reset()
			for _, t := range d.Texts {
				ix.writerCounter().add(&ix.wa, t)
			}
			if err := ix.insert(d.ID, &ix.wa, 0); err != nil {
				return err
			}
		}
		return nil
	}
	// Chunks go to the workers in order through next; each result comes
	// back on its own channel; at most 2×workers chunks are in flight.
	results := make([]chan *analyzed, nch)
	for i := range results {
		results[i] = make(chan *analyzed, 1)
	}
	next := make(chan int)
	free := make(chan *analyzed, 2*workers)
	for range 2 * workers {
		free <- &analyzed{}
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newCounter(ix.an)
			for {
				// The buffer first, then the chunk: chunks are handed out
				// in order to goroutines that can finish them, so the
				// chunk the inserter waits for always gets done.
				a := <-free
				ch, ok := <-next
				if !ok {
					return
				}
				a.reset()
				for _, d := range docs[ch*batchChunk : min(len(docs), (ch+1)*batchChunk)] {
					for _, t := range d.Texts {
						c.add(a, t)
					}
				}
				results[ch] <- a
			}
		}()
	}
	go func() {
		for ch := range nch {
			next <- ch
		}
		close(next)
	}()
	var err error
	for ch := range nch {
		a := <-results[ch]
		if err == nil {
			ix.mu.Lock()
			for i, d := range docs[ch*batchChunk : min(len(docs), (ch+1)*batchChunk)] {
				if err = ix.insert(d.ID, a, i); err != nil {
					break
				}
			}
			ix.mu.Unlock()
		}
		free <- a
	}
	wg.Wait()
	return err
}

func (ix *Index) writerCounter() *counter {
	if ix.wc == nil {
		ix.wc = newCounter(ix.an)
	}
	return ix.wc
}
