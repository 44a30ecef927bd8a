package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
)

// Problem is an RFC 9457 problem detail, the body of every error response
// (Content-Type application/problem+json). Title and Detail are in the
// caller's language (Chinese or English by Accept-Language); Errors lists
// every bad field of the request, each with its message in that language.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Code names the refusal for programs: "stale", "missing_if_match",
	// "unknown_field", "below_increment", "full", … (see the package
	// documentation).
	Code   string         `json:"code,omitempty"`
	Errors []ProblemField `json:"errors,omitempty"`
}

// ProblemField is one bad field of a request or one bad row of an import.
type ProblemField struct {
	Row     int    `json:"row,omitempty"`
	Field   string `json:"field"`
	Code    string `json:"code"`
	Param   string `json:"param,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// apiError is an error the handler answers with a given status.
type apiError struct {
	status int
	code   string
	detail func(zh bool) string // nil: the status's own text
	fields []broker.FieldError
	cause  error
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return http.StatusText(e.status) + ": " + e.cause.Error()
	}
	return http.StatusText(e.status)
}

func (e *apiError) Unwrap() error { return e.cause }

// fail returns an apiError of status with a detail in both languages.
func fail(status int, code, en, zh string, fields ...broker.FieldError) *apiError {
	return &apiError{status: status, code: code, fields: fields, detail: func(z bool) string {
		if z {
			return zh
		}
		return en
	}}
}

// unauthenticated is the 401 of refused credentials; the cause stays in
// the server's logs, never in the response.
func unauthenticated(cause error) error {
	e := fail(http.StatusUnauthorized, "unauthenticated", "Sign in: this needs valid credentials.", "请登录：此操作需要有效的身份凭证。")
	e.cause = cause
	return e
}

var titles = map[int][2]string{
	400: {"Bad request", "请求无效"},
	401: {"Unauthorized", "未认证"},
	403: {"Forbidden", "无权操作"},
	404: {"Not found", "未找到"},
	405: {"Method not allowed", "不支持该请求方法"},
	406: {"Not acceptable", "无法提供所请求的格式"},
	409: {"Conflict", "与当前状态冲突"},
	412: {"Precondition failed", "版本已变化"},
	413: {"Request body too large", "请求体过大"},
	415: {"Unsupported media type", "不支持的内容类型"},
	422: {"Unprocessable content", "内容校验未通过"},
	428: {"Precondition required", "缺少版本条件"},
	500: {"Internal server error", "服务器内部错误"},
	503: {"Service unavailable", "服务暂不可用"},
}

var details = map[int][2]string{
	404: {"The record does not exist, or you may not see it.", "记录不存在，或您无权查看。"},
	403: {"The access policy does not let you do this.", "访问策略不允许此操作。"},
	405: {"This path does not take that method.", "该路径不支持此请求方法。"},
	500: {"The server failed to answer; try again later.", "服务器未能处理请求，请稍后重试。"},
}

// fail answers err as a problem. Errors of the System are mapped by
// sentinel: ErrNotFound 404, ErrForbidden 403 (404 when the caller may not
// read the record the path names), ErrStale 412, ErrExists and ErrConflict
// 409, ErrInvalid 422 listing every bad field. Only the caller's own input
// and the state of records the caller may act on appear in a message.
func (c *call) fail(err error) {
	c.problem(c.toProblem(err))
}

func (c *call) toProblem(err error) *Problem {
	zh := isZH(c.lang)
	var ae *apiError
	if errors.As(err, &ae) {
		p := &Problem{Status: ae.status, Code: ae.code}
		if ae.detail != nil {
			p.Detail = ae.detail(zh)
		}
		p.Errors = c.fields(ae.fields)
		if ae.status == http.StatusUnauthorized {
			c.h.log.Info("httpapi: credentials refused", "cause", ae.cause)
			c.w.Header().Set("WWW-Authenticate", `Bearer realm="techbroker"`)
		}
		return p
	}
	switch {
	case errors.Is(err, broker.ErrNotFound):
		return &Problem{Status: 404, Code: "not_found"}
	case errors.Is(err, broker.ErrForbidden):
		var be *exchange.BidError
		if errors.As(err, &be) {
			return c.bidProblem(be, 403)
		}
		if c.visible != nil && !c.visible() {
			return &Problem{Status: 404, Code: "not_found"}
		}
		return &Problem{Status: 403, Code: "forbidden"}
	case errors.Is(err, broker.ErrStale):
		return &Problem{Status: 412, Code: "stale", Detail: pick(zh,
			"The record changed since you read it: read it again (its ETag is the version) and retry.",
			"记录在您读取后已被修改：请重新读取（ETag 即版本号）后再试。")}
	case errors.Is(err, broker.ErrExists):
		var be *exchange.BidError
		if errors.As(err, &be) {
			return c.bidProblem(be, 409)
		}
		return &Problem{Status: 409, Code: "exists", Detail: pick(zh, "It exists already.", "该记录已存在。")}
	case errors.Is(err, broker.ErrInvalid):
		return c.invalidProblem(err)
	case errors.Is(err, broker.ErrConflict):
		var be *exchange.BidError
		if errors.As(err, &be) {
			return c.bidProblem(be, 409)
		}
		var te *broker.TransitionError
		if errors.As(err, &te) {
			return &Problem{Status: 409, Code: "transition", Detail: pick(zh,
				fmt.Sprintf("The %s cannot move from %s to %s.", te.Kind, te.From, te.To),
				fmt.Sprintf("当前状态“%s”不能转为“%s”。", te.From, te.To))}
		}
		if errors.Is(err, activity.ErrFull) {
			return &Problem{Status: 409, Code: "full", Detail: pick(zh, "No seat is left.", "名额已满。")}
		}
		return &Problem{Status: 409, Code: "conflict", Detail: causeText(err)}
	case errors.Is(err, errUnavailable):
		return &Problem{Status: 503, Code: "unavailable", Detail: pick(zh, "This service is not configured.", "该服务未配置。")}
	}
	if !errors.Is(err, errInternal) {
		c.h.log.Error("httpapi: internal error", "route", c.route(), "err", err)
	}
	return &Problem{Status: 500}
}

var errUnavailable = errors.New("unavailable")

func (c *call) route() string {
	if c.rt == nil {
		return ""
	}
	return c.rt.op
}

// causeText is the text of a refusal by a record's state, without the
// "broker: op kind id:" prefix.
func causeText(err error) string {
	var be *broker.Error
	if errors.As(err, &be) && be.Err != nil {
		return be.Err.Error()
	}
	return ""
}

func (c *call) invalidProblem(err error) *Problem {
	zh := isZH(c.lang)
	p := &Problem{Status: 422, Code: "invalid", Detail: pick(zh, "The request has bad fields; each is listed.", "请求中有字段未通过校验，逐项列出如下。")}
	var ve *broker.ValidationError
	var te *broker.TransitionError
	var be *exchange.BidError
	var de *exchange.DealError
	switch {
	case errors.As(err, &ve):
		p.Errors = c.fields(ve.Fields)
	case errors.As(err, &te):
		p.Code = "guard"
		p.Errors = c.fields([]broker.FieldError{{Field: string(te.Missing), Code: "required"}})
		p.Detail = pick(zh, fmt.Sprintf("Moving to %s needs %s.", te.To, te.Missing), fmt.Sprintf("转为“%s”需要提供 %s。", te.To, te.Missing))
	case errors.As(err, &be):
		return c.bidProblem(be, 422)
	case errors.As(err, &de):
		p.Code = "compliance"
		for _, f := range de.Findings {
			p.Errors = append(p.Errors, ProblemField{Field: f.Rule, Code: "compliance", Param: f.Article, Message: f.Why})
		}
	}
	return p
}

func (c *call) bidProblem(be *exchange.BidError, status int) *Problem {
	zh := isZH(c.lang)
	p := &Problem{Status: status, Code: string(be.Reason), Detail: be.Detail}
	if !be.Minimum.IsZero() {
		p.Errors = []ProblemField{{Field: "amount", Code: string(be.Reason), Param: be.Minimum.StringFixed(2), Value: be.Amount.StringFixed(2),
			Message: pick(zh, "the least acceptable amount is "+be.Minimum.StringFixed(2), "最低可接受金额为"+be.Minimum.StringFixed(2)+"元")}}
	}
	return p
}

// fields renders field errors in the caller's language.
func (c *call) fields(fs []broker.FieldError) []ProblemField {
	if len(fs) == 0 {
		return nil
	}
	out := make([]ProblemField, len(fs))
	for i, f := range fs {
		out[i] = ProblemField{Row: f.Row, Field: f.Field, Code: f.Code, Param: f.Param, Value: f.Value, Message: f.Message(c.lang)}
	}
	return out
}

// problem writes p, filling its type, title and default detail.
func (c *call) problem(p *Problem) {
	if c.wrote {
		return
	}
	zh := isZH(c.lang)
	if p.Type == "" {
		p.Type = "about:blank"
		if p.Code != "" {
			p.Type = "urn:techbroker:problem:" + p.Code
		}
	}
	if t, ok := titles[p.Status]; ok {
		p.Title = pick(zh, t[0], t[1])
	} else {
		p.Title = http.StatusText(p.Status)
	}
	if p.Detail == "" {
		if d, ok := details[p.Status]; ok {
			p.Detail = pick(zh, d[0], d[1])
		}
	}
	if c.r != nil {
		p.Instance = c.r.URL.Path
	}
	body, _ := json.Marshal(p)
	h := c.w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Language", c.lang.String())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("ETag")
	h.Del("Location")
	c.wrote = true
	c.w.WriteHeader(p.Status)
	_, _ = c.w.Write(body)
}

func isZH(t language.Tag) bool {
	b, _ := t.Base()
	return b.String() == "zh"
}

func pick(zh bool, en, z string) string {
	if zh {
		return z
	}
	return en
}
