package analysis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keyTerms turns the output of AppendKeys back into terms.
func keyTerms(keys []uint64, long []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == 0 {
			out = append(out, long[0])
			long = long[1:]
			continue
		}
		out = append(out, KeyTerm(k))
	}
	return out
}

func tokenTerms(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term
	}
	return out
}

func TestTermKey(t *testing.T) {
	tests := []struct {
		term string
		ok   bool
	}{
		{"电", true}, {"电池", true}, {"a", true}, {"5g", true}, {"锂电池", false},
		{"abc", false}, {"", false}, {"\xff", false}, {"a\xff", false}, {"\uFFFD", true},
	}
	for _, tt := range tests {
		k, ok := TermKey(tt.term)
		if ok != tt.ok {
			t.Errorf("TermKey(%q): got ok %v, want %v", tt.term, ok, tt.ok)
			continue
		}
		if ok && KeyTerm(k) != tt.term {
			t.Errorf("KeyTerm(TermKey(%q)) = %q, want the term back", tt.term, KeyTerm(k))
		}
	}
}

var keyAnalyzers = map[string]*Analyzer{
	"default":      New(nil),
	"no stop":      New(&Options{StopWords: []string{}}),
	"ascii stop":   New(&Options{StopWords: []string{"ab", "x", "li", "of", "的"}}),
	"no bigrams":   New(&Options{NoBigrams: true}),
	"no unigrams":  New(&Options{NoUnigrams: true}),
	"bigram stop":  New(&Options{StopWords: []string{"电池"}}),
	"with synonym": New(&Options{Synonyms: [][]string{{"人工智能", "AI"}}}),
}

func TestAppendKeysMatchesAppendTokens(t *testing.T) {
	inputs := []string{
		"", "电池", "锂", "的电", "5G and PM2.5 sensors.", "Li-ion", "ＰＭ２．５", "5G通信", "通信网",
		"锂离子电池的储能，与材料、催化剂。", "ABC-def.GHI 电池", "a-.b", "x--y", "PM2.5。", "ａ－ｂ",
		"１２．３４％", "々〇电池", "café电池", "e\u0301", "\xff电池", "\xef\xbc", "\xef\xbd\x9f", "〆a",
		"ab\u3005", "a.々", "a-é", "模型（MRP）", "AI人工智能", "\u3000电\u3000池\u3000",
		"β-catalyst", "Ⅱ型糖尿病", "αβγ", "“引号”", "München", "½", "μm", "25℃", "①", "Ⅳ期", "ﬁ", "Straße",
		"İstanbul", "Σσς", "ｶﾞ", "ｶ", "か\u3099", "㎡", "a.β", "β.a", "Ω-3", "x²", "a—b", "1.5‰", "Li-ⅱ",
	}
	for name, a := range keyAnalyzers {
		for _, in := range inputs {
			keys, long := a.AppendKeys(nil, nil, in)
			got := keyTerms(keys, long)
			want := tokenTerms(a.Analyze(in))
			if !cmp.Equal(got, want) {
				t.Errorf("%s: AppendKeys(%q) = %q, want %q as from Analyze", name, in, got, want)
			}
		}
	}
}

func FuzzAppendKeys(f *testing.F) {
	for _, s := range []string{"", "PM2.5", "Li-ion电池", "人工智能 AI", "\xff-\xfe.", "a-", "-a", "1..2", "ｶﾀｶﾅ한국어", "ＡＢ－ｃ．１", "电池，储能、材料。"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, a := range keyAnalyzers {
			keys, long := a.AppendKeys([]uint64{7}, []string{"x"}, s)
			if keys[0] != 7 || long[0] != "x" {
				t.Fatalf("%s: AppendKeys(%q) changed the existing elements", name, s)
			}
			got := keyTerms(keys[1:], long[1:])
			if want := tokenTerms(a.Analyze(s)); !cmp.Equal(got, want) {
				t.Fatalf("%s: AppendKeys(%q) = %q, want %q as from Analyze", name, s, got, want)
			}
		}
	})
}

func BenchmarkAppendKeys(b *testing.B) {
	text := strings.Repeat("锂离子电池的储能材料与催化剂，神经网络和图像识别、传感器控制系统。", 8)
	for _, name := range []string{"keys", "tokens"} {
		b.Run(name, func(b *testing.B) {
			a := New(nil)
			var keys []uint64
			var long []string
			var toks []Token
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if name == "keys" {
					keys, long = a.AppendKeys(keys[:0], long[:0], text)
				} else {
					toks = a.AppendTokens(toks[:0], text)
					for _, tk := range toks {
						if _, ok := TermKey(tk.Term); !ok {
							long = append(long[:0], tk.Term)
						}
					}
				}
			}
			_ = fmt.Sprint(len(keys), len(long))
		})
	}
}

// TestInertRunes checks the claim behind the table: a rune of it
// normalizes to the same text whatever surrounds it.
func TestInertRunes(t *testing.T) {
	table := inertRunes()
	if len(table) < 1000 {
		t.Fatalf("got %d inert runes, want the blocks of the table", len(table))
	}
	for _, r := range []rune{'β', 'Ⅱ', '“', 'ü', '·', '—', '∞', 'Ψ'} {
		if _, ok := table[r]; !ok {
			t.Errorf("%q (%U) is not in the table", r, r)
		}
	}
	var rs []rune
	for r := range table {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	nb := []string{"", "a", "电", "，", "-", "ａ", "e\u0301", "\u0301"}
	rng := rand.New(rand.NewPCG(1, 2))
	step := 2
	if testing.Short() {
		step = 7
	}
	for i := 0; i < len(rs); i += step {
		r := rs[i]
		other := string(rs[rng.IntN(len(rs))])
		for _, x := range append(nb, other) {
			for _, y := range append(nb, other) {
				if strings.HasPrefix(y, "\u0301") {
					continue // may compose with r; AppendKeys takes the slow path
				}
				got := Normalize(x + string(r) + y)
				want := Normalize(x) + table[r] + Normalize(y)
				if got != want {
					t.Fatalf("Normalize(%q) = %q, want %q (%U alone normalizes to %q)", x+string(r)+y, got, want, r, table[r])
				}
			}
		}
	}
}

// TestAppendKeysRandom compares AppendKeys with Analyze on random strings
// of runes from the table and the fast set.
func TestAppendKeysRandom(t *testing.T) {
	table := inertRunes()
	var rs []rune
	for r := range table {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	extra := []rune("aZ09.-， 电池储能的、。ＡＢ－．１\u3000々〇〱\u302a\u0301\u3099")
	rng := rand.New(rand.NewPCG(3, 4))
	a := New(nil)
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			if rng.IntN(2) == 0 {
				b.WriteRune(rs[rng.IntN(len(rs))])
			} else {
				b.WriteRune(extra[rng.IntN(len(extra))])
			}
		}
		s := b.String()
		keys, long := a.AppendKeys(nil, nil, s)
		if got, want := keyTerms(keys, long), tokenTerms(a.Analyze(s)); !cmp.Equal(got, want) {
			t.Fatalf("AppendKeys(%q) = %q, want %q as from Analyze", s, got, want)
		}
	}
}
