package jsonenc_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/kexie/techbroker/internal/jsonenc"
)

func std(t interface{ Fatal(...any) }, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every primitive writes exactly encoding/json's bytes.
func TestSameBytesAsEncodingJSON(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := rapid.OneOf(rapid.String(), rapid.SampledFrom([]string{"深远海养殖", "a<b>&c", "\u2028\u2029", "\"\\\b\f\n\r\t\x00\x1f", "ＰＭ２．５", ""}),
			rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) })).Draw(rt, "s")
		if got, want := jsonenc.AppendString(nil, s), std(rt, s); !bytes.Equal(got, want) {
			rt.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
		if jsonenc.Plain(s) != bytes.Equal(std(rt, s), append(append([]byte{'"'}, s...), '"')) {
			rt.Fatalf("Plain(%q) = %v disagrees with encoding/json", s, jsonenc.Plain(s))
		}
		ss := rapid.SliceOfN(rapid.String(), 0, 4).Draw(rt, "ss")
		if got, want := jsonenc.AppendStrings(nil, ss), std(rt, ss); len(ss) > 0 && !bytes.Equal(got, want) {
			rt.Fatalf("AppendStrings(%q) = %s, want %s", ss, got, want)
		}
		tm := time.Unix(0, rapid.Int64Range(-1e18, 4e18).Draw(rt, "ns")).In(time.FixedZone("Z", rapid.IntRange(-50000, 50000).Draw(rt, "off")))
		got, err := jsonenc.AppendTime(nil, tm)
		want, werr := json.Marshal(tm)
		if (err == nil) != (werr == nil) || err == nil && !bytes.Equal(got, want) {
			rt.Fatalf("AppendTime(%v) = %s, %v; want %s, %v", tm, got, err, want, werr)
		}
		d := decimal.New(rapid.Int64().Draw(rt, "c"), int32(rapid.IntRange(-30, 30).Draw(rt, "e")))
		if got, want := jsonenc.AppendDecimal(nil, d), std(rt, d); !bytes.Equal(got, want) {
			rt.Fatalf("AppendDecimal(%s) = %s, want %s", d, got, want)
		}
		f := rapid.OneOf(rapid.Float64(), rapid.SampledFrom([]float64{0, 1e21, 1e-7, 84.5, 1e20, -1e-6, math.SmallestNonzeroFloat64})).Draw(rt, "f")
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return
		}
		if got, want := jsonenc.AppendFloat(nil, f), std(rt, f); !bytes.Equal(got, want) {
			rt.Fatalf("AppendFloat(%v) = %s, want %s", f, got, want)
		}
	})
}

// TestDecimalGrid compares the decimal formatting with
// Decimal.MarshalJSON on a grid of coefficients and exponents, the fast
// path (up to 18 digits) and the fallback alike.
func TestDecimalGrid(t *testing.T) {
	coefs := []int64{0, 1, -1, 7, 10, -10, 100, 101, 1200, -1200, 123456, 1_000_000, 999_999_999_999_999_999, -999_999_999_999_999_999,
		1_000_000_000_000_000_000, -1 << 63, 1<<63 - 1}
	for _, c := range coefs {
		for exp := int32(-25); exp <= 25; exp++ {
			d := decimal.New(c, exp)
			want, _ := d.MarshalJSON()
			if got := jsonenc.AppendDecimal(nil, d); !bytes.Equal(got, want) {
				t.Errorf("decimal.New(%d, %d): got %s, want %s", c, exp, got, want)
			}
		}
	}
}

// TestPlainStrings: jsonenc.Plain(s) holds exactly when
// writes s unchanged between quotes, for every rune alone
// between ASCII letters, for the lead bytes E0–EF followed by continuation
// bytes at every boundary (or cut short), and for random strings.
func TestPlainStrings(t *testing.T) {
	var want, got []byte
	check := func(s string) {
		t.Helper()
		want, _ = json.Marshal(s)
		plain := len(want) == len(s)+2 && string(want[1:len(want)-1]) == s
		if p := jsonenc.Plain(s); p != plain {
			t.Fatalf("Plain(%q) = %v, want %v", s, p, plain)
		}
		if got = jsonenc.AppendString(got[:0], s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
	step := 1 // every rune; a sample under -short
	if testing.Short() {
		step = 61
	}
	buf := []byte("a\U0010FFFFb")
	for r := rune(0); r <= utf8.MaxRune; r += rune(step) {
		n := utf8.EncodeRune(buf[1:], r)
		buf[1+n] = 'b'
		check(string(buf[:2+n]))
	}
	// Invalid and truncated sequences after the lead bytes of three-byte
	// runes: continuation bytes at and around every boundary.
	edges := []byte{0x00, 0x41, 0x5C, 0x7F, 0x80, 0x81, 0x9F, 0xA0, 0xA7, 0xA8, 0xA9, 0xAA, 0xBE, 0xBF, 0xC0, 0xC2, 0xE3, 0xFF}
	for lead := 0xE0; lead <= 0xEF; lead++ {
		check(string([]byte{byte(lead)}))
		for _, c1 := range edges {
			check(string([]byte{byte(lead), c1}))
			for _, c2 := range edges {
				check(string([]byte{byte(lead), c1, c2}))
				check(string([]byte{'a', byte(lead), c1, c2, 'b'}))
			}
		}
	}
	for _, s := range []string{"\xe4\xb8", "\xe4", "中\xe4\xb8", "\xed\xa0\x80", "\xef\xbf\xbd", "\xef\xbf\xbf", "\xe2\x80\xa8", "x\xe2\x80"} {
		check(s)
	}
	rapid.Check(t, func(rt *rapid.T) {
		s := rapid.OneOf(rapid.String(), rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) })).Draw(rt, "s")
		b, _ := json.Marshal(s)
		want := string(b) == `"`+s+`"`
		if got := jsonenc.Plain(s); got != want {
			rt.Fatalf("Plain(%q) = %v, want %v", s, got, want)
		}
	})
}
