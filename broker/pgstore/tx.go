package pgstore

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"

	"github.com/kexie/techbroker/broker/driver"
)

// maxAttempts bounds the retries of a transaction that PostgreSQL aborted
// with a serialization failure or a deadlock.
const maxAttempts = 5

// Update implements driver.Store.
//
// Transactions run at READ COMMITTED with explicit checks: a create is
// INSERT … ON CONFLICT DO NOTHING (no row inserted: ErrExists), a replace or
// delete names the version it read in its WHERE clause (no row touched:
// ErrNotFound or ErrConflict, told apart by a second look). A concurrent
// writer of the same row makes the second UPDATE wait for the first to
// commit and then re-check its WHERE clause against the new row, so a
// stale version can never overwrite. Events are buffered and inserted just
// before COMMIT under a transaction-level advisory lock, so sequence
// numbers are handed out in commit order: a reader that has seen seq N
// never later sees a new event with a smaller seq.
//
// A deadlock or serialization failure (SQLSTATE 40P01, 40001) is retried
// up to 5 times, calling fn again, as the driver contract allows.
func (s *Store) Update(ctx context.Context, fn func(context.Context, driver.Tx) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		err = s.update(ctx, fn)
		if st := sqlState(err); st != "40001" && st != "40P01" {
			return err
		}
	}
	return err
}

func (s *Store) update(ctx context.Context, fn func(context.Context, driver.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fail(ctx, "begin", err)
	}
	t := &tx{s: s, tx: ptx}
	finished := false
	defer func() {
		if !finished { // fn panicked
			_ = ptx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	err = fn(ctx, t)
	t.done = true
	if err == nil {
		err = t.failed
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = s.appendEvents(ctx, ptx, t.events)
	}
	finished = true
	if err != nil {
		_ = ptx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fail(ctx, "commit", err)
	}
	return nil
}

// appendEvents inserts evs under the store's advisory lock, held until the
// transaction ends; a batch of more than a few events goes by COPY.
func (s *Store) appendEvents(ctx context.Context, ptx pgx.Tx, evs []driver.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if _, err := ptx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lockKey); err != nil {
		return fail(ctx, "append", err)
	}
	if len(evs) > 8 {
		_, err := ptx.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"kind", "record_id", "type", "actor", "time", "body"},
			pgx.CopyFromSlice(len(evs), func(i int) ([]any, error) {
				e := &evs[i]
				return []any{e.Kind, e.RecordID, e.Type, e.Actor, e.Time, nilIfEmpty(e.Body)}, nil
			}))
		if err != nil {
			return fail(ctx, "append", err)
		}
		return nil
	}
	b := &pgx.Batch{}
	for i := range evs {
		e := &evs[i]
		b.Queue(`INSERT INTO events (kind, record_id, type, actor, time, body) VALUES ($1, $2, $3, $4, $5, $6)`,
			e.Kind, e.RecordID, e.Type, e.Actor, e.Time, nilIfEmpty(e.Body))
	}
	if err := ptx.SendBatch(ctx, b).Close(); err != nil {
		return fail(ctx, "append", err)
	}
	return nil
}

// nilIfEmpty stores an empty body as NULL: "" is not a JSON document.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// tx is a driver.Tx over a pgx transaction.
type tx struct {
	s      *Store
	tx     pgx.Tx
	events []driver.Event // appended at commit
	done   bool
	failed error // the first write that failed: the transaction will not commit
}

func (t *tx) check(ctx context.Context) error {
	if t.done {
		return errors.New("pgstore: transaction used after it ended")
	}
	return ctx.Err()
}

// fail records a failed write: the driver contract says a transaction in
// which any write failed keeps nothing, even if fn ignores the error.
func (t *tx) fail(err error) error {
	if t.failed == nil {
		t.failed = err
	}
	return err
}

func (t *tx) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	if err := t.check(ctx); err != nil {
		return driver.Record{}, err
	}
	return get(ctx, t.tx, kind, id)
}

func (t *tx) List(ctx context.Context, q driver.Query) ([]driver.Record, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return list(ctx, t.tx, q)
}

func (t *tx) Create(ctx context.Context, r driver.Record) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if r.Kind == "" || r.ID == "" {
		return t.fail(errors.New("pgstore: create: kind and id are required"))
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO records (kind, id, version, broker, stage, key, created, updated, body) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		r.Kind, r.ID, r.Broker, r.Stage, r.Key, r.Created, r.Updated, nilIfEmpty(r.Body))
	if err != nil {
		return t.fail(fail(ctx, "create", err))
	}
	if tag.RowsAffected() == 0 {
		return t.fail(driver.ErrExists)
	}
	return nil
}

func (t *tx) Replace(ctx context.Context, r driver.Record) (int64, error) {
	if err := t.check(ctx); err != nil {
		return 0, err
	}
	tag, err := t.tx.Exec(ctx, `UPDATE records SET version = version + 1, broker = $1, stage = $2, key = $3, created = $4, updated = $5, body = $6 WHERE kind = $7 AND id = $8 AND version = $9`,
		r.Broker, r.Stage, r.Key, r.Created, r.Updated, nilIfEmpty(r.Body), r.Kind, r.ID, r.Version)
	if err != nil {
		return 0, t.fail(fail(ctx, "replace", err))
	}
	if err := t.checkWritten(ctx, tag.RowsAffected(), r.Kind, r.ID, "replace"); err != nil {
		return 0, err
	}
	return r.Version + 1, nil
}

// checkWritten turns "no row matched kind, id and version" into
// ErrNotFound or ErrConflict.
func (t *tx) checkWritten(ctx context.Context, n int64, kind, id, op string) error {
	if n == 1 {
		return nil
	}
	var exists bool
	if err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM records WHERE kind = $1 AND id = $2)`, kind, id).Scan(&exists); err != nil {
		return t.fail(fail(ctx, op, err))
	}
	if !exists {
		return t.fail(driver.ErrNotFound)
	}
	return t.fail(driver.ErrConflict)
}

func (t *tx) Delete(ctx context.Context, kind, id string, version int64) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	tag, err := t.tx.Exec(ctx, `DELETE FROM records WHERE kind = $1 AND id = $2 AND version = $3`, kind, id, version)
	if err != nil {
		return t.fail(fail(ctx, "delete", err))
	}
	return t.checkWritten(ctx, tag.RowsAffected(), kind, id, "delete")
}

// Append implements driver.Tx: the event is inserted at commit.
func (t *tx) Append(ctx context.Context, e driver.Event) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if e.Kind == "" || e.RecordID == "" || e.Type == "" {
		return t.fail(errors.New("pgstore: append: kind, record id and type are required"))
	}
	e.Body = append([]byte(nil), e.Body...)
	t.events = append(t.events, e)
	return nil
}

// recordCopyCols are the columns CreateMany copies.
var recordCopyCols = []string{"kind", "id", "version", "broker", "stage", "key", "created", "updated", "body"}

// CreateMany implements driver.BulkCreator with COPY: the records are
// copied straight into the records table in one transaction, and the
// events after them. A kind and ID already stored, or repeated in recs,
// violates the primary key, which aborts the COPY and with it the whole
// transaction: nothing is written and the error matches ErrExists.
func (s *Store) CreateMany(ctx context.Context, recs []driver.Record, events []driver.Event) error {
	return s.CreateStream(ctx, func(yield func(driver.Batch, error) bool) {
		yield(driver.Batch{Records: recs, Events: events}, nil)
	})
}

// CreateStream implements driver.StreamCreator in one transaction with one
// COPY of records for the whole stream: batches feed the COPY as they
// arrive, so the server never waits on a round trip between them. Their
// events are kept and copied after the records, under the event lock.
func (s *Store) CreateStream(ctx context.Context, batches iter.Seq2[driver.Batch, error]) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fail(ctx, "create many", err)
	}
	defer func() { _ = ptx.Rollback(context.WithoutCancel(ctx)) }() // no-op after Commit
	next, stop := iter.Pull2(batches)
	defer stop()
	src := &streamSource{next: next}
	_, err = ptx.CopyFrom(ctx, pgx.Identifier{"records"}, recordCopyCols, src)
	if src.err != nil { // the stream's own error, not the aborted COPY's
		return src.err
	}
	if err != nil {
		if sqlState(err) == "23505" { // unique_violation
			return fmt.Errorf("pgstore: create many: %w (%v)", driver.ErrExists, err)
		}
		return fail(ctx, "create many", err)
	}
	if err := s.appendEvents(ctx, ptx, src.events); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fail(ctx, "create many: commit", err)
	}
	return nil
}

// streamSource is a pgx.CopyFromSource over the records of a stream of
// batches, collecting their events on the way. pgx calls it from one
// goroutine at a time.
type streamSource struct {
	next   func() (driver.Batch, error, bool)
	recs   []driver.Record
	i      int // index in recs of the current record, plus one
	events []driver.Event
	row    [9]any
	err    error
}

func (s *streamSource) Next() bool {
	for s.i >= len(s.recs) {
		b, err, ok := s.next()
		if !ok {
			return false
		}
		if err == nil {
			if cerr := b.Check(); cerr != nil {
				err = fmt.Errorf("pgstore: create many: %w", cerr)
			}
		}
		if err != nil {
			s.err = err
			return false
		}
		s.recs, s.i = b.Records, 0
		s.events = append(s.events, b.Events...)
	}
	r := &s.recs[s.i]
	s.i++
	s.row = [9]any{r.Kind, r.ID, int64(1), r.Broker, r.Stage, r.Key, r.Created, r.Updated, nilIfEmpty(r.Body)}
	return true
}

func (s *streamSource) Values() ([]any, error) { return s.row[:], nil }

func (s *streamSource) Err() error { return s.err }
