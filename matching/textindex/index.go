package textindex

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/kexie/techbroker/matching/analysis"
)

// Errors returned by the index; match them with errors.Is.
var (
	ErrInvalid = errors.New("textindex: invalid argument")
	ErrCorrupt = errors.New("textindex: corrupt snapshot")
)

// FieldOptions names a field and its boost.
type FieldOptions struct {
	Name  string
	Boost float64 // 0 means 1
}

// Options configure an Index. Nil or zero values mean defaults.
type Options struct {
	// Fields in the order Put takes their texts. Default: one field "text".
	Fields []FieldOptions
	// K1 is BM25's term-frequency saturation (default 1.2).
	K1 float64
	// B is BM25's length normalization, 0..1 (default 0.75).
	B float64
	// Analyzer turns text into terms (default analysis.New(nil)).
	Analyzer *analysis.Analyzer
	// KeepVectors keeps each document's terms (a forward index), which
	// DocVector needs, at the cost of about as much memory again as the
	// postings.
	KeepVectors bool
}

const blockSize = 128

// skip describes one full block of postings.
type skip struct {
	lastDoc uint32 // last document of the block
	end     uint32 // byte offset just after the block
	maxTF   uint16 // largest tf in the block (saturated)
	minLen  uint16 // smallest field length in the block (saturated)
}

// postings is the list of one (field, term) pair. It is kept small: most
// terms are rare, so per-term overhead matters as much as posting size.
type postings struct {
	data   []byte  // per document: uvarint(delta<<1 | tf==1) [uvarint(tf)]
	skips  *[]skip // one per full block; nil until the first block fills
	df     uint32  // documents in the list, deleted ones included
	last   uint32  // last document appended
	maxTF  uint16  // saturated
	minLen uint16  // saturated
	// running bounds of the block being filled
	blkMaxTF  uint16
	blkMinLen uint16
}

// skipList returns the skips of p (nil when none).
func (p *postings) skipList() []skip {
	if p.skips == nil {
		return nil
	}
	return *p.skips
}

// Index is an in-memory BM25 index. The zero value is not usable; call New.
type Index struct {
	wmu      sync.Mutex   // serializes writers; taken before mu
	mu       sync.RWMutex // readers, and writers while they change the index
	an       *analysis.Analyzer
	k1, b    float64
	fields   []FieldOptions
	fieldIdx map[string]int

	dict  []dict   // per field: term -> posting id
	terms []string // posting id -> term
	tfld  []uint8  // posting id -> field
	post  []postings

	ids     idTable  // doc <-> external id
	lens    []uint32 // doc*nf + f
	deleted []uint64 // bitset
	live    int
	sumLen  []uint64 // per field, live documents only
	keepVec bool
	vecs    [][]byte // doc -> uvarint (pid, tf) pairs, when keepVec
	tags    []uint32 // doc -> tag (SetTag); shorter when the last documents have none
	trimmed bool     // no list has spare capacity (trim ran, nothing added since)

	// writer scratch
	wc *counter
	wa analyzed

	pool sync.Pool // *scratch
}

// New returns an empty index.
func New(opts *Options) (*Index, error) {
	if opts == nil {
		opts = &Options{}
	}
	ix := &Index{k1: opts.K1, b: opts.B, an: opts.Analyzer, keepVec: opts.KeepVectors, fieldIdx: map[string]int{}, ids: newIDTable()}
	if ix.k1 == 0 {
		ix.k1 = 1.2
	}
	if ix.b == 0 {
		ix.b = 0.75
	}
	if ix.k1 < 0 || math.IsNaN(ix.k1) || math.IsInf(ix.k1, 0) {
		return nil, fmt.Errorf("%w: K1 = %v, want a finite value ≥ 0", ErrInvalid, opts.K1)
	}
	if ix.b < 0 || ix.b > 1 || math.IsNaN(ix.b) {
		return nil, fmt.Errorf("%w: B = %v, want 0..1", ErrInvalid, opts.B)
	}
	if ix.an == nil {
		ix.an = analysis.New(nil)
	}
	fields := opts.Fields
	if len(fields) == 0 {
		fields = []FieldOptions{{Name: "text"}}
	}
	if len(fields) > 255 {
		return nil, fmt.Errorf("%w: %d fields, want at most 255", ErrInvalid, len(fields))
	}
	for _, f := range fields {
		if f.Boost == 0 {
			f.Boost = 1
		}
		if f.Name == "" || f.Boost < 0 || math.IsNaN(f.Boost) || math.IsInf(f.Boost, 0) {
			return nil, fmt.Errorf("%w: field %q with boost %v", ErrInvalid, f.Name, f.Boost)
		}
		if _, dup := ix.fieldIdx[f.Name]; dup {
			return nil, fmt.Errorf("%w: field %q twice", ErrInvalid, f.Name)
		}
		ix.fieldIdx[f.Name] = len(ix.fields)
		ix.fields = append(ix.fields, f)
		ix.dict = append(ix.dict, newDict())
	}
	ix.sumLen = make([]uint64, len(ix.fields))
	return ix, nil
}

// Analyzer returns the index's analyzer.
func (ix *Index) Analyzer() *analysis.Analyzer { return ix.an }

// Fields returns the field names in order.
func (ix *Index) Fields() []string {
	out := make([]string, len(ix.fields))
	for i, f := range ix.fields {
		out[i] = f.Name
	}
	return out
}

// Params returns the BM25 parameters k1 and b and the field boosts, in
// field order, as one comparable value.
func (ix *Index) Params() string {
	s := fmt.Sprintf("k1=%g b=%g", ix.k1, ix.b)
	for _, f := range ix.fields {
		s += fmt.Sprintf(" %s^%g", f.Name, f.Boost)
	}
	return s
}

// KeepsVectors reports whether the index keeps a forward index
// (Options.KeepVectors).
func (ix *Index) KeepsVectors() bool { return ix.keepVec }

// SetTag gives the document with this id a tag, a number of the caller's
// that Query.Filter and Each see instead of the id (for example the
// position of the document's attributes in a table of the caller's), and
// reports whether the document is there. A document put again (Put,
// PutBatch) loses its tag; compaction keeps it; snapshots do not hold
// tags.
func (ix *Index) SetTag(id string, tag uint32) bool {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	doc, ok := ix.ids.lookup(id)
	if !ok {
		return false
	}
	if int(doc) >= len(ix.tags) {
		ix.tags = append(ix.tags, make([]uint32, int(doc)+1-len(ix.tags))...)
	}
	ix.tags[doc] = tag
	return true
}

// tag is document doc's tag (0 when it has none).
func (ix *Index) tag(doc uint32) uint32 {
	if int(doc) < len(ix.tags) {
		return ix.tags[doc]
	}
	return 0
}

// Len returns the number of live documents.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Has reports whether a document with this id is indexed.
func (ix *Index) Has(id string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.ids.lookup(id)
	return ok
}

// AvgLen returns the mean length, in terms, of a field over the live
// documents (0 when empty or when the field does not exist).
func (ix *Index) AvgLen(field string) float64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	f, ok := ix.fieldIdx[field]
	if !ok || ix.live == 0 {
		return 0
	}
	return float64(ix.sumLen[f]) / float64(ix.live)
}

// Put adds the document, replacing any document with the same id. texts
// holds one text per field, in the order of Options.Fields.
func (ix *Index) Put(id string, texts ...string) error {
	if err := ix.check(id, texts); err != nil {
		return err
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	// Analysis needs no lock: only writers use the scratch.
	ix.wa.reset()
	ix.writerCounter().addDoc(&ix.wa, texts)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.insert(id, &ix.wa, 0)
}

// tailStart returns the byte offset of the postings after the last full
// block.
func (p *postings) tailStart() int {
	if p.skips == nil || len(*p.skips) == 0 {
		return 0
	}
	s := *p.skips
	return int(s[len(s)-1].end)
}

// pending is a posting waiting to be appended by addRun, of a document
// of a window of PutBatch: the document's offset in the window (from
// addRun's base) in the high windowBits bits, its frequency in the low
// tfBits, or 0 for a frequency of tfMask or more, which addRun takes from
// its bigs. Four bytes rather than eight halve the memory the inserters
// scatter the window's postings into.
type pending uint32

const (
	tfBits     = 32 - windowBits
	tfMask     = 1<<tfBits - 1
	windowBits = 13 // a window has at most 1<<windowBits documents
)

// windowLens holds the lengths of the documents of a window in one
// field, by offset, at most math.MaxUint16.
type windowLens [1 << windowBits]uint16

func (e pending) off() uint32 { return uint32(e) >> tfBits }

// addRun appends postings in increasing document order, all after p.last,
// as add would one by one, but packs whole blocks straight from run
// without encoding them as varints first, and grows p.data at most once
// per block (doubling, since a bulk load is trimmed afterwards). The
// postings are of documents base + their offsets; bigs holds, in order,
// the frequencies of those of them that hold 0. The length of document
// base+i in the list's field is lens[i]: the caller gathers the lengths
// of the window in a small array, which stays in the cache.
//
// more is how many postings more the caller expects to add later (a
// guess): when the list must grow, it grows for those too.
func (p *postings) addRun(run []pending, bigs []uint32, lens *windowLens, base uint32, more int) {
	// Room for the run and the postings expected later, at the list's
	// own size per posting (two bytes while it is short), growing by at
	// least a quarter. (appendTail and writeBits grow the list further
	// should the run need more.)
	per := 2.0
	if p.df >= blockSize {
		per = 1.125 * float64(len(p.data)) / float64(p.df)
	}
	if need := int(per*float64(len(run))) + 2*binary.MaxVarintLen32; cap(p.data)-len(p.data) < need {
		grown := make([]byte, len(p.data), len(p.data)+max(len(p.data)/4, need+int(per*float64(more))))
		copy(grown, p.data)
		p.data = grown
	}
	for len(run) > 0 {
		t := int(p.df % blockSize)
		if t+len(run) < blockSize {
			p.appendTail(run, bigs, lens, base)
			return
		}
		// Complete a block: the tail's postings, then the run's.
		var deltas, tfs [blockSize]uint32
		start := p.tailStart()
		maxD, maxT := readVarints(deltas[:t], tfs[:t], p.data[start:])
		runMaxD, runMaxT, minLen, last := fillBlock(deltas[t:], tfs[t:], run[:blockSize-t], lens, p.last-base, p.blkMinLen)
		if runMaxT == math.MaxUint32 {
			runMaxT, bigs = putBigs(tfs[t:], bigs)
		}
		maxD = max(maxD, runMaxD)
		maxT = max(maxT, runMaxT)
		maxTF := max(p.blkMaxTF, sat16(runMaxT+1))
		p.last = base + last
		p.maxTF, p.minLen = max(p.maxTF, maxTF), min(p.minLen, minLen)
		p.writeBits(start, &deltas, &tfs, maxD, maxT)
		p.df += uint32(blockSize - t)
		if p.skips == nil {
			p.skips = new([]skip)
		}
		*p.skips = append(*p.skips, skip{lastDoc: p.last, end: uint32(len(p.data)), maxTF: maxTF, minLen: minLen})
		p.blkMaxTF, p.blkMinLen = 0, math.MaxUint16
		run = run[blockSize-t:]
	}
}

// appendTail appends run, which does not complete a block, to the tail
// of p as varints; bigs, lens and base are addRun's.
func (p *postings) appendTail(run []pending, bigs []uint32, lens *windowLens, base uint32) {
	n := len(p.data)
	last := p.last - base // wraps for a first posting; the deltas do not
	maxTF, minLen := p.blkMaxTF, p.blkMinLen
	for i := 0; ; {
		var done int
		n, done, last, maxTF, minLen, bigs = encodeTail(p.data[:cap(p.data)], n, run[i:], bigs, lens, last, maxTF, minLen)
		if i += done; i == len(run) {
			break
		}
		// Room for the rest at two bytes a posting (addRun has made room
		// for as much; a list with wider gaps grows again).
		p.data = p.data[:n]
		p.grow(2*(len(run)-i) + 2*binary.MaxVarintLen32)
	}
	p.data = p.data[:n]
	p.last = base + last
	p.df += uint32(len(run))
	p.blkMaxTF, p.blkMinLen = maxTF, minLen
	p.maxTF, p.minLen = max(p.maxTF, maxTF), min(p.minLen, minLen)
}

// fillBlock puts the postings of run (of documents base + their
// offsets, after the document at offset last) in d and tf1, as gaps and
// tf−1, and returns their largest gap and tf−1, the least of minLen and
// their lengths, and the offset of the last. A posting whose frequency is
// in addRun's bigs gets a tf−1 of math.MaxUint32, which addRun replaces.
//
// Frozen (see the package doc): no more register-pressure changes.
//
//go:noinline
func fillBlock(d, tf1 []uint32, run []pending, lens *windowLens, last uint32, minLen uint16) (maxD, maxT uint32, _ uint16, _ uint32) {
	d, tf1 = d[:len(run)], tf1[:len(run)]
	for i, e := range run {
		off := e.off()
		d[i], tf1[i] = off-last, uint32(e)&tfMask-1
		last = off
		minLen = min(minLen, lens[off&(1<<windowBits-1)])
	}
	for i := range d {
		maxD, maxT = max(maxD, d[i]), max(maxT, tf1[i])
	}
	return maxD, maxT, minLen, last
}

// putBigs replaces the tf−1 values of math.MaxUint32 that fillBlock put
// in tf1 by the first of bigs, and returns the largest tf−1 and the rest
// of bigs.
func putBigs(tf1, bigs []uint32) (maxT uint32, _ []uint32) {
	for i, x := range tf1 {
		if x == math.MaxUint32 {
			if len(bigs) == 0 {
				panic("textindex: posting without a frequency") // a bug, not bad data
			}
			x, bigs = bigs[0]-1, bigs[1:]
			tf1[i] = x
		}
		maxT = max(maxT, x)
	}
	return maxT, bigs
}

// encodeTail writes the postings of run as varints to data[n:], as far
// as data has room for a posting's two varints, and returns the new n,
// how many postings it wrote, and last, maxTF, minLen and bigs updated
// (see appendTail).
//
// Frozen (see the package doc): no more register-pressure changes.
func encodeTail(data []byte, n int, run []pending, bigs []uint32, lens *windowLens, last uint32, maxTF, minLen uint16) (_ int, done int, _ uint32, _, _ uint16, _ []uint32) {
	for ; done < len(run) && len(data)-n >= 2*binary.MaxVarintLen32; done++ {
		e := run[done]
		off, tf := e.off(), uint32(e)&tfMask
		if tf == 0 {
			tf, bigs = bigs[0], bigs[1:]
		}
		v := uint64(off-last) << 1
		if tf == 1 {
			v |= 1
		}
		for v >= 0x80 {
			data[n] = byte(v) | 0x80
			v >>= 7
			n++
		}
		data[n] = byte(v)
		n++
		if tf != 1 {
			for v = uint64(tf); v >= 0x80; v >>= 7 {
				data[n] = byte(v) | 0x80
				n++
			}
			data[n] = byte(v)
			n++
		}
		last = off
		maxTF = max(maxTF, sat16(tf))
		minLen = min(minLen, lens[off&(1<<windowBits-1)])
	}
	return n, done, last, maxTF, minLen, bigs
}

// grow makes room for need more bytes, at least doubling p.data.
func (p *postings) grow(need int) {
	grown := make([]byte, len(p.data), len(p.data)+max(len(p.data), need))
	copy(grown, p.data)
	p.data = grown
}

func (p *postings) add(doc, tf, length uint32) {
	if cap(p.data)-len(p.data) < 2*binary.MaxVarintLen32 {
		// Grow by a quarter rather than append's doubling: postings are
		// most of the memory, and unused capacity would be a third of it.
		// The room for a few postings more keeps a rare term from
		// reallocating at every posting.
		n := len(p.data) + max(len(p.data)/4, 4*binary.MaxVarintLen32)
		grown := make([]byte, len(p.data), n)
		copy(grown, p.data)
		p.data = grown
	}
	delta := doc - p.last
	if p.df == 0 {
		delta = doc
	}
	if tf == 1 {
		p.data = appendUvarint(p.data, uint64(delta)<<1|1)
	} else {
		p.data = appendUvarint(p.data, uint64(delta)<<1)
		p.data = appendUvarint(p.data, uint64(tf))
	}
	p.last = doc
	p.df++
	t, l := sat16(tf), sat16(length)
	p.maxTF = max(p.maxTF, t)
	p.minLen = min(p.minLen, l)
	p.blkMaxTF = max(p.blkMaxTF, t)
	p.blkMinLen = min(p.blkMinLen, l)
	if p.df%blockSize == 0 {
		if p.skips == nil {
			p.skips = new([]skip)
		}
		start := 0
		if n := len(*p.skips); n > 0 {
			start = int((*p.skips)[n-1].end)
		}
		p.packBlock(start)
		*p.skips = append(*p.skips, skip{lastDoc: doc, end: uint32(len(p.data)), maxTF: p.blkMaxTF, minLen: p.blkMinLen})
		p.blkMaxTF, p.blkMinLen = 0, math.MaxUint16
	}
}

func sat16(v uint32) uint16 {
	if v > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(v)
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// Delete removes the document and reports whether it was there.
func (ix *Index) Delete(id string) bool {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	doc, ok := ix.ids.lookup(id)
	if !ok {
		return false
	}
	ix.deleteDoc(doc)
	return true
}

func (ix *Index) deleteDoc(doc uint32) {
	ix.ids.remove(ix.ids.str(doc), doc)
	ix.deleted[doc/64] |= 1 << (doc % 64)
	if ix.keepVec {
		ix.vecs[doc] = nil
	}
	ix.live--
	nf := len(ix.fields)
	for f := range nf {
		ix.sumLen[f] -= uint64(ix.lens[int(doc)*nf+f])
	}
	if dead := ix.ids.n() - ix.live; dead > 64 && dead*4 > ix.ids.n() {
		ix.compact()
	}
}

func (ix *Index) isDeleted(doc uint32) bool {
	return ix.deleted[doc/64]&(1<<(doc%64)) != 0
}

// Compact drops the postings of deleted documents, so that document
// frequencies are exact again, and releases their memory. It also trims
// the spare capacity that growing posting lists keep, which makes it worth
// calling after a bulk load.
func (ix *Index) Compact() {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.compact()
	if !ix.trimmed {
		ix.trim()
	}
}

// trim moves all posting lists into one buffer, each capped at its
// length, so that no list keeps spare capacity or the rounding of its own
// allocation; a list that grows later is copied out by append.
func (ix *Index) trim() {
	// The lists are copied on all cores (for a bulk load, tens of
	// megabytes), each goroutine a run of posting ids.
	shares := max(1, min(runtime.GOMAXPROCS(0), len(ix.post)/4096))
	bound := func(w int) int { return len(ix.post) * w / shares }
	offs := make([]int, shares+1)
	for w := range shares {
		n := 0
		for i := bound(w); i < bound(w+1); i++ {
			n += len(ix.post[i].data)
		}
		offs[w+1] = offs[w] + n
	}
	arena := make([]byte, offs[shares])
	share := func(w int) {
		off := offs[w]
		for i := bound(w); i < bound(w+1); i++ {
			p := &ix.post[i]
			n := copy(arena[off:], p.data)
			p.data = arena[off : off+n : off+n]
			off += n
			if p.skips != nil {
				*p.skips = exact(*p.skips)
			}
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < shares; w++ {
		wg.Go(func() { share(w) })
	}
	share(0)
	wg.Wait()
	ix.lens, ix.post, ix.terms, ix.tfld = exact(ix.lens), exact(ix.post), exact(ix.terms), exact(ix.tfld)
	ix.ids.buf, ix.ids.off = exact(ix.ids.buf), exact(ix.ids.off)
	ix.trimmed = true
}

// exact returns s in a new array of exactly its length, or s itself when
// it has no spare capacity.
func exact[S ~[]E, E any](s S) S {
	if cap(s) == len(s) {
		return s
	}
	out := make(S, len(s))
	copy(out, s)
	return out
}

func (ix *Index) compact() {
	if ix.live == ix.ids.n() {
		return
	}
	ix.trimmed = false
	nf := len(ix.fields)
	remap := make([]uint32, ix.ids.n())
	ids := newIDTable()
	var lens, tags []uint32
	for d := range remap {
		if ix.isDeleted(uint32(d)) {
			remap[d] = math.MaxUint32
			continue
		}
		remap[d] = ids.add(ix.ids.str(uint32(d)))
		lens = append(lens, ix.lens[d*nf:(d+1)*nf]...)
		if len(ix.tags) > 0 {
			tags = append(tags, ix.tag(uint32(d)))
		}
	}
	ix.tags = tags
	old := ix.post
	post := make([]postings, len(old))
	keep := make([]bool, len(old))
	for pid := range old {
		np := postings{minLen: math.MaxUint16, blkMinLen: math.MaxUint16}
		f := int(ix.tfld[pid])
		c := newCursor(&old[pid])
		for c.next() {
			nd := remap[c.doc]
			if nd == math.MaxUint32 {
				continue
			}
			np.add(nd, c.tf, lens[int(nd)*nf+f])
		}
		np.data = np.data[:len(np.data):len(np.data)]
		post[pid] = np
		keep[pid] = np.df > 0
	}
	// Renumber posting ids, dropping empty lists.
	newID := make([]uint32, len(old))
	var terms []string
	var tfld []uint8
	var kept []postings
	for pid := range old {
		if !keep[pid] {
			continue
		}
		newID[pid] = uint32(len(kept))
		kept = append(kept, post[pid])
		terms = append(terms, ix.terms[pid])
		tfld = append(tfld, ix.tfld[pid])
	}
	for f := range ix.dict {
		ix.dict[f] = newDict()
	}
	for pid := range kept {
		ix.dict[tfld[pid]].set(terms[pid], uint32(pid))
	}
	ix.post, ix.terms, ix.tfld = kept, terms, tfld
	ix.ids, ix.lens = ids, lens
	if ix.keepVec {
		ix.rebuildVectors()
	}
	ix.deleted = make([]uint64, (ids.n()+63)/64)
}

// rebuildVectors recomputes the forward index from the postings.
func (ix *Index) rebuildVectors() {
	ix.vecs = make([][]byte, ix.ids.n())
	for pid := range ix.post {
		c := newCursor(&ix.post[pid])
		for c.next() {
			ix.vecs[c.doc] = appendUvarint(appendUvarint(ix.vecs[c.doc], uint64(pid)), uint64(c.tf))
		}
	}
}
