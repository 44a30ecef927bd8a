package report

import (
	"bufio"
	"html/template"
	"io"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/money"
	"golang.org/x/text/language"
)

const pageCSS = `
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f7f9fb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
 font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Liberation Sans",Arial,sans-serif;line-height:1.5}
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:28px;margin:8px 0 4px} h3{font-size:15px;margin:0 0 4px} h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
.sub{color:var(--muted);margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 18px;min-width:160px}
.card b{display:block;font-size:24px} .card span{color:var(--muted);font-size:13px}
figure{margin:8px 0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px}
figcaption{color:var(--muted);font-size:13px;margin-top:4px}
svg.chart,svg.funnel{width:100%;height:auto;max-width:980px;display:block}
svg text{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Liberation Sans",Arial,sans-serif !important}
svg .lbl{font-size:12px;fill:#1f2933} svg .val{font-size:12px;fill:#1f2933;font-weight:bold}
svg .conv{font-size:12px;fill:#52606d} svg .axis{font-size:13px;fill:#52606d} svg .ttl{font-size:15px;font-weight:bold;fill:#1f2933}
.radars{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:8px}
.radars svg{width:100%;height:auto}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:13px;margin:6px 0}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
table{border-collapse:collapse;background:#fff;font-size:13px;margin:8px 0;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px} th{background:#eef2f7;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums} .scroll{overflow-x:auto}
.grade{display:inline-block;min-width:22px;text-align:center;border-radius:4px;color:#fff;font-weight:bold}
.gA{background:#0072b2}.gB{background:#009e73}.gC{background:#e69f00}.gD{background:#999}
.note{color:var(--muted);font-size:13px}
.grading{font-size:14px;margin:4px 0 12px}
i.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
svg.bars{width:100%;height:auto;max-width:980px;display:block}
`

const pageTemplate = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<main>
<h1 id="title">{{.Title}}</h1>
<p class="sub">{{.Sub}}</p>
<div class="cards">{{range .Cards}}<div class="card"><b>{{.Value}}</b><span>{{.Label}}</span></div>{{end}}</div>

<h2>{{.T.Ranking}}</h2>
<figure>
<div class="legend">{{range .Groups}}<span><i style="background:{{.Colour}}"></i>{{.Name}}</span>{{end}}</div>
{{.Bars}}
<figcaption>{{.T.BarsCaption}}</figcaption>
</figure>
<div class="scroll"><table>
<tr><th>{{.T.Rank}}</th><th>{{.T.Name}}</th><th>{{.T.Total}}</th><th>{{.T.Grade}}</th>{{range .Groups}}<th>{{.Name}} ({{.Max}})</th>{{end}}</tr>
{{range .Rows}}<tr><td class="n">{{.Rank}}</td><td><i class="sw" style="background:{{.Colour}}"></i>{{.Name}}</td><td class="n">{{.Total}}</td><td>{{if .Grade}}<span class="grade g{{.Grade}}">{{.Grade}}</span>{{end}}</td>{{range .Groups}}<td class="n">{{.}}</td>{{end}}</tr>
{{end}}</table></div>
{{if .GradingNote}}<p class="grading">{{.GradingNote}}</p>{{end}}
{{if .Skipped}}<p class="note">{{.Skipped}}</p>{{end}}

<h2>{{.T.Profiles}}</h2>
<p class="note">{{.T.ProfilesNote}}</p>
<div class="radars">{{range .Radars}}{{.}}{{end}}</div>

{{if .Funnel}}<h2>{{.T.Funnel}}</h2>
<figure>{{.Funnel}}<figcaption>{{.T.FunnelNote}}</figcaption></figure>
<div class="scroll"><table>
<tr><th>{{.T.Name}}</th>{{range .Stages}}<th>{{.}}</th>{{end}}</tr>
{{range .FunnelRows}}<tr><td>{{.Name}}</td>{{range .Cells}}<td class="n">{{.}}</td>{{end}}</tr>
{{end}}</table></div>{{end}}

{{if .Trends}}<h2>{{.T.Trends}}</h2>
{{range .Trends}}<figure>
{{if .Title}}<h3>{{.Title}}</h3>{{end}}
<div class="legend">{{range .Legend}}<span><i style="background:{{.Colour}}"></i>{{.Name}}</span>{{end}}</div>
{{.Chart}}
{{if .Rows}}<table><tr><th>{{$.T.Year}}</th>{{range .Rows}}<td class="n">{{.Period}}</td>{{end}}</tr>
<tr><th>{{$.T.Value}}</th>{{range .Rows}}<td class="n">{{.Value}}</td>{{end}}</tr>
<tr><th>{{$.T.Growth}}</th>{{range .Rows}}<td class="n">{{.Growth}}</td>{{end}}</tr></table>{{end}}
{{if .Contrib}}<p class="note">{{.ContribTitle}}</p><table><tr><th>{{$.T.Indicator}}</th><th>{{$.T.Points}}</th><th>{{$.T.ShareOfChange}}</th></tr>
{{range .Contrib}}<tr><td>{{.Name}}</td><td class="n">{{.Points}}</td><td class="n">{{.Share}}</td></tr>
{{end}}</table>{{end}}
</figure>{{end}}{{end}}

{{if .Panels}}<h2>{{.T.Panels}}</h2>
<figure>{{.PanelChart}}<figcaption>{{.T.PanelNote}}</figcaption></figure>
<div class="scroll"><table>
<tr><th>{{.T.Name}}</th><th>{{.T.Verdicts}}</th><th>{{.T.Reviews}}</th><th>{{.T.OnTime}}</th><th>{{.T.Accepted}}</th><th>{{.T.Agreement}}</th></tr>
{{range .Panels}}<tr><td><i class="sw" style="background:{{.Colour}}"></i>{{.Name}}</td><td class="n">{{.Verdicts}}</td><td class="n">{{.Reviews}}</td><td class="n">{{.OnTime}}</td><td class="n">{{.Accept}}</td><td class="n">{{.Agree}}</td></tr>
{{end}}</table></div>{{end}}

<h2>{{.T.Values}}</h2>
<div class="scroll"><table>
<tr><th>{{.T.Indicator}}</th><th>{{.T.Unit}}</th><th>{{.T.Weight}}</th>{{range .Rows}}<th>{{.Short}}</th>{{end}}</tr>
{{range .Values}}<tr><td>{{.Name}}</td><td>{{.Unit}}</td><td class="n">{{.Weight}}</td>{{range .Cells}}<td class="n">{{.}}</td>{{end}}</tr>
{{end}}</table></div>
{{if .Imputed}}<p class="note">{{.T.ImputedNote}}</p>{{end}}

<h2>{{.T.Method}}</h2>
<p class="note">{{.MethodNote}}</p>
<p class="note">{{.T.SVGNote}}</p>
</main>
</body>
</html>
`

type htmlLegend struct{ Name, Colour string }

type htmlGroup struct {
	Name, Colour, Max string
}

type htmlRow struct {
	Rank         int
	Name, Short  string
	Colour       string
	Total, Grade string
	Groups       []string
}

type htmlPanel struct {
	Name, Colour          string
	Verdicts, Reviews     int
	OnTime, Accept, Agree string
}

type htmlTrend struct {
	Title        string
	Legend       []htmlLegend
	Chart        template.HTML
	Rows         []struct{ Period, Value, Growth string }
	ContribTitle string
	Contrib      []struct{ Name, Points, Share string }
}

type htmlPage struct {
	Lang, Title, Sub string
	CSS              template.CSS
	T                map[string]string
	Cards            []struct{ Value, Label string }
	Groups           []htmlGroup
	Bars             template.HTML
	Rows             []htmlRow
	Skipped          string
	Radars           []template.HTML
	Funnel           template.HTML
	Stages           []string
	FunnelRows       []struct {
		Name  string
		Cells []string
	}
	Trends []htmlTrend
	Values []struct {
		Name, Unit, Weight string
		Cells              []string
	}
	Imputed     bool
	MethodNote  string
	GradingNote string
	Panels      []htmlPanel
	PanelChart  template.HTML
}

// WriteHTML writes the report as one self-contained HTML page (inline CSS
// and SVG, no scripts, nothing fetched) in the language of tag.
func WriteHTML(w io.Writer, r *Report, tag language.Tag) error {
	if err := r.validate(); err != nil {
		return err
	}
	v := newView(r, tag)
	sc := r.Scorecard
	pg := htmlPage{Title: v.title(), CSS: template.CSS(pageCSS), MethodNote: v.methodNote()}
	if v.zh {
		pg.Lang = "zh-CN"
	} else {
		pg.Lang = "en"
	}
	pg.Sub = v.t("Period %s", sc.Period) + " · " + v.t("Scheme: %s", v.schemeName())
	pg.T = map[string]string{
		"Ranking": v.t("Ranking"), "Rank": v.t("Rank"), "Name": v.t("Name"), "Total": v.t("Total"), "Grade": v.t("Grade"),
		"BarsCaption": v.t("Points by group (maximum %s)", fmtNum(sc.Scheme.MaxPoints(), 0)),
		"Profiles":    v.t("Profiles"), "ProfilesNote": v.t("Share of each group's maximum points; dashed: mean of all entities."),
		"Funnel": v.t("Conversion funnel"), "FunnelNote": v.t("Cases that reached each stage, all brokers together."),
		"Points": v.t("Points"), "ShareOfChange": v.t("Share of change"),
		"Trends": v.t("Trends"), "Year": v.t("Year"), "Value": v.t("Value"), "Growth": v.t("Growth"),
		"Values": v.t("Indicator values"), "Indicator": v.t("Indicator"), "Unit": v.t("Unit"), "Weight": v.t("Weight (points)"),
		"ImputedNote": v.t("* imputed with the peers' mean (value undefined for this entity)."),
		"Method":      v.t("Method"), "SVGNote": v.t("Charts need a browser that shows inline SVG; all figures are also in the tables."),
		"Panels": v.t("Expert panels"), "Verdicts": v.t("Verdicts"), "Reviews": v.t("Reviews"), "OnTime": v.t("On time"),
		"Accepted": v.t("Invitations accepted"), "Agreement": v.t("Panel agreement (Kendall's W)"),
		"PanelNote": v.t("Panel agreement per broker: the mean of Kendall's W over the year's verdicts (1: the panelists rank the criteria alike; 0: no agreement)."),
	}
	pg.GradingNote = v.gradingNote()
	cs, err := v.charts()
	if err != nil {
		return err
	}

	// Summary cards.
	card := func(value, label string) {
		pg.Cards = append(pg.Cards, struct{ Value, Label string }{value, label})
	}
	card(fmtNum(float64(len(sc.Entities)), 0), v.t("Entities"))
	tot := v.totals()
	if tot.ok {
		card(fmtNum(float64(tot.listings), 0), v.t("Listings"))
		card(fmtNum(float64(tot.deals), 0), v.t("Deals"))
		card(money.Format(tot.value, v.lang), v.t("Deal value"))
	}
	var mean float64
	for _, b := range sc.Entities {
		mean += b.Total / float64(len(sc.Entities))
	}
	card(fmtNum(mean, 1), v.t("Mean score"))

	// Ranking.
	for k, g := range sc.Scheme.Groups {
		pg.Groups = append(pg.Groups, htmlGroup{Name: v.groupName(g), Colour: hexColour(groupColour(k)), Max: fmtNum(sc.GroupWeights[k], 0)})
	}
	ranked := v.byRank()
	for _, b := range ranked {
		c, _ := v.entityColour(b.ID)
		row := htmlRow{Rank: b.Rank, Name: v.name(b), Short: shortName(v.name(b)), Colour: hexColour(c), Total: fmtNum(b.Total, 1), Grade: b.Grade}
		for k := range sc.Scheme.Groups {
			row.Groups = append(row.Groups, fmtNum(b.GroupPoints[k], 1))
		}
		pg.Rows = append(pg.Rows, row)
	}
	pg.Bars = template.HTML(cs.bars) // generated SVG; every text inside is escaped
	if len(sc.Skipped) > 0 {
		pg.Skipped = v.t("Skipped for missing values: %s", joinComma(sc.Skipped))
	}

	for _, r := range cs.radars {
		pg.Radars = append(pg.Radars, template.HTML(r))
	}

	// Funnel.
	if tot.ok {
		stages := assessment.PipelineStages()
		names := make([]string, len(stages))
		for k, st := range stages {
			names[k] = v.stageName(st)
		}
		pg.Funnel = template.HTML(cs.funnel)
		pg.Stages = names
		for _, b := range ranked {
			st := findStats(r.Stats, b.ID)
			if st == nil {
				continue
			}
			row := struct {
				Name  string
				Cells []string
			}{Name: shortName(v.name(b))}
			for _, s := range stages {
				row.Cells = append(row.Cells, fmtNum(float64(st.Reached(s)), 0))
			}
			pg.FunnelRows = append(pg.FunnelRows, row)
		}
	}

	// Trends: the index on its own chart, the other series together.
	if ix := r.Index; ix != nil {
		tr := htmlTrend{Chart: template.HTML(cs.index), Title: v.pick(r.IndexNameZH, r.IndexNameEN)}
		tr.Legend = []htmlLegend{{Name: v.pick(r.IndexNameZH, r.IndexNameEN) + " (" + v.t("base = 100") + ")", Colour: hexColour(indexColour)}}
		for t, per := range ix.Periods {
			tr.Rows = append(tr.Rows, struct{ Period, Value, Growth string }{per, fmtNum(ix.Values[t], 1), fmtSignedPct(ix.Growth[t])})
		}
		if per, cs := v.latestContributions(); cs != nil {
			tr.ContribTitle = v.t("Contributions to the change in %s", per)
			for _, c := range cs {
				tr.Contrib = append(tr.Contrib, struct{ Name, Points, Share string }{c.name, fmtSignedNum(c.points, 2), fmtPct(c.share)})
			}
		}
		pg.Trends = append(pg.Trends, tr)
	}
	if len(r.Trends) > 0 {
		tr := htmlTrend{Title: v.pick(r.TrendsTitleZH, r.TrendsTitleEN), Chart: template.HTML(cs.trends)}
		colours := v.seriesColours()
		for k, s := range r.Trends {
			tr.Legend = append(tr.Legend, htmlLegend{Name: shortName(v.pick(s.NameZH, s.NameEN)), Colour: hexColour(colours[k])})
		}
		pg.Trends = append(pg.Trends, tr)
	}

	// Expert panels.
	for _, p := range v.panels() {
		pg.Panels = append(pg.Panels, htmlPanel{Name: p.name, Colour: hexColour(p.colour), Verdicts: p.verdicts, Reviews: p.reviews,
			OnTime: fmtPct(p.onTime), Accept: fmtPct(p.accept), Agree: fmtNum(p.agree, 2)})
	}
	pg.PanelChart = template.HTML(cs.panels)

	// Indicator values.
	for j, ind := range sc.Indicators {
		row := struct {
			Name, Unit, Weight string
			Cells              []string
		}{Name: v.indicatorName(ind), Unit: v.unit(ind), Weight: fmtNum(sc.Weights[j], 2)}
		for _, b := range ranked {
			c := fmtVal(b.Raw[j])
			if b.Imputed[j] {
				c += "*"
				pg.Imputed = true
			}
			row.Cells = append(row.Cells, c)
		}
		pg.Values = append(pg.Values, row)
	}

	tpl, err := template.New("page").Parse(pageTemplate)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if err := tpl.Execute(bw, &pg); err != nil {
		return err
	}
	return bw.Flush()
}

func findStats(stats []assessment.BrokerStats, id string) *assessment.BrokerStats {
	for i := range stats {
		if stats[i].BrokerID == id {
			return &stats[i]
		}
	}
	return nil
}

func joinComma(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

// unionPeriods returns the periods of all series, in first-seen order
// sorted as strings (years sort naturally).
func unionPeriods(series []Series) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range series {
		for _, p := range s.Periods {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
