package router

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strconv"
	"sync"

	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/textindex"
)

// A saved Router is
//
//	"TBROUTE1", the payload's length (uvarint), the payload, and its
//	CRC-32C (4 bytes, little-endian).
//
// The payload holds the fingerprint of the analyzer (8 bytes), the
// labels, the threshold, the vocabulary in id order, and the model: for
// the LinearSVM the IDF, the weights and biases, the temperature, the
// neighbour weight, the stacked regression and the cosine kNN's inverted
// index when there are; for naive Bayes the log-priors and
// log-probabilities, the flags, and the BM25 kNN's index (a textindex
// snapshot) and labels when there are. Integers are uvarints, floats
// IEEE 754 little-endian, strings a uvarint length and their bytes.
const routerMagic = "TBROUTE1"

const (
	routerLinear     = 1
	routerNaiveBayes = 2
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// WriteTo writes the router to w (it implements io.WriterTo), for
// Read to read back. The analyzer is not written, only its
// fingerprint: Read must be given an analyzer configured as the
// one the router was trained with. The output is deterministic: a
// router read back writes the same bytes.
func (r *Router) WriteTo(w io.Writer) (int64, error) {
	var p []byte
	p = binary.LittleEndian.AppendUint64(p, r.an.Fingerprint())
	p = appendStrings(p, r.labels)
	p = appendFloat(p, r.threshold)
	terms := make([]string, len(r.vocab))
	for t, id := range r.vocab {
		terms[id] = t
	}
	p = appendStrings(p, terms)
	if m := r.lin; m != nil {
		p = append(p, routerLinear)
		p = appendFloats(p, m.idf)
		p = appendFloats(p, m.wt)
		p = appendFloats(p, m.bias)
		p = appendFloat(p, m.temp)
		p = appendFloat(p, m.lambda)
		if m.stack != nil {
			p = append(p, 1)
			p = binary.AppendUvarint(p, uint64(m.stack.nf))
			p = appendFloats(p, m.stack.w)
		} else {
			p = append(p, 0)
		}
		if nn := m.nn; nn != nil {
			p = append(p, 1)
			p = binary.AppendUvarint(p, uint64(nn.k))
			p = appendInts(p, nn.label)
			p = appendInts(p, nn.start)
			p = appendInts(p, nn.doc)
			for _, v := range nn.val {
				p = binary.LittleEndian.AppendUint32(p, math.Float32bits(v))
			}
		} else {
			p = append(p, 0)
		}
	} else {
		p = append(p, routerNaiveBayes)
		p = appendFloats(p, r.logPrior)
		p = appendFloats(p, r.logProb)
		p = append(p, boolByte(r.complement), boolByte(r.binary))
		p = appendFloat(p, r.lambda)
		if r.knn != nil {
			p = append(p, 1)
			p = binary.AppendUvarint(p, uint64(r.k))
			labels := make([]int32, len(r.knnLabel))
			for i, c := range r.knnLabel {
				labels[i] = int32(c)
			}
			p = appendInts(p, labels)
			var snap bytes.Buffer
			if _, err := r.knn.WriteTo(&snap); err != nil {
				return 0, &Error{Op: "write", Msg: err.Error(), Err: err}
			}
			p = binary.AppendUvarint(p, uint64(snap.Len()))
			p = append(p, snap.Bytes()...)
		} else {
			p = append(p, 0)
		}
	}
	out := append([]byte(routerMagic), binary.AppendUvarint(nil, uint64(len(p)))...)
	out = append(out, p...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(p, crcTable))
	n, err := w.Write(out)
	if err != nil {
		return int64(n), &Error{Op: "write", Msg: err.Error(), Err: err}
	}
	return int64(n), nil
}

// Read reads a router written by Router.WriteTo. an is the
// analyzer to route with (nil: analysis.New(nil)); its Fingerprint must
// be the one the router was trained with, or Read returns an error
// wrapping ErrInvalid. Data that is damaged, truncated or not a router
// gives an error wrapping ErrCorrupt; Read reads nothing past the
// router, so it may be followed by other data in r.
func Read(r io.Reader, an *analysis.Analyzer) (*Router, error) {
	if an == nil {
		an = analysis.New(nil)
	}
	br := byteReader{r: r}
	head := make([]byte, len(routerMagic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != routerMagic {
		return nil, corrupt("not a saved router (bad header)")
	}
	size, err := binary.ReadUvarint(&br)
	if err != nil || size > math.MaxInt64-4 {
		return nil, corrupt("bad payload length")
	}
	// Copy rather than allocate size bytes up front: a damaged length
	// must not allocate more than the data there is.
	var buf bytes.Buffer
	if n, err := io.CopyN(&buf, r, int64(size)+4); err != nil {
		return nil, corrupt(fmt.Sprintf("truncated: %d of %d bytes", n, size+4))
	}
	p := buf.Bytes()
	p, sum := p[:size], binary.LittleEndian.Uint32(p[size:])
	if crc32.Checksum(p, crcTable) != sum {
		return nil, corrupt("checksum mismatch")
	}
	return decodeRouter(p, an)
}

// decodeRouter decodes a payload of WriteTo and checks everything Route
// relies on, so that no payload makes Route panic.
func decodeRouter(p []byte, an *analysis.Analyzer) (*Router, error) {
	d := &decoder{p: p}
	fp := d.u64("fingerprint")
	if d.err == nil && fp != an.Fingerprint() {
		return nil, &Error{Op: "read", Err: ErrInvalid,
			Msg: fmt.Sprintf("analyzer fingerprint %#x, but the router was trained with %#x: configure the analyzer as in training", an.Fingerprint(), fp)}
	}
	r := &Router{an: an, labels: d.strings("labels"), vocab: map[string]int32{}}
	r.threshold = d.float("threshold")
	terms := d.strings("vocabulary")
	if d.err != nil {
		return nil, d.err
	}
	nc, nf := len(r.labels), len(terms)
	if nc < 2 {
		return nil, corrupt(fmt.Sprintf("%d labels", nc))
	}
	r.labelIndex = make(map[string]int, nc)
	for c, l := range r.labels {
		if _, dup := r.labelIndex[l]; dup || l == "" {
			return nil, corrupt(fmt.Sprintf("label %d %q empty or repeated", c, l))
		}
		r.labelIndex[l] = c
	}
	for id, t := range terms {
		if _, dup := r.vocab[t]; dup {
			return nil, corrupt(fmt.Sprintf("term %d %q repeated", id, t))
		}
		r.vocab[t] = int32(id)
	}
	if !(r.threshold >= 0 && r.threshold <= 1) {
		return nil, corrupt(fmt.Sprintf("threshold %v", r.threshold))
	}
	switch kind := d.byte("model"); kind {
	case routerLinear:
		m := &linearModel{nc: nc, nf: nf, idf: d.floats("idf", nf), wt: d.floats("weights", nf*nc), bias: d.floats("biases", nc)}
		m.temp, m.lambda = d.float("temperature"), d.float("neighbour weight")
		if d.flag("stacked") {
			snf := d.count("stacked features")
			if d.err == nil && snf != 2*nc {
				return nil, corrupt(fmt.Sprintf("%d stacked features, want %d", snf, 2*nc))
			}
			m.stack = &stackModel{nc: nc, nf: snf, w: d.floats("stacked weights", snf*nc+nc)}
		}
		if d.flag("neighbours") {
			m.nn = d.cosineKNN(nc, nf)
		}
		if d.err != nil {
			return nil, d.err
		}
		if !(m.temp > 0 && m.temp <= maxSaved) || !(m.lambda >= 0 && m.lambda <= 1) {
			return nil, corrupt(fmt.Sprintf("temperature %v, neighbour weight %v", m.temp, m.lambda))
		}
		if m.stack != nil && m.nn == nil {
			return nil, corrupt("stacked without neighbours")
		}
		r.lin = m
	case routerNaiveBayes:
		r.logPrior, r.logProb = d.floats("log-priors", nc), d.floats("log-probabilities", nf*nc)
		r.complement, r.binary = d.flag("complement"), d.flag("binary")
		r.lambda = d.float("neighbour weight")
		if d.flag("neighbours") {
			r.k = d.uint("neighbours")
			labels := d.ints("neighbour labels", nc)
			size := d.count("neighbour index")
			snap := d.take(size, "neighbour index")
			if d.err != nil {
				return nil, d.err
			}
			ix, err := textindex.Restore(bytes.NewReader(snap), &textindex.Options{Analyzer: an})
			if err != nil {
				return nil, &Error{Op: "read", Err: ErrCorrupt, Msg: "neighbour index: " + err.Error()}
			}
			if r.k == 0 || ix.Len() != len(labels) {
				return nil, corrupt(fmt.Sprintf("%d neighbours, %d indexed examples for %d labels", r.k, ix.Len(), len(labels)))
			}
			for i := range labels {
				if !ix.Has(strconv.Itoa(i)) {
					return nil, corrupt(fmt.Sprintf("neighbour index lacks example %d", i))
				}
				r.knnLabel = append(r.knnLabel, int(labels[i]))
			}
			r.knn = ix
		}
		if d.err != nil {
			return nil, d.err
		}
		if !(r.lambda >= 0 && r.lambda <= 1) {
			return nil, corrupt(fmt.Sprintf("neighbour weight %v", r.lambda))
		}
	default:
		if d.err != nil {
			return nil, d.err
		}
		return nil, corrupt(fmt.Sprintf("model kind %d", kind))
	}
	if len(d.p) != 0 {
		return nil, corrupt(fmt.Sprintf("%d bytes after the model", len(d.p)))
	}
	return r, nil
}

// cosineKNN decodes a cosineKNN over nf terms whose labels are < nc.
func (d *decoder) cosineKNN(nc, nf int) *cosineKNN {
	nn := &cosineKNN{k: d.uint("neighbours")}
	nn.label = d.ints("neighbour labels", nc)
	nn.start = d.ints("neighbour postings", math.MaxInt32)
	nn.doc = d.ints("neighbour examples", len(nn.label))
	if d.err != nil {
		return nil
	}
	if nn.k == 0 || len(nn.start) != nf+1 || nn.start[0] != 0 || int(nn.start[nf]) != len(nn.doc) {
		d.fail(fmt.Sprintf("neighbour index of %d lists for %d terms", len(nn.start)-1, nf))
		return nil
	}
	for t := range nf {
		if nn.start[t] > nn.start[t+1] {
			d.fail(fmt.Sprintf("neighbour postings of term %d", t))
			return nil
		}
	}
	raw := d.take(4*len(nn.doc), "neighbour weights")
	if d.err != nil {
		return nil
	}
	nn.val = make([]float32, len(nn.doc))
	for i := range nn.val {
		v := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		if !(math.Abs(float64(v)) <= 1e30) { // float32's range ends at 3.4e38
			d.fail(fmt.Sprintf("neighbour weight %d is %v", i, v))
			return nil
		}
		nn.val[i] = v
	}
	n := len(nn.label)
	nn.pool = &sync.Pool{New: func() any { return &knnScratch{sim: make([]float32, n)} }}
	return nn
}

// decoder reads a payload, recording the first error.
type decoder struct {
	p   []byte
	err error
}

func corrupt(msg string) error {
	return &Error{Op: "read", Err: ErrCorrupt, Msg: msg}
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = corrupt(msg)
	}
	d.p = nil
}

func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.p) {
		d.fail("truncated " + what)
		return nil
	}
	b := d.p[:n]
	d.p = d.p[n:]
	return b
}

func (d *decoder) byte(what string) byte {
	if b := d.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

// flag reads a byte that must be 0 or 1.
func (d *decoder) flag(what string) bool {
	switch b := d.byte(what); b {
	case 0, 1:
		return b == 1
	default:
		d.fail(fmt.Sprintf("%s flag %d, want 0 or 1", what, b))
		return false
	}
}

func (d *decoder) u64(what string) uint64 {
	if b := d.take(8, what); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// count reads a uvarint that counts something stored after it, each of
// at least a byte: it cannot exceed the bytes left.
func (d *decoder) count(what string) int {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.p)
	if n <= 0 || v > uint64(len(d.p)) {
		d.fail("bad " + what)
		return 0
	}
	d.p = d.p[n:]
	return int(v)
}

// uint reads a uvarint of at most math.MaxInt32.
func (d *decoder) uint(what string) int {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.p)
	if n <= 0 || v > math.MaxInt32 {
		d.fail("bad " + what)
		return 0
	}
	d.p = d.p[n:]
	return int(v)
}

func (d *decoder) float(what string) float64 {
	if b := d.take(8, what); b != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// maxSaved bounds the magnitude of a saved router's numbers. Trained
// weights are many orders of magnitude smaller; the bound keeps a crafted
// file from overflowing Route's sums to infinities and NaN probabilities.
const maxSaved = 1e100

// floats reads n floats of magnitude at most maxSaved.
func (d *decoder) floats(what string, n int) []float64 {
	if n < 0 || n > len(d.p)/8 {
		d.fail("truncated " + what)
		return nil
	}
	b := d.take(8*n, what)
	if b == nil {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		v := math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		if !(math.Abs(v) <= maxSaved) {
			d.fail(fmt.Sprintf("%s: value %d is %v", what, i, v))
			return nil
		}
		out[i] = v
	}
	return out
}

// ints reads a count and that many uvarints, each under limit.
func (d *decoder) ints(what string, limit int) []int32 {
	n := d.count(what)
	if d.err != nil {
		return nil
	}
	out := make([]int32, n)
	for i := range out {
		v, m := binary.Uvarint(d.p)
		if m <= 0 || v >= uint64(limit) || v > math.MaxInt32 {
			d.fail(fmt.Sprintf("%s: entry %d", what, i))
			return nil
		}
		d.p = d.p[m:]
		out[i] = int32(v)
	}
	return out
}

func (d *decoder) strings(what string) []string {
	n := d.count(what)
	if d.err != nil {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		l := d.count(what)
		b := d.take(l, what)
		if d.err != nil {
			return nil
		}
		out[i] = string(b)
	}
	return out
}

func appendStrings(p []byte, ss []string) []byte {
	p = binary.AppendUvarint(p, uint64(len(ss)))
	for _, s := range ss {
		p = binary.AppendUvarint(p, uint64(len(s)))
		p = append(p, s...)
	}
	return p
}

func appendFloat(p []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(p, math.Float64bits(v))
}

func appendFloats(p []byte, vs []float64) []byte {
	for _, v := range vs {
		p = appendFloat(p, v)
	}
	return p
}

func appendInts(p []byte, vs []int32) []byte {
	p = binary.AppendUvarint(p, uint64(len(vs)))
	for _, v := range vs {
		p = binary.AppendUvarint(p, uint64(v))
	}
	return p
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// byteReader reads one byte at a time from r, for binary.ReadUvarint,
// so that Read reads nothing past the router.
type byteReader struct {
	r   io.Reader
	buf [1]byte
}

func (b *byteReader) ReadByte() (byte, error) {
	_, err := io.ReadFull(b.r, b.buf[:])
	return b.buf[0], err
}
