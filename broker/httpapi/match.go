package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/match"
)

// The matching and search routes answer from the matching service
// (package broker/match, Options.Match): its index follows the store's
// event log, filters by the access policy while it ranks, and reads each
// result back as the caller may see it.

func (h *handler) matchRoutes() []*route {
	tag := "撮合与检索 matching"
	return []*route{
		{method: "GET", path: "/v1/demands/{id}/matches", op: "match_demand", tag: tag,
			summary: "The achievements that answer a demand, best first, each with the explanation of its score",
			params:  []param{qi("k", "how many (default 10, at most 100)"), q("format", "json (default), csv or xlsx")},
			out:     []response{{status: 200, typ: typeOf[[]Match](), content: []string{csvType, xlsxType}, doc: "the matches"}}, extra: []int{406},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				k, err := c.topK()
				if err != nil {
					return err
				}
				rs, err := h.match.MatchDemand(c.ctx, c.p, c.id(), &match.MatchOptions{K: k})
				if err != nil {
					return err
				}
				return c.replyMatches("matches", matchesOf(rs))
			}},
		{method: "GET", path: "/v1/achievements/{id}/matches", op: "match_achievement", tag: tag,
			summary: "The demands an achievement answers, best first (the enterprises to approach), each with the explanation of its score",
			params:  []param{qi("k", "how many (default 10, at most 100)"), q("format", "json (default), csv or xlsx")},
			out:     []response{{status: 200, typ: typeOf[[]Match](), content: []string{csvType, xlsxType}, doc: "the matches"}}, extra: []int{406},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				k, err := c.topK()
				if err != nil {
					return err
				}
				m, err := h.match.MatchAchievement(c.ctx, c.p, c.id(), &match.MatchOptions{K: k})
				if err != nil {
					return err
				}
				return c.replyMatches("matches", matchesOf(m.Demands))
			}},
		{method: "GET", path: "/v1/search", op: "search", tag: tag,
			summary: "Search the libraries by text and filters, best first, with facet counts; only records you may read",
			params: []param{q("q", "the text searched (without it, every record passing the filters)"),
				q("kind", "achievement, demand or expert, comma-separated (default: achievement)"),
				q("broker", "brokers, comma-separated"), q("region", "regions, comma-separated"),
				q("owner", "owning organizations, comma-separated"), q("discipline", "disciplines, comma-separated"),
				q("industry", "industry codes, comma-separated"),
				qi("min_readiness", "lowest readiness level"), qi("max_readiness", "highest readiness level"),
				q("min_price", "lowest asking price (yuan)"), q("max_price", "highest asking price (yuan)"),
				q("order", "relevance (the default with text), newest (the default without) or id"),
				qi("limit", "page size, 1–100 (default 10; k is its former name)"), qi("k", "the page size, as limit"),
				q("cursor", "the next page's cursor (the Link header's rel=next)"), q("format", "json (default), csv or xlsx")},
			out: []response{{status: 200, typ: typeOf[SearchPage](), content: []string{csvType, xlsxType}, doc: "a page of hits",
				link: true}}, extra: []int{406},
			fn: func(c *call) error {
				sq, err := c.searchQuery()
				if err != nil {
					return err
				}
				res, err := h.match.Search(c.ctx, c.p, sq)
				if err != nil {
					return err
				}
				items := matchesOf(res.Results)
				if f := c.exportFormat(); f != "" {
					return c.replyMatches("search", items)
				}
				pg := SearchPage{Items: items, Next: res.Next, Total: res.Total, Facets: SearchFacets{
					Brokers: counts(res.Facets.Brokers), Regions: counts(res.Facets.Regions), Disciplines: counts(res.Facets.Disciplines)}}
				c.link(res.Next)
				return c.reply(http.StatusOK, pg)
			}},
	}
}

// searchQuery reads a search's query parameters, listing every bad one.
func (c *call) searchQuery() (match.SearchQuery, error) {
	sq := match.SearchQuery{Text: c.query("q"), Cursor: c.query("cursor"), Limit: 10,
		Brokers: c.list("broker"), Regions: c.list("region"), Owners: c.list("owner"),
		Disciplines: c.list("discipline"), Industries: c.list("industry")}
	var bad []broker.FieldError
	for _, k := range c.list("kind") {
		switch k {
		case "achievement", "demand", "expert":
			sq.Kinds = append(sq.Kinds, broker.Kind(k))
		default:
			bad = append(bad, broker.FieldError{Field: "kind", Code: "oneof", Param: "achievement demand expert", Value: k})
		}
	}
	if len(sq.Kinds) == 0 {
		sq.Kinds = []broker.Kind{broker.KindAchievement}
	}
	for _, name := range []string{"limit", "k"} {
		if s := c.query(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 100 {
				bad = append(bad, broker.FieldError{Field: name, Code: "max", Param: "100", Value: s})
				continue
			}
			sq.Limit = n
			break
		}
	}
	for _, r := range []struct {
		name string
		to   *int
	}{{"min_readiness", &sq.MinReadiness}, {"max_readiness", &sq.MaxReadiness}} {
		if s := c.query(r.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 9 {
				bad = append(bad, broker.FieldError{Field: r.name, Code: "max", Param: "9", Value: s})
				continue
			}
			*r.to = n
		}
	}
	for _, r := range []struct {
		name string
		to   *decimal.Decimal
	}{{"min_price", &sq.MinPrice}, {"max_price", &sq.MaxPrice}} {
		if s := c.query(r.name); s != "" {
			d, err := decimal.NewFromString(s)
			if err != nil || d.IsNegative() {
				bad = append(bad, broker.FieldError{Field: r.name, Code: "decimal", Value: s})
				continue
			}
			*r.to = d
		}
	}
	switch o := match.Order(c.query("order")); o {
	case "", match.ByRelevance, match.ByNewest, match.ByID:
		sq.Order = o
	default:
		bad = append(bad, broker.FieldError{Field: "order", Code: "oneof", Param: "relevance newest id", Value: string(o)})
	}
	if len(bad) > 0 {
		return sq, fail(http.StatusBadRequest, "bad_query", "The search's parameters are not valid: see errors.", "检索参数无效：详见errors。", bad...)
	}
	return sq, nil
}

// list reads a comma-separated query parameter (repeated ones add up).
func (c *call) list(name string) []string {
	var out []string
	for _, v := range c.r.URL.Query()[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// link sets the Link header to the next page, if there is one.
func (c *call) link(next string) {
	if next == "" {
		return
	}
	u := *c.r.URL
	q := u.Query()
	q.Set("cursor", next)
	u.RawQuery = q.Encode()
	c.w.Header().Set("Link", "<"+u.RequestURI()+`>; rel="next"`)
}

// matchesOf turns the matching service's results into the API's.
func matchesOf(rs []match.Result) []Match {
	out := make([]Match, 0, len(rs))
	for _, r := range rs {
		m := Match{Kind: r.Ref.Kind, ID: r.Ref.ID, Score: r.Score, Explanation: Explanation{
			Signals: make([]Signal, len(r.Explanation.Signals)), Terms: nonNil(r.Explanation.Terms), Notes: r.Explanation.Notes}}
		for i, s := range r.Explanation.Signals {
			m.Explanation.Signals[i] = Signal(s)
		}
		switch v := r.Record.(type) {
		case broker.Achievement:
			m.Title, m.Achievement = v.Title, &v
		case broker.Demand:
			m.Title, m.Demand = v.Title, &v
		case broker.Expert:
			m.Title, m.Expert = v.Name, &v
		default:
			continue // a kind the API does not serve (investors: see package capital)
		}
		out = append(out, m)
	}
	return out
}

func counts(cs []match.Count) []FacetCount {
	out := make([]FacetCount, len(cs))
	for i, c := range cs {
		out[i] = FacetCount{Value: c.Value, Count: c.N}
	}
	return out
}

// replyMatches writes matches as JSON, or as CSV or Excel when the caller
// asked for an export (?format=csv|xlsx or Accept).
func (c *call) replyMatches(name string, ms []Match) error {
	f := c.exportFormat()
	if f == "" {
		return c.reply(http.StatusOK, ms)
	}
	if f == "bad" {
		return badFormat(c)
	}
	rows := make([][]string, len(ms))
	for i, m := range ms {
		rows[i] = []string{strconv.Itoa(i + 1), string(m.Kind), m.ID, m.Title, strconv.FormatFloat(m.Score, 'f', 4, 64), strings.Join(m.Explanation.Terms, "；")}
	}
	return writeTable(c, f, name, []string{"名次", "类型", "编号", "标题", "得分", "匹配词"}, rows, false)
}

func (c *call) topK() (int, error) {
	s := c.query("k")
	if s == "" {
		return 10, nil
	}
	k, err := strconv.Atoi(s)
	if err != nil || k < 1 || k > 100 {
		return 0, fail(http.StatusBadRequest, "bad_query", "k must be a whole number from 1 to 100.", "k须为1到100之间的整数。",
			broker.FieldError{Field: "k", Code: "max", Param: "100", Value: s})
	}
	return k, nil
}
