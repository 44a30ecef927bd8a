package report

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

// TestCatalog prints every message in both languages with arguments of
// the right kinds and checks that nothing is malformed or untranslated.
func TestCatalog(t *testing.T) {
	verb := regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-z]`)
	for _, tag := range []language.Tag{language.Chinese, language.English} {
		p, _ := newPrinter(tag)
		for _, m := range messages {
			var args []any
			for _, v := range verb.FindAllString(m[0], -1) {
				if strings.HasSuffix(v, "f") {
					args = append(args, 1.5)
				} else {
					args = append(args, "x")
				}
			}
			got := p.Sprintf(m[0], args...)
			if strings.Contains(got, "%!") {
				t.Errorf("%v: %q prints %q", tag, m[0], got)
			}
			if tag == language.English && m[2] != "" && !strings.HasPrefix(got, strings.SplitN(m[2], "%", 2)[0]) {
				t.Errorf("en: %q prints %q, want %q", m[0], got, m[2])
			}
			if tag == language.Chinese && got == m[0] && m[0] != m[1] {
				t.Errorf("zh: %q is not translated", m[0])
			}
			if n0, n1 := len(verb.FindAllString(m[0], -1)), len(verb.FindAllString(m[1], -1)); n0 != n1 {
				t.Errorf("%q has %d verbs, its translation %d", m[0], n0, n1)
			}
		}
	}
	if p, lang := newPrinter(language.MustParse("zh-TW")); lang != language.Chinese || p.Sprintf("Ranking") != "排名" {
		t.Errorf("zh-TW: got %v, want Chinese", lang)
	}
	if _, lang := newPrinter(language.French); lang != language.English {
		t.Errorf("fr: got %v, want the English fallback", lang)
	}
}
