package money

import (
	"testing"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
)

func TestFormatZH(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"415000000", "4.15亿元"},
		{"35000000", "3500万元"},
		{"35000", "3.5万元"},
		{"10000", "1万元"},
		{"9999.99", "9999.99元"},
		{"9999.995", "1万元"}, // rounds to 10000.00 yuan: promoted
		{"99999999", "1亿元"}, // 9999.9999万 rounds to 10000万: promoted
		{"123456789012", "1234.57亿元"},
		{"1234.5", "1234.5元"},
		{"0", "0元"},
		{"0.004", "0元"},
		{"-0.004", "0元"},
		{"0.005", "0.01元"}, // half away from zero
		{"-0.005", "-0.01元"},
		{"-415000000", "-4.15亿元"},
		{"-35000", "-3.5万元"},
		{"12345", "1.23万元"},
		{"12355", "1.24万元"}, // 1.2355 → 1.24 (half away from zero)
		{"12365", "1.24万元"}, // 1.2365 → 1.24 (below half)
		{"4150000", "415万元"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := FormatZH(decimal.RequireFromString(tt.in))
			if got != tt.want {
				t.Errorf("FormatZH(%s): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatEN(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"415000000", "CNY 415.00 million"},
		{"3500000", "CNY 3.50 million"},
		{"35000", "CNY 35,000.00"},
		{"999999.994", "CNY 999,999.99"},
		{"999999.995", "CNY 1.00 million"},
		{"1200000000", "CNY 1.20 billion"},
		{"1234567890123", "CNY 1,234.57 billion"},
		{"0", "CNY 0.00"},
		{"-0.001", "CNY 0.00"},
		{"12.5", "CNY 12.50"},
		{"123", "CNY 123.00"},
		{"1234", "CNY 1,234.00"},
		{"-3500000", "CNY -3.50 million"},
		{"-35000", "CNY -35,000.00"},
		{"0.125", "CNY 0.13"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := FormatEN(decimal.RequireFromString(tt.in))
			if got != tt.want {
				t.Errorf("FormatEN(%s): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatTag(t *testing.T) {
	d := decimal.NewFromInt(415000000)
	tests := []struct {
		tag  language.Tag
		want string
	}{
		{language.Chinese, "4.15亿元"},
		{language.SimplifiedChinese, "4.15亿元"},
		{language.TraditionalChinese, "4.15亿元"},
		{language.MustParse("zh-CN"), "4.15亿元"},
		{language.English, "CNY 415.00 million"},
		{language.German, "CNY 415.00 million"},
		{language.Und, "CNY 415.00 million"},
	}
	for _, tt := range tests {
		if got := Format(d, tt.tag); got != tt.want {
			t.Errorf("Format(%v): got %q, want %q", tt.tag, got, tt.want)
		}
	}
}

func FuzzFormat(f *testing.F) {
	for _, s := range []string{"0", "415000000", "-35000", "0.005", "99999999.999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := decimal.NewFromString(s)
		if err != nil {
			return
		}
		zh, en := FormatZH(d), FormatEN(d)
		if zh == "" || en == "" {
			t.Fatalf("empty output for %s", s)
		}
		// Negation only changes the sign.
		if d.Sign() != 0 {
			nzh := FormatZH(d.Neg())
			if d.Sign() > 0 && nzh != zh && nzh != "-"+zh {
				t.Errorf("FormatZH(-%s) = %q, FormatZH(%s) = %q", s, nzh, s, zh)
			}
		}
	})
}

func BenchmarkFormatZH(b *testing.B) {
	b.ReportAllocs()
	d := decimal.RequireFromString("415000000")
	for b.Loop() {
		_ = FormatZH(d)
	}
}
