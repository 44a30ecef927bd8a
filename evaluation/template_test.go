package evaluation

import (
	"errors"
	"math"
	"testing"
)

func TestDefaultTemplateValid(t *testing.T) {
	tm := DefaultTemplate()
	if err := tm.Validate(); err != nil {
		t.Fatal(err)
	}
	leaves := tm.Leaves()
	wantIDs := []string{CritNovelty, CritAdvancement, CritMaturity, CritMarket, CritIP, CritTeam}
	if len(leaves) != len(wantIDs) {
		t.Fatalf("got %d leaves, want %d", len(leaves), len(wantIDs))
	}
	sum := 0.0
	for i, l := range leaves {
		if l.ID != wantIDs[i] {
			t.Errorf("leaf %d: got %s, want %s", i, l.ID, wantIDs[i])
		}
		if l.Label.Zh == "" || l.Label.En == "" {
			t.Errorf("leaf %s lacks a zh or en label: %+v", l.ID, l.Label)
		}
		sum += l.GlobalWeight
	}
	if !near(sum, 1, 1e-12) {
		t.Errorf("global weights sum to %v, want 1", sum)
	}
	if got := leaves[0].GlobalWeight; !near(got, 0.6*0.35, 1e-12) {
		t.Errorf("novelty global weight: got %v, want %v", got, 0.6*0.35)
	}
	if leaves[0].Label.Zh != "技术创新度" || leaves[1].Label.Zh != "技术先进度" || leaves[2].Label.Zh != "技术成熟度" {
		t.Errorf("got labels %v %v %v", leaves[0].Label, leaves[1].Label, leaves[2].Label)
	}
}

func TestTemplateValidateListsEveryProblem(t *testing.T) {
	tm := Template{
		Criteria: []Criterion{
			{ID: "a", Weight: 0.5, Min: 5, Max: 1},
			{ID: "a", Weight: -0.1},
			{ID: "", Weight: math.NaN()},
		},
		PassScore: 120,
		Grades:    []GradeBand{{Grade: "A", MinScore: 50}, {Grade: "B", MinScore: 60}},
	}
	err := tm.Validate()
	var te *TemplateError
	if !errors.As(err, &te) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v, want *TemplateError", err)
	}
	// range, duplicate, negative weight, empty id, NaN weight, sum, pass, grade order.
	if len(te.Problems) != 8 {
		for _, p := range te.Problems {
			t.Log(p.Path, p.En, p.Zh)
		}
		t.Errorf("got %d problems, want 8", len(te.Problems))
	}
	for _, p := range te.Problems {
		if p.Zh == "" || p.En == "" || p.Path == "" {
			t.Errorf("problem lacks text: %+v", p)
		}
	}
}

func TestTemplateWithWeights(t *testing.T) {
	tm := DefaultTemplate()
	got, err := tm.WithWeights(map[string]float64{CritMarket: 0.25, CritTeam: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if got.Criteria[1].Weight != 0.25 || tm.Criteria[1].Weight != 0.20 {
		t.Errorf("got %v (original %v), want 0.25 (original unchanged 0.20)", got.Criteria[1].Weight, tm.Criteria[1].Weight)
	}
	if _, err := tm.WithWeights(map[string]float64{CritMarket: 0.5}); !errors.Is(err, ErrInvalid) {
		t.Errorf("weights no longer summing to 1: got %v, want ErrInvalid", err)
	}
	if _, err := tm.WithWeights(map[string]float64{"nope": 0.5}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown criterion: got %v, want ErrInvalid", err)
	}
}

func TestTemplateScoreAndGrade(t *testing.T) {
	tm := DefaultTemplate()
	scores := map[string]float64{CritNovelty: 90, CritAdvancement: 80, CritMaturity: 70, CritMarket: 60, CritIP: 50, CritTeam: 100}
	got, err := tm.Score(scores)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.6*(0.35*90+0.35*80+0.30*70) + 0.2*60 + 0.1*50 + 0.1*100
	if !near(got, want, 1e-9) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, tt := range []struct {
		score float64
		grade string
	}{{95, "A"}, {85, "A"}, {84.9, "B"}, {60, "C"}, {10, "D"}} {
		if g := tm.Grade(tt.score).Grade; g != tt.grade {
			t.Errorf("Grade(%v): got %s, want %s", tt.score, g, tt.grade)
		}
	}
	delete(scores, CritTeam)
	var se *ScoreError
	if _, err := tm.Score(scores); !errors.As(err, &se) || !se.Missing {
		t.Errorf("missing score: got %v", err)
	}
	scores[CritTeam] = 101
	if _, err := tm.Score(scores); !errors.As(err, &se) || se.Missing || se.Value != 101 {
		t.Errorf("out of range: got %v", err)
	}
}
