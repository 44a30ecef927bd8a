package evaluation

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
)

func sheet(expert string, s ...float64) ScoreSheet {
	ids := []string{CritNovelty, CritAdvancement, CritMaturity, CritMarket, CritIP, CritTeam}
	m := map[string]float64{}
	for i, v := range s {
		m[ids[i]] = v
	}
	return ScoreSheet{Expert: expert, Scores: m}
}

func newTestPanel(t testing.TB, experts []string, opts *PanelOptions) *Panel {
	t.Helper()
	p, err := NewPanel("ach-1", experts, DefaultTemplate(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPanelWorkflow(t *testing.T) {
	p := newTestPanel(t, []string{"e1", "e2", "e3", "e4"}, nil)
	for _, s := range []ScoreSheet{
		sheet("e1", 90, 85, 80, 75, 70, 80),
		sheet("e2", 85, 80, 85, 70, 75, 85),
		sheet("e3", 95, 90, 80, 80, 70, 75),
		sheet("e4", 80, 85, 75, 70, 65, 80),
	} {
		if err := p.Submit(s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Aggregate(); !errors.Is(err, ErrPanelNotLocked) {
		t.Errorf("aggregate before lock: got %v, want ErrPanelNotLocked", err)
	}
	if err := p.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(sheet("e1", 1, 1, 1, 1, 1, 1)); !errors.Is(err, ErrPanelLocked) {
		t.Errorf("submit after lock: got %v, want ErrPanelLocked", err)
	}
	v, err := p.Aggregate()
	if err != nil {
		t.Fatal(err)
	}
	tm := DefaultTemplate()
	var totals []float64
	for _, s := range p.Sheets() {
		x, err := tm.Score(s.Scores)
		if err != nil {
			t.Fatal(err)
		}
		totals = append(totals, x)
	}
	want, _ := TrimmedMean(totals, 1)
	if !near(v.Score, want, 1e-9) {
		t.Errorf("score: got %v, want trimmed mean %v of %v", v.Score, want, totals)
	}
	if !v.Pass || v.Grade.Grade != "B" || v.Recommendation != Recommend {
		t.Errorf("got pass=%v grade=%s rec=%s, want true B recommend (score %.2f)", v.Pass, v.Grade.Grade, v.Recommendation, v.Score)
	}
	if len(v.Experts) != 4 || len(v.Criteria) != 6 || v.Sheets != 4 {
		t.Errorf("got %d experts, %d criteria, %d sheets", len(v.Experts), len(v.Criteria), v.Sheets)
	}
	if math.IsNaN(v.Agreement.KendallW.W) || math.IsNaN(v.Agreement.ICC.ICC2) {
		t.Errorf("agreement not computed: %+v", v.Agreement)
	}
	if len(v.Reasons) == 0 {
		t.Error("verdict without reasons")
	}
	v2, _ := p.Aggregate()
	if v2.Score != v.Score {
		t.Errorf("aggregate not repeatable: %v vs %v", v2.Score, v.Score)
	}
}

func TestPanelErrors(t *testing.T) {
	p := newTestPanel(t, []string{"e1", "e2"}, nil)
	var pe *PanelError
	err := p.Submit(sheet("x", 1, 1, 1, 1, 1, 1))
	if !errors.Is(err, ErrNotOnPanel) || !errors.As(err, &pe) || pe.Expert != "x" {
		t.Errorf("not on panel: got %v", err)
	}
	err = p.Submit(sheet("e1", 1, 1, 1))
	if !errors.Is(err, ErrIncompleteSheet) || !errors.As(err, &pe) || !slices.Equal(pe.Missing, []string{CritMarket, CritIP, CritTeam}) {
		t.Errorf("incomplete: got %v", err)
	}
	var se *ScoreError
	err = p.Submit(sheet("e1", 1, 1, 1, 1, 1, 120))
	if !errors.As(err, &se) || se.Criterion != CritTeam || se.Value != 120 || !errors.Is(err, ErrInvalid) {
		t.Errorf("out of range: got %v", err)
	}
	s := sheet("e1", 1, 1, 1, 1, 1, 1)
	s.Scores["bogus"] = 3
	if err := p.Submit(s); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown criterion: got %v", err)
	}
	if err := p.Submit(sheet("e1", 50, 50, 50, 50, 50, 50)); err != nil {
		t.Fatal(err)
	}
	if err := p.Lock(); !errors.Is(err, ErrTooFewSheets) {
		t.Errorf("lock with 1 of 2: got %v, want ErrTooFewSheets", err)
	}
	if err := p.Submit(sheet("e2", 40, 40, 40, 40, 40, 40)); err != nil {
		t.Fatal(err)
	}
	if err := p.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := p.Lock(); !errors.Is(err, ErrPanelLocked) {
		t.Errorf("second lock: got %v", err)
	}
	v, err := p.Aggregate()
	if err != nil {
		t.Fatal(err)
	}
	if v.Pass || v.Recommendation != NotRecommended || v.Grade.Grade != "D" || !near(v.Score, 45, 1e-9) {
		t.Errorf("got %+v, want fail, D, not recommended, score 45", v)
	}
	for _, bad := range []struct {
		item    string
		experts []string
		opts    *PanelOptions
	}{
		{"", []string{"a"}, nil},
		{"i", nil, nil},
		{"i", []string{"a", "a"}, nil},
		{"i", []string{"a"}, &PanelOptions{MinSheets: 2}},
	} {
		if _, err := NewPanel(bad.item, bad.experts, DefaultTemplate(), bad.opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("NewPanel(%q, %v, %+v): got %v, want ErrInvalid", bad.item, bad.experts, bad.opts, err)
		}
	}
}

func TestPanelSheetsAreCopies(t *testing.T) {
	p := newTestPanel(t, []string{"e1"}, nil)
	s := sheet("e1", 50, 50, 50, 50, 50, 50)
	if err := p.Submit(s); err != nil {
		t.Fatal(err)
	}
	s.Scores[CritTeam] = 0
	got := p.Sheets()
	if got[0].Scores[CritTeam] != 50 {
		t.Errorf("caller's map aliased: got %v", got[0].Scores[CritTeam])
	}
	got[0].Scores[CritTeam] = 1
	if p.Sheets()[0].Scores[CritTeam] != 50 {
		t.Error("Sheets result aliased")
	}
}

func TestPanelDisagreementLeadsToConditions(t *testing.T) {
	p := newTestPanel(t, []string{"e1", "e2", "e3", "e4"}, &PanelOptions{Aggregation: Mean})
	for _, s := range []ScoreSheet{
		sheet("e1", 95, 90, 85, 80, 75, 70),
		sheet("e2", 94, 91, 86, 79, 74, 71),
		sheet("e3", 96, 89, 84, 81, 76, 69),
		sheet("e4", 70, 75, 80, 85, 90, 95), // reversed profile
	} {
		if err := p.Submit(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Lock(); err != nil {
		t.Fatal(err)
	}
	v, _ := p.Aggregate()
	if !v.Experts[3].Disagreement.Flagged || v.Recommendation != RecommendWithConditions {
		t.Errorf("got flagged=%v rec=%s, want expert e4 flagged and recommendation with conditions", v.Experts[3].Disagreement.Flagged, v.Recommendation)
	}
}

func TestPanelConcurrent(t *testing.T) {
	experts := make([]string, 20)
	for i := range experts {
		experts[i] = fmt.Sprintf("e%02d", i)
	}
	p := newTestPanel(t, experts, &PanelOptions{MinSheets: 10})
	var wg sync.WaitGroup
	for i, e := range experts {
		wg.Go(func() {
			_ = p.Submit(sheet(e, 50+float64(i), 60, 70, 80, 90, 40))
			_ = p.Lock()
			_, _ = p.Aggregate()
			_ = p.Sheets()
		})
	}
	wg.Wait()
	if !p.Locked() {
		_ = p.Lock()
	}
	n := len(p.Sheets())
	if n < 10 {
		t.Errorf("got %d sheets recorded, want at least MinSheets", n)
	}
	if err := p.Submit(sheet(experts[0], 1, 1, 1, 1, 1, 1)); !errors.Is(err, ErrPanelLocked) {
		t.Errorf("got %v, want ErrPanelLocked", err)
	}
}
