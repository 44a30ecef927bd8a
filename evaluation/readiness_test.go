package evaluation

import (
	"errors"
	"testing"
	"time"
)

func TestScales(t *testing.T) {
	for _, id := range []ScaleID{NASATRL, EUTRL, GBT37264} {
		s, err := ScaleByID(id)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Levels) != 9 {
			t.Errorf("%s: got %d levels, want 9", id, len(s.Levels))
		}
		for i, l := range s.Levels {
			if l.N != i+1 || l.Description.Zh == "" || l.Description.En == "" || len(l.Evidence) == 0 {
				t.Errorf("%s level %d incomplete: %+v", id, i+1, l)
			}
		}
	}
	nasa := NASAScale()
	for _, l := range nasa.Levels {
		if l.ExitCriteria.En == "" {
			t.Errorf("NASA TRL %d lacks exit criteria", l.N)
		}
	}
	g := GBT37264Scale()
	stages := map[string]int{}
	for _, l := range g.Levels {
		stages[l.Stage.Zh]++
	}
	if len(stages) != 3 || stages["实验室阶段"] != 3 || stages["工程化阶段"] != 3 || stages["产业化阶段"] != 3 {
		t.Errorf("GB/T 37264 stages: got %v, want 3 × 3", stages)
	}
	if _, err := ScaleByID("x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown scale: got %v", err)
	}
	if _, ok := nasa.Level(10); ok {
		t.Error("Level(10) should not exist")
	}
}

func TestAssess(t *testing.T) {
	s := NASAScale()
	date := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	var answers []Answer
	for n := 1; n <= 4; n++ {
		answers = append(answers, Answer{Item: s.Levels[n-1].Evidence[0].ID, Met: true, Evidence: "report-" + string(rune('0'+n))})
	}
	answers = append(answers, Answer{Item: s.Levels[5].Evidence[0].ID, Met: true, Evidence: "test-6"}) // level 6 without 5
	answers = append(answers, Answer{Item: s.Levels[4].Evidence[0].ID, Met: false, Note: "scaling not defined"})
	r, err := Assess(s, answers, "expert-7", date)
	if err != nil {
		t.Fatal(err)
	}
	if r.Level != 4 {
		t.Errorf("got level %d, want 4 (level 5 not met, so 6 does not count)", r.Level)
	}
	if len(r.Answers) != len(answers) || r.Assessor != "expert-7" || !r.Date.Equal(date) || r.Scale != NASATRL {
		t.Errorf("evidence not kept: %+v", r)
	}
	if len(r.Next) != 1 || r.Next[0].ID != s.Levels[4].Evidence[0].ID {
		t.Errorf("next: got %+v, want level 5's item", r.Next)
	}
	for _, bad := range [][]Answer{
		{{Item: "nope", Met: true, Evidence: "x"}},
		{{Item: s.Levels[0].Evidence[0].ID, Met: true}},
		{{Item: s.Levels[0].Evidence[0].ID, Met: false}, {Item: s.Levels[0].Evidence[0].ID, Met: false}},
	} {
		if _, err := Assess(s, bad, "", date); !errors.Is(err, ErrInvalid) {
			t.Errorf("Assess(%+v): got %v, want ErrInvalid", bad, err)
		}
	}
	none, _ := Assess(s, nil, "", date)
	if none.Level != 0 {
		t.Errorf("no answers: got level %d, want 0", none.Level)
	}
}

func TestCrosswalk(t *testing.T) {
	c, err := Crosswalk(NASATRL, 6, GBT37264)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Approximate || c.Level != 6 || c.Note.Zh == "" {
		t.Errorf("got %+v, want approximate level 6 with a note", c)
	}
	if _, err := Crosswalk(NASATRL, 10, EUTRL); !errors.Is(err, ErrInvalid) {
		t.Errorf("level 10: got %v", err)
	}
	if _, err := Crosswalk("x", 1, EUTRL); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown scale: got %v", err)
	}
}
