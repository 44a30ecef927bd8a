package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/kexie/techbroker/broker"
)

// KindIdempotency is the record kind of a stored Idempotency-Key.
const KindIdempotency broker.Kind = "http_idempotency"

// IdempotencyRecord is one Idempotency-Key of one principal: the request
// it was first sent with (a fingerprint of method, path and body) and,
// once answered, the response, which answers every retry with the same key
// and body. It is stored through the System like every record, so every
// instance of the API over one store sees it; it is written by the
// handler's service principal and readable by platform admins only.
type IdempotencyRecord struct {
	broker.Meta
	Fingerprint string `json:"fingerprint" validate:"required,max=64"`
	Method      string `json:"method" validate:"max=10"`
	Path        string `json:"path" validate:"max=2000"`
	// Done is set once the response is stored; until then another request
	// with the key is told to wait (409), unless Started is older than the
	// lease, when it runs again.
	Done        bool      `json:"done,omitempty"`
	Started     time.Time `json:"started"`
	Status      int       `json:"status,omitempty"`
	ContentType string    `json:"content_type,omitempty" validate:"max=200"`
	ETag        string    `json:"etag,omitempty" validate:"max=100"`
	Location    string    `json:"location,omitempty" validate:"max=2000"`
	Body        []byte    `json:"body,omitempty"`
}

// RecordKind is KindIdempotency.
func (IdempotencyRecord) RecordKind() broker.Kind { return KindIdempotency }

// Normalized makes the record confidential.
func (r IdempotencyRecord) Normalized() IdempotencyRecord {
	r.Visibility = broker.Confidential
	return r
}

// idempotencyLease is how long a request holding a key may run before a
// retry with the key runs it again (after a crash of its instance). The
// operations behind keys refuse a second effect themselves (a bid's Ref,
// one deposit per bidder, one registration per participant, one deal per
// listing), so a retry after the lease cannot act twice.
const idempotencyLease = 30 * time.Second

// idempotent runs fn at most once per Idempotency-Key of the caller: the
// first request with a key runs and its response is stored; a retry with
// the same key and body gets that response again (with Idempotent-Replayed:
// true); the key with another body is refused (422); a retry while the
// first still runs is told to wait (409). Without the header fn just runs.
// Responses of 5xx are not stored: the key can be used again.
func (c *call) idempotent(body []byte, fn func() error) error {
	key := c.r.Header.Get("Idempotency-Key")
	if key == "" {
		return fn()
	}
	if len(key) > 200 || !printable(key) {
		return fail(http.StatusBadRequest, "bad_idempotency_key", "Idempotency-Key must be 1 to 200 printable ASCII characters.",
			"Idempotency-Key须为1到200个可打印ASCII字符。", broker.FieldError{Field: "Idempotency-Key", Code: "printascii"})
	}
	who := sha256.Sum256([]byte(string(c.p.Role) + "\x00" + c.p.ID + "\x00" + c.p.Broker + "\x00" + c.p.Org + "\x00" + key))
	id := "idem-" + hex.EncodeToString(who[:20])
	fp := sha256.Sum256(append([]byte(c.r.Method+" "+c.r.URL.Path+"\x00"), body...))
	fingerprint := hex.EncodeToString(fp[:])
	svc := c.h.o.Service
	var replay *IdempotencyRecord
	err := c.h.sys.Update(c.ctx, func(tx *broker.Tx) error {
		replay = nil
		now := tx.Now()
		rec, err := broker.Read[IdempotencyRecord](tx, id)
		fresh := IdempotencyRecord{Meta: broker.Meta{ID: id}, Fingerprint: fingerprint, Method: c.r.Method, Path: c.r.URL.Path, Started: now}
		switch {
		case errors.Is(err, broker.ErrNotFound):
			_, err = broker.Create(tx, svc, fresh)
			return err
		case err != nil:
			return err
		case now.Sub(rec.Created) > c.h.o.IdempotencyTTL:
			fresh.Version = rec.Version // expired: the key starts afresh
			_, err = broker.Replace(tx, svc, fresh)
			return err
		case rec.Fingerprint != fingerprint:
			return fail(http.StatusUnprocessableEntity, "idempotency_key_reused",
				"This Idempotency-Key was used with another request.", "该Idempotency-Key已用于另一个请求。",
				broker.FieldError{Field: "Idempotency-Key", Code: "unique", Value: key})
		case rec.Done:
			replay = &rec
			return nil
		case now.Sub(rec.Started) < idempotencyLease:
			return fail(http.StatusConflict, "idempotency_in_progress",
				"A request with this Idempotency-Key is still running; retry shortly.", "使用该Idempotency-Key的请求仍在处理中，请稍后重试。")
		default:
			rec.Started = now // the first holder is gone: run again
			_, err = broker.Replace(tx, svc, rec)
			return err
		}
	})
	if err != nil {
		return err
	}
	if replay != nil {
		h := c.w.Header()
		h.Set("Idempotent-Replayed", "true")
		if replay.ContentType != "" {
			h.Set("Content-Type", replay.ContentType)
		}
		if replay.ETag != "" {
			h.Set("ETag", replay.ETag)
		}
		if replay.Location != "" {
			h.Set("Location", replay.Location)
		}
		h.Set("Content-Length", strconv.Itoa(len(replay.Body)))
		c.wrote = true
		c.w.WriteHeader(replay.Status)
		_, _ = c.w.Write(replay.Body)
		return nil
	}
	// Run with the response recorded, then store it.
	rec := &recorder{header: http.Header{}}
	real := c.w
	c.w = rec
	if err := fn(); err != nil {
		c.fail(err)
	}
	c.w = real
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	store := func(tx *broker.Tx) error {
		r, err := broker.Read[IdempotencyRecord](tx, id)
		if err != nil {
			return err
		}
		if rec.status >= 500 {
			return broker.Delete[IdempotencyRecord](tx, svc, id, r.Version)
		}
		r.Done, r.Status, r.Body = true, rec.status, rec.body.Bytes()
		r.ContentType, r.ETag, r.Location = rec.header.Get("Content-Type"), rec.header.Get("ETag"), rec.header.Get("Location")
		_, err = broker.Replace(tx, svc, r)
		return err
	}
	if err := c.h.sys.Update(c.ctx, store); err != nil {
		c.h.log.Error("httpapi: storing an idempotent response", "key", id, "err", err)
	}
	for k, v := range rec.header {
		real.Header()[k] = v
	}
	c.wrote = true
	real.WriteHeader(rec.status)
	_, _ = real.Write(rec.body.Bytes())
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}

// recorder buffers a response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
