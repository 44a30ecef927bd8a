package analysis

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"PM2.5", "pm2.5"},
		{"ＰＭ２．５", "pm2.5"},
		{"人工智能ＡＩ", "人工智能ai"},
		{"Li-ion电池", "li-ion电池"},
		{"STRASSE Straße", "strasse strasse"},
		{"ｶﾀｶﾅ", "カタカナ"},
		{"①", "1"},
		{"e\u0301", "é"},
		{"Ｅ\u0301", "é"},
		{"\xff中", "\uFFFD中"},
		{"全角，标点。", "全角,标点。"},
		{"\u3000空格", " 空格"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFastRuneMatchesSlow checks every rune of the fast set against the
// x/text transformers.
func TestFastRuneMatchesSlow(t *testing.T) {
	for r := rune(0); r <= 0xFFFF; r++ {
		m, ok := fastRune(r)
		if !ok || !utf8.ValidRune(r) {
			continue
		}
		want := slowNormalize(string(r))
		if got := string(m); got != want {
			t.Errorf("fastRune(%U) = %q, want %q", r, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "PM2.5", "ＡＢＣ", "e\u0301", "\xff\xfe", "人工智能 AI", "ß", "ﬁ", "Ǆ", "ᾈ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q, not valid UTF-8", s, n)
		}
		if n2 := Normalize(n); n2 != n {
			t.Fatalf("Normalize not idempotent on %q: %q then %q", s, n, n2)
		}
		if v := strings.ToValidUTF8(s, "\uFFFD"); slowNormalize(v) != n {
			t.Fatalf("Normalize(%q) = %q, want the transformers' %q", s, n, slowNormalize(v))
		}
		if n3 := Normalize(s); n3 != n {
			t.Fatalf("Normalize not deterministic on %q: %q then %q", s, n, n3)
		}
	})
}
