package textindex

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kexie/techbroker/matching/analysis"
)

// magic starts a snapshot, followed by the fingerprint of the index's
// analyzer (8 bytes, little-endian). Snapshots of the first format,
// magicV1, have no fingerprint; Restore still reads them.
const (
	magic   = "TBTXIDX2"
	magicV1 = "TBTXIDX1"
)

type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteTo writes a snapshot of the index to w (implements io.WriterTo).
// The snapshot holds the options except the analyzer (only its
// fingerprint, which Restore checks), the documents' ids and lengths, and
// the postings; it is deterministic for a given history.
func (ix *Index) WriteTo(w io.Writer) (int64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	cw := &countWriter{w: bufio.NewWriter(w)}
	var buf []byte
	u := func(v uint64) { buf = binary.AppendUvarint(buf, v) }
	str := func(s string) { u(uint64(len(s))); buf = append(buf, s...) }
	flush := func() error {
		_, err := cw.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, magic...)
	buf = binary.LittleEndian.AppendUint64(buf, ix.an.Fingerprint())
	u(math.Float64bits(ix.k1))
	u(math.Float64bits(ix.b))
	keep := uint64(0)
	if ix.keepVec {
		keep = 1
	}
	u(keep)
	u(uint64(len(ix.fields)))
	for _, f := range ix.fields {
		str(f.Name)
		u(math.Float64bits(f.Boost))
	}
	u(uint64(ix.ids.n()))
	for d := range ix.ids.n() {
		id := ""
		if !ix.isDeleted(uint32(d)) {
			id = ix.ids.str(uint32(d))
		}
		str(id)
		for f := range ix.fields {
			u(uint64(ix.lens[d*len(ix.fields)+f]))
		}
		if len(buf) > 1<<16 {
			if err := flush(); err != nil {
				return cw.n, err
			}
		}
	}
	u(uint64(len(ix.post)))
	var stream []byte
	for pid := range ix.post {
		p := &ix.post[pid]
		u(uint64(ix.tfld[pid]))
		str(ix.terms[pid])
		u(uint64(p.df))
		stream = appendStream(stream[:0], p)
		u(uint64(len(stream)))
		buf = append(buf, stream...)
		if len(buf) > 1<<16 {
			if err := flush(); err != nil {
				return cw.n, err
			}
		}
	}
	if err := flush(); err != nil {
		return cw.n, err
	}
	return cw.n, cw.w.Flush()
}

type reader struct {
	r   *bufio.Reader
	err error
}

func (r *reader) u() uint64 {
	if r.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(r.r)
	if err != nil {
		r.err = err
	}
	return v
}

func (r *reader) bytes(limit uint64) []byte {
	n := r.u()
	if r.err != nil {
		return nil
	}
	if n > limit {
		r.err = fmt.Errorf("length %d over limit %d", n, limit)
		return nil
	}
	// Grow in chunks so that a corrupt length cannot allocate much.
	var b []byte
	for uint64(len(b)) < n {
		chunk := min(n-uint64(len(b)), 1<<20)
		start := len(b)
		b = append(b, make([]byte, chunk)...)
		if _, err := io.ReadFull(r.r, b[start:]); err != nil {
			r.err = err
			return nil
		}
	}
	return b
}

// Restore reads a snapshot written by WriteTo. opts supplies the analyzer
// (default analysis.New(nil)), which must be configured as the one the
// index was built with: if its Fingerprint differs from the snapshot's,
// Restore returns an error wrapping ErrInvalid. The options' Fields, K1
// and B are ignored in favour of the snapshot's. A damaged snapshot gives
// an error wrapping ErrCorrupt.
func Restore(r io.Reader, opts *Options) (*Index, error) {
	rd := &reader{r: bufio.NewReader(r)}
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(rd.r, head); err != nil || string(head) != magic && string(head) != magicV1 {
		return nil, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	o := Options{}
	if opts != nil {
		o.Analyzer = opts.Analyzer
	}
	if o.Analyzer == nil {
		o.Analyzer = analysis.New(nil)
	}
	if string(head) == magic {
		var fp [8]byte
		if _, err := io.ReadFull(rd.r, fp[:]); err != nil {
			return nil, corrupt(err, "analyzer fingerprint")
		}
		if got, want := o.Analyzer.Fingerprint(), binary.LittleEndian.Uint64(fp[:]); got != want {
			return nil, fmt.Errorf("%w: the analyzer's fingerprint is %#x, the snapshot's %#x: restore with an analyzer configured as the index's", ErrInvalid, got, want)
		}
	}
	o.K1 = math.Float64frombits(rd.u())
	o.B = math.Float64frombits(rd.u())
	o.KeepVectors = rd.u() == 1
	nf := rd.u()
	if rd.err != nil || nf == 0 || nf > 255 {
		return nil, corrupt(rd.err, "field count %d", nf)
	}
	for range nf {
		name := string(rd.bytes(1 << 16))
		boost := math.Float64frombits(rd.u())
		o.Fields = append(o.Fields, FieldOptions{Name: name, Boost: boost})
	}
	if rd.err != nil {
		return nil, corrupt(rd.err, "fields")
	}
	ix, err := New(&o)
	if err != nil {
		return nil, corrupt(err, "options")
	}
	nd := rd.u()
	if rd.err != nil || nd >= math.MaxUint32 {
		return nil, corrupt(rd.err, "document count %d", nd)
	}
	for d := range nd {
		id := string(rd.bytes(1 << 20))
		if rd.err != nil {
			return nil, corrupt(rd.err, "document %d", d)
		}
		if id != "" {
			if _, dup := ix.ids.lookup(id); dup {
				return nil, corrupt(nil, "document id %q twice", id)
			}
		}
		ix.ids.add(id)
		if d%64 == 0 {
			ix.deleted = append(ix.deleted, 0)
		}
		for f := range int(nf) {
			l := rd.u()
			if l > math.MaxUint32 {
				return nil, corrupt(nil, "length %d", l)
			}
			ix.lens = append(ix.lens, uint32(l))
			if id != "" {
				ix.sumLen[f] += l
			}
		}
		if id == "" {
			ix.deleted[d/64] |= 1 << (d % 64)
		} else {
			ix.live++
		}
	}
	np := rd.u()
	if rd.err != nil || np >= math.MaxUint32 {
		return nil, corrupt(rd.err, "term count %d", np)
	}
	// Read the terms in order, then rebuild their lists (and skips and
	// bounds) by decoding them, which also validates them, on every core:
	// the lists are independent. The goroutines end before Restore returns.
	type raw struct {
		f    uint64
		df   uint64
		data []byte
	}
	raws := make([]raw, 0, min(np, 1<<20))
	for pid := range np {
		f := rd.u()
		term := string(rd.bytes(1 << 16))
		df := rd.u()
		data := rd.bytes(1 << 34)
		if rd.err != nil {
			return nil, corrupt(rd.err, "term %d", pid)
		}
		if f >= nf || term == "" {
			return nil, corrupt(nil, "term %d: field %d, text %q", pid, f, term)
		}
		if _, dup := ix.dict[f].get(term); dup {
			return nil, corrupt(nil, "term %q twice in field %d", term, f)
		}
		ix.dict[f].set(term, uint32(len(ix.terms)))
		ix.terms = append(ix.terms, term)
		ix.tfld = append(ix.tfld, uint8(f))
		raws = append(raws, raw{f, df, data})
	}
	ix.post = make([]postings, len(raws))
	build := func(pid int) error {
		r := &raws[pid]
		p := postings{minLen: math.MaxUint16, blkMinLen: math.MaxUint16}
		src := postings{data: r.data}
		c := newCursor(&src)
		prev, first := uint32(0), true
		for c.next() {
			if (!first && c.doc <= prev) || uint64(c.doc) >= nd || c.tf == 0 {
				return corrupt(nil, "term %q: bad posting", ix.terms[pid])
			}
			first, prev = false, c.doc
			p.add(c.doc, c.tf, ix.lens[int(c.doc)*int(nf)+int(r.f)])
		}
		if uint64(p.df) != r.df {
			return corrupt(nil, "term %q: postings do not match their count", ix.terms[pid])
		}
		ix.post[pid] = p
		r.data = nil
		return nil
	}
	var next atomic.Int64
	errs := make([]error, runtime.GOMAXPROCS(0))
	work := func(w int) {
		for {
			start := int(next.Add(256)) - 256
			if start >= len(raws) || errs[w] != nil {
				return
			}
			for pid := start; pid < min(start+256, len(raws)); pid++ {
				if err := build(pid); err != nil {
					errs[w] = err
					return
				}
			}
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < len(errs); w++ {
		wg.Go(func() { work(w) })
	}
	work(0)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if ix.keepVec {
		ix.rebuildVectors()
	}
	if _, err := rd.r.ReadByte(); err != io.EOF {
		return nil, corrupt(nil, "trailing data")
	}
	return ix, nil
}

func corrupt(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if err != nil && !errors.Is(err, ErrInvalid) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, msg, err)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, msg, strings.TrimPrefix(err.Error(), "textindex: "))
	}
	return fmt.Errorf("%w: %s", ErrCorrupt, msg)
}
