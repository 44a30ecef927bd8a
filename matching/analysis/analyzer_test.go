package analysis

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func terms(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term + "/" + t.Kind.String()
	}
	return out
}

func TestAnalyze(t *testing.T) {
	syn := &Options{Synonyms: [][]string{{"人工智能", "AI"}, {"锂离子电池", "Li-ion battery"}}}
	tests := []struct {
		name string
		opts *Options
		in   string
		want []string
	}{
		{"empty", nil, "", []string{}},
		{"cjk", nil, "电池", []string{"电/unigram", "电池/bigram", "池/unigram"}},
		{"single char", nil, "锂", []string{"锂/unigram"}},
		{"stop unigram kept in bigram", nil, "的电", []string{"的电/bigram", "电/unigram"}},
		{"latin words", nil, "5G and PM2.5 sensors.", []string{"5g/word", "pm2.5/word", "sensors/word"}},
		{"hyphen", nil, "Li-ion", []string{"li-ion/word", "li/word", "ion/word"}},
		{"full width", nil, "ＰＭ２．５", []string{"pm2.5/word"}},
		{"mixed", nil, "5G通信", []string{"5g/word", "通/unigram", "通信/bigram", "信/unigram"}},
		{"no unigrams", &Options{NoUnigrams: true}, "通信网", []string{"通信/bigram", "信网/bigram"}},
		{"no stop words", &Options{StopWords: []string{}}, "the 的", []string{"the/word", "的/unigram"}},
		{"synonym cjk", syn, "人工智能", []string{"人/unigram", "人工/bigram", "工/unigram", "工智/bigram", "智/unigram", "智能/bigram", "能/unigram", "人工智能/synonym", "ai/synonym"}},
		{"synonym word", syn, "AI", []string{"ai/word", "人工智能/synonym", "ai/synonym"}},
		{"synonym phrase", syn, "a Li-ion battery", []string{"li-ion/word", "li/word", "ion/word", "battery/word", "锂离子电池/synonym", "li-ion battery/synonym"}},
		{"synonym not inside word", syn, "xli-ion battery", []string{"xli-ion/word", "xli/word", "ion/word", "battery/word"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := terms(New(tt.opts).Analyze(tt.in))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Analyze(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTermsDistinct(t *testing.T) {
	got := New(nil).Terms("电池电池")
	want := []string{"电", "电池", "池", "池电"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Terms mismatch (-want +got):\n%s", diff)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "PM2.5", "Li-ion电池", "人工智能 AI", "\xff-\xfe.", "a-", "-a", "1..2", "ｶﾀｶﾅ한국어"} {
		f.Add(s)
	}
	a := New(&Options{Synonyms: [][]string{{"人工智能", "AI"}, {"a-b", "c d"}}})
	f.Fuzz(func(t *testing.T, s string) {
		toks := a.Analyze(s)
		again := a.Analyze(s)
		if !cmp.Equal(toks, again) {
			t.Fatalf("Analyze(%q) not deterministic", s)
		}
		norm := Normalize(s)
		if !cmp.Equal(toks, a.Analyze(norm)) {
			t.Fatalf("Analyze(%q) differs from Analyze(Normalize(s))", s)
		}
		for _, tk := range toks {
			if tk.Term == "" || !utf8.ValidString(tk.Term) {
				t.Fatalf("Analyze(%q): bad term %q", s, tk.Term)
			}
			if tk.Kind != Synonym && !strings.Contains(norm, tk.Term) {
				t.Fatalf("Analyze(%q): term %q not in normalized text %q", s, tk.Term, norm)
			}
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	a := New(nil)
	text := strings.Repeat("采用修正的Rodrigues参数(MRP),建立了飞行器姿态控制系统的数学模型；利用刚体姿态动力学方程和运动学方程建立了非线性控制系统模型。", 3)
	var buf []Token
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		buf = a.AppendTokens(buf[:0], text)
	}
}
