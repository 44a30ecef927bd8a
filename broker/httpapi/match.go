package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/matching"
)

// The matching and search routes. Until the matching service (package
// broker/match) keeps an index that follows the store, each call builds
// the matching engine over the records the caller may read (Library.Find,
// so the policy applies before ranking) and ranks them: correct, and fast
// enough for a platform of some thousands of records, but linear in the
// library's size.

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
				d, err := h.sys.Demands.Get(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				achs, err := h.sys.Achievements.Find(c.ctx, c.p, broker.ListOptions{})
				if err != nil {
					return err
				}
				ms, err := rank(c, achs, broker.AchievementDocument, matching.Query{Direction: matching.DemandToAchievements, Source: broker.DemandDocument(d), K: k})
				if err != nil {
					return err
				}
				out := make([]Match, len(ms))
				for i, m := range ms {
					a := m.rec
					out[i] = Match{Kind: broker.KindAchievement, ID: a.ID, Title: a.Title, Score: m.score, Explanation: m.why, Achievement: &a}
				}
				return c.replyMatches("matches", out)
			}},
		{method: "GET", path: "/v1/search", op: "search", tag: tag,
			summary: "Search a library by text (kind: achievement, the default, or demand), best first; only records you may read",
			params:  []param{q("q", "the text searched"), q("kind", "achievement or demand"), qi("k", "how many (default 10, at most 100)"), q("format", "json (default), csv or xlsx")},
			out:     []response{{status: 200, typ: typeOf[[]Match](), content: []string{csvType, xlsxType}, doc: "the hits"}}, extra: []int{406},
			fn: func(c *call) error {
				text := c.query("q")
				k, err := c.topK()
				if err != nil {
					return err
				}
				if text == "" {
					return fail(http.StatusBadRequest, "bad_query", "q is required.", "须给出检索词q。", broker.FieldError{Field: "q", Code: "required"})
				}
				src := matching.Document{ID: "query", Title: text, Keywords: strings.Fields(text), Abstract: text}
				switch c.query("kind") {
				case "", "achievement":
					achs, err := h.sys.Achievements.Find(c.ctx, c.p, broker.ListOptions{})
					if err != nil {
						return err
					}
					src.Kind = matching.Demand
					ms, err := rank(c, achs, broker.AchievementDocument, matching.Query{Direction: matching.DemandToAchievements, Source: src, K: k})
					if err != nil {
						return err
					}
					out := make([]Match, len(ms))
					for i, m := range ms {
						a := m.rec
						out[i] = Match{Kind: broker.KindAchievement, ID: a.ID, Title: a.Title, Score: m.score, Explanation: m.why, Achievement: &a}
					}
					return c.replyMatches("search", out)
				case "demand":
					ds, err := h.sys.Demands.Find(c.ctx, c.p, broker.ListOptions{})
					if err != nil {
						return err
					}
					src.Kind = matching.Achievement
					ms, err := rank(c, ds, broker.DemandDocument, matching.Query{Direction: matching.AchievementToDemands, Source: src, K: k})
					if err != nil {
						return err
					}
					out := make([]Match, len(ms))
					for i, m := range ms {
						d := m.rec
						out[i] = Match{Kind: broker.KindDemand, ID: d.ID, Title: d.Title, Score: m.score, Explanation: m.why, Demand: &d}
					}
					return c.replyMatches("search", out)
				}
				return fail(http.StatusBadRequest, "bad_query", "kind must be achievement or demand.", "kind须为achievement或demand。",
					broker.FieldError{Field: "kind", Code: "oneof", Param: "achievement demand", Value: c.query("kind")})
			}},
	}
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

type ranked[T any] struct {
	rec   T
	score float64
	why   Explanation
}

// rank indexes the records the caller may read and matches the query
// against them.
func rank[T broker.Record](c *call, recs []T, doc func(T) matching.Document, q matching.Query) ([]ranked[T], error) {
	if len(recs) == 0 {
		return nil, nil
	}
	eng, err := matching.NewEngine(nil)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]T, len(recs))
	docs := make([]matching.Document, len(recs))
	for i, r := range recs {
		docs[i] = doc(r)
		byID[r.RecordMeta().ID] = r
	}
	if err := eng.AddBatch(docs); err != nil {
		return nil, err
	}
	ms, err := eng.Match(c.ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]ranked[T], 0, len(ms))
	for _, m := range ms {
		r, ok := byID[m.ID]
		if !ok {
			continue
		}
		why := Explanation{Signals: make([]Signal, len(m.Explanation.Signals)), Terms: nonNil(m.Explanation.Terms)}
		for i, s := range m.Explanation.Signals {
			why.Signals[i] = Signal(s)
		}
		out = append(out, ranked[T]{rec: r, score: m.Score, why: why})
	}
	return out, nil
}
