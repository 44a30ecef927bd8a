package router

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"reflect"
	"testing"

	"github.com/kexie/techbroker/matching/analysis"
)

// ioRouters returns routers of every kind the options give: stacked,
// fixed mix, without neighbours, naive Bayes with and without its BM25
// neighbours, complement, binary.
func ioRouters(t testing.TB) map[string]*Router {
	many := append(topics(5), topics(6)...)
	out := map[string]*Router{}
	for name, c := range map[string]struct {
		ex   []Example
		opts *Options
	}{
		"stacked":       {many, nil},
		"fixed mix":     {many, &Options{NeighbourWeight: 0.3}},
		"no neighbours": {many, &Options{NoNeighbours: true, Threshold: 0.8}},
		"few":           {topics(4), nil},
		"naive Bayes":   {many, &Options{Model: NaiveBayes}},
		"NB neighbours": {many, &Options{Model: NaiveBayes, Neighbours: 3}},
		"complement":    {many, &Options{Complement: true}},
		"binary":        {many, &Options{Binary: true}},
	} {
		r, err := Train(c.ex, c.opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = r
	}
	return out
}

func saved(t testing.TB, r *Router) []byte {
	var b bytes.Buffer
	n, err := r.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo: %d bytes, %v (wrote %d)", n, err, b.Len())
	}
	return b.Bytes()
}

var ioTexts = []string{"电池 储能", "电池 电池 储能 储能 储能 肿瘤", "水稻 施肥 研究", "肿瘤 疫苗", "无关的文字", "", "研究 方法 系统", "battery AI 5G"}

// TestRouterWriteRead checks that a router read back routes every text
// exactly as the original, and writes the same bytes.
func TestRouterWriteRead(t *testing.T) {
	for name, r := range ioRouters(t) {
		b := saved(t, r)
		// Something after the router stays unread.
		in := bytes.NewReader(append(bytes.Clone(b), "tail"...))
		got, err := Read(in, nil)
		if err != nil {
			t.Fatalf("%s: Read: %v", name, err)
		}
		if in.Len() != 4 {
			t.Errorf("%s: Read left %d bytes of 4", name, in.Len())
		}
		for _, text := range ioTexts {
			if a, b := r.Route(text), got.Route(text); !reflect.DeepEqual(a, b) {
				t.Errorf("%s: Route(%q) = %+v after reading, %+v before", name, text, b, a)
			}
		}
		if !reflect.DeepEqual(got.Labels(), r.Labels()) {
			t.Errorf("%s: labels %q, want %q", name, got.Labels(), r.Labels())
		}
		if again := saved(t, got); !bytes.Equal(again, b) {
			t.Errorf("%s: the router read back writes %d other bytes (of %d)", name, len(again), len(b))
		}
		if again := saved(t, r); !bytes.Equal(again, b) {
			t.Errorf("%s: WriteTo is not deterministic", name)
		}
	}
}

// TestReadAnalyzer checks that a router is refused by an analyzer
// configured otherwise than the one it was trained with, and accepted by
// an equivalent one.
func TestReadAnalyzer(t *testing.T) {
	syn := &analysis.Options{Synonyms: [][]string{{"人工智能", "AI"}}}
	r, err := Train(topics(1), &Options{Analyzer: analysis.New(syn)})
	if err != nil {
		t.Fatal(err)
	}
	b := saved(t, r)
	for _, an := range []*analysis.Analyzer{nil, analysis.New(&analysis.Options{NoUnigrams: true})} {
		if _, err := Read(bytes.NewReader(b), an); !errors.Is(err, ErrInvalid) {
			t.Errorf("another analyzer: got %v, want ErrInvalid", err)
		}
	}
	same := analysis.New(&analysis.Options{Synonyms: [][]string{{"ＡＩ", "人工智能"}}})
	got, err := Read(bytes.NewReader(b), same)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := r.Route("AI 电池"), got.Route("AI 电池"); !reflect.DeepEqual(a, b) {
		t.Errorf("Route = %+v after reading, %+v before", b, a)
	}
}

// TestReadCorrupt checks that every truncation and every flipped
// byte of a saved router gives ErrCorrupt, and a payload that is valid
// but inconsistent too.
func TestReadCorrupt(t *testing.T) {
	for name, r := range ioRouters(t) {
		b := saved(t, r)
		for cut := range len(b) {
			if _, err := Read(bytes.NewReader(b[:cut]), nil); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: %d of %d bytes: got %v, want ErrCorrupt", name, cut, len(b), err)
			}
		}
		for i := range len(b) {
			bad := bytes.Clone(b)
			bad[i] ^= 0x10
			if _, err := Read(bytes.NewReader(bad), nil); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: byte %d flipped: got %v, want ErrCorrupt", name, i, err)
			}
		}
	}
	// Payloads with a valid checksum but wrong contents.
	r := ioRouters(t)["stacked"]
	p := payload(t, saved(t, r))
	an := analysis.New(nil)
	// After the kind: the IDF, weights and biases, temperature and
	// neighbour weight of the LinearSVM.
	nf, nc := len(r.vocab), len(r.labels)
	stackedFlag := modelKindOffset(t, p) + 1 + 8*(nf+nf*nc+nc+2)
	if p[stackedFlag] != 1 {
		t.Fatalf("stacked flag at %d is %d, want 1", stackedFlag, p[stackedFlag])
	}
	for name, bad := range map[string][]byte{
		"empty":          {},
		"model kind":     withByteAt(p, modelKindOffset(t, p), 9),
		"trailing bytes": append(bytes.Clone(p), 0),
		"stacked flag 2": withByteAt(p, stackedFlag, 2),
		"huge IDF":       withFloatAt(p, modelKindOffset(t, p)+1, 1e200),
		"NaN IDF":        withFloatAt(p, modelKindOffset(t, p)+1, math.NaN()),
	} {
		if _, err := Read(bytes.NewReader(frame(bad)), an); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

// payload returns the payload of a saved router.
func payload(t testing.TB, b []byte) []byte {
	size, n := binary.Uvarint(b[len(routerMagic):])
	if n <= 0 {
		t.Fatal("bad length")
	}
	start := len(routerMagic) + n
	return b[start : start+int(size)]
}

// frame wraps a payload as WriteTo does.
func frame(p []byte) []byte {
	out := append([]byte(routerMagic), binary.AppendUvarint(nil, uint64(len(p)))...)
	out = append(out, p...)
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(p, crcTable))
}

func withFloatAt(p []byte, i int, v float64) []byte {
	q := bytes.Clone(p)
	binary.LittleEndian.PutUint64(q[i:], math.Float64bits(v))
	return q
}

func withByteAt(p []byte, i int, v byte) []byte {
	q := bytes.Clone(p)
	q[i] = v
	return q
}

// modelKindOffset finds the model kind byte of payload p: after the
// fingerprint, the labels, the threshold and the vocabulary.
func modelKindOffset(t testing.TB, p []byte) int {
	d := &decoder{p: p}
	d.u64("fingerprint")
	d.strings("labels")
	d.float("threshold")
	d.strings("vocabulary")
	if d.err != nil {
		t.Fatal(d.err)
	}
	return len(p) - len(d.p)
}

// FuzzRead reads arbitrary bytes as a router, framed as found and
// as a payload with a valid checksum: it must fail with ErrCorrupt or
// ErrInvalid, or give a router that routes and writes without panicking.
func FuzzRead(f *testing.F) {
	for _, r := range ioRouters(f) {
		b := saved(f, r)
		f.Add(b)
		f.Add(payload(f, b))
	}
	an := analysis.New(nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, frame(b)} {
			r, err := Read(bytes.NewReader(in), an)
			if err != nil {
				if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrInvalid) {
					t.Fatalf("got %v, want ErrCorrupt or ErrInvalid", err)
				}
				continue
			}
			for _, text := range ioTexts {
				checkRouting(t, r.Route(text))
			}
			var out bytes.Buffer
			if _, err := r.WriteTo(&out); err != nil {
				t.Fatal(err)
			}
		}
	})
}
