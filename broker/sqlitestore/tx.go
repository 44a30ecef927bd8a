package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/kexie/techbroker/broker/driver"
)

// Update implements driver.Store. Transactions run one at a time on the
// single write connection (BEGIN IMMEDIATE), so fn is called exactly once
// and never sees SQLITE_BUSY from another writer of this Store; a version
// mismatch is ErrConflict.
func (s *Store) Update(ctx context.Context, fn func(context.Context, driver.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errClosed
	}
	stx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(ctx, "begin", err)
	}
	t := &tx{s: s, tx: stx}
	finished := false
	defer func() {
		if !finished { // fn panicked: give the write connection back
			_ = stx.Rollback()
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
	finished = true
	if err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fail(ctx, "commit", err)
	}
	return nil
}

// tx is a driver.Tx over a database/sql transaction on the write
// connection.
type tx struct {
	s      *Store
	tx     *sql.Tx
	done   bool
	failed error // the first write that failed: the transaction will not commit
}

func (t *tx) check(ctx context.Context) error {
	if t.done {
		return errors.New("sqlitestore: transaction used after it ended")
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

// stmt returns one of the statements prepared on the write connection at
// Open, bound to the transaction (which runs on that connection, so it is
// not prepared again).
func (t *tx) stmt(ctx context.Context, query string) *sql.Stmt {
	return t.tx.StmtContext(ctx, t.s.wstmts[query])
}

func (t *tx) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	if err := t.check(ctx); err != nil {
		return driver.Record{}, err
	}
	st := t.stmt(ctx, getSQL)
	return get(ctx, st.QueryRowContext(ctx, kind, id), kind, id)
}

func (t *tx) List(ctx context.Context, q driver.Query) ([]driver.Record, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	if q.Kind == "" {
		return nil, errors.New("sqlitestore: list: kind is required")
	}
	query, args := listSQL(&q)
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fail(ctx, "list", err)
	}
	return scanRecords(ctx, rows, q.Kind)
}

const insertRecordSQL = `INSERT INTO records (kind, id, version, broker, stage, key, created, updated, body) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`

func (t *tx) Create(ctx context.Context, r driver.Record) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if r.Kind == "" || r.ID == "" {
		return t.fail(errors.New("sqlitestore: create: kind and id are required"))
	}
	st := t.stmt(ctx, insertRecordSQL)
	res, err := st.ExecContext(ctx, r.Kind, r.ID, r.Broker, r.Stage, r.Key, micros(r.Created), micros(r.Updated), body(r.Body))
	if err != nil {
		return t.fail(fail(ctx, "create", err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return t.fail(fail(ctx, "create", err))
	} else if n == 0 {
		return t.fail(driver.ErrExists)
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

func (t *tx) Replace(ctx context.Context, r driver.Record) (int64, error) {
	if err := t.check(ctx); err != nil {
		return 0, err
	}
	st := t.stmt(ctx, replaceSQL)
	res, err := st.ExecContext(ctx, r.Broker, r.Stage, r.Key, micros(r.Created), micros(r.Updated), body(r.Body), r.Kind, r.ID, r.Version)
	if err != nil {
		return 0, t.fail(fail(ctx, "replace", err))
	}
	if err := t.checkWritten(ctx, res, r.Kind, r.ID, "replace"); err != nil {
		return 0, err
	}
	return r.Version + 1, nil
}

// checkWritten turns "no row matched kind, id and version" into
// ErrNotFound or ErrConflict.
func (t *tx) checkWritten(ctx context.Context, res sql.Result, kind, id, op string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return t.fail(fail(ctx, op, err))
	}
	if n == 1 {
		return nil
	}
	st := t.stmt(ctx, existsSQL)
	var exists int
	if err := st.QueryRowContext(ctx, kind, id).Scan(&exists); err != nil {
		return t.fail(fail(ctx, op, err))
	}
	if exists == 0 {
		return t.fail(driver.ErrNotFound)
	}
	return t.fail(driver.ErrConflict)
}

func (t *tx) Delete(ctx context.Context, kind, id string, version int64) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	st := t.stmt(ctx, deleteSQL)
	res, err := st.ExecContext(ctx, kind, id, version)
	if err != nil {
		return t.fail(fail(ctx, "delete", err))
	}
	return t.checkWritten(ctx, res, kind, id, "delete")
}

const insertEventSQL = `INSERT INTO events (kind, record_id, type, actor, time, body) VALUES (?, ?, ?, ?, ?, ?)`

// Append implements driver.Tx. The sequence number is assigned at insert;
// with one writer at a time that is commit order.
func (t *tx) Append(ctx context.Context, e driver.Event) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if e.Kind == "" || e.RecordID == "" || e.Type == "" {
		return t.fail(errors.New("sqlitestore: append: kind, record id and type are required"))
	}
	st := t.stmt(ctx, insertEventSQL)
	if _, err := st.ExecContext(ctx, e.Kind, e.RecordID, e.Type, e.Actor, micros(e.Time), body(e.Body)); err != nil {
		return t.fail(fail(ctx, "append", err))
	}
	return nil
}

// bulkRows is the number of rows per multi-row INSERT: 8 parameters a
// record, well under SQLite's limit of 32766 parameters a statement.
const bulkRows = 256

// CreateMany implements driver.BulkCreator: one transaction of multi-row
// INSERTs, prepared once. If any ID is already stored (or repeated in
// recs), nothing is written and the error matches ErrExists.
func (s *Store) CreateMany(ctx context.Context, recs []driver.Record, events []driver.Event) error {
	for _, r := range recs {
		if r.Kind == "" || r.ID == "" {
			return errors.New("sqlitestore: create many: kind and id are required")
		}
	}
	for _, e := range events {
		if e.Kind == "" || e.RecordID == "" || e.Type == "" {
			return errors.New("sqlitestore: create many: event kind, record id and type are required")
		}
	}
	return s.Update(ctx, func(ctx context.Context, dtx driver.Tx) error {
		t := dtx.(*tx)
		err := insertMany(ctx, t.tx, len(recs),
			`INSERT INTO records (kind, id, version, broker, stage, key, created, updated, body) VALUES `, `(?, ?, 1, ?, ?, ?, ?, ?, ?)`, ` ON CONFLICT DO NOTHING`,
			func(i int, args []any) []any {
				r := &recs[i]
				return append(args, r.Kind, r.ID, r.Broker, r.Stage, r.Key, micros(r.Created), micros(r.Updated), body(r.Body))
			}, true)
		if err != nil {
			return err
		}
		return insertMany(ctx, t.tx, len(events),
			`INSERT INTO events (kind, record_id, type, actor, time, body) VALUES `, `(?, ?, ?, ?, ?, ?)`, ``,
			func(i int, args []any) []any {
				e := &events[i]
				return append(args, e.Kind, e.RecordID, e.Type, e.Actor, micros(e.Time), body(e.Body))
			}, false)
	})
}

// insertMany inserts n rows bulkRows at a time. With checkAll, a statement
// that inserted fewer rows than it was given (ON CONFLICT DO NOTHING
// skipped one) fails with ErrExists.
func insertMany(ctx context.Context, stx *sql.Tx, n int, head, tuple, tail string, add func(i int, args []any) []any, checkAll bool) error {
	prepare := func(rows int) (*sql.Stmt, error) {
		var b strings.Builder
		b.WriteString(head)
		for i := 0; i < rows; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(tuple)
		}
		b.WriteString(tail)
		return stx.PrepareContext(ctx, b.String())
	}
	var full *sql.Stmt
	args := make([]any, 0, bulkRows*strings.Count(tuple, "?"))
	for start := 0; start < n; start += bulkRows {
		end := min(start+bulkRows, n)
		st := full
		if end-start < bulkRows || full == nil {
			var err error
			if st, err = prepare(end - start); err != nil {
				return fail(ctx, "create many", err)
			}
			if end-start == bulkRows {
				full = st
			} else {
				defer st.Close()
			}
		}
		args = args[:0]
		for i := start; i < end; i++ {
			args = add(i, args)
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return fail(ctx, "create many", err)
		}
		if checkAll {
			if got, err := res.RowsAffected(); err != nil {
				return fail(ctx, "create many", err)
			} else if got != int64(end-start) {
				return fmt.Errorf("sqlitestore: create many: %d of %d records already stored or repeated: %w", int64(end-start)-got, end-start, driver.ErrExists)
			}
		}
	}
	if full != nil {
		_ = full.Close()
	}
	return nil
}
