package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// Change is an event of the audit log with the state of its record when the
// log was read, for a trusted follower of the log such as a match index
// kept current from the store (see System.Changes).
type Change struct {
	Event
	// Version is the record's stored version; 0 when it no longer exists.
	Version int64
	// Record is the record's stored JSON, nil when it no longer exists.
	// Decode reads it into a record value.
	Record []byte
}

// Decode reads the change's record into v, a pointer to a record type
// (*Achievement, *Demand, …), with its ID and version as stored.
// ErrNotFound when the record no longer exists.
func (c Change) Decode(v Record) error {
	m, ok := v.(interface{ meta() *Meta })
	if !ok {
		return wrap("decode", c.Kind, c.Event.Record, fmt.Errorf("%T is not a pointer to a record type embedding broker.Meta", v))
	}
	if c.Record == nil {
		return wrap("decode", c.Kind, c.Event.Record, ErrNotFound)
	}
	if err := json.Unmarshal(c.Record, v); err != nil {
		return wrap("decode", c.Kind, c.Event.Record, fmt.Errorf("decode stored %s: %w", c.Kind, err))
	}
	mm := m.meta()
	mm.ID, mm.Version = c.Event.Record, c.Version
	return nil
}

// Changes returns the events of the log with a sequence number above
// after, oldest first, at most limit of them (0 means 1,000), each with its
// record as stored when read (which may already reflect later events).
// It is for trusted followers of the log — a match index, a replica, an
// outbox — that apply the access policy themselves: it asks no principal
// and redacts nothing. Stores implementing driver.ChangeReader answer in
// one query; others are read event by event.
func (s *System) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	if limit <= 0 {
		limit = 1000
	}
	if cr, ok := s.store.(driver.ChangeReader); ok {
		cs, err := cr.Changes(ctx, after, limit)
		if err != nil {
			return nil, wrap("changes", "", "", err)
		}
		out := make([]Change, len(cs))
		for i, c := range cs {
			out[i] = Change{Event: eventOf(c.Event)}
			if c.Record != nil {
				out[i].Version, out[i].Record = c.Record.Version, c.Record.Body
			}
		}
		return out, nil
	}
	evs, err := s.store.Events(ctx, driver.EventQuery{AfterSeq: after, Limit: limit})
	if err != nil {
		return nil, wrap("changes", "", "", err)
	}
	out := make([]Change, len(evs))
	read := map[RecordRef]int{} // the change that holds a record already read
	for i, e := range evs {
		out[i] = Change{Event: eventOf(e)}
		ref := RecordRef{Kind: Kind(e.Kind), ID: e.RecordID}
		if j, ok := read[ref]; ok {
			out[i].Version, out[i].Record = out[j].Version, out[j].Record
			continue
		}
		rec, err := s.store.Get(ctx, e.Kind, e.RecordID)
		switch {
		case errors.Is(err, driver.ErrNotFound):
		case err != nil:
			return nil, wrap("changes", Kind(e.Kind), e.RecordID, err)
		default:
			out[i].Version, out[i].Record = rec.Version, rec.Body
		}
		read[ref] = i
	}
	return out, nil
}

// WaitChanges blocks until the log may hold an event with a sequence number
// above after, and returns nil; or returns ctx's error when ctx is done
// first. It may return early: read the log (Changes) to see. Stores
// implementing driver.Waiter are told of commits (PostgreSQL by
// LISTEN/NOTIFY, memstore by a broadcast); on others it polls the log
// every poll (0 means 250 ms). It starts no goroutine.
func (s *System) WaitChanges(ctx context.Context, after int64, poll time.Duration) error {
	if w, ok := s.store.(driver.Waiter); ok {
		return wrap("wait", "", "", w.Wait(ctx, after))
	}
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		evs, err := s.store.Events(ctx, driver.EventQuery{AfterSeq: after, Limit: 1})
		if err != nil {
			return wrap("wait", "", "", err)
		}
		if len(evs) > 0 {
			return nil
		}
		t.Reset(poll)
	}
}
