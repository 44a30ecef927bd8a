package exchange_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
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
	// exOp is the exchange's operator: it confirms deposits and posts the
	// public notices (公示).
	exOp    = broker.ExchangeOperator("sste-1", "上海技术交易所")
	exStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	exDay   = 24 * time.Hour
	exCtx   = context.Background()
)

// newExchange builds the Yangpu system in memory with a settable clock and
// its exchange.
func newExchange(t testing.TB) (*exchange.Exchange, *exClock) {
	t.Helper()
	clk := &exClock{t: exStart}
	sys, err := broker.Build(exCtx, memstore.New(), broker.Yangpu(), exAdmin, &broker.Options{NewID: broker.SequentialIDs(), Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	return exchange.New(sys), clk
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// sampleListing is a real-looking listing of the marine technology desk.
func sampleListing(method exchange.TradingMethod) exchange.Listing {
	l := exchange.Listing{
		Meta:         broker.Meta{Broker: "marine-tech", Region: "上海市杨浦区"},
		Title:        "深远海养殖网箱水质在线监测系统",
		Summary:      "在线监测深远海养殖网箱溶解氧、氨氮与水温，预警缺氧死鱼。",
		Overview:     "系统由浮标式多参数传感器、低功耗通信模块与云端预警平台组成，已在舟山海域连续运行18个月。",
		Readiness:    broker.Readiness{Scale: broker.NASATRL, Level: 7, Evidence: []string{"舟山海域18个月运行报告"}},
		Benefits:     []string{"缺氧预警提前2小时"},
		Applications: []string{"深远海网箱养殖", "近海牧场"},
		Indicators:   []exchange.Indicator{{Name: "溶解氧精度", Value: "±0.1", Unit: "mg/L"}},
		Comparison:   &exchange.Comparison{Alternative: "进口多参数水质仪", Metric: "单点成本", Ours: "3.2万元", Theirs: "11万元"},
		IPRights:     []broker.IPRight{{Type: broker.InventionPatent, Number: "ZL202110123456.7", Status: broker.IPGranted, Territory: "CN", Owners: []string{"上海海洋大学"}}},
		Origin:       exchange.Origin{Unit: "上海海洋大学", Funding: []string{"国家重点研发计划"}},
		Owner:        "上海海洋大学", OwnerPublic: true,
		ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000", Email: "wanghai@example.edu.cn"},
		Detail: "传感器标定算法与防生物附着涂层配方。",
		Venue:  "上海技术交易所",
		Terms:  exchange.ListingTerms{Mode: broker.ModeTransfer, Method: method, Price: d("1200000"), FeePercent: d("1.5")},
	}
	switch method {
	case exchange.MethodAuction, exchange.MethodBidding:
		l.Terms.Increment, l.Terms.Deposit = d("50000"), d("100000")
	case exchange.MethodTender:
		l.Terms.Deposit = d("100000")
	}
	return l
}

// mustListing creates and publishes a listing.
func mustListing(t testing.TB, x *exchange.Exchange, l exchange.Listing, closes time.Time) exchange.Listing {
	t.Helper()
	l, err := x.CreateListing(exCtx, exStaff, l)
	if err != nil {
		t.Fatal(err)
	}
	l, err = x.PublishListing(exCtx, publisher(l), l.ID, exchange.Publish{Version: l.Version, Closes: closes})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// publisher is who publishes l: the exchange operator posts an agreement
// price's notice, the desk publishes the rest.
func publisher(l exchange.Listing) broker.Principal {
	if l.Terms.Method == exchange.MethodAgreement {
		return exOp
	}
	return exStaff
}

func fields(t testing.TB, err error) []string {
	t.Helper()
	var ve *broker.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a ValidationError", err)
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Field)
	}
	return got
}

func TestListingValidation(t *testing.T) {
	x, _ := newExchange(t)
	tests := []struct {
		name   string
		edit   func(*exchange.Listing)
		fields string
	}{
		{"no summary", func(l *exchange.Listing) { l.Summary = "" }, "summary"},
		{"auction without deposit or increment", func(l *exchange.Listing) { l.Terms.Deposit, l.Terms.Increment = decimal.Zero, decimal.Zero }, "terms.increment terms.deposit"},
		{"unquantified comparison", func(l *exchange.Listing) { l.Comparison.Ours = "更好" }, "comparison"},
		{"bad method", func(l *exchange.Listing) { l.Terms.Method = "raffle" }, "terms.method"},
		{"negative price", func(l *exchange.Listing) { l.Terms.Price = d("-1") }, "terms.price"},
		{"fixed price at auction", func(l *exchange.Listing) { l.Terms.Pricing = broker.FixedPrice }, "terms.pricing"},
		// The achievement's part follows the achievement library's rules.
		{"readiness off the scale", func(l *exchange.Listing) { l.Readiness.Level = 12 }, "readiness.level"},
		{"IP shares over 100", func(l *exchange.Listing) {
			l.IPRights[0].Owners = []string{"甲", "乙"}
			l.IPRights[0].Shares = []decimal.Decimal{d("60"), d("50")}
		}, "ip_rights[0].shares"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := sampleListing(exchange.MethodAuction)
			tt.edit(&l)
			_, err := x.CreateListing(exCtx, exStaff, l)
			if got := strings.Join(fields(t, err), " "); got != tt.fields {
				t.Errorf("got fields %q, want %q", got, tt.fields)
			}
		})
	}
	// Chinese method and mode names are accepted.
	l := sampleListing("拍卖")
	l.Terms.Mode = "许可"
	l.Terms.Increment, l.Terms.Deposit = d("1"), d("1")
	got, err := x.CreateListing(exCtx, exStaff, l)
	if err != nil || got.Terms.Method != exchange.MethodAuction || got.Terms.Mode != broker.ModeLicense || got.Terms.Pricing != broker.FloorPrice {
		t.Errorf("Chinese names: got %v %q %q %q", err, got.Terms.Method, got.Terms.Mode, got.Terms.Pricing)
	}
	// Only the desk's staff and admins create listings.
	if _, err := x.CreateListing(exCtx, exOther, sampleListing(exchange.MethodFixed)); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other desk: got %v, want ErrForbidden", err)
	}
	if _, err := x.CreateListing(exCtx, broker.InstitutionUser("u", "上海海洋大学"), sampleListing(exchange.MethodFixed)); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("owner: got %v, want ErrForbidden", err)
	}
	// The staff's own desk is the default.
	l = sampleListing(exchange.MethodFixed)
	l.Broker = ""
	if got, err := x.CreateListing(exCtx, exStaff, l); err != nil || got.Broker != "marine-tech" {
		t.Errorf("default desk: got %q, %v", got.Broker, err)
	}
}

// A plain write through the core's record operations cannot set what the
// exchange's operations own.
func TestListingStatusIsGuarded(t *testing.T) {
	x, _ := newExchange(t)
	sys := x.System()
	l := sampleListing(exchange.MethodFixed)
	l.Status = exchange.ListingTraded
	var err error
	_ = sys.Update(exCtx, func(tx *broker.Tx) error {
		_, err = broker.Create(tx, exAdmin, l)
		return err
	})
	if got := strings.Join(fields(t, err), " "); got != "status" {
		t.Errorf("plain create of a traded listing: got fields %q, want status", got)
	}
	// CreateListing ignores them; UpdateListing keeps the stored ones.
	l.Reason = "ignored"
	c, err := x.CreateListing(exCtx, exStaff, l)
	if err != nil || c.Status != exchange.ListingDraft || c.Reason != "" {
		t.Fatalf("create: got %v %s %q", err, c.Status, c.Reason)
	}
	c.Status, c.DealRef = exchange.ListingOpen, "deal-1"
	c.Title = "新标题"
	u, err := x.UpdateListing(exCtx, exStaff, c)
	if err != nil || u.Status != exchange.ListingDraft || u.DealRef != "" || u.Title != "新标题" {
		t.Errorf("update: got %v %s %q %q", err, u.Status, u.DealRef, u.Title)
	}
	if _, err := x.UpdateListing(exCtx, exStaff, c); !errors.Is(err, broker.ErrStale) {
		t.Errorf("update at an old version: got %v, want ErrStale", err)
	}
	if _, err := x.PublishListing(exCtx, publisher(u), u.ID, exchange.Publish{}); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("publish without a version: got %v, want ErrInvalid", err)
	}
	if _, err := x.PublishListing(exCtx, publisher(u), u.ID, exchange.Publish{Version: c.Version}); !errors.Is(err, broker.ErrStale) {
		t.Errorf("publish at an old version: got %v, want ErrStale", err)
	}
}

func TestListingVisibility(t *testing.T) {
	x, _ := newExchange(t)
	l, err := x.CreateListing(exCtx, exStaff, sampleListing(exchange.MethodFixed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.GetListing(exCtx, broker.Anonymous(), l.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("draft seen by anonymous: got %v, want ErrForbidden", err)
	}
	if _, err := x.GetListing(exCtx, broker.InstitutionUser("u1", "上海海洋大学"), l.ID); err != nil {
		t.Errorf("draft seen by its owner: %v", err)
	}
	if _, err := x.PublishListing(exCtx, publisher(l), l.ID, exchange.Publish{Version: l.Version}); err != nil {
		t.Fatal(err)
	}
	pub, err := x.GetListing(exCtx, broker.Anonymous(), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Contact != (broker.Contact{}) || pub.ContactPerson != "" || pub.Detail != "" {
		t.Errorf("anonymous sees contact or detail: %+v %q %q", pub.Contact, pub.ContactPerson, pub.Detail)
	}
	if pub.Summary == "" || len(pub.IPRights) != 1 {
		t.Errorf("public part missing: %+v", pub)
	}
	own, _ := x.GetListing(exCtx, broker.InstitutionUser("u1", "上海海洋大学"), l.ID)
	if own.Contact.Phone == "" || own.Detail == "" {
		t.Errorf("owner does not see its contact and detail")
	}
	page, err := x.ListListings(exCtx, broker.Anonymous(), broker.ListOptions{})
	if err != nil || len(page.Items) != 1 || page.Items[0].Detail != "" {
		t.Errorf("list: got %v %+v", err, page.Items)
	}
	// A published listing's content is fixed.
	pub2, _ := x.GetListing(exCtx, exStaff, l.ID)
	pub2.Title = "改标题"
	if _, err := x.UpdateListing(exCtx, exStaff, pub2); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("edit after publish: got %v, want ErrConflict", err)
	}
}

func TestListingExpiryAndRenewal(t *testing.T) {
	x, clk := newExchange(t)
	l := sampleListing(exchange.MethodFixed)
	l.ValidDays = 30
	l = mustListing(t, x, l, time.Time{})
	if l.Status != exchange.ListingOpen || !l.Expires.Equal(exStart.Add(30*exDay)) {
		t.Fatalf("published: got %s until %v", l.Status, l.Expires)
	}
	clk.Add(30 * exDay)
	got, _ := x.GetListing(exCtx, exStaff, l.ID)
	if got.Status != exchange.ListingExpired {
		t.Fatalf("at expiry: got %s, want expired", got.Status)
	}
	_, err := x.CloseDeal(exCtx, exStaff, exchange.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: d("1200000")})
	if !errors.Is(err, broker.ErrConflict) {
		t.Errorf("deal on an expired listing: got %v, want ErrConflict", err)
	}
	r, err := x.RenewListing(exCtx, exStaff, l.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Renewals != 1 || !r.Expires.Equal(clk.Now().Add(30*exDay)) || r.StatusAt(clk.Now()) != exchange.ListingOpen {
		t.Errorf("renewed: got %d renewals, expires %v, status %s", r.Renewals, r.Expires, r.StatusAt(clk.Now()))
	}
	w, err := x.WithdrawListing(exCtx, exStaff, l.ID, "权利人撤回")
	if err != nil || w.Status != exchange.ListingWithdrawn {
		t.Fatalf("withdraw: %v %s", err, w.Status)
	}
	if _, err := x.RenewListing(exCtx, exStaff, l.ID, time.Time{}); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("renew withdrawn: got %v, want ErrConflict", err)
	}
	if _, err := x.WithdrawListing(exCtx, exStaff, l.ID, "again"); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("withdraw twice: got %v, want ErrConflict", err)
	}
	evs, _ := x.System().Events(exCtx, exAdmin, exchange.KindListing, l.ID)
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if want := "created published renewed withdrawn"; strings.Join(types, " ") != want {
		t.Errorf("events: got %q, want %q", strings.Join(types, " "), want)
	}
}

// A draft auction listing is withdrawn without a book.
func TestWithdrawDraftAuction(t *testing.T) {
	x, _ := newExchange(t)
	l, err := x.CreateListing(exCtx, exStaff, sampleListing(exchange.MethodAuction))
	if err != nil {
		t.Fatal(err)
	}
	if w, err := x.WithdrawListing(exCtx, exStaff, l.ID, "不再挂牌"); err != nil || w.Status != exchange.ListingWithdrawn {
		t.Errorf("withdraw a draft auction: got %v %s", err, w.Status)
	}
}

func TestAgreementNeedsCompletedNotice(t *testing.T) {
	x, clk := newExchange(t)
	l := sampleListing(exchange.MethodAgreement)
	l.Terms.Counterparty = "台州某渔业装备有限公司"
	l = mustListing(t, x, l, time.Time{})
	if l.Status != exchange.ListingNotice || l.Notice == nil || !l.Notice.End.Equal(exStart.Add(15*exDay)) || !l.Notice.Price.Equal(d("1200000")) || l.Notice.Name != l.Title {
		t.Fatalf("published agreement: got %s %+v", l.Status, l.Notice)
	}
	deal := exchange.NewDeal{Listing: l.ID, Buyer: "台州某渔业装备有限公司", Amount: d("1200000")}
	clk.Add(15*exDay - time.Second)
	if _, err := x.CloseDeal(exCtx, exStaff, deal); !errors.Is(err, broker.ErrConflict) {
		t.Fatalf("deal during the notice: got %v, want ErrConflict", err)
	}
	clk.Add(time.Second)
	bad := deal
	bad.Amount = d("1100000")
	if _, err := x.CloseDeal(exCtx, exStaff, bad); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("deal at another price: got %v, want ErrInvalid", err)
	}
	bad = deal
	bad.Buyer = "另一家公司"
	if _, err := x.CloseDeal(exCtx, exStaff, bad); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("deal with another buyer: got %v, want ErrInvalid", err)
	}
	dl, err := x.CloseDeal(exCtx, exStaff, deal)
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

// Defect 7 (issue 21): drafts are filtered by the policy before the page is
// cut, so a page of N with more visible listings beyond it holds N, and
// its Next cursor leads to the rest.
func TestListListingsPagesAreFull(t *testing.T) {
	x, _ := newExchange(t)
	var published []string
	for i := 0; i < 9; i++ {
		l, err := x.CreateListing(exCtx, exStaff, sampleListing(exchange.MethodFixed))
		if err != nil {
			t.Fatal(err)
		}
		if i%3 != 0 { // drafts at 0, 3, 6: interleaved with published ones
			if _, err := x.PublishListing(exCtx, publisher(l), l.ID, exchange.Publish{Version: l.Version}); err != nil {
				t.Fatal(err)
			}
			published = append(published, l.ID)
		}
	}
	for _, tt := range []struct {
		name string
		p    broker.Principal
		want int
	}{{"anonymous", broker.Anonymous(), len(published)}, {"another desk", exOther, len(published)}, {"the desk", exStaff, 9}} {
		t.Run(tt.name, func(t *testing.T) {
			const n = 2
			var seen []string
			o := broker.ListOptions{Limit: n}
			for page := 0; ; page++ {
				pg, err := x.ListListings(exCtx, tt.p, o)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range pg.Items {
					seen = append(seen, l.ID)
				}
				if rest := tt.want - len(seen); rest > 0 && len(pg.Items) != n {
					t.Fatalf("page %d holds %d listings with %d more visible beyond it, want %d", page, len(pg.Items), rest, n)
				}
				if pg.Next == "" {
					break
				}
				o.Cursor = pg.Next
			}
			if len(seen) != tt.want {
				t.Errorf("got %d listings %v, want %d", len(seen), seen, tt.want)
			}
		})
	}
}

// Defect 3 (issue 21): a state-funded owner pricing by agreement needs at
// least 15 days of 公示; a shorter notice is refused when the listing is
// created or changed, naming the field, the days given and the days
// required (contract.CheckNoticeDays, the rule CloseDeal's pricing finding
// applies too).
func TestShortNoticeRefused(t *testing.T) {
	x, _ := newExchange(t)
	agreement := func(public bool, method exchange.TradingMethod, days int) exchange.Listing {
		l := sampleListing(method)
		l.OwnerPublic, l.Terms.NoticeDays = public, days
		return l
	}
	for _, tt := range []struct {
		name string
		l    exchange.Listing
		ok   bool
	}{
		{"public owner, 3 days", agreement(true, exchange.MethodAgreement, 3), false},
		{"public owner, 14 days, by its Chinese name", agreement(true, "协议定价", 14), false},
		{"public owner, the default", agreement(true, exchange.MethodAgreement, 0), true},
		{"public owner, 15 days", agreement(true, exchange.MethodAgreement, 15), true},
		{"public owner, 20 days", agreement(true, exchange.MethodAgreement, 20), true},
		{"private owner, 3 days", agreement(false, exchange.MethodAgreement, 3), true},
		{"public owner, fixed price, 3 days", agreement(true, exchange.MethodFixed, 3), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x.CreateListing(exCtx, exStaff, tt.l)
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want it stored", err)
				}
				return
			}
			var ve *broker.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 {
				t.Fatalf("got %v, want ErrInvalid on terms.notice_days", err)
			}
			f := ve.Fields[0]
			if f.Field != "terms.notice_days" || f.Param != "15" || f.Value != strconv.Itoa(tt.l.Terms.NoticeDays) {
				t.Errorf("got %+v, want terms.notice_days: %d given, 15 required", f, tt.l.Terms.NoticeDays)
			}
			if msg := err.Error(); !strings.Contains(msg, "15") || !strings.Contains(msg, strconv.Itoa(tt.l.Terms.NoticeDays)) {
				t.Errorf("message %q does not name the days given and required", msg)
			}
		})
	}
	// A draft that becomes a state-funded owner's is refused the same way.
	l, err := x.CreateListing(exCtx, exStaff, agreement(false, exchange.MethodAgreement, 3))
	if err != nil {
		t.Fatal(err)
	}
	l.OwnerPublic = true
	if _, err := x.UpdateListing(exCtx, exStaff, l); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("update to a public owner with 3 days: got %v, want ErrInvalid", err)
	}
}
