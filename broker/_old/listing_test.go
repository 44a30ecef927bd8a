package broker_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
)

// exClock is a settable clock for exchange tests.
type exClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *exClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *exClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	exAdmin = broker.PlatformAdmin("admin")
	exStaff = broker.BrokerStaff("staff-1", "marine-tech")
	exOther = broker.BrokerStaff("staff-9", "info-eng")
	exStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	exDay   = 24 * time.Hour
	exCtx   = context.Background()
)

func newExchange(t testing.TB) (*broker.System, *exClock) {
	t.Helper()
	clk := &exClock{t: exStart}
	sys, err := broker.Build(exCtx, memstore.New(), broker.Yangpu(), exAdmin, &broker.Options{NewID: broker.SequentialIDs(), Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	return sys, clk
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// sampleListing is a real-looking listing of the marine technology desk.
func sampleListing(method broker.TradingMethod) broker.Listing {
	l := broker.Listing{
		Meta:         broker.Meta{Broker: "marine-tech", Region: "上海市杨浦区"},
		Title:        "深远海养殖网箱水质在线监测系统",
		Summary:      "在线监测深远海养殖网箱溶解氧、氨氮与水温，预警缺氧死鱼。",
		Overview:     "系统由浮标式多参数传感器、低功耗通信模块与云端预警平台组成，已在舟山海域连续运行18个月。",
		Readiness:    broker.Readiness{Scale: broker.NASATRL, Level: 7, Evidence: []string{"舟山海域18个月运行报告"}},
		Benefits:     []string{"缺氧预警提前2小时"},
		Applications: []string{"深远海网箱养殖", "近海牧场"},
		Indicators:   []broker.Indicator{{Name: "溶解氧精度", Value: "±0.1", Unit: "mg/L"}},
		Comparison:   &broker.Comparison{Alternative: "进口多参数水质仪", Metric: "单点成本", Ours: "3.2万元", Theirs: "11万元"},
		IPRights:     []broker.IPRight{{Type: broker.InventionPatent, Number: "ZL202110123456.7", Status: broker.IPGranted, Territory: "CN", Owners: []string{"上海海洋大学"}}},
		Origin:       broker.Origin{Unit: "上海海洋大学", Funding: []string{"国家重点研发计划"}},
		Owner:        "上海海洋大学", OwnerPublic: true,
		ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000", Email: "wanghai@example.edu.cn"},
		Detail: "传感器标定算法与防生物附着涂层配方。",
		Venue:  "上海技术交易所",
		Terms:  broker.ListingTerms{Mode: broker.ModeTransfer, Method: method, Price: d("1200000"), FeePercent: d("1.5")},
	}
	switch method {
	case broker.MethodAuction, broker.MethodBidding:
		l.Terms.Increment, l.Terms.Deposit = d("50000"), d("100000")
	case broker.MethodTender:
		l.Terms.Deposit = d("100000")
	}
	return l
}

func mustListing(t testing.TB, sys *broker.System, l broker.Listing, closes time.Time) broker.Listing {
	t.Helper()
	l, err := sys.CreateListing(exCtx, exStaff, l)
	if err != nil {
		t.Fatal(err)
	}
	l, err = sys.PublishListing(exCtx, exStaff, l.ID, broker.Publish{Version: l.Version, Closes: closes})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestListingValidation(t *testing.T) {
	sys, _ := newExchange(t)
	tests := []struct {
		name   string
		edit   func(*broker.Listing)
		fields []string
	}{
		{"no summary", func(l *broker.Listing) { l.Summary = "" }, []string{"summary"}},
		{"auction without deposit or increment", func(l *broker.Listing) { l.Terms.Deposit, l.Terms.Increment = decimal.Zero, decimal.Zero }, []string{"terms.increment", "terms.deposit"}},
		{"unquantified comparison", func(l *broker.Listing) { l.Comparison.Ours = "更好" }, []string{"comparison"}},
		{"bad method", func(l *broker.Listing) { l.Terms.Method = "raffle" }, []string{"terms.method"}},
		{"negative price", func(l *broker.Listing) { l.Terms.Price = d("-1") }, []string{"terms.price"}},
		{"fixed price at auction", func(l *broker.Listing) { l.Terms.Pricing = broker.FixedPrice }, []string{"terms.pricing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := sampleListing(broker.MethodAuction)
			tt.edit(&l)
			_, err := sys.CreateListing(exCtx, exStaff, l)
			var ve *broker.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
			}
			if len(got) != len(tt.fields) {
				t.Fatalf("got fields %v, want %v", got, tt.fields)
			}
			for i := range got {
				if got[i] != tt.fields[i] {
					t.Errorf("got fields %v, want %v", got, tt.fields)
				}
			}
		})
	}
	// Chinese method and mode names are accepted.
	l := sampleListing("拍卖")
	l.Terms.Mode = "许可"
	l.Terms.Increment, l.Terms.Deposit = d("1"), d("1")
	got, err := sys.CreateListing(exCtx, exStaff, l)
	if err != nil || got.Terms.Method != broker.MethodAuction || got.Terms.Mode != broker.ModeLicense || got.Terms.Pricing != broker.FloorPrice {
		t.Errorf("Chinese names: got %v %q %q %q", err, got.Terms.Method, got.Terms.Mode, got.Terms.Pricing)
	}
	// Only the desk's staff and admins create listings.
	if _, err := sys.CreateListing(exCtx, exOther, sampleListing(broker.MethodFixed)); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other desk: got %v, want ErrForbidden", err)
	}
	if _, err := sys.CreateListing(exCtx, broker.InstitutionUser("u", "上海海洋大学"), sampleListing(broker.MethodFixed)); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("owner: got %v, want ErrForbidden", err)
	}
}

func TestListingVisibility(t *testing.T) {
	sys, _ := newExchange(t)
	l, err := sys.CreateListing(exCtx, exStaff, sampleListing(broker.MethodFixed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sys.GetListing(exCtx, broker.Anonymous(), l.ID); !errors.Is(err, broker.ErrNotFound) {
		t.Errorf("draft seen by anonymous: got %v, want ErrNotFound", err)
	}
	if _, err := sys.PublishListing(exCtx, exStaff, l.ID, broker.Publish{}); err != nil {
		t.Fatal(err)
	}
	pub, err := sys.GetListing(exCtx, broker.Anonymous(), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Contact != (broker.Contact{}) || pub.ContactPerson != "" || pub.Detail != "" {
		t.Errorf("anonymous sees contact or detail: %+v %q %q", pub.Contact, pub.ContactPerson, pub.Detail)
	}
	if pub.Summary == "" || len(pub.IPRights) != 1 {
		t.Errorf("public part missing: %+v", pub)
	}
	own, _ := sys.GetListing(exCtx, broker.InstitutionUser("u1", "上海海洋大学"), l.ID)
	if own.Contact.Phone == "" || own.Detail == "" {
		t.Errorf("owner does not see its contact and detail")
	}
	page, err := sys.ListListings(exCtx, broker.Anonymous(), broker.ListOptions{})
	if err != nil || len(page.Items) != 1 || page.Items[0].Detail != "" {
		t.Errorf("list: got %v %+v", err, page.Items)
	}
	// A published listing's content is fixed.
	pub2, _ := sys.GetListing(exCtx, exStaff, l.ID)
	pub2.Title = "改标题"
	if _, err := sys.UpdateListing(exCtx, exStaff, pub2); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("edit after publish: got %v, want ErrConflict", err)
	}
}

func TestListingExpiryAndRenewal(t *testing.T) {
	sys, clk := newExchange(t)
	l := sampleListing(broker.MethodFixed)
	l.ValidDays = 30
	l = mustListing(t, sys, l, time.Time{})
	if l.Status != broker.ListingOpen || !l.Expires.Equal(exStart.Add(30*exDay)) {
		t.Fatalf("published: got %s until %v", l.Status, l.Expires)
	}
	clk.Add(30 * exDay)
	got, _ := sys.GetListing(exCtx, exStaff, l.ID)
	if got.Status != broker.ListingExpired {
		t.Fatalf("at expiry: got %s, want expired", got.Status)
	}
	_, err := sys.CloseDeal(exCtx, exStaff, broker.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: d("1200000")})
	if !errors.Is(err, broker.ErrConflict) {
		t.Errorf("deal on an expired listing: got %v, want ErrConflict", err)
	}
	r, err := sys.RenewListing(exCtx, exStaff, l.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Renewals != 1 || !r.Expires.Equal(clk.Now().Add(30*exDay)) || r.StatusAt(clk.Now()) != broker.ListingOpen {
		t.Errorf("renewed: got %d renewals, expires %v, status %s", r.Renewals, r.Expires, r.StatusAt(clk.Now()))
	}
	w, err := sys.WithdrawListing(exCtx, exStaff, l.ID, "权利人撤回")
	if err != nil || w.Status != broker.ListingWithdrawn {
		t.Fatalf("withdraw: %v %s", err, w.Status)
	}
	if _, err := sys.RenewListing(exCtx, exStaff, l.ID, time.Time{}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("renew withdrawn: got %v, want ErrConflict", err)
	}
	if _, err := sys.WithdrawListing(exCtx, exStaff, l.ID, "again"); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("withdraw twice: got %v, want ErrConflict", err)
	}
	evs, _ := sys.Events(exCtx, exAdmin, broker.KindListing, l.ID)
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if want := "created published renewed withdrawn"; join(types) != want {
		t.Errorf("events: got %q, want %q", join(types), want)
	}
}

func join(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}

func TestAgreementNeedsCompletedNotice(t *testing.T) {
	sys, clk := newExchange(t)
	l := sampleListing(broker.MethodAgreement)
	l.Terms.Counterparty = "台州某渔业装备有限公司"
	l = mustListing(t, sys, l, time.Time{})
	if l.Status != broker.ListingNotice || l.Notice == nil || !l.Notice.End.Equal(exStart.Add(15*exDay)) || !l.Notice.Price.Equal(d("1200000")) || l.Notice.Name != l.Title {
		t.Fatalf("published agreement: got %s %+v", l.Status, l.Notice)
	}
	deal := broker.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: d("1200000")}
	clk.Add(15*exDay - time.Second)
	if _, err := sys.CloseDeal(exCtx, exStaff, deal); !errors.Is(err, broker.ErrConflict) {
		t.Fatalf("deal during the notice: got %v, want ErrConflict", err)
	}
	clk.Add(time.Second)
	bad := deal
	bad.Amount = d("1100000")
	if _, err := sys.CloseDeal(exCtx, exStaff, bad); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("deal at another price: got %v, want ErrInvalid", err)
	}
	bad = deal
	bad.Buyer = "另一家公司"
	if _, err := sys.CloseDeal(exCtx, exStaff, bad); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("deal with another buyer: got %v, want ErrInvalid", err)
	}
	dl, err := sys.CloseDeal(exCtx, exStaff, deal)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range dl.Findings {
		if f.Rule == "pricing-path" && !f.Pass {
			t.Errorf("pricing path: got %v, want pass", f)
		}
	}
	if !dl.Fee.Equal(d("18000")) || len(dl.Schedule.Payments) != 1 || !dl.Schedule.Total.Equal(d("1200000")) {
		t.Errorf("deal: fee %s, schedule %+v", dl.Fee, dl.Schedule)
	}
}
