package broker

import (
	"slices"
	"strings"
)

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
// folded. sameOrg compares two names in it; an empty name matches nothing.
func orgKey(s string) string { return foldKey(normText(s)) }

func sameOrg(a, b string) bool {
	a, b = orgKey(a), orgKey(b)
	return a != "" && a == b
}

func sameKey(a, b string) bool { return a != "" && a == b }

// expertKeys is an expert with the names the rules compare already in
// orgKey form, so that checking one expert against many records folds each
// name once.
type expertKeys struct {
	e         *Expert
	name      string
	inst      string
	coauthors [][]string // per work
	parties   []string   // per declared conflict
}

func expertKeysOf(e *Expert) expertKeys {
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
	a         *Achievement
	owner     string
	inventors []string
}

func achievementKeysOf(a *Achievement) achievementKeys {
	k := achievementKeys{a: a, owner: orgKey(a.Owner), inventors: make([]string, len(a.Inventors))}
	for i, inv := range a.Inventors {
		k.inventors[i] = orgKey(inv.Name)
	}
	return k
}

// AchievementConflicts returns every conflict between an expert and an
// achievement under the rules, in a fixed order.
func (r ConflictRules) AchievementConflicts(e Expert, a Achievement) []ConflictOfInterest {
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
func (r ConflictRules) DemandConflicts(e Expert, d Demand) []ConflictOfInterest {
	return r.demandConflicts(expertKeysOf(&e), &d, orgKey(d.Enterprise))
}

func (r ConflictRules) demandConflicts(ek expertKeys, d *Demand, enterprise string) []ConflictOfInterest {
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
