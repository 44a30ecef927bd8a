package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/httpapi"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/pgstore"
)

// TestIdempotencyAcrossInstances sends one registration with one
// Idempotency-Key to two instances of the API over one store, many times at
// once: it runs once, and every answer is the first response or a "still
// running" 409.
func TestIdempotencyAcrossInstances(t *testing.T) {
	st := memstore.New()
	testInstances(t, st, st)
}

// TestIdempotencyAcrossInstancesPostgres is the same with two stores over
// one PostgreSQL schema, as two processes would have.
func TestIdempotencyAcrossInstancesPostgres(t *testing.T) {
	url := databaseURL(t)
	schema := schemaFor(t, url)
	open := func() broker.Store {
		s, err := pgstore.Open(context.Background(), url, &pgstore.Options{Schema: schema})
		must(t, err)
		return s
	}
	testInstances(t, open(), open())
}

func testInstances(t *testing.T, st1, st2 broker.Store) {
	ctx := context.Background()
	sys1, err := broker.Build(ctx, st1, broker.Yangpu(), admin, nil)
	must(t, err)
	sys2, err := broker.Build(ctx, st2, broker.Yangpu(), admin, nil)
	must(t, err)
	t.Cleanup(func() { sys1.Close() })
	if st2 != st1 {
		t.Cleanup(func() { sys2.Close() })
	}
	key, _, err := httpapi.NewAPIKeys(sys1, broker.Principal{}).Issue(ctx, admin, enterprise, httpapi.KeyOptions{})
	must(t, err)
	start := sys1.Now().Add(48 * time.Hour)
	act, err := activity.New(sys1).Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: staff.Broker}, Kind: activity.Roadshow,
		Title: "路演", Start: start, End: start.Add(time.Hour), Capacity: 50})
	must(t, err)
	var urls []string
	for _, sys := range []*broker.System{sys1, sys2} {
		keys := httpapi.NewAPIKeys(sys, broker.Principal{})
		srv := httptest.NewServer(httpapi.NewHandler(sys, &httpapi.Options{Authenticate: keys.Authenticate}))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	post := func(url string) (int, []byte, string) {
		req, _ := http.NewRequest("POST", url+"/v1/activities/"+act.ID+"/registrations", bytes.NewReader([]byte(`{"role":"seek"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Idempotency-Key", "reg-once")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0, nil, ""
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b, res.Header.Get("Idempotent-Replayed")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var created [][]byte
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body, _ := post(urls[i%2])
			switch status {
			case 201:
				mu.Lock()
				created = append(created, body)
				mu.Unlock()
			case 409: // the first is still running
			default:
				t.Errorf("status %d: %s", status, body)
			}
		}()
	}
	wg.Wait()
	if len(created) == 0 {
		t.Fatal("no request got the registration")
	}
	for _, b := range created[1:] {
		if !bytes.Equal(b, created[0]) {
			t.Errorf("two answers differ:\n%s\n%s", created[0], b)
		}
	}
	// After the first has finished, both instances replay it.
	for _, u := range urls {
		status, body, replayed := post(u)
		if status != 201 || replayed != "true" || !bytes.Equal(body, created[0]) {
			t.Errorf("retry on %s: %d replayed=%q %s", u, status, replayed, body)
		}
	}
	taken, _, err := activity.New(sys2).Seats(ctx, admin, act.ID)
	must(t, err)
	if taken != 1 {
		t.Errorf("%d seats taken, want 1", taken)
	}
	var reg activity.Registration
	must(t, json.Unmarshal(created[0], &reg))
	if reg.Participant != enterprise.ID {
		t.Errorf("registration %+v", reg)
	}
}
