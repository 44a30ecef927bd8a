package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/httpapi"
)

// fakeFeed is a Feed over a slice, with a Wait that wakes on Append.
type fakeFeed struct {
	mu      sync.Mutex
	changes []httpapi.Change
	grown   chan struct{}
}

func newFakeFeed() *fakeFeed { return &fakeFeed{grown: make(chan struct{})} }

func (f *fakeFeed) Append(kind broker.Kind, v broker.Record, typ string) {
	body, _ := json.Marshal(v)
	f.mu.Lock()
	f.changes = append(f.changes, httpapi.Change{Seq: int64(len(f.changes) + 1), Kind: kind, Record: v.RecordMeta().ID, Type: typ,
		Actor: "x", Time: time.Now(), Body: body})
	close(f.grown)
	f.grown = make(chan struct{})
	f.mu.Unlock()
}

func (f *fakeFeed) Changes(ctx context.Context, after int64, limit int) ([]httpapi.Change, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []httpapi.Change
	for _, c := range f.changes {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeFeed) Wait(ctx context.Context, after int64) error {
	f.mu.Lock()
	if int64(len(f.changes)) > after {
		f.mu.Unlock()
		return nil
	}
	ch := f.grown
	f.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readEvents reads n events of the stream (ids and data) and ends the
// request.
func readEvents(t *testing.T, e *env, as broker.Principal, lastID string, n int) []httpapi.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	hr, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/events", nil)
	if as.ID != "" {
		hr.Header.Set("Authorization", "Bearer "+e.key[as.ID])
	}
	if lastID != "" {
		hr.Header.Set("Last-Event-ID", lastID)
	}
	res, err := e.srv.Client().Do(hr)
	must(t, err)
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var out []httpapi.Event
	sc := bufio.NewScanner(res.Body)
	var id string
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			var ev httpapi.Event
			must(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev))
			if id != itoa(int(ev.Seq)) {
				t.Errorf("event id %q, data seq %d", id, ev.Seq)
			}
			out = append(out, ev)
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, context.Canceled) && len(out) < n {
		t.Fatalf("read events: %v", err)
	}
	return out
}

func TestEvents(t *testing.T) {
	feed := newFakeFeed()
	e := newEnv(t, storeKinds["memstore"](t), &httpapi.Options{Changes: feed, EventHeartbeat: 50 * time.Millisecond})
	ctx := t.Context()
	pub, err := e.sys.Achievements.Create(ctx, institution, achievement("公开成果", institution.Org))
	must(t, err)
	conf, err := e.sys.Demands.Create(ctx, enterprise, demand("保密需求", broker.Confidential))
	must(t, err)
	cs, err := e.sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.Ref(pub), Broker: staff.Broker})
	must(t, err)
	feed.Append(broker.KindAchievement, pub, "created")    // 1: everyone
	feed.Append(broker.KindDemand, conf, "created")        // 2: the enterprise, admins
	feed.Append(broker.KindCase, cs, "opened")             // 3: the desk, the owner, admins
	feed.Append("http_api_key", broker.Demand{}, "issued") // 4: admins only (a kind the API does not show)
	feed.Append(broker.KindAchievement, pub, "updated")    // 5: everyone

	seqs := func(evs []httpapi.Event) []int64 {
		var out []int64
		for _, ev := range evs {
			out = append(out, ev.Seq)
		}
		return out
	}
	for _, tc := range []struct {
		as   broker.Principal
		want []int64
	}{
		{broker.Principal{}, []int64{1, 5}},
		{otherEnt, []int64{1, 5}},
		{enterprise, []int64{1, 2, 5}},
		{staff, []int64{1, 3, 5}},
		{institution, []int64{1, 3, 5}},
		{admin, []int64{1, 2, 3, 4, 5}},
	} {
		got := seqs(readEvents(t, e, tc.as, "", len(tc.want)))
		if !equal(got, tc.want) {
			t.Errorf("%s sees %v, want %v", roleName(tc.as), got, tc.want)
		}
	}
	// Resume after the last event seen; a later event arrives while the
	// stream waits.
	go func() {
		time.Sleep(100 * time.Millisecond)
		feed.Append(broker.KindAchievement, pub, "updated") // 6
	}()
	if got := seqs(readEvents(t, e, otherEnt, "1", 2)); !equal(got, []int64{5, 6}) {
		t.Errorf("resumed after 1: %v, want [5 6]", got)
	}
	e.do(req{method: "GET", path: "/v1/events", header: map[string]string{"Last-Event-ID": "x"}}).want(t, 400)
}

func TestEventsUnconfigured(t *testing.T) {
	e := newEnv(t, storeKinds["memstore"](t), nil)
	e.do(req{method: "GET", path: "/v1/events"}).want(t, 503)
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
