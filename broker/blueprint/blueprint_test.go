package blueprint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/blueprint"
	"github.com/kexie/techbroker/broker/federation"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/policy"
)

var (
	ctx   = context.Background()
	admin = broker.PlatformAdmin("admin")
)

// decimalEqual compares amounts by value and policy rule sets (whose
// conditions keep unexported parsed values) by their JSON.
func decimalEqual() cmp.Option {
	return cmp.Options{
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b *policy.RuleSet) bool {
			ja, errA := json.Marshal(a)
			jb, errB := json.Marshal(b)
			return errA == nil && errB == nil && bytes.Equal(ja, jb)
		}),
	}
}

// The Yangpu model: the seven sector rooms of the core's blueprint, the
// place-based street block room, the partners the article names with
// their roles, qualified societies with service teams, and the default
// scorecard as the 考核体系.
func TestYangpuModel(t *testing.T) {
	m := blueprint.Yangpu()
	core := broker.Yangpu()
	if len(m.Rooms) != len(core.Brokers)+1 {
		t.Fatalf("got %d rooms, want the core's %d and the street block", len(m.Rooms), len(core.Brokers))
	}
	for i, b := range core.Brokers {
		got := m.Rooms[i].Broker()
		if got.ID != b.ID || got.Name != b.Name || !cmp.Equal(got.Sector, b.Sector) || len(m.Rooms[i].Package.Services) == 0 {
			t.Errorf("room %d: got %s %s %+v, want the core's %s %s %+v with a package", i, got.ID, got.Name, got.Sector, b.ID, b.Name, b.Sector)
		}
	}
	street, ok := m.Room("street-700m")
	if !ok || !street.Sector.ByPlace() || street.Sector.Place != "700米科创街区" || !slices.Contains(street.Sector.Streets, "大学路") ||
		len(street.Sector.Keywords)+len(street.Sector.Disciplines) != 0 {
		t.Errorf("the street block room: %+v", street)
	}
	if street.OpenAt(time.Date(2022, 12, 31, 0, 0, 0, 0, time.UTC)) || !street.OpenAt(time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the street block opened %v, after the two years of the seven rooms", street.Opened)
	}
	roles := map[string]string{}
	for _, p := range m.Partners {
		roles[p.Name] = p.Role
	}
	for name, role := range map[string]string{"上海技术交易所": blueprint.PartnerExchange, "国家技术转移东部中心": blueprint.PartnerTransferCenter,
		"复旦大学国家大学科技园": blueprint.PartnerSciencePark, "长阳创谷园区科协": blueprint.PartnerParkAssociation,
		"上海市杨浦区科学技术协会": blueprint.PartnerOversight, "上海创派投资咨询有限公司": blueprint.PartnerOperator, "科创街区共创联盟": blueprint.PartnerAlliance} {
		if roles[name] != role {
			t.Errorf("partner %s: role %q, want %q", name, roles[name], role)
		}
	}
	if p, _ := m.PartnerOf(blueprint.PartnerExchange); p.Principal != broker.RoleExchangeOperator {
		t.Errorf("the exchange's people act as %q", p.Principal)
	}
	if p, _ := m.PartnerOf(blueprint.PartnerOversight); p.Principal != broker.RoleOversight {
		t.Errorf("the 科协's people act as %q", p.Principal)
	}
	qualified, teams := 0, 0
	for _, s := range m.Societies {
		if s.Qualification != nil {
			qualified++
		}
		teams += len(s.Teams)
	}
	if qualified != 7 || teams < 7 {
		t.Errorf("%d qualified societies and %d service teams, want 7 and one team each at least", qualified, teams)
	}
	// The scorecard is the default scheme, as the 考核体系（试行）.
	def := assessment.DefaultScheme()
	if diff := cmp.Diff(def.Groups, m.Scorecard.Groups); diff != "" || m.Scorecard.Grading.Method != def.Grading.Method {
		t.Errorf("the model's scorecard differs from the default scheme:\n%s", diff)
	}
	if m.Policies == nil || len(m.Policies.Rules) == 0 {
		t.Error("no policy rules")
	}
	if r, ok := m.StaffRole("tech-manager"); !ok || r.Principal != broker.RoleBrokerStaff || r.PerRoom == 0 {
		t.Errorf("staff role tech-manager: %+v", r)
	}
}

// A model round-trips through JSON: what Parse reads from json.Marshal's
// output is the model.
func TestRoundTrip(t *testing.T) {
	m := blueprint.Yangpu()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := blueprint.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, back, decimalEqual()); diff != "" {
		t.Errorf("round trip changed the model:\n%s", diff)
	}
	again, err := blueprint.Parse(bytes.NewReader(back.JSON()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, again, decimalEqual()); diff != "" {
		t.Errorf("indented round trip changed the model:\n%s", diff)
	}
	if _, err := blueprint.Parse(strings.NewReader(`{"name": "x", "rooms": [], "colour": "red"}`)); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("unknown field: got %v", err)
	}
	if _, err := blueprint.Parse(strings.NewReader(`{"name": "x"} {}`)); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("trailing data: got %v", err)
	}
}

// Validation lists every error at once, each at its path.
func TestValidateListsEveryError(t *testing.T) {
	m := blueprint.Yangpu()
	m.Name, m.RegionCode = "", "杨浦"
	m.Rooms[1].ID = m.Rooms[0].ID
	m.Rooms[2].Sector = broker.Sector{}
	m.Rooms[3].Sector = broker.Sector{Place: "某街区"}
	m.Rooms[4].Package.Services = append(m.Rooms[4].Package.Services, broker.ServiceItem{Code: "S01", Name: "重复", Fee: decimal.NewFromInt(-5)})
	m.Partners[0].Role, m.Partners[0].Principal = "sponsor", "king"
	m.Partners[5].Rooms = []string{"no-such-room"}
	m.Societies[1].ID = m.Societies[0].ID
	m.Societies[2].Qualification.Ref = ""
	m.Societies[3].Teams[0].Regions = nil
	m.StaffRoles[0].Principal, m.StaffRoles[1].Grade = "", "master"
	m.Scorecard.Groups[0].Weight = -1
	m.Policies.Rules[0].ID = m.Policies.Rules[1].ID
	err := m.Validate()
	var ve *broker.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *broker.ValidationError", err)
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Field)
	}
	want := []string{"name", "region_code", "rooms[1].id", "rooms[2].sector", "rooms[3].sector.streets",
		"rooms[4].package.services[7].code", "rooms[4].package.services[7].fee", "partners[0].role", "partners[0].principal",
		"partners", "partners[5].rooms[0]", "societies[1].id", "societies[2].qualification.ref", "societies[3].teams[0].regions",
		"staff_roles[0].principal", "staff_roles[1].grade", "scorecard.groups[0].weight"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no error at %s; got %v", w, got)
		}
	}
	if !slices.ContainsFunc(got, func(f string) bool { return strings.HasPrefix(f, "policies.") }) {
		t.Errorf("no error in the policy rules; got %v", got)
	}
	// The messages read in Chinese too.
	if zh := ve.Error(); zh == "" {
		t.Error("no message")
	}
}

// Build creates all of the model: rooms, partners with their roles,
// packages, societies with teams and qualifications, the stored model —
// and a second Build on the same store changes nothing.
func TestBuildCreatesAll(t *testing.T) {
	store := memstore.New()
	m := blueprint.Yangpu()
	now := time.Date(2021, 1, 4, 9, 0, 0, 0, time.UTC)
	opts := &broker.Options{Clock: func() time.Time { return now }, NewID: broker.SequentialIDs()}
	sys, err := blueprint.Build(ctx, store, m, admin, opts)
	if err != nil {
		t.Fatal(err)
	}
	count := func() map[string]int {
		out := map[string]int{}
		bs, _ := sys.Brokers.Find(ctx, admin, broker.ListOptions{})
		out["brokers"] = len(bs)
		os, _ := sys.Organizations.Find(ctx, admin, broker.ListOptions{})
		out["organizations"] = len(os)
		ps, _ := sys.ServicePackages.Find(ctx, admin, broker.ListOptions{})
		out["packages"] = len(ps)
		ss, _ := sys.Societies.Find(ctx, admin, broker.ListOptions{})
		out["societies"] = len(ss)
		qs, _ := sys.QualifiedSocieties(ctx, admin)
		out["qualified"] = len(qs)
		return out
	}
	want := map[string]int{"brokers": 8, "organizations": len(m.Partners), "packages": 8, "societies": len(m.Societies), "qualified": 7}
	if got := count(); !cmp.Equal(got, want) {
		t.Errorf("built: %v, want %v", got, want)
	}
	street, err := sys.Brokers.Get(ctx, admin, "street-700m")
	if err != nil || !street.Sector.ByPlace() || !street.Sector.Covers("上海市杨浦区大学路248号") || street.Sector.Covers("上海市杨浦区长阳路") {
		t.Errorf("the street block room as stored: %+v %v", street, err)
	}
	orgs, _ := sys.Organizations.Find(ctx, admin, broker.ListOptions{})
	for _, o := range orgs {
		if o.Name == "上海技术交易所" && !o.HasRole(broker.OrgExchange) {
			t.Errorf("the exchange's roles: %v", o.Roles)
		}
	}
	soc, err := sys.Societies.Get(ctx, admin, "soc-marine-tech")
	if err != nil || len(soc.Teams) == 0 || !slices.Contains(soc.Teams[0].Regions, "浙江省台州市") {
		t.Errorf("the marine society's service team: %+v %v", soc.Teams, err)
	}
	pkg, err := sys.ServicePackages.Get(ctx, admin, "marine-tech")
	if err != nil || len(pkg.Services) != 7 {
		t.Errorf("the marine room's package: %+v %v", pkg, err)
	}
	got, err := blueprint.Stored(ctx, sys, broker.Overseer("kx", "上海市杨浦区科学技术协会"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got, decimalEqual()); diff != "" {
		t.Errorf("the stored model differs:\n%s", diff)
	}
	// Idempotent.
	if _, err := blueprint.Build(ctx, store, blueprint.Yangpu(), admin, opts); err != nil {
		t.Fatal(err)
	}
	if got := count(); !cmp.Equal(got, want) {
		t.Errorf("after a second build: %v, want %v", got, want)
	}
	// A bad model writes nothing.
	bad := blueprint.Yangpu()
	bad.Rooms[0].ID = ""
	other := memstore.New()
	if _, err := blueprint.Build(ctx, other, bad, admin, nil); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("build a bad model: got %v", err)
	}
	if _, err := blueprint.Build(ctx, other, nil, admin, nil); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("build no model: got %v", err)
	}
	// Only platform admins build.
	if _, err := blueprint.Build(ctx, memstore.New(), blueprint.Yangpu(), broker.BrokerStaff("s", "marine-tech"), nil); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("a desk builds a model: got %v", err)
	}
}

const tonglingJSON = `{
  "name": "铜陵市技术券商样板间",
  "region": "安徽省铜陵市",
  "region_code": "340700",
  "exchange": "上海技术交易所",
  "oversight": "铜陵市科学技术协会",
  "rooms": [
    {"id": "copper-materials", "name": "铜基新材料", "sector": {"keywords": ["铜", "铜合金", "铜箔", "新材料"], "industry_codes": ["C32"]},
     "members": [{"name": "铜陵学院", "kind": "university", "lead": true}]},
    {"id": "pcb", "name": "电子电路基材", "sector": {"keywords": ["覆铜板", "PCB", "电子电路"], "industry_codes": ["C39"]}}
  ],
  "partners": [
    {"name": "铜陵市科学技术协会", "role": "oversight", "org_roles": ["science_association"], "principal": "oversight"},
    {"name": "上海技术交易所", "role": "exchange", "org_roles": ["technology_exchange"], "principal": "exchange_operator"}
  ]
}`

// Another city copies the model with its own blueprint and rooms; an intent
// agreement signed in Yangpu is fulfilled by it.
func TestReplicateFulfilsTheIntentAgreement(t *testing.T) {
	yangpu := blueprint.Yangpu()
	city, err := yangpu.Replicate(strings.NewReader(tonglingJSON))
	if err != nil {
		t.Fatal(err)
	}
	if city.RegionCode != "340700" || len(city.Rooms) != 2 || city.Scorecard == nil || len(city.StaffRoles) != len(yangpu.StaffRoles) ||
		city.Policies == nil || len(city.Rooms[0].Package.Services) == 0 || city.Rooms[0].Package.Name != "铜基新材料标准服务产品包" {
		t.Fatalf("replicated model: %+v", city)
	}
	if _, err := yangpu.Replicate(strings.NewReader(`{"name": "x", "region_code": "340700", "rooms": [{"id": "a", "name": "a"}]}`)); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("a city blueprint without a region, exchange or partners: got %v", err)
	}
	tl, err := blueprint.Build(ctx, memstore.New(), city, admin, nil)
	if err != nil {
		t.Fatal(err)
	}
	bs, _ := tl.Brokers.Find(ctx, admin, broker.ListOptions{})
	if len(bs) != 2 {
		t.Errorf("Tongling has %d rooms", len(bs))
	}
	// Yangpu signed the intent agreement in April 2021; Tongling builds.
	now := time.Date(2021, 9, 1, 9, 0, 0, 0, time.UTC)
	yp, err := blueprint.Build(ctx, memstore.New(), yangpu, admin, &broker.Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	coop := federation.NewCooperation(yp)
	ag, err := coop.Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementIntent, Title: "关于培育细分领域技术券商“样板间”意向合作协议",
		Parties: []string{"上海市杨浦区科学技术协会", "上海技术交易所", "铜陵市科学技术协会"}, A: "310110", B: "340700",
		Signed: time.Date(2021, 4, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	done, err := blueprint.Fulfil(ctx, coop, admin, ag.ID, city)
	if err != nil {
		t.Fatal(err)
	}
	if f := done.FulfilledBy; f == nil || f.Blueprint != city.Name || f.Region != "340700" || !slices.Equal(f.Rooms, []string{"copper-materials", "pcb"}) {
		t.Errorf("fulfilment: %+v", done.FulfilledBy)
	}
}
