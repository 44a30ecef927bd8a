package textindex

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kexie/techbroker/matching/analysis"
)

// Doc is one document of a batch: its id and one text per field, in the
// order of Options.Fields.
type Doc struct {
	ID    string
	Texts []string
}

// longKey marks a key that is not an analysis.TermKey but longKey|i, the
// index of the term in analyzed.long.
const longKey = 1 << 63

// noPID marks an entry whose term is not in the dictionary yet.
const noPID = math.MaxUint32

// analyzed holds documents turned into distinct terms, ready to insert.
//
// Put fills keys, tfs, long and end: document i, field f has the entries
// [end[i*nf+f-1], end[i*nf+f]) — a key and the term's frequency — and the
// length lens[i*nf+f].
//
// PutBatch looks the terms up while it counts them (counter.addResolved):
// parts[w] lists the postings whose posting ids fall in partition w, by
// document, news the entries whose terms are not in the dictionary yet,
// in order, and lens the field lengths; with KeepVectors, pids and tfs
// hold every entry in order (end delimiting them as above), so that
// each document's vector can be written once the new terms have ids.
type analyzed struct {
	keys  []uint64
	tfs   []uint32
	pids  []uint32 // only with KeepVectors (PutBatch)
	long  []string
	end   []int
	lens  []uint32
	news  []newEntry
	parts [numParts][]partEntry
	big   []bigTF
	// PutBatch: the hashes of the documents' ids in the index's id
	// table, and whether the id of one of them is indexed already.
	hashes []uint64
	known  bool
}

// newEntry is an entry of PutBatch whose term was not in the dictionary
// when the chunk was analyzed.
type newEntry struct {
	key uint64 // a TermKey, or longKey|i for the term analyzed.long[i]
	j   uint32 // document i of the chunk, field f: i*nf+f
	tf  uint32
	vec int // its position in analyzed.pids, with KeepVectors
}

// partEntry is a posting in list pid: of document dt>>tfBits of its
// chunk, with frequency dt&tfMask; a frequency of tfMask or more is kept
// in analyzed.big, and dt&tfMask is 0.
type partEntry struct{ pid, dt uint32 }

// A window's documents must fit a pending's offset (and so a chunk's, a
// partEntry's).
const _ = uint(1<<windowBits - batchChunk*windowChunks) // does not compile if they do not

// bigTF is the frequency of a posting whose partEntry cannot hold it.
type bigTF struct{ pid, doc, tf uint32 }

// part returns the partEntry of a posting, listing it in a.big if its
// frequency needs to be.
func (a *analyzed) part(pid, doc, tf uint32) partEntry {
	if tf < tfMask {
		return partEntry{pid, doc<<tfBits | tf}
	}
	a.big = append(a.big, bigTF{pid, doc, tf})
	return partEntry{pid, doc << tfBits}
}

// bigTF returns the frequency of a posting listed in a.big.
func (a *analyzed) bigTF(e partEntry) uint32 {
	for _, b := range a.big {
		if b.pid == e.pid && b.doc == e.dt>>tfBits {
			return b.tf
		}
	}
	panic("textindex: posting without a frequency") // a bug, not bad data
}

func (a *analyzed) reset() {
	a.keys, a.tfs, a.pids, a.long = a.keys[:0], a.tfs[:0], a.pids[:0], a.long[:0]
	a.end, a.lens, a.news, a.big = a.end[:0], a.lens[:0], a.news[:0], a.big[:0]
	for w := range a.parts {
		a.parts[w] = a.parts[w][:0]
	}
}

// reserve makes room for the postings of docs (PutBatch), estimated from
// the length of their texts (about one distinct term per two bytes of
// CJK text).
func (a *analyzed) reserve(docs []Doc, nf int, keepVec bool) {
	n := 0
	for _, d := range docs {
		for _, t := range d.Texts {
			n += len(t)
		}
	}
	n = n/2 + 16
	if keepVec {
		a.pids = slices.Grow(a.pids, n)
		a.tfs = slices.Grow(a.tfs, n)
	}
	a.end = slices.Grow(a.end, len(docs)*nf)
	a.lens = slices.Grow(a.lens, len(docs)*nf)
	for w := range a.parts {
		a.parts[w] = slices.Grow(a.parts[w], n/numParts+n/(4*numParts)+16)
	}
}

// span returns the entries of document-field j (i*nf+f).
func (a *analyzed) span(j int) (lo, hi int) {
	if j > 0 {
		lo = a.end[j-1]
	}
	return lo, a.end[j]
}

// counter turns texts into distinct terms with their frequencies; each
// goroutine has its own.
type counter struct {
	an      *analysis.Analyzer
	keys    []uint64
	long    []string
	slots   []int32 // entry+1, relative to the field's first entry, by key
	touched []int
	longIdx map[string]int32

	// addResolved's scratch: the entries of the text, and, for the terms
	// seen in text number gen, gen<<32 | the entry of the term (or, in
	// countDirect, its place in its partition): by posting id, or, in
	// countAll, by rune − U+4E00 for CJK unigrams.
	ents    []entry
	pids    []uint32 // countDirect's: the posting ids of the keys
	mark    []uint64
	uniMark *[numUni]uint64
	gen     uint32
	li      int // countOther's next long term
}

func newCounter(an *analysis.Analyzer) *counter {
	return &counter{an: an, slots: make([]int32, 1024), longIdx: map[string]int32{}}
}

// entry is a distinct term of the text addResolved counts.
type entry struct {
	key uint64 // for a term not in the dictionary: its key, longKey|i for c.long[i]
	pid uint32 // noPID when not in the dictionary
	tf  uint32
}

// add appends the distinct terms of text (first-seen order) to a.
func (c *counter) add(a *analyzed, text string) {
	c.keys, c.long = c.an.AppendKeys(c.keys[:0], c.long[:0], text)
	base := len(a.keys)
	if 2*len(c.keys) > len(c.slots) {
		n := len(c.slots)
		for n < 2*len(c.keys) {
			n *= 2
		}
		c.slots = make([]int32, n)
	}
	mask := uint64(len(c.slots) - 1)
	long := c.long
	for _, k := range c.keys {
		if k == 0 {
			t := long[0]
			long = long[1:]
			if i, seen := c.longIdx[t]; seen {
				a.tfs[i]++
			} else {
				c.longIdx[t] = int32(len(a.keys))
				a.keys = append(a.keys, longKey|uint64(len(a.long)))
				a.tfs = append(a.tfs, 1)
				a.long = append(a.long, t)
			}
			continue
		}
		for s := (k * 0x9E3779B97F4A7C15) >> 40 & mask; ; s = (s + 1) & mask {
			i := c.slots[s]
			if i == 0 {
				c.slots[s] = int32(len(a.keys)-base) + 1
				c.touched = append(c.touched, int(s))
				a.keys = append(a.keys, k)
				a.tfs = append(a.tfs, 1)
				break
			}
			if a.keys[base+int(i)-1] == k {
				a.tfs[base+int(i)-1]++
				break
			}
		}
	}
	for _, s := range c.touched {
		c.slots[s] = 0
	}
	c.touched = c.touched[:0]
	if len(c.longIdx) > 0 {
		clear(c.longIdx)
	}
	a.end = append(a.end, len(a.keys))
	a.lens = append(a.lens, uint32(len(c.keys)))
	if len(c.keys) > 1<<14 {
		c.keys, c.long = nil, nil // do not pin a huge buffer
	}
}

// addDoc analyzes the texts of one document into a.
func (c *counter) addDoc(a *analyzed, texts []string) {
	for _, t := range texts {
		c.add(a, t)
	}
}

// addResolved appends the distinct terms of text, field f of document
// doc of the chunk a, looking each up in the dictionary as it goes: a
// term found there is counted by its posting id and becomes a posting of
// partition pid&partMask of a; other terms are counted by key and listed in
// a.news. Entries keep the order in which their terms first occur, as
// add's do. It only reads the index.
func (c *counter) addResolved(ix *Index, a *analyzed, f int, doc uint32, text string) {
	if text == "" {
		a.end = append(a.end, len(a.pids))
		a.lens = append(a.lens, 0)
		return
	}
	c.keys, c.long = c.an.AppendKeys(c.keys[:0], c.long[:0], text)
	if n := len(ix.post); len(c.mark) < n {
		c.mark = append(c.mark, make([]uint64, max(n-len(c.mark), len(c.mark)))...)
	}
	if c.uniMark == nil {
		c.uniMark = new([numUni]uint64)
	}
	c.gen++
	if c.gen == 0 {
		clear(c.mark)
		clear(c.uniMark[:])
		c.gen = 1
	}
	if 2*len(c.keys) > len(c.slots) {
		n := len(c.slots)
		for n < 2*len(c.keys) {
			n *= 2
		}
		c.slots = make([]int32, n)
	}
	gen := uint64(c.gen) << 32
	d := &ix.dict[f]
	c.li = 0
	if keys := c.keys; !ix.keepVec && len(keys) < tfMask {
		// The postings of CJK terms go straight into the partitions:
		// they need no order, and their frequencies cannot reach tfMask.
		c.ents = c.countDirect(d, &a.parts, c.ents[:0], keys, doc, gen)
	} else {
		c.ents = c.countAll(d, c.ents[:0], keys, gen)
	}
	ents := c.ents
	for _, s := range c.touched {
		c.slots[s] = 0
	}
	c.touched = c.touched[:0]
	if len(c.longIdx) > 0 {
		clear(c.longIdx)
	}
	nf := len(ix.fields)
	j := doc*uint32(nf) + uint32(f)
	parts := &a.parts
	for i := 0; i < len(ents); i++ {
		for ; i < len(ents); i++ {
			e := ents[i]
			if e.pid == noPID || e.tf >= tfMask {
				break
			}
			p := &parts[e.pid&partMask]
			*p = append(*p, partEntry{e.pid, doc<<tfBits | e.tf})
		}
		if i < len(ents) {
			c.emitOther(a, ents[i], doc, j, i)
		}
	}
	if ix.keepVec {
		for _, e := range ents {
			a.pids = append(a.pids, e.pid)
			a.tfs = append(a.tfs, e.tf)
		}
	}
	a.end = append(a.end, len(a.pids))
	a.lens = append(a.lens, uint32(len(c.keys)))
	c.ents = ents
	if len(c.keys) > 1<<14 {
		c.keys, c.long, c.ents = nil, nil, nil // do not pin a huge buffer
	}
}

// countAll counts the terms of keys for addResolved into ents, in the
// order in which they first occur.
func (c *counter) countAll(d *dict, ents []entry, keys []uint64, gen uint64) []entry {
	for _, k := range keys {
		m, pid, ok := cjkMark(d, c.mark, c.uniMark, d.uni, k)
		if !ok {
			ents = c.countOther(d, ents, k, gen)
		} else if *m&^0xFFFFFFFF == gen {
			ents[uint32(*m)].tf++
		} else {
			*m = gen | uint64(len(ents))
			ents = append(ents, entry{pid: pid, tf: 1})
		}
	}
	return ents
}

// countDirect is countAll, but the CJK terms in the dictionary become
// postings of document doc in parts (partition pid&partMask) as they are
// counted, their marks holding their places there; ents gets the other
// terms. len(keys) must be under tfMask.
//
// It is the build's hottest loop, in two passes that call nothing (a call
// would make the compiler keep the loop's variables in memory), each with
// few enough variables to keep them in registers: resolveCJK looks the
// CJK terms up, then countCJK counts them; the rest goes out of line.
//
// Frozen (see the package doc): no more register-pressure changes.
func (c *counter) countDirect(d *dict, parts *[numParts][]partEntry, ents []entry, keys []uint64, doc uint32, gen uint64) []entry {
	if cap(c.pids) < len(keys) {
		c.pids = make([]uint32, len(keys)+len(keys)/4)
	}
	pids := c.pids[:len(keys)]
	resolveCJK(d, keys, pids)
	dt := doc<<tfBits | 1
	for i := countCJK(c.mark, parts, pids, 0, dt, gen); i < len(pids); i = countCJK(c.mark, parts, pids, i, dt, gen) {
		if pid := pids[i]; pid != noPID {
			// Its partition is full.
			p := &parts[pid&partMask]
			*p = slices.Grow(*p, len(*p)+16)
			continue
		}
		ents = c.countOther(d, ents, keys[i], gen)
		i++
	}
	return ents
}

// countCJK counts, for countDirect, the terms of pids[i:] up to the first
// noPID or the first whose posting its partition has no room for, whose
// index it returns (len(pids) if none): their postings (of dt's document)
// go to parts.
//
// Frozen (see the package doc): no more register-pressure changes.
//
//go:noinline
func countCJK(mark []uint64, parts *[numParts][]partEntry, pids []uint32, i int, dt uint32, gen uint64) int {
	for ; i < len(pids); i++ {
		pid := pids[i]
		if pid == noPID {
			break
		}
		m := &mark[pid]
		p := &parts[pid&partMask]
		if *m&^0xFFFFFFFF == gen {
			(*p)[uint32(*m)].dt++
		} else {
			l := len(*p)
			if l == cap(*p) {
				break
			}
			*m = gen | uint64(l)
			*p = (*p)[:l+1]
			(*p)[l] = partEntry{pid, dt}
		}
	}
	return i
}

// resolveCJK sets pids[i] to the posting id of keys[i] when it is a CJK
// bigram or unigram in d, to noPID otherwise.
//
// Frozen (see the package doc): no more register-pressure changes.
func resolveCJK(d *dict, keys []uint64, pids []uint32) {
	pids = pids[:len(keys)]
	slots, sh := d.bi.slots, d.bi.shift&63
	smask := uint64(len(slots) - 1)
	uni := d.uni // nil until the dictionary has a CJK unigram
	for i, k := range keys {
		pid := uint32(noPID)
		if u1, lo := uint32(k>>32)-uniFirst, uint32(k); u1 <= uniLast-uniFirst {
			if u2 := lo - uniFirst; u2 <= uniLast-uniFirst {
				key := u1<<15 | u2 + 1
				for h := (uint64(key) * 0x9E3779B97F4A7C15) >> sh; ; h = (h + 1) & smask {
					if s := slots[h]; s.key == key {
						pid = s.val
						break
					} else if s.key == 0 {
						break
					}
				}
			} else if lo == uniMark && uni != nil {
				pid = uni[u1] - 1 // noPID when uni[u1] is 0
			}
		}
		pids[i] = pid
	}
}

// cjkMark returns the posting id of k and where its mark is when k is a
// CJK bigram (marked by posting id) or unigram (marked by rune) in d;
// uni is d.uni.
func cjkMark(d *dict, mark []uint64, umark *[numUni]uint64, uni *[numUni]uint32, k uint64) (m *uint64, pid uint32, ok bool) {
	u1, lo := uint32(k>>32)-uniFirst, uint32(k)
	if u1 > uniLast-uniFirst {
		return nil, 0, false
	}
	if u2 := lo - uniFirst; u2 <= uniLast-uniFirst {
		if pid, ok = d.bi.get(u1<<15 | u2 + 1); ok {
			return &mark[pid], pid, true
		}
		return nil, 0, false
	}
	if lo != uniMark || uni == nil || uni[u1] == 0 {
		return nil, 0, false
	}
	return &umark[u1], uni[u1] - 1, true
}

// countOther counts, for addResolved, a term that is not a CJK unigram
// or bigram in the dictionary: a longer term (key 0, the next of
// c.long), another short term, or a term not in the dictionary.
//
//go:noinline
func (c *counter) countOther(d *dict, ents []entry, k uint64, gen uint64) []entry {
	var pid uint32
	var ok bool
	if k == 0 {
		// countAll and countDirect leave every key 0 to this function,
		// so this is the li-th of c.long.
		li := c.li
		c.li++
		t := c.long[li]
		if pid, ok = d.long[t]; !ok {
			if i, seen := c.longIdx[t]; seen {
				ents[i].tf++
			} else {
				c.longIdx[t] = int32(len(ents))
				ents = append(ents, entry{key: longKey | uint64(li), pid: noPID, tf: 1})
			}
			return ents
		}
	} else {
		pid, ok = d.getShort(k)
	}
	if ok {
		if m := c.mark[pid]; m&^0xFFFFFFFF == gen {
			ents[uint32(m)].tf++
		} else {
			c.mark[pid] = gen | uint64(len(ents))
			ents = append(ents, entry{pid: pid, tf: 1})
		}
		return ents
	}
	slots := c.slots
	mask := uint64(len(slots) - 1)
	for s := (k * 0x9E3779B97F4A7C15) >> 40 & mask; ; s = (s + 1) & mask {
		i := slots[s]
		if i == 0 {
			slots[s] = int32(len(ents)) + 1
			c.touched = append(c.touched, int(s))
			return append(ents, entry{key: k, pid: noPID, tf: 1})
		}
		if e := &ents[i-1]; e.pid == noPID && e.key == k {
			e.tf++
			return ents
		}
	}
}

// emitOther adds, for addResolved, entry i of the text (document-field
// j): a posting whose frequency a partEntry cannot hold, or a term not in
// the dictionary yet.
//
//go:noinline
func (c *counter) emitOther(a *analyzed, e entry, doc, j uint32, i int) {
	if e.pid != noPID {
		a.parts[e.pid&partMask] = append(a.parts[e.pid&partMask], a.part(e.pid, doc, e.tf))
		return
	}
	key := e.key
	if key&longKey != 0 {
		key = longKey | uint64(len(a.long))
		a.long = append(a.long, c.long[e.key&^longKey])
	}
	a.news = append(a.news, newEntry{key: key, j: j, tf: e.tf, vec: len(a.pids) + i})
}

// lookup finds the posting id of entry j of a in the dictionary of field f.
func (ix *Index) lookup(f int, a *analyzed, j int) (uint32, bool) {
	return ix.lookupKey(f, a.keys[j], a.long)
}

// lookupKey finds the posting id of the term of key k (longKey|i for
// long[i]) in the dictionary of field f.
func (ix *Index) lookupKey(f int, k uint64, long []string) (uint32, bool) {
	if k&longKey != 0 {
		pid, ok := ix.dict[f].long[long[k&^longKey]]
		return pid, ok
	}
	return ix.dict[f].getShort(k)
}

// insert adds document i of a under id; the caller holds the write lock
// and has checked id and the number of texts. It resolves terms itself.
func (ix *Index) insert(id string, a *analyzed, i int) error {
	if old, ok := ix.ids.lookup(id); ok {
		ix.deleteDoc(old)
	}
	if ix.ids.n() >= math.MaxUint32-1 || len(ix.ids.buf)+len(id) > math.MaxUint32 {
		return fmt.Errorf("%w: index full", ErrInvalid)
	}
	doc := ix.ids.add(id)
	nf := len(ix.fields)
	ix.addLens(a.lens[i*nf : (i+1)*nf])
	var vec []byte
	for f := range nf {
		lo, hi := a.span(i*nf + f)
		n := a.lens[i*nf+f]
		for e := lo; e < hi; e++ {
			pid, ok := ix.lookup(f, a, e)
			if !ok {
				pid = ix.newTerm(f, a.keys[e], a.long)
			}
			ix.post[pid].add(doc, a.tfs[e], n)
			if ix.keepVec {
				vec = appendUvarint(appendUvarint(vec, uint64(pid)), uint64(a.tfs[e]))
			}
		}
	}
	if ix.keepVec {
		ix.vecs = append(ix.vecs, vec)
	}
	return nil
}

// addLens records the field lengths of documents the id table has just
// numbered: lens holds len(ix.fields) per document.
func (ix *Index) addLens(lens []uint32) {
	ix.trimmed = false
	nf := len(ix.fields)
	ix.lens = append(ix.lens, lens...)
	for j, n := range lens {
		ix.sumLen[j%nf] += uint64(n)
	}
	ix.live += len(lens) / nf
	for len(ix.deleted)*64 < ix.ids.n() {
		ix.deleted = append(ix.deleted, 0)
	}
}

// newTerm adds the term of key k (longKey|i for long[i]) to the
// dictionary of field f.
func (ix *Index) newTerm(f int, k uint64, long []string) uint32 {
	pid := uint32(len(ix.post))
	d := &ix.dict[f]
	var term string
	if k&longKey == 0 {
		term = analysis.KeyTerm(k)
		d.setShort(k, pid)
	} else {
		term = strings.Clone(long[k&^longKey])
		d.long[term] = pid
	}
	ix.terms = append(ix.terms, term)
	ix.tfld = append(ix.tfld, uint8(f))
	ix.post = append(ix.post, postings{minLen: math.MaxUint16, blkMinLen: math.MaxUint16})
	return pid
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

const (
	// batchChunk is how many documents a goroutine of PutBatch analyzes
	// at a time.
	batchChunk = 64
	// windowChunks is how many chunks PutBatch analyzes before it
	// inserts them.
	windowChunks = 128
)

// PutBatch adds the documents in order, as Put would one by one (a later
// document replaces an earlier one with the same id), but on all cores,
// which is much faster for a bulk load. It checks every document before
// changing anything. Readers may see a batch partly applied; they are let
// in between windows of up to 8,192 documents.
//
// The documents go in windows, which grow from 64 documents to the full
// size (the terms of the first documents are all new). All goroutines
// analyze the chunks of a window, looking each term up in the dictionary
// as they count it (which only writers change, and they are excluded),
// and look its documents' ids up; then, under the write lock, one
// goroutine numbers the documents and adds the new terms, and the
// goroutines append the postings, each to its own share of the posting
// lists, after sorting its share of the window's postings by term so
// that each list is extended once per window, while the next window is
// analyzed. A window in which a document replaces another is inserted
// one document at a time, exactly as Put does. A large batch ends by
// trimming the spare capacity of the posting lists, as Compact does.
func (ix *Index) PutBatch(docs []Doc) error {
	for i, d := range docs {
		if err := ix.check(d.ID, d.Texts); err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
	}
	if len(docs) == 0 {
		return nil
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	idLen := 0
	for _, d := range docs[:min(len(docs), 64)] {
		idLen += len(d.ID)
	}
	ix.mu.Lock()
	ix.ids.reserve(len(docs), idLen/min(len(docs), 64)+1)
	ix.mu.Unlock()
	const size = windowChunks * batchChunk
	// Windows grow from one chunk to the full size: the terms of the
	// first documents are new, and a new term is added by one goroutine
	// (b.number), so the first windows are small.
	bounds := []int{0}
	for n := batchChunk; bounds[len(bounds)-1] < len(docs); n = min(8*n, size) {
		bounds = append(bounds, min(len(docs), bounds[len(bounds)-1]+n))
	}
	nw := len(bounds) - 1
	window := func(w int) []Doc { return docs[bounds[w]:bounds[w+1]] }
	nch := min(windowChunks, (len(docs)+batchChunk-1)/batchChunk)
	workers := max(1, min(runtime.GOMAXPROCS(0), nch))
	b := &batch{ix: ix, counters: make([]*counter, workers)}
	for w := range workers {
		b.counters[w] = newCounter(ix.an)
	}
	b.inserters = make([]inserter, workers)
	b.chunks = [2][]analyzed{make([]analyzed, nch), make([]analyzed, nch)}
	b.tasks(nil, 0, 0, window(0), b.chunks[0][:chunksOf(window(0))])
	for w := range nw {
		cur := b.chunks[w%2][:chunksOf(window(w))]
		var nextDocs []Doc
		var next []analyzed
		if w+1 < nw {
			nextDocs = window(w + 1)
			next = b.chunks[(w+1)%2][:chunksOf(nextDocs)]
		}
		ix.mu.Lock()
		if b.replaces(window(w), cur) {
			err := b.oneByOne(window(w))
			ix.mu.Unlock()
			if err != nil {
				return err
			}
			// The next window's terms are looked up only now: inserting
			// one by one may have compacted the index.
			b.tasks(nil, 0, 0, nextDocs, next)
			continue
		}
		first := b.number(window(w), cur)
		// The postings of this window go in while the next window is
		// analyzed: that only reads the dictionary, complete now.
		b.tasks(cur, first, len(docs)-bounds[w+1], nextDocs, next)
		ix.mu.Unlock()
	}
	if len(docs) >= size && 4*len(docs) >= ix.ids.n() {
		// The lists grew by doubling: give back their spare capacity.
		ix.mu.Lock()
		ix.trim()
		ix.mu.Unlock()
	}
	return nil
}

func chunksOf(docs []Doc) int { return (len(docs) + batchChunk - 1) / batchChunk }

// batch is the state of one PutBatch.
type batch struct {
	ix       *Index
	counters []*counter // one per goroutine
	// inserters[w] is goroutine w's scratch for inserting partitions.
	inserters []inserter
	chunks    [2][]analyzed // of the current and the next window
	seen      []int32       // replaces' table
	// lens[f][i] is the length in field f of document i of the window
	// being inserted, at most math.MaxUint16: addRun's lengths.
	lens []*windowLens
}

// A partition is a share of the posting lists while a window is
// inserted: the lists whose posting ids end in its number in partBits
// bits. There are several per goroutine, handed out as they finish, so
// that a goroutine held up (by another process on the machine) does not
// hold the others up; and their number is a constant, which spares the
// hot loops a register.
const (
	partBits = 4
	numParts = 1 << partBits
	partMask = numParts - 1
)

// An inserter inserts partitions, one at a time.
type inserter struct {
	cnt     []uint32 // by pid >> partBits: postings in the window, then offsets
	touched []uint32
	buf     []pending
	bigs    []uint32 // a list's frequencies that its pendings cannot hold
}

// tasks inserts the postings of the window cur (documents numbered from
// first; the batch has after documents more) and
// analyzes the documents of the next window into next, on all
// goroutines. Either may be empty.
func (b *batch) tasks(cur []analyzed, first uint32, after int, nextDocs []Doc, next []analyzed) {
	ix := b.ix
	np := 0
	if len(cur) > 0 {
		np = numParts
	}
	n := np + len(next)
	var task atomic.Int64
	work := func(w int) {
		for {
			t := int(task.Add(1) - 1)
			if t >= n {
				return
			}
			if t < np {
				b.inserters[w].insert(ix, cur, first, uint32(t), after, b.lens)
				continue
			}
			ch := t - np
			a := &next[ch]
			a.reset()
			docs := nextDocs[ch*batchChunk : min(len(nextDocs), (ch+1)*batchChunk)]
			a.reserve(docs, len(ix.fields), ix.keepVec)
			c := b.counters[w]
			for i, d := range docs {
				for f, t := range d.Texts {
					c.addResolved(ix, a, f, uint32(i), t)
				}
			}
			// The ids too are looked up here rather than one by one
			// when the window is numbered (the table only changes then).
			a.hashes, a.known = a.hashes[:0], false
			for _, d := range docs {
				h := ix.ids.hash(d.ID)
				a.hashes = append(a.hashes, h)
				if _, ok := ix.ids.lookupHash(d.ID, h); ok {
					a.known = true
				}
			}
		}
	}
	workers := min(len(b.counters), n)
	if workers <= 1 {
		work(0)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { work(w) })
	}
	wg.Wait()
}

// oneByOne inserts the window as Put would, document by document (and
// analyzes each document again, as Put does: inserting one may add terms
// or compact the index).
func (b *batch) oneByOne(docs []Doc) error {
	ix := b.ix
	for _, d := range docs {
		ix.wa.reset()
		ix.writerCounter().addDoc(&ix.wa, d.Texts)
		if err := ix.insert(d.ID, &ix.wa, 0); err != nil {
			return err
		}
	}
	return nil
}

// number adds the documents of the window and its new terms, completes
// the partitions of the chunks with the postings of those terms and
// returns the number of the window's first document.
func (b *batch) number(docs []Doc, chunks []analyzed) uint32 {
	ix := b.ix
	first := uint32(ix.ids.n())
	nf := len(ix.fields)
	if len(b.lens) != nf {
		b.lens = make([]*windowLens, nf)
		for f := range b.lens {
			b.lens[f] = new(windowLens)
		}
	}
	n0 := 0 // the window's documents before the chunk
	for ch := range chunks {
		a := &chunks[ch]
		for i, d := range docs[ch*batchChunk : min(len(docs), (ch+1)*batchChunk)] {
			ix.ids.addHash(d.ID, a.hashes[i])
		}
		ix.addLens(a.lens)
		for j, n := range a.lens {
			b.lens[j%nf][n0+j/nf] = sat16(n)
		}
		n0 += len(a.lens) / nf
		for _, n := range a.news {
			f := int(n.j) % nf
			pid, ok := ix.lookupKey(f, n.key, a.long)
			if !ok {
				pid = ix.newTerm(f, n.key, a.long)
			}
			if ix.keepVec {
				a.pids[n.vec] = pid
			}
			// After the chunk's resolved postings of its partition: they
			// belong to other lists, all of whose postings in the chunk
			// were resolved, so each list stays in document order.
			a.parts[pid&partMask] = append(a.parts[pid&partMask], a.part(pid, n.j/uint32(nf), n.tf))
		}
	}
	if ix.keepVec {
		for ch := range chunks {
			a := &chunks[ch]
			for i := range len(a.end) / nf {
				var vec []byte
				lo, _ := a.span(i * nf)
				_, hi := a.span(i*nf + nf - 1)
				for e := lo; e < hi; e++ {
					vec = appendUvarint(appendUvarint(vec, uint64(a.pids[e])), uint64(a.tfs[e]))
				}
				ix.vecs = append(ix.vecs, vec)
			}
		}
	}
	return first
}

// replaces reports whether a document of the window (analyzed into
// chunks) has the id of an indexed document or of an earlier one in the
// window, or whether the window would overflow the index: such a window
// goes one document at a time.
func (b *batch) replaces(docs []Doc, chunks []analyzed) bool {
	ix := b.ix
	if ix.ids.n()+len(docs) >= math.MaxUint32-1 {
		return true
	}
	for ch := range chunks {
		if chunks[ch].known {
			return true
		}
	}
	// Ids repeated in the window: an open-addressing table of document
	// numbers (+1) by the ids' hashes.
	size := 16
	for size < 2*len(docs) {
		size *= 2
	}
	if len(b.seen) != size {
		b.seen = make([]int32, size)
	}
	clear(b.seen)
	mask := uint64(size - 1)
	n := len(ix.ids.buf)
	for i, d := range docs {
		h := chunks[i/batchChunk].hashes[i%batchChunk]
		for s := h & mask; ; s = (s + 1) & mask {
			j := b.seen[s]
			if j == 0 {
				b.seen[s] = int32(i) + 1
				break
			}
			if docs[j-1].ID == d.ID {
				return true
			}
		}
		n += len(d.ID)
	}
	return n > math.MaxUint32
}

// insert appends the postings of the window in partition w of numParts
// (posting ids that end in w); the window's documents are numbered from
// first, chunk by chunk, and lens[f] holds their lengths in field f. The
// batch has after documents more: a list that must grow grows for its
// share of them.
func (p *inserter) insert(ix *Index, chunks []analyzed, first uint32, w uint32, after int, lens []*windowLens) {
	nslot := (len(ix.post) >> partBits) + 1
	if len(p.cnt) < nslot {
		p.cnt = append(p.cnt, make([]uint32, nslot-len(p.cnt))...)
	}
	cnt := p.cnt
	// countPart and scatter call nothing: touched has room for every list
	// of the partition, and the frequencies a partEntry cannot hold are
	// put in afterwards. They are functions of their own so that their
	// few variables stay in registers.
	if cap(p.touched) < nslot {
		p.touched = make([]uint32, nslot)
	}
	touched := p.touched[:nslot]
	nt := 0
	total, big := 0, false
	for ch := range chunks {
		nt = countPart(cnt, touched, nt, chunks[ch].parts[w])
		total += len(chunks[ch].parts[w])
		big = big || len(chunks[ch].big) > 0
	}
	touched = touched[:nt]
	p.touched = touched
	off := uint32(0)
	for _, pid := range p.touched {
		s := pid >> partBits
		c := cnt[s]
		cnt[s] = off
		off += c
	}
	if cap(p.buf) < total {
		p.buf = make([]pending, total+total/4) // windows vary: some room
	}
	buf := p.buf[:total]
	for ch := range chunks {
		// A partEntry's document is its offset in the chunk.
		scatter(cnt, buf, chunks[ch].parts[w], uint32(ch)<<(tfBits+bits.Len(batchChunk-1)))
	}
	start := uint32(0)
	for _, pid := range p.touched {
		s := pid >> partBits
		end := cnt[s]
		cnt[s] = 0
		// The list's share of the documents after the window, at most
		// eight times its size: a term seen in a few of the first
		// documents may be rare.
		l := &ix.post[pid]
		df := uint64(l.df + end - start)
		var bigs []uint32
		if big {
			bigs = p.bigTFs(chunks, pid, buf[start:end])
		}
		l.addRun(buf[start:end], bigs, lens[ix.tfld[pid]], first, int(min(df*uint64(after)/uint64(ix.ids.n()), 8*df)))
		start = end
	}
	if cap(p.buf) > 1<<22 {
		p.buf = nil
	}
}

// countPart counts the postings of part by list in cnt (by pid >>
// partBits), listing in touched[nt:] the lists first counted, and
// returns the new nt.
//
// Frozen (see the package doc): no more register-pressure changes.
//
//go:noinline
func countPart(cnt, touched []uint32, nt int, part []partEntry) int {
	for _, e := range part {
		s := e.pid >> partBits
		c := cnt[s]
		if c == 0 {
			touched[nt] = e.pid
			nt++
		}
		cnt[s] = c + 1
	}
	return nt
}

// scatter puts the postings of part, of the chunk whose documents start
// at offset off<<tfBits in the window, at the places in buf that cnt
// gives their lists, and moves those on.
//
// Frozen (see the package doc): no more register-pressure changes.
//
//go:noinline
func scatter(cnt []uint32, buf []pending, part []partEntry, off uint32) {
	for _, e := range part {
		s := e.pid >> partBits
		c := cnt[s]
		buf[c] = pending(off + e.dt)
		cnt[s] = c + 1
	}
}

// bigTFs returns, in order, the frequencies of the postings of list pid
// in run (one list's share of the window's scatter) that their pendings
// cannot hold: addRun's bigs.
func (p *inserter) bigTFs(chunks []analyzed, pid uint32, run []pending) []uint32 {
	p.bigs = p.bigs[:0]
	for _, e := range run {
		if uint32(e)&tfMask == 0 {
			off := e.off()
			a := &chunks[off/batchChunk]
			p.bigs = append(p.bigs, a.bigTF(partEntry{pid, off % batchChunk << tfBits}))
		}
	}
	return p.bigs
}

func (ix *Index) writerCounter() *counter {
	if ix.wc == nil {
		ix.wc = newCounter(ix.an)
	}
	return ix.wc
}
