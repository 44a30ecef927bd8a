// Package httpapi is the HTTP/JSON API of a broker System: an http.Handler
// that a science association mounts in the server it runs, so that its web
// and mobile front ends (in any language) call the platform. The package
// starts no server and no goroutine of its own.
//
//	sys, _ := broker.Build(ctx, store, broker.Yangpu(), admin, nil)
//	keys := httpapi.NewAPIKeys(sys, broker.Principal{})
//	h := httpapi.NewHandler(sys, &httpapi.Options{Authenticate: keys.Authenticate})
//	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: h,
//		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
//		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
//	log.Fatal(srv.ListenAndServe())
//
// # Routes
//
// The routes are standard library ServeMux patterns ("GET
// /v1/achievements/{id}"); GET /openapi.json is the OpenAPI 3.1 document,
// generated from the same route table and the Go types of the bodies, so
// route and document cannot drift. In short:
//
//	/v1/achievements, /v1/demands, /v1/experts   成果库 需求库 专家库: GET (list; ?format=csv|xlsx), POST,
//	  /{id} GET PUT DELETE, /import POST         import CSV or JSON Lines, with every bad row reported
//	/v1/brokers, /v1/organizations               样板间 (read), 机构
//	/v1/cases, /{id}, /{id}/history, /{id}/moves, /{id}/services     服务案例 and their moves
//	/v1/demands/{id}/respond, /{id}/moves, /v1/brokers/{id}/demand-stats   需求闭环
//	/v1/demands/{id}/matches, /v1/achievements/{id}/matches, /v1/search   撮合 and 检索 (broker/match), explained
//	/v1/feedback, /v1/feedback/counts            反馈
//	/v1/activities …/registrations …/meetings …/schedule …/leads …/conversion, /v1/meetings/{id}/answer   活动
//	/v1/listings …/publish …/renew …/withdraw …/book …/deposits …/bids …/close-bidding,
//	  /v1/deposits/{id}/refund, /v1/deals, /v1/ledger                   挂牌 保证金 竞价 成交 台账
//	/v1/review/panels …/invite …/accept …/decline …/recuse …/refill …/sheets …/lock …/decide,
//	  /v1/review/verdicts/{id}                                          专家评审: panels, blind score sheets, verdicts
//	/v1/brokers/{id}/stats, /v1/assessment, /v1/assessment/report       平台统计, 考核 (HTML or Markdown)
//	/v1/events                                   Server-Sent Events
//	/v1/federation/messages                      跨区域协同: another region's signed messages
//
// # HTTP semantics
//
// Errors are RFC 9457 problem details (application/problem+json) whose
// title, detail and per-field messages are in Chinese or English by
// Accept-Language; a refused record lists every bad field. A record's ETag
// is its version: a PUT, DELETE or move needs If-Match (428 without it, 412
// when the record changed since). Lists page by cursor with a Link header
// (rel="next"). POSTs that must not run twice — registrations, deposits,
// bids, deals — take an Idempotency-Key, stored as a record through the
// System's transaction so that it holds across instances over one store.
// Bodies are limited (413), must be application/json (415) and name no
// unknown field (400). The System's sentinels map to statuses: ErrNotFound
// 404, ErrForbidden 403, ErrStale 412, ErrExists and ErrConflict 409,
// ErrInvalid 422. A record the caller may not read is 404 whatever was
// asked of it, and no status or message says more of it.
//
// # Matching and search
//
// The matching routes and the search answer from Options.Match, a
// broker/match Service whose index follows the store's event log: a
// demand's achievements and an achievement's demands, each result with its
// signals, weights, matched words and notes ("declined before: price");
// the search takes text and filters (kind, broker, region, owner,
// discipline, industry, readiness, price), pages by cursor with a Link
// header and counts facets per broker, region and discipline. Access is
// applied inside the index before a page is cut, so a page is never short
// because of records the caller may not read, and each record is
// redacted as a GET of it would be.
//
// # Authentication
//
// Options.Authenticate maps a request to a broker.Principal. Two
// implementations come with the package: APIKeys (keys stored as SHA-256
// hashes in records of the System, one per principal, revocable, with an
// optional expiry) and OIDC (JWT bearer tokens verified against the
// issuer's JWKS with github.com/coreos/go-oidc, claims mapped to role,
// broker and organization). Chain combines them.
//
// # Federation over HTTP
//
// FederationTransport is a federation.Transport between two regions'
// platforms: it posts each message to the other region's POST
// /v1/federation/messages, signed with the agreement's key (HMAC-SHA256
// over the method, path, both regions, a timestamp, a nonce and the body's
// hash). The receiver refuses an unsigned or forged request, one outside
// its time window (5 minutes by default) or one whose nonce it has seen
// (the nonces are records of the System, so every instance refuses a
// replay), and anything its agreement with the sender does not allow; it
// logs each refusal and keeps what it accepts in the inbox its
// federation node's Sync reads.
//
// # Exports and events
//
// Lists of the libraries, cases and listings export as CSV or Excel
// (?format=csv|xlsx or Accept), with Chinese headers, through the same
// policy-filtered reads as the JSON pages. GET /v1/events streams the
// System's event log as Server-Sent Events, with only the events of
// records the caller may read, resumable by Last-Event-ID.
//
// # Server timeouts
//
// The caller's http.Server should set ReadHeaderTimeout (5 s),
// ReadTimeout (30 s: an import upload of 32 MiB on a slow link may need
// more), WriteTimeout (60 s: the assessment report and exports of 100,000
// rows take seconds) and IdleTimeout (120 s). The event stream moves its
// own write deadline forward with every message and heartbeat
// (http.ResponseController), so WriteTimeout does not cut it.
//
// # Why kin-openapi
//
// The document is generated from the route table and the Go types by this
// package (schema.go), which follows encoding/json's rules: it needs no
// library at run time. The tests load it with
// github.com/getkin/kin-openapi, which reads and validates OpenAPI 3.1
// (JSON Schema 2020-12), and check every response the test suite receives
// against it (openapi3filter). kin-openapi is widely used, maintained, pure
// Go and served here in an approved release; huma, the code-first
// alternative, would have replaced the standard ServeMux with its own
// router and is only served here from an unapproved copy.
package httpapi
