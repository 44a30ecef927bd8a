package driver

import (
	"context"
	"errors"
	"time"
)

// ReadChanges returns at most limit events (all if limit <= 0) with Seq >
// after, each with its record: through ChangeReader when s implements it,
// else by Events and then one Get per distinct record (read after the
// events, so no earlier than them).
func ReadChanges(ctx context.Context, s Store, after int64, limit int) ([]Change, error) {
	if cr, ok := s.(ChangeReader); ok {
		return cr.Changes(ctx, after, limit)
	}
	evs, err := s.Events(ctx, EventQuery{AfterSeq: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Change, len(evs))
	read := map[[2]string]*Record{}
	for i, e := range evs {
		key := [2]string{e.Kind, e.RecordID}
		rec, seen := read[key]
		if !seen {
			r, err := s.Get(ctx, e.Kind, e.RecordID)
			switch {
			case err == nil:
				rec = &r
			case !errors.Is(err, ErrNotFound):
				return nil, err
			}
			read[key] = rec
		}
		out[i] = Change{Event: e, Record: rec}
	}
	return out, nil
}

// WaitFor blocks until the log of s may hold an event with Seq > after
// (nil), or ctx is done (its error): through Waiter when s implements it,
// else by reading one event every poll (0 means 250 ms). It starts no
// goroutine.
func WaitFor(ctx context.Context, s Store, after int64, poll time.Duration) error {
	if w, ok := s.(Waiter); ok {
		return w.Wait(ctx, after)
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
		evs, err := s.Events(ctx, EventQuery{AfterSeq: after, Limit: 1})
		if err != nil || len(evs) > 0 {
			return err
		}
		t.Reset(poll)
	}
}
