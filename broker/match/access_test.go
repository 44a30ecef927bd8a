package match_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/match"
)

// TestAccessForIsThePolicy: over random principals and records of every
// kind the index holds, in every tier, AccessFor(p).Admits(doc) holds
// exactly when broker.Can(p, ActRead, the record's target) does.
func TestAccessForIsThePolicy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	ids := []string{"", "u1", "u2", "exp-1"}
	orgs := []string{"", "大学1", "企业1", "学会1"}
	desks := []string{"", "marine-tech", "info-eng"}
	tiers := []broker.Visibility{"", broker.Public, broker.Members, broker.Confidential}
	for i := range 20000 {
		p := broker.Principal{Role: broker.Roles()[rng.IntN(len(broker.Roles()))], ID: pick(ids...), Org: pick(orgs...), Broker: pick(desks...)}
		m := broker.Meta{ID: pick("exp-1", "ach-1", "dem-1"), Broker: pick(desks...), Visibility: tiers[rng.IntN(len(tiers))],
			Provenance: broker.Provenance{AddedBy: pick(ids...), Society: pick(orgs...)}}
		var v broker.Record
		var d match.Doc
		switch rng.IntN(3) {
		case 0:
			a := broker.Achievement{Meta: m, Owner: pick(orgs...), OwnerID: pick("", "org-1")}
			v, d = a, match.AchievementDoc(a)
		case 1:
			dm := broker.Demand{Meta: m, Enterprise: pick(orgs...)}
			v, d = dm, match.DemandDoc(dm)
		default:
			e := broker.Expert{Meta: m, Institution: pick(orgs...)}
			v, d = e, match.ExpertDoc(e)
		}
		want := broker.CanDo(p, broker.ActRead, v)
		if got := match.AccessFor(p).Admits(&d); got != want {
			t.Fatalf("case %d: %+v reading %s %+v: AccessFor admits %v, the policy says %v\naccess: %+v", i, p, d.Ref.Kind, m, got, want, match.AccessFor(p))
		}
	}
}

func ExampleAccessFor() {
	a := match.AccessFor(broker.BrokerStaff("s1", "marine-tech"))
	for _, r := range a.Rules {
		if r.Kinds[0] == broker.KindAchievement {
			fmt.Printf("%v broker=%q added_by=%q\n", r.Tiers, r.Broker, r.AddedBy)
		}
	}
	// Output:
	// [public] broker="" added_by=""
	// [members] broker="" added_by=""
	// [confidential] broker="" added_by="s1"
	// [confidential] broker="marine-tech" added_by=""
}
