package creditcode

import (
	"errors"
	"strings"
	"testing"
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
		{"91350100M000100Y4３", BadLength, 0, "", "", true}, // full-width digit: 18 runes, 20 bytes
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
			if tt.pos > 0 && !strings.Contains(e.Error(), "position") {
				t.Errorf("message %q does not name the position", e.Error())
			}
			_, lerr := Validate(tt.code, &Options{Lenient: true})
			if got := lerr != nil; got != tt.lenient {
				t.Errorf("lenient error: got %v, want error=%v", lerr, tt.lenient)
			}
		})
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

// FuzzValidate: Validate never panics; an accepted code is 18 symbols whose
// check character is CheckChar of the rest; changing any one character of
// a valid code into another symbol makes strict validation fail (the
// weights are units mod 31, so a single substitution always changes the
// sum).
func FuzzValidate(f *testing.F) {
	for _, c := range published {
		f.Add(c, 3, byte(7))
	}
	f.Add("", 0, byte(0))
	f.Add("9135010０M000100Y43", 17, byte(30))
	f.Fuzz(func(t *testing.T, s string, pos int, sym byte) {
		c, err := Validate(s, nil)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not *Error", err)
			}
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

func BenchmarkValidate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Validate("9144030071526726XG", nil); err != nil {
			b.Fatal(err)
		}
	}
}
