package textnorm

import (
	"slices"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
	"pgregory.net/rapid"
)

func TestNormText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  一种ＡＩ辅助的　海水养殖 投喂系统 ", "一种AI辅助的 海水养殖 投喂系统"},
		{"ＰＭ２．５净化", "PM2.5净化"},
		{"锂电池（Li-ion）：正极材料，", "锂电池(Li-ion):正极材料,"},
		{"tab\tand\nnewline", "tab and newline"},
		{"ﾃｽﾄ", "テスト"},                   // half-width katakana → full width
		{"①号方案…", "1号方案..."},             // NFKC compatibility forms
		{"bad\xffbyte", "bad\uFFFDbyte"}, // invalid UTF-8 replaced
		{"ctrl\x00\x07x", "ctrlx"},
		{"", ""},
		{"   ", ""},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormList(t *testing.T) {
	got := List([]string{" AI ", "人工智能", "ai", "", "Ａｉ", "人工智能 "})
	if want := []string{"AI", "人工智能"}; !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
	if got := Codes([]string{"i65", " I 65", "c35"}); !slices.Equal(got, []string{"I65", "C35"}) {
		t.Errorf("Codes = %q", got)
	}
}

func TestNormMultiline(t *testing.T) {
	got := Multiline("第一段，  内容。\r\n\r\n  第二段\n")
	if want := "第一段, 内容。\n第二段"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzNormText checks that normalization is idempotent, yields valid
// NFKC, width-folded UTF-8 without surrounding space, and that the fast path
// agrees with the general one.
func FuzzNormText(f *testing.F) {
	for _, s := range []string{"ＡＢＣ　１２３", "海水养殖，投喂", "e\u0301", "ﾃｽﾄ", "\xff", "a  b", "（）【】“”", "…"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if again := Text(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
		}
		if !norm.NFKC.IsNormalString(got) {
			t.Fatalf("not NFKC: %q → %q", s, got)
		}
		if width.Fold.String(got) != got {
			t.Fatalf("not width-folded: %q → %q", s, got)
		}
		if len(got) > 0 && (got[0] == ' ' || got[len(got)-1] == ' ') {
			t.Fatalf("not trimmed: %q", got)
		}
		if fast, ok := fastFold(s); ok && fast != collapseSpaces(foldWidth(s)) {
			t.Fatalf("fast path %q differs from general path %q for %q", fast, collapseSpaces(foldWidth(s)), s)
		}
	})
}

// TestIdeograph3 checks the byte-level test against the rune-level one on
// every three-byte code point and on broken sequences.
func TestIdeograph3(t *testing.T) {
	for r := rune(0x800); r <= 0xFFFF; r++ {
		s := string(r)
		if len(s) != 3 {
			continue
		}
		want := stableCJK(r) && ((r >= 0x4000 && r <= 0x4DBF) || (r >= 0x4E00 && r <= 0x9FFF))
		if got := ideograph3(s+"x", 0); got != want {
			t.Fatalf("ideograph3(%U) = %v, want %v", r, got, want)
		}
		if ideograph3(s[:2], 0) || ideograph3(s[:2]+"a", 0) {
			t.Fatalf("ideograph3 accepted a cut %U", r)
		}
	}
}

// dedupSlow is dedup without its fast path.
func dedupSlow(xs []string, f func(string) string) []string {
	var out, keys []string
	for _, x := range xs {
		if x = f(x); x == "" {
			continue
		}
		k := FoldKey(x)
		if slices.Contains(keys, k) {
			continue
		}
		keys = append(keys, k)
		out = append(out, x)
	}
	return out
}

func TestDedupFastPathAgrees(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		xs := rapid.SliceOfN(rapid.StringOfN(rapid.SampledFrom([]rune{'a', 'A', ' ', '中', 'Ａ', '\t', 'é'}), 0, 4, -1), 0, 20).Draw(t, "xs")
		for _, f := range []func(string) string{Text, Code} {
			got, want := dedup(xs, f), dedupSlow(xs, f)
			if !slices.Equal(got, want) {
				t.Fatalf("dedup(%q) = %q, want %q", xs, got, want)
			}
		}
	})
}
