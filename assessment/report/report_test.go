package report_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/assessment/assessmenttest"
	"github.com/kexie/techbroker/assessment/report"
	"golang.org/x/text/language"
)

// sampleReport builds the report for the seven sample brokers in 2024,
// with their 2023–2024 totals as trends and a sample innovation index.
func sampleReport(tb testing.TB) *report.Report {
	tb.Helper()
	s := assessment.DefaultScheme()
	r := &report.Report{
		IndexNameZH: "区域创新指数（示例）", IndexNameEN: "Regional innovation index (sample)",
		TrendsTitleZH: "各券商总分", TrendsTitleEN: "Total score by broker",
	}
	cards := map[string]*assessment.Scorecard{}
	for _, per := range assessmenttest.Periods() {
		sc, err := s.Score(assessmenttest.SevenBrokers(per))
		if err != nil {
			tb.Fatal(err)
		}
		cards[per] = sc
	}
	r.Scorecard = cards["2024"]
	r.Stats = assessmenttest.SevenBrokers("2024")
	for i, b := range r.Scorecard.Entities {
		r.Trends = append(r.Trends, report.Series{
			ID: b.ID, NameZH: b.NameZH, NameEN: b.NameEN,
			Periods: []string{"2023", "2024"},
			Values:  []float64{cards["2023"].Entities[i].Total, b.Total},
		})
	}
	periods, inds, w, series := assessmenttest.RegionalSeries()
	ix, err := assessment.ComputeIndex(periods, series, assessment.IndexSpec{Indicators: inds, Weights: w, Base: 0, Method: assessment.Chained})
	if err != nil {
		tb.Fatal(err)
	}
	r.Index = ix
	r.IndexIndicators = inds
	return r
}

func TestWriteMarkdown(t *testing.T) {
	r := sampleReport(t)
	tests := []struct {
		tag  language.Tag
		want []string
	}{
		{language.Chinese, []string{"# 技术券商考核报告", "考核期：2024", "| 名次 | 名称 | 总分 | 等级 |", "基础条件", "2.39亿元", "| 收集 |", "转化率", "基期 = 100", "极差标准化", "2024年变动的指标贡献", "| 技术合同成交额 |", "### 各券商转化漏斗"}},
		{language.English, []string{"# Broker assessment report", "Period 2024", "| Rank | Name | Total | Grade |", "Basic conditions", "CNY 239.00 million", "| Collected |", "Conversion", "base = 100", "Contributions to the change in 2024", "| Technology contract turnover |"}},
	}
	for _, tt := range tests {
		t.Run(tt.tag.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.WriteMarkdown(&buf, r, tt.tag); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Markdown lacks %q", w)
				}
			}
			// The first ranked row is the leader with grade A.
			if !strings.Contains(got, "| 1 | "+pick(tt.tag, r.Scorecard.Entities[0].NameZH, r.Scorecard.Entities[0].NameEN)+" | 74.0 | A |") {
				t.Errorf("Markdown lacks the leader's row:\n%s", got)
			}
		})
	}
}

func pick(tag language.Tag, zh, en string) string {
	if tag == language.Chinese {
		return zh
	}
	return en
}

func TestWriteHTML(t *testing.T) {
	r := sampleReport(t)
	for _, tag := range []language.Tag{language.Chinese, language.English} {
		t.Run(tag.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.WriteHTML(&buf, r, tag); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			// Charts: plot's bar and line SVGs, hand-drawn radars (one per
			// broker) and the funnel.
			if n := strings.Count(got, `<svg class="chart"`); n != 3 {
				t.Errorf("got %d plot charts, want 3 (bars, index, trends)", n)
			}
			if n := strings.Count(got, `<svg class="radar"`); n != 7 {
				t.Errorf("got %d radars, want 7", n)
			}
			if n := strings.Count(got, `<svg class="funnel"`); n != 1 {
				t.Errorf("got %d funnels, want 1", n)
			}
			// Self-contained: nothing to fetch.
			for _, bad := range []string{"http://", "https://", "<script", "<link", "src="} {
				for _, line := range strings.Split(got, "\n") {
					if strings.Contains(line, bad) && !strings.Contains(line, `xmlns`) {
						t.Errorf("HTML refers outside itself (%q): %.120s", bad, line)
						break
					}
				}
			}
			want := "技术券商考核报告"
			if tag == language.English {
				want = "Broker assessment report"
			}
			if !strings.Contains(got, "<title>"+want+"</title>") {
				t.Errorf("HTML lacks title %q", want)
			}
		})
	}
}

func TestWriteHTMLEscapes(t *testing.T) {
	r := sampleReport(t)
	r.Scorecard.Entities[0].NameEN = `<script>alert(1)</script>`
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, r, language.English); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>") {
		t.Error("a broker name was written unescaped")
	}
}

func TestInvalidReport(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, &report.Report{}, language.English); !errors.Is(err, report.ErrInvalid) {
		t.Errorf("no scorecard: got %v, want ErrInvalid", err)
	}
	r := sampleReport(t)
	r.Trends = []report.Series{{NameEN: "x", Periods: []string{"2024"}, Values: []float64{1, 2}}}
	if err := report.WriteMarkdown(&buf, r, language.English); !errors.Is(err, report.ErrInvalid) {
		t.Errorf("mismatched series: got %v, want ErrInvalid", err)
	}
	// A gap in a trend is drawn as a gap, not as zero.
	r.Trends = []report.Series{{NameEN: "x", Periods: []string{"2023", "2024"}, Values: []float64{math.NaN(), 2}}}
	if err := report.WriteHTML(&buf, r, language.English); err != nil {
		t.Errorf("NaN in a trend: %v", err)
	}
}

func BenchmarkReport(b *testing.B) {
	r := sampleReport(b)
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := report.WriteHTML(&buf, r, language.Chinese); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
