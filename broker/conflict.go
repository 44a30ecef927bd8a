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

// sameOrg compares organization names after normalization and case
// folding; an empty name matches nothing.
func sameOrg(a, b string) bool {
	a, b = foldKey(normText(a)), foldKey(normText(b))
	return a != "" && a == b
}

// AchievementConflicts returns every conflict between an expert and an
// achievement under the rules, in a fixed order.
func (r ConflictRules) AchievementConflicts(e Expert, a Achievement) []ConflictOfInterest {
	var out []ConflictOfInterest
	add := func(rule, reason string) {
		out = append(out, ConflictOfInterest{ExpertID: e.ID, ItemID: a.ID, Rule: rule, Reason: reason})
	}
	if r.SameInstitution && (sameOrg(e.Institution, a.Owner) || (e.InstitutionID != "" && e.InstitutionID == a.OwnerID)) {
		add("same_institution", "expert works at the owner "+a.Owner)
	}
	if r.Coauthor {
		for _, inv := range a.Inventors {
			switch {
			case inv.ExpertID != "" && inv.ExpertID == e.ID, inv.ExpertID == "" && sameOrg(inv.Name, e.Name):
				add("coauthor", "expert is an inventor of the achievement")
			default:
				for _, w := range e.Works {
					if slices.ContainsFunc(w.Coauthors, func(c string) bool { return sameOrg(c, inv.Name) }) {
						add("coauthor", "co-author of inventor "+inv.Name+" on "+w.Title)
						break
					}
				}
			}
		}
	}
	if r.Declared {
		for _, c := range e.Conflicts {
			if sameOrg(c.Party, a.Owner) || slices.ContainsFunc(a.Inventors, func(i Inventor) bool { return sameOrg(c.Party, i.Name) }) {
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
	var out []ConflictOfInterest
	add := func(rule, reason string) {
		out = append(out, ConflictOfInterest{ExpertID: e.ID, ItemID: d.ID, Rule: rule, Reason: reason})
	}
	if r.Employee && (sameOrg(e.Institution, d.Enterprise) || (e.InstitutionID != "" && e.InstitutionID == d.EnterpriseID)) {
		add("employee", "expert works for the enterprise "+d.Enterprise)
	}
	if r.Declared {
		for _, c := range e.Conflicts {
			if sameOrg(c.Party, d.Enterprise) {
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
