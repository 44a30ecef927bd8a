package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/drivertest"
	"github.com/kexie/techbroker/broker/pgstore"
)

// databaseURL is the package's one rule for finding the test database
// (plan_internal_test.go): skip without it, fail under CI=true.
var databaseURL = pgstore.DatabaseURL

var (
	schemaSeq   atomic.Int64
	nonSchemaRe = regexp.MustCompile(`[^a-z0-9]+`)
)

// testSchema returns a schema name of its own for tb, dropped (with
// everything in it) when tb ends.
func testSchema(tb testing.TB, url string) string {
	tb.Helper()
	name := nonSchemaRe.ReplaceAllString(strings.ToLower(tb.Name()), "_")
	if len(name) > 30 {
		name = name[len(name)-30:]
	}
	schema := fmt.Sprintf("pgstore_%d_%d_%s", os.Getpid(), schemaSeq.Add(1), name)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// open returns a new, empty store in a schema of its own.
func open(tb testing.TB) *pgstore.Store {
	tb.Helper()
	url := databaseURL(tb)
	s, err := pgstore.Open(context.Background(), url, &pgstore.Options{Schema: testSchema(tb, url)})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, func(t *testing.T) driver.Store { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	drivertest.RunBenchmarks(b, func(b *testing.B) driver.Store { return open(b) })
}

func TestOpenBadURL(t *testing.T) {
	for _, url := range []string{"postgres://[::1", "postgres://127.0.0.1:1/x?connect_timeout=1"} {
		if s, err := pgstore.Open(context.Background(), url, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q): got no error", url)
		} else if !strings.HasPrefix(err.Error(), "pgstore: ") {
			t.Errorf("Open(%q): error %q does not name the package", url, err)
		}
	}
}

// Opening the same schema again (as another application instance would)
// keeps the data and applies no migration twice, also when instances
// start at the same moment.
func TestReopenAndConcurrentMigrate(t *testing.T) {
	ctx := context.Background()
	url := databaseURL(t)
	schema := testSchema(t, url)
	errc := make(chan error, 4)
	stores := make(chan *pgstore.Store, 4)
	for i := 0; i < 4; i++ {
		go func() {
			s, err := pgstore.Open(ctx, url, &pgstore.Options{Schema: schema, MaxConns: 2})
			errc <- err
			stores <- s
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		s := <-stores
		defer s.Close()
	}
	var n int
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&n); err != nil || n != len(files) {
		t.Errorf("schema_migrations rows: got %d, %v; want one per migration, %d", n, err, len(files))
	}
}

// The body is kept byte for byte (the json type, not jsonb), and the event
// log refuses updates and deletes.
func TestBodyBytesAndAppendOnly(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	defer s.Close()
	body := `{"z":1,  "a":[1.50, 2e3],"z":"dup"}`
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		if err := tx.Create(ctx, driver.Record{Kind: "achievement", ID: "a1", Body: []byte(body)}); err != nil {
			return err
		}
		return tx.Append(ctx, driver.Event{Kind: "achievement", RecordID: "a1", Type: "created", Body: []byte(body)})
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, "achievement", "a1")
	if err != nil || string(r.Body) != body {
		t.Errorf("body: got %s, %v; want %s", r.Body, err, body)
	}
	evs, err := s.Events(ctx, driver.EventQuery{})
	if err != nil || len(evs) != 1 || string(evs[0].Body) != body {
		t.Errorf("event body: got %+v, %v", evs, err)
	}
	for _, q := range []string{`UPDATE events SET type = 'x'`, `DELETE FROM events`, `TRUNCATE events`} {
		if _, err := s.Pool().Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want the append-only error", q, err)
		}
	}
	// Invalid JSON is refused by the json type.
	err = driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		return tx.Create(ctx, driver.Record{Kind: "achievement", ID: "a2", Body: []byte(`{not json`)})
	})
	if err == nil {
		t.Errorf("create with invalid JSON: got no error")
	}
}

// A connection killed in the middle of a transaction (pg_terminate_backend
// from another session, as when a server process or the network dies)
// leaves nothing half-written, and the store keeps working.
func TestKilledTransaction(t *testing.T) {
	ctx := context.Background()
	url := databaseURL(t)
	schema := testSchema(t, url)
	app := "pgstore-kill-" + schema
	if len(app) > 63 {
		app = app[:63]
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s, err := pgstore.Open(ctx, url+sep+"application_name="+app, &pgstore.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)

	// 1. Killed while the transaction is open: 100 records written, not
	// committed.
	written := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
			for i := 0; i < 100; i++ {
				if err := tx.Create(ctx, driver.Record{Kind: "achievement", ID: fmt.Sprintf("k%03d", i), Body: []byte(`{}`)}); err != nil {
					return err
				}
				if err := tx.Append(ctx, driver.Event{Kind: "achievement", RecordID: fmt.Sprintf("k%03d", i), Type: "created"}); err != nil {
					return err
				}
			}
			close(written)
			<-release
			_, err := tx.Get(ctx, "achievement", "k000") // the connection is gone
			return err
		})
	}()
	<-written
	var killed int
	err = admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND state LIKE 'idle in transaction%'`, app).Scan(&killed)
	close(release)
	if err != nil || killed != 1 {
		t.Fatalf("terminated %d backends, %v; want 1", killed, err)
	}
	if err := <-done; err == nil {
		t.Fatal("Update on a killed connection: got no error")
	}
	checkEmpty := func(when string) {
		t.Helper()
		recs, err := s.List(ctx, driver.Query{Kind: "achievement"})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := s.Events(ctx, driver.EventQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 0 || len(evs) != 0 {
			t.Errorf("%s: %d records and %d events kept, want none", when, len(recs), len(evs))
		}
	}
	checkEmpty("after a killed transaction")

	// 2. Killed during the COPY of a bulk create: all or nothing (if the
	// COPY ends before it is caught, everything must be there).
	const n = 50_000
	recs := make([]driver.Record, n)
	evs := make([]driver.Event, n)
	for i := range recs {
		recs[i] = driver.Record{Kind: "achievement", ID: fmt.Sprintf("b%06d", i), Body: []byte(`{"title":"批量"}`)}
		evs[i] = driver.Event{Kind: "achievement", RecordID: recs[i].ID, Type: "imported"}
	}
	go func() {
		done <- s.CreateStream(ctx, func(yield func(driver.Batch, error) bool) {
			yield(driver.Batch{Records: recs, Events: evs}, nil)
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	killed = 0
	for killed == 0 && time.Now().Before(deadline) {
		err = admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query ILIKE 'copy%'`, app).Scan(&killed)
		if err != nil {
			t.Fatal(err)
		}
	}
	err = <-done
	got, lerr := s.List(ctx, driver.Query{Kind: "achievement"})
	if lerr != nil {
		t.Fatal(lerr)
	}
	gotEvs, _ := s.Events(ctx, driver.EventQuery{})
	switch {
	case err != nil && (len(got) != 0 || len(gotEvs) != 0):
		t.Errorf("bulk create killed (%v): %d records, %d events kept, want none", err, len(got), len(gotEvs))
	case err == nil && (len(got) != n || len(gotEvs) != n):
		t.Errorf("bulk create committed: %d records, %d events, want %d each", len(got), len(gotEvs), n)
	}
	t.Logf("bulk create: killed %d backends, error %v, %d records kept", killed, err, len(got))

	// The store still works.
	if err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		return tx.Create(ctx, driver.Record{Kind: "demand", ID: "d1", Body: []byte(`{}`)})
	}); err != nil {
		t.Errorf("Update after the kills: %v", err)
	}
}

// Two transactions that lock two records in opposite orders deadlock.
// PostgreSQL aborts one (SQLSTATE 40P01): its error is driver.ErrStale, the
// one retryable error, and the other transaction commits.
func TestDeadlockIsStale(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	defer s.Close()
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		for _, id := range []string{"a", "b"} {
			if err := tx.Create(ctx, driver.Record{Kind: "achievement", ID: id, Body: []byte(`{}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bump := func(ctx context.Context, tx driver.Tx, id string) error {
		r, err := tx.Get(ctx, "achievement", id)
		if err != nil {
			return err
		}
		_, err = tx.Replace(ctx, r)
		return err
	}
	var locked sync.WaitGroup // both transactions hold their first row
	locked.Add(2)
	errc := make(chan error, 2)
	for _, ids := range [][2]string{{"a", "b"}, {"b", "a"}} {
		go func() {
			errc <- driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
				err := bump(ctx, tx, ids[0])
				locked.Done()
				if err != nil {
					return err
				}
				locked.Wait()
				return bump(ctx, tx, ids[1])
			})
		}()
	}
	errs := []error{<-errc, <-errc}
	stale, committed := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			committed++
		case errors.Is(err, driver.ErrStale) && strings.Contains(err.Error(), "40P01"):
			stale++
		}
	}
	if stale != 1 || committed != 1 {
		t.Fatalf("got %v; want one deadlock (40P01) matching ErrStale and one commit", errs)
	}
	for _, id := range []string{"a", "b"} {
		if r, err := s.Get(ctx, "achievement", id); err != nil || r.Version != 2 {
			t.Errorf("%s: got version %d, %v; want 2 (the committed transaction's write only)", id, r.Version, err)
		}
	}
}
