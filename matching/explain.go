package matching

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/textindex"
)

// explainTerms turns the index terms a match shares with its query (CJK
// bigrams and unigrams, Latin words) into what a reader recognises:
//
//  1. the query's keywords whose every term matched (a keyword of two or
//     more CJK characters matched when each of its bigrams did);
//  2. the longest runs of the query's own text whose every pair of adjacent
//     characters is a matched bigram, without function characters (的, 与,
//     …) at their ends, and cut at them when longer than eight characters:
//     the words and phrases the two texts share, such as 纸基包装 rather than
//     纸基 and 基包;
//  3. matched Latin words and numbers (5g, vocs, pm2.5).
//
// Each is ranked by the summed scores of its terms, keywords first; a run
// inside one already listed is left out, and so is a word worth less than a
// tenth of the best (a word most texts share, such as 公司); single characters and bigrams
// that are not part of any such run never show. At most n are returned.
// When nothing qualifies (a query of single characters), the matched terms
// of two or more characters are returned as before.
func explainTerms(an *analysis.Analyzer, text string, keywords []string, parts []textindex.TermScore, n int) []string {
	score := map[string]float64{}
	for _, p := range parts {
		score[p.Term] += p.Score
	}
	type cand struct {
		s     string // as the query writes it
		key   string // normalized, for comparisons
		score float64
		kw    bool
	}
	var cands []cand
	seen := map[string]bool{}
	add := func(s string, sc float64, kw bool) {
		key := analysis.Normalize(s)
		if key == "" || seen[key] {
			return
		}
		seen[key] = true
		cands = append(cands, cand{s, key, sc, kw})
	}
	// runScore sums the distinct bigrams of a CJK run, ok when each matched.
	runScore := func(rs []rune) (float64, bool) {
		if len(rs) < 2 {
			return 0, false
		}
		sum, got := 0.0, map[string]bool{}
		for i := 0; i+1 < len(rs); i++ {
			b := string(rs[i : i+2])
			sc, ok := score[b]
			if !ok {
				return 0, false
			}
			if !got[b] {
				got[b] = true
				sum += sc
			}
		}
		return sum, true
	}
	// Keywords: every CJK run of two or more characters and every Latin
	// word of the keyword matched.
	for _, k := range keywords {
		nk := strings.TrimSpace(analysis.Normalize(k))
		total, ok, any := 0.0, true, false
		for _, part := range splitScripts(nk) {
			rs := []rune(part)
			switch {
			case analysis.IsCJK(rs[0]) && len(rs) >= 2:
				sc, matched := runScore(rs)
				ok, any, total = ok && matched, true, total+sc
			case analysis.IsCJK(rs[0]):
				// a lone character adds nothing on its own
			default:
				sc, matched := score[part]
				ok, any, total = ok && matched, true, total+sc
			}
		}
		if ok && any {
			add(strings.TrimSpace(k), total, true)
		}
	}
	// Runs of the query's text: maximal runs of matched bigrams, without
	// function characters at their ends; a run longer than eight characters
	// is cut at its function characters.
	rs := []rune(analysis.Normalize(text))
	addRun := func(run []rune) {
		for len(run) > 0 && an.StopRune(run[0]) {
			run = run[1:]
		}
		for len(run) > 0 && an.StopRune(run[len(run)-1]) {
			run = run[:len(run)-1]
		}
		if len(run) >= 2 {
			sc, _ := runScore(run)
			add(string(run), sc, false)
		}
	}
	for i := 0; i < len(rs); {
		if !analysis.IsCJK(rs[i]) {
			i++
			continue
		}
		j := i
		for j+1 < len(rs) && analysis.IsCJK(rs[j+1]) {
			if _, ok := score[string(rs[j:j+2])]; !ok {
				break
			}
			j++
		}
		run := rs[i : j+1]
		if len(run) <= 8 {
			addRun(run)
		} else {
			start := 0
			for k, r := range run {
				if an.StopRune(r) {
					addRun(run[start:k])
					start = k + 1
				}
			}
			addRun(run[start:])
		}
		i = j + 1
	}
	// Latin words and numbers, spelt as the query spells them (5G, VOCs).
	for t, sc := range score {
		if r, _ := utf8.DecodeRuneInString(t); !analysis.IsCJK(r) && utf8.RuneCountInString(t) >= 2 {
			add(spelling(text, t), sc, false)
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.kw != b.kw {
			if a.kw {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.s, b.s)
	})
	// Words far less telling than the best (公司, 问题: shared by most
	// texts, so of little weight) are left out unless they are keywords.
	top := 0.0
	for _, c := range cands {
		top = max(top, c.score)
	}
	var out, keys []string
	for _, c := range cands {
		if !c.kw && (c.score < 0.1*top || slices.ContainsFunc(keys, func(o string) bool { return strings.Contains(o, c.key) })) {
			continue
		}
		out, keys = append(out, c.s), append(keys, c.key)
		if len(out) == n {
			return out
		}
	}
	if len(out) == 0 {
		for _, t := range matchedTerms(parts, n) {
			if utf8.RuneCountInString(t) >= 2 {
				out = append(out, t)
			}
		}
	}
	return out
}

// spelling returns the first word of text that normalizes to term (an
// index term is folded to lower case), or term when there is none.
func spelling(text, term string) string {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return analysis.IsCJK(r) || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-')
	}) {
		if analysis.Normalize(w) == term {
			return w
		}
	}
	return term
}

// splitScripts cuts a normalized keyword into runs of CJK characters and
// runs of other word characters, dropping spaces and punctuation.
func splitScripts(s string) []string {
	var out []string
	var b strings.Builder
	cjk := false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case analysis.IsCJK(r):
			if !cjk {
				flush()
			}
			cjk = true
			b.WriteRune(r)
		case r == ' ' || r == '\t' || r == '\n' || r == '、' || r == ',' || r == '，':
			flush()
		default:
			if cjk {
				flush()
			}
			cjk = false
			b.WriteRune(r)
		}
	}
	flush()
	return out
}
