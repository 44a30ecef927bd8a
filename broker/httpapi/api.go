package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// route is one operation of the API. The route table is the one source of
// both the handler's ServeMux patterns and the OpenAPI document, so the two
// cannot drift; the tests validate every response against the document.
type route struct {
	method, path string
	op           string // operationId
	tag          string
	summary      string
	in           reflect.Type // JSON request body; nil for none
	inTypes      []string     // other request media types (uploads)
	params       []param
	out          []response
	ifMatch      bool // needs If-Match (428 without it, 412 when stale)
	idempotent   bool // takes Idempotency-Key
	list         bool // a paged list: Link header; ?format=csv|xlsx when export is set
	export       bool
	extra        []int // problem statuses besides the usual ones
	// anonymous: the route acts for callers who are not signed in (the
	// federation's signed requests); every other write answers them 401.
	anonymous bool
	fn        func(*call) error
}

// param is a query or header parameter.
type param struct {
	name, in, doc string
	typ           string // "string", "integer", "boolean"
	required      bool
}

// response is one success response of a route.
type response struct {
	status int
	typ    reflect.Type // JSON body type; nil for none or for content
	page   bool         // a page of typ items
	link   bool         // typ is a page of its own, with a Link header to the next
	// content names other media types of the body (CSV, HTML…).
	content []string
	doc     string
}

type api struct {
	routes []*route
}

func q(name, doc string) param { return param{name: name, in: "query", typ: "string", doc: doc} }
func qi(name, doc string) param {
	return param{name: name, in: "query", typ: "integer", doc: doc}
}
func qb(name, doc string) param {
	return param{name: name, in: "query", typ: "boolean", doc: doc}
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func ok[T any](doc string) response { return response{status: 200, typ: typeOf[T](), doc: doc} }
func created[T any](doc string) response {
	return response{status: 201, typ: typeOf[T](), doc: doc}
}
func pageOf[T any](doc string) response {
	return response{status: 200, typ: typeOf[T](), page: true, doc: doc}
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// document renders the OpenAPI 3.1 document of the routes.
func (a *api) document() []byte {
	s := newSchemas()
	problem := s.of(typeOf[Problem]())
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		op := map[string]any{"operationId": rt.op, "summary": rt.summary, "tags": []string{rt.tag}}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		ps := slices.Clone(rt.params)
		if rt.list {
			ps = append(ps, qi("limit", "page size, 1–1000 (default 50)"), q("cursor", "the next page's cursor (the Link header's rel=next)"))
			if rt.export {
				ps = append(ps, q("format", "json (default), csv or xlsx: the whole result (up to the export limit) as a file with Chinese headers"))
			}
		}
		if rt.ifMatch {
			ps = append(ps, param{name: "If-Match", in: "header", typ: "string", required: true, doc: "the ETag of the version read"})
		}
		if rt.idempotent {
			ps = append(ps, param{name: "Idempotency-Key", in: "header", typ: "string", doc: "a key unique to this request: a retry with the same key and body gets the first response, once"})
		}
		if rt.method == http.MethodGet && rt.out[0].typ != nil && !rt.out[0].page {
			ps = append(ps, param{name: "If-None-Match", in: "header", typ: "string", doc: "an ETag: 304 when unchanged"})
		}
		ps = append(ps, param{name: "Accept-Language", in: "header", typ: "string", doc: "zh or en: the language of messages"})
		for _, p := range ps {
			pm := map[string]any{"name": p.name, "in": p.in, "schema": map[string]any{"type": p.typ}}
			if p.doc != "" {
				pm["description"] = p.doc
			}
			if p.required {
				pm["required"] = true
			}
			params = append(params, pm)
		}
		op["parameters"] = params
		if rt.in != nil || len(rt.inTypes) > 0 {
			content := map[string]any{}
			if rt.in != nil {
				content["application/json"] = map[string]any{"schema": s.of(rt.in)}
			}
			for _, t := range rt.inTypes {
				content[t] = map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": t}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		responses := map[string]any{}
		for _, r := range rt.out {
			resp := map[string]any{"description": r.doc}
			content := map[string]any{}
			switch {
			case r.page:
				content["application/json"] = map[string]any{"schema": map[string]any{
					"type": "object", "additionalProperties": false, "required": []string{"items"},
					"properties": map[string]any{
						"items": orNull(map[string]any{"type": "array", "items": s.of(r.typ)}),
						"next":  map[string]any{"type": "string"},
					}}}
				resp["headers"] = map[string]any{"Link": map[string]any{"description": `<…?cursor=…>; rel="next" when there is a next page`, "schema": map[string]any{"type": "string"}}}
				if rt.export {
					content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string"}}
					content[xlsxType] = map[string]any{"schema": map[string]any{"type": "string", "contentEncoding": "binary"}}
				}
			case r.typ != nil:
				content["application/json"] = map[string]any{"schema": s.of(r.typ)}
				if r.link {
					resp["headers"] = map[string]any{"Link": map[string]any{"description": `<…?cursor=…>; rel="next" when there is a next page`, "schema": map[string]any{"type": "string"}}}
				}
			}
			for _, t := range r.content {
				content[t] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
			if len(content) > 0 {
				resp["content"] = content
			}
			if r.typ != nil && !r.page && recordType(r.typ) {
				resp["headers"] = map[string]any{"ETag": map[string]any{"description": "the record's version", "schema": map[string]any{"type": "string"}}}
			}
			responses[strconv.Itoa(r.status)] = resp
		}
		if rt.method == http.MethodGet && rt.out[0].typ != nil && !rt.out[0].page && recordType(rt.out[0].typ) {
			responses["304"] = map[string]any{"description": "not modified (If-None-Match)"}
		}
		for _, st := range rt.problems() {
			responses[strconv.Itoa(st)] = map[string]any{"description": http.StatusText(st),
				"content": map[string]any{"application/problem+json": map[string]any{"schema": problem}}}
		}
		op["responses"] = responses
		op["security"] = []any{map[string]any{}, map[string]any{"bearer": []any{}}}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "techbroker API", "version": "1",
			"description": "The HTTP/JSON API of a technology-transfer broker platform (package github.com/kexie/techbroker/broker/httpapi). Errors are RFC 9457 problem details in Chinese or English (Accept-Language)."},
		"paths": paths,
		"components": map[string]any{
			"schemas": s.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "an API key (tbk_…) or an OpenID Connect / JWT access token"}},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("httpapi: the OpenAPI document does not encode: " + err.Error()) // a programmer's error in the route table
	}
	return b
}

// problems are the error statuses a route may answer.
func (rt *route) problems() []int {
	st := []int{400, 401, 403, 404, 500}
	if rt.in != nil || len(rt.inTypes) > 0 {
		st = append(st, 413, 415, 422)
	}
	if rt.method == http.MethodPost || rt.method == http.MethodPut || rt.method == http.MethodDelete {
		st = append(st, 409, 412, 422)
	}
	if rt.ifMatch {
		st = append(st, 412, 428)
	}
	if rt.list && rt.export {
		st = append(st, 406)
	}
	st = append(st, 503)
	st = append(st, rt.extra...)
	slices.Sort(st)
	return slices.Compact(st)
}

// recordType reports whether t is a stored record (it has an ETag).
func recordType(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	f, ok := t.FieldByName("Meta")
	return ok && f.Anonymous
}
