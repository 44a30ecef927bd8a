package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kexie/techbroker/broker/driver"
)

// changesSQL reads events with their records in one statement, so that
// every record is read at one point in time, no earlier than its events.
const changesSQL = `SELECT e.seq, e.kind, e.record_id, e.type, e.actor, e.time, e.body,
	r.version, r.broker, r.stage, r.key, r.created, r.updated, r.body
FROM events e LEFT JOIN records r ON r.kind = e.kind AND r.id = e.record_id
WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`

// Changes implements driver.ChangeReader in one query: the events after
// after, joined with the current row of their records.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]driver.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lim := any(nil) // LIMIT NULL: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, changesSQL, after, lim)
	if err != nil {
		return nil, fail(ctx, "changes", err)
	}
	defer rows.Close()
	var out []driver.Change
	for rows.Next() {
		var c driver.Change
		e := &c.Event
		var version *int64
		var r driver.Record
		var broker, stage, key *string
		var created, updated *time.Time
		if err := rows.Scan(&e.Seq, &e.Kind, &e.RecordID, &e.Type, &e.Actor, &e.Time, &e.Body,
			&version, &broker, &stage, &key, &created, &updated, &r.Body); err != nil {
			return nil, fail(ctx, "changes", err)
		}
		e.Time = utc(e.Time)
		if version != nil {
			r.Kind, r.ID, r.Version = e.Kind, e.RecordID, *version
			r.Broker, r.Stage, r.Key = *broker, *stage, *key
			r.Created, r.Updated = utc(*created), utc(*updated)
			c.Record = &r
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(ctx, "changes", err)
	}
	return out, nil
}

// Wait implements driver.Waiter with LISTEN/NOTIFY: every commit that
// appends events notifies the store's channel (one per events table), and
// Wait listens on it on a connection of the pool, after checking the log
// once so that no commit between the caller's last read and the LISTEN is
// missed. A connection interrupted by ctx is closed, not returned to the
// pool.
func (s *Store) Wait(ctx context.Context, after int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return fail(ctx, "wait", err)
	}
	conn := c.Conn()
	clean := false
	defer func() {
		if clean {
			_, err := conn.Exec(context.WithoutCancel(ctx), `UNLISTEN `+pgx.Identifier{s.channel}.Sanitize())
			clean = err == nil
		}
		if !clean {
			_ = conn.Close(context.WithoutCancel(ctx))
		}
		c.Release()
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return fail(ctx, "wait", err)
	}
	clean = true
	var last int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM events`).Scan(&last); err != nil {
		clean = false
		return fail(ctx, "wait", err)
	}
	if last > after {
		return nil
	}
	if _, err := conn.WaitForNotification(ctx); err != nil {
		clean = false
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("pgstore: wait: %w", err)
	}
	return nil
}
