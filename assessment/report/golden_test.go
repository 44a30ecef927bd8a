package report_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/assessment/report"
	"golang.org/x/text/language"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestMarkdownGolden compares the sample report's Markdown, in Chinese and
// in English, with its charts linked, against the reviewed copies in
// testdata (go test -run MarkdownGolden -update rewrites them; review the
// diff).
func TestMarkdownGolden(t *testing.T) {
	r := sampleReport(t)
	r.ChartDir = "."
	for _, tc := range []struct {
		tag  language.Tag
		file string
	}{{language.Chinese, "report.zh.md"}, {language.English, "report.en.md"}} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.WriteMarkdown(&buf, r, tc.tag); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s (go test -run MarkdownGolden -update ./assessment/report rewrites it):\n%s", tc.tag, golden, buf.String())
			}
		})
	}
}

// TestCharts checks the standalone chart files: each is a well-formed SVG
// document that the Markdown links by its name; the grading is said beside
// the ranking table; and every entity keeps one colour across the charts
// that show entities, which no group or stage uses.
func TestCharts(t *testing.T) {
	r := sampleReport(t)
	r.ChartDir = "charts"
	for _, tag := range []language.Tag{language.Chinese, language.English} {
		charts, err := report.Charts(r, tag)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		files := map[string]string{}
		for _, c := range charts {
			names = append(names, c.File)
			files[c.File] = string(c.SVG)
			if err := wellFormed(c.SVG); err != nil {
				t.Errorf("%s %s: %v", tag, c.File, err)
			}
			if !strings.Contains(string(c.SVG), "<title>"+html.EscapeString(c.Title)+"</title>") {
				t.Errorf("%s %s: no title %q", tag, c.File, c.Title)
			}
		}
		if want := []string{"ranking.svg", "profiles.svg", "funnel.svg", "index.svg", "trends.svg", "panels.svg"}; !slices.Equal(names, want) {
			t.Errorf("%s charts: got %v, want %v", tag, names, want)
		}
		var md bytes.Buffer
		if err := report.WriteMarkdown(&md, r, tag); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if !strings.Contains(md.String(), "](charts/"+n+")") {
				t.Errorf("%s Markdown does not link charts/%s", tag, n)
			}
		}
		note := map[language.Tag]string{language.Chinese: "等级按名次比例评定（A：前15.0%；B：其后35.0%；C：其后35.0%；D：其余）。",
			language.English: "Grades by rank (A the top 15.0%; B the next 35.0%; C the next 35.0%; D the rest)."}[tag]
		if !strings.Contains(md.String(), "\n\n"+note+"\n\n| ") {
			t.Errorf("%s Markdown does not say how grades are given beside the table (%q)", tag, note)
		}
		// One colour per entity: the i-th entity of the scorecard has the
		// i-th colour of the palette in every chart that shows entities.
		palette := []string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#3c3c3c"}
		for i, e := range r.Scorecard.Entities {
			for _, f := range []string{"ranking.svg", "profiles.svg", "trends.svg", "panels.svg"} {
				if !strings.Contains(files[f], palette[i]) && !strings.Contains(files[f], strings.ToUpper(palette[i])) &&
					!strings.Contains(files[f], rgb(palette[i])) {
					t.Errorf("%s: entity %s has not its colour %s in %s", tag, e.ID, palette[i], f)
				}
			}
		}
		for _, f := range []string{"funnel.svg"} {
			for _, c := range palette {
				if strings.Contains(files[f], c) {
					t.Errorf("%s uses the entity colour %s", f, c)
				}
			}
		}
	}
}

// rgb writes a hex colour as plot's SVG backend does: rgb(r,g,b).
func rgb(hex string) string {
	var r, g, b int
	fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b)
	return fmt.Sprintf("rgb(%d,%d,%d)", r, g, b)
}

var svgRoot = regexp.MustCompile(`^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 [0-9.]+ [0-9.]+" width="[0-9.]+" height="[0-9.]+">`)

// wellFormed parses an SVG document as XML and checks its root.
func wellFormed(b []byte) error {
	if !svgRoot.Match(b) {
		return fmt.Errorf("not a standalone SVG document: %.120s", b)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}
