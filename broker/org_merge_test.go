package broker_test

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/kexie/techbroker/broker"
)

// TestMergeNeverDangles is a property test: whatever the organizations and
// the records pointing to them, any sequence of merges leaves no reference
// to a missing organization, and every reference ends at the organization
// a model of the merges predicts (references to the removed one move to
// the kept one; others stay).
func TestMergeNeverDangles(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		sys, _ := evSystem(t)
		nOrgs := rapid.IntRange(2, 6).Draw(rt, "orgs")
		orgs := make([]string, nOrgs)
		for i := range orgs {
			o, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: fmt.Sprintf("机构%d", i), Roles: []broker.OrgRole{broker.OrgEnterprise}})
			if err != nil {
				rt.Fatal(err)
			}
			orgs[i] = o.ID
		}
		pick := func(label string) string {
			i := rapid.IntRange(-1, nOrgs-1).Draw(rt, label)
			if i < 0 {
				return ""
			}
			return orgs[i]
		}
		// model: record "kind/id/field" → org ID it should point to.
		model := map[string]string{}
		var achIDs []string
		for i := range rapid.IntRange(0, 5).Draw(rt, "achievements") {
			org := pick(fmt.Sprintf("ach%d", i))
			a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: fmt.Sprintf("成果%d", i), OwnerID: org})
			if err != nil {
				rt.Fatal(err)
			}
			model["achievement/"+a.ID] = org
			achIDs = append(achIDs, a.ID)
		}
		for i := range rapid.IntRange(0, 4).Draw(rt, "demands") {
			org := pick(fmt.Sprintf("dem%d", i))
			d, err := sys.Demands.Create(ctx, admin, broker.Demand{Title: "需求", Problem: "问题", Enterprise: "某企业", EnterpriseID: org})
			if err != nil {
				rt.Fatal(err)
			}
			model["demand/"+d.ID] = org
		}
		for i := range rapid.IntRange(0, 4).Draw(rt, "experts") {
			org := pick(fmt.Sprintf("exp%d", i))
			e, err := sys.Experts.Create(ctx, admin, broker.Expert{Name: fmt.Sprintf("专家%d", i), InstitutionID: org})
			if err != nil {
				rt.Fatal(err)
			}
			model["expert/"+e.ID] = org
		}
		var members []broker.MemberUnit
		for i := range rapid.IntRange(0, 3).Draw(rt, "members") {
			members = append(members, broker.MemberUnit{Name: fmt.Sprintf("成员%d", i), Kind: broker.Enterprise, OrgID: pick(fmt.Sprintf("mem%d", i))})
		}
		if _, err := sys.Brokers.Modify(ctx, admin, evBroker, func(b *broker.IndustryBroker) error { b.Members = members; return nil }); err != nil {
			rt.Fatal(err)
		}
		caseOf := map[string]string{} // case ID → achievement ID
		for _, id := range achIDs {
			if rapid.Bool().Draw(rt, "case "+id) {
				c, err := sys.OpenCase(ctx, admin, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: id}, Broker: evBroker})
				if err != nil {
					rt.Fatal(err)
				}
				caseOf[c.ID] = id
			}
		}

		alive := append([]string(nil), orgs...)
		for m := range rapid.IntRange(1, nOrgs-1).Draw(rt, "merges") {
			ki := rapid.IntRange(0, len(alive)-1).Draw(rt, fmt.Sprintf("keep%d", m))
			di := rapid.IntRange(0, len(alive)-2).Draw(rt, fmt.Sprintf("dup%d", m))
			if di >= ki {
				di++
			}
			keep, dup := alive[ki], alive[di]
			if _, err := sys.MergeOrganizations(ctx, admin, keep, dup); err != nil {
				rt.Fatalf("merge %s into %s: %v", dup, keep, err)
			}
			for k, v := range model {
				if v == dup {
					model[k] = keep
				}
			}
			for i, mu := range members {
				if mu.OrgID == dup {
					members[i].OrgID = keep
				}
			}
			alive = append(alive[:di], alive[di+1:]...)
		}

		dangling, err := sys.DanglingOrgReferences(ctx, admin)
		if err != nil {
			rt.Fatal(err)
		}
		if len(dangling) > 0 {
			rt.Fatalf("dangling references: %v", dangling)
		}
		page, err := sys.Organizations.List(ctx, admin, broker.ListOptions{})
		if err != nil {
			rt.Fatal(err)
		}
		if len(page.Items) != len(alive) {
			rt.Fatalf("organizations: got %d, want %d", len(page.Items), len(alive))
		}
		for k, want := range model {
			var got string
			var kind, id string
			for i := range k {
				if k[i] == '/' {
					kind, id = k[:i], k[i+1:]
					break
				}
			}
			switch broker.Kind(kind) {
			case broker.KindAchievement:
				a, _ := sys.Achievements.Get(ctx, admin, id)
				got = a.OwnerID
			case broker.KindDemand:
				d, _ := sys.Demands.Get(ctx, admin, id)
				got = d.EnterpriseID
			case broker.KindExpert:
				e, _ := sys.Experts.Get(ctx, admin, id)
				got = e.InstitutionID
			}
			if got != want {
				rt.Fatalf("%s: got %q, want %q", k, got, want)
			}
		}
		b, _ := sys.Brokers.Get(ctx, admin, evBroker)
		for i, mu := range b.Members {
			if mu.OrgID != members[i].OrgID {
				rt.Fatalf("member %d: got %q, want %q", i, mu.OrgID, members[i].OrgID)
			}
		}
		for cid, aid := range caseOf {
			c, _ := sys.GetCase(ctx, admin, cid)
			if want := model["achievement/"+aid]; want != "" && (len(c.Owners) == 0 || c.Owners[len(c.Owners)-1] != want) {
				rt.Fatalf("case %s owners %v, want to end with %q", cid, c.Owners, want)
			}
		}
	})
}
