package broker_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
)

const (
	yangpu   = "310110"
	taizhou  = "331000"
	tongling = "340700"
	rogue    = "999999"
)

var (
	agreementTaizhou  = broker.Agreement{ID: "ws-taizhou", A: yangpu, B: taizhou, Kind: "workstation", Signed: time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC)}
	agreementTongling = broker.Agreement{ID: "coop-tongling", A: yangpu, B: tongling, Kind: "cooperation", Signed: time.Date(2021, 4, 1, 0, 0, 0, 0, time.UTC), Brokers: []string{"info-eng"}}
	taizhouWS         = broker.Workstation{ID: "taizhou-marine", Name: "海洋技术交易平台台州工作站", Host: taizhou, Home: yangpu, Broker: "marine-tech", Agreement: "ws-taizhou", Opened: time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC)}
)

type fedNode struct {
	sys *broker.System
	fed *broker.Federation
}

func newFedPair(t *testing.T) (y, tz fedNode, tr *broker.MemoryTransport, clk *exClock) {
	t.Helper()
	tr = broker.NewMemoryTransport()
	clk = &exClock{t: exStart}
	mk := func(code, name string, ag []broker.Agreement, ws []broker.Workstation) fedNode {
		sys, err := broker.Build(exCtx, memstore.New(), broker.Yangpu(), exAdmin, &broker.Options{NewID: broker.SequentialIDs(), Clock: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sys.Close() })
		fed, err := broker.NewFederation(sys, broker.FederationOptions{Region: broker.Region{Code: code, Name: name}, Agreements: ag, Workstations: ws, Transport: tr})
		if err != nil {
			t.Fatal(err)
		}
		return fedNode{sys, fed}
	}
	y = mk(yangpu, "上海市杨浦区", []broker.Agreement{agreementTaizhou, agreementTongling}, nil)
	tz = mk(taizhou, "浙江省台州市", []broker.Agreement{agreementTaizhou}, []broker.Workstation{taizhouWS})
	return
}

// secrets are strings that must never cross the boundary before acceptance.
func secrets(l broker.Listing) []string {
	return []string{l.Owner, l.ContactPerson, l.Contact.Phone, l.Contact.Email, l.IPRights[0].Number, "张伟", "李娜", "0576-88000000", "buyer@example.com", "赵经理"}
}

func TestFederationRoundTrip(t *testing.T) {
	y, tz, tr, _ := newFedPair(t)
	a, err := y.sys.Achievements.Create(exCtx, exStaff, broker.Achievement{Title: "水质监测", Owner: "上海海洋大学", Meta: broker.Meta{Broker: "marine-tech"},
		Inventors: []broker.Inventor{{Name: "张伟", Share: d("60")}, {Name: "李娜", Share: d("40")}}})
	if err != nil {
		t.Fatal(err)
	}
	l := sampleListing(broker.MethodFixed)
	l.Achievement = a.ID
	l = mustListing(t, y.sys, l, time.Time{})

	if _, err := y.fed.Share(exCtx, exStaff, l.ID, rogue); !errors.Is(err, broker.ErrNoAgreement) || !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("share with a region without agreement: got %v", err)
	}
	if _, err := y.fed.Share(exCtx, exStaff, l.ID, tongling); !errors.Is(err, broker.ErrNoAgreement) {
		t.Errorf("share outside the agreement's brokers: got %v", err)
	}
	prof, err := y.fed.Share(exCtx, exStaff, l.ID, taizhou)
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.IP) != 1 || prof.IP[0].Type != broker.InventionPatent || !prof.Price.Equal(d("1200000")) {
		t.Errorf("profile: %+v", prof)
	}
	rep, err := tz.fed.Sync(exCtx)
	if err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Taizhou: %+v %v", rep, err)
	}
	profs, err := tz.fed.Profiles(exCtx, enterprise(bidderA))
	if err != nil || len(profs) != 1 || profs[0].Profile.Title != l.Title {
		t.Fatalf("profiles at Taizhou: %v %+v", err, profs)
	}
	if _, err := tz.fed.Profiles(exCtx, broker.Anonymous()); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("anonymous profiles: got %v", err)
	}
	own := broker.PartyContact{Person: "赵经理", Phone: "0576-88000000", Email: "buyer@example.com"}
	if _, err := tz.fed.ExpressInterest(exCtx, enterprise(bidderA), profs[0].ID, bidderA, "请联系 buyer@example.com", own); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("contact data in the note: got %v", err)
	}
	if _, err := tz.fed.ExpressInterest(exCtx, enterprise(bidderB), profs[0].ID, bidderA, "", own); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("interest for another org: got %v", err)
	}
	in, err := tz.fed.ExpressInterest(exCtx, enterprise(bidderA), profs[0].ID, bidderA, "拟在台州网箱养殖基地试用", own)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := y.fed.Sync(exCtx); err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Yangpu: %+v %v", rep, err)
	}
	recv, err := y.fed.Interests(exCtx, broker.InstitutionUser("u1", "上海海洋大学"))
	if err != nil || len(recv) != 1 || recv[0].Org != bidderA || recv[0].Status != broker.InterestReceived || recv[0].Counterpart != nil {
		t.Fatalf("interests at Yangpu seen by the owner: %v %+v", err, recv)
	}
	if got, _ := y.fed.Interests(exCtx, enterprise(bidderB)); len(got) != 0 {
		t.Errorf("a stranger sees %d interests", len(got))
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

	if _, err := y.fed.Respond(exCtx, enterprise(bidderB), recv[0].ID, true, ""); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("a stranger accepts: got %v", err)
	}
	acc, err := y.fed.Respond(exCtx, broker.InstitutionUser("u1", "上海海洋大学"), recv[0].ID, true, "")
	if err != nil || acc.Status != broker.InterestAccepted {
		t.Fatalf("accept: %v %+v", err, acc)
	}
	if _, err := y.fed.Respond(exCtx, exStaff, recv[0].ID, false, "again"); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("answer twice: got %v", err)
	}
	last := tr.Sent()[len(tr.Sent())-1]
	var m broker.Message
	if err := json.Unmarshal(last.Body, &m); err != nil || m.Type != broker.MsgAccept || m.Interest.Contact.Phone != l.Contact.Phone {
		t.Fatalf("accept message: %v %s", err, last.Body)
	}
	if rep, err := tz.fed.Sync(exCtx); err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Taizhou after acceptance: %+v %v", rep, err)
	}
	mine, _ := tz.fed.Interests(exCtx, enterprise(bidderA))
	if len(mine) != 1 || mine[0].ID != in.ID || mine[0].Status != broker.InterestAccepted || mine[0].Counterpart == nil ||
		mine[0].Counterpart.Email != l.Contact.Email || mine[0].Counterpart.Org != "上海海洋大学" {
		t.Fatalf("interest at Taizhou after acceptance: %+v", mine)
	}
	if rep, err := y.fed.Sync(exCtx); err != nil || rep.Processed != 1 {
		t.Fatalf("introduction at Yangpu: %+v %v", rep, err)
	}
	recv, _ = y.fed.Interests(exCtx, exStaff)
	if recv[0].Counterpart == nil || recv[0].Counterpart.Phone != own.Phone {
		t.Errorf("Yangpu did not get the interested party's contact: %+v", recv[0])
	}
	// Sync is idempotent: nothing new.
	if rep, _ := tz.fed.Sync(exCtx); rep.Processed != 0 {
		t.Errorf("second sync processed %d", rep.Processed)
	}
}

func TestFederationRejects(t *testing.T) {
	y, tz, tr, _ := newFedPair(t)
	l := sampleListing(broker.MethodFixed)
	l.Summary = "王海团队研发的深远海网箱水质在线监测系统。"
	l = mustListing(t, y.sys, l, time.Time{})
	_, err := y.fed.Share(exCtx, exStaff, l.ID, taizhou)
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "summary" || ve.Fields[0].Code != "leak" {
		t.Errorf("a profile naming a person: got %v", err)
	}
	if len(tr.Sent()) != 0 {
		t.Fatalf("a refused profile was sent")
	}

	good := broker.Profile{ID: "list-000001", Region: yangpu, Broker: "marine-tech", Kind: "technology_offer", Title: "水质监测系统", Summary: "在线监测网箱水质。",
		Mode: broker.ModeTransfer, Method: broker.MethodFixed, Price: decimal.NewFromInt(1)}
	send := func(m broker.Message) {
		b, _ := json.Marshal(m)
		_ = tr.Send(exCtx, taizhou, b)
	}
	phone := good
	phone.Summary = "详询 13912345678"
	patent := good
	patent.Benefits = []string{"已获授权 ZL202110123456.7"}
	send(broker.Message{ID: "m1", Type: broker.MsgProfile, From: rogue, To: taizhou, Profile: &broker.Profile{ID: "x", Region: rogue, Kind: "technology_offer", Title: "t", Summary: "s"}})
	send(broker.Message{ID: "m2", Type: broker.MsgProfile, From: yangpu, To: taizhou, Profile: &phone})
	send(broker.Message{ID: "m3", Type: broker.MsgProfile, From: yangpu, To: taizhou, Profile: &patent})
	_ = tr.Send(exCtx, taizhou, []byte(`{"id":"m4","type":"profile",`))
	send(broker.Message{ID: "m5", Type: broker.MsgAccept, From: yangpu, To: taizhou, Interest: &broker.InterestMsg{ID: "nope"}})
	send(broker.Message{ID: "m6", Type: broker.MsgProfile, From: yangpu, To: taizhou, Profile: &good})
	rep, err := tz.fed.Sync(exCtx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Processed != 6 || len(rep.Rejected) != 5 {
		t.Fatalf("got %d processed, %d rejected (%v); want 6, 5", rep.Processed, len(rep.Rejected), rep.Rejected)
	}
	wants := []string{"region 999999", "phone number", "patent number", "malformed message", "no interest"}
	for i, w := range wants {
		var fe *broker.FederationError
		if !errors.As(rep.Rejected[i], &fe) || !strings.Contains(rep.Rejected[i].Error(), w) {
			t.Errorf("rejection %d: got %v, want a FederationError mentioning %q", i, rep.Rejected[i], w)
		}
	}
	if !errors.Is(rep.Rejected[0], broker.ErrNoAgreement) || !errors.Is(rep.Rejected[1], broker.ErrInvalid) {
		t.Errorf("rejection classes: %v / %v", rep.Rejected[0], rep.Rejected[1])
	}
	profs, _ := tz.fed.Profiles(exCtx, exStaff)
	if len(profs) != 1 || profs[0].Profile.Title != good.Title {
		t.Errorf("stored profiles: %+v", profs)
	}
	// An interest carrying contact data is refused at the owner's side.
	b, _ := json.Marshal(broker.Message{ID: "m7", Type: broker.MsgInterest, From: taizhou, To: yangpu,
		Interest: &broker.InterestMsg{ID: "i1", Profile: l.ID, Org: bidderA, Contact: &broker.PartyContact{Org: bidderA, Phone: "0576-88000000"}}})
	_ = tr.Send(exCtx, yangpu, b)
	rep, _ = y.fed.Sync(exCtx)
	if len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Error(), "contact data before acceptance") {
		t.Errorf("interest with contact: %+v", rep)
	}
}

func TestFederationConfig(t *testing.T) {
	sys, _ := newExchange(t)
	tr := broker.NewMemoryTransport()
	bad := []broker.FederationOptions{
		{Region: broker.Region{Code: "杨浦"}, Transport: tr},
		{Region: broker.Region{Code: yangpu}},
		{Region: broker.Region{Code: yangpu}, Transport: tr, Agreements: []broker.Agreement{{ID: "x", A: taizhou, B: tongling, Signed: exStart}}},
		{Region: broker.Region{Code: taizhou}, Transport: tr, Workstations: []broker.Workstation{taizhouWS}},
		{Region: broker.Region{Code: taizhou}, Transport: tr, Agreements: []broker.Agreement{agreementTaizhou},
			Workstations: []broker.Workstation{{ID: "w", Name: "n", Host: taizhou, Home: tongling, Agreement: "ws-taizhou"}}},
	}
	for i, o := range bad {
		if _, err := broker.NewFederation(sys, o); !errors.Is(err, broker.ErrInvalid) {
			t.Errorf("config %d: got %v, want ErrInvalid", i, err)
		}
	}
	f, err := broker.NewFederation(sys, broker.FederationOptions{Region: broker.Region{Code: taizhou, Name: "台州"}, Transport: tr,
		Agreements: []broker.Agreement{agreementTaizhou}, Workstations: []broker.Workstation{taizhouWS}})
	if err != nil || f.Workstations()[0].Name != "海洋技术交易平台台州工作站" {
		t.Errorf("good config: %v", err)
	}
	expired := agreementTaizhou
	expired.Expires = exStart
	if expired.ActiveAt(exStart) || !expired.ActiveAt(exStart.Add(-time.Hour)) {
		t.Errorf("agreement expiry")
	}
}

// FuzzCheckProfile: the profile check never panics and never accepts a
// profile whose summary carries an e-mail address.
func FuzzCheckProfile(f *testing.F) {
	f.Add("在线监测网箱水质", "a@b.cn")
	f.Add("ZL202110123456.7", "")
	f.Fuzz(func(t *testing.T, summary, email string) {
		p := broker.Profile{ID: "l", Region: yangpu, Kind: "technology_offer", Title: "t", Summary: summary + " " + email}
		err := broker.CheckProfile(p)
		if strings.Contains(email, "@b.cn") && strings.HasPrefix(email, "a@") && err == nil {
			t.Errorf("accepted an e-mail address: %q", p.Summary)
		}
	})
}
