package review

// Panel planning: the optimal conflict-free assignment of experts to the
// achievements and demands to review (package matching/assign), with the
// conflict-of-interest rules (回避) it applies.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/assign"
)

// PanelRequest asks for screening panels: k experts for every achievement
// (and every demand), without conflicts of interest, spread within the
// experts' loads, with the highest total affinity.
type PanelRequest struct {
	Achievements []broker.Achievement
	// Demands get panels as achievements do; their conflicts are
	// DemandConflicts. An achievement and a demand may not share an ID.
	Demands []broker.Demand
	Experts []broker.Expert
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
	// Affinity, when it names an item (achievement or demand ID → expert
	// ID → affinity in 0..1), gives that item's affinities in place of the
	// engine's, for example from the matching service's index; an expert
	// it leaves out has 0. A value outside 0..1 is refused.
	Affinity map[string]map[string]float64
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
		return nil, broker.Wrap("plan panels", broker.KindAchievement, "", err)
	}
	nA := len(req.Achievements)
	ids := make([]string, nA+len(req.Demands))
	items := make(map[string]int, len(ids))
	for i, a := range req.Achievements {
		ids[i], items[a.ID] = a.ID, i
		if err := eng.Add(broker.AchievementDocument(a)); err != nil {
			return nil, broker.Wrap("plan panels", broker.KindAchievement, a.ID, err)
		}
	}
	for j, d := range req.Demands {
		if _, dup := items[d.ID]; dup {
			return nil, broker.Wrap("plan panels", broker.KindDemand, d.ID, invalid(broker.KindDemand,
				broker.FieldError{Field: "demands[" + strconv.Itoa(j) + "].id", Code: "duplicate", Param: "an achievement's ID", Value: d.ID}))
		}
		ids[nA+j], items[d.ID] = d.ID, nA+j
		// The engine scores experts against its achievement index; the
		// engine is this call's own, so a demand is indexed there.
		doc := broker.DemandDocument(d)
		doc.Kind = matching.Achievement
		if err := eng.Add(doc); err != nil {
			return nil, broker.Wrap("plan panels", broker.KindDemand, d.ID, err)
		}
	}
	experts := make([]matching.Expert, len(req.Experts))
	expertIDs := make([]string, len(req.Experts))
	expertIndex := make(map[string]int, len(req.Experts))
	for i, e := range req.Experts {
		experts[i], expertIDs[i], expertIndex[e.ID] = broker.ExpertProfile(e), e.ID, i
	}
	aff, err := eng.Affinity(ctx, experts, ids)
	if err != nil {
		return nil, broker.Wrap("plan panels", broker.KindExpert, "", err)
	}

	plan := &PanelPlan{Panels: map[string][]string{}, Affinity: map[string]map[string]float64{}, Load: map[string]int{}}
	prob := &assign.Problem{Experts: expertIDs, Items: ids, Affinity: make([][]float64, len(ids)),
		Cover: cover, MinLoad: req.MinLoad, MaxLoad: maxLoad}
	for i, id := range ids {
		row := make([]float64, len(experts))
		given, ok := req.Affinity[id]
		for e := range experts {
			if !ok {
				row[e] = aff[e][i]
				continue
			}
			v := given[expertIDs[e]]
			if math.IsNaN(v) || v < 0 || v > 1 {
				return nil, broker.Wrap("plan panels", broker.KindExpert, expertIDs[e], invalid(broker.KindExpert,
					broker.FieldError{Field: "affinity[" + id + "][" + expertIDs[e] + "]", Code: "range", Param: "0..1", Value: strconv.FormatFloat(v, 'g', -1, 64)}))
			}
			row[e] = v
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
		return nil, broker.Wrap("plan panels", broker.KindAchievement, "", err)
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
			plan.Affinity[item][id] = prob.Affinity[i][e]
			plan.Load[id]++
		}
	}
	return plan, nil
}

// String renders a conflict for logs.
func (c ConflictOfInterest) String() string {
	return fmt.Sprintf("%s × %s: %s (%s)", c.ExpertID, c.ItemID, c.Rule, c.Reason)
}

// ConflictRules choose the conflict-of-interest rules that keep an expert
// off a screening panel. Each rule that fires gives a ConflictOfInterest with its
// reason; the conflicts become the forbidden pairs of the panel assignment
// (package matching/assign).
type ConflictRules struct {
	// SameInstitution: the expert works at the achievement's owner.
	SameInstitution bool
	// Coauthor: the expert is one of the achievement's inventors, or has a
	// past work co-authored with one of them.
	Coauthor bool
	// Declared: the expert declared a conflict with the owner, an inventor
	// or the enterprise.
	Declared bool
	// Employee: the expert works for the enterprise behind a demand.
	Employee bool
	// SameCity: the expert's city appears in the record's region. Off by
	// default: in a small city it can empty the panel.
	SameCity bool
}

// DefaultConflictRules turns on every rule except SameCity.
func DefaultConflictRules() ConflictRules {
	return ConflictRules{SameInstitution: true, Coauthor: true, Declared: true, Employee: true}
}

// ConflictOfInterest is one reason an expert may not judge a record.
type ConflictOfInterest struct {
	ExpertID string
	ItemID   string
	Rule     string // "same_institution", "coauthor", "declared", "employee", "same_city"
	Reason   string // readable detail, in Chinese names as recorded
}

// orgKey is the form in which names are compared: normalized and case
// folded. sameKey compares two names in it; an empty name matches nothing.
func orgKey(s string) string { return textnorm.FoldKey(textnorm.Text(s)) }

func sameKey(a, b string) bool { return a != "" && a == b }

// expertKeys is an expert with the names the rules compare already in
// orgKey form, so that checking one expert against many records folds each
// name once.
type expertKeys struct {
	e         *broker.Expert
	name      string
	inst      string
	coauthors [][]string // per work
	parties   []string   // per declared conflict
}

func expertKeysOf(e *broker.Expert) expertKeys {
	k := expertKeys{e: e, name: orgKey(e.Name), inst: orgKey(e.Institution)}
	k.coauthors = make([][]string, len(e.Works))
	for i, w := range e.Works {
		k.coauthors[i] = make([]string, len(w.Coauthors))
		for j, c := range w.Coauthors {
			k.coauthors[i][j] = orgKey(c)
		}
	}
	k.parties = make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		k.parties[i] = orgKey(c.Party)
	}
	return k
}

type achievementKeys struct {
	a         *broker.Achievement
	owner     string
	inventors []string
}

func achievementKeysOf(a *broker.Achievement) achievementKeys {
	k := achievementKeys{a: a, owner: orgKey(a.Owner), inventors: make([]string, len(a.Inventors))}
	for i, inv := range a.Inventors {
		k.inventors[i] = orgKey(inv.Name)
	}
	return k
}

// AchievementConflicts returns every conflict between an expert and an
// achievement under the rules, in a fixed order.
func (r ConflictRules) AchievementConflicts(e broker.Expert, a broker.Achievement) []ConflictOfInterest {
	return r.achievementConflicts(expertKeysOf(&e), achievementKeysOf(&a))
}

func (r ConflictRules) achievementConflicts(ek expertKeys, ak achievementKeys) []ConflictOfInterest {
	e, a := ek.e, ak.a
	var out []ConflictOfInterest
	add := func(rule, reason string) {
		out = append(out, ConflictOfInterest{ExpertID: e.ID, ItemID: a.ID, Rule: rule, Reason: reason})
	}
	if r.SameInstitution && (sameKey(ek.inst, ak.owner) || (e.InstitutionID != "" && e.InstitutionID == a.OwnerID)) {
		add("same_institution", "expert works at the owner "+a.Owner)
	}
	if r.Coauthor {
		for i, inv := range a.Inventors {
			switch {
			case inv.ExpertID != "" && inv.ExpertID == e.ID, inv.ExpertID == "" && sameKey(ak.inventors[i], ek.name):
				add("coauthor", "expert is an inventor of the achievement")
			default:
				for w, cs := range ek.coauthors {
					if slices.ContainsFunc(cs, func(c string) bool { return sameKey(c, ak.inventors[i]) }) {
						add("coauthor", "co-author of inventor "+inv.Name+" on "+e.Works[w].Title)
						break
					}
				}
			}
		}
	}
	if r.Declared {
		for i, c := range e.Conflicts {
			party := ek.parties[i]
			if sameKey(party, ak.owner) || slices.ContainsFunc(ak.inventors, func(inv string) bool { return sameKey(party, inv) }) {
				add("declared", "declared conflict with "+c.Party+reasonSuffix(c.Reason))
			}
		}
	}
	if r.SameCity && e.City != "" && strings.Contains(a.Region, e.City) {
		add("same_city", "expert is in "+e.City)
	}
	return out
}

// DemandConflicts returns every conflict between an expert and a demand.
func (r ConflictRules) DemandConflicts(e broker.Expert, d broker.Demand) []ConflictOfInterest {
	return r.demandConflicts(expertKeysOf(&e), &d, orgKey(d.Enterprise))
}

func (r ConflictRules) demandConflicts(ek expertKeys, d *broker.Demand, enterprise string) []ConflictOfInterest {
	e := ek.e
	var out []ConflictOfInterest
	add := func(rule, reason string) {
		out = append(out, ConflictOfInterest{ExpertID: e.ID, ItemID: d.ID, Rule: rule, Reason: reason})
	}
	if r.Employee && (sameKey(ek.inst, enterprise) || (e.InstitutionID != "" && e.InstitutionID == d.EnterpriseID)) {
		add("employee", "expert works for the enterprise "+d.Enterprise)
	}
	if r.Declared {
		for i, c := range e.Conflicts {
			if sameKey(ek.parties[i], enterprise) {
				add("declared", "declared conflict with "+c.Party+reasonSuffix(c.Reason))
			}
		}
	}
	if r.SameCity && e.City != "" && strings.Contains(d.Region, e.City) {
		add("same_city", "expert is in "+e.City)
	}
	return out
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return " (" + r + ")"
}
