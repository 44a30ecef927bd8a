package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/review"
)

// Options configure the handler. A nil *Options means defaults.
type Options struct {
	// Authenticate says who is calling. It returns the anonymous principal
	// (and no error) for a request without credentials, and an error for
	// credentials it refuses, which the handler answers with 401. Nil
	// treats every caller as anonymous. See APIKeys.Authenticate,
	// OIDC.Authenticate and Chain.
	Authenticate func(*http.Request) (broker.Principal, error)
	// Exchange and Activities are the feature services the routes of the
	// exchange and the activity platform call; nil makes them over the
	// System (exchange.New, activity.New).
	Exchange   *exchange.Exchange
	Activities *activity.Platform
	// Review is expert review; nil makes review.New(sys, nil).
	Review *review.Service
	// Match answers matching and search (package broker/match); nil makes
	// match.New(sys, nil), whose index the handler's calls keep current
	// from the store's log. Share one Service between the handler and the
	// rest of the application, and run its Follow if you want it pushed.
	Match *match.Service
	// Scheme scores the brokers for the assessment report; nil means
	// assessment.DefaultScheme.
	Scheme *assessment.Scheme
	// MaxBodyBytes bounds a JSON request body (413 beyond it); 0 means
	// 1 MiB. MaxUploadBytes bounds an import upload; 0 means 32 MiB.
	MaxBodyBytes   int64
	MaxUploadBytes int64
	// MaxExportRows bounds the rows of a CSV or Excel export; 0 means
	// 100,000. A longer result is cut and says so in the X-Truncated
	// header.
	MaxExportRows int
	// Service is the principal the handler acts as for its own records
	// (idempotency keys); it must be a platform admin. Zero means
	// broker.PlatformAdmin("httpapi").
	Service broker.Principal
	// IdempotencyTTL is how long a stored response answers a repeated
	// Idempotency-Key; 0 means 24 hours.
	IdempotencyTTL time.Duration
	// Changes is the event feed of GET /v1/events; nil means none, and the
	// route answers 503. See Feed.
	Changes Feed
	// EventPoll is how long GET /v1/events waits between polls of a feed
	// that cannot wait for news itself; 0 means one second. EventHeartbeat
	// is the interval of the stream's keep-alive comments; 0 means 15 s.
	EventPoll      time.Duration
	EventHeartbeat time.Duration
	// Federation, when set, receives other regions' messages at POST
	// /v1/federation/messages (see FederationTransport); nil answers 503.
	Federation *FederationTransport
	// Logger receives refused federation requests and internal errors;
	// nil means slog.Default().
	Logger *slog.Logger
}

// handler serves the API.
type handler struct {
	sys    *broker.System
	x      *exchange.Exchange
	acts   *activity.Platform
	review *review.Service
	match  *match.Service
	o      Options
	mux    *http.ServeMux
	api    *api
	idem   *broker.Library[IdempotencyRecord]
	log    *slog.Logger
	langs  language.Matcher
}

// NewHandler returns the HTTP/JSON API over sys: an http.Handler to mount
// in a server of the caller's (see the package documentation for the
// routes, and "Server timeouts"). It starts no goroutine of its own;
// each request's work runs on the request's goroutine (the event stream
// included).
func NewHandler(sys *broker.System, opts *Options) http.Handler {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Exchange == nil {
		o.Exchange = exchange.New(sys)
	}
	if o.Activities == nil {
		o.Activities = activity.New(sys)
	}
	if o.Review == nil {
		o.Review = review.New(sys, nil)
	}
	if o.Match == nil {
		svc, err := match.New(sys, nil)
		if err != nil {
			panic(fmt.Sprintf("httpapi: the default matching service: %v", err)) // nil options cannot fail
		}
		o.Match = svc
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 32 << 20
	}
	if o.MaxExportRows <= 0 {
		o.MaxExportRows = 100_000
	}
	if o.Service.Role == "" {
		o.Service = broker.PlatformAdmin("httpapi")
	}
	if o.IdempotencyTTL <= 0 {
		o.IdempotencyTTL = 24 * time.Hour
	}
	if o.EventPoll <= 0 {
		o.EventPoll = time.Second
	}
	if o.EventHeartbeat <= 0 {
		o.EventHeartbeat = 15 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &handler{sys: sys, x: o.Exchange, acts: o.Activities, review: o.Review, match: o.Match, o: o, mux: http.NewServeMux(),
		idem: broker.NewLibrary[IdempotencyRecord](sys), log: o.Logger,
		langs: language.NewMatcher([]language.Tag{language.English, language.Chinese})}
	broker.NewLibrary[APIKey](sys) // known to the System's audits
	h.api = h.routes()
	var spec []byte
	h.api.routes = append(h.api.routes, &route{method: "GET", path: "/openapi.json", op: "openapi", tag: "API",
		summary: "This API's OpenAPI 3.1 document", out: []response{ok[map[string]any]("the document")},
		fn: func(c *call) error {
			c.w.Header().Set("Content-Type", "application/json")
			c.w.Header().Set("Cache-Control", "no-cache")
			c.wrote = true
			_, _ = c.w.Write(spec)
			return nil
		}})
	for _, rt := range h.api.routes {
		h.mux.Handle(rt.method+" "+rt.path, h.serve(rt))
	}
	spec = h.api.document()
	return h
}

// ServeHTTP dispatches to the routes; a path no route knows, or a method
// the path does not take, is answered with a problem (404, 405).
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd, pattern := h.mux.Handler(r)
	if pattern != "" {
		h.mux.ServeHTTP(w, r) // which sets the path's values
		return
	}
	// The mux's own 404 or 405 (with its Allow header): rewrite the body as
	// a problem.
	c := &call{h: h, w: w, r: r, lang: h.language(r)}
	rec := &statusOnly{header: http.Header{}}
	hd.ServeHTTP(rec, r)
	if allow := rec.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	status := rec.status
	if status == 0 || status == http.StatusOK {
		status = http.StatusNotFound
	}
	c.problem(&Problem{Status: status})
}

// statusOnly records a status and headers and drops the body.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(b), nil
}
func (s *statusOnly) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

// language is the language of the caller's Accept-Language: Chinese or
// English.
func (h *handler) language(r *http.Request) language.Tag {
	al := r.Header.Get("Accept-Language")
	if al == "" {
		return language.English
	}
	tags, _, err := language.ParseAcceptLanguage(al)
	if err != nil || len(tags) == 0 {
		return language.English
	}
	_, i, _ := h.langs.Match(tags...)
	if i == 1 {
		return language.Chinese
	}
	return language.English
}

// serve runs one route: it authenticates the caller, then the route's
// function, and answers any error it returns as a problem.
func (h *handler) serve(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{h: h, w: w, r: r, rt: rt, lang: h.language(r), ctx: r.Context()}
		w.Header().Set("Content-Language", c.lang.String())
		w.Header().Add("Vary", "Accept-Language")
		if h.o.Authenticate != nil {
			p, err := h.o.Authenticate(r)
			if errors.Is(err, ErrNoCredentials) {
				p, err = broker.Anonymous(), nil
			}
			if err != nil {
				c.fail(unauthenticated(err))
				return
			}
			c.p = p
		}
		if c.p.Role == broker.RoleAnonymous && r.Method != http.MethodGet && !rt.anonymous {
			c.fail(unauthenticated(errors.New("a write without credentials")))
			return
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.log.Error("httpapi: panic", "route", rt.op, "panic", v)
				c.fail(errInternal)
			}
		}()
		if err := rt.fn(c); err != nil {
			c.fail(err)
		}
	})
}

// errInternal answers a failure the caller cannot fix.
var errInternal = errors.New("internal error")

// call is one request to a route.
type call struct {
	h    *handler
	w    http.ResponseWriter
	r    *http.Request
	rt   *route
	ctx  context.Context
	p    broker.Principal
	lang language.Tag
	// visible, when set, reports whether the caller may read the record
	// the route's path names; a forbidden action on a record the caller
	// may not read is answered as not found.
	visible func() bool
	wrote   bool
	body    []byte // the JSON body decode read
}

// id is the path's {id}.
func (c *call) id() string { return c.r.PathValue("id") }

// query returns a query parameter.
func (c *call) query(name string) string { return strings.TrimSpace(c.r.URL.Query().Get(name)) }
