package analysis

import "testing"

func TestFingerprint(t *testing.T) {
	def := New(nil).Fingerprint()
	same := []struct {
		name string
		opts *Options
	}{
		{"default stop words given", &Options{StopWords: DefaultStopWords()}},
		{"default stop words reversed", &Options{StopWords: reversed(DefaultStopWords())}},
	}
	for _, tt := range same {
		if got := New(tt.opts).Fingerprint(); got != def {
			t.Errorf("%s: fingerprint %x, want the default's %x", tt.name, got, def)
		}
	}
	syn := New(&Options{Synonyms: [][]string{{"人工智能", "AI"}, {"锂电池", "锂离子电池"}}}).Fingerprint()
	for _, o := range []*Options{
		{Synonyms: [][]string{{"锂离子电池", "锂电池"}, {"ＡＩ", "人工智能"}}}, // other order, full width
		{Synonyms: [][]string{{"人工智能", "AI", "ai"}, {"锂电池", "锂离子电池"}, {"单独"}}},
	} {
		if got := New(o).Fingerprint(); got != syn {
			t.Errorf("synonyms %q: fingerprint %x, want %x", o.Synonyms, got, syn)
		}
	}
	differ := []struct {
		name string
		opts *Options
	}{
		{"no unigrams", &Options{NoUnigrams: true}},
		{"no bigrams", &Options{NoBigrams: true}},
		{"no stop words", &Options{StopWords: []string{}}},
		{"one stop word less", &Options{StopWords: DefaultStopWords()[1:]}},
		{"synonyms", &Options{Synonyms: [][]string{{"人工智能", "AI"}, {"锂电池", "锂离子电池"}}}},
		{"other synonyms", &Options{Synonyms: [][]string{{"人工智能", "AI"}, {"锂电池", "电池"}}}},
	}
	seen := map[uint64]string{def: "default"}
	for _, tt := range differ {
		got := New(tt.opts).Fingerprint()
		if prev, dup := seen[got]; dup {
			t.Errorf("%s: fingerprint %x, the same as %s's", tt.name, got, prev)
		}
		seen[got] = tt.name
	}
}

// TestFingerprintStable pins the default analyzer's fingerprint: saved
// models record it, so it must change only with rulesVersion.
func TestFingerprintStable(t *testing.T) {
	const want = 0x4eefd581c52e0a28
	if got := New(nil).Fingerprint(); got != want {
		t.Errorf("default fingerprint %#x, want %#x (change it only with rulesVersion)", got, uint64(want))
	}
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
