package drivertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
)

// testFederation runs the federation's store-dependent behaviour: a message
// is handled once, across restarts (a second node resumes from the stored
// position) and when two nodes of a region sync over one store at once;
// a refused message advances the feed without failing the transaction.
func testFederation(t *testing.T, open func(*testing.T) driver.Store) {
	t.Run("FederationOnce", func(t *testing.T) { testFederationOnce(t, open(t), open(t)) })
	t.Run("ConcurrentSync", func(t *testing.T) { testConcurrentSync(t, open(t), open(t)) })
	t.Run("RefusalAdvancesFeed", func(t *testing.T) { testFederationRefusal(t, open(t), open(t)) })
}

var fedAgreements = []federation.Agreement{{Meta: broker.Meta{ID: "ws"}, A: "310110", B: "331000", Signed: t0.AddDate(-1, 0, 0)}}

func fedNode(t testing.TB, f *exFixture, code string, tr federation.Transport) *federation.Federation {
	t.Helper()
	n, err := federation.New(f.sys, f.x, &federation.Options{Region: federation.Region{Code: code}, Agreements: fedAgreements, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testFederationOnce(t *testing.T, sa, sb driver.Store) {
	fa, fb := newExFixture(t, sa), newExFixture(t, sb)
	ctx := context.Background()
	tr := federation.NewMemoryTransport()
	ya, tb := fedNode(t, fa, "310110", tr), fedNode(t, fb, "331000", tr)
	l := fa.listing(t, exchange.MethodFixed, "", 0)
	if _, err := ya.Share(ctx, fa.staff, l.ID, "331000"); err != nil {
		t.Fatal(err)
	}
	if rep, err := tb.Sync(ctx); err != nil || rep.Processed != 1 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	// A second node over the same store resumes from the stored position.
	tb2 := fedNode(t, fb, "331000", tr)
	if rep, err := tb2.Sync(ctx); err != nil || rep.Processed != 0 {
		t.Errorf("resumed sync: %+v %v", rep, err)
	}
	profs, err := tb.Profiles(ctx, fb.staff)
	if err != nil || len(profs) != 1 || profs[0].Profile.Title != l.Title || !profs[0].Profile.Price.Equal(l.Terms.Price) {
		t.Fatalf("profiles: %v %+v", err, profs)
	}
	for _, m := range tr.Sent() {
		var raw map[string]any
		if err := json.Unmarshal(m.Body, &raw); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{l.Owner, l.ContactPerson, l.Contact.Phone} {
			if strings.Contains(string(m.Body), secret) {
				t.Errorf("profile message leaks %q", secret)
			}
		}
	}
}

// testConcurrentSync: two nodes of one region over one store sync the same
// feed at once; every message is handled by exactly one of them.
func testConcurrentSync(t *testing.T, sa, sb driver.Store) {
	n := 12
	if testing.Short() {
		n = 4
	}
	fa, fb := newExFixture(t, sa), newExFixture(t, sb)
	ctx := context.Background()
	tr := federation.NewMemoryTransport()
	ya := fedNode(t, fa, "310110", tr)
	for i := range n {
		l := fa.draft(exchange.MethodFixed, "")
		l.Title = fmt.Sprintf("%s %02d", l.Title, i)
		l = fa.publish(t, l, 0)
		if _, err := ya.Share(ctx, fa.staff, l.ID, "331000"); err != nil {
			t.Fatal(err)
		}
	}
	nodes := []*federation.Federation{fedNode(t, fb, "331000", tr), fedNode(t, fb, "331000", tr)}
	reps := make([]federation.SyncReport, len(nodes))
	errs := make([]error, len(nodes))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, node := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			reps[i], errs[i] = node.Sync(ctx)
		}()
	}
	close(start)
	wg.Wait()
	total := 0
	for i := range nodes {
		if errs[i] != nil || len(reps[i].Rejected) != 0 {
			t.Errorf("node %d: %+v %v", i, reps[i], errs[i])
		}
		total += reps[i].Processed
	}
	t.Logf("the nodes handled %d and %d messages", reps[0].Processed, reps[1].Processed)
	if total != n {
		t.Errorf("the nodes handled %d messages together (%d + %d), want %d", total, reps[0].Processed, reps[1].Processed, n)
	}
	profs, err := nodes[0].Profiles(ctx, fb.staff)
	if err != nil || len(profs) != n {
		t.Fatalf("profiles: %d, %v; want %d", len(profs), err, n)
	}
	for _, p := range profs {
		if evs, err := fb.sys.Events(ctx, fb.admin, federation.KindProfile, p.ID); err != nil || len(evs) != 1 {
			t.Errorf("profile %s stored %d times (%v)", p.ID, len(evs), err)
		}
	}
}

// testFederationRefusal: a refused message (a repeated interest, refused
// after the store was read) commits the feed's advance and nothing else,
// on every store.
func testFederationRefusal(t *testing.T, sa, sb driver.Store) {
	fa, fb := newExFixture(t, sa), newExFixture(t, sb)
	ctx := context.Background()
	tr := federation.NewMemoryTransport()
	ya, tb := fedNode(t, fa, "310110", tr), fedNode(t, fb, "331000", tr)
	l := fa.listing(t, exchange.MethodFixed, "", 0)
	if _, err := ya.Share(ctx, fa.staff, l.ID, "331000"); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	profs, _ := tb.Profiles(ctx, fb.staff)
	if len(profs) != 1 {
		t.Fatalf("profiles: %+v", profs)
	}
	in, err := tb.ExpressInterest(ctx, fb.staff, profs[0].ID, federation.NewInterest{Org: "台州某渔业装备有限公司"})
	if err != nil {
		t.Fatal(err)
	}
	last := tr.Sent()[len(tr.Sent())-1]
	if err := tr.Send(ctx, "310110", last.Body); err != nil { // the transport delivers it twice
		t.Fatal(err)
	}
	fa.add(time.Minute)
	rep, err := ya.Sync(ctx)
	if err != nil || rep.Processed != 2 || len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Error(), "already received") {
		t.Fatalf("sync with a repeated interest: %+v %v", rep, err)
	}
	got, err := ya.Interests(ctx, fa.staff)
	if err != nil || len(got) != 1 || got[0].RemoteID != in.ID {
		t.Errorf("interests after the repeat: %v %+v", err, got)
	}
	if rep, err := ya.Sync(ctx); err != nil || rep.Processed != 0 {
		t.Errorf("sync after the refusal: %+v %v", rep, err)
	}
}
