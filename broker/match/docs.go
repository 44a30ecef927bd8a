package match

import (
	"strings"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/matching"
)

// docOf fills what every Doc takes from the record's Meta and policy
// target.
func docOf(v broker.Record) Doc {
	t := broker.TargetOf(v)
	m := t.Meta
	return Doc{
		Ref: broker.Ref(v), Version: m.Version, Region: m.Region, Broker: m.Broker, Created: m.Created,
		Tier: t.Tier, Owners: t.Owners, AddedBy: m.Provenance.AddedBy, Society: m.Provenance.Society,
	}
}

// AchievementDoc is an achievement as an index holds it.
func AchievementDoc(a broker.Achievement) Doc {
	d := docOf(a)
	d.Title, d.Keywords, d.Abstract = a.Title, a.Keywords, a.Summary+"\n"+a.Abstract
	d.Disciplines, d.Industries = a.Disciplines, a.IndustryCodes
	d.Readiness, d.Price = a.Readiness.Level, a.AskingPrice
	return d
}

// DemandDoc is a demand as an index holds it: the enterprise's words and,
// once diagnosed, the spec.
func DemandDoc(dm broker.Demand) Doc {
	d := docOf(dm)
	d.Title, d.Keywords, d.Abstract = dm.Title, dm.Keywords, dm.Problem+"\n"+dm.Spec
	d.Disciplines, d.Industries = dm.Disciplines, dm.IndustryCodes
	d.Readiness, d.Budget = dm.MinReadiness.Level, dm.Budget
	return d
}

// ExpertDoc is an expert as an index holds it: name, keywords and the
// titles of past works (contact data never enters an index).
func ExpertDoc(e broker.Expert) Doc {
	d := docOf(e)
	works := make([]string, len(e.Works))
	for i, w := range e.Works {
		works[i] = w.Title
	}
	d.Title, d.Keywords, d.Abstract = e.Name, e.Keywords, strings.Join(works, "\n")
	d.Disciplines = e.Disciplines
	return d
}

// InvestorDoc is an investor (投资机构) as an index holds it: its name,
// keywords and thesis, codes, stages, ticket and regions; its first region
// is its Region.
func InvestorDoc(v capital.Investor) Doc {
	d := docOf(v)
	d.Title, d.Keywords, d.Abstract = v.Name, v.Keywords, v.Thesis
	d.Disciplines, d.Industries, d.Budget = v.Disciplines, v.IndustryCodes, v.Ticket
	for _, s := range v.Stages {
		d.Stages = append(d.Stages, string(s))
	}
	d.Regions = v.Regions
	if len(v.Regions) > 0 {
		d.Region = v.Regions[0]
	}
	return d
}

// investor is the part of an investor that capital's fit functions read.
func investor(d *Doc) capital.Investor {
	v := capital.Investor{Ticket: d.Budget, Regions: d.Regions}
	for _, s := range d.Stages {
		v.Stages = append(v.Stages, capital.InvestStage(s))
	}
	return v
}

// document adapts a Doc to the matching engine.
func document(d *Doc) matching.Document {
	md := matching.Document{ID: d.Ref.ID, Title: d.Title, Keywords: d.Keywords, Abstract: d.Abstract,
		Disciplines: d.Disciplines, IndustryCodes: d.Industries, Readiness: d.Readiness, Region: d.Region}
	switch d.Ref.Kind {
	case broker.KindAchievement:
		md.Kind, md.Price = matching.Achievement, d.Price
	case broker.KindDemand:
		md.Kind, md.BudgetMax = matching.Demand, d.Budget.Max
	case capital.KindInvestor: // as capital's ranking has it: a demand, without budget
		md.Kind = matching.Demand
	}
	return md
}
