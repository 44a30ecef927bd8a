package pgstore

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kexie/techbroker/broker/driver"
)

// DatabaseURL returns $DATABASE_URL for this package's tests, internal and
// external. Without it the test skips, except under CI=true, where it
// fails: CI must never pass with these tests skipped.
func DatabaseURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("DATABASE_URL is not set under CI=true: the PostgreSQL tests cannot be skipped in CI")
		}
		tb.Skip("DATABASE_URL is not set; set it to a PostgreSQL database to run these tests")
	}
	return url
}

// TestQueriesUseTheirIndexes guards the plans of the store's queries that
// rest on a partial or narrowed index (migration 0003): the planner may use
// a partial index only if the query implies its predicate, and must do so
// in the generic plan of a cached statement, where parameters are unknown.
// Sequential scans are disabled so that an empty table still shows which
// index the planner can use.
func TestQueriesUseTheirIndexes(t *testing.T) {
	url := DatabaseURL(t)
	ctx := context.Background()
	schema := fmt.Sprintf("pgstore_plan_%d", os.Getpid())
	s, err := Open(ctx, url, &Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := s.pool.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		s.Close()
	})
	// Enough rows, analyzed, that the planner sees the real shape: many
	// records of one kind, each with its own key, few with a stage.
	now := time.Now()
	var recs []driver.Record
	var evs []driver.Event
	for i := range 2000 {
		r := driver.Record{Kind: "achievement", ID: fmt.Sprintf("ach-%05d", i), Broker: "b" + fmt.Sprint(i%7),
			Key: fmt.Sprintf("%032x", i*7919), Created: now, Updated: now, Body: []byte(`{}`)}
		if i%100 == 0 {
			r.Kind, r.Stage = "case", "screened"
		}
		recs = append(recs, r)
		evs = append(evs, driver.Event{Kind: r.Kind, RecordID: r.ID, Type: "imported", Time: now})
	}
	err = s.CreateStream(ctx, func(yield func(driver.Batch, error) bool) {
		yield(driver.Batch{Records: recs, Events: evs}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE records; ANALYZE events`); err != nil {
		t.Fatal(err)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	byKey, byKeyArgs := listSQL(&driver.Query{Kind: "achievement", Key: "k", Limit: 10})
	byStage, byStageArgs := listSQL(&driver.Query{Kind: "case", Stage: "screened", Limit: 10})
	history, historyArgs := eventsSQL(&driver.EventQuery{Kind: "case", RecordID: "case-1"})
	for _, q := range []struct {
		sql   string
		args  []any
		index string
	}{
		{byKey, byKeyArgs, "records_key"},
		{findKeysSQL, []any{"achievement", []string{"a", "b"}}, "records_key"},
		{byStage, byStageArgs, "records_stage"},
		{history, historyArgs, "events_record"},
	} {
		// A named statement, as pgx caches them, explained in its generic
		// plan: the one PostgreSQL may settle on after a few executions.
		if _, err := conn.Exec(ctx, `DEALLOCATE ALL; PREPARE q AS `+q.sql); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		params := make([]string, len(q.args))
		for i, a := range q.args {
			params[i] = literal(a)
		}
		rows, err := conn.Query(ctx, `EXPLAIN EXECUTE q(`+strings.Join(params, ", ")+`)`)
		if err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		var plan strings.Builder
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(line + "\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		if !regexp.MustCompile(` (using|on) ` + q.index + ` `).MatchString(plan.String()) {
			t.Errorf("%s: the plan does not use %s:\n%s", q.sql, q.index, plan.String())
		}
	}
}

// literal renders a query argument of this test as an SQL literal.
func literal(a any) string {
	switch v := a.(type) {
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case []string:
		return literal("{" + strings.Join(v, ",") + "}")
	default:
		return fmt.Sprint(v)
	}
}
