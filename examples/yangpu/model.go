package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/blueprint"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/pgstore"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/broker/sqlitestore"
	"github.com/kexie/techbroker/matching/router"
)

// The article's actors, as principals.
var (
	admin    = broker.PlatformAdmin("yangpu-admin")               // runs the platform
	overseer = broker.Overseer("kx-assessor", "上海市杨浦区科学技术协会")     // 科协: reads everything, trades nothing
	operator = broker.ExchangeOperator("sste-officer", "上海技术交易所") // the exchange: deposits and 公示
	yangpuNo = "310110"                                           // 上海市杨浦区
	taizhou  = federation.Region{Code: "331000", Name: "浙江省台州市"}  // the workstation's region
	regions  = map[string]string{"310110": "杨浦区", "331000": "台州市", "320200": "无锡市", "340700": "铜陵市", "330400": "嘉兴市"}
)

// regionName writes a region as "310110 杨浦区".
func regionName(code string) string { return code + " " + regions[code] }

// model holds the running Systems and what the generator knows (the true
// room, merit and value of every item), which the Systems never see.
type model struct {
	w       io.Writer
	sys     *broker.System
	bp      *blueprint.Model
	x       *exchange.Exchange
	acts    *activity.Platform
	capital *capital.Service
	review  *review.Service
	fed     *federation.Federation
	tz      *taizhouNode
	clk     *clock
	g       *gen
	rooms   []blueprint.Room // the rooms open during the run, in the blueprint's order
	sector  map[string]*sector
	router  *router.Router
	match   *match.Service // 撮合 and 分流: follows the store, routes arrivals
	scale   float64
	years   []int

	staff     map[string][]broker.Principal // room → lead, technology managers, assistant
	societies map[string]string             // room → qualified society ID
	incubator string                        // organization ID of the science park
	investors []investor

	trueRoom  map[string]string  // achievement or demand ID → the generator's room
	merit     map[string]float64 // achievement ID → hidden merit
	value     map[string]float64 // achievement ID → hidden value (万元)
	demandsOf map[string][]broker.Demand
	leadCase  map[string]string // demand ID → the case a roadshow lead opened for it
	sold      map[string]string // enterprise → a deal it closed this year

	routed, routedRight, routedByPerson int
	panelViolations                     int // panelists at the owner of what they judge
	declinedSeats, shortPanels          int
	explained                           int
	valued                              int
	shown                               map[string]bool
	snapshots                           map[int]map[string]map[broker.CaseStage]int // year → room → cases by stage at year end
}

// investor is an investor and the principal acting for it.
type investor struct {
	id string
	p  broker.Principal
}

func (m *model) printf(format string, args ...any) { fmt.Fprintf(m.w, format, args...) }

// lead is a room's lead (样板间负责人); tm its first technology manager.
func (m *model) lead(room string) broker.Principal { return m.staff[room][0] }
func (m *model) tm(room string) broker.Principal   { return m.staff[room][1] }

func (m *model) roomName(id string) string {
	if r, ok := m.bp.Room(id); ok {
		return r.Name
	}
	return id
}

// tick advances the clock by d divided by the scale, so that each step of
// the year fits in its window at any scale.
func (m *model) tick(d time.Duration) {
	m.clk.add(max(time.Second, time.Duration(float64(d)/max(1, m.scale))))
}

// openSystem opens the store named by url and builds the whole Yangpu
// model on it (package broker/blueprint).
func openSystem(ctx context.Context, url string, bp *blueprint.Model, clk *clock) (*broker.System, error) {
	store, err := broker.OpenStore(ctx, url, memstore.Opener{}, sqlitestore.Opener{}, pgstore.Opener{})
	if err != nil {
		return nil, err
	}
	sys, err := blueprint.Build(ctx, store, bp, admin, &broker.Options{Clock: clk.Now, NewID: broker.SequentialIDs()})
	if err != nil {
		store.Close()
		return nil, err
	}
	page, err := sys.Achievements.List(ctx, admin, broker.ListOptions{Limit: 1})
	if err != nil {
		sys.Close()
		return nil, err
	}
	if len(page.Items) > 0 {
		sys.Close()
		return nil, fmt.Errorf("store %s already holds achievements: give a fresh database", url)
	}
	return sys, nil
}

// setup docks the societies' experts, puts the staff on the rosters after
// the blueprint's staff roles, registers the investors and records the
// 2020 strategic agreement.
func (m *model) setup(ctx context.Context) error {
	m.printf("\n== 2020-10-28 上海技术交易所开市: the system is built from the Yangpu blueprint\n")
	bs, err := m.sys.Brokers.Find(ctx, admin, broker.ListOptions{})
	if err != nil {
		return err
	}
	orgs, err := m.sys.Organizations.Find(ctx, admin, broker.ListOptions{})
	if err != nil {
		return err
	}
	byName := map[string]broker.Organization{}
	for _, o := range orgs {
		byName[o.Name] = o
	}
	m.printf("  %d rooms, %d partners, %d societies (%d with 评估资质), %d staff roles, scorecard %q, policy rules %q\n",
		len(bs), len(m.bp.Partners), len(m.bp.Societies), countQualified(m.bp), len(m.bp.StaffRoles), m.bp.Scorecard.NameZH, m.bp.Policies.Name)
	for _, r := range m.bp.Rooms {
		kind := "by sector"
		if r.Sector.ByPlace() {
			kind = fmt.Sprintf("by place: %s (%s)", r.Sector.Place, strings.Join(r.Sector.Streets[:min(2, len(r.Sector.Streets))], "、"))
		}
		opened := "with the model"
		if !r.Opened.IsZero() {
			opened = "opens " + r.Opened.Format("2006-01")
		}
		m.printf("  %-15s %s (%s), %s, %s; %s: %d services\n", r.ID, r.Name, r.NameEN, kind, opened, r.Package.Name, len(r.Package.Services))
	}
	for _, p := range m.bp.Partners {
		if p.Principal != "" {
			m.printf("  partner %s (%s): its people act as %s\n", p.Name, p.Role, p.Principal)
		}
	}
	if park, ok := m.bp.PartnerOf(blueprint.PartnerSciencePark); ok {
		m.incubator = byName[park.Name].ID
	}

	// The societies of the blueprint bring their experts (学会资源对接平台).
	perRoom := max(8, int(math.Round(14*m.scale)))
	for _, s := range m.bp.Societies {
		room := ""
		if len(s.Rooms) > 0 {
			room = s.Rooms[0]
		}
		sec := m.sector[room]
		if sec == nil {
			continue
		}
		if s.Qualification != nil {
			m.societies[room] = s.ID
		}
		sa := broker.SocietyAdmin("admin-"+s.ID, s.ID)
		for j := 0; j < perRoom; j++ {
			if _, err := m.sys.ContributeExpert(ctx, sa, s.ID, m.g.expert(sec, s.ID)); err != nil {
				return fmt.Errorf("expert for %s: %w", s.ID, err)
			}
		}
	}
	// A society without evaluation qualification: its experts may not sit
	// on screening panels.
	if _, err := m.sys.Societies.Get(ctx, admin, "soc-popsci"); err == nil {
		for j := 0; j < 3; j++ {
			if _, err := m.sys.ContributeExpert(ctx, admin, "soc-popsci", m.g.expert(m.sector[m.rooms[j].ID], "soc-popsci")); err != nil {
				return err
			}
		}
	}
	// Staff after the blueprint's roles of the desks (broker_staff).
	grades := map[string][]broker.Grade{"room-lead": {broker.GradeSenior}, "tech-manager": {broker.GradeIntermediate, broker.GradeJunior}}
	nStaff := 0
	for _, r := range m.rooms {
		for _, role := range m.bp.StaffRoles {
			if role.Principal != broker.RoleBrokerStaff {
				continue
			}
			for k := 0; k < role.PerRoom; k++ {
				id := fmt.Sprintf("%s-%s-%d", r.ID, role.ID, k+1)
				st := broker.Staff{Meta: broker.Meta{Broker: r.ID}, Person: id, Name: m.g.name()}
				if gs := grades[role.ID]; len(gs) > 0 {
					st.Grade = gs[k%len(gs)]
					st.GradeCertificate = fmt.Sprintf("CASTEM-2020-%s-%d", r.ID, k+1)
					st.GradeDate = date(2020, 11, 20)
				}
				if _, err := m.sys.AddStaff(ctx, admin, st); err != nil {
					return fmt.Errorf("staff for %s: %w", r.ID, err)
				}
				m.staff[r.ID] = append(m.staff[r.ID], broker.BrokerStaff(id, r.ID))
				nStaff++
			}
		}
		if len(m.staff[r.ID]) < 2 {
			return fmt.Errorf("the blueprint staffs room %s with %d people; the run needs a lead and a technology manager", r.ID, len(m.staff[r.ID]))
		}
	}
	// Investors, each acting as a principal of its own.
	for i, r := range m.rooms {
		sec := m.sector[r.ID]
		name := []string{"杨浦科创投资基金", "长阳创谷天使基金", "沪东产业投资有限公司", "复旦科技成果转化基金", "同济创新创业投资", "上海理工科技创投", "海岸线创业投资"}[i%7]
		org, err := m.sys.Organizations.Create(ctx, admin, broker.Organization{Name: name, Roles: []broker.OrgRole{broker.OrgFund}})
		if err != nil {
			return fmt.Errorf("investor organization: %w", err)
		}
		p := broker.InvestorUser("inv-"+org.ID, org.ID)
		v, err := m.capital.Investors.Create(ctx, p, capital.Investor{
			Name: name, OrgID: org.ID,
			Stages:      []capital.InvestStage{capital.StageSeed, capital.StageAngel, capital.StagePreA},
			Ticket:      broker.Range{Min: decimal.NewFromInt(500_000), Max: decimal.NewFromInt(20_000_000)},
			Disciplines: sec.disciplines, IndustryCodes: sec.industry, Keywords: sec.keywords, Regions: []string{"上海市"},
			Thesis: "关注" + strings.Join(sec.keywords[:3], "、") + "领域早期成果转化项目",
		})
		if err != nil {
			return fmt.Errorf("investor: %w", err)
		}
		m.investors = append(m.investors, investor{id: v.ID, p: p})
	}
	qs, err := m.sys.QualifiedSocieties(ctx, admin)
	if err != nil {
		return err
	}
	m.printf("  experts: %d per qualified society (%d qualified), 3 from 上海市科普作家协会 (not qualified); staff: %d on the rosters; %d investors as principals of their own\n",
		perRoom, len(qs), nStaff, len(m.investors))
	// 2020: the strategic agreement of the exchange with CAST's academic
	// department (the article gives the year only).
	coop := m.fed.Cooperation()
	if _, err := coop.Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementStrategic, Title: "战略合作协议",
		Parties: []string{"上海技术交易所", "中国科协学会学术部"}, Signed: m.clk.Now(),
		Purpose: "在市、区两级科协的推动下，引导学会资源进场交易（原文只给出年份2020年）"}); err != nil {
		return fmt.Errorf("strategic agreement: %w", err)
	}
	m.printf("  2020 战略合作协议: 上海技术交易所 ⇄ 中国科协学会学术部 (recorded; the article gives the year only)\n")
	return nil
}

func countQualified(bp *blueprint.Model) int {
	n := 0
	for _, s := range bp.Societies {
		if s.Qualification != nil {
			n++
		}
	}
	return n
}

// trainRouter trains the router on labelled examples from an independent
// generator (past cases whose room is known).
func (m *model) trainRouter(seed uint64) error {
	tg := newGen(seed ^ 0x70a7e5)
	var ex []router.Example
	for _, r := range m.rooms {
		sec := m.sector[r.ID]
		for i := 0; i < 40; i++ {
			a := tg.achievement(sec, 3+tg.r.IntN(6), 100, 2020)
			ex = append(ex, router.Example{Text: a.Title + " " + a.Summary + " " + strings.Join(a.Keywords, " "), Label: r.ID})
		}
	}
	rt, err := router.Train(ex, &router.Options{Complement: true, Binary: true, Threshold: 0.4})
	if err != nil {
		return err
	}
	m.router = rt
	if m.match, err = match.New(m.sys, &match.Options{Router: rt, Operator: admin}); err != nil {
		return err
	}
	m.printf("  router trained on %d labelled past cases (%d rooms)\n", len(ex), len(rt.Labels()))
	return nil
}

// route routes an arrival (分流): the match service's router suggests a
// room; a person decides — confirming the suggestion, or, when the router
// is unsure, choosing the room whose sector fits best (as a desk would),
// which overrides it when they differ. The decision routes the record and
// is counted in the scorecard's routing figures. It returns the room and
// whether a person chose it.
func (m *model) route(ctx context.Context, ref broker.RecordRef, text string, disciplines, industry []string) (string, bool, error) {
	sg, err := m.match.Suggest(ctx, admin, ref)
	if err != nil {
		return "", false, err
	}
	room, byPerson := sg.Suggested, sg.NeedsPerson
	if byPerson {
		best := -1
		for _, r := range m.rooms {
			if r.Sector.ByPlace() {
				continue
			}
			if s := r.Sector.SectorFit(disciplines, industry, text); s > best {
				room, best = r.ID, s
			}
		}
	}
	if _, err := m.match.Decide(ctx, m.staffFor(room, 0), ref, room); err != nil {
		return "", false, fmt.Errorf("routing %s: %w", ref, err)
	}
	return room, byPerson, nil
}

func (m *model) tally(got, want string, byPerson bool) {
	m.routed++
	if got == want {
		m.routedRight++
	}
	if byPerson {
		m.routedByPerson++
	}
}

// taizhouNode is the Taizhou workstation's region: a System of its own with
// the marine desk, an exchange and a federation node.
type taizhouNode struct {
	sys   *broker.System
	x     *exchange.Exchange
	fed   *federation.Federation
	ws    string // the workstation's record ID
	staff broker.Principal
}

// openWorkstation sets up the Taizhou workstation of the marine technology
// trading platform (2020-12): the agreement between the two regions,
// recorded on both sides, and the workstation record at Taizhou, whose desk
// runs it.
func (m *model) openWorkstation(ctx context.Context, tr federation.Transport) error {
	m.clk.set(date(2020, 12, 1))
	m.printf("\n== 2020-12 台州工作站: 上海国际海洋技术交易服务平台台州工作站\n")
	core := &broker.Blueprint{Name: "台州市海洋技术交易服务", Region: taizhou.Name, Exchange: "上海技术交易所",
		Brokers: []broker.IndustryBroker{{Meta: broker.Meta{ID: "marine-tech", Region: taizhou.Name}, Name: "海洋技术（台州工作站）", NameEN: "Marine technology (Taizhou workstation)",
			Sector: broker.Sector{Keywords: m.sector["marine-tech"].keywords, Disciplines: m.sector["marine-tech"].disciplines}}}}
	sys, err := broker.Build(ctx, memstore.New(), core, admin, &broker.Options{Clock: m.clk.Now, NewID: broker.SequentialIDs()})
	if err != nil {
		return err
	}
	x := exchange.New(sys)
	fed, err := federation.New(sys, x, &federation.Options{Region: taizhou, Transport: tr})
	if err != nil {
		return err
	}
	ag := federation.Agreement{Kind: federation.AgreementWorkstation, Title: "上海国际海洋技术交易服务平台台州工作站",
		Parties: []string{"上海市杨浦区科学技术协会", "台州市科学技术协会"}, A: yangpuNo, B: taizhou.Code,
		Signed: m.clk.Now(), Brokers: []string{"marine-tech"}}
	if _, err := m.fed.Cooperation().Sign(ctx, admin, ag); err != nil {
		return fmt.Errorf("workstation agreement at Yangpu: %w", err)
	}
	tag, err := fed.Cooperation().Sign(ctx, admin, ag)
	if err != nil {
		return fmt.Errorf("workstation agreement at Taizhou: %w", err)
	}
	ws, err := fed.Cooperation().Open(ctx, admin, federation.Workstation{Meta: broker.Meta{ID: "taizhou-marine", Broker: "marine-tech"},
		Name: "上海国际海洋技术交易服务平台台州工作站", Host: taizhou.Code, Home: yangpuNo, Agreement: tag.ID, Opened: m.clk.Now()})
	if err != nil {
		return fmt.Errorf("workstation: %w", err)
	}
	m.tz = &taizhouNode{sys: sys, x: x, fed: fed, ws: ws.ID, staff: broker.BrokerStaff("tz-ws-1", "marine-tech")}
	m.printf("  workstation agreement %s ⇄ %s (marine desk), recorded on both sides; workstation %q opened at %s\n",
		regionName(yangpuNo), regionName(taizhou.Code), ws.Name, regionName(taizhou.Code))
	return nil
}

// forward runs the workstation for a year: Taizhou's own offers and
// requests at its desk are collected and forwarded home, and Yangpu's
// node takes them in.
func (m *model) forward(ctx context.Context, year int) error {
	if m.tz == nil {
		return nil
	}
	m.clk.set(date(year, 9, 20))
	sec := m.sector["marine-tech"]
	for i := 0; i < 2; i++ {
		d := m.g.achievements(sec, rates["marine-tech"], 1, year)[0]
		a := d.a
		a.Owner, a.Region = []string{"浙江海洋大学", "台州学院"}[i], taizhou.Name
		a.IPRights[0].Owners = []string{a.Owner}
		a.Broker = "marine-tech"
		a, err := m.tz.sys.Achievements.Create(ctx, m.tz.staff, a)
		if err != nil {
			return fmt.Errorf("taizhou achievement: %w", err)
		}
		l, err := m.tz.x.CreateListing(ctx, m.tz.staff, exchange.Listing{Meta: broker.Meta{Broker: "marine-tech", Region: taizhou.Name}, Achievement: a.ID,
			Title: a.Title, Summary: trimTitle(a.Summary, 120), Readiness: a.Readiness, IndustryCodes: a.IndustryCodes, Owner: a.Owner,
			Venue: "上海技术交易所", Terms: exchange.ListingTerms{Mode: a.TransferModes[0], Method: exchange.MethodFixed, Pricing: broker.FixedPrice,
				Price: decimal.NewFromFloat(d.value).Round(0).Mul(decimal.NewFromInt(10000))}})
		if err != nil {
			return fmt.Errorf("taizhou listing: %w", err)
		}
		if _, err := m.tz.x.PublishListing(ctx, m.tz.staff, l.ID, exchange.Publish{Version: l.Version}); err != nil {
			return fmt.Errorf("taizhou publish: %w", err)
		}
		dm := m.g.demand(sec, taizhou.Name)
		dm.Broker, dm.Visibility = "marine-tech", broker.Members
		dm.Enterprise = []string{"台州海盛水产食品有限公司", "三门湾海洋牧场有限公司"}[i]
		if _, err := m.tz.sys.Demands.Create(ctx, m.tz.staff, dm); err != nil {
			return fmt.Errorf("taizhou demand: %w", err)
		}
		m.tick(time.Hour)
	}
	rep, err := m.tz.fed.Forward(ctx, m.tz.staff, m.tz.ws)
	if err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	sr, err := m.fed.Sync(ctx)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	profs, err := m.fed.Profiles(ctx, m.lead("marine-tech"))
	if err != nil {
		return err
	}
	offers, requests := 0, 0
	for _, p := range profs {
		if p.Profile.Kind == federation.TechnologyRequest {
			requests++
		} else {
			offers++
		}
	}
	m.printf("  台州工作站 forwarded %d offers and %d requests from %s; %s took in %d messages (%d refused); its marine desk now sees %d offers and %d requests from Taizhou\n",
		len(rep.Listings), len(rep.Demands), regionName(taizhou.Code), regionName(yangpuNo), sr.Processed, len(sr.Rejected), offers, requests)
	return nil
}

// intentAgreements records the 2021-04 intent agreements (意向合作协议) to
// cultivate model rooms in Wuxi, Tongling and Jiaxing.
func (m *model) intentAgreements(ctx context.Context) error {
	m.clk.set(date(2021, 4, 1))
	m.printf("\n== 2021-04 意向合作协议: cultivating model rooms in Wuxi, Tongling and Jiaxing\n")
	for _, c := range []struct{ code, assoc string }{{"320200", "无锡市科学技术协会"}, {"340700", "铜陵市科学技术协会"}, {"330400", "嘉兴市科学技术协会"}} {
		a, err := m.fed.Cooperation().Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementIntent,
			Title:   "关于培育细分领域技术券商“样板间”意向合作协议",
			Parties: []string{"上海市杨浦区科学技术协会", "上海技术交易所", c.assoc}, A: yangpuNo, B: c.code, Signed: m.clk.Now(),
			Purpose: "复制推广技术券商“样板间”模式（以蓝图复制后即为履行）"})
		if err != nil {
			return fmt.Errorf("intent agreement with %s: %w", c.assoc, err)
		}
		m.printf("  %s: %s ⇄ %s (%s), to be fulfilled by replicating the blueprint (go run ./examples/replicate)\n", a.ID, regionName(yangpuNo), regionName(c.code), c.assoc)
	}
	return nil
}

// training holds the broker training of 2021-05 (科创中国·技术交易券商培育与
// 赋能计划全国巡回培训研讨班（长三角·上海站）, at the 18th Yangtze River Delta
// science and technology forum) and records every room's attendance.
func (m *model) training(ctx context.Context) error {
	m.clk.set(date(2021, 5, 17))
	start := m.clk.Now().Add(24 * time.Hour)
	act, err := m.acts.Activities.Create(ctx, admin, activity.Activity{Kind: activity.Training,
		Title: "“科创中国·技术交易券商培育与赋能计划”全国巡回培训研讨班（长三角·上海站）", Venue: "上海杨浦（第十八届长三角科技论坛）",
		Start: start, End: start.Add(8 * time.Hour), Capacity: 200})
	if err != nil {
		return fmt.Errorf("training: %w", err)
	}
	var attendees []string
	for _, r := range m.rooms {
		for _, p := range m.staff[r.ID] {
			if _, err := m.acts.Register(ctx, p, act.ID, activity.Registration{}); err != nil && !errors.Is(err, broker.ErrExists) {
				return fmt.Errorf("register for training: %w", err)
			}
			attendees = append(attendees, p.ID)
		}
	}
	m.clk.set(start.Add(9 * time.Hour))
	tr, err := m.acts.RecordTraining(ctx, admin, act.ID, attendees, decimal.NewFromInt(8))
	if err != nil {
		return fmt.Errorf("record training: %w", err)
	}
	m.printf("\n== 2021-05 %s\n  %d technology managers of %d rooms trained (8 hours each)\n", act.Title, len(attendees), len(m.rooms))
	_ = tr
	return nil
}

// epilogue follows the article past the two years: Tongling's strategic
// agreement with the exchange (2023-04) and the street block room opening on
// 大学路 with its first roadshow, seminar and investment salon, whose
// projects are routed to it by their address.
func (m *model) epilogue(ctx context.Context) error {
	m.clk.set(date(2023, 4, 10))
	m.printf("\n== 2023 epilogue\n")
	if _, err := m.fed.Cooperation().Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementStrategic, Title: "战略合作协议",
		Parties: []string{"铜陵市科学技术协会", "上海技术交易所"}, Signed: m.clk.Now()}); err != nil {
		return err
	}
	m.printf("  2023-04 战略合作协议: 铜陵市科学技术协会 ⇄ 上海技术交易所\n")
	street, ok := m.bp.Room("street-700m")
	if !ok {
		return nil
	}
	m.clk.set(street.Opened.Time.Add(9 * time.Hour))
	p := broker.BrokerStaff("street-700m-lead", street.ID)
	addresses := []string{"上海市杨浦区大学路248号", "上海市杨浦区政立路485号", "上海市杨浦区国定路335号", "上海市杨浦区长阳路1687号"}
	placed := 0
	var featured []broker.RecordRef
	for i, addr := range addresses {
		sec := &sectors[i%len(sectors)]
		d := m.g.achievements(sec, rates[sec.room], 1, 2023)[0]
		a, err := m.sys.Achievements.Create(ctx, broker.InstitutionUser("tto-"+d.a.Owner, d.a.Owner), d.a)
		if err != nil {
			return err
		}
		// A place-based room takes what lies in its place, whatever the field.
		if street.Sector.Covers(addr) {
			if a, err = m.sys.Achievements.Modify(ctx, p, a.ID, func(x *broker.Achievement) error { x.Broker, x.Region = street.ID, addr; return nil }); err != nil {
				return err
			}
			if _, err := m.sys.OpenCase(ctx, p, broker.NewCase{Subject: broker.Ref(a), Broker: street.ID, Reason: "街区科创项目征集"}); err != nil {
				return err
			}
			featured = append(featured, broker.Ref(a))
			placed++
		}
		m.tick(time.Hour)
	}
	kinds := []struct {
		k     activity.Kind
		title string
	}{{activity.Roadshow, "科创街区科创项目路演"}, {activity.Seminar, "科创街区学术研讨会"}, {activity.InvestmentSalon, "科创街区投资沙龙"}}
	for i, k := range kinds {
		start := m.clk.Now().Add(time.Duration(7*(i+1)) * 24 * time.Hour)
		a := activity.Activity{Meta: broker.Meta{Broker: street.ID}, Kind: k.k, Title: k.title, Venue: "大学路", Start: start, End: start.Add(3 * time.Hour), Capacity: 80}
		if k.k == activity.Roadshow {
			a.Featured = featured
		}
		if _, err := m.acts.Activities.Create(ctx, p, a); err != nil {
			return fmt.Errorf("street block %s: %w", k.k, err)
		}
	}
	var members []string
	for _, u := range street.Members {
		members = append(members, u.Name)
	}
	m.printf("  %s %s opens (%s, with %s): %d of %d projects routed to it by their address on %s; a roadshow, a seminar and an investment salon scheduled\n",
		street.Opened.Format("2006-01"), street.Name, street.Sector.Place, strings.Join(members, "、"),
		placed, len(addresses), strings.Join(street.Sector.Streets[:3], "、"))
	return nil
}

// staffFor returns the principal of a staff role in a room.
func (m *model) staffFor(room string, i int) broker.Principal {
	ps := m.staff[room]
	return ps[min(i, len(ps)-1)]
}
