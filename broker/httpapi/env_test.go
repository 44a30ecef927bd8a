package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/httpapi"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/pgstore"
)

// The principals of the tests, one per role (two desks for broker staff).
var (
	admin       = broker.PlatformAdmin("admin-1")
	staff       = broker.BrokerStaff("staff-1", "marine-tech")
	otherStaff  = broker.BrokerStaff("staff-2", "pediatrics")
	enterprise  = broker.EnterpriseUser("ent-1", "东海船舶科技有限公司")
	otherEnt    = broker.EnterpriseUser("ent-2", "浦江食品有限公司")
	institution = broker.InstitutionUser("inst-1", "上海海洋大学")
	society     = broker.SocietyAdmin("soc-1", "csoe")
	expertP     = broker.ExpertUser("exp-000001")
	operator    = broker.ExchangeOperator("sste-1", "上海技术交易所")
	overseer    = broker.Overseer("kx-1", "上海市杨浦区科学技术协会")
	investor    = broker.InvestorUser("inv-1", "杨浦科创投资")
)

// env is one API over one store, with a key per principal and the OpenAPI
// document that every response it receives is validated against.
type env struct {
	t      testing.TB
	sys    *broker.System
	keys   *httpapi.APIKeys
	key    map[string]string // principal ID → API key
	h      http.Handler
	srv    *httptest.Server
	router routers.Router
	spec   *openapi3.T
	clock  *clock
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var storeKinds = map[string]func(testing.TB) broker.Store{
	"memstore": func(testing.TB) broker.Store { return memstore.New() },
	"postgres": func(tb testing.TB) broker.Store {
		url := databaseURL(tb)
		s, err := pgstore.Open(context.Background(), url, &pgstore.Options{Schema: schemaFor(tb, url)})
		if err != nil {
			tb.Fatal(err)
		}
		return s
	},
}

func newEnv(t testing.TB, store broker.Store, opts *httpapi.Options) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	sys, err := broker.Build(ctx, store, broker.Yangpu(), admin, &broker.Options{Clock: clk.Now, NewID: broker.SequentialIDs()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close() })
	e := &env{t: t, sys: sys, key: map[string]string{}, clock: clk}
	e.keys = httpapi.NewAPIKeys(sys, broker.Principal{})
	for _, p := range []broker.Principal{admin, staff, otherStaff, enterprise, otherEnt, institution, society, expertP, operator, overseer, investor} {
		k, _, err := e.keys.Issue(ctx, admin, p, httpapi.KeyOptions{Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
		e.key[p.ID] = k
	}
	var o httpapi.Options
	if opts != nil {
		o = *opts
	}
	if o.Authenticate == nil {
		o.Authenticate = e.keys.Authenticate
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e.h = httpapi.NewHandler(sys, &o)
	e.srv = httptest.NewServer(e.h)
	t.Cleanup(e.srv.Close)
	e.loadSpec()
	return e
}

func (e *env) loadSpec() {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(rec.Body.Bytes())
	if err != nil {
		e.t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		e.t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	spec.Servers = openapi3.Servers{{URL: e.srv.URL}}
	router, err := legacy.NewRouter(spec)
	if err != nil {
		e.t.Fatal(err)
	}
	e.spec, e.router = spec, router
}

// resp is a response read whole.
type resp struct {
	*http.Response
	body []byte
}

func (r resp) json(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("decode %s: %v\n%s", r.Request.URL, err, r.body)
	}
}

func (r resp) problem(tb testing.TB) httpapi.Problem {
	tb.Helper()
	var p httpapi.Problem
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("%s %s: Content-Type %q, want application/problem+json (status %d)\n%s", r.Request.Method, r.Request.URL, ct, r.StatusCode, r.body)
	}
	r.json(tb, &p)
	return p
}

// req is a request to build.
type req struct {
	method, path string
	as           broker.Principal // zero: anonymous
	body         any              // encoded as JSON unless []byte or string
	ctype        string
	header       map[string]string
}

// do sends a request as a principal and validates the response against
// the OpenAPI document.
func (e *env) do(r req) resp {
	e.t.Helper()
	var body io.Reader
	ctype := r.ctype
	switch b := r.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(data)
		if ctype == "" {
			ctype = "application/json"
		}
	}
	hr, err := http.NewRequest(r.method, e.srv.URL+r.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if r.as.ID != "" {
		hr.Header.Set("Authorization", "Bearer "+e.key[r.as.ID])
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		e.t.Fatal(err)
	}
	out := resp{Response: res, body: data}
	e.validate(hr, out)
	return out
}

// validate checks a response against the OpenAPI document: the route and
// status are documented, and the body matches the documented schema of its
// media type.
func (e *env) validate(hr *http.Request, r resp) {
	e.t.Helper()
	route, params, err := e.router.FindRoute(hr)
	if err != nil && (r.StatusCode == 404 || r.StatusCode == 405) && r.Header.Get("Content-Type") == "application/problem+json" {
		return // a path or method the API does not have: answered with a problem
	}
	if err != nil {
		e.t.Errorf("%s %s: not in the OpenAPI document: %v", hr.Method, hr.URL.Path, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	ct := r.Header.Get("Content-Type")
	jsonBody := strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/problem+json")
	opts := &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: !jsonBody, MultiError: true}
	rv := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.StatusCode, Header: r.Header,
		Body: io.NopCloser(bytes.NewReader(r.body)), Options: opts}
	if err := openapi3filter.ValidateResponse(context.Background(), rv); err != nil {
		e.t.Errorf("%s %s → %d: the response does not match the OpenAPI document: %v\n%.2000s", hr.Method, hr.URL, r.StatusCode, err, r.body)
	}
	if !jsonBody && r.StatusCode != http.StatusNoContent && r.StatusCode != http.StatusNotModified && len(r.body) > 0 {
		resp := route.Operation.Responses.Status(r.StatusCode)
		if resp == nil || resp.Value.Content.Get(ct) == nil {
			e.t.Errorf("%s %s → %d: media type %q is not documented", hr.Method, hr.URL, r.StatusCode, ct)
		}
	}
}

// want fails unless the response has the status.
func (r resp) want(tb testing.TB, status int) resp {
	tb.Helper()
	if r.StatusCode != status {
		tb.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL, r.StatusCode, status, r.body)
	}
	return r
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// schemaFor returns a schema of its own for a PostgreSQL test (dropped at
// the end).
func schemaFor(tb testing.TB, url string) string {
	tb.Helper()
	name := "httpapi_" + strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(tb.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	name += "_" + time.Now().Format("150405") + "_" + itoa(os.Getpid())
	tb.Cleanup(func() { dropSchema(tb, url, name) })
	return name
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// databaseURL is the PostgreSQL database of the tests: skipped without
// DATABASE_URL, failed under CI=true.
func databaseURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("DATABASE_URL is not set under CI=true: the PostgreSQL API suite cannot be skipped in CI")
		}
		tb.Skip("DATABASE_URL is not set; set it to a PostgreSQL database to run the API suite on PostgreSQL")
	}
	return url
}

func dropSchema(tb testing.TB, url, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}
