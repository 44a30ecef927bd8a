package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kexie/techbroker/broker/driver"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure a Store. A nil *Options means defaults.
type Options struct {
	// Schema, if set, is the schema the store's tables live in: it is
	// created if missing and put first on every connection's search_path.
	// Empty means the connection's own search_path (usually "public"), or
	// a search_path given in the URL.
	Schema string
	// MaxConns bounds the connection pool; 0 means pgxpool's default (the
	// larger of 4 and the number of CPUs) or pool_max_conns in the URL.
	MaxConns int32
}

// Store is a driver.Store in a PostgreSQL database, over a pgxpool.Pool.
// It is safe for concurrent use, also by several processes sharing the
// database. The zero value is not usable; call Open.
type Store struct {
	pool    *pgxpool.Pool
	lockKey int64  // advisory lock serializing event appends, per events table
	channel string // the channel NOTIFY wakes followers on, per events table
}

var (
	_ driver.Store         = (*Store)(nil)
	_ driver.Txn           = (*txn)(nil)
	_ driver.StreamCreator = (*Store)(nil)
	_ driver.KeyFinder     = (*Store)(nil)
	_ driver.ChangeReader  = (*Store)(nil)
	_ driver.Waiter        = (*Store)(nil)
)

// Open connects to the database named by url (a postgres:// URL or a
// key=value connection string, as pgx accepts), and applies the migrations
// it lacks.
func Open(ctx context.Context, url string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize()
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx, opts.Schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	var oid uint32
	if err := pool.QueryRow(ctx, `SELECT 'events'::regclass::oid`).Scan(&oid); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	s.lockKey = 0x74_62_65_76<<32 | int64(oid) // "tbev" in the high half
	s.channel = fmt.Sprintf("tbev_%d", oid)
	return s, nil
}

// migrate applies the embedded migrations the database lacks, all under
// one transaction-level advisory lock so that processes opening the same
// database at once apply each migration exactly once.
func (s *Store) migrate(ctx context.Context, schema string) error {
	files, err := migrations.ReadDir("migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7522937426578712176)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if schema != "" {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, f := range files { // sorted by name: 0001_..., 0002_...
			var version int
			if _, err := fmt.Sscanf(f.Name(), "%04d_", &version); err != nil {
				return fmt.Errorf("migrate: bad migration file name %q", f.Name())
			}
			var applied bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&applied); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if applied {
				continue
			}
			text, err := migrations.ReadFile("migrations/" + f.Name())
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			// Simple protocol: a migration is several statements.
			if _, err := tx.Exec(ctx, string(text), pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("migrate %s: %w", f.Name(), err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version); err != nil {
				return fmt.Errorf("migrate %s: %w", f.Name(), err)
			}
		}
		return nil
	})
}

// Pool returns the connection pool, for callers that need the database
// itself (reports, administration). Do not write the store's tables
// through it.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool. Later calls fail.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// utc returns t in UTC: pgx returns timestamptz values in the local zone.
func utc(t time.Time) time.Time { return t.UTC() }

const recordCols = `version, broker, stage, key, created, updated, body`

const getSQL = `SELECT ` + recordCols + ` FROM records WHERE kind = $1 AND id = $2`

// getForUpdateSQL reads a record inside a transaction and locks its row
// until the transaction ends: a transaction reads a record to change it,
// so concurrent writers of one record (bidders on one auction) queue at the
// read instead of all but one failing at the write with a stale version.
const getForUpdateSQL = getSQL + ` FOR UPDATE`

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func get(ctx context.Context, q querier, kind, id string) (driver.Record, error) {
	return getWith(ctx, q, getSQL, kind, id)
}

func getWith(ctx context.Context, q querier, sql, kind, id string) (driver.Record, error) {
	r := driver.Record{Kind: kind, ID: id}
	err := q.QueryRow(ctx, sql, kind, id).Scan(&r.Version, &r.Broker, &r.Stage, &r.Key, &r.Created, &r.Updated, &r.Body)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return driver.Record{}, driver.ErrNotFound
		}
		return driver.Record{}, fail(ctx, "get", err)
	}
	r.Created, r.Updated = utc(r.Created), utc(r.Updated)
	return r, nil
}

// Get implements driver.Store.
func (s *Store) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	if err := ctx.Err(); err != nil {
		return driver.Record{}, err
	}
	return get(ctx, s.pool, kind, id)
}

func listSQL(q *driver.Query) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT id, ` + recordCols + ` FROM records WHERE kind = $1`)
	args := []any{q.Kind}
	add := func(cond string, v any) {
		args = append(args, v)
		fmt.Fprintf(&b, cond, len(args))
	}
	if q.Broker != "" {
		add(` AND broker = $%d`, q.Broker)
	}
	if q.Stage != "" {
		add(` AND stage = $%d AND stage <> ''`, q.Stage) // matches the partial index
	}
	if q.Key != "" {
		add(` AND key = $%d AND key <> ''`, q.Key) // "key <> ''" matches the partial index
	}
	if !q.UpdatedBefore.IsZero() {
		add(` AND updated < $%d`, q.UpdatedBefore)
	}
	if q.After != "" {
		add(` AND id > $%d`, q.After)
	}
	b.WriteString(` ORDER BY id`)
	if q.Limit > 0 {
		add(` LIMIT $%d`, q.Limit)
	}
	return b.String(), args
}

func list(ctx context.Context, qr querier, q driver.Query) ([]driver.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Kind == "" {
		return nil, errors.New("pgstore: list: kind is required")
	}
	query, args := listSQL(&q)
	rows, err := qr.Query(ctx, query, args...)
	if err != nil {
		return nil, fail(ctx, "list", err)
	}
	defer rows.Close()
	var out []driver.Record
	for rows.Next() {
		r := driver.Record{Kind: q.Kind}
		if err := rows.Scan(&r.ID, &r.Version, &r.Broker, &r.Stage, &r.Key, &r.Created, &r.Updated, &r.Body); err != nil {
			return nil, fail(ctx, "list", err)
		}
		r.Created, r.Updated = utc(r.Created), utc(r.Updated)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(ctx, "list", err)
	}
	return out, nil
}

// List implements driver.Store.
func (s *Store) List(ctx context.Context, q driver.Query) ([]driver.Record, error) {
	return list(ctx, s.pool, q)
}

// eventsSQL is the query for Events.
func eventsSQL(q *driver.EventQuery) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT seq, kind, record_id, type, actor, time, body FROM events WHERE seq > $1`)
	args := []any{q.AfterSeq}
	add := func(cond string, v any) {
		args = append(args, v)
		fmt.Fprintf(&b, cond, len(args))
	}
	if q.Kind != "" {
		add(` AND kind = $%d`, q.Kind)
	}
	if q.RecordID != "" {
		add(` AND record_id = $%d`, q.RecordID)
	}
	b.WriteString(` ORDER BY seq`)
	if q.Limit > 0 {
		add(` LIMIT $%d`, q.Limit)
	}
	return b.String(), args
}

// Events implements driver.Store.
func (s *Store) Events(ctx context.Context, q driver.EventQuery) ([]driver.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	query, args := eventsSQL(&q)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fail(ctx, "events", err)
	}
	defer rows.Close()
	var out []driver.Event
	for rows.Next() {
		var e driver.Event
		if err := rows.Scan(&e.Seq, &e.Kind, &e.RecordID, &e.Type, &e.Actor, &e.Time, &e.Body); err != nil {
			return nil, fail(ctx, "events", err)
		}
		e.Time = utc(e.Time)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(ctx, "events", err)
	}
	return out, nil
}

// fail wraps a database error. When ctx is done the error is ctx's (pgx
// reports a cancelled query in its own words), so callers can match
// context.Canceled. A deadlock or a serialization failure is
// driver.ErrStale.
func fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("pgstore: %s: %w (%v)", op, cerr, err)
	}
	switch sqlState(err) {
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return fmt.Errorf("pgstore: %s: %w: %w", op, driver.ErrStale, err)
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// sqlState returns the SQLSTATE of a PostgreSQL error, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// findKeysSQL looks up de-duplication keys; "key <> ”" lets the planner
// use the partial hash index records_key.
const findKeysSQL = `SELECT key, min(id) FROM records WHERE kind = $1 AND key <> '' AND key = ANY($2) GROUP BY key`

// FindKeys implements driver.KeyFinder in one query.
func (s *Store) FindKeys(ctx context.Context, kind string, keys []string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, findKeysSQL, kind, keys)
	if err != nil {
		return nil, fail(ctx, "find keys", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			return nil, fail(ctx, "find keys", err)
		}
		out[k] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fail(ctx, "find keys", err)
	}
	return out, nil
}
