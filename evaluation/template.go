package evaluation

import (
	"fmt"
	"math"
	"strings"
)

// WeightTol is the tolerance within which sibling weights must sum to 1.
const WeightTol = 1e-6

// Label is a bilingual display name.
type Label struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// String returns "中文 (English)", or whichever half is set.
func (l Label) String() string {
	switch {
	case l.Zh == "":
		return l.En
	case l.En == "":
		return l.Zh
	}
	return l.Zh + " (" + l.En + ")"
}

// Criterion is one node of an indicator tree. Weight is relative to its
// siblings. A leaf (no Children) is scored by experts on [Min, Max]; when
// both are zero the range is 0–100.
type Criterion struct {
	ID       string      `json:"id"`
	Label    Label       `json:"label"`
	Weight   float64     `json:"weight"`
	Min      float64     `json:"min,omitempty"`
	Max      float64     `json:"max,omitempty"`
	Children []Criterion `json:"children,omitempty"`
}

// Range returns the leaf's score range, defaulting to [0, 100].
func (c Criterion) Range() (lo, hi float64) {
	if c.Min == 0 && c.Max == 0 {
		return 0, 100
	}
	return c.Min, c.Max
}

// GradeBand maps a total score (0–100) to a grade: the first band, in order,
// whose MinScore the score reaches.
type GradeBand struct {
	Grade    string  `json:"grade"`
	Label    Label   `json:"label"`
	MinScore float64 `json:"min_score"`
}

// Template is a criteria template: an indicator tree, a pass mark for
// screening and grade bands, all on the 0–100 total-score scale.
type Template struct {
	ID        string      `json:"id"`
	Label     Label       `json:"label"`
	Criteria  []Criterion `json:"criteria"`
	PassScore float64     `json:"pass_score"`
	Grades    []GradeBand `json:"grades"` // descending MinScore
}

// Problem is one validation failure, with messages in English and Chinese.
type Problem struct {
	Path string // e.g. "criteria[tech].children[novelty].weight"
	En   string
	Zh   string
}

// TemplateError lists every problem found in a template. It unwraps to
// ErrInvalid.
type TemplateError struct {
	Problems []Problem
}

func (e *TemplateError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Path + ": " + p.En
	}
	return "evaluation: invalid template: " + strings.Join(parts, "; ")
}

// Unwrap returns ErrInvalid.
func (e *TemplateError) Unwrap() error { return ErrInvalid }

// Validate checks the template: non-empty unique IDs, finite non-negative
// weights whose siblings sum to 1 within WeightTol, leaf ranges with
// Max > Min, a pass mark and grade bands within 0–100 in descending order.
// It returns a *TemplateError listing every problem, or nil.
func (t Template) Validate() error {
	var ps []Problem
	add := func(path, en, zh string) { ps = append(ps, Problem{Path: path, En: en, Zh: zh}) }
	seen := map[string]bool{}
	var walk func(prefix string, cs []Criterion)
	walk = func(prefix string, cs []Criterion) {
		if len(cs) == 0 {
			add(prefix, "no criteria", "没有指标")
			return
		}
		sum := 0.0
		for i, c := range cs {
			p := fmt.Sprintf("%s[%d]", prefix, i)
			if c.ID != "" {
				p = fmt.Sprintf("%s[%s]", prefix, c.ID)
			}
			switch {
			case c.ID == "":
				add(p+".id", "empty id", "指标编号为空")
			case seen[c.ID]:
				add(p+".id", "duplicate id "+c.ID, "指标编号重复: "+c.ID)
			}
			seen[c.ID] = true
			if math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) || c.Weight < 0 {
				add(p+".weight", fmt.Sprintf("weight %v must be finite and non-negative", c.Weight), fmt.Sprintf("权重 %v 必须为非负有限数", c.Weight))
			} else {
				sum += c.Weight
			}
			if len(c.Children) > 0 {
				walk(p+".children", c.Children)
				continue
			}
			lo, hi := c.Range()
			if !(hi > lo) || math.IsInf(hi-lo, 0) {
				add(p+".max", fmt.Sprintf("score range [%v, %v] is empty", lo, hi), fmt.Sprintf("评分区间 [%v, %v] 无效", lo, hi))
			}
		}
		if math.Abs(sum-1) > WeightTol {
			add(prefix+".weight", fmt.Sprintf("sibling weights sum to %v, want 1", sum), fmt.Sprintf("同级权重之和为 %v，应为 1", sum))
		}
	}
	walk("criteria", t.Criteria)
	if t.PassScore < 0 || t.PassScore > 100 || math.IsNaN(t.PassScore) {
		add("pass_score", fmt.Sprintf("pass score %v outside 0–100", t.PassScore), fmt.Sprintf("通过分数 %v 不在 0–100 之内", t.PassScore))
	}
	for i, g := range t.Grades {
		p := fmt.Sprintf("grades[%d]", i)
		if g.Grade == "" {
			add(p+".grade", "empty grade", "等级名称为空")
		}
		if g.MinScore < 0 || g.MinScore > 100 || math.IsNaN(g.MinScore) {
			add(p+".min_score", fmt.Sprintf("min score %v outside 0–100", g.MinScore), fmt.Sprintf("最低分 %v 不在 0–100 之内", g.MinScore))
		}
		if i > 0 && !(g.MinScore < t.Grades[i-1].MinScore) {
			add(p+".min_score", "grade bands must be in descending order", "等级应按分数从高到低排列")
		}
	}
	if len(ps) > 0 {
		return &TemplateError{Problems: ps}
	}
	return nil
}

// Leaf is a scored criterion with its weight in the whole tree (the product
// of the weights on its path).
type Leaf struct {
	Criterion
	Path         []string // IDs from the root to the leaf
	GlobalWeight float64
}

// Leaves returns the template's leaves in depth-first order.
func (t Template) Leaves() []Leaf {
	var out []Leaf
	var walk func(path []string, w float64, cs []Criterion)
	walk = func(path []string, w float64, cs []Criterion) {
		for _, c := range cs {
			p := append(path[:len(path):len(path)], c.ID)
			if len(c.Children) == 0 {
				leaf := c
				leaf.Children = nil
				out = append(out, Leaf{Criterion: leaf, Path: p, GlobalWeight: w * c.Weight})
				continue
			}
			walk(p, w*c.Weight, c.Children)
		}
	}
	walk(nil, 1, t.Criteria)
	return out
}

// Grade returns the grade band reached by score, or the zero GradeBand if
// none.
func (t Template) Grade(score float64) GradeBand {
	for _, g := range t.Grades {
		if score >= g.MinScore {
			return g
		}
	}
	return GradeBand{}
}

// Score returns the template's total score on 0–100 for one set of leaf
// scores: Σ globalWeight · (s − min)/(max − min) · 100. Every leaf must be
// scored within its range; otherwise a *ScoreError is returned.
func (t Template) Score(scores map[string]float64) (float64, error) {
	total := 0.0
	for _, l := range t.Leaves() {
		s, ok := scores[l.ID]
		if !ok {
			return 0, &ScoreError{Criterion: l.ID, Missing: true}
		}
		lo, hi := l.Range()
		if math.IsNaN(s) || s < lo || s > hi {
			return 0, &ScoreError{Criterion: l.ID, Value: s, Min: lo, Max: hi}
		}
		total += l.GlobalWeight * (s - lo) / (hi - lo) * 100
	}
	return total, nil
}

// WithWeights returns a copy of t with the weights of the named criteria
// replaced, validated.
func (t Template) WithWeights(w map[string]float64) (Template, error) {
	c := t
	c.Criteria = cloneCriteria(t.Criteria)
	found := map[string]bool{}
	var walk func(cs []Criterion)
	walk = func(cs []Criterion) {
		for i := range cs {
			if v, ok := w[cs[i].ID]; ok {
				cs[i].Weight = v
				found[cs[i].ID] = true
			}
			walk(cs[i].Children)
		}
	}
	walk(c.Criteria)
	for id := range w {
		if !found[id] {
			return Template{}, &FieldError{Field: "weights", Value: id, Reason: "no such criterion"}
		}
	}
	return c, c.Validate()
}

func cloneCriteria(cs []Criterion) []Criterion {
	if cs == nil {
		return nil
	}
	out := make([]Criterion, len(cs))
	for i, c := range cs {
		out[i] = c
		out[i].Children = cloneCriteria(c.Children)
	}
	return out
}

// Default template criterion IDs.
const (
	CritTechnology  = "technology"
	CritNovelty     = "novelty"     // 技术创新度
	CritAdvancement = "advancement" // 技术先进度
	CritMaturity    = "maturity"    // 技术成熟度
	CritMarket      = "market"      // 市场前景
	CritIP          = "ip"          // 知识产权
	CritTeam        = "team"        // 团队
)

// DefaultTemplate returns a fresh copy of the default template for Chinese
// S&T achievement evaluation (科技成果评价). Technology (0.60) groups the
// three graded dimensions of Chinese practice — 技术创新度 novelty (0.35),
// 技术先进度 advancement (0.35) and 技术成熟度 maturity (0.30) — beside
// market prospect (0.20), IP strength (0.10) and team (0.10). Leaves are
// scored 0–100; pass mark 60; grades A ≥ 85 优秀, B ≥ 75 良好, C ≥ 60 合格,
// D 不合格. The weights are a starting point, not a standard: change them with
// WithWeights.
func DefaultTemplate() Template {
	return Template{
		ID:    "cn-st-achievement",
		Label: Label{Zh: "科技成果评价", En: "S&T achievement evaluation"},
		Criteria: []Criterion{
			{ID: CritTechnology, Label: Label{Zh: "技术水平", En: "Technology"}, Weight: 0.60, Children: []Criterion{
				{ID: CritNovelty, Label: Label{Zh: "技术创新度", En: "Novelty"}, Weight: 0.35},
				{ID: CritAdvancement, Label: Label{Zh: "技术先进度", En: "Advancement"}, Weight: 0.35},
				{ID: CritMaturity, Label: Label{Zh: "技术成熟度", En: "Maturity"}, Weight: 0.30},
			}},
			{ID: CritMarket, Label: Label{Zh: "市场前景", En: "Market prospect"}, Weight: 0.20},
			{ID: CritIP, Label: Label{Zh: "知识产权", En: "IP strength"}, Weight: 0.10},
			{ID: CritTeam, Label: Label{Zh: "团队", En: "Team"}, Weight: 0.10},
		},
		PassScore: 60,
		Grades: []GradeBand{
			{Grade: "A", Label: Label{Zh: "优秀", En: "Excellent"}, MinScore: 85},
			{Grade: "B", Label: Label{Zh: "良好", En: "Good"}, MinScore: 75},
			{Grade: "C", Label: Label{Zh: "合格", En: "Acceptable"}, MinScore: 60},
			{Grade: "D", Label: Label{Zh: "不合格", En: "Not acceptable"}, MinScore: 0},
		},
	}
}

// ScoreError reports a missing or out-of-range score for one criterion.
type ScoreError struct {
	Expert    string // empty when not known
	Criterion string
	Value     float64
	Min, Max  float64
	Missing   bool
}

func (e *ScoreError) Error() string {
	who := ""
	if e.Expert != "" {
		who = "expert " + e.Expert + ": "
	}
	if e.Missing {
		return fmt.Sprintf("evaluation: %scriterion %s not scored", who, e.Criterion)
	}
	return fmt.Sprintf("evaluation: %scriterion %s: score %v outside [%v, %v]", who, e.Criterion, e.Value, e.Min, e.Max)
}

// Unwrap returns ErrInvalid.
func (e *ScoreError) Unwrap() error { return ErrInvalid }
