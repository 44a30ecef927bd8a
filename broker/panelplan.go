package broker

import (
	"context"
	"fmt"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/assign"
)

// PanelRequest asks for screening panels: k experts for every achievement
// (and every demand), without conflicts of interest, spread within the
// experts' loads, with the highest total affinity.
type PanelRequest struct {
	Achievements []Achievement
	// Demands get panels as achievements do; their conflicts are
	// DemandConflicts. An achievement and a demand may not share an ID.
	Demands []Demand
	Experts []Expert
	// Cover is the panel size (default 3).
	Cover int
	// MinLoad and MaxLoad bound each expert's panels; an expert's own
	// MaxLoad, when set, replaces MaxLoad (default 5).
	MinLoad, MaxLoad int
	// LoadLeft, where it names an expert, caps the panels the expert may
	// take in this plan below their maximum load: the reviews already on
	// their hands, or their yearly load less the reviews done. Zero or less
	// keeps the expert out of the plan.
	LoadLeft map[string]int
	// Exclude are pairs kept apart besides the rules' conflicts (an expert
	// who declined the item, Rule "declined"). They are forbidden pairs
	// like the conflicts and are reported with them in PanelPlan.Conflicts.
	// Pairs naming an expert or an item not in the request are ignored.
	Exclude []ConflictOfInterest
	Rules   ConflictRules
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
	// Panels maps an achievement (or demand) ID to its experts' IDs.
	Panels map[string][]string
	// Affinity maps achievement ID → expert ID → affinity in 0..1, for the
	// assigned pairs.
	Affinity map[string]map[string]float64
	// Conflicts are every conflict found and every excluded pair; none is
	// in Panels.
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
//
// Affinities are comparable within one call: the engine scales its text
// scores by the best one of the call.
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
	nA := len(req.Achievements)
	ids := make([]string, nA+len(req.Demands))
	items := make(map[string]int, len(ids))
	for i, a := range req.Achievements {
		ids[i], items[a.ID] = a.ID, i
		if err := eng.Add(AchievementDocument(a)); err != nil {
			return nil, wrap("plan panels", KindAchievement, a.ID, err)
		}
	}
	for j, d := range req.Demands {
		if _, dup := items[d.ID]; dup {
			return nil, wrap("plan panels", KindDemand, d.ID, invalid(KindDemand,
				FieldError{Field: "demands[" + itoa(j) + "].id", Code: "duplicate", Param: "an achievement's ID", Value: d.ID}))
		}
		ids[nA+j], items[d.ID] = d.ID, nA+j
		// The engine scores experts against its achievement index; the
		// engine is this call's own, so a demand is indexed there.
		doc := DemandDocument(d)
		doc.Kind = matching.Achievement
		if err := eng.Add(doc); err != nil {
			return nil, wrap("plan panels", KindDemand, d.ID, err)
		}
	}
	experts := make([]matching.Expert, len(req.Experts))
	expertIDs := make([]string, len(req.Experts))
	expertIndex := make(map[string]int, len(req.Experts))
	for i, e := range req.Experts {
		experts[i], expertIDs[i], expertIndex[e.ID] = ExpertProfile(e), e.ID, i
	}
	aff, err := eng.Affinity(ctx, experts, ids)
	if err != nil {
		return nil, wrap("plan panels", KindExpert, "", err)
	}

	plan := &PanelPlan{Panels: map[string][]string{}, Affinity: map[string]map[string]float64{}, Load: map[string]int{}}
	prob := &assign.Problem{Experts: expertIDs, Items: ids, Affinity: make([][]float64, len(ids)),
		Cover: cover, MinLoad: req.MinLoad, MaxLoad: maxLoad}
	for i := range ids {
		row := make([]float64, len(experts))
		for e := range experts {
			row[e] = aff[e][i]
		}
		prob.Affinity[i] = row
	}
	forbid := func(c ConflictOfInterest, e, i int) {
		plan.Conflicts = append(plan.Conflicts, c)
		prob.Forbidden = append(prob.Forbidden, assign.Conflict{Expert: e, Item: i, Reason: c.Rule + ": " + c.Reason})
	}
	achKeys := make([]achievementKeys, nA)
	for i := range req.Achievements {
		achKeys[i] = achievementKeysOf(&req.Achievements[i])
	}
	entKeys := make([]string, len(req.Demands))
	for j, d := range req.Demands {
		entKeys[j] = orgKey(d.Enterprise)
	}
	for ei := range req.Experts {
		e := &req.Experts[ei]
		load := maxLoad
		if e.MaxLoad > 0 {
			load = e.MaxLoad
		}
		if left, ok := req.LoadLeft[e.ID]; ok {
			load = min(load, max(left, 0))
		}
		if load != maxLoad {
			if prob.LoadOverride == nil {
				prob.LoadOverride = map[int]assign.Load{}
			}
			prob.LoadOverride[ei] = assign.Load{Min: min(req.MinLoad, load), Max: load}
		}
		ek := expertKeysOf(e)
		for ai := range req.Achievements {
			for _, c := range req.Rules.achievementConflicts(ek, achKeys[ai]) {
				forbid(c, ei, ai)
			}
		}
		for j := range req.Demands {
			for _, c := range req.Rules.demandConflicts(ek, &req.Demands[j], entKeys[j]) {
				forbid(c, ei, nA+j)
			}
		}
	}
	for _, c := range req.Exclude {
		e, ok1 := expertIndex[c.ExpertID]
		i, ok2 := items[c.ItemID]
		if ok1 && ok2 {
			forbid(c, e, i)
		}
	}
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
			plan.Affinity[item][id] = aff[e][i]
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
