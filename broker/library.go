package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// Library is the portable collection of one record type: the achievement,
// demand and expert libraries, the industry brokers and every feature's
// records are Libraries. Values go in and come out by copy: a caller never
// holds stored state. Each call is one transaction (System.Update); to
// change several records together, use System.Update and the Tx record
// operations.
type Library[T Record] struct {
	s *System
}

// NewLibrary returns the Library of record type T over s, and makes T's
// kind known to s (organization merges and audits cover every known kind).
func NewLibrary[T Record](s *System) *Library[T] {
	s.register(kindOf[T](), typeOf[T]())
	return &Library[T]{s: s}
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
	Stage  string // only records in this status or stage (Staged)
	Key    string // only records with this de-duplication key (Keyed)
	// UpdatedBefore, if not zero, keeps records last changed before it.
	UpdatedBefore time.Time
	Cursor        string // Page.Next of the previous page
	Limit         int    // page size; 0 means 100; at most 10,000
}

// Get returns the record with that ID. ErrNotFound if there is none;
// ErrForbidden if the principal may not see it.
func (l *Library[T]) Get(ctx context.Context, p Principal, id string) (T, error) {
	kind := kindOf[T]()
	rec, err := l.s.store.Get(ctx, string(kind), id)
	if err != nil {
		var zero T
		return zero, wrap("get", kind, id, err)
	}
	v, err := decodeRecord[T](rec)
	if err == nil {
		v, err = readable(p, v, "get")
	}
	return v, wrap("get", kind, id, err)
}

// Create validates, normalizes and stores a new record, and returns it as
// stored (with ID, Version 1 and times). An empty ID gets a fresh one.
func (l *Library[T]) Create(ctx context.Context, p Principal, v T) (T, error) {
	var out T
	err := l.s.update(ctx, "create", kindOf[T](), v.RecordMeta().ID, func(tx *Tx) (err error) {
		out, err = Create(tx, p, v)
		return err
	})
	return out, err
}

// Update replaces the record with v. v.Version must be the version the
// caller read: if the record changed since, Update returns ErrStale and
// writes nothing. Created and Provenance.AddedBy are kept from the stored
// record. It returns the record as stored, with its new version.
func (l *Library[T]) Update(ctx context.Context, p Principal, v T) (T, error) {
	var out T
	err := l.s.update(ctx, "update", kindOf[T](), v.RecordMeta().ID, func(tx *Tx) (err error) {
		out, err = Replace(tx, p, v)
		return err
	})
	return out, err
}

// Modify reads the record, applies fn to it and writes it back, in one
// transaction (so no other writer comes between the read and the write).
// fn may be called more than once (see System.Update) and must only change
// the value it is given.
func (l *Library[T]) Modify(ctx context.Context, p Principal, id string, fn func(*T) error) (T, error) {
	var out T
	err := l.s.update(ctx, "modify", kindOf[T](), id, func(tx *Tx) error {
		v, err := Get[T](tx, p, id)
		if err != nil {
			return err
		}
		if err := fn(&v); err != nil {
			return err
		}
		m := metaOf(&v)
		m.ID, m.Version = id, v.RecordMeta().Version
		out, err = Replace(tx, p, v)
		return err
	})
	return out, err
}

// Delete removes the record if its stored version is version, and writes a
// "deleted" event. ErrStale if it changed since.
func (l *Library[T]) Delete(ctx context.Context, p Principal, id string, version int64) error {
	return l.s.update(ctx, "delete", kindOf[T](), id, func(tx *Tx) error {
		return Delete[T](tx, p, id, version)
	})
}

// List returns one page of the records the principal may read, ordered by
// ID. Records the principal may not read are left out before the page is
// cut: a page of Limit records with more readable records beyond it holds
// Limit records.
func (l *Library[T]) List(ctx context.Context, p Principal, o ListOptions) (Page[T], error) {
	pg, err := list[T](l.s, storeReader{l.s, ctx}, p, o)
	return pg, wrap("list", kindOf[T](), "", err)
}

// Find returns every record matching o's filters that the principal may
// read, in ID order; o.Cursor and o.Limit are ignored.
func (l *Library[T]) Find(ctx context.Context, p Principal, o ListOptions) ([]T, error) {
	out, err := find[T](l.s, storeReader{l.s, ctx}, p, o)
	return out, wrap("find", kindOf[T](), "", err)
}

// reader is what List and Find read through: the store or a transaction.
type reader interface {
	list(q driver.Query) ([]driver.Record, error)
}

type storeReader struct {
	s   *System
	ctx context.Context
}

func (r storeReader) list(q driver.Query) ([]driver.Record, error) {
	return r.s.store.List(r.ctx, q)
}

type txReader struct{ tx *Tx }

func (r txReader) list(q driver.Query) ([]driver.Record, error) {
	recs, err := r.tx.dtx.List(r.tx.ctx, q)
	for _, rec := range recs {
		if _, ok := r.tx.seen[RecordRef{Kind: Kind(rec.Kind), ID: rec.ID}]; !ok {
			r.tx.saw(Kind(rec.Kind), rec.ID, rec.Version, nil)
		}
	}
	return recs, err
}

const maxPage = 10000

func list[T Record](s *System, r reader, p Principal, o ListOptions) (Page[T], error) {
	kind := kindOf[T]()
	s.register(kind, typeOf[T]())
	limit := o.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > maxPage {
		return Page[T]{}, invalid(kind, FieldError{Field: "limit", Code: "max", Param: itoa(maxPage), Value: itoa(o.Limit)})
	}
	q := query(kind, o)
	q.After, q.Limit = o.Cursor, limit+1
	var page Page[T]
	for {
		recs, err := r.list(q)
		if err != nil {
			return Page[T]{}, err
		}
		for _, rec := range recs {
			v, err := decodeRecord[T](rec)
			if err != nil {
				return Page[T]{}, err
			}
			q.After = rec.ID
			t := targetOf(&v)
			if !Can(p, ActRead, t) {
				continue
			}
			if len(page.Items) == limit {
				// A readable record beyond the full page: there is a next page.
				page.Next = page.Items[limit-1].RecordMeta().ID
				return page, nil
			}
			page.Items = append(page.Items, redact(p, &v, t))
		}
		if len(recs) < q.Limit {
			return page, nil
		}
	}
}

func find[T Record](s *System, r reader, p Principal, o ListOptions) ([]T, error) {
	kind := kindOf[T]()
	s.register(kind, typeOf[T]())
	q := query(kind, o)
	recs, err := r.list(q)
	if err != nil {
		return nil, err
	}
	if tr, ok := r.(txReader); ok && q == (driver.Query{Kind: q.Kind}) {
		if tr.tx.scanned == nil {
			tr.tx.scanned = map[Kind]bool{}
		}
		tr.tx.scanned[kind] = true
	}
	out := make([]T, 0, len(recs))
	for _, rec := range recs {
		v, err := decodeRecord[T](rec)
		if err != nil {
			return nil, err
		}
		if t := targetOf(&v); Can(p, ActRead, t) {
			out = append(out, redact(p, &v, t))
		}
	}
	return out, nil
}

func query(kind Kind, o ListOptions) driver.Query {
	return driver.Query{Kind: string(kind), Broker: o.Broker, Stage: o.Stage, Key: o.Key, UpdatedBefore: o.UpdatedBefore}
}

// prepare normalizes v (Normalizer, then Meta) and validates it (struct
// tags, then Validator), returning every bad field.
func prepare[T Record](s *System, v T) (T, error) {
	err := prepareIn(s, &v)
	return v, err
}

// prepareIn is prepare in place.
func prepareIn[T Record](s *System, v *T) error {
	if n, ok := any(v).(Normalizer[T]); ok {
		*v = n.Normalized()
	}
	metaOf(v).normalize()
	c := &Check{sys: s}
	s.structErrors(c, v)
	if val, ok := any(v).(Validator); ok {
		val.Validate(c)
	}
	return c.Err((*v).RecordKind())
}

// fastEncoder is implemented by the record types with a hand-written
// encoder that writes exactly encoding/json's bytes (Achievement, which
// imports write by the hundred thousand; see achcodec.go for why it earns
// its place).
type fastEncoder interface{ encodeJSON() ([]byte, error) }

// encodeRecord is the stored form of v: its JSON and indexed fields.
func encodeRecord[T Record](v *T) (driver.Record, error) {
	var body []byte
	var err error
	if e, ok := any(v).(fastEncoder); ok {
		body, err = e.encodeJSON()
	} else {
		body, err = json.Marshal(v)
	}
	kind := (*v).RecordKind()
	if err != nil {
		return driver.Record{}, fmt.Errorf("encode %s: %w", kind, err)
	}
	m := metaOf(v)
	rec := driver.Record{Kind: string(kind), ID: m.ID, Version: m.Version, Broker: m.Broker,
		Created: m.Created, Updated: m.Updated, Body: body}
	if st, ok := any(v).(Staged); ok {
		rec.Stage = st.RecordStage()
	}
	if k, ok := any(v).(Keyed); ok {
		rec.Key = k.DedupKey()
	}
	return rec, nil
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }
