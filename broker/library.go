package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// entity is what a record type provides to Library. The methods are
// unexported: the record kinds are this package's own.
type entity[T any] interface {
	kind() Kind
	getMeta() Meta
	withMeta(Meta) T
	normalized() T
	check(c *checker, s *System)
	stage() string
	dedupKey() string
	ownerOrgs() []string
	redactFor(Principal) T
	columns() map[string]setter[T]
}

// Library is the portable collection of one record kind: the achievement,
// demand and expert libraries and the industry brokers are Libraries. Values
// go in and come out by copy: a caller never holds stored state.
type Library[T entity[T]] struct {
	s *System
}

// Page is one page of a List.
type Page[T any] struct {
	Items []T
	// Next is the cursor for the following page; empty on the last page.
	Next string
}

// ListOptions filter and page a List. Records are ordered by ID.
type ListOptions struct {
	Broker string // only records handled by this industry broker
	Stage  string // only records in this status or stage (Demand.Status, ...)
	Cursor string // Page.Next of the previous page
	Limit  int    // page size; 0 means 100; at most 10,000
}

func (l *Library[T]) kind() Kind {
	var zero T
	return zero.kind()
}

// prepare normalizes and validates v, returning the value to store. It does
// not set times or version.
func (l *Library[T]) prepare(v T) (T, error) {
	v = v.normalized()
	c := &checker{}
	structErrors(l.s.validate, c, &v) // a pointer: boxing the value would copy it
	v.check(c, l.s)
	return v, c.err(v.kind())
}

func (l *Library[T]) record(v T) (driver.Record, error) {
	return l.recordKeyed(v, v.dedupKey())
}

// recordKeyed is record with v's de-duplication key already computed.
func (l *Library[T]) recordKeyed(v T, key string) (driver.Record, error) {
	m := v.getMeta()
	var body []byte
	var err error
	if a, ok := any(&v).(*Achievement); ok {
		body, err = encodeAchievement(a) // json.Marshal's bytes, faster (achcodec.go)
	} else {
		body, err = json.Marshal(v)
	}
	if err != nil {
		return driver.Record{}, fmt.Errorf("encode: %w", err)
	}
	return driver.Record{
		Kind: string(v.kind()), ID: m.ID, Version: m.Version,
		Broker: m.Broker, Stage: v.stage(), Key: key,
		Created: m.Created, Updated: m.Updated, Body: body,
	}, nil
}

func (l *Library[T]) decodeRecord(r driver.Record) (T, error) {
	var v T
	if err := decode(r.Body, &v); err != nil {
		return v, err
	}
	m := v.getMeta()
	m.ID, m.Version = r.ID, r.Version
	return v.withMeta(m), nil
}

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode stored record: %w", err)
	}
	return nil
}

// Create validates, normalizes and stores a new record, and returns it as
// stored (with ID, Version 1 and times). An empty ID gets a fresh one.
func (l *Library[T]) Create(ctx context.Context, p Principal, v T) (T, error) {
	var zero T
	kind := l.kind()
	v, err := l.prepare(v)
	if err != nil {
		return zero, wrap("create", kind, v.getMeta().ID, err)
	}
	m := v.getMeta()
	if !p.canWrite(kind, m, v.ownerOrgs()) {
		return zero, forbidden("create", kind, m.ID, "principal may not create this record")
	}
	v = l.stamp(p, v, l.s.now())
	err = driver.Update(ctx, l.s.store, func(ctx context.Context, tx driver.Tx) error {
		return l.createTx(ctx, tx, p, v, "created")
	})
	if err != nil {
		return zero, wrap("create", kind, v.getMeta().ID, err)
	}
	m = v.getMeta()
	m.Version = 1
	return v.withMeta(m).redactFor(p), nil
}

// stamp sets ID, times and AddedBy on a prepared new record.
func (l *Library[T]) stamp(p Principal, v T, now time.Time) T {
	m := v.getMeta()
	if m.ID == "" {
		m.ID = l.s.newID(v.kind())
	}
	m.Version = 0
	m.Created, m.Updated = now, now
	if m.Provenance.AddedBy == "" {
		m.Provenance.AddedBy = p.ID
	}
	return v.withMeta(m)
}

// createTx writes a prepared, stamped record and its event inside tx.
func (l *Library[T]) createTx(ctx context.Context, tx driver.Tx, p Principal, v T, event string) error {
	rec, err := l.record(v)
	if err != nil {
		return err
	}
	if err := tx.Create(ctx, rec); err != nil {
		return err
	}
	return tx.Append(ctx, driver.Event{Kind: rec.Kind, RecordID: rec.ID, Type: event, Actor: p.ID, Time: rec.Updated})
}

// Get returns the record with that ID. ErrNotFound if there is none;
// ErrForbidden if the principal may not see it.
func (l *Library[T]) Get(ctx context.Context, p Principal, id string) (T, error) {
	var zero T
	kind := l.kind()
	rec, err := l.s.store.Get(ctx, string(kind), id)
	if err != nil {
		return zero, wrap("get", kind, id, err)
	}
	v, err := l.decodeRecord(rec)
	if err != nil {
		return zero, wrap("get", kind, id, err)
	}
	if !p.canRead(v.getMeta(), v.ownerOrgs()) {
		return zero, forbidden("get", kind, id, "record not visible to principal")
	}
	return v.redactFor(p), nil
}

// Update replaces the record with v. v.Version must be the version the
// caller read: if the record changed since, Update returns ErrConflict and
// writes nothing. Created and Provenance.AddedBy are kept from the stored
// record. It returns the record as stored, with its new version.
func (l *Library[T]) Update(ctx context.Context, p Principal, v T) (T, error) {
	var zero T
	kind := l.kind()
	id := v.getMeta().ID
	if id == "" {
		return zero, wrap("update", kind, "", &ValidationError{Kind: kind, Fields: []FieldError{{Field: "id", Code: "required"}}})
	}
	v, err := l.prepare(v)
	if err != nil {
		return zero, wrap("update", kind, id, err)
	}
	var out T
	err = driver.Update(ctx, l.s.store, func(ctx context.Context, tx driver.Tx) error {
		var err error
		out, err = l.replaceTx(ctx, tx, p, v, "updated")
		return err
	})
	if err != nil {
		return zero, wrap("update", kind, id, err)
	}
	return out.redactFor(p), nil
}

// replaceTx replaces a stored record with the prepared v inside tx, checking
// access on both states and writing an event of type event.
func (l *Library[T]) replaceTx(ctx context.Context, tx driver.Tx, p Principal, v T, event string) (T, error) {
	var zero T
	kind := v.kind()
	m := v.getMeta()
	cur, err := tx.Get(ctx, string(kind), m.ID)
	if err != nil {
		return zero, err
	}
	old, err := l.decodeRecord(cur)
	if err != nil {
		return zero, err
	}
	om := old.getMeta()
	if !p.canWrite(kind, om, old.ownerOrgs()) || !p.canWrite(kind, m, v.ownerOrgs()) {
		return zero, forbidden("update", kind, m.ID, "principal may not change this record")
	}
	if cur.Version != m.Version {
		return zero, ErrConflict
	}
	if _, isExpert := any(old).(Expert); isExpert && !p.canSeeContact(any(old).(Expert)) {
		// A caller that cannot see contact data cannot have meant to clear it.
		v = any(keepContact(any(v).(Expert), any(old).(Expert))).(T)
	}
	if g, ok := any(old).(guardedUpdater); ok && event == "updated" {
		if errs := g.guardUpdate(v); len(errs) > 0 {
			return zero, &ValidationError{Kind: kind, Fields: errs}
		}
	}
	m.Created = om.Created
	m.Provenance.AddedBy = om.Provenance.AddedBy
	m.Updated = l.s.now()
	v = v.withMeta(m)
	rec, err := l.record(v)
	if err != nil {
		return zero, err
	}
	ver, err := tx.Replace(ctx, rec)
	if err != nil {
		return zero, err
	}
	if err := tx.Append(ctx, driver.Event{Kind: rec.Kind, RecordID: rec.ID, Type: event, Actor: p.ID, Time: rec.Updated}); err != nil {
		return zero, err
	}
	m.Version = ver
	return v.withMeta(m), nil
}

// guardedUpdater is implemented by kinds with fields that a plain Update may
// not change, because a guarded operation owns them (a demand's closed-loop
// status goes through MoveDemand).
type guardedUpdater interface {
	guardUpdate(newer any) []FieldError
}

func keepContact(v, old Expert) Expert {
	v.Contact = old.Contact
	return v
}

// Modify reads the record, applies fn to it and writes it back, retrying
// when another writer got there first: up to 30 attempts, after the second
// with a short randomized back-off (at most 20 ms) so that contending
// writers spread out. It returns ErrConflict only when every attempt lost.
// fn may be called several times and must only change the value it is given.
func (l *Library[T]) Modify(ctx context.Context, p Principal, id string, fn func(*T) error) (T, error) {
	var zero T
	kind := l.kind()
	for attempt := 0; ; attempt++ {
		v, err := l.Get(ctx, p, id)
		if err != nil {
			return zero, wrap("modify", kind, id, err)
		}
		if err := fn(&v); err != nil {
			return zero, wrap("modify", kind, id, err)
		}
		m := v.getMeta()
		m.ID = id
		v = v.withMeta(m)
		out, err := l.Update(ctx, p, v)
		if errors.Is(err, ErrConflict) && attempt < 29 {
			if attempt > 0 {
				d := time.Duration(rand.Int64N(int64(min(attempt, 20)) * int64(time.Millisecond)))
				select {
				case <-ctx.Done():
				case <-time.After(d):
				}
			}
			if ctx.Err() != nil {
				return zero, wrap("modify", kind, id, ctx.Err())
			}
			continue
		}
		return out, err
	}
}

// Delete removes the record if its stored version is version, and writes a
// "deleted" event. ErrConflict if it changed since.
func (l *Library[T]) Delete(ctx context.Context, p Principal, id string, version int64) error {
	kind := l.kind()
	err := driver.Update(ctx, l.s.store, func(ctx context.Context, tx driver.Tx) error {
		cur, err := tx.Get(ctx, string(kind), id)
		if err != nil {
			return err
		}
		old, err := l.decodeRecord(cur)
		if err != nil {
			return err
		}
		if !p.canWrite(kind, old.getMeta(), old.ownerOrgs()) {
			return forbidden("delete", kind, id, "principal may not delete this record")
		}
		if err := tx.Delete(ctx, string(kind), id, version); err != nil {
			return err
		}
		return tx.Append(ctx, driver.Event{Kind: string(kind), RecordID: id, Type: "deleted", Actor: p.ID, Time: l.s.now()})
	})
	return wrap("delete", kind, id, err)
}

// List returns one page of records the principal may see, ordered by ID.
func (l *Library[T]) List(ctx context.Context, p Principal, o ListOptions) (Page[T], error) {
	kind := l.kind()
	limit := o.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 10000 {
		return Page[T]{}, wrap("list", kind, "", &ValidationError{Kind: kind, Fields: []FieldError{{Field: "limit", Code: "max", Param: "10000", Value: itoa(o.Limit)}}})
	}
	q := driver.Query{Kind: string(kind), Broker: o.Broker, Stage: o.Stage, After: o.Cursor, Limit: limit + 1}
	var page Page[T]
	var last string
	for {
		recs, err := l.s.store.List(ctx, q)
		if err != nil {
			return Page[T]{}, wrap("list", kind, "", err)
		}
		for _, r := range recs {
			if len(page.Items) == limit {
				// r lies beyond the full page: there is a next page.
				page.Next = last
				return page, nil
			}
			v, err := l.decodeRecord(r)
			if err != nil {
				return Page[T]{}, wrap("list", kind, r.ID, err)
			}
			q.After = r.ID
			if !p.canRead(v.getMeta(), v.ownerOrgs()) {
				continue
			}
			page.Items = append(page.Items, v.redactFor(p))
			last = r.ID
		}
		if len(recs) < q.Limit {
			return page, nil
		}
	}
}
