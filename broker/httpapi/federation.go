package httpapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/federation"
)

// Federation over HTTP: a federation.Transport that carries a region's
// messages to another region's platform as signed HTTP requests, and the
// route (POST /v1/federation/messages) that receives them into the
// region's inbox, from which the region's federation node reads its feed.
//
// Each request is signed with the key of the agreement between the two
// regions (HMAC-SHA256 over the method, path, both regions, a timestamp, a
// nonce and the body's SHA-256) and carries the timestamp and nonce:
// the receiver refuses a request whose signature does not verify, whose
// timestamp is outside its window, or whose nonce it has seen (stored as a
// record through the System, so a replay is refused by every instance over
// the store). It accepts only what its agreement with the sender allows —
// a message from the signing region to this region, of a known type, with
// an agreement in force (and, for a profile, of a desk the agreement
// names) — and logs every refusal.

// Federation headers.
const (
	HeaderFedRegion    = "Fed-Region"    // the sending region's code
	HeaderFedTimestamp = "Fed-Timestamp" // Unix seconds
	HeaderFedNonce     = "Fed-Nonce"     // 16 to 64 characters, used once
	HeaderFedSignature = "Fed-Signature" // "hmac-sha256=" and the base64 MAC
)

const fedPath = "/v1/federation/messages"

// FederationPeer is another region's platform.
type FederationPeer struct {
	Region string // its region code
	URL    string // the base URL of its API, e.g. "https://platform.taizhou.example"
	// Key is the agreement's shared key, at least 32 bytes, known to both
	// regions.
	Key []byte
}

// FederationOptions configure a region's HTTP transport.
type FederationOptions struct {
	Region     string                 // this region's code
	Agreements []federation.Agreement // what each peer may send
	Peers      []FederationPeer
	// Client sends the requests; nil means a client with a 10 s timeout.
	Client *http.Client
	// MaxSkew is the window around the receiver's clock a timestamp must
	// fall in; 0 means 5 minutes.
	MaxSkew time.Duration
	// Service is the principal that writes the inbox and the nonces (a
	// platform admin); zero means broker.PlatformAdmin("federation-http").
	Service broker.Principal
	// Now is the clock; nil means the System's.
	Now    func() time.Time
	Logger *slog.Logger
}

// FederationTransport is a federation.Transport over HTTP (see the
// package's "Federation over HTTP"). Pass it to federation.New as the
// Transport and to NewHandler as Options.Federation.
type FederationTransport struct {
	sys   *broker.System
	o     FederationOptions
	peers map[string]FederationPeer
	inbox *broker.Library[InboxMessage]
}

var _ federation.Transport = (*FederationTransport)(nil)

// Record kinds of the transport.
const (
	KindInbox     broker.Kind = "fed_inbox"      // a message received
	KindInboxHead broker.Kind = "fed_inbox_head" // the inbox's last position
	KindFedNonce  broker.Kind = "fed_nonce"      // a nonce seen
)

// InboxMessage is a message received from another region, at its position
// in this region's feed.
type InboxMessage struct {
	broker.Meta
	Pos  int64  `json:"pos"`
	From string `json:"from" validate:"max=32"`
	Body []byte `json:"body"`
}

// RecordKind is KindInbox.
func (InboxMessage) RecordKind() broker.Kind { return KindInbox }

// Normalized makes the message confidential.
func (m InboxMessage) Normalized() InboxMessage { m.Visibility = broker.Confidential; return m }

type inboxHead struct {
	broker.Meta
	Pos int64 `json:"pos"`
}

func (inboxHead) RecordKind() broker.Kind { return KindInboxHead }

func (h inboxHead) Normalized() inboxHead { h.Visibility = broker.Confidential; return h }

type fedNonce struct {
	broker.Meta
	Region string    `json:"region" validate:"max=32"`
	Seen   time.Time `json:"seen"`
}

func (fedNonce) RecordKind() broker.Kind { return KindFedNonce }

func (n fedNonce) Normalized() fedNonce { n.Visibility = broker.Confidential; return n }

// NewFederationTransport returns the region's transport over sys.
func NewFederationTransport(sys *broker.System, o FederationOptions) (*FederationTransport, error) {
	if o.Region == "" {
		return nil, errors.New("httpapi: the federation transport needs its region")
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.MaxSkew <= 0 {
		o.MaxSkew = 5 * time.Minute
	}
	if o.Service.Role == "" {
		o.Service = broker.PlatformAdmin("federation-http")
	}
	if o.Now == nil {
		o.Now = sys.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	t := &FederationTransport{sys: sys, o: o, peers: map[string]FederationPeer{}, inbox: broker.NewLibrary[InboxMessage](sys)}
	broker.NewLibrary[inboxHead](sys)
	broker.NewLibrary[fedNonce](sys)
	for _, p := range o.Peers {
		if len(p.Key) < 32 {
			return nil, fmt.Errorf("httpapi: the key for region %s has %d bytes, want at least 32", p.Region, len(p.Key))
		}
		if p.Region == "" || p.URL == "" {
			return nil, errors.New("httpapi: a federation peer needs a region and a URL")
		}
		t.peers[p.Region] = p
	}
	return t, nil
}

// signature is the MAC of a request.
func signature(key []byte, from, to, ts, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "POST\n%s\n%s\n%s\n%s\n%s\n%s", fedPath, from, to, ts, nonce, hex.EncodeToString(sum[:]))
	return "hmac-sha256=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Send implements federation.Transport: it posts msg, signed, to the
// platform of region to.
func (t *FederationTransport) Send(ctx context.Context, to string, msg []byte) error {
	p, ok := t.peers[to]
	if !ok {
		return fmt.Errorf("httpapi: federation: no platform known for region %s", to)
	}
	var raw [18]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	nonce := base64.RawURLEncoding.EncodeToString(raw[:])
	ts := strconv.FormatInt(t.o.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimSuffix(p.URL, "/")+fedPath, bytes.NewReader(msg))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderFedRegion, t.o.Region)
	req.Header.Set(HeaderFedTimestamp, ts)
	req.Header.Set(HeaderFedNonce, nonce)
	req.Header.Set(HeaderFedSignature, signature(p.Key, t.o.Region, to, ts, nonce, msg))
	res, err := t.o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("httpapi: federation: send to %s: %w", to, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusAccepted {
		var p Problem
		_ = json.Unmarshal(body, &p)
		return fmt.Errorf("httpapi: federation: region %s refused the message: %d %s", to, res.StatusCode, p.Detail)
	}
	return nil
}

// Feed implements federation.Transport: the messages this region received,
// from position after.
func (t *FederationTransport) Feed(ctx context.Context, region string, after int64, limit int) ([]federation.FeedItem, error) {
	if region != t.o.Region {
		return nil, fmt.Errorf("httpapi: federation: this transport holds the feed of region %s, not %s", t.o.Region, region)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	o := broker.ListOptions{Limit: limit}
	if after > 0 {
		o.Cursor = inboxID(after)
	}
	pg, err := t.inbox.List(ctx, t.o.Service, o)
	if err != nil {
		return nil, err
	}
	out := make([]federation.FeedItem, len(pg.Items))
	for i, m := range pg.Items {
		out[i] = federation.FeedItem{Pos: m.Pos, Body: m.Body}
	}
	return out, nil
}

func inboxID(pos int64) string { return fmt.Sprintf("in-%016d", pos) }

// FedReceipt is the answer to a message received.
type FedReceipt struct {
	Pos int64 `json:"pos"`
}

// receive handles POST /v1/federation/messages.
func (t *FederationTransport) receive(c *call) error {
	from := c.r.Header.Get(HeaderFedRegion)
	refuse := func(status int, code, why string) error {
		t.o.Logger.Warn("httpapi: federation request refused", "from", from, "remote", c.r.RemoteAddr, "reason", why)
		return fail(status, code, "The federation request was refused.", "跨区域协同请求被拒绝。")
	}
	peer, ok := t.peers[from]
	if !ok {
		return refuse(http.StatusUnauthorized, "unsigned", "unknown or missing region")
	}
	if err := requireType(c.r, "application/json"); err != nil {
		return err
	}
	body, err := readLimited(c.r, c.w, c.h.o.MaxBodyBytes)
	if err != nil {
		return err
	}
	ts, nonce, sig := c.r.Header.Get(HeaderFedTimestamp), c.r.Header.Get(HeaderFedNonce), c.r.Header.Get(HeaderFedSignature)
	if ts == "" || nonce == "" || sig == "" {
		return refuse(http.StatusUnauthorized, "unsigned", "missing timestamp, nonce or signature")
	}
	if len(nonce) < 16 || len(nonce) > 64 || !printable(nonce) {
		return refuse(http.StatusUnauthorized, "unsigned", "malformed nonce")
	}
	if !hmac.Equal([]byte(sig), []byte(signature(peer.Key, from, t.o.Region, ts, nonce, body))) {
		return refuse(http.StatusUnauthorized, "bad_signature", "the signature does not verify")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	now := t.o.Now()
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > t.o.MaxSkew {
		return refuse(http.StatusUnauthorized, "stale_request", "the timestamp is outside the window")
	}
	var msg federation.Message
	if err := json.Unmarshal(body, &msg); err != nil {
		return refuse(http.StatusBadRequest, "malformed_json", "the message is not a federation message")
	}
	if why := t.allowed(from, msg, now); why != "" {
		return refuse(http.StatusForbidden, "not_agreed", why)
	}
	var pos int64
	nid := sha256.Sum256([]byte(from + "\x00" + nonce))
	err = t.sys.Update(c.ctx, func(tx *broker.Tx) error {
		// The nonce first: a replay fails here, on any instance.
		if _, err := broker.Create(tx, t.o.Service, fedNonce{Meta: broker.Meta{ID: "nonce-" + hex.EncodeToString(nid[:20])}, Region: from, Seen: now}); err != nil {
			return err
		}
		head, err := broker.Read[inboxHead](tx, t.o.Region)
		switch {
		case errors.Is(err, broker.ErrNotFound):
			head = inboxHead{Meta: broker.Meta{ID: t.o.Region}, Pos: 1}
			if _, err := broker.Create(tx, t.o.Service, head); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			head.Pos++
			if _, err := broker.Replace(tx, t.o.Service, head); err != nil {
				return err
			}
		}
		pos = head.Pos
		_, err = broker.Create(tx, t.o.Service, InboxMessage{Meta: broker.Meta{ID: inboxID(pos)}, Pos: pos, From: from, Body: body})
		return err
	})
	if errors.Is(err, broker.ErrExists) {
		return refuse(http.StatusConflict, "replayed", "the nonce was used before")
	}
	if err != nil {
		return err
	}
	return c.reply(http.StatusAccepted, FedReceipt{Pos: pos})
}

// allowed says why the agreements do not let region from send msg here,
// or "" when they do.
func (t *FederationTransport) allowed(from string, msg federation.Message, now time.Time) string {
	if msg.From != from || msg.To != t.o.Region {
		return fmt.Sprintf("the message is from %q to %q, the request from %q to %q", msg.From, msg.To, from, t.o.Region)
	}
	switch msg.Type {
	case federation.MsgProfile:
		if msg.Profile == nil {
			return "a profile message without a profile"
		}
	case federation.MsgInterest, federation.MsgAccept, federation.MsgDecline, federation.MsgIntroduce:
	default:
		return fmt.Sprintf("unknown message type %q", msg.Type)
	}
	for _, a := range t.o.Agreements {
		if !a.Joins(from, t.o.Region) || !a.ActiveAt(now) {
			continue
		}
		if msg.Type == federation.MsgProfile && len(a.Brokers) > 0 && !containsString(a.Brokers, msg.Profile.Broker) {
			continue
		}
		return ""
	}
	return fmt.Sprintf("no agreement in force lets %s send a %s here", from, msg.Type)
}

func containsString(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func (h *handler) federationRoutes() []*route {
	return []*route{{method: "POST", path: fedPath, op: "federation_receive", tag: "跨区域协同 federation",
		summary: "Receive a message from another region's platform, signed with the agreement's key (Fed-Region, Fed-Timestamp, Fed-Nonce, Fed-Signature)",
		params: []param{
			{name: HeaderFedRegion, in: "header", typ: "string", required: true, doc: "the sending region's code"},
			{name: HeaderFedTimestamp, in: "header", typ: "string", required: true, doc: "Unix seconds"},
			{name: HeaderFedNonce, in: "header", typ: "string", required: true, doc: "16 to 64 characters, never repeated"},
			{name: HeaderFedSignature, in: "header", typ: "string", required: true, doc: "hmac-sha256=<base64 MAC>"},
		},
		in: typeOf[federation.Message](), out: []response{{status: 202, typ: typeOf[FedReceipt](), doc: "stored in the region's inbox"}}, anonymous: true,
		fn: func(c *call) error {
			if h.o.Federation == nil {
				return errUnavailable
			}
			return h.o.Federation.receive(c)
		}}}
}
