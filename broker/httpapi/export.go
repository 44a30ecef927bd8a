package httpapi

import (
	"bytes"
	"encoding/csv"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/kexie/techbroker/broker"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// column is one column of an export: its Chinese header and its value.
type column[T any] struct {
	zh  string
	val func(T) string
}

// exportFormat is "csv" or "xlsx" when the caller asked for an export, by
// ?format= or by Accept.
func (c *call) exportFormat() string {
	switch strings.ToLower(c.query("format")) {
	case "csv":
		return "csv"
	case "xlsx", "excel":
		return "xlsx"
	case "", "json":
	default:
		return "bad"
	}
	if c.query("format") != "" {
		return ""
	}
	for _, part := range strings.Split(c.r.Header.Get("Accept"), ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case csvType:
			return "csv"
		case xlsxType:
			return "xlsx"
		}
	}
	return ""
}

// exportList writes every record of the list the caller may see (up to
// the export limit), read page by page through the same policy-filtered
// List as the JSON pages, as CSV (UTF-8 with a byte order mark, so that
// spreadsheet programs read the Chinese headers) or as an Excel workbook.
func exportList[T broker.Record](c *call, format, name string, cols []column[T], list func(broker.ListOptions) (broker.Page[T], error), o broker.ListOptions) error {
	if format == "bad" {
		return badFormat(c)
	}
	var rows [][]string
	o.Limit = 1000
	truncated := false
	for {
		pg, err := list(o)
		if err != nil {
			return err
		}
		for _, v := range pg.Items {
			if len(rows) == c.h.o.MaxExportRows {
				truncated = true
				break
			}
			row := make([]string, len(cols))
			for i, col := range cols {
				row[i] = col.val(v)
			}
			rows = append(rows, row)
		}
		if truncated || pg.Next == "" {
			break
		}
		o.Cursor = pg.Next
	}
	return writeTable(c, format, name, headers(cols), rows, truncated)
}

// badFormat answers a format the API does not write.
func badFormat(c *call) error {
	return fail(http.StatusNotAcceptable, "bad_format", "format must be json, csv or xlsx.", "format须为json、csv或xlsx。",
		broker.FieldError{Field: "format", Code: "oneof", Param: "json csv xlsx", Value: c.query("format")})
}

func headers[T any](cols []column[T]) []string {
	out := make([]string, len(cols))
	for i, col := range cols {
		out[i] = col.zh
	}
	return out
}

// writeTable writes a table as CSV or Excel.
func writeTable(c *call, format, name string, head []string, rows [][]string, truncated bool) error {
	var buf bytes.Buffer
	file := name + "-" + time.Now().UTC().Format("20060102")
	h := c.w.Header()
	switch format {
	case "csv":
		buf.WriteString("\uFEFF")
		w := csv.NewWriter(&buf)
		_ = w.Write(head)
		for _, r := range rows {
			_ = w.Write(safeCells(r))
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		h.Set("Content-Type", csvType+"; charset=utf-8")
		file += ".csv"
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sheet := f.GetSheetName(0)
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", cells(head)); err != nil {
			return err
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, cells(r)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		if err := f.Write(&buf); err != nil {
			return err
		}
		h.Set("Content-Type", xlsxType)
		file += ".xlsx"
	}
	h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	if truncated {
		h.Set("X-Truncated", "true")
	}
	c.wrote = true
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(buf.Bytes())
	return nil
}

func cells(r []string) []any {
	out := make([]any, len(r))
	for i, s := range r {
		out[i] = s
	}
	return out
}

// safeCells keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a cell starting with = + - @ or a tab gets a leading
// apostrophe.
func safeCells(r []string) []string {
	out := make([]string, len(r))
	for i, s := range r {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			s = "'" + s
		}
		out[i] = s
	}
	return out
}

func join(xs []string) string { return strings.Join(xs, "；") }

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }

func readiness(r broker.Readiness) string {
	if r.Level == 0 {
		return ""
	}
	return string(r.Scale) + " " + strconv.Itoa(r.Level)
}

func meta[T broker.Record]() []column[T] {
	return []column[T]{
		{"编号", func(v T) string { return v.RecordMeta().ID }},
	}
}

func metaTail[T broker.Record]() []column[T] {
	return []column[T]{
		{"技术券商", func(v T) string { return v.RecordMeta().Broker }},
		{"可见范围", func(v T) string { return string(v.RecordMeta().Visibility) }},
		{"地区", func(v T) string { return v.RecordMeta().Region }},
		{"版本", func(v T) string { return strconv.FormatInt(v.RecordMeta().Version, 10) }},
		{"更新时间", func(v T) string { return stamp(v.RecordMeta().Updated) }},
	}
}

func achievementColumns() []column[broker.Achievement] {
	cols := meta[broker.Achievement]()
	cols = append(cols,
		column[broker.Achievement]{"标题", func(a broker.Achievement) string { return a.Title }},
		column[broker.Achievement]{"一句话简介", func(a broker.Achievement) string { return a.Summary }},
		column[broker.Achievement]{"权利人", func(a broker.Achievement) string { return a.Owner }},
		column[broker.Achievement]{"关键词", func(a broker.Achievement) string { return join(a.Keywords) }},
		column[broker.Achievement]{"学科", func(a broker.Achievement) string { return join(a.Disciplines) }},
		column[broker.Achievement]{"行业代码", func(a broker.Achievement) string { return join(a.IndustryCodes) }},
		column[broker.Achievement]{"技术成熟度", func(a broker.Achievement) string { return readiness(a.Readiness) }},
		column[broker.Achievement]{"报价（元）", func(a broker.Achievement) string { return money(a.AskingPrice) }},
		column[broker.Achievement]{"定价方式", func(a broker.Achievement) string { return string(a.Pricing) }},
	)
	return append(cols, metaTail[broker.Achievement]()...)
}

func demandColumns() []column[broker.Demand] {
	cols := meta[broker.Demand]()
	cols = append(cols,
		column[broker.Demand]{"标题", func(d broker.Demand) string { return d.Title }},
		column[broker.Demand]{"企业", func(d broker.Demand) string { return d.Enterprise }},
		column[broker.Demand]{"问题描述", func(d broker.Demand) string { return d.Problem }},
		column[broker.Demand]{"关键词", func(d broker.Demand) string { return join(d.Keywords) }},
		column[broker.Demand]{"学科", func(d broker.Demand) string { return join(d.Disciplines) }},
		column[broker.Demand]{"预算下限（元）", func(d broker.Demand) string { return money(d.Budget.Min) }},
		column[broker.Demand]{"预算上限（元）", func(d broker.Demand) string { return money(d.Budget.Max) }},
		column[broker.Demand]{"截止日期", func(d broker.Demand) string { return day(d.Deadline) }},
		column[broker.Demand]{"状态", func(d broker.Demand) string { return string(d.Status) }},
	)
	return append(cols, metaTail[broker.Demand]()...)
}

func expertColumns() []column[broker.Expert] {
	cols := meta[broker.Expert]()
	cols = append(cols,
		column[broker.Expert]{"姓名", func(e broker.Expert) string { return e.Name }},
		column[broker.Expert]{"单位", func(e broker.Expert) string { return e.Institution }},
		column[broker.Expert]{"职称", func(e broker.Expert) string { return e.Title }},
		column[broker.Expert]{"学科", func(e broker.Expert) string { return join(e.Disciplines) }},
		column[broker.Expert]{"关键词", func(e broker.Expert) string { return join(e.Keywords) }},
		column[broker.Expert]{"所属学会", func(e broker.Expert) string { return join(e.Societies) }},
		column[broker.Expert]{"城市", func(e broker.Expert) string { return e.City }},
		column[broker.Expert]{"电话", func(e broker.Expert) string { return e.Contact.Phone }},
		column[broker.Expert]{"电子邮箱", func(e broker.Expert) string { return e.Contact.Email }},
	)
	return append(cols, metaTail[broker.Expert]()...)
}

func caseColumns() []column[broker.Case] {
	cols := meta[broker.Case]()
	cols = append(cols,
		column[broker.Case]{"标题", func(v broker.Case) string { return v.Title }},
		column[broker.Case]{"对象", func(v broker.Case) string { return v.Subject.String() }},
		column[broker.Case]{"阶段", func(v broker.Case) string { return string(v.Stage) }},
		column[broker.Case]{"进入阶段时间", func(v broker.Case) string { return stamp(v.StageSince) }},
		column[broker.Case]{"权利人", func(v broker.Case) string { return join(v.Owners) }},
	)
	return append(cols, metaTail[broker.Case]()...)
}
