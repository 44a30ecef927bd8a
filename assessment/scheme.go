package assessment

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/kexie/techbroker/evaluation"
)

//go:embed default_scheme.json
var defaultSchemeJSON []byte

// Scheme is a scorecard: indicators computed from [BrokerStats] in weighted
// groups, a normalization, a missing-value policy and a grading rule.
type Scheme struct {
	ID     string `json:"id"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	// Source says what indicators' Metric fields name: "broker" (or "")
	// for the metrics of BrokerStats (see Metrics and Scheme.Score), or
	// "dataset" for indicator IDs of a Dataset (see Scheme.ScoreDataset),
	// so that regions and institutions can be scored too.
	Source string `json:"source,omitempty"`
	// Normalization of each indicator across the brokers of a period:
	// MinMax (default; best broker 1, worst 0) or Target (achievement of
	// SchemeIndicator.Target, capped at 1).
	Normalization Normalization `json:"normalization"`
	// Missing says what to do with undefined metrics (a rate with no base);
	// "" means MissingError.
	Missing MissingPolicy `json:"missing"`
	// Weighting of indicators inside each group: "fixed" (the configured
	// weights), "entropy" (熵权法 on the min-max normalized values) or
	// "critic". Group weights stay as configured either way.
	Weighting string `json:"weighting"`
	// GroupComparisons, when set, is an AHP pairwise-comparison matrix over
	// the groups (in order); its priority vector, scaled to the sum of the
	// configured group weights, replaces them. CR must not exceed 0.1.
	GroupComparisons [][]float64 `json:"group_comparisons,omitempty"`
	Grading          Grading     `json:"grading"`
	Groups           []Group     `json:"groups"`
}

// Group is a weighted group of indicators, e.g. 服务业绩 (30 points).
type Group struct {
	ID         string            `json:"id"`
	NameZH     string            `json:"name_zh"`
	NameEN     string            `json:"name_en"`
	Weight     float64           `json:"weight"` // points of the group
	Indicators []SchemeIndicator `json:"indicators"`
}

// SchemeIndicator is one indicator of a scheme. Its Weight is relative
// within its group: the indicator is worth
// Group.Weight·Weight/Σ(weights in the group) points.
type SchemeIndicator struct {
	ID     string `json:"id"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	// Metric names the value computed from BrokerStats (see Metrics) or,
	// for a scheme whose Source is "dataset", a Dataset indicator ID.
	Metric string  `json:"metric"`
	Weight float64 `json:"weight"`
	// Direction overrides the metric's natural direction when set.
	Direction Direction `json:"direction,omitempty"`
	// Target is the value that earns full points under Target normalization.
	Target float64 `json:"target,omitempty"`
}

// Grading assigns classes by total score.
type Grading struct {
	Method     string    `json:"method"` // "thresholds" or "quantiles"
	Labels     []string  `json:"labels"`
	Thresholds []float64 `json:"thresholds,omitempty"` // points, decreasing
	Shares     []float64 `json:"shares,omitempty"`     // fractions of brokers per class
}

// DefaultScheme returns the built-in broker scorecard, grouped and weighted
// like the provincial template for transfer institutions: basic conditions
// 10, service performance 30, service capacity 30, standard management 20
// (with the demands' response and resolution times), and in place of the
// template's reputation, feedback and review 10: what a broker System
// records — companies' structured declines, and the expert panels'
// invitations, timeliness and agreement — rather than satisfaction forms,
// which it does not collect (see default_scheme.json). Indicators are min-max
// normalized across the brokers of the period, undefined rates are imputed
// with the peers' mean (and flagged), and grades go by position: the top
// 15 % A, the next 35 % B, the next 35 % C, the rest D. Each call returns a
// new copy.
func DefaultScheme() *Scheme {
	s, err := LoadScheme(bytes.NewReader(defaultSchemeJSON))
	if err != nil {
		panic("assessment: built-in scheme is invalid: " + err.Error())
	}
	return s
}

// LoadScheme reads a scheme from JSON and validates it. Unknown fields are
// errors, so a misspelt key does not pass silently.
func LoadScheme(r io.Reader) (*Scheme, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Scheme
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: scheme JSON: %v", ErrInvalid, err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks the scheme and returns a *ValidationError listing every
// problem, or nil. Empty Normalization, Missing and Weighting mean MinMax,
// MissingError and "fixed".
func (s *Scheme) Validate() error {
	ve := &ValidationError{}
	if s.ID == "" {
		ve.add("id", "empty", "不能为空")
	}
	if s.NameZH == "" && s.NameEN == "" {
		ve.add("name_zh", "a scheme needs a name", "考核方案需要名称")
	}
	switch s.Normalization {
	case "", MinMax, Target:
	default:
		ve.add("normalization", fmt.Sprintf("%q: want minmax or target", s.Normalization), fmt.Sprintf("%q：应为 minmax 或 target", s.Normalization))
	}
	if s.Missing != "" && !s.Missing.valid() {
		ve.add("missing", fmt.Sprintf("%q: want error, skip or impute-group-mean", s.Missing), fmt.Sprintf("%q：应为 error、skip 或 impute-group-mean", s.Missing))
	}
	switch s.Source {
	case "", "broker", "dataset":
	default:
		ve.add("source", fmt.Sprintf("%q: want broker or dataset", s.Source), fmt.Sprintf("%q：应为 broker 或 dataset", s.Source))
	}
	switch s.Weighting {
	case "", "fixed", "entropy", "critic":
	default:
		ve.add("weighting", fmt.Sprintf("%q: want fixed, entropy or critic", s.Weighting), fmt.Sprintf("%q：应为 fixed、entropy 或 critic", s.Weighting))
	}
	if len(s.Groups) == 0 {
		ve.add("groups", "at least one group is needed", "至少需要一个指标组")
	}
	groupIDs, indIDs := map[string]bool{}, map[string]bool{}
	for g, grp := range s.Groups {
		f := fmt.Sprintf("groups[%d]", g)
		if grp.ID == "" {
			ve.add(f+".id", "empty", "不能为空")
		} else if groupIDs[grp.ID] {
			ve.add(f+".id", fmt.Sprintf("duplicate group id %q", grp.ID), fmt.Sprintf("指标组标识 %q 重复", grp.ID))
		}
		groupIDs[grp.ID] = true
		if !(grp.Weight > 0) || math.IsInf(grp.Weight, 0) {
			ve.add(f+".weight", fmt.Sprintf("%g: must be positive", grp.Weight), fmt.Sprintf("%g：权重须为正数", grp.Weight))
		}
		if len(grp.Indicators) == 0 {
			ve.add(f+".indicators", "a group needs at least one indicator", "指标组至少需要一个指标")
		}
		for i, ind := range grp.Indicators {
			fi := fmt.Sprintf("%s.indicators[%d]", f, i)
			if ind.ID == "" {
				ve.add(fi+".id", "empty", "不能为空")
			} else if indIDs[ind.ID] {
				ve.add(fi+".id", fmt.Sprintf("duplicate indicator id %q", ind.ID), fmt.Sprintf("指标标识 %q 重复", ind.ID))
			}
			indIDs[ind.ID] = true
			if s.Source == "dataset" {
				if ind.Metric == "" {
					ve.add(fi+".metric", "empty: name a dataset indicator", "不能为空：应为数据集中的指标标识")
				}
			} else if _, ok := metric(ind.Metric); !ok {
				ve.add(fi+".metric", fmt.Sprintf("unknown metric %q", ind.Metric), fmt.Sprintf("未知的统计口径 %q", ind.Metric))
			}
			if !(ind.Weight > 0) || math.IsInf(ind.Weight, 0) {
				ve.add(fi+".weight", fmt.Sprintf("%g: must be positive", ind.Weight), fmt.Sprintf("%g：权重须为正数", ind.Weight))
			}
			if ind.Direction != 0 && !ind.Direction.valid() {
				ve.add(fi+".direction", "must be benefit or cost", "须为正向或逆向")
			}
			if s.Normalization == Target && (!(ind.Target > 0) || math.IsInf(ind.Target, 0)) {
				ve.add(fi+".target", "target normalization needs a positive target", "目标值法需要正的目标值")
			}
		}
	}
	if m := s.GroupComparisons; m != nil {
		if len(m) != len(s.Groups) {
			ve.add("group_comparisons", fmt.Sprintf("%d rows for %d groups", len(m), len(s.Groups)), fmt.Sprintf("%d 行，但有 %d 个指标组", len(m), len(s.Groups)))
		} else if err := evaluation.ValidatePairwise(m, evaluation.DefaultReciprocalTol); err != nil {
			ve.add("group_comparisons", err.Error(), "判断矩阵无效："+err.Error())
		}
	}
	gr := s.Grading
	f := "grading"
	switch gr.Method {
	case "thresholds":
		if len(gr.Labels) != len(gr.Thresholds)+1 {
			ve.add(f+".thresholds", fmt.Sprintf("%d labels need %d thresholds", len(gr.Labels), len(gr.Labels)-1), fmt.Sprintf("%d 个等级需要 %d 个分数线", len(gr.Labels), len(gr.Labels)-1))
		}
		for k := 1; k < len(gr.Thresholds); k++ {
			if !(gr.Thresholds[k] < gr.Thresholds[k-1]) {
				ve.add(fmt.Sprintf("%s.thresholds[%d]", f, k), "thresholds must decrease", "分数线须递减")
			}
		}
	case "quantiles":
		if len(gr.Labels) != len(gr.Shares)+1 {
			ve.add(f+".shares", fmt.Sprintf("%d labels need %d shares", len(gr.Labels), len(gr.Labels)-1), fmt.Sprintf("%d 个等级需要 %d 个比例", len(gr.Labels), len(gr.Labels)-1))
		}
		var sum float64
		for k, x := range gr.Shares {
			if !(x >= 0) {
				ve.add(fmt.Sprintf("%s.shares[%d]", f, k), "must be non-negative", "不能为负")
			}
			sum += x
		}
		if sum > 1+1e-9 {
			ve.add(f+".shares", fmt.Sprintf("shares sum to %g > 1", sum), fmt.Sprintf("比例之和 %g 超过 1", sum))
		}
	case "":
		if len(gr.Labels) > 0 {
			ve.add(f+".method", "labels given without a method", "给出了等级但没有分级方法")
		}
	default:
		ve.add(f+".method", fmt.Sprintf("%q: want thresholds or quantiles", gr.Method), fmt.Sprintf("%q：应为 thresholds 或 quantiles", gr.Method))
	}
	return ve.orNil()
}

// Indicators returns the scheme's indicators in order, with their group ID,
// the metric's unit and the effective direction. For a "dataset" scheme the
// unit is empty and the direction is the override or Benefit; ScoreDataset
// takes both from the dataset.
func (s *Scheme) Indicators() []Indicator {
	var out []Indicator
	for _, g := range s.Groups {
		for _, ind := range g.Indicators {
			info, _ := metric(ind.Metric)
			dir := info.dir
			if ind.Direction != 0 {
				dir = ind.Direction
			}
			out = append(out, Indicator{ID: ind.ID, NameZH: ind.NameZH, NameEN: ind.NameEN, Unit: info.unitZH, UnitEN: info.unitEN, Direction: dir, Group: g.ID})
		}
	}
	return out
}

// MaxPoints is the sum of the group weights: the score of a broker that is
// best on every indicator.
func (s *Scheme) MaxPoints() float64 {
	var t float64
	for _, g := range s.Groups {
		t += g.Weight
	}
	return t
}

// Scorecard is the result of scoring a set of entities for one period.
type Scorecard struct {
	Scheme     *Scheme
	Period     string
	Indicators []Indicator // in scheme order
	// Weights are the points each indicator is worth; they add up to
	// MaxPoints. GroupWeights are the points of each group.
	Weights      []float64
	GroupWeights []float64
	Entities     []EntityScore // in the order of the input, skipped ones left out
	Skipped      []string      // entity IDs dropped by MissingSkip
	CR           float64       // consistency ratio of GroupComparisons, if used
}

// EntityScore is one entity's (broker's, region's…) line on the scorecard.
type EntityScore struct {
	ID, NameZH, NameEN string    // the entity: a broker, region, institution
	Raw                []float64 // metric values (imputed where Imputed)
	Imputed            []bool
	Normalized         []float64 // 0–1, 1 best
	Points             []float64 // Normalized × indicator points
	GroupPoints        []float64
	Total              float64
	Rank               int // competition ranking, 1 = best
	Grade              string
}

// Score scores brokers of one period. All stats must share the period and
// have distinct broker IDs. Undefined metrics follow the scheme's missing
// policy.
func (s *Scheme) Score(stats []BrokerStats) (*Scorecard, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(stats) == 0 {
		return nil, fmt.Errorf("%w: no brokers to score", ErrInvalid)
	}
	period := stats[0].Period
	ents := make([]Entity, len(stats))
	for i, st := range stats {
		if st.Period != period {
			return nil, fmt.Errorf("%w: broker %q: period %q differs from %q", ErrInvalid, st.BrokerID, st.Period, period)
		}
		ents[i] = Entity{ID: st.BrokerID, NameZH: st.NameZH, NameEN: st.NameEN}
	}
	if s.Source == "dataset" {
		return nil, fmt.Errorf("%w: scheme %q scores a Dataset: use ScoreDataset", ErrInvalid, s.ID)
	}
	inds := s.Indicators()
	ds, err := NewDataset(inds, ents, []string{period})
	if err != nil {
		return nil, err
	}
	metrics := make([]string, 0, len(inds))
	for _, g := range s.Groups {
		for _, ind := range g.Indicators {
			metrics = append(metrics, ind.Metric)
		}
	}
	for i := range stats {
		for j, name := range metrics {
			v, ok, err := stats[i].Value(name)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if err := ds.Set(period, stats[i].BrokerID, inds[j].ID, v); err != nil {
				return nil, fmt.Errorf("broker %q, indicator %q: %w", stats[i].BrokerID, inds[j].ID, err)
			}
		}
	}
	return s.score(ds, period)
}

// ScoreDataset scores the entities of a dataset in one period with a scheme
// whose Source is "dataset": each scheme indicator's Metric names a dataset
// indicator, whose unit and direction it takes (unless the scheme overrides
// the direction). Entities are regions, institutions or anything else.
func (s *Scheme) ScoreDataset(src *Dataset, period string) (*Scorecard, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.Source != "dataset" {
		return nil, fmt.Errorf("%w: scheme %q reads BrokerStats: use Score", ErrInvalid, s.ID)
	}
	if !slices.Contains(src.Periods, period) {
		return nil, fmt.Errorf("%w: unknown period %q", ErrInvalid, period)
	}
	inds := s.Indicators()
	ve := &ValidationError{}
	cols := make([]int, len(inds))
	k := 0
	for g, grp := range s.Groups {
		for i, si := range grp.Indicators {
			j := src.indicatorIndex(si.Metric)
			cols[k] = j
			if j < 0 {
				ve.add(fmt.Sprintf("groups[%d].indicators[%d].metric", g, i), fmt.Sprintf("the dataset has no indicator %q", si.Metric), fmt.Sprintf("数据集中没有指标 %q", si.Metric))
			} else {
				inds[k].Unit, inds[k].UnitEN = src.Indicators[j].Unit, src.Indicators[j].UnitEN
				if si.Direction == 0 {
					inds[k].Direction = src.Indicators[j].Direction
				}
			}
			k++
		}
	}
	if err := ve.orNil(); err != nil {
		return nil, err
	}
	ds, err := NewDataset(inds, src.Entities, []string{period})
	if err != nil {
		return nil, err
	}
	for _, e := range src.Entities {
		for k, j := range cols {
			if v, ok := src.Value(period, e.ID, src.Indicators[j].ID); ok {
				if err := ds.Set(period, e.ID, inds[k].ID, v); err != nil {
					return nil, err
				}
			}
		}
	}
	return s.score(ds, period)
}

// score scores a dataset whose indicators are the scheme's, in order.
func (s *Scheme) score(ds *Dataset, period string) (*Scorecard, error) {
	inds := ds.Indicators
	policy := s.Missing
	if policy == "" {
		policy = MissingError
	}
	m, err := ds.Matrix(period, policy)
	if err != nil {
		return nil, err
	}
	if len(m.Values) == 0 {
		return nil, fmt.Errorf("%w: every entity was skipped for missing values", ErrMissing)
	}
	norm, err := s.normalize(m)
	if err != nil {
		return nil, err
	}
	sc := &Scorecard{Scheme: s, Period: period, Indicators: inds, Skipped: m.Skipped}
	if err := s.weights(sc, m); err != nil {
		return nil, err
	}
	groupOf := make([]int, len(inds))
	k := 0
	for g, grp := range s.Groups {
		for range grp.Indicators {
			groupOf[k] = g
			k++
		}
	}
	totals := make([]float64, len(m.Values))
	for i, e := range m.Entities {
		b := EntityScore{
			ID: e.ID, NameZH: e.NameZH, NameEN: e.NameEN,
			Raw: m.Values[i], Imputed: m.Imputed[i], Normalized: norm[i],
			Points:      make([]float64, len(inds)),
			GroupPoints: make([]float64, len(s.Groups)),
		}
		for j := range inds {
			b.Points[j] = sc.Weights[j] * norm[i][j]
			b.GroupPoints[groupOf[j]] += b.Points[j]
			b.Total += b.Points[j]
		}
		totals[i] = b.Total
		sc.Entities = append(sc.Entities, b)
	}
	ranks, err := Rank(totals, nil)
	if err != nil {
		return nil, err
	}
	var grades []string
	switch s.Grading.Method {
	case "thresholds":
		grades, err = GradeByThresholds(totals, s.Grading.Labels, s.Grading.Thresholds)
	case "quantiles":
		grades, err = GradeByQuantiles(totals, s.Grading.Labels, s.Grading.Shares)
	}
	if err != nil {
		return nil, err
	}
	for i := range sc.Entities {
		sc.Entities[i].Rank = ranks[i]
		if grades != nil {
			sc.Entities[i].Grade = grades[i]
		}
	}
	return sc, nil
}

func (s *Scheme) normalize(m *Matrix) ([][]float64, error) {
	if s.Normalization != Target {
		return Normalize(m.Values, MinMax, &NormalizeOptions{Directions: m.Directions()})
	}
	var targets []float64
	for _, g := range s.Groups {
		for _, ind := range g.Indicators {
			targets = append(targets, ind.Target)
		}
	}
	return Normalize(m.Values, Target, &NormalizeOptions{Directions: m.Directions(), Targets: targets, Cap: 1})
}

// weights fills sc.Weights and sc.GroupWeights in points.
func (s *Scheme) weights(sc *Scorecard, m *Matrix) error {
	gw := make([]float64, len(s.Groups))
	for g, grp := range s.Groups {
		gw[g] = grp.Weight
	}
	if s.GroupComparisons != nil {
		w, res, err := AHPWeights(s.GroupComparisons, &evaluation.AHPOptions{MaxCR: 0.1})
		if err != nil {
			return fmt.Errorf("assessment: group comparisons: %w", err)
		}
		total := s.MaxPoints()
		for g := range gw {
			gw[g] = w[g] * total
		}
		sc.CR = res.CR
	}
	sc.GroupWeights = gw
	col := 0
	for g, grp := range s.Groups {
		n := len(grp.Indicators)
		rel := make([]float64, n)
		for i, ind := range grp.Indicators {
			rel[i] = ind.Weight
		}
		if (s.Weighting == "entropy" || s.Weighting == "critic") && n > 1 && len(m.Values) > 1 {
			sub := make([][]float64, len(m.Values))
			for i, row := range m.Values {
				sub[i] = row[col : col+n]
			}
			dirs := m.Directions()[col : col+n]
			var w []float64
			var err error
			if s.Weighting == "entropy" {
				w, err = EntropyWeights(sub, &EntropyOptions{Normalization: MinMax, Directions: dirs})
			} else {
				w, err = CRITICWeights(sub, dirs)
			}
			if err == nil {
				rel = w
			} else if !isUndefined(err) {
				return fmt.Errorf("assessment: group %q: %w", grp.ID, err)
			} // no indicator varies in the group: keep the configured weights
		}
		fw, err := FixedWeights(rel)
		if err != nil {
			return err
		}
		for _, x := range fw {
			sc.Weights = append(sc.Weights, x*gw[g])
		}
		col += n
	}
	return nil
}

func isUndefined(err error) bool { return errors.Is(err, ErrUndefined) }

// ScoreChange decomposes the change of one entity's total between two
// scorecards of the same scheme into indicator contributions (points,
// adding up to the change). With min-max normalization the scores are
// relative to the period's peers, so a contribution reflects a change of
// position among them.
func ScoreChange(prev, cur *Scorecard, entityID string) (delta float64, contrib []float64, err error) {
	if len(prev.Weights) != len(cur.Weights) || !slices.EqualFunc(prev.Indicators, cur.Indicators, func(a, b Indicator) bool { return a.ID == b.ID }) {
		return 0, nil, fmt.Errorf("%w: scorecards use different indicators", ErrInvalid)
	}
	find := func(sc *Scorecard) *EntityScore {
		for i := range sc.Entities {
			if sc.Entities[i].ID == entityID {
				return &sc.Entities[i]
			}
		}
		return nil
	}
	p, c := find(prev), find(cur)
	if p == nil || c == nil {
		return 0, nil, fmt.Errorf("%w: entity %q is not on both scorecards", ErrInvalid, entityID)
	}
	contrib = make([]float64, len(c.Points))
	for j := range contrib {
		contrib[j] = c.Points[j] - p.Points[j]
		delta += contrib[j]
	}
	return delta, contrib, nil
}

// Restrict returns a copy of the scheme without the indicators that none of
// stats defines — a rate whose base is zero for every entity (no demand
// received, no review invitation sent anywhere) — and without the groups
// that leaves empty, with the IDs of the indicators dropped. Scoring a
// platform's first, small year with it uses what the platform did record,
// where the full scheme would fail on the gaps (MissingError, or
// MissingImputeGroupMean with nothing to impute from). Groups keep their
// configured weights, so a dropped group lowers MaxPoints.
func (s *Scheme) Restrict(stats []BrokerStats) (*Scheme, []string, error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	out := *s
	out.Groups = nil
	out.GroupComparisons = nil // a matrix over the old groups no longer fits
	var dropped []string
	for _, g := range s.Groups {
		kept := g
		kept.Indicators = nil
		for _, ind := range g.Indicators {
			defined := s.Source == "dataset"
			for i := range stats {
				if _, ok, err := stats[i].Value(ind.Metric); err != nil {
					return nil, nil, err
				} else if ok {
					defined = true
					break
				}
			}
			if defined {
				kept.Indicators = append(kept.Indicators, ind)
			} else {
				dropped = append(dropped, ind.ID)
			}
		}
		if len(kept.Indicators) > 0 {
			out.Groups = append(out.Groups, kept)
		}
	}
	if len(out.Groups) == 0 {
		return nil, dropped, fmt.Errorf("%w: no indicator of scheme %q is defined for these statistics", ErrMissing, s.ID)
	}
	return &out, dropped, nil
}
