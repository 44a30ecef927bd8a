package report

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/kexie/techbroker/assessment"
	"golang.org/x/text/language"
)

// indexColour draws the composite index: a dark slate, which no entity has.
var indexColour = color.RGBA{31, 41, 51, 255}

// chartSet holds a report's charts as SVG elements, each drawn once for the
// HTML page and the standalone files alike. An empty string is a chart the
// report has no data for.
type chartSet struct {
	bars   string
	radars []string
	funnel string
	index  string
	trends string
	panels string
}

// charts draws every chart of the report.
func (v *view) charts() (chartSet, error) {
	var cs chartSet
	r, sc := v.r, v.r.Scorecard
	ranked := v.byRank()
	items := make([]barItem, len(ranked))
	for i, b := range ranked {
		suffix := ""
		if b.Grade != "" {
			suffix = "  " + b.Grade
		}
		c, _ := v.entityColour(b.ID)
		items[i] = barItem{label: shortName(v.name(b)), parts: b.GroupPoints, total: b.Total, suffix: suffix, colour: c}
	}
	var err error
	if cs.bars, err = rankingBars(items, sc.Scheme.MaxPoints()); err != nil {
		return cs, err
	}

	// Radars: group points as a share of the group's maximum.
	axes := make([]string, len(sc.Scheme.Groups))
	for k, g := range sc.Scheme.Groups {
		axes[k] = v.groupName(g)
	}
	share := func(b *assessment.EntityScore) []float64 {
		out := make([]float64, len(axes))
		for k := range out {
			if sc.GroupWeights[k] > 0 {
				out[k] = b.GroupPoints[k] / sc.GroupWeights[k]
			}
		}
		return out
	}
	meanShare := make([]float64, len(axes))
	for i := range sc.Entities {
		for k, x := range share(&sc.Entities[i]) {
			meanShare[k] += x / float64(len(sc.Entities))
		}
	}
	for _, b := range ranked {
		c, _ := v.entityColour(b.ID)
		title := shortName(v.name(b)) + " · " + fmtNum(b.Total, 1)
		cs.radars = append(cs.radars, radar(title, axes, share(b), meanShare, c, v.t("Peer mean")))
	}

	if tot := v.totals(); tot.ok {
		stages := assessment.PipelineStages()
		names := make([]string, len(stages))
		for k, st := range stages {
			names[k] = v.stageName(st)
		}
		cs.funnel = funnel(names, tot.funnel, v.t("Conversion"))
	}
	if ix := r.Index; ix != nil {
		if cs.index, err = lineChart(ix.Periods, [][]float64{ix.Values}, []color.RGBA{indexColour}); err != nil {
			return cs, err
		}
	}
	if len(r.Trends) > 0 {
		periods := unionPeriods(r.Trends)
		var lines [][]float64
		for _, s := range r.Trends {
			line := make([]float64, len(periods))
			for t := range line {
				line[t] = math.NaN()
			}
			for t, per := range s.Periods {
				line[indexOf(periods, per)] = s.Values[t]
			}
			lines = append(lines, line)
		}
		if cs.trends, err = lineChart(periods, lines, v.seriesColours()); err != nil {
			return cs, err
		}
	}
	if ps := v.panels(); ps != nil {
		labels, values, colours := make([]string, len(ps)), make([]float64, len(ps)), make([]color.RGBA, len(ps))
		for i, p := range ps {
			labels[i], values[i], colours[i] = p.name, p.agree, p.colour
		}
		cs.panels = valueBars(labels, values, colours, 1, func(x float64) string { return fmtNum(x, 2) })
	}
	return cs, nil
}

// Chart is one chart of a report as a standalone SVG file.
type Chart struct {
	// File is the file's name, e.g. "ranking.svg".
	File string
	// Title is the chart's title in the report's language.
	Title string
	// SVG is the file's content: a complete SVG document with its own
	// styles, which browsers and Markdown viewers show as an image.
	SVG []byte
}

// Charts returns the report's charts as standalone SVG files, in the
// language of tag: ranking.svg (points by group), profiles.svg (each
// entity's group profile), and, as the report has the data, funnel.svg,
// index.svg, trends.svg and panels.svg (panel agreement per entity). Each
// entity has one colour in all of them. Write them beside report.md and
// set Report.ChartDir to link them from it.
func Charts(r *Report, tag language.Tag) ([]Chart, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	v := newView(r, tag)
	cs, err := v.charts()
	if err != nil {
		return nil, err
	}
	var out []Chart
	add := func(file, title, svg string) {
		if svg != "" {
			out = append(out, Chart{File: file, Title: title, SVG: []byte(standalone(svg, title))})
		}
	}
	for _, c := range v.chartList(cs) {
		add(c.File, c.Title, c.svg)
	}
	return out, nil
}

// namedChart is a chart of the set with its file name and title.
type namedChart struct {
	File, Title string
	svg         string
}

// chartList names the charts of a set, in the order of the report.
func (v *view) chartList(cs chartSet) []namedChart {
	r := v.r
	out := []namedChart{
		{"ranking.svg", v.t("Ranking by total points"), withLegend(cs.bars, v.groupLegend())},
		{"profiles.svg", v.t("Profiles by group"), grid(cs.radars, 480, 300, 2)},
		{"funnel.svg", v.t("Conversion funnel"), cs.funnel},
	}
	if r.Index != nil {
		out = append(out, namedChart{"index.svg", v.pick(r.IndexNameZH, r.IndexNameEN), cs.index})
	}
	if len(r.Trends) > 0 {
		t := v.pick(r.TrendsTitleZH, r.TrendsTitleEN)
		if t == "" {
			t = v.t("Trends")
		}
		out = append(out, namedChart{"trends.svg", t, withLegend(cs.trends, v.trendLegend())})
	}
	out = append(out, namedChart{"panels.svg", v.t("Panel agreement (Kendall's W)"), cs.panels})
	return out
}

// link returns the Markdown image link of a chart file under ChartDir, or
// "" when charts are not linked or the report has no such chart.
func (v *view) link(file string, cs chartSet) string {
	if v.r.ChartDir == "" {
		return ""
	}
	for _, c := range v.chartList(cs) {
		if c.File == file && c.svg != "" {
			path := file
			if dir := strings.TrimSuffix(v.r.ChartDir, "/"); dir != "." {
				path = dir + "/" + file
			}
			return fmt.Sprintf("![%s](%s)\n\n", strings.NewReplacer("[", "(", "]", ")").Replace(c.Title), path)
		}
	}
	return ""
}

type legendItem struct {
	name   string
	colour color.RGBA
}

func (v *view) groupLegend() []legendItem {
	gs := v.r.Scorecard.Scheme.Groups
	out := make([]legendItem, len(gs))
	for k, g := range gs {
		out[k] = legendItem{v.groupName(g), groupColour(k)}
	}
	return out
}

func (v *view) trendLegend() []legendItem {
	colours := v.seriesColours()
	out := make([]legendItem, len(v.r.Trends))
	for k, s := range v.r.Trends {
		out[k] = legendItem{shortName(v.pick(s.NameZH, s.NameEN)), colours[k]}
	}
	return out
}

// withLegend puts a legend above a chart drawn by plot, as one SVG.
func withLegend(svg string, items []legendItem) string {
	if svg == "" {
		return ""
	}
	w, h := svgSize(svg)
	const rowH, perRow = 20.0, 4
	rows := (len(items) + perRow - 1) / perRow
	top := float64(rows)*rowH + 6
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" viewBox="0 0 %g %g" width="%g" height="%g" xmlns="http://www.w3.org/2000/svg">`, w, h+top, w, h+top)
	for i, it := range items {
		x, y := 10+float64(i%perRow)*w/perRow, 6+float64(i/perRow)*rowH
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" rx="2" fill="%s"/><text class="lbl" x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`,
			x, y, hexColour(it.colour), x+15, y+5, esc(it.name))
	}
	fmt.Fprintf(&b, `<svg x="0" y="%g" width="%g" height="%g">%s</svg></svg>`, top, w, h, inner(svg))
	return b.String()
}

// grid places SVGs of one size in a grid of cols columns, as one SVG.
func grid(svgs []string, w, h float64, cols int) string {
	if len(svgs) == 0 {
		return ""
	}
	rows := (len(svgs) + cols - 1) / cols
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" viewBox="0 0 %g %g" width="%g" height="%g" xmlns="http://www.w3.org/2000/svg">`, w*float64(cols), h*float64(rows), w*float64(cols), h*float64(rows))
	for i, s := range svgs {
		fmt.Fprintf(&b, `<svg x="%g" y="%g" width="%g" height="%g">%s</svg>`, w*float64(i%cols), h*float64(i/cols), w, h, inner(s))
	}
	b.WriteString("</svg>")
	return b.String()
}

// inner returns what is between an SVG element's start and end tags.
func inner(svg string) string {
	i := strings.Index(svg, ">")
	j := strings.LastIndex(svg, "</svg>")
	if i < 0 || j < i {
		return svg
	}
	return svg[i+1 : j]
}

// svgSize reads the width and height of an SVG from its viewBox, or from its
// width and height attributes in points (plot's vgsvg writes "760pt").
func svgSize(svg string) (w, h float64) {
	head := svg
	if i := strings.Index(svg, ">"); i >= 0 {
		head = svg[:i]
	}
	if i := strings.Index(head, `viewBox="`); i >= 0 {
		var x, y float64
		if _, err := fmt.Sscanf(head[i+len(`viewBox="`):], "%g %g %g %g", &x, &y, &w, &h); err == nil {
			return w, h
		}
	}
	attr := func(name string) float64 {
		i := strings.Index(head, " "+name+`="`)
		if i < 0 {
			return 0
		}
		var x float64
		fmt.Sscanf(head[i+len(name)+3:], "%g", &x)
		return x
	}
	return attr("width"), attr("height")
}

// standaloneCSS gives a standalone chart the page's text styles.
const standaloneCSS = `text{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Liberation Sans",Arial,sans-serif}
.lbl{font-size:12px;fill:#1f2933}.val{font-size:12px;fill:#1f2933;font-weight:bold}.conv{font-size:12px;fill:#52606d}
.axis{font-size:13px;fill:#52606d}.ttl{font-size:15px;font-weight:bold;fill:#1f2933}`

// standalone makes an SVG element a complete SVG document: the XML
// declaration, the namespace, a title, a white background and the styles.
func standalone(svg, title string) string {
	w, h := svgSize(svg)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g">`, w, h, w, h)
	fmt.Fprintf(&b, "<title>%s</title><style>%s</style>", esc(title), standaloneCSS)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`)
	b.WriteString(inner(svg))
	b.WriteString("</svg>\n")
	return b.String()
}
