package httpapi_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
	"github.com/kexie/techbroker/broker/httpapi"
	"github.com/kexie/techbroker/broker/memstore"
)

// region is one region's platform: a System, its federation node over the
// HTTP transport, and its API on loopback.
type region struct {
	code string
	sys  *broker.System
	x    *exchange.Exchange
	fed  *federation.Federation
	tr   *httpapi.FederationTransport
	srv  *httptest.Server
	logs *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var (
	fedKey    = bytes.Repeat([]byte("k"), 32)
	agreement = federation.Agreement{Meta: broker.Meta{ID: "ws-taizhou"}, A: "310110", B: "331000", Kind: "workstation",
		Signed: time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC), Brokers: []string{"marine-tech"}}
)

// twoRegions builds Yangpu and Taizhou, each with its API on loopback and
// a transport that reaches the other.
func twoRegions(t *testing.T, now *clock) (*region, *region) {
	t.Helper()
	regions := map[string]*region{}
	for _, code := range []string{"310110", "331000"} {
		sys, err := broker.Build(t.Context(), memstore.New(), broker.Yangpu(), admin, &broker.Options{Clock: now.Now, NewID: broker.SequentialIDs()})
		must(t, err)
		t.Cleanup(func() { sys.Close() })
		r := &region{code: code, sys: sys, x: exchange.New(sys), logs: &syncBuffer{}}
		regions[code] = r
	}
	for code, r := range regions {
		// The handler is made once the peer's URL is known: start the
		// server with a handler that forwards.
		var h http.Handler
		r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { h.ServeHTTP(w, req) }))
		t.Cleanup(r.srv.Close)
		defer func(code string, r *region) {
			other := regions["331000"]
			if code == "331000" {
				other = regions["310110"]
			}
			tr, err := httpapi.NewFederationTransport(r.sys, httpapi.FederationOptions{Region: code, Agreements: []federation.Agreement{agreement},
				Peers:  []httpapi.FederationPeer{{Region: other.code, URL: other.srv.URL, Key: fedKey}},
				Logger: slog.New(slog.NewTextHandler(r.logs, nil))})
			must(t, err)
			r.tr = tr
			r.fed, err = federation.New(r.sys, r.x, &federation.Options{Region: federation.Region{Code: code}, Agreements: []federation.Agreement{agreement}, Transport: tr})
			must(t, err)
			h = httpapi.NewHandler(r.sys, &httpapi.Options{Exchange: r.x, Federation: tr, Logger: slog.New(slog.NewTextHandler(r.logs, nil))})
		}(code, r)
	}
	return regions["310110"], regions["331000"]
}

func TestFederationOverHTTP(t *testing.T) {
	now := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	yp, tz := twoRegions(t, now)
	ctx := t.Context()
	l, err := yp.x.CreateListing(ctx, staff, listing(exchange.MethodFixed, "1200000"))
	must(t, err)
	_, err = yp.x.PublishListing(ctx, staff, l.ID, exchange.Publish{Version: l.Version})
	must(t, err)
	// A listing of a desk the agreement names travels; Taizhou syncs it.
	_, err = yp.fed.Share(ctx, staff, l.ID, tz.code)
	must(t, err)
	rep, err := tz.fed.Sync(ctx)
	must(t, err)
	if rep.Processed != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("Taizhou sync: %+v", rep)
	}
	profs, err := tz.fed.Profiles(ctx, enterprise)
	must(t, err)
	if len(profs) != 1 || profs[0].Profile.Title != l.Title {
		t.Fatalf("Taizhou profiles: %+v", profs)
	}
	// An interest goes back; the owner accepts; the contact crosses.
	buyer := broker.EnterpriseUser("tz-1", "台州海盛水产食品有限公司")
	_, err = tz.fed.ExpressInterest(ctx, buyer, profs[0].ID, federation.NewInterest{Org: buyer.Org, Note: "拟试用",
		Contact: federation.PartyContact{Phone: "0576-88123456"}})
	must(t, err)
	_, err = yp.fed.Sync(ctx)
	must(t, err)
	ins, err := yp.fed.Interests(ctx, staff)
	must(t, err)
	if len(ins) != 1 {
		t.Fatalf("Yangpu interests: %+v", ins)
	}
	_, err = yp.fed.Respond(ctx, institution, ins[0].ID, federation.Answer{Accept: true})
	must(t, err)
	_, err = tz.fed.Sync(ctx)
	must(t, err)
	mine, err := tz.fed.Interests(ctx, buyer)
	must(t, err)
	if len(mine) != 1 || mine[0].Status != federation.InterestAccepted || mine[0].Counterpart == nil || mine[0].Counterpart.Phone != "021-61900000" {
		t.Errorf("Taizhou's interest after acceptance: %+v", mine)
	}
}

// signed builds a request to region r's API as region from would send it.
func signed(t *testing.T, r *region, from, to string, body []byte, ts time.Time, nonce string, key []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", r.srv.URL+"/v1/federation/messages", bytes.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	sec := strconv.FormatInt(ts.Unix(), 10)
	sum := sha256.Sum256(body)
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "POST\n/v1/federation/messages\n%s\n%s\n%s\n%s\n%s", from, to, sec, nonce, hex.EncodeToString(sum[:]))
	req.Header.Set(httpapi.HeaderFedRegion, from)
	req.Header.Set(httpapi.HeaderFedTimestamp, sec)
	req.Header.Set(httpapi.HeaderFedNonce, nonce)
	req.Header.Set(httpapi.HeaderFedSignature, "hmac-sha256="+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	return req
}

func TestFederationRefusals(t *testing.T) {
	now := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	yp, tz := twoRegions(t, now)
	// A message as Yangpu sends it to Taizhou: a profile of the marine desk.
	msg := func(from, to, broker string) []byte {
		b, _ := json.Marshal(federation.Message{ID: "m1", Type: federation.MsgProfile, From: from, To: to, Sent: now.Now(),
			Profile: &federation.Profile{ID: "list-000001", Region: from, Broker: broker, Kind: federation.TechnologyOffer, Title: "网箱监测", Summary: "在线监测"}})
		return b
	}
	send := func(req *http.Request) (int, string) {
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	good := msg(yp.code, tz.code, "marine-tech")
	req := signed(t, tz, yp.code, tz.code, good, now.Now(), "nonce-0000000001", fedKey)
	if st, body := send(req); st != 202 {
		t.Fatalf("a signed message: %d %s", st, body)
	}
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"replayed", signed(t, tz, yp.code, tz.code, good, now.Now(), "nonce-0000000001", fedKey), 409},
		{"unsigned", func() *http.Request {
			r, _ := http.NewRequest("POST", tz.srv.URL+"/v1/federation/messages", bytes.NewReader(good))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set(httpapi.HeaderFedRegion, yp.code)
			return r
		}(), 401},
		{"unknown region", signed(t, tz, "340700", tz.code, msg("340700", tz.code, "marine-tech"), now.Now(), "nonce-0000000002", fedKey), 401},
		{"wrong key", signed(t, tz, yp.code, tz.code, good, now.Now(), "nonce-0000000003", bytes.Repeat([]byte("x"), 32)), 401},
		{"body changed", func() *http.Request {
			r := signed(t, tz, yp.code, tz.code, good, now.Now(), "nonce-0000000004", fedKey)
			r.Body = io.NopCloser(bytes.NewReader(msg(yp.code, tz.code, "pediatrics")))
			r.ContentLength = -1
			return r
		}(), 401},
		{"old timestamp", signed(t, tz, yp.code, tz.code, good, now.Now().Add(-10*time.Minute), "nonce-0000000005", fedKey), 401},
		{"a desk the agreement does not name", signed(t, tz, yp.code, tz.code, msg(yp.code, tz.code, "pediatrics"), now.Now(), "nonce-0000000006", fedKey), 403},
		{"addressed elsewhere", signed(t, tz, yp.code, tz.code, msg(yp.code, "340700", "marine-tech"), now.Now(), "nonce-0000000007", fedKey), 403},
		{"sent as another region", signed(t, tz, yp.code, tz.code, msg("340700", tz.code, "marine-tech"), now.Now(), "nonce-0000000008", fedKey), 403},
	} {
		if st, body := send(tc.req); st != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, st, tc.status, body)
		}
	}
	// Only the first message reached the feed; every refusal was logged.
	items, err := tz.tr.Feed(t.Context(), tz.code, 0, 100)
	must(t, err)
	if len(items) != 1 {
		t.Errorf("Taizhou's feed holds %d messages, want 1", len(items))
	}
	if n := strings.Count(tz.logs.String(), "federation request refused"); n != 9 {
		t.Errorf("%d refusals logged, want 9:\n%s", n, tz.logs.String())
	}
}
