package match

import (
	"slices"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

// classes are the policy classes of the kinds an index holds.
var indexedClasses = []struct {
	kind  broker.Kind
	class broker.Class
}{
	{broker.KindAchievement, broker.Achievement{}.AccessClass()},
	{broker.KindDemand, broker.Demand{}.AccessClass()},
	{broker.KindExpert, broker.Expert{}.AccessClass()},
	{capital.KindInvestor, capital.Investor{}.AccessClass()},
}

// AccessFor turns the access policy (broker.Rules) for p's reads into a
// filter an index applies (Access): for every kind the index holds, every
// rule of the table that lets p's role read records of the kind's class in
// some tiers becomes one or more AccessRules, its grant written out as
// conditions on the document: Always as none, Owner as the principal's ID
// (AddedBy), organization (Owners), society or own record, Desk as the
// principal's broker, DeskOrUnrouted as that broker or none. A document is
// admitted exactly when broker.Can(p, broker.ActRead, its target) holds;
// the package's tests check it over random principals and records.
func AccessFor(p broker.Principal) Access {
	var a Access
	for _, rule := range broker.Rules() {
		a = a.with(rule, p)
	}
	return a
}

func covers[T comparable](list []T, x T) bool { return list == nil || slices.Contains(list, x) }

// with adds the AccessRules of one rule of the policy, if it covers p's
// reads.
func (a Access) with(rule broker.Rule, p broker.Principal) Access {
	if !covers(rule.Roles, p.Role) || !covers(rule.Actions, broker.ActRead) {
		return a
	}
	for _, ic := range indexedClasses {
		if !covers(rule.Classes, ic.class) {
			continue
		}
		base := AccessRule{Kinds: []broker.Kind{ic.kind}, Tiers: slices.Clone(rule.Tiers)}
		var conds []AccessRule
		switch rule.Grant {
		case broker.Always:
			conds = append(conds, base)
		case broker.Owner:
			if p.Role == broker.RoleAnonymous {
				break
			}
			if p.ID != "" {
				c := base
				c.AddedBy = p.ID
				conds = append(conds, c)
			}
			switch p.Role {
			case broker.RoleEnterprise, broker.RoleInstitution, broker.RoleInvestor:
				if p.Org != "" {
					c := base
					c.Owner = p.Org
					conds = append(conds, c)
				}
			case broker.RoleSocietyAdmin:
				if p.Org != "" {
					c, d := base, base
					c.Society, d.Owner = p.Org, p.Org
					conds = append(conds, c, d)
				}
			case broker.RoleExpert:
				if p.ID != "" && ic.class == broker.ClassPerson {
					c := base
					c.ID = p.ID
					conds = append(conds, c)
				}
			}
		case broker.Desk, broker.DeskOrUnrouted:
			if p.Role == broker.RoleBrokerStaff && p.Broker != "" {
				c := base
				c.Broker, c.Unrouted = p.Broker, rule.Grant == broker.DeskOrUnrouted
				conds = append(conds, c)
			}
		}
		a.Rules = append(a.Rules, conds...)
	}
	return a
}
