package report

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/kexie/techbroker/assessment"
	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
)

// ErrInvalid reports a report that cannot be written (no scorecard,
// mismatched series).
var ErrInvalid = errors.New("report: invalid report")

// Series is one line of a trend chart. A series whose ID is an entity of
// the scorecard is drawn in that entity's colour.
type Series struct {
	ID             string
	NameZH, NameEN string
	Periods        []string
	Values         []float64 // NaN for a gap
}

// Report is what the writers show. Only Scorecard is required.
type Report struct {
	// TitleZH and TitleEN override the default title.
	TitleZH, TitleEN string
	Scorecard        *assessment.Scorecard
	// Stats, when given, add the conversion funnel and money totals; they
	// are matched to the scorecard by BrokerID.
	Stats []assessment.BrokerStats
	// Index, when given, is drawn as a trend line with its growth.
	Index                    *assessment.IndexResult
	IndexNameZH, IndexNameEN string
	// IndexIndicators, when given (one per column of the index), add a
	// table of each indicator's contribution to the latest change.
	IndexIndicators []assessment.Indicator
	// Trends are further lines, e.g. each broker's total over periods,
	// drawn on one chart titled TrendsTitleZH / TrendsTitleEN.
	Trends                       []Series
	TrendsTitleZH, TrendsTitleEN string
	// ChartDir, when set, makes WriteMarkdown link the report's charts,
	// as Charts names them, under this directory relative to the Markdown
	// file ("." for beside it). Write the files with Charts.
	ChartDir string
}

func (r *Report) validate() error {
	if r == nil || r.Scorecard == nil || r.Scorecard.Scheme == nil {
		return fmt.Errorf("%w: a scorecard is required", ErrInvalid)
	}
	for _, s := range r.Trends {
		if len(s.Periods) != len(s.Values) {
			return fmt.Errorf("%w: series %q has %d periods and %d values", ErrInvalid, s.NameEN, len(s.Periods), len(s.Values))
		}
	}
	if ix := r.Index; ix != nil {
		if len(ix.Periods) != len(ix.Values) || len(ix.Growth) != len(ix.Values) {
			return fmt.Errorf("%w: index has %d periods, %d values and %d growth rates", ErrInvalid, len(ix.Periods), len(ix.Values), len(ix.Growth))
		}
		if n := len(ix.Contributions); r.IndexIndicators != nil && n > 1 && len(ix.Contributions[n-1]) != len(r.IndexIndicators) {
			return fmt.Errorf("%w: %d index indicators for %d contributions", ErrInvalid, len(r.IndexIndicators), len(ix.Contributions[n-1]))
		}
	}
	return nil
}

// view holds the language-dependent pieces shared by both writers.
type view struct {
	r    *Report
	zh   bool
	lang language.Tag
	t    func(key string, args ...any) string
}

func newView(r *Report, tag language.Tag) *view {
	p, lang := newPrinter(tag)
	return &view{r: r, zh: lang == language.Chinese, lang: lang, t: func(key string, args ...any) string { return p.Sprintf(key, args...) }}
}

func (v *view) pick(zh, en string) string {
	if v.zh && zh != "" || en == "" {
		return zh
	}
	return en
}

func (v *view) title() string {
	if t := v.pick(v.r.TitleZH, v.r.TitleEN); t != "" {
		return t
	}
	return v.t("Broker assessment report")
}

func (v *view) schemeName() string {
	s := v.r.Scorecard.Scheme
	return v.pick(s.NameZH, s.NameEN)
}

func (v *view) name(b *assessment.EntityScore) string { return v.pick(b.NameZH, b.NameEN) }

// shortName cuts a name at its first parenthesis, for chart labels:
// "海洋技术（上海海洋大学）" → "海洋技术"; what is left is cut to 34 columns
// (a CJK character counts two) with an ellipsis.
func shortName(s string) string {
	if i := strings.IndexAny(s, "（("); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	width := 0
	for i, r := range s {
		if r >= 0x2E80 {
			width += 2
		} else {
			width++
		}
		if width > 34 {
			return strings.TrimSpace(s[:i]) + "…"
		}
	}
	return s
}

func (v *view) groupName(g assessment.Group) string { return v.pick(g.NameZH, g.NameEN) }

// entityColour is the colour of an entity in every chart: by its place in
// the scorecard (the input order, which does not change with the ranking),
// so that each entity keeps one colour across charts and reports of other
// periods over the same entities.
func (v *view) entityColour(id string) (color.RGBA, bool) {
	for i, e := range v.r.Scorecard.Entities {
		if e.ID == id {
			return colour(i), true
		}
	}
	return color.RGBA{}, false
}

// seriesColours are the trend lines' colours: an entity's own colour, or
// the slate shades for other series.
func (v *view) seriesColours() []color.RGBA {
	out := make([]color.RGBA, len(v.r.Trends))
	other := 0
	for k, s := range v.r.Trends {
		if c, ok := v.entityColour(s.ID); ok && s.ID != "" {
			out[k] = c
			continue
		}
		out[k] = groupColour(other)
		other++
	}
	return out
}

// gradingNote says how the grades were given, for the ranking table: by
// score thresholds or by rank.
func (v *view) gradingNote() string {
	g := v.r.Scorecard.Scheme.Grading
	var parts []string
	switch g.Method {
	case "thresholds":
		for k, lbl := range g.Labels {
			if k < len(g.Thresholds) {
				parts = append(parts, v.t("%s from %s points", lbl, fmtNum(g.Thresholds[k], 0)))
			} else {
				parts = append(parts, v.t("%s below", lbl))
			}
		}
		return v.t("Grades by score thresholds (%s).", strings.Join(parts, v.t("; ")))
	case "quantiles":
		for k, lbl := range g.Labels {
			switch {
			case k == 0 && k < len(g.Shares):
				parts = append(parts, v.t("%s the top %s", lbl, fmtPct(g.Shares[k])))
			case k < len(g.Shares):
				parts = append(parts, v.t("%s the next %s", lbl, fmtPct(g.Shares[k])))
			default:
				parts = append(parts, v.t("%s the rest", lbl))
			}
		}
		return v.t("Grades by rank (%s).", strings.Join(parts, v.t("; ")))
	}
	return ""
}

// panelRow is one entity's expert review figures.
type panelRow struct {
	name                  string
	colour                color.RGBA
	verdicts, reviews     int
	onTime, accept, agree float64 // NaN when undefined
}

// panels returns the entities' review figures from the stats, in rank
// order, or nil when no entity has a verdict.
func (v *view) panels() []panelRow {
	var out []panelRow
	any := false
	for _, b := range v.byRank() {
		st := findStats(v.r.Stats, b.ID)
		if st == nil {
			continue
		}
		c, _ := v.entityColour(b.ID)
		row := panelRow{name: shortName(v.name(b)), colour: c, verdicts: st.Verdicts, reviews: st.Reviews,
			onTime: ratioNaN(st.ReviewsOnTime, st.ReviewsDue), accept: ratioNaN(st.ReviewsAccepted, st.ReviewInvitations), agree: math.NaN()}
		if st.AgreementVerdicts > 0 {
			row.agree = st.PanelAgreement
		}
		any = any || st.Verdicts > 0
		out = append(out, row)
	}
	if !any {
		return nil
	}
	return out
}

func ratioNaN(n, d int) float64 {
	if d == 0 {
		return math.NaN()
	}
	return float64(n) / float64(d)
}

func (v *view) unit(ind assessment.Indicator) string {
	if !v.zh && ind.UnitEN != "" {
		return ind.UnitEN
	}
	return ind.Unit
}

func (v *view) indicatorName(ind assessment.Indicator) string {
	return v.pick(ind.NameZH, ind.NameEN)
}

// byRank returns the scorecard's brokers ordered by rank (stable).
func (v *view) byRank() []*assessment.EntityScore {
	bs := v.r.Scorecard.Entities
	out := make([]*assessment.EntityScore, len(bs))
	for i := range bs {
		out[i] = &bs[i]
	}
	for i := 1; i < len(out); i++ { // insertion sort: few entities, stable
		for j := i; j > 0 && out[j].Rank < out[j-1].Rank; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

type totals struct {
	listings, deals int
	value           decimal.Decimal
	funnel          []int // per pipeline stage
	ok              bool
}

func (v *view) totals() totals {
	t := totals{funnel: make([]int, len(assessment.PipelineStages()))}
	for i := range v.r.Stats {
		s := &v.r.Stats[i]
		t.ok = true
		t.listings += s.Listings
		t.deals += s.Deals
		t.value = t.value.Add(s.DealValue)
		for k, st := range assessment.PipelineStages() {
			t.funnel[k] += s.Reached(st)
		}
	}
	return t
}

func (v *view) stageName(s assessment.Stage) string {
	zh, en := assessment.StageName(s)
	return v.pick(zh, en)
}

// fmtNum writes x with the given decimals, or "–" for NaN.
func fmtNum(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.*f", decimals, x)
}

// fmtVal writes a raw indicator value: integers without decimals, other
// values with two.
func fmtVal(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return fmtNum(x, 0)
	}
	return fmtNum(x, 2)
}

func fmtPct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func fmtSignedNum(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%+.*f", decimals, x)
}

func fmtSignedPct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%+.1f%%", 100*x)
}

// conversion returns b/a or NaN.
func conversion(a, b int) float64 {
	if a == 0 {
		return math.NaN()
	}
	return float64(b) / float64(a)
}

func (v *view) methodNote() string {
	s := v.r.Scorecard.Scheme
	norm := string(s.Normalization)
	if norm == "" {
		norm = "minmax"
	}
	miss := string(s.Missing)
	if miss == "" {
		miss = "error"
	}
	wt := s.Weighting
	if wt == "" {
		wt = "fixed"
	}
	gr := s.Grading.Method
	if gr == "" {
		gr = "none"
	}
	note := v.t("Normalization: %s. Missing values: %s. Indicator weighting: %s. Grading: %s.", v.t(norm), v.t(miss), v.t(wt), v.t(gr))
	if s.GroupComparisons != nil {
		note += " " + v.t("AHP over groups, consistency ratio %.3f.", v.r.Scorecard.CR)
	}
	return note
}

// contribution is one indicator's share of the index's latest change.
type contribution struct {
	name          string
	points, share float64 // index points; fraction of the change
}

// latestContributions returns the contributions to the last period's
// change of the index, or nil.
func (v *view) latestContributions() (period string, cs []contribution) {
	ix := v.r.Index
	if ix == nil || v.r.IndexIndicators == nil || len(ix.Values) < 2 {
		return "", nil
	}
	n := len(ix.Values) - 1
	delta := ix.Values[n] - ix.Values[n-1]
	for j, ind := range v.r.IndexIndicators {
		c := ix.Contributions[n][j]
		share := math.NaN()
		if delta != 0 {
			share = c / delta
		}
		cs = append(cs, contribution{name: v.indicatorName(ind), points: c, share: share})
	}
	return ix.Periods[n], cs
}
