package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/internal/jsonenc"
)

// Tx is one transaction of a System: every record written through it and
// every event it logs are kept together or not at all. It is handed to the
// function given to System.Update and must not be used after that function
// returns. A Tx is not safe for concurrent use.
//
// The record operations on a Tx (Get, Read, Create, Replace, Delete, List,
// Find) do, for every record type and in one place, what a write needs:
// they stamp IDs, versions and times, normalize and validate the record,
// ask the access policy, encode it, and log the audit event.
//
// A Tx remembers what it read. A write over a record that a concurrent
// transaction changed after this one read it, and the creation of a record
// that this one read as missing but a concurrent one created meanwhile,
// are the store's stale version, which System.Update retries; so "read,
// then create if missing, else replace" needs no retry of its own. A Find
// of a whole kind (no filter) reads every record of the kind: those it
// returned at the versions it returned, the others as missing.
type Tx struct {
	s   *System
	ctx context.Context
	dtx driver.Tx
	now time.Time
	// registry caches whether the organization registry is empty, for the
	// checks of organization references.
	registry int // 0 unknown, 1 empty, 2 has organizations
	// seen holds the version of each record the transaction has read or
	// written, to tell a record changed under the transaction by a
	// concurrent one (the store's stale version, retried) from a caller's
	// stale version; and, for records read whole (Read) or written, what
	// the policy needs of them, so that a write after a read does not read
	// and decode the record again (the store still checks the version).
	seen map[RecordRef]seenRecord
	// scanned holds the kinds the transaction found whole (Find without a
	// filter): it read every record of them, those it did not find as
	// missing.
	scanned map[Kind]bool
}

type seenRecord struct {
	version int64
	known   bool   // target holds the record's policy target
	target  Target // when known
}

// saw remembers the version of a record the transaction read or wrote,
// and its policy target when t is not nil.
func (tx *Tx) saw(kind Kind, id string, version int64, t *Target) {
	if tx.seen == nil {
		tx.seen = map[RecordRef]seenRecord{}
	}
	s := seenRecord{version: version}
	if t != nil {
		s.known, s.target = true, *t
		s.target.Owners = slices.Clone(t.Owners) // the caller may change the record it was taken from
		s.target.Assignees = slices.Clone(t.Assignees)
	}
	tx.seen[RecordRef{Kind: kind, ID: id}] = s
}

// stale is the error of a write naming version when stored is the stored
// one: a concurrent transaction's change if this transaction read the
// named version itself (the store's stale version, which Update retries),
// else the caller's stale version.
func (tx *Tx) stale(kind Kind, id string, named, stored int64) error {
	if v, ok := tx.seen[RecordRef{Kind: kind, ID: id}]; ok && v.version == named {
		return fmt.Errorf("%s %s changed under the transaction: %w", kind, id, driver.ErrStale)
	}
	return staleVersion(kind, id, named, stored)
}

// maxAttempts bounds System.Update's runs of one transaction: enough for a
// record many writers contend for (sixteen bidders on one auction's book
// on PostgreSQL), with a randomized back-off that spreads them out.
const maxAttempts = 50

// Update runs fn in one transaction. If fn returns an error, nothing it
// wrote is kept and Update returns that error. When the store reports that
// a record fn read was changed by another writer before fn's write (a stale
// version from the store, which happens between concurrent transactions on
// PostgreSQL), fn runs again from the start, up to 50 times in all, after
// the second time with a randomized back-off that grows to at most 25 ms.
// That is
// the only retry: a refusal of the record's state (ErrConflict), a version
// the caller named that is no longer stored (ErrStale from the System's own
// check), bad input or a forbidden action are returned at once. fn may
// therefore run more than once and must not have effects outside tx.
func (s *System) Update(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := driver.Update(ctx, s.store, func(ctx context.Context, dtx driver.Tx) error {
			return fn(&Tx{s: s, ctx: ctx, dtx: dtx})
		})
		if err == nil || !errors.Is(err, driver.ErrStale) || ctx.Err() != nil {
			return err
		}
		if attempt == maxAttempts-1 {
			return &Error{Op: "update", Code: ErrStale, Err: fmt.Errorf("%d attempts lost to concurrent writers: %w", maxAttempts, err)}
		}
		if attempt > 0 {
			d := time.Duration(rand.Int64N(int64(min(1<<min(attempt-1, 5), 25)) * int64(time.Millisecond)))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
			}
		}
	}
}

// update runs fn in a transaction and wraps its error as op on kind/id.
func (s *System) update(ctx context.Context, op string, kind Kind, id string, fn func(tx *Tx) error) error {
	return wrap(op, kind, id, s.Update(ctx, fn))
}

// Context is the transaction's context.
func (tx *Tx) Context() context.Context { return tx.ctx }

// Now is the transaction's time: the System's clock when it was first
// asked, in UTC at microsecond precision. Every record and event the
// transaction writes carries it.
func (tx *Tx) Now() time.Time {
	if tx.now.IsZero() {
		tx.now = tx.s.now()
	}
	return tx.now
}

// System is the System the transaction belongs to.
func (tx *Tx) System() *System { return tx.s }

// Log appends an audit event about a record without writing the record.
// body, if not nil, is stored as its JSON encoding.
func (tx *Tx) Log(p Principal, ref RecordRef, typ string, body any) error {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode %s event: %w", typ, err)
		}
	}
	return tx.dtx.Append(tx.ctx, driver.Event{Kind: string(ref.Kind), RecordID: ref.ID, Type: typ, Actor: p.ID, Time: tx.Now(), Body: b})
}

// WriteOption adjusts one write of a Tx.
type WriteOption func(*writeOpts)

type writeOpts struct {
	action  Action
	subject *Target
	event   string
	body    any
}

// Via authorizes a write by the principal's right to do a to subject,
// instead of the plain create, update or delete right on the record
// written. Operations use it: registering for an activity creates a
// registration because the principal may take part in the activity; moving
// a case replaces it because the principal may operate it. The operation
// has checked its own rules before it writes.
func Via(a Action, subject Target) WriteOption {
	return func(o *writeOpts) { o.action, o.subject = a, &subject }
}

// Logged names the audit event of a write (default "created", "updated"
// or "deleted") and gives its body, stored as JSON if not nil.
func Logged(typ string, body any) WriteOption {
	return func(o *writeOpts) { o.event, o.body = typ, body }
}

func options(opts []WriteOption, event string) writeOpts {
	o := writeOpts{event: event}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// allowed asks the policy about a write by p of the record t describes:
// the Via action on its subject, or the plain action on the record.
func (o writeOpts) allowed(p Principal, plain Action, t Target) bool {
	if o.subject != nil {
		return Can(p, o.action, *o.subject)
	}
	return Can(p, plain, t)
}

// kindOf returns the kind of record type T.
func kindOf[T Record]() Kind {
	var zero T
	return zero.RecordKind()
}

// metaOf returns a pointer to v's embedded Meta.
func metaOf[T Record](v *T) *Meta {
	m, ok := any(v).(interface{ meta() *Meta })
	if !ok {
		panic(fmt.Sprintf("broker: record type %T does not embed broker.Meta", *v))
	}
	return m.meta()
}

// Get reads the record of type T with that ID, as p may see it: ErrNotFound
// if there is none, ErrForbidden if the policy does not let p read it. Its
// private part is left out unless p may see it (Redactor).
func Get[T Record](tx *Tx, p Principal, id string) (T, error) {
	v, err := Read[T](tx, id)
	if err != nil {
		return v, err
	}
	return readable(p, v, "get")
}

// readable returns v redacted for p, or ErrForbidden.
func readable[T Record](p Principal, v T, op string) (T, error) {
	t := targetOf(&v)
	if !Can(p, ActRead, t) {
		var zero T
		return zero, forbidden(op, t.Kind, t.Meta.ID, "the record is not visible to the principal")
	}
	return redact(p, &v, t), nil
}

func redact[T Record](p Principal, v *T, t Target) T {
	if r, ok := any(v).(Redactor[T]); ok && !Can(p, ActSeePrivate, t) {
		return r.Redacted()
	}
	return *v
}

// Read reads the record of type T with that ID without asking the policy
// and without redaction, for operations that decide access themselves (for
// example by Can on the record they act on). ErrNotFound if there is none.
func Read[T Record](tx *Tx, id string) (T, error) {
	kind := kindOf[T]()
	tx.s.register(kind, typeOf[T]())
	rec, err := tx.dtx.Get(tx.ctx, string(kind), id)
	if err != nil {
		if errors.Is(err, driver.ErrNotFound) {
			if _, ok := tx.seen[RecordRef{Kind: kind, ID: id}]; !ok {
				tx.saw(kind, id, 0, nil) // read as missing: see createPrepared
			}
		}
		var zero T
		return zero, err
	}
	v, err := decodeRecord[T](rec)
	if err == nil {
		t := targetOf(&v)
		tx.saw(Kind(rec.Kind), rec.ID, rec.Version, &t)
	}
	return v, err
}

func decodeRecord[T Record](r driver.Record) (T, error) {
	var v T
	if err := jsonenc.Unmarshal(r.Body, &v); err != nil {
		return v, fmt.Errorf("decode stored %s %s: %w", r.Kind, r.ID, err)
	}
	m := metaOf(&v)
	m.ID, m.Version = r.ID, r.Version
	return v, nil
}

// Create validates, normalizes and stores a new record and logs its
// "created" event. An empty ID gets a fresh one; the version becomes 1 and
// Created and Updated the transaction's time; Provenance.AddedBy is the
// principal (platform admins may set another). It returns the record as
// stored, redacted for p. ErrExists if the ID is taken; ErrInvalid with
// every bad field; ErrForbidden if the policy refuses.
func Create[T Record](tx *Tx, p Principal, v T, opts ...WriteOption) (T, error) {
	var zero T
	o := options(opts, "created")
	if err := prepareIn(tx.s, &v); err != nil {
		return zero, err
	}
	if err := admitNew(p, v, o); err != nil {
		return zero, err
	}
	stamp(tx.s, p, &v, tx.Now())
	return createPrepared(tx, p, v, o)
}

// admitNew asks the policy whether p may create the prepared record v, and
// checks the fields a plain create may not set (Guarded).
func admitNew[T Record](p Principal, v T, o writeOpts) error {
	m := metaOf(&v)
	m.Provenance.AddedBy = "" // a new record is judged by its content, not by who adds it
	if !o.allowed(p, ActCreate, targetOf(&v)) {
		return forbidden("create", v.RecordKind(), m.ID, "the principal may not create this record")
	}
	if g, ok := any(&v).(Guarded[T]); ok && o.subject == nil {
		var zero T
		if errs := g.GuardUpdate(zero); len(errs) > 0 {
			return invalid(v.RecordKind(), errs...)
		}
	}
	return nil
}

// stamp sets a new record's ID (when empty), version and times, and
// Provenance.AddedBy: the principal (platform admins may name another).
func stamp[T Record](s *System, p Principal, v *T, now time.Time) {
	m := metaOf(v)
	if m.Provenance.AddedBy == "" || p.Role != RolePlatformAdmin {
		m.Provenance.AddedBy = p.ID
	}
	if m.ID == "" {
		m.ID = s.newID((*v).RecordKind())
	}
	m.Version, m.Created, m.Updated = 0, now, now
}

// createPrepared writes a prepared, admitted and stamped record and its
// event.
func createPrepared[T Record](tx *Tx, p Principal, v T, o writeOpts) (T, error) {
	var zero T
	if err := tx.checkOrgRefs(&v); err != nil {
		return zero, err
	}
	rec, err := encodeRecord(&v)
	if err != nil {
		return zero, err
	}
	if err := tx.dtx.Create(tx.ctx, rec); err != nil {
		seen, ok := tx.seen[Ref(v)]
		if errors.Is(err, driver.ErrExists) && (ok && seen.version == 0 || !ok && tx.scanned[v.RecordKind()]) {
			// The transaction read the record as missing (by ID, or by
			// finding its whole kind without it) and a concurrent one
			// created it since: the store's stale version, retried (the
			// function then reads the record that now exists).
			return zero, fmt.Errorf("%s %s was created under the transaction: %w", v.RecordKind(), rec.ID, driver.ErrStale)
		}
		return zero, err
	}
	if err := tx.Log(p, refOf(&v), o.event, o.body); err != nil {
		return zero, err
	}
	metaOf(&v).Version = 1
	t := targetOf(&v)
	tx.saw(v.RecordKind(), rec.ID, 1, &t)
	return redact(p, &v, t), nil
}

// Replace stores v over the record with its ID and logs its "updated"
// event. v.Version must be the version the caller read: ErrStale if the
// record changed since, ErrInvalid if it is 0. Created and
// Provenance.AddedBy are kept from the stored record, and so is its private
// part when p may not see it. The policy must allow the change of both the
// stored and the new record. A plain update (without Via) may not change
// the fields an operation owns (Guarded). It returns the record as stored,
// with its new version, redacted for p.
func Replace[T Record](tx *Tx, p Principal, v T, opts ...WriteOption) (T, error) {
	var zero T
	o := options(opts, "updated")
	m := metaOf(&v)
	kind, id := v.RecordKind(), m.ID
	if id == "" {
		return zero, invalid(kind, FieldError{Field: "id", Code: "required"})
	}
	if m.Version < 1 {
		return zero, invalid(kind, FieldError{Field: "version", Code: "required"})
	}
	// The stored record: as this transaction read it, or read now. Types
	// whose update needs the whole stored record (a private part to keep,
	// fields an operation owns) read it now.
	var old *T // read only for types that need it
	var ot Target
	ref := RecordRef{Kind: kind, ID: id}
	_, redactor := any(&v).(Redactor[T])
	_, guarded := any(&v).(Guarded[T])
	if seen, ok := tx.seen[ref]; ok && seen.known && !redactor && !(guarded && o.subject == nil) {
		ot = seen.target
		ot.Meta.Version = seen.version
	} else {
		stored, err := Read[T](tx, id)
		if err != nil {
			return zero, err
		}
		old = &stored
		if ok {
			tx.seen[ref] = seen // what the transaction read before, not this re-read
		}
		ot = targetOf(old)
	}
	om := ot.Meta
	if !o.allowed(p, ActUpdate, ot) {
		return zero, forbidden("update", kind, id, "the principal may not change this record")
	}
	if om.Version != m.Version {
		return zero, tx.stale(kind, id, m.Version, om.Version)
	}
	if r, ok := any(&v).(Redactor[T]); ok && !Can(p, ActSeePrivate, ot) {
		v = r.Unredacted(*old) // a caller that cannot see the private part cannot have meant to clear it
		m = metaOf(&v)
	}
	version := m.Version
	var err error
	if err = prepareIn(tx.s, &v); err != nil {
		return zero, err
	}
	m = metaOf(&v)
	m.ID, m.Version = id, version
	nt := targetOf(&v)
	if !o.allowed(p, ActUpdate, nt) {
		return zero, forbidden("update", kind, id, "the principal may not make this change")
	}
	if g, ok := any(&v).(Guarded[T]); ok && o.subject == nil {
		if errs := g.GuardUpdate(*old); len(errs) > 0 {
			return zero, invalid(kind, errs...)
		}
	}
	m.Created, m.Provenance.AddedBy, m.Updated = om.Created, om.Provenance.AddedBy, tx.Now()
	if err := tx.checkOrgRefs(&v); err != nil {
		return zero, err
	}
	rec, err := encodeRecord(&v)
	if err != nil {
		return zero, err
	}
	ver, err := tx.dtx.Replace(tx.ctx, rec)
	if err != nil {
		return zero, err
	}
	if err := tx.Log(p, refOf(&v), o.event, o.body); err != nil {
		return zero, err
	}
	m.Version = ver
	nt = targetOf(&v)
	tx.saw(kind, id, ver, &nt)
	return redact(p, &v, nt), nil
}

// Delete removes the record of type T with that ID, if its stored version
// is version (ErrStale otherwise; ErrInvalid if 0), and logs its "deleted"
// event.
func Delete[T Record](tx *Tx, p Principal, id string, version int64, opts ...WriteOption) error {
	kind := kindOf[T]()
	o := options(opts, "deleted")
	if version < 1 {
		return invalid(kind, FieldError{Field: "version", Code: "required"})
	}
	ref := RecordRef{Kind: kind, ID: id}
	before, seen := tx.seen[ref]
	old, err := Read[T](tx, id)
	if err != nil {
		return err
	}
	if seen {
		tx.seen[ref] = before // what the transaction read before, not this re-read
	}
	if !o.allowed(p, ActDelete, targetOf(&old)) {
		return forbidden("delete", kind, id, "the principal may not delete this record")
	}
	if v := old.RecordMeta().Version; v != version {
		return tx.stale(kind, id, version, v)
	}
	if err := tx.dtx.Delete(tx.ctx, string(kind), id, version); err != nil {
		return err
	}
	delete(tx.seen, ref)
	return tx.Log(p, RecordRef{Kind: kind, ID: id}, o.event, o.body)
}

func staleVersion(kind Kind, id string, named, stored int64) error {
	return &Error{Op: "write", Kind: kind, ID: id, Code: ErrStale,
		Err: fmt.Errorf("version %d was read, the stored version is %d", named, stored)}
}

// List returns one page of the records of type T that p may read, inside
// the transaction (see Library.List).
func List[T Record](tx *Tx, p Principal, o ListOptions) (Page[T], error) {
	return list[T](tx.s, txReader{tx}, p, o)
}

// Find returns every record of type T matching q's filters that p may
// read, in ID order, inside the transaction. q.Cursor and q.Limit are
// ignored.
func Find[T Record](tx *Tx, p Principal, q ListOptions) ([]T, error) {
	return find[T](tx.s, txReader{tx}, p, q)
}
