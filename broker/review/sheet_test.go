package review_test

import (
	"go/parser"
	"go/token"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/evaluation"
	"github.com/kexie/techbroker/internal/orgtag"
	"github.com/kexie/techbroker/internal/textnorm"
)

var limits = review.Limits{Comment: 2000, CriterionComment: 500}

func checkSheet(tmpl evaluation.Template, in review.Sheet) []string {
	c := &broker.Check{}
	review.CheckSheet(c, tmpl, in, limits)
	return fieldCodes(c.Err(review.KindSheet))
}

func TestCheckSheet(t *testing.T) {
	tmpl := evaluation.DefaultTemplate()
	scaled := tmpl
	scaled.Criteria = slices.Clone(tmpl.Criteria)
	scaled.Criteria[1].Min, scaled.Criteria[1].Max = 1, 5 // market on 1–5
	for _, tc := range []struct {
		name string
		tmpl evaluation.Template
		in   func(review.Sheet) review.Sheet
		want []string
	}{
		{"complete", tmpl, func(s review.Sheet) review.Sheet { return s }, nil},
		{"out of scale", tmpl, func(s review.Sheet) review.Sheet { s.Scores["novelty"] = 101; s.Scores["team"] = -1; return s },
			[]string{"scores.novelty:score_range", "scores.team:score_range"}},
		{"not a number", tmpl, func(s review.Sheet) review.Sheet {
			s.Scores["ip"] = math.NaN()
			s.Scores["team"] = math.Inf(1)
			return s
		},
			[]string{"scores.ip:score_range", "scores.team:score_range"}},
		{"missing", tmpl, func(s review.Sheet) review.Sheet { delete(s.Scores, "maturity"); delete(s.Scores, "ip"); return s },
			[]string{"scores.ip:required", "scores.maturity:required"}},
		{"inner node scored", tmpl, func(s review.Sheet) review.Sheet { s.Scores["technology"] = 80; return s },
			[]string{"scores.technology:not_criterion"}},
		{"own scale", scaled, func(s review.Sheet) review.Sheet { s.Scores["market"] = 6; return s }, []string{"scores.market:score_range"}},
		{"own scale inside", scaled, func(s review.Sheet) review.Sheet { s.Scores["market"] = 4.5; return s }, nil},
		{"comments", tmpl, func(s review.Sheet) review.Sheet {
			s.Comments = map[string]string{"ip": strings.Repeat("专", 501), "charm": "好", "team": "团队完整"}
			s.Comment = strings.Repeat("评", 2001)
			return s
		}, []string{"comment:max_len", "comments.charm:not_criterion", "comments.ip:max_len"}},
		{"empty", tmpl, func(review.Sheet) review.Sheet { return review.Sheet{} },
			[]string{"scores.advancement:required", "scores.ip:required", "scores.maturity:required", "scores.novelty:required", "scores.market:required", "scores.team:required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := checkSheet(tc.tmpl, tc.in(profile(70)))
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// FuzzCheckSheet: CheckSheet never panics, names only fields of the
// sheet, and finds nothing exactly when the template scores the sheet
// (evaluation.Template.Score) and no key or comment is out of place.
func FuzzCheckSheet(f *testing.F) {
	f.Add(80.0, 75.0, 70.0, 65.0, 60.0, 55.0, "novelty", 90.0, "team", "好", 10)
	f.Add(101.0, -1.0, math.NaN(), 0.0, 100.0, 50.0, "charm", 1.0, "ip", "", 600)
	f.Add(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "", math.Inf(-1), "", "x", 0)
	tmpl := evaluation.DefaultTemplate()
	leaves := tmpl.Leaves()
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g float64, extraKey string, extra float64, commentKey, comment string, repeat int) {
		scores := map[string]float64{}
		for i, v := range []float64{a, b, c, d, e, g} {
			if v != -0.5 { // -0.5 leaves the criterion out
				scores[leaves[i].ID] = v
			}
		}
		if extraKey != "" {
			scores[extraKey] = extra
		}
		in := review.Sheet{Scores: scores, Comment: strings.Repeat(comment, min(max(repeat, 0), 3000))}
		if commentKey != "" {
			in.Comments = map[string]string{commentKey: comment}
		}
		c0 := &broker.Check{}
		review.CheckSheet(c0, tmpl, in, limits)
		err := c0.Err(review.KindSheet)
		leafSet := map[string]bool{}
		for _, l := range leaves {
			leafSet[l.ID] = true
		}
		ok := true
		if _, serr := tmpl.Score(scores); serr != nil {
			ok = false
		}
		for k := range scores {
			if !leafSet[k] {
				ok = false
			}
		}
		if commentKey != "" && (!leafSet[commentKey] || len([]rune(textnorm.Multiline(comment))) > limits.CriterionComment) {
			ok = false
		}
		if len([]rune(textnorm.Multiline(in.Comment))) > limits.Comment {
			ok = false
		}
		if (err == nil) != ok {
			t.Fatalf("CheckSheet says %v, but the sheet is ok=%v: %+v", err, ok, in)
		}
		for _, fc := range fieldCodes(err) {
			if !strings.HasPrefix(fc, "scores.") && !strings.HasPrefix(fc, "comments.") && !strings.HasPrefix(fc, "comment:") &&
				!strings.HasPrefix(fc, "scores:") && !strings.HasPrefix(fc, "comments:") {
				t.Fatalf("a field that is not the sheet's: %s", fc)
			}
		}
	})
}

// TestRecordsOrgTags: the package's record types tag every field that
// names an organization.
func TestRecordsOrgTags(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[review.Panel](), reflect.TypeFor[review.ScoreSheet](), reflect.TypeFor[review.Verdict](),
		reflect.TypeFor[review.ValuationReport](), reflect.TypeFor[review.Workload](),
	} {
		if findings := orgtag.Lint(typ); len(findings) > 0 {
			t.Errorf("%s: %v", typ, findings)
		}
	}
}

// TestImportsNoDriver: the package uses the core's exported API only,
// never the store's driver.
func TestImportsNoDriver(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if strings.Contains(imp.Path.Value, "broker/driver") {
				t.Errorf("%s imports %s", name, imp.Path.Value)
			}
		}
	}
}
