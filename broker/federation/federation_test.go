package federation_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
	"github.com/kexie/techbroker/broker/memstore"
)

const (
	yangpu   = "310110"
	taizhou  = "331000"
	tongling = "340700"
	rogue    = "999999"

	bidderA = "台州某渔业装备有限公司"
	bidderB = "台州另一家公司"
	ownerU  = "上海海洋大学"
)

var (
	ctx               = context.Background()
	admin             = broker.PlatformAdmin("admin")
	staff             = broker.BrokerStaff("staff-1", "marine-tech")
	other             = broker.BrokerStaff("staff-9", "info-eng")
	owner             = broker.InstitutionUser("u-owner", ownerU)
	start             = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	signed            = time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC)
	taizhouAgreement  = federation.Agreement{Meta: broker.Meta{ID: "ws-taizhou"}, A: yangpu, B: taizhou, Kind: "workstation", Signed: signed}
	tonglingAgreement = federation.Agreement{Meta: broker.Meta{ID: "coop-tongling"}, A: yangpu, B: tongling, Kind: "cooperation", Signed: time.Date(2021, 4, 1, 0, 0, 0, 0, time.UTC), Brokers: []string{"info-eng"}}
	taizhouWS         = federation.Workstation{Meta: broker.Meta{ID: "taizhou-marine", Broker: "marine-tech"}, Name: "海洋技术交易平台台州工作站", Host: taizhou, Home: yangpu, Agreement: "ws-taizhou", Opened: signed}
)

func enterprise(org string) broker.Principal { return broker.EnterpriseUser("u-"+org, org) }

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// node is one region's System, exchange and federation node.
type node struct {
	sys *broker.System
	x   *exchange.Exchange
	fed *federation.Federation
}

func newSystem(t testing.TB, clk *clock) *exchange.Exchange {
	t.Helper()
	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, &broker.Options{NewID: broker.SequentialIDs(), Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	return exchange.New(sys)
}

// newPair builds the Yangpu and Taizhou nodes over one memory transport.
func newPair(t testing.TB) (y, tz node, tr *federation.MemoryTransport, clk *clock) {
	t.Helper()
	tr = federation.NewMemoryTransport()
	clk = &clock{t: start}
	mk := func(code, name string, ag []federation.Agreement, ws []federation.Workstation) node {
		x := newSystem(t, clk)
		fed, err := federation.New(x.System(), x, &federation.Options{Region: federation.Region{Code: code, Name: name}, Agreements: ag, Workstations: ws, Transport: tr})
		if err != nil {
			t.Fatal(err)
		}
		return node{x.System(), x, fed}
	}
	y = mk(yangpu, "上海市杨浦区", []federation.Agreement{taizhouAgreement, tonglingAgreement}, nil)
	tz = mk(taizhou, "浙江省台州市", []federation.Agreement{taizhouAgreement}, []federation.Workstation{taizhouWS})
	return
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// sampleListing is a real-looking listing of the marine technology desk.
func sampleListing() exchange.Listing {
	return exchange.Listing{
		Meta:         broker.Meta{Broker: "marine-tech", Region: "上海市杨浦区"},
		Title:        "深远海养殖网箱水质在线监测系统",
		Summary:      "在线监测深远海养殖网箱溶解氧、氨氮与水温，预警缺氧死鱼。",
		Overview:     "系统由浮标式多参数传感器、低功耗通信模块与云端预警平台组成。",
		Readiness:    broker.Readiness{Scale: broker.NASATRL, Level: 7, Evidence: []string{"舟山海域18个月运行报告"}},
		Benefits:     []string{"缺氧预警提前2小时"},
		Applications: []string{"深远海网箱养殖", "近海牧场"},
		Indicators:   []exchange.Indicator{{Name: "溶解氧精度", Value: "±0.1", Unit: "mg/L"}},
		Comparison:   &exchange.Comparison{Alternative: "进口多参数水质仪", Metric: "单点成本", Ours: "3.2万元", Theirs: "11万元"},
		IPRights:     []broker.IPRight{{Type: broker.InventionPatent, Number: "ZL202110123456.7", Status: broker.IPGranted, Territory: "CN", Owners: []string{ownerU}}},
		Origin:       exchange.Origin{Unit: ownerU, Funding: []string{"国家重点研发计划"}},
		Owner:        ownerU, OwnerPublic: true,
		ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000", Email: "wanghai@example.edu.cn"},
		Detail: "传感器标定算法与防生物附着涂层配方。",
		Venue:  "上海技术交易所",
		Terms:  exchange.ListingTerms{Mode: broker.ModeTransfer, Method: exchange.MethodFixed, Price: d("1200000"), FeePercent: d("1.5")},
	}
}

// mustListing creates and publishes a listing at the desk.
func mustListing(t testing.TB, x *exchange.Exchange, l exchange.Listing) exchange.Listing {
	t.Helper()
	l, err := x.CreateListing(ctx, staff, l)
	if err != nil {
		t.Fatal(err)
	}
	l, err = x.PublishListing(ctx, staff, l.ID, exchange.Publish{Version: l.Version})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// secrets are strings that must never cross the boundary before acceptance.
func secrets(l exchange.Listing) []string {
	return []string{l.Owner, l.ContactPerson, l.Contact.Phone, l.Contact.Email, l.IPRights[0].Number, "张伟", "李娜", "0576-88000000", "buyer@example.com", "赵经理"}
}

func TestFederationRoundTrip(t *testing.T) {
	y, tz, tr, _ := newPair(t)
	a, err := y.sys.Achievements.Create(ctx, staff, broker.Achievement{Title: "水质监测", Owner: ownerU, Meta: broker.Meta{Broker: "marine-tech"},
		Inventors: []broker.Inventor{{Name: "张伟", Share: d("60")}, {Name: "李娜", Share: d("40")}}})
	if err != nil {
		t.Fatal(err)
	}
	l := sampleListing()
	l.Achievement = a.ID
	l = mustListing(t, y.x, l)

	if _, err := y.fed.Share(ctx, staff, l.ID, rogue); !errors.Is(err, federation.ErrNoAgreement) || !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("share with a region without agreement: got %v", err)
	}
	if _, err := y.fed.Share(ctx, staff, l.ID, tongling); !errors.Is(err, federation.ErrNoAgreement) {
		t.Errorf("share outside the agreement's brokers: got %v", err)
	}
	if _, err := y.fed.Share(ctx, other, l.ID, taizhou); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("share by another desk: got %v", err)
	}
	prof, err := y.fed.Share(ctx, staff, l.ID, taizhou)
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.IP) != 1 || prof.IP[0].Type != broker.InventionPatent || !prof.Price.Equal(d("1200000")) {
		t.Errorf("profile: %+v", prof)
	}
	rep, err := tz.fed.Sync(ctx)
	if err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Taizhou: %+v %v", rep, err)
	}
	profs, err := tz.fed.Profiles(ctx, enterprise(bidderA))
	if err != nil || len(profs) != 1 || profs[0].Profile.Title != l.Title {
		t.Fatalf("profiles at Taizhou: %v %+v", err, profs)
	}
	if _, err := tz.fed.Profiles(ctx, broker.Anonymous()); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("anonymous profiles: got %v", err)
	}
	own := federation.PartyContact{Person: "赵经理", Phone: "0576-88000000", Email: "buyer@example.com"}
	if _, err := tz.fed.ExpressInterest(ctx, enterprise(bidderA), profs[0].ID, federation.NewInterest{Org: bidderA, Note: "请联系 buyer@example.com", Contact: own}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("contact data in the note: got %v", err)
	}
	if _, err := tz.fed.ExpressInterest(ctx, enterprise(bidderB), profs[0].ID, federation.NewInterest{Org: bidderA, Contact: own}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("interest for another org: got %v", err)
	}
	if _, err := tz.fed.ExpressInterest(ctx, broker.Anonymous(), profs[0].ID, federation.NewInterest{Org: bidderA}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("anonymous interest: got %v", err)
	}
	in, err := tz.fed.ExpressInterest(ctx, enterprise(bidderA), profs[0].ID, federation.NewInterest{Org: bidderA, Note: "拟在台州网箱养殖基地试用", Contact: own})
	if err != nil {
		t.Fatal(err)
	}
	// Expressed by the organization itself, the interest goes to the desk of
	// Taizhou's workstation for the marine desk: its staff see it.
	if in.Broker != "marine-tech" {
		t.Errorf("interest routed to desk %q, want the workstation's marine-tech", in.Broker)
	}
	if got, _ := tz.fed.Interests(ctx, staff); len(got) != 1 {
		t.Errorf("the workstation's desk sees %d interests, want 1", len(got))
	}
	if got, _ := tz.fed.Interests(ctx, other); len(got) != 0 {
		t.Errorf("another desk sees %d interests at Taizhou", len(got))
	}
	if rep, err := y.fed.Sync(ctx); err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Yangpu: %+v %v", rep, err)
	}
	recv, err := y.fed.Interests(ctx, owner)
	if err != nil || len(recv) != 1 || recv[0].Party() != bidderA || recv[0].Status != federation.InterestReceived || recv[0].Counterpart != nil {
		t.Fatalf("interests at Yangpu seen by the owner: %v %+v", err, recv)
	}
	if got, _ := y.fed.Interests(ctx, enterprise(bidderB)); len(got) != 0 {
		t.Errorf("a stranger sees %d interests", len(got))
	}
	if got, _ := y.fed.Interests(ctx, other); len(got) != 0 {
		t.Errorf("another desk sees %d interests at Yangpu", len(got))
	}

	// Before acceptance nothing that crossed the boundary carries contact
	// data, patent numbers or people's names, from either side.
	for _, m := range tr.Sent() {
		for _, s := range secrets(l) {
			if strings.Contains(string(m.Body), s) {
				t.Errorf("message to %s leaks %q before acceptance: %s", m.To, s, m.Body)
			}
		}
	}

	if _, err := y.fed.Respond(ctx, enterprise(bidderB), recv[0].ID, federation.Answer{Accept: true}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("a stranger accepts: got %v", err)
	}
	if _, err := y.fed.Respond(ctx, other, recv[0].ID, federation.Answer{Accept: true}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk accepts: got %v", err)
	}
	acc, err := y.fed.Respond(ctx, owner, recv[0].ID, federation.Answer{Accept: true})
	if err != nil || acc.Status != federation.InterestAccepted {
		t.Fatalf("accept: %v %+v", err, acc)
	}
	if _, err := y.fed.Respond(ctx, staff, recv[0].ID, federation.Answer{Reason: "again"}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("answer twice: got %v", err)
	}
	evs, err := y.sys.Events(ctx, admin, federation.KindInterest, recv[0].ID)
	if err != nil || len(evs) != 2 || evs[1].Type != "accepted" || evs[1].Actor != owner.ID {
		t.Errorf("events of the accepted interest: %v %+v", err, evs)
	}
	sent := tr.Sent()
	var m federation.Message
	if err := json.Unmarshal(sent[len(sent)-1].Body, &m); err != nil || m.Type != federation.MsgAccept || m.Interest.Contact.Phone != l.Contact.Phone {
		t.Fatalf("accept message: %v %s", err, sent[len(sent)-1].Body)
	}
	if rep, err := tz.fed.Sync(ctx); err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Taizhou after acceptance: %+v %v", rep, err)
	}
	mine, _ := tz.fed.Interests(ctx, enterprise(bidderA))
	if len(mine) != 1 || mine[0].ID != in.ID || mine[0].Status != federation.InterestAccepted || mine[0].Counterpart == nil ||
		mine[0].Counterpart.Email != l.Contact.Email || mine[0].Counterpart.Org != ownerU {
		t.Fatalf("interest at Taizhou after acceptance: %+v", mine)
	}
	if rep, err := y.fed.Sync(ctx); err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("introduction at Yangpu: %+v %v", rep, err)
	}
	recv, _ = y.fed.Interests(ctx, staff)
	if len(recv) != 1 || recv[0].Counterpart == nil || recv[0].Counterpart.Phone != own.Phone || recv[0].Counterpart.Org != bidderA {
		t.Errorf("Yangpu did not get the interested party's contact: %+v", recv)
	}
	// Sync is idempotent: nothing new.
	if rep, _ := tz.fed.Sync(ctx); rep.Processed != 0 {
		t.Errorf("second sync processed %d", rep.Processed)
	}
}

func TestFederationDecline(t *testing.T) {
	y, tz, _, _ := newPair(t)
	l := mustListing(t, y.x, sampleListing())
	if _, err := y.fed.Share(ctx, staff, l.ID, taizhou); err != nil {
		t.Fatal(err)
	}
	if _, err := tz.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	profs, _ := tz.fed.Profiles(ctx, staff)
	// A broker's staff member expresses interest on the organization's
	// behalf: the interest is the staff member's desk's.
	in, err := tz.fed.ExpressInterest(ctx, staff, profs[0].ID, federation.NewInterest{Org: bidderA})
	if err != nil || in.Broker != "marine-tech" {
		t.Fatalf("interest by the desk: %v %+v", err, in)
	}
	if got, _ := tz.fed.Interests(ctx, enterprise(bidderA)); len(got) != 1 {
		t.Errorf("the interested organization sees %d interests", len(got))
	}
	if _, err := y.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	recv, _ := y.fed.Interests(ctx, staff)
	dec, err := y.fed.Respond(ctx, staff, recv[0].ID, federation.Answer{Reason: "已与他方达成意向"})
	if err != nil || dec.Status != federation.InterestDeclined {
		t.Fatalf("decline by the desk: %v %+v", err, dec)
	}
	if _, err := tz.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mine, _ := tz.fed.Interests(ctx, enterprise(bidderA))
	if len(mine) != 1 || mine[0].Status != federation.InterestDeclined || mine[0].Reason != "已与他方达成意向" || mine[0].Counterpart != nil {
		t.Errorf("declined interest at Taizhou: %+v", mine)
	}
}

func TestFederationRejects(t *testing.T) {
	y, tz, tr, _ := newPair(t)
	l := sampleListing()
	l.Summary = "王海团队研发的深远海网箱水质在线监测系统。"
	l = mustListing(t, y.x, l)
	_, err := y.fed.Share(ctx, staff, l.ID, taizhou)
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "summary" || ve.Fields[0].Code != "leak" {
		t.Errorf("a profile naming a person: got %v", err)
	}
	if len(tr.Sent()) != 0 {
		t.Fatalf("a refused profile was sent")
	}

	good := federation.Profile{ID: "list-000001", Region: yangpu, Broker: "marine-tech", Kind: "technology_offer", Title: "水质监测系统", Summary: "在线监测网箱水质。",
		Mode: broker.ModeTransfer, Method: exchange.MethodFixed, Price: decimal.NewFromInt(1)}
	send := func(m federation.Message) {
		b, _ := json.Marshal(m)
		_ = tr.Send(ctx, taizhou, b)
	}
	phone := good
	phone.Summary = "详询 13912345678"
	patent := good
	patent.Benefits = []string{"已获授权 ZL202110123456.7"}
	send(federation.Message{ID: "m1", Type: federation.MsgProfile, From: rogue, To: taizhou, Profile: &federation.Profile{ID: "x", Region: rogue, Kind: "technology_offer", Title: "t", Summary: "s"}})
	send(federation.Message{ID: "m2", Type: federation.MsgProfile, From: yangpu, To: taizhou, Profile: &phone})
	send(federation.Message{ID: "m3", Type: federation.MsgProfile, From: yangpu, To: taizhou, Profile: &patent})
	_ = tr.Send(ctx, taizhou, []byte(`{"id":"m4","type":"profile",`))
	send(federation.Message{ID: "m5", Type: federation.MsgAccept, From: yangpu, To: taizhou, Interest: &federation.InterestMsg{ID: "nope"}})
	send(federation.Message{ID: "m6", Type: federation.MsgProfile, From: yangpu, To: taizhou, Profile: &good})
	rep, err := tz.fed.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Processed != 6 || len(rep.Rejected) != 5 {
		t.Fatalf("got %d processed, %d rejected (%v); want 6, 5", rep.Processed, len(rep.Rejected), rep.Rejected)
	}
	wants := []string{"region 999999", "phone number", "patent number", "malformed message", "no interest"}
	for i, w := range wants {
		var fe *federation.Error
		if !errors.As(rep.Rejected[i], &fe) || !strings.Contains(rep.Rejected[i].Error(), w) {
			t.Errorf("rejection %d: got %v, want a federation.Error mentioning %q", i, rep.Rejected[i], w)
		}
	}
	if !errors.Is(rep.Rejected[0], federation.ErrNoAgreement) || !errors.Is(rep.Rejected[1], broker.ErrInvalid) {
		t.Errorf("rejection classes: %v / %v", rep.Rejected[0], rep.Rejected[1])
	}
	profs, _ := tz.fed.Profiles(ctx, staff)
	if len(profs) != 1 || profs[0].Profile.Title != good.Title {
		t.Errorf("stored profiles: %+v", profs)
	}
	// An interest carrying contact data is refused at the owner's side.
	b, _ := json.Marshal(federation.Message{ID: "m7", Type: federation.MsgInterest, From: taizhou, To: yangpu,
		Interest: &federation.InterestMsg{ID: "i1", Profile: l.ID, Org: bidderA, Contact: &federation.PartyContact{Org: bidderA, Phone: "0576-88000000"}}})
	_ = tr.Send(ctx, yangpu, b)
	rep, _ = y.fed.Sync(ctx)
	if len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Error(), "contact data before acceptance") {
		t.Errorf("interest with contact: %+v", rep)
	}
	// The same interest twice: the second is refused, the first kept.
	b, _ = json.Marshal(federation.Message{ID: "m8", Type: federation.MsgInterest, From: taizhou, To: yangpu,
		Interest: &federation.InterestMsg{ID: "i2", Profile: l.ID, Org: bidderA}})
	_, _ = tr.Send(ctx, yangpu, b), tr.Send(ctx, yangpu, b)
	rep, err = y.fed.Sync(ctx)
	if err != nil || rep.Processed != 2 || len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Error(), "already received") {
		t.Errorf("a repeated interest: %+v %v", rep, err)
	}
	if got, _ := y.fed.Interests(ctx, admin); len(got) != 1 {
		t.Errorf("interests after a repeat: %d, want 1", len(got))
	}
}

func TestFederationConfig(t *testing.T) {
	x := newSystem(t, &clock{t: start})
	tr := federation.NewMemoryTransport()
	bad := []struct {
		o      federation.Options
		fields string
	}{
		{federation.Options{Region: federation.Region{Code: "杨浦"}, Transport: tr}, "region.code"},
		{federation.Options{Region: federation.Region{Code: yangpu}}, "transport"},
		{federation.Options{Region: federation.Region{Code: yangpu}, Transport: tr, Agreements: []federation.Agreement{{Meta: broker.Meta{ID: "x"}, A: taizhou, B: tongling, Signed: start}}}, "agreements[0]"},
		{federation.Options{Region: federation.Region{Code: taizhou}, Transport: tr, Workstations: []federation.Workstation{taizhouWS}}, "workstations[0].agreement"},
		{federation.Options{Region: federation.Region{Code: taizhou}, Transport: tr, Agreements: []federation.Agreement{taizhouAgreement},
			Workstations: []federation.Workstation{{Meta: broker.Meta{ID: "w"}, Name: "n", Host: taizhou, Home: tongling, Agreement: "ws-taizhou"}}}, "workstations[0].agreement"},
		{federation.Options{Region: federation.Region{Code: taizhou}, Transport: tr, Service: staff}, "service"},
	}
	for i, tt := range bad {
		_, err := federation.New(x.System(), x, &tt.o)
		var ve *broker.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, broker.ErrInvalid) || ve.Fields[0].Field != tt.fields {
			t.Errorf("config %d: got %v, want ErrInvalid on %s", i, err, tt.fields)
		}
	}
	if _, err := federation.New(x.System(), nil, nil); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("nil options: got %v, want ErrInvalid (region and transport are required)", err)
	}
	if _, err := federation.New(x.System(), newSystem(t, &clock{t: start}), &federation.Options{Region: federation.Region{Code: taizhou}, Transport: tr}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("an exchange of another System: got %v, want ErrInvalid", err)
	}
	f, err := federation.New(x.System(), nil, &federation.Options{Region: federation.Region{Code: taizhou, Name: "台州"}, Transport: tr,
		Agreements: []federation.Agreement{taizhouAgreement}, Workstations: []federation.Workstation{taizhouWS}})
	if err != nil || f.Workstations()[0].Name != "海洋技术交易平台台州工作站" || f.Region().Name != "台州" || f.Exchange().System() != x.System() {
		t.Errorf("good config: %v", err)
	}
	expired := taizhouAgreement
	expired.Expires = start
	if expired.ActiveAt(start) || !expired.ActiveAt(start.Add(-time.Hour)) {
		t.Errorf("agreement expiry")
	}
}

// An expired profile takes no interest, and an agreement that ended stops
// both sharing and interests.
func TestFederationExpiry(t *testing.T) {
	y, tz, _, clk := newPair(t)
	l := mustListing(t, y.x, sampleListing())
	if _, err := y.fed.Share(ctx, staff, l.ID, taizhou); err != nil {
		t.Fatal(err)
	}
	if _, err := tz.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	profs, _ := tz.fed.Profiles(ctx, staff)
	clk.Add(91 * 24 * time.Hour)
	if got, _ := tz.fed.Profiles(ctx, staff); len(got) != 0 {
		t.Errorf("expired profiles listed: %d", len(got))
	}
	if _, err := tz.fed.ExpressInterest(ctx, enterprise(bidderA), profs[0].ID, federation.NewInterest{Org: bidderA}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("interest in an expired profile: got %v, want ErrConflict", err)
	}
	if _, err := y.fed.Share(ctx, staff, l.ID, taizhou); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("share an expired listing: got %v, want ErrConflict", err)
	}
}

// Merging organizations rewrites the federation's references: the
// interested organization at the interested side, the listing's owner at
// the owner's side; the kept organization's principals then see the
// interests, and no reference dangles.
func TestMergeRewritesInterests(t *testing.T) {
	y, tz, _, _ := newPair(t)
	org := func(n node, name string, role broker.OrgRole) broker.Organization {
		o, err := n.sys.Organizations.Create(ctx, admin, broker.Organization{Name: name, Roles: []broker.OrgRole{role}})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	keep, dup := org(y, ownerU, broker.OrgUniversity), org(y, "上海水产大学", broker.OrgUniversity)
	buyer, buyerDup := org(tz, bidderA, broker.OrgEnterprise), org(tz, "台州渔业装备公司", broker.OrgEnterprise)
	l := sampleListing()
	l.Owner, l.OwnerID, l.IPRights[0].Owners, l.Origin.Unit = dup.Name, dup.ID, []string{dup.ID}, dup.ID
	l = mustListing(t, y.x, l)
	if _, err := y.fed.Share(ctx, staff, l.ID, taizhou); err != nil {
		t.Fatal(err)
	}
	if _, err := tz.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	profs, _ := tz.fed.Profiles(ctx, staff)
	if _, err := tz.fed.ExpressInterest(ctx, enterprise(buyerDup.ID), profs[0].ID, federation.NewInterest{Org: buyerDup.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := y.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := y.sys.MergeOrganizations(ctx, admin, keep.ID, dup.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := tz.sys.MergeOrganizations(ctx, admin, buyer.ID, buyerDup.ID); err != nil {
		t.Fatal(err)
	}
	recv, err := y.fed.Interests(ctx, broker.InstitutionUser("u", keep.ID))
	if err != nil || len(recv) != 1 || recv[0].OwnerID != keep.ID || recv[0].Owner != keep.Name {
		t.Errorf("the kept owner's interests at Yangpu: %v %+v", err, recv)
	}
	mine, err := tz.fed.Interests(ctx, enterprise(buyer.ID))
	if err != nil || len(mine) != 1 || mine[0].Org != buyer.ID {
		t.Errorf("the kept buyer's interests at Taizhou: %v %+v", err, mine)
	}
	// The other region knows the interested organization by its name, not
	// by this registry's ID.
	if len(recv) == 1 && recv[0].RemoteOrg != buyerDup.Name {
		t.Errorf("Yangpu knows the interested party as %q, want %q", recv[0].RemoteOrg, buyerDup.Name)
	}
	for _, n := range []node{y, tz} {
		if dangling, err := n.sys.DanglingOrgReferences(ctx, admin); err != nil || len(dangling) != 0 {
			t.Errorf("dangling references: %v %v", dangling, err)
		}
	}
}

// FuzzSync: whatever bytes arrive in its feed, a node handles each message
// once — storing it or refusing it with a reason — and never fails or
// panics.
func FuzzSync(f *testing.F) {
	good := federation.Profile{ID: "list-000001", Region: yangpu, Broker: "marine-tech", Kind: federation.TechnologyOffer, Title: "水质监测系统", Summary: "在线监测网箱水质。",
		Mode: broker.ModeTransfer, Method: exchange.MethodFixed, Price: d("1")}
	for _, m := range []federation.Message{
		{ID: "m1", Type: federation.MsgProfile, From: yangpu, To: taizhou, Profile: &good},
		{ID: "m2", Type: federation.MsgInterest, From: yangpu, To: taizhou, Interest: &federation.InterestMsg{ID: "i1", Profile: "list-000001", Org: "某公司"}},
		{ID: "m3", Type: federation.MsgAccept, From: yangpu, To: taizhou, Interest: &federation.InterestMsg{ID: "fed_-000001", Contact: &federation.PartyContact{Phone: "1"}}},
		{ID: "m4", Type: federation.MsgIntroduce, From: yangpu, To: taizhou, Interest: &federation.InterestMsg{ID: "x"}},
	} {
		b, _ := json.Marshal(m)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"m5","type":"profile","from":"310110","to":"331000","profile":{"id":"\u0000","region":"310110","indicators":[{}],"comparison":{},"ip":[{}],"price":"1e400"}}`))
	f.Add([]byte(`{`))
	_, tz, tr, _ := newPair(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := tr.Send(ctx, taizhou, body); err != nil {
			t.Fatal(err)
		}
		rep, err := tz.fed.Sync(ctx)
		if err != nil || rep.Processed != 1 {
			t.Fatalf("sync of %q: %+v %v", body, rep, err)
		}
		for _, r := range rep.Rejected {
			var fe *federation.Error
			if !errors.As(r, &fe) || r.Error() == "" {
				t.Errorf("a refusal without its reason: %v", r)
			}
		}
	})
}
