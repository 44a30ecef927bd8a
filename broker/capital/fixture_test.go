package capital_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/memstore"
)

var ctx = context.Background()

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	marine = "marine-tech"
	peds   = "pediatrics"
)

var (
	admin     = broker.PlatformAdmin("admin")
	staff     = broker.BrokerStaff("staff-1", marine)
	staffPeds = broker.BrokerStaff("staff-9", peds)
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// fixture is a System on a memory store with two industry brokers, the
// exchange, the activity platform and the capital service over it.
type fixture struct {
	sys   *broker.System
	x     *exchange.Exchange
	acts  *activity.Platform
	cp    *capital.Service
	clock *testClock
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clk := &testClock{t: t0}
	sys := broker.New(memstore.New(), &broker.Options{Clock: clk.now, NewID: broker.SequentialIDs()})
	t.Cleanup(func() { _ = sys.Close() })
	x, acts := exchange.New(sys), activity.New(sys)
	f := &fixture{sys: sys, x: x, acts: acts, cp: capital.New(sys, x, acts), clock: clk}
	for _, b := range []broker.IndustryBroker{{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}, {Meta: broker.Meta{ID: peds}, Name: "儿科医学"}} {
		if _, err := sys.Brokers.Create(ctx, admin, b); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) org(t testing.TB, name string, roles ...broker.OrgRole) broker.Organization {
	t.Helper()
	o, err := f.sys.Organizations.Create(ctx, admin, broker.Organization{Name: name, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// tradedCase opens a case at marine-tech for a new achievement owned by
// the organization ownerID (if any) and moves it to Traded.
func (f *fixture) tradedCase(t testing.TB, title, ownerID string) broker.Case {
	t.Helper()
	a, err := f.sys.Achievements.Create(ctx, admin, broker.Achievement{Title: title, OwnerID: ownerID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	for _, mv := range []broker.CaseMove{
		{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "panel-1"}},
		{To: broker.StagePromoting},
		{To: broker.StageTraded, DealRef: "deal-" + a.ID},
	} {
		mv.Version = c.Version
		if c, err = f.sys.MoveCase(ctx, staff, c.ID, mv); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fieldCodes returns "field:code" of each bad field of a validation error,
// sorted.
func fieldCodes(err error) []string {
	var ve *broker.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	slices.Sort(out)
	return out
}

// fieldError returns the one bad field of a validation error.
func fieldError(t testing.TB, err error) broker.FieldError {
	t.Helper()
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 {
		t.Fatalf("got %v, want a validation error with one field", err)
	}
	return ve.Fields[0]
}

type exchangeListing = exchange.Listing

// newListing is a fixed-price listing of marine-tech, not yet stored.
func newListing(achievement, caseID string) exchange.Listing {
	return exchange.Listing{
		Meta: broker.Meta{Broker: marine, Region: "上海市杨浦区"}, Achievement: achievement, Case: caseID,
		Title: "深远海养殖网箱水质在线监测系统", Summary: "在线监测网箱溶解氧与氨氮。", Owner: "上海海洋大学",
		Terms: exchange.ListingTerms{Mode: broker.ModeLicense, Method: exchange.MethodFixed, Price: dec("1200000")},
	}
}

// publish asks to publish l as read.
func publish(l exchange.Listing) exchange.Publish { return exchange.Publish{Version: l.Version} }

// exchangeDeal closes a fixed-price listing at its price, signed then.
func exchangeDeal(listing string, signed time.Time) exchange.NewDeal {
	return exchange.NewDeal{Listing: listing, Buyer: "台州某渔业装备有限公司", Amount: dec("1200000"), Signed: signed}
}
