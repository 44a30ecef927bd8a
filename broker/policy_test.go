package broker_test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/kexie/techbroker/broker"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPolicyMatrix prints the whole access policy and compares it with the
// reviewed copy in testdata/policy_matrix.txt (go test -run PolicyMatrix
// -update rewrites it; review the diff). It also checks the rules that the
// matrix must keep whatever else changes.
func TestPolicyMatrix(t *testing.T) {
	got := broker.PolicyMatrix()
	const golden = "testdata/policy_matrix.txt"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the policy differs from %s; if the change is meant, run go test -run PolicyMatrix -update ./broker and review the diff:\n%s", golden, got)
	}

	tiers := []broker.Visibility{broker.Public, broker.Members, broker.Confidential}
	for _, c := range broker.Classes() {
		for _, tier := range tiers {
			stranger := broker.Target{Class: c, Tier: tier, Meta: broker.Meta{ID: "rec-1", Broker: "desk-a"}, Owners: []string{"org-owner"}}
			if c == broker.ClassBroker {
				stranger.Meta.ID = "desk-a" // a broker's own record: its desk is its ID
			}
			for _, a := range broker.Actions() {
				// Platform admins do everything; anonymous callers only read public records.
				if !broker.Can(broker.PlatformAdmin("root"), a, stranger) {
					t.Errorf("admin may not %s a %s %s record", a, tier, c)
				}
				anon := broker.Can(broker.Anonymous(), a, stranger)
				if want := a == broker.ActRead && tier == broker.Public; anon != want {
					t.Errorf("anonymous %s on a %s %s record: got %v, want %v", a, tier, c, anon, want)
				}
				// A principal that neither owns the record nor works its desk
				// never writes or operates it.
				for _, p := range []broker.Principal{
					broker.EnterpriseUser("u", "org-x"), broker.InstitutionUser("u", "org-x"), broker.BrokerStaff("s", "desk-b"),
					broker.SocietyAdmin("s", "soc-x"), broker.ExpertUser("exp-9"),
				} {
					if a == broker.ActRead || a == broker.ActTakePart {
						continue
					}
					if broker.Can(p, a, stranger) {
						t.Errorf("%s %q may %s a stranger's %s %s record", p.Role, p.Org+p.Broker+p.ID, a, tier, c)
					}
				}
			}
			// Confidential records: owner, desk and admin only.
			conf := stranger
			conf.Tier = broker.Confidential
			if broker.Can(broker.EnterpriseUser("u", "org-x"), broker.ActRead, conf) {
				t.Errorf("a stranger reads a confidential %s record", c)
			}
			if !broker.Can(broker.EnterpriseUser("u", "org-owner"), broker.ActRead, conf) {
				t.Errorf("the owner may not read its confidential %s record", c)
			}
			if !broker.Can(broker.BrokerStaff("s", "desk-a"), broker.ActRead, conf) {
				t.Errorf("the desk may not read a confidential %s record it handles", c)
			}
		}
	}
	// Personal data: an expert's contact is the expert's and the admins'.
	exp := broker.TargetOf(broker.Expert{Meta: broker.Meta{ID: "exp-1", Broker: "desk-a"}, Name: "王"})
	for _, p := range []broker.Principal{broker.BrokerStaff("s", "desk-a"), broker.EnterpriseUser("u", "org"), broker.ExpertUser("exp-2")} {
		if broker.Can(p, broker.ActSeePrivate, exp) {
			t.Errorf("%s sees an expert's contact", p.Role)
		}
	}
	if !broker.Can(broker.ExpertUser("exp-1"), broker.ActSeePrivate, exp) {
		t.Error("the expert may not see their own contact")
	}
}

// TestPolicyOwnership checks the Owner grant against a model of who owns a
// record, over random principals and records.
func TestPolicyOwnership(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		orgs := []string{"org-a", "org-b", "org-c"}
		owners := rapid.SliceOfNDistinct(rapid.SampledFrom(orgs), 0, 2, rapid.ID[string]).Draw(rt, "owners")
		t := broker.Target{
			Class:  rapid.SampledFrom(broker.Classes()).Draw(rt, "class"),
			Tier:   broker.Confidential,
			Meta:   broker.Meta{ID: "rec-1", Broker: "desk-a", Provenance: broker.Provenance{AddedBy: rapid.SampledFrom([]string{"", "u-1", "u-2"}).Draw(rt, "added_by")}},
			Owners: owners,
		}
		p := broker.Principal{ID: rapid.SampledFrom([]string{"u-1", "u-3"}).Draw(rt, "id"), Role: rapid.SampledFrom([]broker.Role{broker.RoleEnterprise, broker.RoleInstitution}).Draw(rt, "role"),
			Org: rapid.SampledFrom(orgs).Draw(rt, "org")}
		owns := t.Meta.Provenance.AddedBy == p.ID || slices.Contains(owners, p.Org)
		if got := broker.Can(p, broker.ActRead, t); got != owns {
			rt.Fatalf("%+v reading %+v: got %v, want %v (owner: %v)", p, t, got, owns, owns)
		}
	})
}

// TestListHidesBeforePaging: whatever the mix of visible and hidden records,
// every page but the last holds exactly the page size, pages never repeat
// or skip a record, and together they hold exactly the records the
// principal may read.
func TestListHidesBeforePaging(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		sys := newSystem(t, nil)
		n := rapid.IntRange(0, 40).Draw(rt, "records")
		owner := broker.InstitutionUser("u-owner", "上海海洋大学")
		var visible []string
		viewer := rapid.SampledFrom([]broker.Principal{broker.Anonymous(), owner, broker.BrokerStaff("s", "marine"), broker.EnterpriseUser("u", "某企业")}).Draw(rt, "viewer")
		for i := range n {
			vis := rapid.SampledFrom([]broker.Visibility{broker.Public, broker.Members, broker.Confidential}).Draw(rt, "vis")
			desk := rapid.SampledFrom([]string{"", "marine", "other"}).Draw(rt, "desk")
			a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: fmt.Sprintf("成果%03d", i), Owner: "上海海洋大学",
				Meta: broker.Meta{Visibility: vis, Broker: desk}})
			if err != nil {
				rt.Fatal(err)
			}
			if broker.CanDo(viewer, broker.ActRead, a) {
				visible = append(visible, a.ID)
			}
		}
		size := rapid.IntRange(1, 7).Draw(rt, "page size")
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > n+1 {
				rt.Fatal("paging does not end")
			}
			pg, err := sys.Achievements.List(ctx, viewer, broker.ListOptions{Limit: size, Cursor: cursor})
			if err != nil {
				rt.Fatal(err)
			}
			for _, a := range pg.Items {
				got = append(got, a.ID)
			}
			if pg.Next == "" {
				break
			}
			if len(pg.Items) != size {
				rt.Fatalf("a page with a next cursor holds %d records, want %d", len(pg.Items), size)
			}
			cursor = pg.Next
		}
		if !slices.Equal(got, visible) {
			rt.Fatalf("pages hold %v, want the visible records %v", got, visible)
		}
	})
}

// TestPolicyAssignee: an expert reads and takes part in a confidential
// process record assigned to them, and does nothing else with it; an
// expert it is not assigned to, or a principal of another role whose ID
// is listed, gets nothing from the assignment.
func TestPolicyAssignee(t *testing.T) {
	sheet := broker.Target{Class: broker.ClassProcess, Tier: broker.Confidential, Meta: broker.Meta{ID: "sheet-1", Broker: "desk-a"},
		Assignees: []string{"exp-1"}}
	for _, a := range broker.Actions() {
		want := a == broker.ActRead || a == broker.ActTakePart
		if got := broker.Can(broker.ExpertUser("exp-1"), a, sheet); got != want {
			t.Errorf("assigned expert %s: got %v, want %v", a, got, want)
		}
		if broker.Can(broker.ExpertUser("exp-2"), a, sheet) {
			t.Errorf("an expert not assigned may %s", a)
		}
		if broker.Can(broker.EnterpriseUser("exp-1", "org-x"), a, sheet) {
			t.Errorf("an enterprise user with the assignee's ID may %s", a)
		}
	}
	// The grant is for process records only.
	person := sheet
	person.Class = broker.ClassDesk
	if broker.Can(broker.ExpertUser("exp-1"), broker.ActRead, person) {
		t.Error("an assignee reads a confidential desk record")
	}
}

// TestArticleRoles checks the roles the source article names: the science
// association's oversight (科协) reads every record of every class and tier
// and trades nothing; the exchange operator (上海技术交易所) confirms what
// the exchange attests — deposits, public notices — on the exchange's
// records only, which broker staff may not; investors own what names their
// organization, as enterprises do.
func TestArticleRoles(t *testing.T) {
	tiers := []broker.Visibility{broker.Public, broker.Members, broker.Confidential}
	kx := broker.Overseer("kx-1", "杨浦区科协")
	op := broker.ExchangeOperator("sste-1", "上海技术交易所")
	staff := broker.BrokerStaff("s", "desk-a")
	for _, c := range broker.Classes() {
		for _, tier := range tiers {
			tg := broker.Target{Class: c, Tier: tier, Meta: broker.Meta{ID: "rec-1", Broker: "desk-a"}, Owners: []string{"org-owner"}}
			for _, a := range broker.Actions() {
				if got, want := broker.Can(kx, a, tg), a == broker.ActRead; got != want {
					t.Errorf("oversight %s on a %s %s record: got %v, want %v", a, tier, c, got, want)
				}
				wantOp := a == broker.ActRead && (c == broker.ClassExchange || tier != broker.Confidential) ||
					a == broker.ActConfirm && c == broker.ClassExchange
				if got := broker.Can(op, a, tg); got != wantOp {
					t.Errorf("exchange operator %s on a %s %s record: got %v, want %v", a, tier, c, got, wantOp)
				}
				if a == broker.ActConfirm && broker.Can(staff, a, tg) {
					t.Errorf("the desk confirms on its own %s %s record; only the exchange should", tier, c)
				}
			}
		}
	}
	// Oversight reads the desks' figures; the exchange and investors do not.
	for _, tc := range []struct {
		p    broker.Principal
		want bool
	}{{kx, true}, {op, false}, {broker.InvestorUser("u", "fund-1"), false}, {staff, true}, {broker.BrokerStaff("s", "desk-b"), false}} {
		if got := broker.Can(tc.p, broker.ActRead, broker.DeskTarget("desk-a")); got != tc.want {
			t.Errorf("%s reads desk-a's figures: got %v, want %v", tc.p.Role, got, tc.want)
		}
	}
	// An investor owns its registry record and reads what names its
	// organization; it writes nothing else.
	inv := broker.InvestorUser("u", "fund-1")
	own := broker.Target{Class: broker.ClassRegistry, Tier: broker.Confidential, Meta: broker.Meta{ID: "inv-1"}, Owners: []string{"fund-1"}}
	other := own
	other.Owners = []string{"fund-2"}
	if !broker.Can(inv, broker.ActUpdate, own) || !broker.Can(inv, broker.ActRead, own) {
		t.Error("an investor may not keep its own record")
	}
	if broker.Can(inv, broker.ActUpdate, other) || broker.Can(inv, broker.ActRead, other) {
		t.Error("an investor keeps another investor's record")
	}
	for _, c := range []broker.Class{broker.ClassAchievement, broker.ClassDemand, broker.ClassDesk, broker.ClassProcess, broker.ClassExchange} {
		if broker.Can(inv, broker.ActCreate, broker.Target{Class: c, Tier: broker.Public, Owners: []string{"fund-1"}}) {
			t.Errorf("an investor creates %s records", c)
		}
	}
	if !broker.Can(inv, broker.ActTakePart, broker.Target{Class: broker.ClassAchievement, Tier: broker.Public}) {
		t.Error("an investor may not take part in a published achievement (to record its intent)")
	}
}
