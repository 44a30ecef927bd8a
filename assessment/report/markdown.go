package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/money"
	"golang.org/x/text/language"
)

// WriteMarkdown writes the report as Markdown tables in the language of
// tag (Chinese or English).
func WriteMarkdown(w io.Writer, r *Report, tag language.Tag) error {
	if err := r.validate(); err != nil {
		return err
	}
	v := newView(r, tag)
	sc := r.Scorecard
	var cs chartSet
	if r.ChartDir != "" {
		var err error
		if cs, err = v.charts(); err != nil {
			return err
		}
	}
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

	p("# %s\n\n", cell(v.title()))
	p("%s · %s\n\n", v.t("Period %s", sc.Period), v.t("Scheme: %s", v.schemeName()))
	if t := v.totals(); t.ok {
		p("| %s | %s | %s | %s |\n|---:|---:|---:|---:|\n", v.t("Entities"), v.t("Listings"), v.t("Deals"), v.t("Deal value"))
		p("| %d | %d | %d | %s |\n\n", len(sc.Entities), t.listings, t.deals, money.Format(t.value, v.lang))
	}

	p("## %s\n\n", v.t("Ranking"))
	p("%s", v.link("ranking.svg", cs))
	if note := v.gradingNote(); note != "" {
		p("%s\n\n", note)
	}
	p("| %s | %s | %s | %s |", v.t("Rank"), v.t("Name"), v.t("Total"), v.t("Grade"))
	for _, g := range sc.Scheme.Groups {
		p(" %s |", cell(v.groupName(g)))
	}
	p("\n|---:|---|---:|:---:|%s\n", strings.Repeat("---:|", len(sc.Scheme.Groups)))
	for _, b := range v.byRank() {
		p("| %d | %s | %s | %s |", b.Rank, cell(v.name(b)), fmtNum(b.Total, 1), b.Grade)
		for k := range sc.Scheme.Groups {
			p(" %s |", fmtNum(b.GroupPoints[k], 1))
		}
		p("\n")
	}
	p("\n")
	if len(sc.Skipped) > 0 {
		p("%s\n\n", v.t("Skipped for missing values: %s", strings.Join(sc.Skipped, ", ")))
	}
	p("%s", v.link("profiles.svg", cs))

	if t := v.totals(); t.ok {
		p("## %s\n\n", v.t("Conversion funnel"))
		p("%s", v.link("funnel.svg", cs))
		p("| %s | %s | %s |\n|---|---:|---:|\n", v.t("Stage"), v.t("Cases"), v.t("Conversion"))
		for k, st := range assessment.PipelineStages() {
			conv := "–"
			if k > 0 {
				conv = fmtPct(conversion(t.funnel[k-1], t.funnel[k]))
			}
			p("| %s | %d | %s |\n", v.stageName(st), t.funnel[k], conv)
		}
		p("\n")
		p("### %s\n\n| %s |", v.t("Funnel by broker"), v.t("Name"))
		for _, st := range assessment.PipelineStages() {
			p(" %s |", v.stageName(st))
		}
		p("\n|---|%s\n", strings.Repeat("---:|", len(assessment.PipelineStages())))
		for _, b := range v.byRank() {
			st := findStats(r.Stats, b.ID)
			if st == nil {
				continue
			}
			p("| %s |", cell(v.name(b)))
			for _, s := range assessment.PipelineStages() {
				p(" %d |", st.Reached(s))
			}
			p("\n")
		}
		p("\n")
	}

	if r.Index != nil || len(r.Trends) > 0 {
		p("## %s\n\n", v.t("Trends"))
		if ix := r.Index; ix != nil {
			p("**%s** (%s)\n\n", cell(v.pick(r.IndexNameZH, r.IndexNameEN)), v.t("base = 100"))
			p("%s", v.link("index.svg", cs))
			p("| %s | %s | %s |\n|---|---:|---:|\n", v.t("Year"), v.t("Value"), v.t("Growth"))
			for t, per := range ix.Periods {
				p("| %s | %s | %s |\n", per, fmtNum(ix.Values[t], 1), fmtSignedPct(ix.Growth[t]))
			}
			p("\n")
			if per, cs := v.latestContributions(); cs != nil {
				p("%s\n\n| %s | %s | %s |\n|---|---:|---:|\n", v.t("Contributions to the change in %s", per), v.t("Indicator"), v.t("Points"), v.t("Share of change"))
				for _, c := range cs {
					p("| %s | %s | %s |\n", cell(c.name), fmtSignedNum(c.points, 2), fmtPct(c.share))
				}
				p("\n")
			}
		}
		if t := v.pick(r.TrendsTitleZH, r.TrendsTitleEN); t != "" && len(r.Trends) > 0 {
			p("**%s**\n\n", cell(t))
		}
		if len(r.Trends) > 0 {
			p("%s", v.link("trends.svg", cs))
		}
		for _, s := range r.Trends {
			p("- %s: ", cell(v.pick(s.NameZH, s.NameEN)))
			for t, per := range s.Periods {
				if t > 0 {
					p(", ")
				}
				p("%s %s", per, fmtNum(s.Values[t], 1))
			}
			p("\n")
		}
		if len(r.Trends) > 0 {
			p("\n")
		}
	}

	if ps := v.panels(); ps != nil {
		p("## %s\n\n", v.t("Expert panels"))
		p("%s", v.link("panels.svg", cs))
		p("%s\n\n", v.t("Panel agreement per broker: the mean of Kendall's W over the year's verdicts (1: the panelists rank the criteria alike; 0: no agreement)."))
		p("| %s | %s | %s | %s | %s | %s |\n|---|---:|---:|---:|---:|---:|\n", v.t("Name"), v.t("Verdicts"), v.t("Reviews"), v.t("On time"),
			v.t("Invitations accepted"), v.t("Panel agreement (Kendall's W)"))
		for _, x := range ps {
			p("| %s | %d | %d | %s | %s | %s |\n", cell(x.name), x.verdicts, x.reviews, fmtPct(x.onTime), fmtPct(x.accept), fmtNum(x.agree, 2))
		}
		p("\n")
	}

	p("## %s\n\n", v.t("Indicator values"))
	p("| %s | %s | %s |", v.t("Indicator"), v.t("Unit"), v.t("Weight (points)"))
	ranked := v.byRank()
	for _, b := range ranked {
		p(" %s |", cell(shortName(v.name(b))))
	}
	p("\n|---|---|---:|%s\n", strings.Repeat("---:|", len(ranked)))
	imputed := false
	for j, ind := range sc.Indicators {
		p("| %s | %s | %s |", cell(v.indicatorName(ind)), v.unit(ind), fmtNum(sc.Weights[j], 2))
		for _, b := range ranked {
			mark := ""
			if b.Imputed[j] {
				mark, imputed = "*", true
			}
			p(" %s%s |", fmtVal(b.Raw[j]), mark)
		}
		p("\n")
	}
	p("\n")
	if imputed {
		p("%s\n\n", v.t("* imputed with the peers' mean (value undefined for this entity)."))
	}
	p("## %s\n\n%s\n", v.t("Method"), v.methodNote())
	return bw.Flush()
}
