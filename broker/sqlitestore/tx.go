package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kexie/techbroker/broker/driver"
)

// Begin implements driver.Store. Transactions run one at a time on the
// single write connection (BEGIN IMMEDIATE), so they never see SQLITE_BUSY
// from another writer of this Store, and none is aborted for another's
// sake: only a version mismatch is driver.ErrStale. (SQLITE_BUSY from
// another process holding the lock past the busy timeout is returned as
// it is.)
func (s *Store) Begin(ctx context.Context) (driver.Txn, error) {
	return s.begin(ctx)
}

func (s *Store) begin(ctx context.Context) (*txn, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errClosed
	}
	stx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fail(ctx, "begin", err)
	}
	return &txn{s: s, tx: stx, ctx: ctx}, nil
}

// txn is a driver.Txn over a database/sql transaction on the write
// connection.
type txn struct {
	s   *Store
	tx  *sql.Tx
	ctx context.Context // Begin's, which database/sql's Tx keeps too: for Commit's errors
}

// Commit implements driver.Txn.
func (t *txn) Commit() error {
	if err := t.tx.Commit(); err != nil {
		if cerr := t.ctx.Err(); cerr != nil {
			return cerr // database/sql rolled back when ctx ended
		}
		return fail(t.ctx, "commit", err)
	}
	t.s.committed()
	return nil
}

// Rollback implements driver.Txn.
func (t *txn) Rollback() error {
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fail(t.ctx, "rollback", err)
	}
	return nil // rolled back, here or by database/sql when ctx ended
}

// stmt returns one of the statements prepared on the write connection at
// Open, bound to the transaction (which runs on that connection, so it is
// not prepared again).
func (t *txn) stmt(ctx context.Context, query string) *sql.Stmt {
	return t.tx.StmtContext(ctx, t.s.wstmts[query])
}

func (t *txn) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	st := t.stmt(ctx, getSQL)
	return get(ctx, st.QueryRowContext(ctx, kind, id), kind, id)
}

func (t *txn) List(ctx context.Context, q driver.Query) ([]driver.Record, error) {
	if q.Kind == "" {
		return nil, errors.New("sqlitestore: list: kind is required")
	}
	query, args := listSQL(&q)
	rows, err := t.stmt(ctx, query).QueryContext(ctx, args...)
	if err != nil {
		return nil, fail(ctx, "list", err)
	}
	return scanRecords(ctx, rows, q.Kind)
}

const insertRecordSQL = `INSERT INTO records (kind, id, version, broker, stage, key, created, updated, body) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`

func (t *txn) Create(ctx context.Context, r driver.Record) error {
	st := t.stmt(ctx, insertRecordSQL)
	res, err := st.ExecContext(ctx, r.Kind, r.ID, r.Broker, r.Stage, r.Key, micros(r.Created), micros(r.Updated), body(r.Body))
	if err != nil {
		return fail(ctx, "create", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fail(ctx, "create", err)
	} else if n == 0 {
		return driver.ErrExists
	}
	return nil
}

// body keeps an empty body distinct from a missing one without storing
// NULL for an empty non-nil slice.
func body(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

const (
	deleteSQL = `DELETE FROM records WHERE kind = ? AND id = ? AND version = ?`
	existsSQL = `SELECT count(*) FROM records WHERE kind = ? AND id = ?`
)

const replaceSQL = `UPDATE records SET version = version + 1, broker = ?, stage = ?, key = ?, created = ?, updated = ?, body = ? WHERE kind = ? AND id = ? AND version = ?`

func (t *txn) Replace(ctx context.Context, r driver.Record) (int64, error) {
	st := t.stmt(ctx, replaceSQL)
	res, err := st.ExecContext(ctx, r.Broker, r.Stage, r.Key, micros(r.Created), micros(r.Updated), body(r.Body), r.Kind, r.ID, r.Version)
	if err != nil {
		return 0, fail(ctx, "replace", err)
	}
	if err := t.checkWritten(ctx, res, r.Kind, r.ID, "replace"); err != nil {
		return 0, err
	}
	return r.Version + 1, nil
}

// checkWritten turns "no row matched kind, id and version" into
// ErrNotFound or ErrStale.
func (t *txn) checkWritten(ctx context.Context, res sql.Result, kind, id, op string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fail(ctx, op, err)
	}
	if n == 1 {
		return nil
	}
	st := t.stmt(ctx, existsSQL)
	var exists int
	if err := st.QueryRowContext(ctx, kind, id).Scan(&exists); err != nil {
		return fail(ctx, op, err)
	}
	if exists == 0 {
		return driver.ErrNotFound
	}
	return driver.ErrStale
}

func (t *txn) Delete(ctx context.Context, kind, id string, version int64) error {
	st := t.stmt(ctx, deleteSQL)
	res, err := st.ExecContext(ctx, kind, id, version)
	if err != nil {
		return fail(ctx, "delete", err)
	}
	return t.checkWritten(ctx, res, kind, id, "delete")
}

const insertEventSQL = `INSERT INTO events (kind, record_id, type, actor, time, body) VALUES (?, ?, ?, ?, ?, ?)`

// Append implements driver.Txn. The sequence number is assigned at insert;
// with one writer at a time that is commit order.
func (t *txn) Append(ctx context.Context, e driver.Event) error {
	st := t.stmt(ctx, insertEventSQL)
	if _, err := st.ExecContext(ctx, e.Kind, e.RecordID, e.Type, e.Actor, micros(e.Time), body(e.Body)); err != nil {
		return fail(ctx, "append", err)
	}
	return nil
}

// bulkRows is the number of rows per multi-row INSERT: 8 parameters a
// record, well under SQLite's limit of 32766 parameters a statement.
const bulkRows = 256

// CreateStream implements driver.StreamCreator: each batch is written with
// multi-row INSERTs as it arrives, all in one transaction that commits when
// the stream ends. Other writers wait for it (SQLite has one writer);
// readers see nothing of it until it commits.
func (s *Store) CreateStream(ctx context.Context, batches iter.Seq2[driver.Batch, error]) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := s.begin(ctx)
	if err != nil {
		return err
	}
	ended := false
	defer func() {
		if !ended { // the stream panicked
			_ = t.Rollback()
		}
	}()
	err = t.stream(ctx, batches)
	if err == nil {
		err = ctx.Err()
	}
	ended = true
	if err != nil {
		_ = t.Rollback()
		return err
	}
	return t.Commit()
}

// stream writes the batches of CreateStream in the transaction.
func (t *txn) stream(ctx context.Context, batches iter.Seq2[driver.Batch, error]) error {
	// OR FAIL: any failure aborts the whole transaction, so a statement
	// never needs undoing on its own, and SQLite keeps no statement
	// journal (a copy of every page each statement touches).
	records := &inserter{tx: t.tx,
		head:  `INSERT OR FAIL INTO records (kind, id, version, broker, stage, key, created, updated, body) VALUES `,
		tuple: `(?, ?, 1, ?, ?, ?, ?, ?, ?)`}
	defer records.close()
	events := &inserter{tx: t.tx,
		head:  `INSERT OR FAIL INTO events (kind, record_id, type, actor, time, body) VALUES `,
		tuple: `(?, ?, ?, ?, ?, ?)`}
	defer events.close()
	for b, err := range batches {
		if err != nil {
			return err
		}
		if err := b.Check(); err != nil {
			return fmt.Errorf("sqlitestore: create stream: %w", err)
		}
		recs, evs := b.Records, b.Events
		err := records.insert(ctx, len(recs), func(i int, args []any) []any {
			r := &recs[i]
			return append(args, r.Kind, r.ID, r.Broker, r.Stage, r.Key, micros(r.Created), micros(r.Updated), body(r.Body))
		})
		if err != nil {
			return err
		}
		err = events.insert(ctx, len(evs), func(i int, args []any) []any {
			e := &evs[i]
			return append(args, e.Kind, e.RecordID, e.Type, e.Actor, micros(e.Time), body(e.Body))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// inserter inserts rows into one table bulkRows at a time with a
// multi-row INSERT prepared once per transaction. A row whose primary key
// is taken fails the insert with ErrExists.
type inserter struct {
	tx          *sql.Tx
	head, tuple string

	full *sql.Stmt // the statement of bulkRows rows, once prepared
	args []any
}

func (in *inserter) prepare(ctx context.Context, rows int) (*sql.Stmt, error) {
	var b strings.Builder
	b.WriteString(in.head)
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(in.tuple)
	}
	return in.tx.PrepareContext(ctx, b.String())
}

// insert inserts n rows; add appends row i's arguments.
func (in *inserter) insert(ctx context.Context, n int, add func(i int, args []any) []any) error {
	for start := 0; start < n; start += bulkRows {
		end := min(start+bulkRows, n)
		st := in.full
		if end-start < bulkRows || st == nil {
			var err error
			if st, err = in.prepare(ctx, end-start); err != nil {
				return fail(ctx, "create stream", err)
			}
			if end-start == bulkRows {
				in.full = st
			} else {
				defer st.Close()
			}
		}
		in.args = in.args[:0]
		for i := start; i < end; i++ {
			in.args = add(i, in.args)
		}
		if _, err := st.ExecContext(ctx, in.args...); err != nil {
			var se *sqlite.Error
			if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
				return fmt.Errorf("sqlitestore: create stream: a record is already stored or repeated (%v): %w", err, driver.ErrExists)
			}
			return fail(ctx, "create stream", err)
		}
	}
	clear(in.args) // let the batch's bodies go
	return nil
}

func (in *inserter) close() {
	if in.full != nil {
		_ = in.full.Close()
	}
}
