package broker

import (
	"context"
	"fmt"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/assign"
)

// PanelRequest asks for screening panels: k experts for every achievement,
// without conflicts of interest, spread within the experts' loads, with the
// highest total affinity.
type PanelRequest struct {
	Achievements []Achievement
	Experts      []Expert
	// Cover is the panel size (default 3).
	Cover int
	// MinLoad and MaxLoad bound each expert's panels; an expert's own
	// MaxLoad, when set, replaces MaxLoad (default 5).
	MinLoad, MaxLoad int
	Rules            ConflictRules
	// TextWeight and DisciplineWeight weigh the matching engine's text
	// affinity (the expert's keywords and past works against the
	// achievement) and discipline overlap; both zero means 1 and 0.3.
	TextWeight, DisciplineWeight float64
	// Fair maximizes the worst panel's affinity first (assign.Options.Fair).
	Fair bool
	// Engine options for affinity (nil means defaults).
	Engine *matching.Options
}

// PanelPlan is an optimal assignment of experts to achievements.
type PanelPlan struct {
	// Panels maps an achievement ID to its experts' IDs.
	Panels map[string][]string
	// Affinity maps achievement ID → expert ID → affinity in 0..1, for the
	// assigned pairs.
	Affinity map[string]map[string]float64
	// Conflicts are every conflict found; none is in Panels.
	Conflicts []ConflictOfInterest
	Total     float64 // summed affinity of all assigned pairs
	MinPanel  float64 // the smallest panel total
	Load      map[string]int
	// Problem and Result are the solver's input and result; the result's
	// certificate proves optimality: plan.Result.Verify(plan.Problem).
	Problem *assign.Problem
	Result  *assign.Result
}

// PlanPanels computes affinities with the matching engine, finds conflicts
// with the rules and solves the assignment exactly (package matching/assign).
// An infeasible request returns the solver's error, which names the items
// and experts concerned.
func PlanPanels(ctx context.Context, req PanelRequest) (*PanelPlan, error) {
	cover, maxLoad := req.Cover, req.MaxLoad
	if cover == 0 {
		cover = 3
	}
	if maxLoad == 0 {
		maxLoad = 5
	}
	wt, wd := req.TextWeight, req.DisciplineWeight
	if wt == 0 && wd == 0 {
		wt, wd = 1, 0.3
	}
	opts := matching.Options{}
	if req.Engine != nil {
		opts = *req.Engine
	}
	w := matching.DefaultWeights()
	w.Text, w.Discipline = wt, wd
	opts.Weights = &w
	eng, err := matching.NewEngine(&opts)
	if err != nil {
		return nil, wrap("plan panels", KindAchievement, "", err)
	}
	ids := make([]string, len(req.Achievements))
	for i, a := range req.Achievements {
		ids[i] = a.ID
		if err := eng.Add(AchievementDocument(a)); err != nil {
			return nil, wrap("plan panels", KindAchievement, a.ID, err)
		}
	}
	experts := make([]matching.Expert, len(req.Experts))
	for i, e := range req.Experts {
		experts[i] = ExpertProfile(e)
	}
	aff, err := eng.Affinity(ctx, experts, ids)
	if err != nil {
		return nil, wrap("plan panels", KindExpert, "", err)
	}

	var b assign.Builder
	plan := &PanelPlan{Panels: map[string][]string{}, Affinity: map[string]map[string]float64{}, Load: map[string]int{}}
	for _, a := range req.Achievements {
		b.Item(a.ID)
	}
	for ei, e := range req.Experts {
		b.Expert(e.ID)
		if e.MaxLoad > 0 {
			b.SetLoad(e.ID, min(req.MinLoad, e.MaxLoad), e.MaxLoad)
		}
		for ai, a := range req.Achievements {
			b.SetAffinity(e.ID, a.ID, aff[ei][ai])
			for _, c := range req.Rules.AchievementConflicts(e, a) {
				plan.Conflicts = append(plan.Conflicts, c)
				b.Forbid(e.ID, a.ID, c.Rule+": "+c.Reason)
			}
		}
	}
	prob := b.Problem(cover, req.MinLoad, maxLoad)
	res, err := assign.Solve(ctx, prob, &assign.Options{Fair: req.Fair})
	if err != nil {
		return nil, wrap("plan panels", KindAchievement, "", err)
	}
	plan.Problem, plan.Result = prob, res
	plan.Total = res.Total
	plan.MinPanel = 0
	if res.MinItem >= 0 {
		plan.MinPanel = res.ItemTotal[res.MinItem]
	}
	for i, panel := range res.Panels {
		item := prob.Items[i]
		plan.Affinity[item] = map[string]float64{}
		for _, e := range panel {
			id := prob.Experts[e]
			plan.Panels[item] = append(plan.Panels[item], id)
			plan.Affinity[item][id] = aff[e][i] // builder indices follow the input order
			plan.Load[id]++
		}
	}
	return plan, nil
}

// AchievementDocument adapts an achievement to the matching engine.
func AchievementDocument(a Achievement) matching.Document {
	return matching.Document{
		Kind: matching.Achievement, ID: a.ID, Title: a.Title, Keywords: a.Keywords,
		Abstract: a.Summary + "\n" + a.Abstract, Disciplines: a.Disciplines, IndustryCodes: a.IndustryCodes,
		Readiness: a.Readiness.Level, Price: a.AskingPrice, Region: a.Region,
	}
}

// DemandDocument adapts a demand to the matching engine; the diagnosed
// spec, when there is one, is matched along with the enterprise's words.
func DemandDocument(d Demand) matching.Document {
	return matching.Document{
		Kind: matching.Demand, ID: d.ID, Title: d.Title, Keywords: d.Keywords,
		Abstract: d.Problem + "\n" + d.Spec, Disciplines: d.Disciplines, IndustryCodes: d.IndustryCodes,
		Readiness: d.MinReadiness.Level, BudgetMax: d.Budget.Max, Region: d.Region,
	}
}

// ExpertProfile adapts an expert to the matching engine's affinity.
func ExpertProfile(e Expert) matching.Expert {
	works := make([]string, len(e.Works))
	for i, w := range e.Works {
		works[i] = w.Title
	}
	return matching.Expert{ID: e.ID, Keywords: e.Keywords, Works: works, Disciplines: e.Disciplines}
}

// String renders a conflict for logs.
func (c ConflictOfInterest) String() string {
	return fmt.Sprintf("%s × %s: %s (%s)", c.ExpertID, c.ItemID, c.Rule, c.Reason)
}
