package evaluation

import (
	"fmt"
	"slices"
	"time"
)

// ScaleID names a readiness scale.
type ScaleID string

// The built-in scales.
const (
	NASATRL  ScaleID = "nasa-trl"  // NASA TRL 1–9 (NPR 7123.1 / NPR 7120.8)
	EUTRL    ScaleID = "eu-trl"    // EU Horizon 2020/Europe TRL 1–9 (General Annex G)
	GBT37264 ScaleID = "gbt-37264" // GB/T 37264-2018 新材料技术成熟度, 3 stages × 9 levels
)

// EvidenceItem is one question an assessor answers with evidence to show a
// level is reached.
type EvidenceItem struct {
	ID   string
	Text Label
}

// Level is one readiness level of a scale.
type Level struct {
	N            int
	Stage        Label // GB/T 37264 stage; empty for TRL scales
	Description  Label
	ExitCriteria Label          // what must be documented to leave the level (NASA)
	Evidence     []EvidenceItem // all must be met to reach the level
}

// Scale is a readiness scale: ordered levels 1…n.
type Scale struct {
	ID     ScaleID
	Name   Label
	Source string
	Levels []Level
}

// Level returns level n, or false when out of range.
func (s Scale) Level(n int) (Level, bool) {
	if n < 1 || n > len(s.Levels) {
		return Level{}, false
	}
	return s.Levels[n-1], true
}

// withDefaultEvidence gives every level one evidence item derived from its
// exit criteria (or description) when it has none.
func withDefaultEvidence(s Scale) Scale {
	for i := range s.Levels {
		l := &s.Levels[i]
		if len(l.Evidence) > 0 {
			continue
		}
		text := l.ExitCriteria
		if text.En == "" && text.Zh == "" {
			text = l.Description
		}
		l.Evidence = []EvidenceItem{{ID: fmt.Sprintf("%s-%d", s.ID, l.N), Text: text}}
	}
	return s
}

// NASAScale returns the NASA TRL scale with its hardware descriptions and
// exit criteria, paraphrased from NPR 7123.1 Appendix E (also used by NPR
// 7120.8). Each level's evidence item is its exit criterion.
func NASAScale() Scale {
	d := func(en, zh string) Label { return Label{En: en, Zh: zh} }
	return withDefaultEvidence(Scale{
		ID: NASATRL, Name: d("NASA Technology Readiness Levels", "NASA 技术就绪水平"),
		Source: "NASA NPR 7123.1, Appendix E (paraphrased)",
		Levels: []Level{
			{N: 1, Description: d("Basic principles observed and reported", "观察到并报告了基本原理"),
				ExitCriteria: d("Peer-reviewed publication of research underlying the proposed concept or application", "有支撑所提概念或应用的同行评议研究论文")},
			{N: 2, Description: d("Technology concept and/or application formulated", "形成了技术概念和/或应用设想"),
				ExitCriteria: d("Documented description of the application or concept that addresses feasibility and benefit", "有说明可行性和效益的应用或概念文档")},
			{N: 3, Description: d("Analytical and experimental critical function and/or characteristic proof of concept", "关键功能和/或特性经分析和实验得到概念验证"),
				ExitCriteria: d("Documented analytical or experimental results validating predictions of key parameters", "有验证关键参数预测的分析或实验结果文档")},
			{N: 4, Description: d("Component and/or breadboard validation in a laboratory environment", "部件和/或实验板在实验室环境中得到验证"),
				ExitCriteria: d("Documented test performance demonstrating agreement with analytical predictions; documented definition of the relevant environment", "有与分析预测一致的测试性能文档，并定义了相关环境")},
			{N: 5, Description: d("Component and/or breadboard validation in a relevant environment", "部件和/或实验板在相关环境中得到验证"),
				ExitCriteria: d("Documented test performance demonstrating agreement with analytical predictions; documented definition of scaling requirements", "有与分析预测一致的测试性能文档，并定义了放大要求")},
			{N: 6, Description: d("System or subsystem model or prototype demonstration in a relevant environment", "系统或子系统模型或原型在相关环境中演示"),
				ExitCriteria: d("Documented test performance demonstrating agreement with analytical predictions", "有与分析预测一致的测试性能文档")},
			{N: 7, Description: d("System prototype demonstration in an operational environment", "系统原型在运行环境中演示"),
				ExitCriteria: d("Documented test performance demonstrating agreement with analytical predictions", "有与分析预测一致的测试性能文档")},
			{N: 8, Description: d("Actual system completed and qualified through test and demonstration", "实际系统完成并通过试验和演示鉴定"),
				ExitCriteria: d("Documented test performance verifying analytical predictions", "有验证分析预测的测试性能文档")},
			{N: 9, Description: d("Actual system proven through successful mission operations", "实际系统通过成功的任务运行得到验证"),
				ExitCriteria: d("Documented mission operational results", "有任务运行结果文档")},
		},
	})
}

// EUScale returns the EU Horizon TRL scale (Horizon 2020 Work Programme,
// General Annex G). Each level's evidence item is its description.
func EUScale() Scale {
	d := func(en, zh string) Label { return Label{En: en, Zh: zh} }
	return withDefaultEvidence(Scale{
		ID: EUTRL, Name: d("EU Technology Readiness Levels", "欧盟技术就绪水平"),
		Source: "Horizon 2020 Work Programme, General Annex G",
		Levels: []Level{
			{N: 1, Description: d("Basic principles observed", "观察到基本原理")},
			{N: 2, Description: d("Technology concept formulated", "形成技术概念")},
			{N: 3, Description: d("Experimental proof of concept", "实验性概念验证")},
			{N: 4, Description: d("Technology validated in lab", "技术在实验室中得到验证")},
			{N: 5, Description: d("Technology validated in relevant environment", "技术在相关环境中得到验证")},
			{N: 6, Description: d("Technology demonstrated in relevant environment", "技术在相关环境中得到演示")},
			{N: 7, Description: d("System prototype demonstration in operational environment", "系统原型在运行环境中演示")},
			{N: 8, Description: d("System complete and qualified", "系统完成并通过鉴定")},
			{N: 9, Description: d("Actual system proven in operational environment", "实际系统在运行环境中得到验证")},
		},
	})
}

// GBT37264Scale returns the GB/T 37264-2018 (新材料技术成熟度等级划分及定义)
// scale: nine levels in three stages, 实验室 (laboratory, 1–3), 工程化
// (engineering, 4–6) and 产业化 (industrialization, 7–9). The level texts
// are short paraphrases, not the standard's wording (which is not
// reproduced here); replace Levels[i].Evidence with your own checklist.
func GBT37264Scale() Scale {
	d := func(en, zh string) Label { return Label{En: en, Zh: zh} }
	lab := d("Laboratory", "实验室阶段")
	eng := d("Engineering", "工程化阶段")
	ind := d("Industrialization", "产业化阶段")
	return withDefaultEvidence(Scale{
		ID: GBT37264, Name: d("GB/T 37264-2018 new-material technology readiness", "GB/T 37264-2018 新材料技术成熟度"),
		Source: "GB/T 37264-2018 (stages and level count; level texts paraphrased)",
		Levels: []Level{
			{N: 1, Stage: lab, Description: d("Basic principles found and reported", "发现并报告基本原理")},
			{N: 2, Stage: lab, Description: d("Concept and application formulated", "形成概念和应用设想")},
			{N: 3, Stage: lab, Description: d("Key function verified in the laboratory", "实验室验证关键功能")},
			{N: 4, Stage: eng, Description: d("Material and process verified at small (pilot) scale", "小试验证材料和工艺")},
			{N: 5, Stage: eng, Description: d("Scale-up verified; process defined", "中试放大验证，工艺确定")},
			{N: 6, Stage: eng, Description: d("Engineering samples verified in a relevant environment", "工程化样品在相关环境中验证")},
			{N: 7, Stage: ind, Description: d("Trial production; product verified in use", "试生产，产品应用验证")},
			{N: 8, Stage: ind, Description: d("Batch production; stable quality", "批量生产，质量稳定")},
			{N: 9, Stage: ind, Description: d("Large-scale production and market application", "规模化生产和市场应用")},
		},
	})
}

// ScaleByID returns a fresh copy of a built-in scale.
func ScaleByID(id ScaleID) (Scale, error) {
	switch id {
	case NASATRL:
		return NASAScale(), nil
	case EUTRL:
		return EUScale(), nil
	case GBT37264:
		return GBT37264Scale(), nil
	}
	return Scale{}, &FieldError{Field: "scale", Value: string(id), Reason: "unknown readiness scale"}
}

// Answer is an assessor's answer to one evidence item.
type Answer struct {
	Item     string // EvidenceItem.ID
	Met      bool
	Evidence string // reference to the document, test report, …
	Note     string
}

// ReadinessAssessment is the outcome of Assess: the level reached on a
// scale, with the answers it rests on, who assessed and when.
type ReadinessAssessment struct {
	Scale    ScaleID
	Level    int            // 0 when not even level 1 is shown
	Answers  []Answer       // every answer given, kept as evidence
	Next     []EvidenceItem // unmet or unanswered items of level Level+1
	Assessor string
	Date     time.Time
}

// Assess determines the readiness level from answered evidence items: the
// highest level L such that every evidence item of levels 1…L is answered
// Met. Answers naming an unknown item, answering an item twice, or claiming
// Met without an Evidence reference are errors (*FieldError). The answers
// are kept in the result. assessor and date are recorded as given (the
// package reads no clock).
func Assess(s Scale, answers []Answer, assessor string, date time.Time) (ReadinessAssessment, error) {
	known := map[string]bool{}
	for _, l := range s.Levels {
		for _, e := range l.Evidence {
			known[e.ID] = true
		}
	}
	met := map[string]bool{}
	seen := map[string]bool{}
	for i, a := range answers {
		f := fmt.Sprintf("answers[%d]", i)
		switch {
		case !known[a.Item]:
			return ReadinessAssessment{}, &FieldError{Field: f + ".Item", Value: a.Item, Reason: "no such evidence item on scale " + string(s.ID)}
		case seen[a.Item]:
			return ReadinessAssessment{}, &FieldError{Field: f + ".Item", Value: a.Item, Reason: "answered twice"}
		case a.Met && a.Evidence == "":
			return ReadinessAssessment{}, &FieldError{Field: f + ".Evidence", Value: a.Item, Reason: "a met item needs an evidence reference"}
		}
		seen[a.Item] = true
		met[a.Item] = a.Met
	}
	r := ReadinessAssessment{Scale: s.ID, Answers: slices.Clone(answers), Assessor: assessor, Date: date}
	for _, l := range s.Levels {
		var unmet []EvidenceItem
		for _, e := range l.Evidence {
			if !met[e.ID] {
				unmet = append(unmet, e)
			}
		}
		if len(unmet) > 0 {
			r.Next = unmet
			break
		}
		r.Level = l.N
	}
	return r, nil
}

// CrosswalkResult maps a level from one scale to another. Approximate is
// always true: the scales were written for different purposes (space
// hardware, EU funding, new materials) and a level does not carry over
// exactly.
type CrosswalkResult struct {
	From, To    ScaleID
	FromLevel   int
	Level       int
	Approximate bool
	Note        Label
}

// Crosswalk maps level on scale from to scale to. All three built-in scales
// have nine levels derived from the same TRL idea, so level n maps to level
// n; the result is marked approximate and says so.
func Crosswalk(from ScaleID, level int, to ScaleID) (CrosswalkResult, error) {
	for _, id := range []ScaleID{from, to} {
		if _, err := ScaleByID(id); err != nil {
			return CrosswalkResult{}, err
		}
	}
	if level < 1 || level > 9 {
		return CrosswalkResult{}, &FieldError{Field: "level", Value: level, Reason: "must be 1–9"}
	}
	return CrosswalkResult{
		From: from, To: to, FromLevel: level, Level: level, Approximate: true,
		Note: Label{
			Zh: "近似对应：不同标准的等级定义和适用范围不同，仅供参考",
			En: "approximate: the scales define levels for different purposes; use as a guide only",
		},
	}, nil
}
