package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kexie/techbroker/broker"
)

// unmarshalStrict decodes one JSON value into v, refusing unknown fields
// and trailing data.
func unmarshalStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail(http.StatusBadRequest, "malformed_json", "The body holds more than one JSON value.", "请求体包含多个JSON值。")
	}
	return nil
}

// jsonProblem turns a decoding error into a 400 that names the field.
func jsonProblem(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fail(http.StatusBadRequest, "malformed_json", "The body is not well-formed JSON: "+msg, "请求体不是合法的JSON："+msg)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(body)"
		}
		return fail(http.StatusBadRequest, "malformed_json", "A field has the wrong type.", "字段类型不正确。",
			broker.FieldError{Field: field, Code: "malformed", Param: jsonKind(te.Type.Kind().String()), Value: te.Value})
	case strings.HasPrefix(msg, "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(msg, "json: unknown field "))
		return fail(http.StatusBadRequest, "unknown_field", "The body names a field this request does not have.", "请求体包含该请求没有的字段。",
			broker.FieldError{Field: name, Code: "unknown_field"})
	}
	return fail(http.StatusBadRequest, "malformed_json", "The body could not be read as this request: "+msg, "请求体无法按该请求读取："+msg)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "text"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "list"
	case "struct", "map":
		return "object"
	case "float64", "float32":
		return "number"
	}
	if strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint") {
		return "integer"
	}
	return k
}

// requireType answers 415 unless the request's media type is one of
// types.
func requireType(r *http.Request, types ...string) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		for _, t := range types {
			if strings.EqualFold(mt, t) {
				return nil
			}
		}
	}
	e := fail(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"The body must be "+strings.Join(types, " or ")+".", "请求体须为"+strings.Join(types, "或")+"。")
	return e
}

// readLimited reads the whole body, answering 413 beyond limit bytes.
func readLimited(r *http.Request, w http.ResponseWriter, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(limit)
		}
		return nil, fail(http.StatusBadRequest, "unreadable", "The body could not be read.", "无法读取请求体。")
	}
	return body, nil
}

func tooLarge(limit int64) error {
	n := strconv.FormatInt(limit, 10)
	return fail(http.StatusRequestEntityTooLarge, "too_large", "The body is larger than "+n+" bytes.", "请求体超过"+n+"字节。")
}

// reply writes v as JSON with status.
func (c *call) reply(status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	c.wrote = true
	c.w.WriteHeader(status)
	body = append(body, '\n')
	_, _ = c.w.Write(body)
	return nil
}

// record writes a record with its ETag (its version); with If-None-Match
// naming that version it answers 304.
func (c *call) record(status int, v broker.Record) error {
	m := v.RecordMeta()
	tag := etag(m.Version)
	c.w.Header().Set("ETag", tag)
	if status == http.StatusCreated {
		c.w.Header().Set("Location", c.r.URL.Path+"/"+url.PathEscape(m.ID))
	}
	if status == http.StatusOK && c.r.Method == http.MethodGet && matchesETag(c.r.Header.Get("If-None-Match"), tag) {
		c.wrote = true
		c.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return c.reply(status, v)
}

// createdAt answers 201 with a record created under another collection
// than the request's (a registration made at its activity is
// /v1/registrations/{id}): Location is base + "/" + its ID, ETag its
// version.
func (c *call) createdAt(base string, v broker.Record) error {
	m := v.RecordMeta()
	c.w.Header().Set("Location", base+"/"+url.PathEscape(m.ID))
	c.w.Header().Set("ETag", etag(m.Version))
	return c.reply(http.StatusCreated, v)
}

// etag is the entity tag of a record version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

func matchesETag(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// ifMatch returns the version named by If-Match: 428 when it is missing,
// 412 when it names no version of a record.
func (c *call) ifMatch() (int64, error) {
	h := strings.TrimSpace(c.r.Header.Get("If-Match"))
	if h == "" {
		return 0, fail(http.StatusPreconditionRequired, "missing_if_match",
			"This change needs If-Match with the ETag of the version you read.", "此修改须在If-Match中给出您所读取版本的ETag。")
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v < 1 || strings.Contains(h, ",") {
		return 0, fail(http.StatusPreconditionFailed, "stale",
			"If-Match names no version of this record: send the ETag you read.", "If-Match未给出该记录的任何版本：请使用读取时得到的ETag。")
	}
	return v, nil
}

// page writes a page of records with a Link header to the next one.
func (c *call) page(items any, next string) error {
	if next != "" {
		u := *c.r.URL
		q := u.Query()
		q.Set("cursor", next)
		u.RawQuery = q.Encode()
		c.w.Header().Set("Link", "<"+u.RequestURI()+`>; rel="next"`)
	}
	return c.reply(http.StatusOK, pageBody{Items: items, Next: next})
}

// pageBody is a page of a list.
type pageBody struct {
	Items any    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// listOptions reads limit and cursor (and the broker and stage filters).
func (c *call) listOptions() (broker.ListOptions, error) {
	o := broker.ListOptions{Cursor: c.query("cursor"), Broker: c.query("broker"), Stage: c.query("stage")}
	if s := c.query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return o, fail(http.StatusBadRequest, "bad_query", "limit must be a whole number from 1 to 1000.", "limit须为1到1000之间的整数。",
				broker.FieldError{Field: "limit", Code: "max", Param: "1000", Value: s})
		}
		o.Limit = n
	} else {
		o.Limit = 50
	}
	return o, nil
}
