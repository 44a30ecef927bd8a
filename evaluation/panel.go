package evaluation

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
)

// Panel workflow errors. Each is matched with errors.Is; the returned error
// is usually a *PanelError carrying the expert and unwrapping to one of them.
var (
	ErrNotOnPanel      = errors.New("evaluation: expert not on the panel")
	ErrPanelLocked     = errors.New("evaluation: panel is locked")
	ErrPanelNotLocked  = errors.New("evaluation: panel is not locked yet")
	ErrIncompleteSheet = errors.New("evaluation: incomplete score sheet")
	ErrTooFewSheets    = errors.New("evaluation: too few score sheets")
)

// PanelError is a workflow error for one panel (and expert, when known).
// It unwraps to its sentinel (ErrNotOnPanel, ErrPanelLocked, …) and, for
// sheet problems, also to the detailed cause (for example a *ScoreError).
type PanelError struct {
	Item    string
	Expert  string
	Missing []string // criterion IDs not scored, for ErrIncompleteSheet
	Err     error    // sentinel
	Cause   error    // optional detail
}

func (e *PanelError) Error() string {
	s := "evaluation: panel " + e.Item
	if e.Expert != "" {
		s += ", expert " + e.Expert
	}
	if e.Err != ErrInvalid || e.Cause == nil {
		s += ": " + trimPrefix(e.Err.Error())
	}
	if len(e.Missing) > 0 {
		s += fmt.Sprintf(" (missing %v)", e.Missing)
	}
	if e.Cause != nil {
		s += ": " + trimPrefix(e.Cause.Error())
	}
	return s
}

// Unwrap returns the sentinel and the cause.
func (e *PanelError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

func trimPrefix(s string) string {
	const p = "evaluation: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// Aggregation says how a panel combines the experts' total scores.
type Aggregation int

const (
	// Mean averages all experts.
	Mean Aggregation = iota
	// Trimmed drops the highest and the lowest score (needs ≥ 3 sheets;
	// with fewer it falls back to the mean and says so in the reasons).
	Trimmed
)

// PanelOptions configures a panel. A nil *PanelOptions means: every expert
// must submit, trimmed mean, pass mark and grades from the template,
// disagreement flagged below correlation 0.3.
type PanelOptions struct {
	// MinSheets is the number of sheets needed to lock; 0 means all experts.
	MinSheets int
	// Aggregation of the experts' total scores.
	Aggregation Aggregation
	// Disagreement thresholds; nil means the defaults of Disagreements.
	Disagreement *DisagreementOptions
	// RecommendScore is the score from which the panel recommends the item
	// without conditions; 0 means the template's second grade band (e.g. B),
	// or 75 when it has none.
	RecommendScore float64
}

// ScoreSheet is one expert's scores for one item: a score for every leaf
// criterion of the panel's template, within its range.
type ScoreSheet struct {
	Expert  string
	Scores  map[string]float64 // leaf criterion ID → score
	Comment string
}

// Panel evaluates one item with a fixed set of experts. Create it with
// NewPanel; Submit sheets, Lock, then Aggregate. All methods are safe for
// concurrent use. A Panel holds no storage: persist Sheets and the Verdict
// yourself.
type Panel struct {
	item    string
	experts []string
	tmpl    Template
	leaves  []Leaf
	opts    PanelOptions

	mu     sync.Mutex
	sheets map[string]ScoreSheet
	locked bool
}

// NewPanel creates a panel for item with the given experts (for example the
// expert IDs an assignment chose for it) and template. Expert IDs must be
// non-empty and distinct; the template must validate.
func NewPanel(item string, experts []string, tmpl Template, opts *PanelOptions) (*Panel, error) {
	if item == "" {
		return nil, &FieldError{Field: "item", Value: item, Reason: "empty item id"}
	}
	if len(experts) == 0 {
		return nil, &FieldError{Field: "experts", Value: 0, Reason: "a panel needs experts"}
	}
	seen := map[string]bool{}
	for i, e := range experts {
		if e == "" || seen[e] {
			return nil, &FieldError{Field: fmt.Sprintf("experts[%d]", i), Value: e, Reason: "empty or duplicate expert id"}
		}
		seen[e] = true
	}
	if err := tmpl.Validate(); err != nil {
		return nil, err
	}
	p := &Panel{item: item, experts: slices.Clone(experts), tmpl: tmpl, leaves: tmpl.Leaves(), sheets: map[string]ScoreSheet{}}
	p.tmpl.Criteria = cloneCriteria(tmpl.Criteria)
	p.tmpl.Grades = slices.Clone(tmpl.Grades)
	if opts != nil {
		p.opts = *opts
	} else {
		p.opts.Aggregation = Trimmed
	}
	if p.opts.MinSheets < 0 || p.opts.MinSheets > len(experts) {
		return nil, &FieldError{Field: "PanelOptions.MinSheets", Value: p.opts.MinSheets, Reason: fmt.Sprintf("must be between 0 and %d", len(experts))}
	}
	if p.opts.MinSheets == 0 {
		p.opts.MinSheets = len(experts)
	}
	return p, nil
}

// Item returns the item's ID.
func (p *Panel) Item() string { return p.item }

// Experts returns a copy of the panel's expert IDs.
func (p *Panel) Experts() []string { return slices.Clone(p.experts) }

// Template returns a copy of the panel's template.
func (p *Panel) Template() Template {
	t := p.tmpl
	t.Criteria = cloneCriteria(p.tmpl.Criteria)
	t.Grades = slices.Clone(p.tmpl.Grades)
	return t
}

// Submit records an expert's sheet, replacing an earlier one from the same
// expert while the panel is open. It fails with ErrNotOnPanel,
// ErrPanelLocked, ErrIncompleteSheet (listing the missing criteria) or a
// *ScoreError for a score outside its range or for an unknown criterion,
// all wrapped in a *PanelError.
func (p *Panel) Submit(s ScoreSheet) error {
	if !slices.Contains(p.experts, s.Expert) {
		return &PanelError{Item: p.item, Expert: s.Expert, Err: ErrNotOnPanel}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.locked {
		return &PanelError{Item: p.item, Expert: s.Expert, Err: ErrPanelLocked}
	}
	var missing []string
	for _, l := range p.leaves {
		v, ok := s.Scores[l.ID]
		if !ok {
			missing = append(missing, l.ID)
			continue
		}
		lo, hi := l.Range()
		if math.IsNaN(v) || v < lo || v > hi {
			return &PanelError{Item: p.item, Expert: s.Expert, Err: ErrInvalid,
				Cause: &ScoreError{Criterion: l.ID, Value: v, Min: lo, Max: hi}}
		}
	}
	if len(missing) > 0 {
		return &PanelError{Item: p.item, Expert: s.Expert, Err: ErrIncompleteSheet, Missing: missing}
	}
	if len(s.Scores) != len(p.leaves) {
		for id := range s.Scores {
			if !slices.ContainsFunc(p.leaves, func(l Leaf) bool { return l.ID == id }) {
				return &PanelError{Item: p.item, Expert: s.Expert, Err: ErrInvalid,
					Cause: &FieldError{Field: "Scores", Value: id, Reason: "not a leaf criterion of the template"}}
			}
		}
	}
	cp := s
	cp.Scores = make(map[string]float64, len(s.Scores))
	for k, v := range s.Scores {
		cp.Scores[k] = v
	}
	p.sheets[s.Expert] = cp
	return nil
}

// Lock closes the panel to submissions. It fails with ErrTooFewSheets when
// fewer than MinSheets have been submitted, and with ErrPanelLocked when
// already locked.
func (p *Panel) Lock() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.locked {
		return &PanelError{Item: p.item, Err: ErrPanelLocked}
	}
	if len(p.sheets) < p.opts.MinSheets {
		return &PanelError{Item: p.item, Err: ErrTooFewSheets,
			Cause: fmt.Errorf("%d of %d required sheets", len(p.sheets), p.opts.MinSheets)}
	}
	p.locked = true
	return nil
}

// Locked reports whether the panel is locked.
func (p *Panel) Locked() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.locked
}

// Sheets returns copies of the submitted sheets in panel order.
func (p *Panel) Sheets() []ScoreSheet {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []ScoreSheet
	for _, e := range p.experts {
		if s, ok := p.sheets[e]; ok {
			cp := s
			cp.Scores = make(map[string]float64, len(s.Scores))
			for k, v := range s.Scores {
				cp.Scores[k] = v
			}
			out = append(out, cp)
		}
	}
	return out
}

// Recommendation is the panel's advice on the item.
type Recommendation string

// Recommendations.
const (
	Recommend               Recommendation = "recommend"                 // 推荐
	RecommendWithConditions Recommendation = "recommend-with-conditions" // 有条件推荐
	NotRecommended          Recommendation = "not-recommended"           // 不推荐
)

// Label returns the recommendation in Chinese and English.
func (r Recommendation) Label() Label {
	switch r {
	case Recommend:
		return Label{Zh: "推荐", En: "Recommended"}
	case RecommendWithConditions:
		return Label{Zh: "有条件推荐", En: "Recommended with conditions"}
	case NotRecommended:
		return Label{Zh: "不推荐", En: "Not recommended"}
	}
	return Label{}
}

// CriterionResult is the panel's view of one leaf criterion.
type CriterionResult struct {
	ID    string
	Label Label
	Mean  float64 // mean raw score of the experts
	SD    float64 // sample standard deviation
}

// ExpertResult is one expert's total and how it relates to the panel.
type ExpertResult struct {
	Expert       string
	Total        float64 // 0–100
	Disagreement Disagreement
}

// Agreement gathers the agreement figures over the criteria (rows) and
// experts (columns) of normalized scores. Values are NaN when undefined
// (fewer than two experts or two criteria, or no variance).
type Agreement struct {
	KendallW KendallResult // tie-corrected
	ICC      ICCResult
}

// Verdict is the outcome of a locked panel.
type Verdict struct {
	Item           string
	Score          float64 // aggregated total, 0–100
	Pass           bool    // Score ≥ template PassScore (screening)
	Grade          GradeBand
	Recommendation Recommendation
	Reasons        []Label
	Criteria       []CriterionResult
	Experts        []ExpertResult
	Agreement      Agreement
	Sheets         int
}

// Aggregate combines the sheets of a locked panel into a Verdict (it fails
// with ErrPanelNotLocked before Lock). It may be called repeatedly and
// returns the same result.
func (p *Panel) Aggregate() (Verdict, error) {
	p.mu.Lock()
	if !p.locked {
		p.mu.Unlock()
		return Verdict{}, &PanelError{Item: p.item, Err: ErrPanelNotLocked}
	}
	var sheets []ScoreSheet
	for _, e := range p.experts {
		if s, ok := p.sheets[e]; ok {
			sheets = append(sheets, s) // sheets are never mutated after Submit
		}
	}
	p.mu.Unlock()
	return aggregate(p.item, p.tmpl, p.leaves, p.opts, sheets), nil
}

func aggregate(item string, tmpl Template, leaves []Leaf, opts PanelOptions, sheets []ScoreSheet) Verdict {
	v := Verdict{Item: item, Sheets: len(sheets)}
	k := len(sheets)
	// norm[i][j]: expert j's score on leaf i mapped to 0–100.
	norm := make([][]float64, len(leaves))
	totals := make([]float64, k)
	for i, l := range leaves {
		lo, hi := l.Range()
		norm[i] = make([]float64, k)
		raw := make([]float64, k)
		for j, s := range sheets {
			raw[j] = s.Scores[l.ID]
			norm[i][j] = (raw[j] - lo) / (hi - lo) * 100
			totals[j] += l.GlobalWeight * norm[i][j]
		}
		m, sd := meanSD(raw)
		v.Criteria = append(v.Criteria, CriterionResult{ID: l.ID, Label: l.Label, Mean: m, SD: sd})
	}
	switch {
	case opts.Aggregation == Trimmed && k >= 3:
		v.Score, _ = TrimmedMean(totals, 1)
		v.Reasons = append(v.Reasons, Label{Zh: "总分为去掉一个最高分和一个最低分后的平均分", En: "score is the mean after dropping the highest and the lowest total"})
	default:
		v.Score, _ = meanSD(totals)
		if opts.Aggregation == Trimmed {
			v.Reasons = append(v.Reasons, Label{Zh: "专家少于 3 人，未去掉最高分和最低分", En: "fewer than 3 experts: plain mean, nothing trimmed"})
		}
	}
	v.Pass = v.Score >= tmpl.PassScore
	v.Grade = tmpl.Grade(v.Score)
	rec := opts.RecommendScore
	if rec == 0 {
		rec = 75
		if len(tmpl.Grades) >= 2 {
			rec = tmpl.Grades[1].MinScore
		}
	}
	if v.Pass {
		v.Reasons = append(v.Reasons, Label{
			Zh: fmt.Sprintf("总分 %.2f 达到通过线 %.2f", v.Score, tmpl.PassScore),
			En: fmt.Sprintf("score %.2f reaches the pass mark %.2f", v.Score, tmpl.PassScore)})
	} else {
		v.Reasons = append(v.Reasons, Label{
			Zh: fmt.Sprintf("总分 %.2f 低于通过线 %.2f", v.Score, tmpl.PassScore),
			En: fmt.Sprintf("score %.2f is below the pass mark %.2f", v.Score, tmpl.PassScore)})
	}
	// Weak criteria: mean below the pass mark on the 0–100 scale.
	var weak []string
	for i, l := range leaves {
		m, _ := meanSD(norm[i])
		if m < tmpl.PassScore {
			weak = append(weak, l.Label.String())
		}
	}
	if len(weak) > 0 {
		v.Reasons = append(v.Reasons, Label{
			Zh: fmt.Sprintf("低于通过线的指标: %v", weak),
			En: fmt.Sprintf("criteria below the pass mark: %v", weak)})
	}
	// Agreement figures (need ≥ 2 criteria and ≥ 2 experts).
	v.Agreement.KendallW = KendallResult{W: math.NaN(), Chi2: math.NaN(), P: math.NaN()}
	nan := math.NaN()
	v.Agreement.ICC = ICCResult{ICC1: nan, ICC2: nan, ICC3: nan, ICC1k: nan, ICC2k: nan, ICC3k: nan, BMS: nan, WMS: nan, JMS: nan, EMS: nan}
	var dis []Disagreement
	if len(leaves) >= 2 && k >= 2 {
		v.Agreement.KendallW, _ = KendallW(norm, true)
		v.Agreement.ICC, _ = ICC(norm)
		dis, _ = Disagreements(norm, opts.Disagreement)
	}
	flagged := 0
	for j, s := range sheets {
		er := ExpertResult{Expert: s.Expert, Total: totals[j]}
		if dis != nil {
			er.Disagreement = dis[j]
			if dis[j].Flagged {
				flagged++
				v.Reasons = append(v.Reasons, Label{
					Zh: fmt.Sprintf("专家 %s 的评分与其他专家不一致: %s", s.Expert, dis[j].Reason),
					En: fmt.Sprintf("expert %s disagrees with the panel: %s", s.Expert, dis[j].Reason)})
			}
		}
		v.Experts = append(v.Experts, er)
	}
	if w := v.Agreement.KendallW; !math.IsNaN(w.P) {
		v.Reasons = append(v.Reasons, Label{
			Zh: fmt.Sprintf("专家一致性 Kendall W = %.3f (p = %.3g)", w.W, w.P),
			En: fmt.Sprintf("expert agreement Kendall's W = %.3f (p = %.3g)", w.W, w.P)})
	}
	switch {
	case !v.Pass:
		v.Recommendation = NotRecommended
	case v.Score >= rec && flagged == 0:
		v.Recommendation = Recommend
	default:
		v.Recommendation = RecommendWithConditions
		if flagged > 0 {
			v.Reasons = append(v.Reasons, Label{Zh: "存在意见分歧的专家，建议复议", En: "some experts disagree: review before recommending"})
		}
	}
	return v
}
