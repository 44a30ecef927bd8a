package broker_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/creditcode"
)

// evClock is a settable clock for the tests of organizations, investors,
// staff and incubation.
type evClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *evClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *evClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var evT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const evBroker = "marine-tech"

var evStaff = broker.BrokerStaff("staff-1", evBroker)

// evSystem returns a system on a fresh memory store with one industry
// broker, evBroker.
func evSystem(t testing.TB) (*broker.System, *evClock) {
	t.Helper()
	c := &evClock{t: evT0}
	sys := broker.New(memstore.New(), &broker.Options{Clock: c.Now, NewID: broker.SequentialIDs()})
	t.Cleanup(func() { _ = sys.Close() })
	if _, err := sys.Brokers.Create(ctx, admin, broker.IndustryBroker{Meta: broker.Meta{ID: evBroker}, Name: "海洋技术"}); err != nil {
		t.Fatal(err)
	}
	return sys, c
}

// evCode makes a valid credit code (both checks right) from a number.
func evCode(n int) string {
	body := fmt.Sprintf("%08d", n)
	oc, _ := creditcode.OrgCheckChar(body)
	first := "91310110" + body + string(oc)
	return first + string(creditcode.CheckChar(first))
}

func evOrg(t testing.TB, sys *broker.System, name string, roles ...broker.OrgRole) broker.Organization {
	t.Helper()
	o, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: name, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOrganizationCreditCode(t *testing.T) {
	sys, _ := evSystem(t)
	tests := []struct {
		name    string
		code    string
		lenient bool
		want    string // "field:code param value", or "" for valid
	}{
		{"valid", "91350100M000100Y43", false, ""},
		{"lower case folded", "91350100m000100y43", false, ""},
		{"full width folded", "９１３５０１００Ｍ０００１００Ｙ４３", false, ""},
		{"wrong check character", "91350100M000100Y42", false, "credit_code:credit_code_check 3 2"},
		{"wrong org check", "91350100M000100Y56", false, "credit_code:credit_code_org_check 4 5"},
		{"letter O", "91350100M0O0100Y43", false, "credit_code:credit_code_symbol 11 O"},
		{"division letter", "913501A0M000100Y43", false, "credit_code:credit_code_division 7 A"},
		{"too short", "91350100M000100Y4", false, "credit_code:credit_code_length 18 17"},
		{"lenient keeps a pilot code", "91350100M000100Y52", true, ""},
		{"lenient still checks symbols", "91350100M000100I43", true, "credit_code:credit_code_symbol 16 I"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := sys.Organizations.Create(ctx, admin, broker.Organization{
				Name: fmt.Sprintf("单位%d", i), Roles: []broker.OrgRole{broker.OrgEnterprise}, CreditCode: tt.code, CreditCodeLenient: tt.lenient})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				if !tt.lenient && o.CreditCode != "91350100M000100Y43" {
					t.Errorf("stored code: got %q", o.CreditCode)
				}
				if tt.lenient && (o.CreditCode != tt.code || len(o.CreditCodeWarnings) != 2) {
					t.Errorf("lenient: got %q with warnings %v, want the code as given and 2 warnings", o.CreditCode, o.CreditCodeWarnings)
				}
				return
			}
			var ve *broker.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 {
				t.Fatalf("got %v, want one field error", err)
			}
			f := ve.Fields[0]
			if got := f.Field + ":" + f.Code + " " + f.Param + " " + f.Value; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !errors.Is(err, broker.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid): got false")
			}
			for _, tag := range []language.Tag{language.English, language.Chinese} {
				if msg := f.Message(tag); strings.Contains(msg, "%!") || !strings.Contains(msg, f.Value) {
					t.Errorf("message in %v: %q", tag, msg)
				}
			}
		})
	}
}

func TestOrganizationValidation(t *testing.T) {
	sys, _ := evSystem(t)
	_, err := sys.Organizations.Create(ctx, admin, broker.Organization{Roles: []broker.OrgRole{"bank"}})
	got := fieldCodes(err)
	want := []string{"name:required", "roles[0]:oneof"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	o, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: "复旦大学", Roles: []broker.OrgRole{"University", "university", "大学科技园"}})
	if err == nil {
		t.Errorf("Chinese role name through the API: got %v, want an oneof error (Chinese names are for CSV)", o.Roles)
	}
}

func TestOrganizationContactsAndAccess(t *testing.T) {
	sys, _ := evSystem(t)
	o, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: "上海海洋大学", Roles: []broker.OrgRole{broker.OrgUniversity},
		CreditCode: evCode(1), Contacts: []broker.OrgContact{{Name: "张老师", Phone: "021-1234", Email: "ZHANG@example.edu.cn"}}})
	if err != nil {
		t.Fatal(err)
	}
	own := broker.InstitutionUser("u-1", o.ID)
	for _, tt := range []struct {
		p    broker.Principal
		see  bool
		name string
	}{
		{admin, true, "admin"}, {own, true, "own principal"}, {evStaff, false, "broker staff"},
		{broker.Anonymous(), false, "anonymous"}, {broker.InstitutionUser("u-2", "org-other"), false, "another institution"},
	} {
		got, err := sys.Organizations.Get(ctx, tt.p, o.ID)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if (len(got.Contacts) > 0) != tt.see {
			t.Errorf("%s sees contacts: got %v, want %v", tt.name, got.Contacts, tt.see)
		}
	}
	if o.Contacts[0].Email != "zhang@example.edu.cn" {
		t.Errorf("email normalized: got %q", o.Contacts[0].Email)
	}
	// Only admins and the organization's own principals write it.
	if _, err := sys.Organizations.Create(ctx, evStaff, broker.Organization{Name: "某企业", Roles: []broker.OrgRole{broker.OrgEnterprise}}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("broker staff create: got %v, want ErrForbidden", err)
	}
	o.Address = "上海市浦东新区沪城环路999号"
	if _, err := sys.Organizations.Update(ctx, own, o); err != nil {
		t.Errorf("own principal update: %v", err)
	}
	if _, err := sys.Organizations.Modify(ctx, broker.InstitutionUser("u-2", "org-other"), o.ID, func(x *broker.Organization) error { x.Website = "x"; return nil }); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other institution update: got %v, want ErrForbidden", err)
	}
}

// evRefs creates records pointing to orgs and returns them.
type evRefs struct {
	ach broker.Achievement
	dem broker.Demand
	exp broker.Expert
	fb  broker.Feedback
	cas broker.Case
}

func TestMergeOrganizations(t *testing.T) {
	sys, clk := evSystem(t)
	keep := evOrg(t, sys, "上海海洋大学", broker.OrgUniversity)
	dupIn := broker.Organization{Name: "上海水产大学", Roles: []broker.OrgRole{broker.OrgUniversity, broker.OrgSciencePark}, CreditCode: evCode(7),
		Contacts: []broker.OrgContact{{Name: "李老师"}}}
	dup, err := sys.Organizations.Create(ctx, admin, dupIn)
	if err != nil {
		t.Fatal(err)
	}
	other := evOrg(t, sys, "某企业", broker.OrgEnterprise)
	var r evRefs
	mustDo := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	r.ach, err = sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱", Owner: dup.Name, OwnerID: dup.ID})
	mustDo(err)
	r.dem, err = sys.Demands.Create(ctx, admin, broker.Demand{Title: "需求", Problem: "问题", Enterprise: dup.Name, EnterpriseID: dup.ID})
	mustDo(err)
	r.exp, err = sys.Experts.Create(ctx, admin, broker.Expert{Name: "王教授", Institution: "上海水产大学", InstitutionID: dup.ID})
	mustDo(err)
	r.cas, err = sys.OpenCase(ctx, admin, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: r.ach.ID}, Broker: evBroker})
	mustDo(err)
	r.fb, err = sys.RecordFeedback(ctx, admin, broker.Feedback{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: r.ach.ID},
		Party: other.ID, Reason: broker.DeclinePrice})
	mustDo(err)
	untouched, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "别的成果", Owner: other.Name, OwnerID: other.ID})
	mustDo(err)
	_, err = sys.Brokers.Modify(ctx, admin, evBroker, func(b *broker.IndustryBroker) error {
		b.Members = []broker.MemberUnit{{Name: "上海水产大学", Kind: broker.University, OrgID: dup.ID, Lead: true}, {Name: "某企业", Kind: broker.Enterprise, OrgID: other.ID}}
		return nil
	})
	mustDo(err)

	refs, err := sys.OrgReferences(ctx, admin, dup.ID)
	mustDo(err)
	if len(refs) != 6 { // achievement, demand, expert, broker member, case owners, feedback owners
		t.Errorf("references before merge: got %d (%v), want 6", len(refs), refs)
	}

	clk.Set(evT0.Add(time.Hour))
	rep, err := sys.MergeOrganizations(ctx, admin, keep.ID, dup.ID)
	mustDo(err)
	want := map[broker.Kind]int{broker.KindAchievement: 1, broker.KindDemand: 1, broker.KindExpert: 1, broker.KindFeedback: 1, broker.KindCase: 1, broker.KindBroker: 1}
	for k, n := range want {
		if rep.Rewritten[k] != n {
			t.Errorf("rewritten %s: got %d, want %d (%v)", k, rep.Rewritten[k], n, rep.Rewritten)
		}
	}
	k := rep.Kept
	if !slices.Contains(k.Aliases, "上海水产大学") || !k.HasRole(broker.OrgSciencePark) || k.CreditCode != dupIn.CreditCode || len(k.Contacts) != 1 {
		t.Errorf("kept organization: got %+v", k)
	}
	if _, err := sys.Organizations.Get(ctx, admin, dup.ID); !errors.Is(err, broker.ErrNotFound) {
		t.Errorf("duplicate after merge: got %v, want ErrNotFound", err)
	}
	a, _ := sys.Achievements.Get(ctx, admin, r.ach.ID)
	d, _ := sys.Demands.Get(ctx, admin, r.dem.ID)
	e, _ := sys.Experts.Get(ctx, admin, r.exp.ID)
	c, _ := sys.GetCase(ctx, admin, r.cas.ID)
	b, _ := sys.Brokers.Get(ctx, admin, evBroker)
	u, _ := sys.Achievements.Get(ctx, admin, untouched.ID)
	got := []string{a.OwnerID, a.Owner, d.EnterpriseID, d.Enterprise, e.InstitutionID, e.Institution, b.Members[0].OrgID, b.Members[0].Name, u.OwnerID}
	wantIDs := []string{keep.ID, keep.Name, keep.ID, keep.Name, keep.ID, keep.Name, keep.ID, keep.Name, other.ID}
	if !slices.Equal(got, wantIDs) {
		t.Errorf("references after merge:\n got %v\nwant %v", got, wantIDs)
	}
	if !a.Updated.After(r.ach.Updated) {
		t.Errorf("rewritten record's Updated: got %v, want after %v", a.Updated, r.ach.Updated)
	}
	if !slices.Contains(c.Owners, keep.ID) || slices.Contains(c.Owners, dup.ID) || c.Stage != broker.StageCollected {
		t.Errorf("case owners: got %v (stage %s)", c.Owners, c.Stage)
	}
	// The former owner's principal lost access; the kept one's has it, to
	// the case and to the feedback on its achievement (defect 6).
	if _, err := sys.GetCase(ctx, broker.InstitutionUser("u", keep.ID), c.ID); err != nil {
		t.Errorf("kept org principal reads the case: %v", err)
	}
	q := broker.FeedbackQuery{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}}
	if fs, err := sys.Feedback(ctx, broker.InstitutionUser("u", keep.ID), q); err != nil || len(fs) != 1 || !slices.Contains(fs[0].Owners, keep.ID) {
		t.Errorf("kept org principal's feedback: got %v, %v; want the one, owned by %s", fs, err, keep.ID)
	}
	if fs, err := sys.Feedback(ctx, broker.InstitutionUser("u", dup.ID), q); err != nil || len(fs) != 0 {
		t.Errorf("removed org principal's feedback: got %v, %v; want none", fs, err)
	}
	dangling, err := sys.DanglingOrgReferences(ctx, admin)
	mustDo(err)
	if len(dangling) != 0 {
		t.Errorf("dangling after merge: %v", dangling)
	}
	evs, err := sys.Events(ctx, admin, broker.KindAchievement, a.ID)
	mustDo(err)
	if last := evs[len(evs)-1]; last.Type != "org_merged" || !strings.Contains(string(last.Body), dup.ID) {
		t.Errorf("achievement's last event: got %s %s", last.Type, last.Body)
	}
}

func TestMergeRefusals(t *testing.T) {
	sys, _ := evSystem(t)
	a, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: "甲", Roles: []broker.OrgRole{broker.OrgEnterprise}, CreditCode: evCode(1)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: "乙", Roles: []broker.OrgRole{broker.OrgEnterprise}, CreditCode: evCode(2)})
	if err != nil {
		t.Fatal(err)
	}
	s1, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: "中国海洋学会", Roles: []broker.OrgRole{broker.OrgSocietyRole}, Society: "cso"})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: "中国水产学会", Roles: []broker.OrgRole{broker.OrgSocietyRole}, Society: "csf"})
	if err != nil {
		t.Fatal(err)
	}
	ach, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "T", OwnerID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		p         broker.Principal
		keep, dup string
		sentinel  error
	}{
		{"different credit codes", admin, a.ID, b.ID, broker.ErrConflict},
		{"same organization", admin, a.ID, a.ID, broker.ErrInvalid},
		{"missing duplicate", admin, a.ID, "org-999999", broker.ErrNotFound},
		{"missing kept", admin, "org-999999", a.ID, broker.ErrNotFound},
		{"not an admin", broker.InstitutionUser("u", a.ID), a.ID, b.ID, broker.ErrForbidden},
		{"two societies", admin, s1.ID, s2.ID, broker.ErrConflict},
	}
	for _, tt := range tests {
		if _, err := sys.MergeOrganizations(ctx, tt.p, tt.keep, tt.dup); !errors.Is(err, tt.sentinel) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.sentinel)
		}
	}
	if got, _ := sys.Achievements.Get(ctx, admin, ach.ID); got.OwnerID != b.ID || got.Version != 1 {
		t.Errorf("a refused merge changed a record: %+v", got)
	}
}

func TestImportOrganizations(t *testing.T) {
	sys, _ := evSystem(t)
	csv := "name,roles,credit_code,region\n" +
		"华为技术有限公司,企业,914403001922038216,广东省深圳市\n" +
		"某大学,高校;大学科技园,91350100M000100Y42,福建省\n" +
		"上海海洋大学,university,,上海市\n"
	rep, err := sys.Organizations.Import(ctx, admin, strings.NewReader(csv), broker.ImportOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != 2 {
		t.Errorf("created: got %d, want 2", len(rep.Created))
	}
	var bad []string
	for _, f := range rep.Errors {
		bad = append(bad, fmt.Sprintf("%d %s %s %s %s", f.Row, f.Field, f.Code, f.Param, f.Value))
	}
	if want := []string{"3 credit_code credit_code_check 3 2"}; !slices.Equal(bad, want) {
		t.Errorf("row errors: got %v, want %v", bad, want)
	}
	page, _ := sys.Organizations.List(ctx, admin, broker.ListOptions{})
	if len(page.Items) != 2 || !page.Items[0].HasRole(broker.OrgEnterprise) || page.Items[0].Region != "广东省深圳市" {
		t.Errorf("imported: got %+v", page.Items)
	}
}

func TestDuplicateOrganizations(t *testing.T) {
	sys, _ := evSystem(t)
	mk := func(name, code string, aliases ...string) string {
		t.Helper()
		o, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: name, CreditCode: code, Aliases: aliases, Roles: []broker.OrgRole{broker.OrgEnterprise}})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	a := mk("华为技术有限公司", "914403001922038216")
	b := mk("华为技术有限公司 ", "")                                  // same name, no code
	c := mk("Huawei Technologies", "", "ＨＵＡＷＥＩ　TECHNOLOGIES") // no shared name with a or b
	d := mk("huawei technologies", "")                        // folds to c's name
	e := mk("同名公司", evCode(1))
	f := mk("同名公司", evCode(2)) // same name, another legal person
	_ = mk("独一家", "")
	got, err := sys.DuplicateOrganizations(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{a, b}, {c, d}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v (not %s with %s)", got, want, e, f)
	}
	o, err := sys.OrganizationByCreditCode(ctx, evStaff, " 914403001922038216 ")
	if err != nil || o.ID != a {
		t.Errorf("by credit code: got %q, %v; want %q", o.ID, err, a)
	}
	if _, err := sys.OrganizationByCreditCode(ctx, evStaff, evCode(3)); !errors.Is(err, broker.ErrNotFound) {
		t.Errorf("unknown code: got %v, want ErrNotFound", err)
	}
	if _, err := sys.DuplicateOrganizations(ctx, evStaff); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("staff: got %v, want ErrForbidden", err)
	}
}
