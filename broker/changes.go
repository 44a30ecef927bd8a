package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// Change is an event of the log with its record as stored when the log was
// read, for trusted followers of the log (System.Changes).
type Change struct {
	Event
	Version int64  // the record's stored version; 0 when it no longer exists
	Record  []byte // the record's stored JSON (see Decode); nil when it no longer exists
}

// Decode reads the change's record into v, a pointer to a record type, with
// its ID and version as stored; ErrNotFound when it no longer exists.
func (c Change) Decode(v Record) error {
	m, ok := v.(interface{ meta() *Meta })
	if !ok {
		return wrap("decode", c.Kind, c.Event.Record, fmt.Errorf("%T is not a pointer to a record type", v))
	}
	if c.Record == nil {
		return wrap("decode", c.Kind, c.Event.Record, ErrNotFound)
	}
	if err := json.Unmarshal(c.Record, v); err != nil {
		return wrap("decode", c.Kind, c.Event.Record, fmt.Errorf("decode stored %s: %w", c.Kind, err))
	}
	m.meta().ID, m.meta().Version = c.Event.Record, c.Version
	return nil
}

// Changes returns at most limit (0: 1,000) events of the log after the
// sequence number after, oldest first, each with its record as stored when
// read (which may reflect later events too). It is for trusted followers
// of the log — a match index, a replica — that apply the access policy
// themselves: it asks no principal and redacts nothing. A store with
// driver.ChangeReader answers in one query; others event by event.
func (s *System) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	if limit <= 0 {
		limit = 1000
	}
	cs, err := driver.ReadChanges(ctx, s.store, after, limit)
	if err != nil {
		return nil, wrap("changes", "", "", err)
	}
	out := make([]Change, len(cs))
	for i, c := range cs {
		out[i].Event = eventOf(c.Event)
		if c.Record != nil {
			out[i].Version, out[i].Record = c.Record.Version, c.Record.Body
		}
	}
	return out, nil
}

// WaitChanges blocks until the log may hold an event after the sequence
// number after (nil; read the log to see), or until ctx is done (its
// error). A store with driver.Waiter tells of commits (PostgreSQL by
// LISTEN/NOTIFY, memstore by a broadcast); others are polled every poll
// (0: 250 ms). It starts no goroutine.
func (s *System) WaitChanges(ctx context.Context, after int64, poll time.Duration) error {
	if err := driver.WaitFor(ctx, s.store, after, poll); err != nil && ctx.Err() == nil {
		return wrap("wait", "", "", err)
	}
	return ctx.Err()
}
