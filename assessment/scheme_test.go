package assessment_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/assessment/assessmenttest"
	"github.com/shopspring/decimal"
)

func TestDefaultScheme(t *testing.T) {
	s := assessment.DefaultScheme()
	want := map[string]float64{"basic": 10, "performance": 30, "capacity": 30, "management": 20, "feedback": 10}
	for _, g := range s.Groups {
		if g.Weight != want[g.ID] {
			t.Errorf("group %s: got weight %g, want %g", g.ID, g.Weight, want[g.ID])
		}
	}
	if len(s.Groups) != len(want) || s.MaxPoints() != 100 {
		t.Errorf("got %d groups, %g points; want 5 groups, 100 points", len(s.Groups), s.MaxPoints())
	}
	// The default scheme uses what a broker System records, not
	// satisfaction forms it has none of.
	for _, g := range s.Groups {
		for _, si := range g.Indicators {
			if si.Metric == "feedback_mean" || si.Metric == "feedback_positive_rate" {
				t.Errorf("indicator %s uses satisfaction ratings (%s), which nothing records", si.ID, si.Metric)
			}
		}
	}
}

func TestScoreSevenBrokers(t *testing.T) {
	s := assessment.DefaultScheme()
	stats := assessmenttest.SevenBrokers("2024")
	sc, err := s.Score(stats)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Entities) != 7 {
		t.Fatalf("got %d brokers, want 7", len(sc.Entities))
	}
	var wsum float64
	for _, w := range sc.Weights {
		wsum += w
	}
	if math.Abs(wsum-100) > 1e-9 {
		t.Errorf("indicator points sum to %g, want 100", wsum)
	}
	for _, b := range sc.Entities {
		var g float64
		for _, p := range b.GroupPoints {
			g += p
		}
		if math.Abs(g-b.Total) > 1e-9 || b.Total < 0 || b.Total > 100 {
			t.Errorf("%s: groups sum to %g, total %g", b.ID, g, b.Total)
		}
		for k, gp := range b.GroupPoints {
			if gp > sc.GroupWeights[k]+1e-9 {
				t.Errorf("%s: group %d has %g points, more than its %g", b.ID, k, gp, sc.GroupWeights[k])
			}
		}
		if b.Grade == "" || b.Rank < 1 {
			t.Errorf("%s: rank %d, grade %q", b.ID, b.Rank, b.Grade)
		}
	}
	// Fudan's room leads every volume indicator in the sample, so it must
	// rank first; raw deal value is in 万元.
	if sc.Entities[0].Rank != 1 {
		t.Errorf("fudan-ie: got rank %d, want 1", sc.Entities[0].Rank)
	}
	dv := indexOf(t, sc, "deal_value")
	if got := sc.Entities[0].Raw[dv]; got != 7400 {
		t.Errorf("fudan-ie deal value: got %g 万元, want 7400", got)
	}
}

func indexOf(t *testing.T, sc *assessment.Scorecard, id string) int {
	t.Helper()
	for j, ind := range sc.Indicators {
		if ind.ID == id {
			return j
		}
	}
	t.Fatalf("no indicator %q", id)
	return -1
}

func TestScoreMissingPolicies(t *testing.T) {
	stats := assessmenttest.SevenBrokers("2024")
	stats[2].Listings = 0
	stats[2].CasesReached[assessment.StageListed] = 0 // conversion listed→traded undefined
	s := assessment.DefaultScheme()

	s.Missing = assessment.MissingError
	_, err := s.Score(stats)
	var me *assessment.MissingValueError
	if !errors.As(err, &me) || me.Entity != "shou-marine" || me.Indicator != "conv_listed_traded" {
		t.Fatalf("error policy: got %v, want missing shou-marine/conv_listed_traded", err)
	}

	s.Missing = assessment.MissingSkip
	sc, err := s.Score(stats)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Entities) != 6 || len(sc.Skipped) != 1 || sc.Skipped[0] != "shou-marine" {
		t.Errorf("skip policy: got %d brokers, skipped %v", len(sc.Entities), sc.Skipped)
	}

	s.Missing = assessment.MissingImputeGroupMean
	sc, err = s.Score(stats)
	if err != nil {
		t.Fatal(err)
	}
	j := indexOf(t, sc, "conv_listed_traded")
	var sum float64
	for i, b := range sc.Entities {
		if i != 2 {
			sum += b.Raw[j]
		}
	}
	if b := sc.Entities[2]; !b.Imputed[j] || math.Abs(b.Raw[j]-sum/6) > 1e-9 {
		t.Errorf("impute policy: got %g (imputed %v), want the others' mean %g", b.Raw[j], b.Imputed[j], sum/6)
	}
}

func TestLoadSchemeValidation(t *testing.T) {
	bad := `{"id":"", "name_zh":"x", "normalization":"rank", "missing":"zero",
	 "grading":{"method":"thresholds","labels":["A","B"],"thresholds":[1,2]},
	 "groups":[{"id":"g","weight":-1,"indicators":[
	   {"id":"a","metric":"nope","weight":1},
	   {"id":"a","metric":"conversion:listed:collected","weight":0}]},
	  {"id":"g","weight":1,"indicators":[]}]}`
	_, err := assessment.LoadScheme(strings.NewReader(bad))
	var ve *assessment.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, assessment.ErrInvalid) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	wantFields := []string{"id", "normalization", "missing", "groups[0].weight", "groups[0].indicators[0].metric",
		"groups[0].indicators[1].id", "groups[0].indicators[1].metric", "groups[0].indicators[1].weight",
		"groups[1].id", "groups[1].indicators", "grading.thresholds"}
	got := map[string]bool{}
	for _, p := range ve.Problems {
		got[p.Field] = true
		if p.EN == "" || p.ZH == "" {
			t.Errorf("%s: message missing in a language: %+v", p.Field, p)
		}
	}
	for _, f := range wantFields {
		if !got[f] {
			t.Errorf("no problem reported for %s; got %v", f, ve.Problems)
		}
	}
	if _, err := assessment.LoadScheme(strings.NewReader(`{"id":"x","unknown":1}`)); !errors.Is(err, assessment.ErrInvalid) {
		t.Errorf("unknown field: got %v, want ErrInvalid", err)
	}
}

func TestSchemeWeightingOptions(t *testing.T) {
	stats := assessmenttest.SevenBrokers("2024")
	for _, w := range []string{"entropy", "critic"} {
		s := assessment.DefaultScheme()
		s.Weighting = w
		sc, err := s.Score(stats)
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		// Group points stay as configured.
		k := 0
		for g, grp := range s.Groups {
			var sum float64
			for range grp.Indicators {
				sum += sc.Weights[k]
				k++
			}
			if math.Abs(sum-grp.Weight) > 1e-9 {
				t.Errorf("%s: group %s has %g points, want %g", w, grp.ID, sum, grp.Weight)
			}
			_ = g
		}
	}
	// AHP over groups: performance and capacity 3× basic and reputation,
	// management 2× — consistent, so CR = 0 and weights 1:3:3:2:1.
	s := assessment.DefaultScheme()
	v := []float64{1, 3, 3, 2, 1}
	s.GroupComparisons = make([][]float64, 5)
	for i := range v {
		s.GroupComparisons[i] = make([]float64, 5)
		for j := range v {
			s.GroupComparisons[i][j] = v[i] / v[j]
		}
	}
	sc, err := s.Score(stats)
	if err != nil {
		t.Fatal(err)
	}
	for g, want := range []float64{10, 30, 30, 20, 10} {
		if math.Abs(sc.GroupWeights[g]-want) > 1e-6 {
			t.Errorf("AHP group %d: got %g points, want %g", g, sc.GroupWeights[g], want)
		}
	}
}

func TestScoreChange(t *testing.T) {
	s := assessment.DefaultScheme()
	prev, err := s.Score(assessmenttest.SevenBrokers("2023"))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := s.Score(assessmenttest.SevenBrokers("2024"))
	if err != nil {
		t.Fatal(err)
	}
	delta, c, err := assessment.ScoreChange(prev, cur, "csme-machinery")
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, x := range c {
		sum += x
	}
	if want := cur.Entities[6].Total - prev.Entities[6].Total; math.Abs(delta-want) > 1e-9 || math.Abs(sum-want) > 1e-9 {
		t.Errorf("got delta %g (sum %g), want %g", delta, sum, want)
	}
}

func TestBrokerStatsValue(t *testing.T) {
	b := assessment.BrokerStats{
		Staff: 8, Deals: 4, DealValue: decimal.RequireFromString("35000000"),
		CasesReached:    map[assessment.Stage]int{assessment.StageCollected: 40, assessment.StageListed: 10},
		DemandsReceived: 441, DemandsResolved: 428,
	}
	tests := []struct {
		metric string
		want   float64
		ok     bool
	}{
		{"deal_value", 3500, true},
		{"deals_per_100_staff", 50, true},
		{"deal_value_per_100_staff", 43750, true},
		{"conversion:collected:listed", 25, true},
		{"conversion:listed:traded", 0, true},
		{"conversion:screened:listed", 0, false}, // nothing screened: undefined, not 0
		{"demand_resolution_rate", 100 * 428.0 / 441, true},
		{"feedback_mean", 0, false},
		{"mean_response_days", 0, false},
		{"leads_per_activity", 0, false},
	}
	for _, tt := range tests {
		got, ok, err := b.Value(tt.metric)
		if err != nil {
			t.Fatalf("%s: %v", tt.metric, err)
		}
		if ok != tt.ok || (ok && math.Abs(got-tt.want) > 1e-9) {
			t.Errorf("%s: got %g (ok %v), want %g (ok %v)", tt.metric, got, ok, tt.want, tt.ok)
		}
	}
	if _, _, err := b.Value("conversion:traded:listed"); !errors.Is(err, assessment.ErrInvalid) {
		t.Errorf("backwards conversion: got %v, want ErrInvalid", err)
	}
}

func TestScoreDataset(t *testing.T) {
	inds := []assessment.Indicator{
		{ID: "rd_intensity", NameZH: "研发投入强度", NameEN: "R&D intensity", Unit: "%", Direction: assessment.Benefit},
		{ID: "contracts", NameZH: "技术合同成交额", NameEN: "Contract turnover", Unit: "亿元", UnitEN: "CNY 100m", Direction: assessment.Benefit},
		{ID: "energy", NameZH: "单位产出能耗", NameEN: "Energy per output", Direction: assessment.Cost},
	}
	ents := []assessment.Entity{{ID: "a", NameEN: "District A"}, {ID: "b", NameEN: "District B"}, {ID: "c", NameEN: "District C"}}
	ds, err := assessment.NewDataset(inds, ents, []string{"2024"})
	if err != nil {
		t.Fatal(err)
	}
	for e, row := range map[string][3]float64{"a": {4, 300, 0.3}, "b": {2, 100, 0.5}, "c": {3, 200, 0.4}} {
		for j, ind := range inds {
			if err := ds.Set("2024", e, ind.ID, row[j]); err != nil {
				t.Fatal(err)
			}
		}
	}
	s, err := assessment.LoadScheme(strings.NewReader(`{"id":"regions","name_en":"Regions","source":"dataset",
	  "grading":{"method":"thresholds","labels":["A","B"],"thresholds":[50]},
	  "groups":[{"id":"input","name_en":"Input","weight":40,"indicators":[{"id":"rd","metric":"rd_intensity","weight":1}]},
	            {"id":"output","name_en":"Output","weight":60,"indicators":[{"id":"turnover","metric":"contracts","weight":2},{"id":"energy","metric":"energy","weight":1}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := s.ScoreDataset(ds, "2024")
	if err != nil {
		t.Fatal(err)
	}
	// a is best on everything: 100; b worst: 0; c in the middle: 50.
	for i, want := range []float64{100, 0, 50} {
		if got := sc.Entities[i].Total; math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: got %g, want %g", sc.Entities[i].ID, got, want)
		}
	}
	if sc.Indicators[1].UnitEN != "CNY 100m" || sc.Indicators[2].Direction != assessment.Cost {
		t.Errorf("indicator metadata not taken from the dataset: %+v", sc.Indicators)
	}
	if _, err := s.Score(assessmenttest.SevenBrokers("2024")); !errors.Is(err, assessment.ErrInvalid) {
		t.Errorf("Score with a dataset scheme: got %v, want ErrInvalid", err)
	}
	s.Groups[0].Indicators[0].Metric = "nope"
	if _, err := s.ScoreDataset(ds, "2024"); !errors.Is(err, assessment.ErrInvalid) {
		t.Errorf("unknown dataset indicator: got %v, want ErrInvalid", err)
	}
	if _, err := assessment.DefaultScheme().ScoreDataset(ds, "2024"); !errors.Is(err, assessment.ErrInvalid) {
		t.Errorf("ScoreDataset with a broker scheme: got %v, want ErrInvalid", err)
	}
}

// Restrict drops the indicators no entity defines, and the groups left
// empty, so a small first year scores on what was recorded.
func TestRestrict(t *testing.T) {
	s := assessment.DefaultScheme()
	stats := []assessment.BrokerStats{
		{BrokerID: "a", Period: "2022", Staff: 3, Listings: 2, Deals: 1, DealValue: decimal.NewFromInt(1_000_000)},
		{BrokerID: "b", Period: "2022", Staff: 2, Listings: 1, Deals: 1, DealValue: decimal.NewFromInt(2_000_000)},
	}
	if _, err := s.Score(stats); err == nil {
		t.Fatal("the full scheme scores a year without demands or reviews")
	}
	r, dropped, err := s.Restrict(stats)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"response_rate", "resolution_days", "review_on_time", "panel_agreement", "conv_collected_listed"} {
		if !slices.Contains(dropped, id) {
			t.Errorf("%s not dropped (dropped %v)", id, dropped)
		}
	}
	for _, id := range []string{"deals", "deal_value", "staff", "fixable_declines"} {
		if slices.Contains(dropped, id) {
			t.Errorf("%s dropped, but every entity defines it", id)
		}
	}
	sc, err := r.Score(stats)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Entities[1].Total <= sc.Entities[0].Total-40 || len(sc.Entities) != 2 {
		t.Errorf("restricted scorecard: %+v", sc.Entities)
	}
	if len(s.Groups) != 5 {
		t.Error("Restrict changed the scheme it was called on")
	}
	if _, _, err := s.Restrict(nil); err == nil {
		t.Error("Restrict of no statistics: got no error")
	}
}
