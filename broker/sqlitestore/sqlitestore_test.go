package sqlitestore_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/drivertest"
	"github.com/kexie/techbroker/broker/sqlitestore"
)

func open(tb testing.TB) *sqlitestore.Store {
	tb.Helper()
	s, err := sqlitestore.Open(filepath.Join(tb.TempDir(), "broker.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// oneBatch is a stream of one batch.
func oneBatch(recs []driver.Record, evs []driver.Event) iter.Seq2[driver.Batch, error] {
	return func(yield func(driver.Batch, error) bool) { yield(driver.Batch{Records: recs, Events: evs}, nil) }
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, func(t *testing.T) driver.Store { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	drivertest.RunBenchmarks(b, func(b *testing.B) driver.Store { return open(b) })
}

func TestOpenBadArguments(t *testing.T) {
	for _, tc := range []struct {
		path string
		opts *sqlitestore.Options
	}{
		{"", nil},
		{":memory:", nil},
		{"file:x.db", nil},
		{"x.db?mode=ro", nil},
		{filepath.Join(t.TempDir(), "x.db"), &sqlitestore.Options{Synchronous: "sometimes"}},
		{filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), nil},
	} {
		s, err := sqlitestore.Open(tc.path, tc.opts)
		if err == nil {
			_ = s.Close()
			t.Errorf("Open(%q, %+v): got no error, want one", tc.path, tc.opts)
		} else if !strings.HasPrefix(err.Error(), "sqlitestore: ") {
			t.Errorf("Open(%q): error %q does not name the package", tc.path, err)
		}
	}
}

// Reopening a file keeps its data and applies no migration twice.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "broker.db")
	s, err := sqlitestore.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		return tx.Create(ctx, driver.Record{Kind: "achievement", ID: "a1", Body: []byte(`{}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "achievement", "a1"); err == nil {
		t.Errorf("Get after Close: got no error")
	}
	if err := driver.Update(ctx, s, func(context.Context, driver.Tx) error { return nil }); err == nil {
		t.Errorf("Update after Close: got no error")
	}
	for i := 0; i < 2; i++ {
		s, err = sqlitestore.Open(path, &sqlitestore.Options{Synchronous: "full", Readers: 1, BusyTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := s.Get(ctx, "achievement", "a1"); err != nil || r.Version != 1 {
			t.Errorf("reopen %d: got %+v, %v", i, r, err)
		}
		_ = s.Close()
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Errorf("schema_migrations rows: got %d, %v; want one per migration, %d", n, err, len(files))
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode: got %q, %v; want wal", mode, err)
	}
}

// Two Stores on one file (as two processes would be) share it: writes of
// one are seen by the other, and concurrent writers wait for the lock
// (busy timeout) instead of failing.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "broker.db")
	var stores [2]*sqlitestore.Store
	for i := range stores {
		s, err := sqlitestore.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
					return tx.Create(ctx, driver.Record{Kind: "achievement", ID: fmt.Sprintf("s%d-%02d", i, j), Body: []byte(`{}`)})
				})
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	for i, s := range stores {
		recs, err := s.List(ctx, driver.Query{Kind: "achievement"})
		if err != nil || len(recs) != 100 {
			t.Errorf("store %d sees %d records, %v; want 100", i, len(recs), err)
		}
	}
}

const (
	crashEnv       = "SQLITESTORE_CRASH_DB"
	crashRows      = 2000 // rows per import
	crashBatchSize = 250  // rows per transaction
)

// crashCSV returns the CSV of import run: rows whose titles carry the run
// and row numbers.
func crashCSV(run int) string {
	var b strings.Builder
	b.WriteString("title,owner,asking_price,keywords\n")
	for i := 0; i < crashRows; i++ {
		fmt.Fprintf(&b, "崩溃测试成果 run %d row %d,上海海洋大学,%d万元,测试;崩溃\n", run, i, 10+i%90)
	}
	return b.String()
}

// TestHelperImport is the child process of TestCrashDuringImport: it
// imports run after run into the database named by $SQLITESTORE_CRASH_DB,
// printing "wrote N D" after each committed transaction (D rows of run N
// so far) and "done N" after each import, until it is killed.
func TestHelperImport(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestCrashDuringImport")
	}
	s, err := sqlitestore.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	sys := broker.New(s, nil)
	for run := 0; run < 1000; run++ {
		_, err := sys.Achievements.Import(context.Background(), broker.PlatformAdmin("crash"), strings.NewReader(crashCSV(run)),
			broker.ImportOptions{Batch: fmt.Sprintf("run-%d", run), BatchSize: crashBatchSize, Progress: func(p broker.Progress) {
				if p.Phase == "write" {
					fmt.Printf("wrote %d %d\n", run, p.Done)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("done %d\n", run)
	}
}

// Kill a process mid-import (SIGKILL) and reopen the file: it opens, passes
// the integrity check, every import transaction is wholly present or wholly
// absent (with its events), and every import the child reported finished is
// there.
func TestCrashDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImport$", "-test.v")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	finished, killed := -1, false
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		var run, done int
		if _, err := fmt.Sscanf(lines.Text(), "done %d", &run); err == nil {
			finished = run
		}
		// Kill while the second import writes: after its second
		// transaction committed, the third is being written.
		if _, err := fmt.Sscanf(lines.Text(), "wrote %d %d", &run, &done); err == nil && run == 1 && done == 2*crashBatchSize {
			killed = true
			break
		}
	}
	if !killed {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child ended before the second import (last finished %d): %s", finished, stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: got %q, %v; want ok", check, err)
	}
	_ = db.Close()

	s, err := sqlitestore.Open(path, nil)
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	recs, err := s.List(ctx, driver.Query{Kind: string(broker.KindAchievement)})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]map[int]bool{} // batch -> row numbers present
	for _, r := range recs {
		var a broker.Achievement
		if err := json.Unmarshal(r.Body, &a); err != nil {
			t.Fatal(err)
		}
		var run, row int
		if _, err := fmt.Sscanf(a.Title, "崩溃测试成果 run %d row %d", &run, &row); err != nil {
			t.Fatalf("title %q: %v", a.Title, err)
		}
		if want := fmt.Sprintf("run-%d", run); a.Provenance.Batch != want {
			t.Errorf("record %s: batch %q, want %q", r.ID, a.Provenance.Batch, want)
		}
		if rows[a.Provenance.Batch] == nil {
			rows[a.Provenance.Batch] = map[int]bool{}
		}
		rows[a.Provenance.Batch][row] = true
	}
	for run := 0; run <= finished; run++ {
		if got := len(rows[fmt.Sprintf("run-%d", run)]); got != crashRows {
			t.Errorf("finished import run-%d: %d rows present, want %d", run, got, crashRows)
		}
	}
	for batch, present := range rows {
		// Transactions write rows [k*size, (k+1)*size) in order, so what is
		// present must be whole transactions from the start of the import.
		n := len(present)
		if n%crashBatchSize != 0 {
			t.Errorf("%s: %d rows present, not a whole number of %d-row transactions", batch, n, crashBatchSize)
		}
		for row := 0; row < n; row++ {
			if !present[row] {
				t.Errorf("%s: row %d missing though %d rows are present", batch, row, n)
				break
			}
		}
	}
	evs, err := s.Events(ctx, driver.EventQuery{Kind: string(broker.KindAchievement)})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(recs) {
		t.Errorf("events: got %d, want one per record (%d)", len(evs), len(recs))
	}
	if n := len(rows["run-1"]); n < 2*crashBatchSize {
		t.Errorf("run-1: %d rows present, want at least the %d reported written", n, 2*crashBatchSize)
	}
	t.Logf("after the kill: %d records in %d imports (%d reported finished)", len(recs), len(rows), finished+1)
}

// TestBackgroundCheckpoint checks that committed pages reach the database
// file without a writer's help: the writer's connection never checkpoints,
// the store's checkpointer does, and Close waits for it.
func TestBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broker.db")
	s, err := sqlitestore.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	recs := make([]driver.Record, n)
	body := []byte(`{"title":"` + strings.Repeat("海洋", 200) + `"}`)
	for i := range recs {
		recs[i] = driver.Record{Kind: "achievement", ID: fmt.Sprintf("a%05d", i), Created: time.Now(), Updated: time.Now(), Body: body}
	}
	if err := s.CreateStream(context.Background(), oneBatch(recs, nil)); err != nil {
		t.Fatal(err)
	}
	grown := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > before.Size()+n*int64(len(body)) {
			grown = true
			break
		}
	}
	if !grown {
		t.Error("the database file did not grow within 10 s of the commit: nothing checkpointed the WAL")
	}
	// Commits right before Close: Close must not race the checkpointer.
	for i := 0; i < 20; i++ {
		if err := s.CreateStream(context.Background(), oneBatch([]driver.Record{{Kind: "x", ID: fmt.Sprint(i), Created: time.Now(), Updated: time.Now()}}, nil)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlitestore.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.List(context.Background(), driver.Query{Kind: "achievement"})
	if err != nil || len(got) != n {
		t.Fatalf("after reopening: got %d records (%v), want %d", len(got), err, n)
	}
}
