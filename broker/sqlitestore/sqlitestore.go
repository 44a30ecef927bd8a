package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/kexie/techbroker/broker/driver"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure a Store. A nil *Options means defaults.
type Options struct {
	// BusyTimeout is how long a connection waits for a lock held by another
	// process before failing; default 5 s.
	BusyTimeout time.Duration
	// Readers is the number of read connections; default 4. Reads never
	// wait for the writer (WAL mode).
	Readers int
	// Synchronous is SQLite's synchronous setting: "NORMAL" (the default;
	// a committed transaction survives a crash of the process but may be
	// lost, never half-applied, on power failure) or "FULL" (also durable
	// across power failure, slower).
	Synchronous string
}

// Store is a driver.Store in one SQLite file. It is safe for concurrent
// use. The zero value is not usable; call Open.
type Store struct {
	w, r *sql.DB // w has exactly one connection: SQLite has one writer

	// wstmts are prepared on the write connection when the store opens and
	// never change; rstmts are prepared on the read pool on first use.
	wstmts map[string]*sql.Stmt

	mu     sync.Mutex
	rstmts map[string]*sql.Stmt // by SQL text
	closed bool

	// The writer never checkpoints the WAL itself (wal_autocheckpoint is
	// off on its connection): a commit signals ckpt, and a goroutine runs
	// a PASSIVE checkpoint on a read connection, at most every
	// checkpointEvery. A commit, a big import's above all, returns without
	// waiting for its pages to be copied into the database file.
	ckpt     chan struct{}
	stop     chan struct{} // closed by Close
	ckptDone chan struct{}
}

// checkpointEvery spaces the background checkpoints: each one syncs the
// database file, so a stream of small commits shares one.
const checkpointEvery = 200 * time.Millisecond

var (
	_ driver.Store         = (*Store)(nil)
	_ driver.Txn           = (*txn)(nil)
	_ driver.StreamCreator = (*Store)(nil)
	_ driver.KeyFinder     = (*Store)(nil)
)

// Open opens (creating it if needed) the database file at path, switches it
// to WAL mode and applies the migrations it lacks. Use a file, not
// ":memory:": every pooled connection would get its own empty database.
func Open(path string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || strings.Contains(path, ":memory:") {
		return nil, fmt.Errorf("sqlitestore: open: path %q must name a file (no ?, # or file: URI, not :memory:)", path)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	readers := opts.Readers
	if readers <= 0 {
		readers = 4
	}
	syncMode := strings.ToUpper(opts.Synchronous)
	switch syncMode {
	case "":
		syncMode = "NORMAL"
	case "NORMAL", "FULL", "EXTRA":
	default:
		return nil, fmt.Errorf("sqlitestore: open: Synchronous %q: want NORMAL, FULL or EXTRA", opts.Synchronous)
	}
	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", busy.Milliseconds())
	// The writer begins every transaction with BEGIN IMMEDIATE, so a second
	// process waits for the lock up to the busy timeout instead of failing
	// with SQLITE_BUSY when it upgrades from reading to writing.
	w, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)&_pragma=synchronous("+syncMode+")&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(context.Background(), w); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	s := &Store{w: w, r: r, rstmts: map[string]*sql.Stmt{}, wstmts: map[string]*sql.Stmt{},
		ckpt: make(chan struct{}, 1), stop: make(chan struct{}), ckptDone: make(chan struct{})}
	go s.checkpointer()
	for _, q := range append([]string{getSQL, insertRecordSQL, replaceSQL, deleteSQL, existsSQL, insertEventSQL}, listShapes()...) {
		st, err := w.Prepare(q)
		if err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
		}
		s.wstmts[q] = st
	}
	return s, nil
}

// migrate applies the embedded migrations the database lacks, each in its
// own transaction together with its row in schema_migrations, so a
// migration is applied once and never half.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	files, err := migrations.ReadDir("migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, f := range files { // ReadDir sorts by name: 0001_..., 0002_...
		var version int
		if _, err := fmt.Sscanf(f.Name(), "%04d_", &version); err != nil {
			return fmt.Errorf("migrate: bad migration file name %q", f.Name())
		}
		text, err := migrations.ReadFile("migrations/" + f.Name())
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		err = func() error {
			tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one migrator at a time
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(text)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`, version, time.Now().UTC().UnixMicro()); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("migrate %s: %w", f.Name(), err)
		}
	}
	return nil
}

// Close closes the database. Later calls fail.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	<-s.ckptDone // a checkpoint under way has finished
	s.mu.Lock()
	var errs []error
	for _, st := range s.rstmts {
		errs = append(errs, st.Close())
	}
	for _, st := range s.wstmts {
		errs = append(errs, st.Close())
	}
	s.mu.Unlock()
	errs = append(errs, s.r.Close(), s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlitestore: close: %w", err)
	}
	return nil
}

var errClosed = errors.New("sqlitestore: store is closed")

// committed tells the checkpointer that the WAL has grown.
func (s *Store) committed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		select {
		case s.ckpt <- struct{}{}:
		default: // one is pending already
		}
	}
}

// checkpointer copies committed WAL pages into the database file in the
// background until the store closes. A PASSIVE checkpoint never blocks
// the writer or the readers; what it cannot copy now, the next one does.
// Closing the last connection checkpoints what is left.
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	for {
		select {
		case <-s.stop:
			return
		case <-s.ckpt:
		}
		_, _ = s.r.Exec(`PRAGMA wal_checkpoint(PASSIVE)`) // a failure leaves the pages in the WAL for the next one
		select {
		case <-s.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// stmt returns a prepared statement for query on the read pool, preparing
// it once.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	if st := s.rstmts[query]; st != nil {
		return st, nil
	}
	// Prepare without the caller's context: the statement outlives the call.
	st, err := s.r.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil, err
	}
	s.rstmts[query] = st
	return st, nil
}

// micros and fromMicros store times as integer microseconds, UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

const recordCols = `version, broker, stage, key, created, updated, body`

const getSQL = `SELECT ` + recordCols + ` FROM records WHERE kind = ? AND id = ?`

func scanRecord(sc interface{ Scan(...any) error }, r *driver.Record) error {
	var created, updated int64
	if err := sc.Scan(&r.Version, &r.Broker, &r.Stage, &r.Key, &created, &updated, &r.Body); err != nil {
		return err
	}
	r.Created, r.Updated = fromMicros(created), fromMicros(updated)
	return nil
}

// Get implements driver.Store.
func (s *Store) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	if err := ctx.Err(); err != nil {
		return driver.Record{}, err
	}
	st, err := s.stmt(ctx, getSQL)
	if err != nil {
		return driver.Record{}, fail(ctx, "get", err)
	}
	return get(ctx, st.QueryRowContext(ctx, kind, id), kind, id)
}

func get(ctx context.Context, row *sql.Row, kind, id string) (driver.Record, error) {
	r := driver.Record{Kind: kind, ID: id}
	if err := scanRecord(row, &r); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			if err := ctx.Err(); err != nil {
				return driver.Record{}, err
			}
			return driver.Record{}, driver.ErrNotFound
		}
		return driver.Record{}, fail(ctx, "get", err)
	}
	return r, nil
}

// listShapes returns the SQL of every list query listSQL can build (one per
// combination of filters), so that the writer prepares them once: inside a
// transaction a list is a read before a write, and preparing its SQL again
// each time costs as much as running it.
func listShapes() []string {
	var out []string
	for m := 0; m < 1<<6; m++ {
		q := driver.Query{Kind: "k"}
		if m&1 != 0 {
			q.Broker = "b"
		}
		if m&2 != 0 {
			q.Stage = "s"
		}
		if m&4 != 0 {
			q.Key = "k"
		}
		if m&8 != 0 {
			q.UpdatedBefore = time.Unix(1, 0)
		}
		if m&16 != 0 {
			q.After = "a"
		}
		if m&32 != 0 {
			q.Limit = 1
		}
		sql, _ := listSQL(&q)
		out = append(out, sql)
	}
	return out
}

// listSQL builds the query for q and its arguments.
func listSQL(q *driver.Query) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT id, ` + recordCols + ` FROM records`)
	if q.Key != "" {
		b.WriteString(` INDEXED BY records_key`) // a key holds few records; never walk the kind
	}
	b.WriteString(` WHERE kind = ?`)
	args := []any{q.Kind}
	if q.Broker != "" {
		b.WriteString(` AND broker = ?`)
		args = append(args, q.Broker)
	}
	if q.Stage != "" {
		b.WriteString(` AND stage = ? AND stage <> ''`) // lets SQLite use the partial index
		args = append(args, q.Stage)
	}
	if q.Key != "" {
		b.WriteString(` AND key = ? AND key <> ''`) // "key <> ''" lets SQLite use the partial index
		args = append(args, q.Key)
	}
	if !q.UpdatedBefore.IsZero() {
		b.WriteString(` AND updated < ?`)
		args = append(args, micros(q.UpdatedBefore))
	}
	if q.After != "" {
		b.WriteString(` AND id > ?`)
		args = append(args, q.After)
	}
	b.WriteString(` ORDER BY id`)
	if q.Limit > 0 {
		b.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	return b.String(), args
}

func scanRecords(ctx context.Context, rows *sql.Rows, kind string) ([]driver.Record, error) {
	defer rows.Close()
	var out []driver.Record
	for rows.Next() {
		r := driver.Record{Kind: kind}
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.Version, &r.Broker, &r.Stage, &r.Key, &created, &updated, &r.Body); err != nil {
			return nil, fail(ctx, "list", err)
		}
		r.Created, r.Updated = fromMicros(created), fromMicros(updated)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(ctx, "list", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// List implements driver.Store.
func (s *Store) List(ctx context.Context, q driver.Query) ([]driver.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Kind == "" {
		return nil, errors.New("sqlitestore: list: kind is required")
	}
	query, args := listSQL(&q)
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, fail(ctx, "list", err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fail(ctx, "list", err)
	}
	return scanRecords(ctx, rows, q.Kind)
}

// eventsSQL builds the query for Events and its arguments.
func eventsSQL(q *driver.EventQuery) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT seq, kind, record_id, type, actor, time, body FROM events WHERE seq > ?`)
	args := []any{q.AfterSeq}
	if q.Kind != "" {
		b.WriteString(` AND kind = ?`)
		args = append(args, q.Kind)
	}
	if q.RecordID != "" {
		b.WriteString(` AND record_id = ?`)
		args = append(args, q.RecordID)
	}
	b.WriteString(` ORDER BY seq`)
	if q.Limit > 0 {
		b.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	return b.String(), args
}

// Events implements driver.Store.
func (s *Store) Events(ctx context.Context, q driver.EventQuery) ([]driver.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	query, args := eventsSQL(&q)
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, fail(ctx, "events", err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fail(ctx, "events", err)
	}
	defer rows.Close()
	var out []driver.Event
	for rows.Next() {
		var e driver.Event
		var t int64
		if err := rows.Scan(&e.Seq, &e.Kind, &e.RecordID, &e.Type, &e.Actor, &t, &e.Body); err != nil {
			return nil, fail(ctx, "events", err)
		}
		e.Time = fromMicros(t)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(ctx, "events", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// fail wraps an error of the database. When ctx is done the error is
// ctx's (database/sql reports a cancelled transaction in its own words), so
// callers can match context.Canceled.
func fail(ctx context.Context, op string, err error) error {
	if errors.Is(err, errClosed) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("sqlitestore: %s: %w (%v)", op, cerr, err)
	}
	return fmt.Errorf("sqlitestore: %s: %w", op, err)
}

// findKeysSQL is FindKeys' query for n keys (n ≥ 1).
func findKeysSQL(n int) string {
	return `SELECT key, min(id) FROM records INDEXED BY records_key WHERE kind = ? AND key <> '' AND key IN (?` +
		strings.Repeat(",?", n-1) + `) GROUP BY key`
}

// FindKeys implements driver.KeyFinder: one query per 500 keys.
func (s *Store) FindKeys(ctx context.Context, kind string, keys []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(keys); start += 500 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chunk := keys[start:min(start+500, len(keys))]
		query := findKeysSQL(len(chunk))
		args := make([]any, 0, len(chunk)+1)
		args = append(args, kind)
		for _, k := range chunk {
			args = append(args, k)
		}
		st, err := s.stmt(ctx, query)
		if err != nil {
			return nil, fail(ctx, "find keys", err)
		}
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return nil, fail(ctx, "find keys", err)
		}
		for rows.Next() {
			var k, id string
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return nil, fail(ctx, "find keys", err)
			}
			out[k] = id
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fail(ctx, "find keys", err)
		}
	}
	return out, nil
}
