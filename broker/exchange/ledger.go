package exchange

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
	"golang.org/x/text/width"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/money"
)

// The ledger (台账) of the exchange: listings published and deals closed,
// with their value, per industry broker, region and period.

// Period is the grain of a ledger.
type Period string

// Ledger periods.
const (
	PeriodMonth   Period = "month"   // "2026-03"
	PeriodQuarter Period = "quarter" // "2026-Q1"
	PeriodYear    Period = "year"    // "2026"
	PeriodAll     Period = "all"     // one period, labelled ""
)

// Label returns the period label of t (UTC).
func (p Period) Label(t time.Time) string {
	t = t.UTC()
	switch p {
	case PeriodMonth:
		return t.Format("2006-01")
	case PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())+2)/3)
	case PeriodYear:
		return t.Format("2006")
	}
	return ""
}

// LedgerQuery selects what a ledger counts.
type LedgerQuery struct {
	// From and To bound the time (From inclusive, To exclusive); zero
	// means unbounded. Listings count at their publication, deals at their
	// closing.
	From, To time.Time
	// Period is the grain; empty means PeriodAll.
	Period Period
	// Broker and Region, if set, keep only that industry broker's or
	// region's records.
	Broker, Region string
}

// LedgerRow is one line of a ledger: the listings published and the deals
// closed, with their value in yuan, for one broker, region and period.
type LedgerRow struct {
	Broker   string
	Region   string
	Period   string
	Listings int
	Deals    int
	Value    decimal.Decimal
}

// ValueZH writes the deal value for Chinese readers, e.g. "4.15亿元".
func (r LedgerRow) ValueZH() string { return money.FormatZH(r.Value) }

// ValueEN writes the deal value for English readers, e.g. "CNY 415.00 million".
func (r LedgerRow) ValueEN() string { return money.FormatEN(r.Value) }

func (r *LedgerRow) add(o LedgerRow) {
	r.Listings += o.Listings
	r.Deals += o.Deals
	r.Value = r.Value.Add(o.Value)
}

// Ledger holds rows at the finest grain (broker × region × period), ordered
// by broker, region and period, and their total.
type Ledger struct {
	Period Period
	Rows   []LedgerRow
	Total  LedgerRow
}

// By sums the rows by key (for example func(r LedgerRow) string { return
// r.Broker }) and returns one row per key, ordered by key; fields not part
// of the key are left empty.
func (l Ledger) By(key func(LedgerRow) string, keep func(k string, r *LedgerRow)) []LedgerRow {
	m := map[string]*LedgerRow{}
	var keys []string
	for _, r := range l.Rows {
		k := key(r)
		agg, ok := m[k]
		if !ok {
			agg = &LedgerRow{}
			keep(k, agg)
			m[k] = agg
			keys = append(keys, k)
		}
		agg.add(r)
	}
	slices.Sort(keys)
	out := make([]LedgerRow, len(keys))
	for i, k := range keys {
		out[i] = *m[k]
	}
	return out
}

// ByBroker returns the totals per industry broker.
func (l Ledger) ByBroker() []LedgerRow {
	return l.By(func(r LedgerRow) string { return r.Broker }, func(k string, r *LedgerRow) { r.Broker = k })
}

// ByRegion returns the totals per region.
func (l Ledger) ByRegion() []LedgerRow {
	return l.By(func(r LedgerRow) string { return r.Region }, func(k string, r *LedgerRow) { r.Region = k })
}

// ByPeriod returns the totals per period.
func (l Ledger) ByPeriod() []LedgerRow {
	return l.By(func(r LedgerRow) string { return r.Period }, func(k string, r *LedgerRow) { r.Period = k })
}

// Ledger totals listings, deals and deal value per broker, region and
// period. Platform admins see every broker; a broker's staff see their own
// broker only (the query's Broker is set to it); other principals may not
// read ledgers (the policy's ActRead on the desk, broker.DeskTarget).
// Drafts are not counted; withdrawn and expired listings count in the
// period they were published.
func (x *Exchange) Ledger(ctx context.Context, p broker.Principal, q LedgerQuery) (Ledger, error) {
	if !broker.Can(p, broker.ActRead, broker.DeskTarget(q.Broker)) {
		q.Broker = p.Broker
		if q.Broker == "" || !broker.Can(p, broker.ActRead, broker.DeskTarget(q.Broker)) {
			return Ledger{}, broker.Forbidden("ledger", "", "", "only platform admins and brokers' staff read ledgers")
		}
	}
	if q.Period == "" {
		q.Period = PeriodAll
	}
	switch q.Period {
	case PeriodMonth, PeriodQuarter, PeriodYear, PeriodAll:
	default:
		return Ledger{}, broker.Wrap("ledger", "", "", &broker.ValidationError{Kind: "ledger", Fields: []broker.FieldError{{Field: "period", Code: "oneof", Param: "month quarter year all", Value: string(q.Period)}}})
	}
	in := func(t time.Time, region string) bool {
		return !t.IsZero() && (q.From.IsZero() || !t.Before(q.From)) && (q.To.IsZero() || t.Before(q.To)) &&
			(q.Region == "" || region == q.Region)
	}
	rows := map[[3]string]*LedgerRow{}
	row := func(broker, region string, t time.Time) *LedgerRow {
		k := [3]string{broker, region, q.Period.Label(t)}
		r := rows[k]
		if r == nil {
			r = &LedgerRow{Broker: k[0], Region: k[1], Period: k[2]}
			rows[k] = r
		}
		return r
	}
	ls, err := x.listings.Find(ctx, p, broker.ListOptions{Broker: q.Broker})
	if err != nil {
		return Ledger{}, broker.Wrap("ledger", KindListing, "", err)
	}
	for _, l := range ls {
		if l.Status != ListingDraft && in(l.Published, l.Region) {
			row(l.Broker, l.Region, l.Published).Listings++
		}
	}
	ds, err := x.deals.Find(ctx, p, broker.ListOptions{Broker: q.Broker})
	if err != nil {
		return Ledger{}, broker.Wrap("ledger", KindDeal, "", err)
	}
	for _, d := range ds {
		if in(d.Closed, d.Region) {
			r := row(d.Broker, d.Region, d.Closed)
			r.Deals++
			r.Value = r.Value.Add(d.Amount)
		}
	}
	out := Ledger{Period: q.Period}
	for _, r := range rows {
		out.Rows = append(out.Rows, *r)
		out.Total.add(*r)
	}
	slices.SortFunc(out.Rows, func(a, b LedgerRow) int {
		if c := strings.Compare(a.Broker, b.Broker); c != 0 {
			return c
		}
		if c := strings.Compare(a.Region, b.Region); c != 0 {
			return c
		}
		return strings.Compare(a.Period, b.Period)
	})
	return out, nil
}

// WriteTable writes the ledger as an aligned text table for readers of
// the language tag: Chinese headings and 万元/亿元 amounts for Chinese tags,
// English headings and "CNY … million" otherwise. Columns are aligned by
// display width (a Chinese character takes two columns; golang.org/x/text/width).
func (l Ledger) WriteTable(w io.Writer, tag language.Tag) error {
	zh := isChinese(tag)
	head := []string{"broker", "region", "period", "listings", "deals", "value"}
	total := "total"
	if zh {
		head = []string{"技术券商", "地区", "期间", "挂牌数", "成交数", "成交额"}
		total = "合计"
	}
	val := func(r LedgerRow) string {
		if zh {
			return r.ValueZH()
		}
		return r.ValueEN()
	}
	rows := [][]string{head}
	for _, r := range l.Rows {
		rows = append(rows, []string{r.Broker, r.Region, r.Period, strconv.Itoa(r.Listings), strconv.Itoa(r.Deals), val(r)})
	}
	rows = append(rows, []string{total, "", "", strconv.Itoa(l.Total.Listings), strconv.Itoa(l.Total.Deals), val(l.Total)})
	widths := make([]int, len(head))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func isChinese(tag language.Tag) bool {
	b, _ := tag.Base()
	return b.String() == "zh"
}

// displayWidth is the number of terminal columns s takes.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
