package activity_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/memstore"
)

var ctx = context.Background()

const (
	marine = "marine-tech"
	peds   = "pediatrics"
)

// testClock is a settable clock; it starts at 2026-01-05 09:00 UTC.
type testClock struct{ us atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.set(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	return c
}
func (c *testClock) now() time.Time          { return time.UnixMicro(c.us.Load()).UTC() }
func (c *testClock) set(t time.Time)         { c.us.Store(t.UnixMicro()) }
func (c *testClock) advance(d time.Duration) { c.us.Add(d.Microseconds()) }

// platform is a System on a memory store with two industry brokers, the
// activity platform over it and the principals the tests act as.
type platform struct {
	sys                                *broker.System
	acts                               *activity.Platform
	clock                              *testClock
	admin, staff, staffPeds, ent, anon broker.Principal
}

func newPlatform(t testing.TB) *platform {
	t.Helper()
	clk := newTestClock()
	sys := broker.New(memstore.New(), &broker.Options{Clock: clk.now, NewID: broker.SequentialIDs()})
	t.Cleanup(func() { _ = sys.Close() })
	p := &platform{
		sys: sys, acts: activity.New(sys), clock: clk,
		admin:     broker.PlatformAdmin("admin"),
		staff:     broker.BrokerStaff("staff-m", marine),
		staffPeds: broker.BrokerStaff("staff-p", peds),
		ent:       broker.EnterpriseUser("ent-user", "蓝海水产"),
		anon:      broker.Anonymous(),
	}
	for _, b := range []broker.IndustryBroker{{Meta: broker.Meta{ID: marine}, Name: "海洋技术"}, {Meta: broker.Meta{ID: peds}, Name: "儿科医学"}} {
		if _, err := sys.Brokers.Create(ctx, p.admin, b); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// activity creates an activity of marine-tech starting a day from now.
func (p *platform) activity(t testing.TB, kind activity.Kind, title string, capacity int) activity.Activity {
	t.Helper()
	start := p.clock.now().Add(24 * time.Hour)
	a, err := p.acts.Activities.Create(ctx, p.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: kind,
		Title: title, Start: start, End: start.Add(2 * time.Hour), Capacity: capacity})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (p *platform) achievement(t testing.TB, title string) broker.Achievement {
	t.Helper()
	a, err := p.sys.Achievements.Create(ctx, p.admin, broker.Achievement{Title: title, Owner: "上海海洋大学", Meta: broker.Meta{Broker: marine}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (p *platform) openCase(t testing.TB, subject broker.RecordRef) broker.Case {
	t.Helper()
	c, err := p.sys.OpenCase(ctx, p.staff, broker.NewCase{Subject: subject, Broker: marine})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verdict() *broker.ScreeningVerdict {
	return &broker.ScreeningVerdict{Passed: true, Panel: []string{"exp-000001"}, Score: 80, Ref: "eval-1"}
}

func ref(k broker.Kind, id string) broker.RecordRef { return broker.RecordRef{Kind: k, ID: id} }

// fieldErrors returns the bad fields of a validation error, sorted by
// field and code.
func fieldErrors(err error) []broker.FieldError {
	var ve *broker.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := slices.Clone(ve.Fields)
	slices.SortFunc(out, func(a, b broker.FieldError) int {
		if a.Field != b.Field {
			return strings.Compare(a.Field, b.Field)
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out
}

// fieldCodes returns "field:code" of each bad field, sorted.
func fieldCodes(err error) []string {
	var out []string
	for _, f := range fieldErrors(err) {
		out = append(out, f.Field+":"+f.Code)
	}
	return out
}
