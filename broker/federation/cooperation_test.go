package federation_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
)

// Agreements between organizations are records: signed with their parties
// and kind, read by everyone when public and by their parties always,
// written only by their operations; an intent agreement is fulfilled once,
// while in force, and only an intent agreement is.
func TestAgreementRecords(t *testing.T) {
	y, _, _, clk := newPair(t)
	coop := y.fed.Cooperation()
	strategic, err := coop.Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementStrategic, Title: "战略合作协议",
		Parties: []string{"上海技术交易所", "中国科协学会学术部"}, Signed: time.Date(2020, 10, 28, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	intent, err := coop.Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementIntent, Title: "关于培育细分领域技术券商“样板间”意向合作协议",
		Parties: []string{"上海市杨浦区科学技术协会", "上海技术交易所", "无锡市科学技术协会"}, A: yangpu, B: "320200",
		Signed: time.Date(2021, 4, 20, 0, 0, 0, 0, time.UTC), Purpose: "在无锡培育细分领域技术券商样板间"})
	if err != nil {
		t.Fatal(err)
	}
	// Validation lists every bad field; only the operations write them.
	_, err = coop.Sign(ctx, admin, federation.Agreement{Kind: "handshake", A: yangpu})
	var ve *broker.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("bad agreement: got %v, want a ValidationError", err)
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Field)
	}
	if want := []string{"kind", "b", "signed"}; !containsAll(got, want) {
		t.Errorf("bad agreement: fields %v, want at least %v", got, want)
	}
	if _, err := coop.Sign(ctx, staff, federation.Agreement{Kind: federation.AgreementCooperation, Parties: []string{"x"}, Signed: start}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("a desk signs for the platform: got %v", err)
	}
	for _, p := range []broker.Principal{enterprise(bidderA), broker.Overseer("kx", "杨浦区科协"), broker.Anonymous()} {
		if _, err := coop.Agreements.Get(ctx, p, intent.ID); err != nil {
			t.Errorf("%s reads a public agreement: %v", p.Role, err)
		}
	}
	f := federation.Fulfilment{Blueprint: "无锡市技术券商“3+3+N”模式", Region: "320200", Rooms: []string{"iot", "ic-design"}}
	if _, err := coop.Fulfil(ctx, admin, strategic.ID, f); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("fulfil a strategic agreement: got %v, want ErrConflict", err)
	}
	if _, err := coop.Fulfil(ctx, staff, intent.ID, f); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("a desk fulfils an agreement: got %v", err)
	}
	if _, err := coop.Agreements.Modify(ctx, admin, intent.ID, func(a *federation.Agreement) error {
		a.Fulfilled, a.FulfilledBy = clk.Now(), &f
		return nil
	}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("a plain write records a fulfilment: got %v, want the guard's ErrInvalid", err)
	}
	done, err := coop.Fulfil(ctx, admin, intent.ID, f)
	if err != nil {
		t.Fatal(err)
	}
	if done.FulfilledBy == nil || !slices.Equal(done.FulfilledBy.Rooms, f.Rooms) || !done.Fulfilled.Equal(clk.Now()) {
		t.Errorf("fulfilled: %+v at %v", done.FulfilledBy, done.Fulfilled)
	}
	if _, err := coop.Fulfil(ctx, admin, intent.ID, f); !errors.Is(err, federation.ErrFulfilled) || !errors.Is(err, broker.ErrConflict) {
		t.Errorf("fulfil twice: got %v", err)
	}
	// An agreement not yet in force is not fulfilled.
	later, err := coop.Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementIntent, Parties: []string{"嘉兴市科学技术协会"},
		Signed: clk.Now().AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := coop.Fulfil(ctx, admin, later.ID, f); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("fulfil before signing: got %v", err)
	}
}

func containsAll(got, want []string) bool {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

// A stored agreement between regions lets profiles flow as a configured
// one does: Tongling's node knows only the stored agreement.
func TestStoredAgreementCarriesProfiles(t *testing.T) {
	y, _, tr, _ := newPair(t)
	l := mustListing(t, y.x, sampleListing())
	if _, err := y.fed.Share(ctx, staff, l.ID, "320200"); !errors.Is(err, federation.ErrNoAgreement) {
		t.Fatalf("share before signing: got %v", err)
	}
	if _, err := y.fed.Cooperation().Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementIntent,
		Parties: []string{"上海市杨浦区科学技术协会", "无锡市科学技术协会"}, A: yangpu, B: "320200", Signed: start.AddDate(0, -1, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := y.fed.Share(ctx, staff, l.ID, "320200"); err != nil {
		t.Fatalf("share under the stored agreement: %v", err)
	}
	wx := newSystem(t, &clock{t: start})
	node, err := federation.New(wx.System(), wx, &federation.Options{Region: federation.Region{Code: "320200", Name: "江苏省无锡市"}, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.Cooperation().Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementIntent,
		Parties: []string{"上海市杨浦区科学技术协会", "无锡市科学技术协会"}, A: yangpu, B: "320200", Signed: start.AddDate(0, -1, 0)}); err != nil {
		t.Fatal(err)
	}
	rep, err := node.Sync(ctx)
	if err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Wuxi: %+v %v", rep, err)
	}
}

// Federation shares demands as well as offers: a technology request
// profile without the enterprise's name, refused when a text names it;
// an organization of the other region answers it, and the enterprise's
// acceptance reveals its contact.
func TestDemandSharing(t *testing.T) {
	y, tz, tr, _ := newPair(t)
	ent, err := tz.sys.Organizations.Create(ctx, admin, broker.Organization{Name: "台州海盛水产食品有限公司", Roles: []broker.OrgRole{broker.OrgEnterprise},
		Contacts: []broker.OrgContact{{Name: "林海涛", Phone: "0576-88123456", Email: "lin@haisheng.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	dem := broker.Demand{Meta: broker.Meta{Broker: "marine-tech", Visibility: broker.Members}, Enterprise: ent.Name, EnterpriseID: ent.ID,
		Title: "寻求大黄鱼养殖智能投喂技术", Problem: "我公司网箱养殖饵料浪费严重，希望引进机器视觉摄食识别与智能投喂系统。",
		IndustryCodes: []string{"A04"}, MinReadiness: broker.Readiness{Scale: broker.NASATRL, Level: 6},
		Budget: broker.Range{Min: d("300000"), Max: d("1500000")}}
	wsStaff := broker.BrokerStaff("tz-staff", "marine-tech")
	dm, err := tz.sys.Demands.Create(ctx, wsStaff, dem)
	if err != nil {
		t.Fatal(err)
	}
	leaky := dem
	leaky.Title, leaky.Problem = "海盛水产需求", "台州海盛水产食品有限公司网箱养殖饵料浪费严重。"
	lk, err := tz.sys.Demands.Create(ctx, wsStaff, leaky)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tz.fed.ShareDemand(ctx, wsStaff, lk.ID, yangpu); !errors.Is(err, broker.ErrInvalid) || !strings.Contains(err.Error(), "台州海盛水产食品有限公司") {
		t.Errorf("a demand naming its enterprise: got %v, want a leak error", err)
	}
	if _, err := tz.fed.ShareDemand(ctx, other, dm.ID, yangpu); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk shares the demand: got %v", err)
	}
	if _, err := tz.fed.ShareDemand(ctx, wsStaff, dm.ID, tongling); !errors.Is(err, federation.ErrNoAgreement) {
		t.Errorf("share with a region without agreement: got %v", err)
	}
	prof, err := tz.fed.ShareDemand(ctx, wsStaff, dm.ID, yangpu)
	if err != nil {
		t.Fatal(err)
	}
	if prof.Kind != federation.TechnologyRequest || !prof.Price.Equal(d("1500000")) || prof.Readiness.Level != 6 || prof.Method != "" {
		t.Errorf("request profile: %+v", prof)
	}
	for _, m := range tr.Sent() {
		for _, s := range []string{ent.Name, ent.ID, "林海涛", "0576-88123456"} {
			if strings.Contains(string(m.Body), s) {
				t.Errorf("the request's message carries %q before acceptance", s)
			}
		}
	}
	if rep, err := y.fed.Sync(ctx); err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Yangpu: %+v %v", rep, err)
	}
	profs, err := y.fed.Profiles(ctx, owner)
	if err != nil || len(profs) != 1 || profs[0].Profile.Kind != federation.TechnologyRequest {
		t.Fatalf("profiles at Yangpu: %v %+v", err, profs)
	}
	// Shanghai Ocean University has a solution: the marine desk sends its
	// interest on the university's behalf.
	in, err := y.fed.ExpressInterest(ctx, staff, profs[0].ID, federation.NewInterest{Org: ownerU, Note: "我校有机器视觉摄食识别成果，可许可实施",
		Contact: federation.PartyContact{Person: "王海", Phone: "021-61900000"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := tz.fed.Sync(ctx); err != nil || rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("sync at Taizhou: %+v %v", rep, err)
	}
	me := broker.EnterpriseUser("u-hs", ent.ID)
	ins, err := tz.fed.Interests(ctx, me)
	if err != nil || len(ins) != 1 || ins[0].Title != dem.Title {
		t.Fatalf("the enterprise's interests: %v %+v", err, ins)
	}
	if _, err := tz.fed.Respond(ctx, me, ins[0].ID, federation.Answer{Accept: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := y.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := y.fed.Interests(ctx, staff)
	if err != nil || len(got) != 1 || got[0].ID != in.ID || got[0].Status != federation.InterestAccepted || got[0].Counterpart == nil ||
		got[0].Counterpart.Person != "林海涛" || got[0].Counterpart.Org != ent.Name {
		t.Errorf("after acceptance Yangpu holds %+v", got)
	}
	// A closed demand is no longer shared.
	if _, err := tz.sys.MoveDemand(ctx, wsStaff, dm.ID, broker.DemandMove{To: broker.DemandUnresolvable, Reason: "企业已自行解决", Version: mustDemand(t, tz.sys, dm.ID).Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := tz.fed.ShareDemand(ctx, wsStaff, dm.ID, yangpu); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("share a closed demand: got %v", err)
	}
}

func mustDemand(t testing.TB, sys *broker.System, id string) broker.Demand {
	t.Helper()
	d, err := sys.Demands.Get(ctx, admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The Taizhou workstation is a record with behaviour: opened under a
// stored agreement, it collects its region's offers and requests at its
// desk and forwards each home once; what it may not share it skips and
// reports.
func TestWorkstationForwards(t *testing.T) {
	y, tz, _, clk := newPair(t)
	coop := tz.fed.Cooperation()
	ag, err := coop.Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementWorkstation, Title: "上海国际海洋技术交易服务平台台州工作站",
		Parties: []string{"上海市杨浦区科学技术协会", "台州市科学技术协会"}, A: yangpu, B: taizhou, Signed: signed, Brokers: []string{"marine-tech"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := coop.Open(ctx, admin, federation.Workstation{Meta: broker.Meta{ID: "bad", Broker: "marine-tech"}, Name: "x", Host: taizhou, Home: tongling,
		Agreement: ag.ID, Opened: signed}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("a workstation the agreement does not cover: got %v", err)
	}
	ws, err := coop.Open(ctx, admin, federation.Workstation{Meta: broker.Meta{ID: "tz-marine", Broker: "marine-tech"}, Name: "上海国际海洋技术交易服务平台台州工作站",
		Host: taizhou, Home: yangpu, Agreement: ag.ID, Opened: time.Date(2020, 12, 15, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	wsStaff := broker.BrokerStaff("tz-staff", "marine-tech")
	// Taizhou's offers: two open listings of the desk, one draft, one of
	// another desk; a demand of the desk and a confidential one.
	l1 := mustListing(t, tz.x, sampleListing())
	l2 := sampleListing()
	l2.Title = "大黄鱼网箱智能投喂系统"
	l2 = mustListing(t, tz.x, l2)
	if _, err := tz.x.CreateListing(ctx, staff, sampleListing()); err != nil { // a draft
		t.Fatal(err)
	}
	info := sampleListing()
	info.Broker, info.Title = "info-eng", "工业视觉缺陷识别系统"
	if _, err := tz.x.CreateListing(ctx, other, info); err != nil {
		t.Fatal(err)
	}
	dm, err := tz.sys.Demands.Create(ctx, wsStaff, broker.Demand{Meta: broker.Meta{Broker: "marine-tech"}, Enterprise: "台州海盛水产食品有限公司",
		Title: "寻求渔获物超低温保鲜技术", Problem: "远洋渔获物保鲜期短，希望引进超低温速冻工艺。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tz.sys.Demands.Create(ctx, wsStaff, broker.Demand{Meta: broker.Meta{Broker: "marine-tech", Visibility: broker.Confidential},
		Enterprise: "台州另一家公司", Title: "保密需求", Problem: "不对外公开。"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []broker.Principal{other, enterprise(bidderA), broker.Overseer("kx", "杨浦区科协")} {
		if _, err := tz.fed.Forward(ctx, p, ws.ID); !errors.Is(err, broker.ErrForbidden) {
			t.Errorf("%s %q runs the workstation: got %v", p.Role, p.ID, err)
		}
	}
	if _, err := y.fed.Forward(ctx, admin, ws.ID); err == nil {
		t.Error("Yangpu's node runs a workstation it does not host (or has no record of)")
	}
	rep, err := tz.fed.Forward(ctx, wsStaff, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Listings, []string{l1.ID, l2.ID}) || !slices.Equal(rep.Demands, []string{dm.ID}) || len(rep.Skipped) != 0 {
		t.Errorf("first forward: %+v", rep)
	}
	clk.Add(time.Hour)
	if rep, err = tz.fed.Forward(ctx, wsStaff, ws.ID); err != nil || len(rep.Listings)+len(rep.Demands) != 0 {
		t.Errorf("second forward sends again: %+v %v", rep, err)
	}
	if srep, err := y.fed.Sync(ctx); err != nil || srep.Processed != 3 || len(srep.Rejected) != 0 {
		t.Fatalf("sync at Yangpu: %+v %v", srep, err)
	}
	profs, err := y.fed.Profiles(ctx, staff)
	if err != nil || len(profs) != 3 {
		t.Fatalf("Yangpu received %d profiles (%v), want 3", len(profs), err)
	}
	kinds := map[string]int{}
	for _, p := range profs {
		kinds[p.Profile.Kind]++
		if p.Profile.Region != taizhou {
			t.Errorf("profile from region %q", p.Profile.Region)
		}
	}
	if kinds[federation.TechnologyOffer] != 2 || kinds[federation.TechnologyRequest] != 1 {
		t.Errorf("kinds received: %v", kinds)
	}
	got, err := coop.Workstations.Get(ctx, wsStaff, ws.ID)
	if err != nil || len(got.Forwarded) != 3 || !got.LastRun.Equal(clk.Now()) {
		t.Errorf("the workstation's record: %+v %v", got, err)
	}
	// A plain write cannot rewrite what it forwarded.
	if _, err := coop.Workstations.Modify(ctx, admin, ws.ID, func(w *federation.Workstation) error { w.Forwarded = nil; return nil }); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("plain write of forwarded: got %v", err)
	}
	// A listing that would leak is skipped and reported, and tried again.
	l3 := sampleListing()
	l3.Title, l3.Summary = "网箱监测浮标", "联系人王海 021-61900000"
	l3 = mustListing(t, tz.x, l3)
	rep, err = tz.fed.Forward(ctx, wsStaff, ws.ID)
	if err != nil || len(rep.Skipped) != 1 || len(rep.Listings) != 0 {
		t.Errorf("forward with a leaky listing: %+v %v", rep, err)
	}
	if l3.Status != exchange.ListingOpen {
		t.Errorf("the leaky listing is %s", l3.Status)
	}
}
