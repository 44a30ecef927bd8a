package broker

import "github.com/kexie/techbroker/matching"

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
