package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/kexie/techbroker/matching/eval"
)

// newBleve creates a scorch index with one text field "text" analyzed by
// cjk and BM25 scoring.
func newBleve(dir string) (bleve.Index, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = "bm25"
	m.DefaultAnalyzer = cjk.AnalyzerName
	doc := bleve.NewDocumentStaticMapping()
	f := bleve.NewTextFieldMapping()
	f.Analyzer = cjk.AnalyzerName
	f.Store = false
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
	doc.AddFieldMappingsAt("text", f)
	m.DefaultMapping = doc
	return bleve.NewUsing(dir, m, scorch.Name, scorch.Name, nil)
}

func indexAll(ix bleve.Index, n int, text func(i int) (string, string)) error {
	b := ix.NewBatch()
	for i := range n {
		id, t := text(i)
		if err := b.Index(id, map[string]any{"text": t}); err != nil {
			return err
		}
		if b.Size() == 1000 {
			if err := ix.Batch(b); err != nil {
				return err
			}
			b = ix.NewBatch()
		}
	}
	if b.Size() > 0 {
		return ix.Batch(b)
	}
	return nil
}

func search(ix bleve.Index, text string, k int) ([]string, []float64, error) {
	q := bleve.NewMatchQuery(text)
	q.SetField("text")
	req := bleve.NewSearchRequestOptions(q, k, 0, false)
	res, err := ix.Search(req)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(res.Hits))
	scores := make([]float64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i], scores[i] = h.ID, h.Score
	}
	return ids, scores, nil
}

// bleveEngine runs the eval tasks on Bleve.
type bleveEngine struct {
	dir  string
	n    int
	open []bleve.Index
}

func (e *bleveEngine) newIndex() (bleve.Index, error) {
	e.n++
	ix, err := newBleve(filepath.Join(e.dir, fmt.Sprintf("q%d", e.n)))
	if err == nil {
		e.open = append(e.open, ix)
	}
	return ix, err
}

func (e *bleveEngine) closeAll() {
	for _, ix := range e.open {
		_ = ix.Close()
	}
	e.open = nil
}

func (e *bleveEngine) Build(papers []eval.Paper, fields eval.Field) (eval.Searcher, error) {
	ix, err := e.newIndex()
	if err != nil {
		return nil, err
	}
	err = indexAll(ix, len(papers), func(i int) (string, string) { return papers[i].ID, joinPaper(papers[i], fields) })
	return bleveSearcher{ix}, err
}

type bleveSearcher struct{ ix bleve.Index }

func (s bleveSearcher) Search(q string, k int) ([]string, error) {
	ids, _, err := search(s.ix, q, k)
	return ids, err
}

func (s bleveSearcher) Similar(p eval.Paper, k int) ([]string, error) {
	ids, _, err := search(s.ix, p.Title+"\n"+p.Abstract, k)
	return ids, err
}

// TrainRouter indexes the training titles; Classify is a vote of the 10
// nearest by BM25, weighted by score.
func (e *bleveEngine) TrainRouter(train []eval.Labelled) (eval.Classifier, error) {
	ix, err := e.newIndex()
	if err != nil {
		return nil, err
	}
	err = indexAll(ix, len(train), func(i int) (string, string) { return strconv.Itoa(i), train[i].Title })
	return bleveKNN{ix, train}, err
}

type bleveKNN struct {
	ix    bleve.Index
	train []eval.Labelled
}

func (c bleveKNN) Classify(title string) string {
	ids, scores, err := search(c.ix, title, 10)
	if err != nil {
		return ""
	}
	vote := map[string]float64{}
	best, bestScore := "", -1.0
	for i, id := range ids {
		j, err := strconv.Atoi(id)
		if err != nil || j < 0 || j >= len(c.train) {
			continue
		}
		l := c.train[j].Category
		vote[l] += scores[i]
		if vote[l] > bestScore {
			best, bestScore = l, vote[l]
		}
	}
	return best
}

// bleveScaler is the scale run on Bleve.
type bleveScaler struct {
	dir string
	ix  bleve.Index
}

func (s *bleveScaler) build(docs []eval.Paper, texts []string) (float64, time.Duration, error) {
	// The directory of an earlier build (closed by then) goes first.
	if err := os.RemoveAll(s.dir); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	ix, err := newBleve(s.dir)
	if err != nil {
		return 0, 0, err
	}
	s.ix = ix
	if err := indexAll(ix, len(docs), func(i int) (string, string) { return docs[i].ID, texts[i] }); err != nil {
		return 0, 0, err
	}
	// Close to let scorch persist everything (part of building), then
	// measure and reopen.
	if err := ix.Close(); err != nil {
		return 0, 0, err
	}
	took := time.Since(start)
	size, err := dirSize(s.dir)
	if err != nil {
		return 0, 0, err
	}
	if s.ix, err = bleve.Open(s.dir); err != nil {
		return 0, 0, err
	}
	return float64(size) / float64(len(docs)), took, nil
}

func (s *bleveScaler) query(q string) error {
	_, _, err := search(s.ix, q, 10)
	return err
}

func (s *bleveScaler) close() error { return s.ix.Close() }

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}
