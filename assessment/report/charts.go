package report

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// palette is a colour-blind-friendly qualitative palette (Okabe–Ito, with
// grey and a dark red appended).
var palette = [...]color.RGBA{
	{0, 114, 178, 255},   // blue
	{230, 159, 0, 255},   // orange
	{0, 158, 115, 255},   // green
	{204, 121, 167, 255}, // purple
	{86, 180, 233, 255},  // sky
	{213, 94, 0, 255},    // vermillion
	{60, 60, 60, 255},    // near black
	{120, 120, 120, 255}, // grey
	{150, 30, 60, 255},   // dark red
}

func colour(i int) color.RGBA { return palette[i%len(palette)] }

// groupPalette colours the scorecard's groups and the funnel's stages: slate
// shades, distinct from the entities' palette, so that a colour in any chart
// names one entity (see view.entityColour).
var groupPalette = [...]color.RGBA{
	{51, 78, 104, 255}, {72, 101, 129, 255}, {98, 125, 152, 255}, {130, 154, 177, 255}, {159, 179, 200, 255}, {188, 204, 220, 255},
}

func groupColour(k int) color.RGBA { return groupPalette[k%len(groupPalette)] }

func hexColour(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

func esc(s string) string { return html.EscapeString(s) }

// sansFont is plot's Liberation Sans; the page's CSS replaces it in the
// browser anyway (see the package documentation).
func styleAxes(p *plot.Plot) {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label.Font = f
		a.Tick.Label.Font.Size = 10
		a.Label.TextStyle.Font = f
	}
	p.BackgroundColor = color.Transparent
}

// renderPlot draws p into an SVG of w×h points, leaving left points free on
// the left for labels the caller adds. extra receives the data canvas and
// the plot (for its transforms) and returns SVG elements in the SVG's own
// coordinates (origin top left), appended before </svg>.
func renderPlot(p *plot.Plot, w, h, left vg.Length, extra func(dc draw.Canvas, p *plot.Plot) string) (string, error) {
	c := vgsvg.New(w, h)
	whole := draw.New(c)
	area := draw.Crop(whole, left, 0, 0, 0)
	p.Draw(area)
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	s := buf.String()
	// Drop the XML prolog and generator comment: the SVG is inlined in HTML.
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	s = strings.Replace(s, "<svg ", `<svg class="chart" role="img" `, 1)
	if extra != nil {
		dc := p.DataCanvas(area)
		s = strings.TrimSuffix(strings.TrimSpace(s), "</svg>") + extra(dc, p) + "</svg>\n"
	}
	return s, nil
}

// barItem is one bar of the ranking chart.
type barItem struct {
	label  string    // drawn by us, may be Chinese
	parts  []float64 // stacked segments (group points)
	total  float64
	suffix string     // e.g. the grade, printed after the total
	colour color.RGBA // the entity's colour, as a swatch before its label
}

// rankingBars draws horizontal bars, first item on top, stacked by part,
// with plot; labels and totals are SVG text.
func rankingBars(items []barItem, maxPoints float64) (string, error) {
	if len(items) == 0 || len(items[0].parts) == 0 {
		return "", nil
	}
	n := len(items)
	p := plot.New()
	styleAxes(p)
	p.X.Min, p.X.Max = 0, maxPoints
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.Add(plotter.NewGrid())
	var below *plotter.BarChart
	barW := vg.Points(math.Min(22, 260/float64(n)))
	for k := range items[0].parts {
		vals := make(plotter.Values, n)
		for i, it := range items {
			vals[n-1-i] = it.parts[k] // first item on top
		}
		bc, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return "", err
		}
		bc.Horizontal = true
		bc.Color = groupColour(k)
		bc.LineStyle.Width = 0
		if below != nil {
			bc.StackOn(below)
		}
		below = bc
		p.Add(bc)
	}
	p.NominalY(make([]string, n)...)
	p.Y.Tick.Length = 0
	p.Y.Padding = 0
	w, h := vg.Points(760), vg.Points(60+28*float64(n))
	left := vg.Points(250)
	return renderPlot(p, w, h, left, func(dc draw.Canvas, p *plot.Plot) string {
		xT, yT := p.Transforms(&dc)
		var b strings.Builder
		for i, it := range items {
			y := h.Points() - yT(float64(n-1-i)).Points()
			fmt.Fprintf(&b, `<text class="lbl" x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`,
				left.Points()-22, y, esc(it.label))
			if it.colour.A != 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" rx="2" fill="%s"/>`, left.Points()-16, y-5, hexColour(it.colour))
			}
			fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`,
				xT(it.total).Points()+6, y, esc(fmtNum(it.total, 1)+it.suffix))
		}
		return b.String()
	})
}

// lineChart draws one line per series, in its colour, over shared period
// labels with plot; NaN values leave gaps.
func lineChart(periods []string, series [][]float64, colours []color.RGBA) (string, error) {
	if len(periods) == 0 || len(series) == 0 {
		return "", nil
	}
	p := plot.New()
	styleAxes(p)
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, s := range series {
		var seg plotter.XYs
		flush := func() error {
			if len(seg) == 0 {
				return nil
			}
			l, sc, err := plotter.NewLinePoints(seg)
			if err != nil {
				return err
			}
			l.Color, l.Width = colours[k], vg.Points(2)
			sc.Color, sc.Shape, sc.Radius = colours[k], draw.CircleGlyph{}, vg.Points(3)
			p.Add(l, sc)
			seg = nil
			return nil
		}
		for t, x := range s {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				if err := flush(); err != nil {
					return "", err
				}
				continue
			}
			seg = append(seg, plotter.XY{X: float64(t), Y: x})
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		if err := flush(); err != nil {
			return "", err
		}
	}
	if math.IsInf(lo, 0) {
		return "", nil
	}
	pad := (hi - lo) * 0.1
	if pad == 0 {
		pad = math.Max(1, math.Abs(hi)*0.1)
	}
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	p.X.Min, p.X.Max = -0.3, float64(len(periods)-1)+0.3
	ticks := make([]plot.Tick, len(periods))
	for t, per := range periods {
		ticks[t] = plot.Tick{Value: float64(t), Label: per} // periods are ASCII (years)
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	return renderPlot(p, vg.Points(760), vg.Points(300), 0, nil)
}

// radar draws one entity's profile by hand (plot has no radar chart):
// values in [0,1] on evenly spaced axes, with an optional reference
// polygon (dashed).
func radar(title string, axes []string, values, ref []float64, c color.RGBA, refLabel string) string {
	const width, height, cx, cy, r = 480.0, 300.0, 240.0, 160.0, 92.0
	n := len(axes)
	pt := func(k int, v float64) (float64, float64) {
		a := -math.Pi/2 + 2*math.Pi*float64(k)/float64(n)
		return cx + r*v*math.Cos(a), cy + r*v*math.Sin(a)
	}
	poly := func(vals []float64) string {
		var b strings.Builder
		for k, v := range vals {
			x, y := pt(k, math.Max(0, math.Min(1, v)))
			fmt.Fprintf(&b, "%.1f,%.1f ", x, y)
		}
		return strings.TrimSpace(b.String())
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="radar" role="img" viewBox="0 0 %g %g" width="%g" height="%g" xmlns="http://www.w3.org/2000/svg">`, width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	fmt.Fprintf(&b, `<text class="ttl" x="%g" y="16" text-anchor="middle">%s</text>`, cx, esc(title))
	for _, lv := range []float64{0.25, 0.5, 0.75, 1} {
		ring := make([]float64, n)
		for k := range ring {
			ring[k] = lv
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="none" stroke="#d0d0d0" stroke-width="1"/>`, poly(ring))
	}
	for k, a := range axes {
		x, y := pt(k, 1)
		fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%.1f" y2="%.1f" stroke="#d0d0d0"/>`, cx, cy, x, y)
		lx, ly := pt(k, 1.2)
		anchor := "middle"
		if lx < cx-5 {
			anchor = "end"
		} else if lx > cx+5 {
			anchor = "start"
		}
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="%s" dominant-baseline="middle">`, lx, ly, anchor)
		if first, second, ok := splitLabel(a); ok {
			fmt.Fprintf(&b, `<tspan x="%.1f" dy="-0.6em">%s</tspan><tspan x="%.1f" dy="1.2em">%s</tspan>`, lx, esc(first), lx, esc(second))
		} else {
			b.WriteString(esc(a))
		}
		b.WriteString("</text>")
	}
	if ref != nil {
		fmt.Fprintf(&b, `<polygon points="%s" fill="none" stroke="#555" stroke-width="1.2" stroke-dasharray="4 3"><title>%s</title></polygon>`, poly(ref), esc(refLabel))
	}
	hc := hexColour(c)
	fmt.Fprintf(&b, `<polygon points="%s" fill="%s" fill-opacity="0.35" stroke="%s" stroke-width="2"/>`, poly(values), hc, hc)
	for k, v := range values {
		x, y := pt(k, math.Max(0, math.Min(1, v)))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %.0f%%</title></circle>`, x, y, hc, esc(axes[k]), 100*v)
	}
	b.WriteString("</svg>")
	return b.String()
}

// funnel draws the conversion funnel by hand (plot has no funnel chart):
// one centred band per stage, width proportional to its count, with the
// count and the conversion from the previous stage.
func funnel(stages []string, counts []int, convLabel string) string {
	const w, bandH, gap, top = 760.0, 34.0, 6.0, 10.0
	const maxW, cx = 440.0, 330.0
	n := len(stages)
	h := top*2 + float64(n)*(bandH+gap)
	maxC := 1
	for _, c := range counts {
		maxC = max(maxC, c)
	}
	width := func(c int) float64 { return math.Max(6, maxW*float64(c)/float64(maxC)) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="funnel" role="img" viewBox="0 0 %g %g" width="%g" height="%g" xmlns="http://www.w3.org/2000/svg">`, w, h, w, h)
	for k := range n {
		y := top + float64(k)*(bandH+gap)
		wTop := width(counts[k])
		wBot := wTop
		if k+1 < n {
			wBot = width(counts[k+1])
		}
		c := hexColour(groupColour(min(k, len(groupPalette)-1)))
		fmt.Fprintf(&b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" fill-opacity="0.5"/>`,
			cx-wTop/2, y, cx+wTop/2, y, cx+wBot/2, y+bandH, cx-wBot/2, y+bandH, c)
		fmt.Fprintf(&b, `<text class="lbl" x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, cx-maxW/2-12, y+bandH/2, esc(stages[k]))
		fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="middle">%d</text>`, cx, y+bandH/2, counts[k])
		if k > 0 {
			fmt.Fprintf(&b, `<text class="conv" x="%.1f" y="%.1f" dominant-baseline="middle">%s %s</text>`,
				cx+maxW/2+12, y+bandH/2, esc(convLabel), fmtPct(conversion(counts[k-1], counts[k])))
		}
	}
	b.WriteString("</svg>")
	return b.String()
}

// splitLabel splits a long label with spaces into two lines at the space
// nearest its middle.
func splitLabel(s string) (first, second string, ok bool) {
	if len(s) <= 12 {
		return "", "", false
	}
	best := -1
	for i, r := range s {
		if r == ' ' && (best < 0 || abs(i-len(s)/2) < abs(best-len(s)/2)) {
			best = i
		}
	}
	if best < 0 {
		return "", "", false
	}
	return s[:best], s[best+1:], true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// valueBars draws one horizontal bar per item by hand, in the item's
// colour, on a 0..max scale, with the value written after it: the panels'
// agreement per entity.
func valueBars(labels []string, values []float64, colours []color.RGBA, max float64, format func(float64) string) string {
	const w, rowH, left, right, top = 760.0, 26.0, 250.0, 90.0, 8.0
	n := len(labels)
	h := top*2 + float64(n)*rowH
	span := w - left - right
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" role="img" viewBox="0 0 %g %g" width="%g" height="%g" xmlns="http://www.w3.org/2000/svg">`, w, h, w, h)
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		x := left + span*t
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%.1f" stroke="#e4e7eb"/>`, x, top, x, h-top)
	}
	for i := range n {
		y := top + float64(i)*rowH
		fmt.Fprintf(&b, `<text class="lbl" x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, left-22, y+rowH/2, esc(labels[i]))
		c := hexColour(colours[i])
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" rx="2" fill="%s"/>`, left-16, y+rowH/2-5, c)
		v := values[i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" dominant-baseline="middle">–</text>`, left+4, y+rowH/2)
			continue
		}
		bw := span * math.Max(0, math.Min(1, v/max))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, left, y+4, bw, rowH-8, c)
		fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`, left+bw+6, y+rowH/2, esc(format(v)))
	}
	b.WriteString("</svg>")
	return b.String()
}
