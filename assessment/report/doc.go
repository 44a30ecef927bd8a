// Package report writes assessment results for people: a Markdown summary
// and a self-contained HTML page with charts, in Chinese or English.
//
// # Contents
//
// A [Report] holds a scorecard and, optionally, the brokers' statistics
// (for the conversion funnel and money totals), a composite index such as
// an innovation index, and further trend series. [WriteMarkdown] writes
// tables; [WriteHTML] writes one HTML file with inline SVG charts and
// inline CSS — no scripts, fonts or images are fetched, so the file opens
// offline and can be mailed as it is:
//
//   - ranking bars: total points per entity, stacked by indicator group;
//   - a radar profile per entity: each group's share of its maximum
//     points, against the peers' mean;
//   - the chain's conversion funnel: cases that reached each pipeline stage,
//     summed over the brokers, with stage-to-stage conversion;
//   - trend lines: the composite index and any other series over periods;
//   - the expert panels' agreement per entity (mean Kendall's W of the
//     year's verdicts), with their verdicts, reviews and timeliness, when
//     the statistics carry review figures.
//
// The ranking table says how the grades were given — by score thresholds
// or by rank — beside it, in both writers. [Charts] returns the same charts
// as standalone SVG files (ranking.svg, profiles.svg, funnel.svg,
// index.svg, trends.svg, panels.svg) to write beside report.md; with
// Report.ChartDir set, WriteMarkdown links them.
//
// Each entity keeps one colour in every chart — its place in the
// scorecard's input order picks it from a colour-blind-friendly palette —
// and the groups and stages are drawn in slate shades that no entity has.
// A trend series whose ID is an entity is drawn in that entity's colour.
//
// # Languages
//
// Text comes from a golang.org/x/text/message catalog built per call
// (Chinese and English; other tags fall back to English). Money is written
// with package money: 亿元/万元 in Chinese, CNY million in English.
//
// # Charts and fonts
//
// The bar and line charts are drawn by gonum.org/v1/plot through its SVG
// backend (vgsvg). Plot lacks radar and funnel charts, so those two are
// drawn by hand as SVG. Plot measures text with its own Latin fonts, which
// have no CJK glyphs, so the charts drawn by plot carry only numbers; every
// label that may be Chinese (names, legends, titles) is an SVG <text> or
// HTML element written by this package and rendered by the browser with its
// own CJK fonts (the page's CSS lists common ones: Noto Sans CJK, Source
// Han Sans, PingFang, Microsoft YaHei). On Debian, install fonts-noto-cjk
// to see Chinese in headless Chromium.
package report
