package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/review"
)

// Feed is the System's event log as the event stream reads it: every
// event in commit order with its record as stored when read. It is
// trusted input; the stream shows each caller only the events of records
// the caller may read.
type Feed interface {
	// Changes returns the events with a sequence number above after,
	// oldest first, at most limit of them.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
	// Wait returns when the log may hold events above after, or with the
	// context's error. A Feed that cannot wait returns
	// errors.ErrUnsupported, and the stream polls every Options.EventPoll.
	Wait(ctx context.Context, after int64) error
}

// Change is one event of a Feed with its record as stored (Body nil when
// the record no longer exists).
type Change struct {
	Seq    int64
	Kind   broker.Kind
	Record string
	Type   string
	Actor  string
	Time   time.Time
	Body   []byte
}

// decoders reads stored records of the kinds the API knows, for the
// policy's decision on each event.
var decoders = map[broker.Kind]func([]byte) (broker.Record, error){
	broker.KindAchievement:    decodeAs[broker.Achievement],
	broker.KindDemand:         decodeAs[broker.Demand],
	broker.KindExpert:         decodeAs[broker.Expert],
	broker.KindBroker:         decodeAs[broker.IndustryBroker],
	broker.KindOrganization:   decodeAs[broker.Organization],
	broker.KindSociety:        decodeAs[broker.Society],
	broker.KindCase:           decodeAs[broker.Case],
	broker.KindFeedback:       decodeAs[broker.Feedback],
	broker.KindServicePackage: decodeAs[broker.ServicePackage],
	broker.KindStaff:          decodeAs[broker.Staff],
	activity.KindActivity:     decodeAs[activity.Activity],
	activity.KindRegistration: decodeAs[activity.Registration],
	activity.KindMeeting:      decodeAs[activity.Meeting],
	activity.KindLead:         decodeAs[activity.Lead],
	exchange.KindListing:      decodeAs[exchange.Listing],
	exchange.KindBid:          decodeAs[exchange.Bid],
	exchange.KindDeposit:      decodeAs[exchange.Deposit],
	exchange.KindDeal:         decodeAs[exchange.Deal],
	review.KindPanel:          decodeAs[review.Panel],
	review.KindSheet:          decodeAs[review.ScoreSheet],
	review.KindVerdict:        decodeAs[review.Verdict],
}

func decodeAs[T broker.Record](b []byte) (broker.Record, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// visibleEvent reports whether p may see an event: p may read its record
// as stored now. Events of deleted records, of records of kinds the API
// does not know (a listing's book, idempotency keys, API keys) and of
// undecodable records are for platform admins only; a tender's sealed
// offer is for its bidder only, as the exchange has it.
func visibleEvent(p broker.Principal, ch Change) bool {
	dec, known := decoders[ch.Kind]
	if !known || ch.Body == nil {
		return p.Role == broker.RolePlatformAdmin
	}
	v, err := dec(ch.Body)
	if err != nil {
		return p.Role == broker.RolePlatformAdmin
	}
	if b, ok := v.(exchange.Bid); ok && b.Sealed {
		return p.Org != "" && p.Org == b.Bidder
	}
	return broker.CanDo(p, broker.ActRead, v)
}

func (h *handler) eventRoutes() []*route {
	return []*route{{method: "GET", path: "/v1/events", op: "events", tag: "事件 events",
		summary: "Server-Sent Events: every change to a record you may read, as it commits. Resume with Last-Event-ID (or ?after=) set to the last id received; ?kinds= keeps only some record kinds",
		params: []param{q("kinds", "comma-separated record kinds, e.g. case,demand"), qi("after", "resume after this event id (as Last-Event-ID)"),
			param{name: "Last-Event-ID", in: "header", typ: "string", doc: "the id of the last event received"}},
		out: []response{{status: 200, content: []string{"text/event-stream"}, doc: "the stream; each message's data is an Event"}},
		fn:  h.events}}
}

func (h *handler) events(c *call) error {
	feed := h.o.Changes
	if feed == nil {
		return errUnavailable
	}
	after := int64(0)
	resume := c.r.Header.Get("Last-Event-ID")
	if resume == "" {
		resume = c.query("after")
	}
	if resume != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(resume), 10, 64)
		if err != nil || n < 0 {
			return fail(http.StatusBadRequest, "bad_query", "Last-Event-ID must be an event id.", "Last-Event-ID须为事件编号。",
				broker.FieldError{Field: "Last-Event-ID", Code: "malformed", Param: "integer", Value: resume})
		}
		after = n
	}
	kinds := map[broker.Kind]bool{}
	for _, k := range strings.Split(c.query("kinds"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			kinds[broker.Kind(k)] = true
		}
	}
	// Check the feed before the stream starts, so that a failing feed is a
	// problem response rather than a stream that ends at once.
	batch, err := feed.Changes(c.ctx, after, 200)
	if err != nil {
		return err
	}
	w := c.w
	rc := http.NewResponseController(w)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	c.wrote = true
	w.WriteHeader(http.StatusOK)
	// The server's WriteTimeout would cut the stream: each write moves the
	// deadline past the next heartbeat (ignored by writers without
	// deadlines, such as the test recorder).
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(2*h.o.EventHeartbeat + 5*time.Second)) }
	extend()
	fmt.Fprintf(w, "retry: 2000\n\n")
	_ = rc.Flush()
	for {
		for _, ch := range batch {
			after = ch.Seq
			if len(kinds) > 0 && !kinds[ch.Kind] {
				continue
			}
			if !visibleEvent(c.p, ch) {
				continue
			}
			data, _ := json.Marshal(Event{Seq: ch.Seq, Kind: ch.Kind, Record: ch.Record, Type: ch.Type, Actor: ch.Actor, Time: ch.Time})
			extend()
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ch.Seq, ch.Type, data); err != nil {
				return nil
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
		if len(batch) == 200 {
			if batch, err = feed.Changes(c.ctx, after, 200); err != nil {
				return nil
			}
			continue
		}
		// Wait for news, a heartbeat or the end of the request.
		wctx, cancel := context.WithTimeout(c.ctx, h.o.EventHeartbeat)
		err := feed.Wait(wctx, after)
		if errors.Is(err, errors.ErrUnsupported) {
			err = sleep(wctx, h.o.EventPoll)
		}
		cancel()
		if c.ctx.Err() != nil {
			return nil
		}
		if err != nil {
			extend()
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
		}
		if batch, err = feed.Changes(c.ctx, after, 200); err != nil {
			return nil
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
