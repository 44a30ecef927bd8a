package eval

import (
	"context"
	"fmt"
	"strings"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/router"
)

// Field names a part of a paper to index.
type Field uint8

// Fields of a paper.
const (
	Title Field = 1 << iota
	Keywords
	Abstract
)

// Has reports whether f includes g.
func (f Field) Has(g Field) bool { return f&g != 0 }

// Engine is a retrieval system and a router under test.
type Engine interface {
	// Build indexes the given fields of papers.
	Build(papers []Paper, fields Field) (Searcher, error)
	// TrainRouter trains a classifier on labelled titles.
	TrainRouter(train []Labelled) (Classifier, error)
}

// Searcher answers queries over one built index with paper IDs, best first.
type Searcher interface {
	// Search runs a short text query.
	Search(query string, k int) ([]string, error)
	// Similar uses a paper's title and abstract as the query.
	Similar(p Paper, k int) ([]string, error)
}

// Classifier predicts a category for a title.
type Classifier interface {
	Classify(title string) string
}

// Result holds the task metrics, each in 0..1.
type Result struct {
	TitleMRR10 float64 `json:"title_mrr10"`
	TitleR1    float64 `json:"title_r1"`
	KW2MRR10   float64 `json:"kw2_mrr10"`
	DiscP10    float64 `json:"disc_p10"`
	RouteAcc   float64 `json:"route_acc"`
}

// Run measures every task. route may be empty (then RouteAcc is 0 and
// train is not used).
func Run(e Engine, papers []Paper, train, route []Labelled) (Result, error) {
	var res Result
	var err error
	if res.TitleMRR10, res.TitleR1, res.KW2MRR10, err = RunLookup(e, papers); err != nil {
		return res, err
	}
	if res.DiscP10, err = RunDiscipline(e, papers); err != nil {
		return res, err
	}
	if len(route) > 0 {
		if res.RouteAcc, err = RunRouting(e, train, route); err != nil {
			return res, err
		}
	}
	return res, nil
}

// RunLookup runs the title and keyword tasks over an index of abstracts.
func RunLookup(e Engine, papers []Paper) (titleMRR, titleR1, kwMRR float64, err error) {
	s, err := e.Build(papers, Abstract)
	if err != nil {
		return 0, 0, 0, err
	}
	nkw := 0
	for _, p := range papers {
		ids, err := s.Search(p.Title, 10)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("eval: title query %s: %w", p.ID, err)
		}
		rr := reciprocalRank(ids, p.ID)
		titleMRR += rr
		if rr == 1 {
			titleR1++
		}
		if len(p.Keywords) == 0 {
			continue
		}
		q := strings.Join(p.Keywords[:min(2, len(p.Keywords))], " ")
		if ids, err = s.Search(q, 10); err != nil {
			return 0, 0, 0, fmt.Errorf("eval: keyword query %s: %w", p.ID, err)
		}
		kwMRR += reciprocalRank(ids, p.ID)
		nkw++
	}
	n := float64(max(1, len(papers)))
	return titleMRR / n, titleR1 / n, kwMRR / float64(max(1, nkw)), nil
}

// RunDiscipline runs the nearest-neighbour discipline task.
func RunDiscipline(e Engine, papers []Paper) (float64, error) {
	s, err := e.Build(papers, Title|Keywords|Abstract)
	if err != nil {
		return 0, err
	}
	disc := make(map[string]string, len(papers))
	for _, p := range papers {
		disc[p.ID] = p.Discipline
	}
	total := 0.0
	for _, p := range papers {
		ids, err := s.Similar(p, 11)
		if err != nil {
			return 0, fmt.Errorf("eval: similar %s: %w", p.ID, err)
		}
		same, n := 0, 0
		for _, id := range ids {
			if id == p.ID || n == 10 {
				continue
			}
			n++
			if disc[id] == p.Discipline {
				same++
			}
		}
		total += float64(same) / 10
	}
	return total / float64(max(1, len(papers))), nil
}

// RunRouting trains on train and returns the accuracy on route.
func RunRouting(e Engine, train, route []Labelled) (float64, error) {
	c, err := e.TrainRouter(train)
	if err != nil {
		return 0, err
	}
	ok := 0
	for _, x := range route {
		if c.Classify(x.Title) == x.Category {
			ok++
		}
	}
	return float64(ok) / float64(max(1, len(route))), nil
}

func reciprocalRank(ids []string, want string) float64 {
	for i, id := range ids {
		if i == 10 {
			break
		}
		if id == want {
			return 1 / float64(i+1)
		}
	}
	return 0
}

// BuiltIn runs the tasks with matching.Engine and router.Router.
type BuiltIn struct {
	Engine *matching.Options
	Router *router.Options
	// CategoryTrain, when set, trains a Router on these labelled titles
	// for the engine's category signal (Options.Categorizer).
	CategoryTrain []Labelled
	// OneField indexes title, keywords and abstract as one text (in the
	// abstract field), title first, so that BM25 normalizes one length
	// per document.
	OneField bool
}

// DefaultBuiltIn is the configuration examples/matching-eval reports:
// one text field per document, cosine similarity with one round of
// Rocchio feedback from the 3 best candidates for document-as-query
// tasks, and, when train is not empty, a category signal (weight 0.2
// against text 1) from the default router (a linear SVM) trained on it;
// the router of the routing task is the default router too.
func DefaultBuiltIn(train []Labelled) BuiltIn {
	return BuiltIn{
		Engine:        &matching.Options{Feedback: 3, Weights: &matching.Weights{Text: 1, Category: 0.2}},
		Router:        &router.Options{},
		CategoryTrain: train,
		OneField:      true,
	}
}

type builtinSearcher struct{ e *matching.Engine }

// Build implements Engine.
func (b BuiltIn) Build(papers []Paper, fields Field) (Searcher, error) {
	var opts matching.Options
	if b.Engine != nil {
		opts = *b.Engine
	}
	if len(b.CategoryTrain) > 0 {
		c, err := b.TrainRouter(b.CategoryTrain)
		if err != nil {
			return nil, err
		}
		opts.Categorizer = c.(builtinRouter).r
	}
	e, err := matching.NewEngine(&opts)
	if err != nil {
		return nil, err
	}
	docs := make([]matching.Document, 0, len(papers))
	for _, p := range papers {
		d := matching.Document{Kind: matching.Achievement, ID: p.ID}
		if fields.Has(Title) {
			d.Title = p.Title
		}
		if fields.Has(Keywords) {
			d.Keywords = p.Keywords
		}
		if fields.Has(Abstract) {
			d.Abstract = p.Abstract
		}
		if b.OneField {
			d.Abstract = strings.Join([]string{d.Title, strings.Join(d.Keywords, " "), d.Abstract}, "\n")
			d.Title, d.Keywords = "", nil
		}
		docs = append(docs, d)
	}
	if err := e.AddBatch(docs); err != nil {
		return nil, err
	}
	return builtinSearcher{e}, nil
}

func ids(ms []matching.Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func (s builtinSearcher) Search(query string, k int) ([]string, error) {
	ms, err := s.e.Match(context.Background(), matching.Query{Direction: matching.DemandToAchievements, Source: matching.Document{Kind: matching.Demand, Abstract: query}, K: k})
	return ids(ms), err
}

func (s builtinSearcher) Similar(p Paper, k int) ([]string, error) {
	ms, err := s.e.Match(context.Background(), matching.Query{Direction: matching.SimilarAchievements, Source: matching.Document{Kind: matching.Achievement, ID: p.ID, Title: p.Title, Abstract: p.Abstract}, K: k})
	return ids(ms), err
}

type builtinRouter struct{ r *router.Router }

func (r builtinRouter) Classify(title string) string { return r.r.Route(title).Label }

// TrainRouter implements Engine.
func (b BuiltIn) TrainRouter(train []Labelled) (Classifier, error) {
	ex := make([]router.Example, len(train))
	for i, t := range train {
		ex[i] = router.Example{Text: t.Title, Label: t.Category}
	}
	r, err := router.Train(ex, b.Router)
	if err != nil {
		return nil, err
	}
	return builtinRouter{r}, nil
}
