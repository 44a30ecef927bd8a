package creditcode

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// Publicly printed codes: the example in GB 32100-2015 and the business
// licences of three large companies. They cross-check the weights and both
// check characters against the issuing authorities' own arithmetic.
var published = []string{
	"91350100M000100Y43", // GB 32100-2015 example
	"914403001922038216", // 华为技术有限公司
	"9144030071526726XG", // 深圳市腾讯计算机系统有限公司
	"91330100716105852F", // 阿里巴巴（中国）有限公司
}

func TestPublishedCodes(t *testing.T) {
	for _, c := range published {
		got, err := Validate(c, nil)
		if err != nil {
			t.Errorf("Validate(%q): got %v, want nil", c, err)
			continue
		}
		if got.Value != c || got.Division != c[2:8] || got.OrgCode != c[8:17] || got.Check != c[17] {
			t.Errorf("Validate(%q) parts: got %+v", c, got)
		}
		if want := CheckChar(c[:17]); want != c[17] {
			t.Errorf("CheckChar(%q): got %c, want %c", c[:17], want, c[17])
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		code    string
		reason  Reason
		pos     int
		char    string
		want    string
		lenient bool // still an error in lenient mode
	}{
		{"91350100M000100Y4", BadLength, 0, "", "", true},
		{"91350100M000100Y433", BadLength, 0, "", "", true},
		{"", BadLength, 0, "", "", true},
		{"91350100M000100Y4３３", BadLength, 0, "", "", true}, // 19 characters, 23 bytes
		{"９1310110MA1FL8PQ0", BadLength, 0, "", "", true},   // 17 characters, 19 bytes
		// 18 characters, some not ASCII: a bad symbol at the character's
		// 1-based position, not a length error (issue 21, defect 5).
		{"91350100M000100Y4３", BadSymbol, 18, "３", "", true},
		{"９1310110MA1FL8PQ0G", BadSymbol, 1, "９", "", true},
		{"9135０100M000100Y43", BadSymbol, 5, "０", "", true},
		{"合1310110MA1FL8PQ0G", BadSymbol, 1, "合", "", true},
		{"9131011Ｏ0MA1FL8PQ0", BadSymbol, 8, "Ｏ", "", true},
		{"\xff1310110MA1FL8PQ0G", BadSymbol, 1, "\xff", "", true}, // invalid UTF-8: one byte, one character
		{"91\u00e9310110MA1FL8PQ0", BadSymbol, 3, "\u00e9", "", true},
		{"91350100M000100I43", BadSymbol, 16, "I", "", true},
		{"O1350100M000100Y43", BadSymbol, 1, "O", "", true},
		{"91350100M000100y43", BadSymbol, 16, "y", "", true},
		{"9135A100M000100Y43", BadDivision, 5, "A", "", true},
		{"91350100M000100Y42", BadCheck, 18, "2", "3", false},
		{"91350100M000100Y56", BadOrgCheck, 17, "5", "4", false},
		{"914403001922038217", BadCheck, 18, "7", "6", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			_, err := Validate(tt.code, nil)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if e.Reason != tt.reason || e.Position != tt.pos || e.Char != tt.char || e.Want != tt.want {
				t.Errorf("got %s at %d %q want %q, want %s at %d %q want %q", e.Reason, e.Position, e.Char, e.Want, tt.reason, tt.pos, tt.char, tt.want)
			}
			if tt.pos > 0 && !strings.Contains(e.Error(), fmt.Sprintf("position %d:", tt.pos)) {
				t.Errorf("message %q does not name position %d", e.Error(), tt.pos)
			}
			if n := utf8.RuneCountInString(tt.code); tt.reason == BadLength {
				if e.Len != n || !strings.Contains(e.Error(), fmt.Sprintf("has %d characters, want 18", n)) {
					t.Errorf("length: got Len %d and %q, want %d characters", e.Len, e.Error(), n)
				}
			}
			_, lerr := Validate(tt.code, &Options{Lenient: true})
			if got := lerr != nil; got != tt.lenient {
				t.Errorf("lenient error: got %v, want error=%v", lerr, tt.lenient)
			}
		})
	}
}

// TestFullWidthMessage: the issue-21 input is refused at position 1, the
// message says which character was found and how to fix it, and the
// normalized code is valid.
func TestFullWidthMessage(t *testing.T) {
	const code = "９1310110MA1FL8PQ0G"
	_, err := Validate(code, nil)
	want := `creditcode: "９1310110MA1FL8PQ0G": position 1: "９" is not a code symbol (0-9 and A-Y without I, O, S, V, Z); it is a full-width character: Normalize folds it to "9"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v,\nwant %s", err, want)
	}
	if _, err := Validate(Normalize(code), nil); err != nil {
		t.Errorf("Validate(Normalize(%q)): got %v, want nil", code, err)
	}
	// A lower-case letter gets the same hint; a symbol Normalize cannot
	// fix gets none.
	_, err = Validate("91350100m000100Y43", nil)
	if err == nil || !strings.HasSuffix(err.Error(), `; it is lower case: Normalize folds it to "M"`) {
		t.Errorf("lower case: got %v, want the Normalize hint", err)
	}
	for _, c := range []string{"Ｉ1350100M000100Y43", "合1350100M000100Y43", "I1350100M000100Y43"} {
		if _, err := Validate(c, nil); err == nil || strings.Contains(err.Error(), "Normalize") {
			t.Errorf("%q: got %v, want an error without the Normalize hint", c, err)
		}
	}
}

func TestLenientReportsAndKeeps(t *testing.T) {
	// A made-up pilot-style code with both checks wrong.
	code := "91350100M000100Y52"
	got, err := Validate(code, &Options{Lenient: true})
	if err != nil {
		t.Fatalf("lenient: got %v, want nil", err)
	}
	if got.Value != code {
		t.Errorf("lenient changed the code: got %q, want %q", got.Value, code)
	}
	if len(got.Warnings) != 2 || got.Warnings[0].Reason != BadOrgCheck || got.Warnings[1].Reason != BadCheck {
		t.Errorf("warnings: got %v, want org_check then check", got.Warnings)
	}
	if Valid(code) {
		t.Errorf("Valid(%q): got true, want false (strict)", code)
	}
}

func TestOrgCheckChar(t *testing.T) {
	tests := []struct {
		body string
		want byte
		ok   bool
	}{
		{"M000100Y", '4', true},
		{"19220382", '1', true},
		{"71526726", 'X', true},
		{"71610585", '2', true},
		{"1234567", 0, false},
		{"1234567*", 0, false},
	}
	for _, tt := range tests {
		got, ok := OrgCheckChar(tt.body)
		if got != tt.want || ok != tt.ok {
			t.Errorf("OrgCheckChar(%q): got (%q, %v), want (%q, %v)", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{" 91350100m000100y43 ", "91350100M000100Y43"},
		{"９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"},
		{"9135 0100", "9135 0100"}, // inner space kept: the code stays wrong
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckCharPanicsOnProgrammerError(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("CheckChar(short): got no panic, want one")
		}
	}()
	CheckChar("123")
}

// FuzzValidate: Validate never panics; an error is an *Error whose numbers
// agree with the input (a length error gives the length in characters,
// which is not 18; any other error names a position 1–18 holding the
// reported character, and the message says both; a Normalize hint is true);
// an accepted code is 18 symbols whose check character is CheckChar of the
// rest; changing any one character of a valid code into another symbol
// makes strict validation fail (the weights are units mod 31, so a single
// substitution always changes the sum). Normalize is idempotent.
func FuzzValidate(f *testing.F) {
	for _, c := range published {
		f.Add(c, 3, byte(7))
	}
	f.Add("", 0, byte(0))
	f.Add("9135010０M000100Y43", 17, byte(30))
	f.Add("９1310110MA1FL8PQ0G", 0, byte(0))
	f.Add("91350100m000100y43", 0, byte(0))
	f.Add("\xff1310110MA1FL8PQ0G", 0, byte(0))
	f.Add("9135A100M000100Y43", 0, byte(0))
	f.Fuzz(func(t *testing.T, s string, pos int, sym byte) {
		if n := Normalize(s); Normalize(n) != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, n, Normalize(n))
		}
		_, _ = Validate(Normalize(s), &Options{Lenient: true})
		c, err := Validate(s, nil)
		if err != nil {
			checkErrorAgrees(t, s, err)
			return
		}
		if c.Value != s || CheckChar(s[:17]) != s[17] {
			t.Fatalf("accepted %q with check %c", s, CheckChar(s[:17]))
		}
		pos = (pos%Length + Length) % Length
		nv := Alphabet[int(sym)%len(Alphabet)]
		if nv == s[pos] {
			return
		}
		m := s[:pos] + string(nv) + s[pos+1:]
		if Valid(m) {
			t.Fatalf("one substitution at %d (%q → %q) still valid", pos+1, s, m)
		}
	})
}

// checkErrorAgrees fails unless err is an *Error about s whose length,
// position, character and message agree with s.
func checkErrorAgrees(tb testing.TB, s string, err error) {
	tb.Helper()
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v is not *Error", err)
	}
	msg := e.Error()
	if e.Code != s || !strings.HasPrefix(msg, fmt.Sprintf("creditcode: %q", s)) {
		tb.Fatalf("error about %q, message %q: want it about %q", e.Code, msg, s)
	}
	cs := chars(s)
	if e.Reason == BadLength {
		if e.Len != len(cs) || e.Len == Length || e.Position != 0 || !strings.Contains(msg, fmt.Sprintf("has %d characters, want %d", len(cs), Length)) {
			tb.Fatalf("%q has %d characters: got Len %d, position %d, %q", s, len(cs), e.Len, e.Position, msg)
		}
		return
	}
	if len(cs) != Length || e.Position < 1 || e.Position > Length || cs[e.Position-1] != e.Char {
		tb.Fatalf("%q: got %s at position %d char %q, which is not the character there", s, e.Reason, e.Position, e.Char)
	}
	if !strings.Contains(msg, fmt.Sprintf("position %d:", e.Position)) || !strings.Contains(msg, fmt.Sprintf("%q", e.Char)) {
		tb.Fatalf("message %q does not name position %d and %q", msg, e.Position, e.Char)
	}
	if e.Reason == BadSymbol {
		for i, c := range cs[:e.Position-1] {
			if len(c) != 1 || value(c[0]) < 0 {
				tb.Fatalf("%q: bad symbol reported at %d, but %q at %d comes first", s, e.Position, c, i+1)
			}
		}
		if len(e.Char) == 1 && value(e.Char[0]) >= 0 {
			tb.Fatalf("%q: %q reported as a bad symbol", s, e.Char)
		}
	}
	if _, hint, ok := strings.Cut(msg, "Normalize folds it to "); ok {
		if n := Normalize(e.Char); hint != fmt.Sprintf("%q", n) || len(n) != 1 || value(n[0]) < 0 {
			tb.Fatalf("message %q: Normalize(%q) = %q", msg, e.Char, n)
		}
	}
}

// chars splits s into characters as Validate counts them: one per rune,
// one per invalid UTF-8 byte.
func chars(s string) []string {
	var cs []string
	for len(s) > 0 {
		_, n := utf8.DecodeRuneInString(s)
		cs = append(cs, s[:n])
		s = s[n:]
	}
	return cs
}

func BenchmarkValidate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Validate("9144030071526726XG", nil); err != nil {
			b.Fatal(err)
		}
	}
}
