package pgstore

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"

	"github.com/kexie/techbroker/broker/driver"
)

// Begin implements driver.Store.
//
// Transactions run at READ COMMITTED with explicit checks: a create is
// INSERT … ON CONFLICT DO NOTHING (no row inserted: ErrExists), a replace or
// delete names the version it read in its WHERE clause (no row touched:
// ErrNotFound or ErrStale, told apart by a second look). A concurrent
// writer of the same row makes the second UPDATE wait for the first to
// commit and then re-check its WHERE clause against the new row, so a
// stale version can never overwrite. Events are buffered and inserted just
// before COMMIT under a transaction-level advisory lock, so sequence
// numbers are handed out in commit order: a reader that has seen seq N
// never later sees a new event with a smaller seq.
//
// A deadlock or a serialization failure (SQLSTATE 40P01, 40001) is
// driver.ErrStale: the caller may run the transaction again.
func (s *Store) Begin(ctx context.Context) (driver.Txn, error) {
	return s.begin(ctx)
}

func (s *Store) begin(ctx context.Context) (*txn, error) {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, fail(ctx, "begin", err)
	}
	return &txn{s: s, tx: ptx, ctx: ctx}, nil
}

// appendEvents inserts evs under the store's advisory lock, held until the
// transaction ends; a batch of more than a few events goes by COPY.
func (s *Store) appendEvents(ctx context.Context, ptx pgx.Tx, evs []driver.Event) error {
	if len(evs) == 0 {
		return nil
	}
	// The lock, and a notification that PostgreSQL delivers at commit to
	// the followers waiting in Wait.
	if _, err := ptx.Exec(ctx, `SELECT pg_advisory_xact_lock($1), pg_notify($2, '')`, s.lockKey, s.channel); err != nil {
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

// txn is a driver.Txn over a pgx transaction.
type txn struct {
	s      *Store
	tx     pgx.Tx
	ctx    context.Context // Begin's, which database/sql's Tx keeps too: Commit needs one
	events []driver.Event  // appended at commit
}

// Commit implements driver.Txn: it inserts the buffered events under the
// event lock and commits.
func (t *txn) Commit() error {
	if err := t.s.appendEvents(t.ctx, t.tx, t.events); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.tx.Commit(t.ctx); err != nil {
		return fail(t.ctx, "commit", err) // pgx has rolled back
	}
	return nil
}

// Rollback implements driver.Txn.
func (t *txn) Rollback() error {
	if err := t.tx.Rollback(context.WithoutCancel(t.ctx)); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return fail(t.ctx, "rollback", err)
	}
	return nil
}

func (t *txn) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	return getWith(ctx, t.tx, getForUpdateSQL, kind, id)
}

func (t *txn) List(ctx context.Context, q driver.Query) ([]driver.Record, error) {
	return list(ctx, t.tx, q)
}

func (t *txn) Create(ctx context.Context, r driver.Record) error {
	tag, err := t.tx.Exec(ctx, `INSERT INTO records (kind, id, version, broker, stage, key, created, updated, body) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		r.Kind, r.ID, r.Broker, r.Stage, r.Key, r.Created, r.Updated, nilIfEmpty(r.Body))
	if err != nil {
		return fail(ctx, "create", err)
	}
	if tag.RowsAffected() == 0 {
		return driver.ErrExists
	}
	return nil
}

func (t *txn) Replace(ctx context.Context, r driver.Record) (int64, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE records SET version = version + 1, broker = $1, stage = $2, key = $3, created = $4, updated = $5, body = $6 WHERE kind = $7 AND id = $8 AND version = $9`,
		r.Broker, r.Stage, r.Key, r.Created, r.Updated, nilIfEmpty(r.Body), r.Kind, r.ID, r.Version)
	if err != nil {
		return 0, fail(ctx, "replace", err)
	}
	if err := t.checkWritten(ctx, tag.RowsAffected(), r.Kind, r.ID, "replace"); err != nil {
		return 0, err
	}
	return r.Version + 1, nil
}

// checkWritten turns "no row matched kind, id and version" into
// ErrNotFound or ErrStale.
func (t *txn) checkWritten(ctx context.Context, n int64, kind, id, op string) error {
	if n == 1 {
		return nil
	}
	var exists bool
	if err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM records WHERE kind = $1 AND id = $2)`, kind, id).Scan(&exists); err != nil {
		return fail(ctx, op, err)
	}
	if !exists {
		return driver.ErrNotFound
	}
	return driver.ErrStale
}

func (t *txn) Delete(ctx context.Context, kind, id string, version int64) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM records WHERE kind = $1 AND id = $2 AND version = $3`, kind, id, version)
	if err != nil {
		return fail(ctx, "delete", err)
	}
	return t.checkWritten(ctx, tag.RowsAffected(), kind, id, "delete")
}

// Append implements driver.Txn: the event is inserted at commit.
func (t *txn) Append(ctx context.Context, e driver.Event) error {
	e.Body = append([]byte(nil), e.Body...)
	t.events = append(t.events, e)
	return nil
}

// recordCopyCols are the columns CreateStream copies.
var recordCopyCols = []string{"kind", "id", "version", "broker", "stage", "key", "created", "updated", "body"}

// CreateStream implements driver.StreamCreator in one transaction with one
// COPY of records for the whole stream: batches feed the COPY as they
// arrive, so the server never waits on a round trip between them. Their
// events are kept and copied after the records, under the event lock.
func (s *Store) CreateStream(ctx context.Context, batches iter.Seq2[driver.Batch, error]) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = t.Rollback() }() // a no-op after Commit
	next, stop := iter.Pull2(batches)
	defer stop()
	src := &streamSource{next: next}
	_, err = t.tx.CopyFrom(ctx, pgx.Identifier{"records"}, recordCopyCols, src)
	if src.err != nil { // the stream's own error, not the aborted COPY's
		return src.err
	}
	if err != nil {
		if sqlState(err) == "23505" { // unique_violation
			return fmt.Errorf("pgstore: create stream: %w (%v)", driver.ErrExists, err)
		}
		return fail(ctx, "create stream", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t.events = src.events
	return t.Commit()
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
				err = fmt.Errorf("pgstore: create stream: %w", cerr)
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
