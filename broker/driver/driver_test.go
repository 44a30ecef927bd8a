package driver_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kexie/techbroker/broker/driver"
)

func TestBatchCheck(t *testing.T) {
	rec := driver.Record{Kind: "achievement", ID: "a1"}
	ev := driver.Event{Kind: "achievement", RecordID: "a1", Type: "imported"}
	for _, tc := range []struct {
		name string
		b    driver.Batch
		want string // "" for no error, else a part of it
	}{
		{"empty", driver.Batch{}, ""},
		{"good", driver.Batch{Records: []driver.Record{rec}, Events: []driver.Event{ev}}, ""},
		{"no id", driver.Batch{Records: []driver.Record{rec, {Kind: "achievement"}}}, "record 1"},
		{"no kind", driver.Batch{Records: []driver.Record{{ID: "a2"}}}, "record 0"},
		{"event without type", driver.Batch{Events: []driver.Event{ev, {Kind: "achievement", RecordID: "a1"}}}, "event 1"},
	} {
		err := tc.b.Check()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: got %v, want no error", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
}

// fakeStore is a Store whose transactions record the calls that reach
// them, for testing Update's bookkeeping apart from any database.
type fakeStore struct {
	beginErr  error
	commitErr error
	writeErr  error // returned by every write of the transaction
	calls     []string
}

func (s *fakeStore) Get(context.Context, string, string) (driver.Record, error) {
	return driver.Record{}, driver.ErrNotFound
}
func (s *fakeStore) List(context.Context, driver.Query) ([]driver.Record, error) { return nil, nil }
func (s *fakeStore) Events(context.Context, driver.EventQuery) ([]driver.Event, error) {
	return nil, nil
}
func (s *fakeStore) Close() error { return nil }

func (s *fakeStore) Begin(ctx context.Context) (driver.Txn, error) {
	s.calls = append(s.calls, "Begin")
	if s.beginErr != nil {
		return nil, s.beginErr
	}
	return fakeTxn{s}, nil
}

type fakeTxn struct{ s *fakeStore }

func (t fakeTxn) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	t.s.calls = append(t.s.calls, "Get")
	return driver.Record{Kind: kind, ID: id, Version: 1}, nil
}
func (t fakeTxn) List(context.Context, driver.Query) ([]driver.Record, error) {
	t.s.calls = append(t.s.calls, "List")
	return nil, nil
}
func (t fakeTxn) Create(context.Context, driver.Record) error {
	t.s.calls = append(t.s.calls, "Create")
	return t.s.writeErr
}
func (t fakeTxn) Replace(_ context.Context, r driver.Record) (int64, error) {
	t.s.calls = append(t.s.calls, "Replace")
	return r.Version + 1, t.s.writeErr
}
func (t fakeTxn) Delete(context.Context, string, string, int64) error {
	t.s.calls = append(t.s.calls, "Delete")
	return t.s.writeErr
}
func (t fakeTxn) Append(context.Context, driver.Event) error {
	t.s.calls = append(t.s.calls, "Append")
	return t.s.writeErr
}
func (t fakeTxn) Commit() error {
	t.s.calls = append(t.s.calls, "Commit")
	return t.s.commitErr
}
func (t fakeTxn) Rollback() error {
	t.s.calls = append(t.s.calls, "Rollback")
	return errors.New("the rollback's error is not the transaction's")
}

func TestUpdate(t *testing.T) {
	boom := errors.New("boom")
	rec := driver.Record{Kind: "achievement", ID: "a1"}
	ev := driver.Event{Kind: "achievement", RecordID: "a1", Type: "created"}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name      string
		store     fakeStore
		ctx       context.Context // nil: context.Background()
		fn        func(ctx context.Context, tx driver.Tx) error
		want      error // nil: Update returns nil
		wantCalls []string
	}{
		{
			name: "commits",
			fn: func(ctx context.Context, tx driver.Tx) error {
				if _, err := tx.Get(ctx, "achievement", "a1"); err != nil {
					return err
				}
				if _, err := tx.List(ctx, driver.Query{Kind: "achievement"}); err != nil {
					return err
				}
				if _, err := tx.Replace(ctx, rec); err != nil {
					return err
				}
				if err := tx.Delete(ctx, "achievement", "a1", 1); err != nil {
					return err
				}
				if err := tx.Create(ctx, rec); err != nil {
					return err
				}
				return tx.Append(ctx, ev)
			},
			wantCalls: []string{"Begin", "Get", "List", "Replace", "Delete", "Create", "Append", "Commit"},
		},
		{
			name:      "commit error",
			store:     fakeStore{commitErr: driver.ErrStale},
			fn:        func(ctx context.Context, tx driver.Tx) error { return tx.Create(ctx, rec) },
			want:      driver.ErrStale,
			wantCalls: []string{"Begin", "Create", "Commit"},
		},
		{
			name:      "begin error",
			store:     fakeStore{beginErr: boom},
			fn:        func(context.Context, driver.Tx) error { panic("fn called without a transaction") },
			want:      boom,
			wantCalls: []string{"Begin"},
		},
		{
			name:      "done context: no begin",
			ctx:       cancelled,
			fn:        func(context.Context, driver.Tx) error { panic("fn called with a done context") },
			want:      context.Canceled,
			wantCalls: nil,
		},
		{
			name: "fn error rolls back",
			fn: func(ctx context.Context, tx driver.Tx) error {
				if err := tx.Create(ctx, rec); err != nil {
					return err
				}
				return boom
			},
			want:      boom,
			wantCalls: []string{"Begin", "Create", "Rollback"},
		},
		{
			name:  "failed write poisons though fn ignores it",
			store: fakeStore{writeErr: driver.ErrExists},
			fn: func(ctx context.Context, tx driver.Tx) error {
				_ = tx.Create(ctx, rec)
				_, _ = tx.Get(ctx, "achievement", "a1")
				_ = tx.Append(ctx, ev)
				return nil
			},
			want:      driver.ErrExists,
			wantCalls: []string{"Begin", "Create", "Rollback"},
		},
		{
			name: "cancelled call does not reach the store and poisons a write",
			fn: func(ctx context.Context, tx driver.Tx) error {
				if _, err := tx.Get(cancelled, "achievement", "a1"); !errors.Is(err, context.Canceled) {
					return fmt.Errorf("Get: got %v, want context.Canceled", err)
				}
				if _, err := tx.Get(ctx, "achievement", "a1"); err != nil {
					return err // a failed read does not poison
				}
				_, _ = tx.Replace(cancelled, rec)
				return nil
			},
			want:      context.Canceled,
			wantCalls: []string{"Begin", "Get", "Rollback"},
		},
		{
			name: "bad records do not reach the store",
			fn: func(ctx context.Context, tx driver.Tx) error {
				if err := tx.Append(ctx, driver.Event{Kind: "achievement", RecordID: "a1"}); err == nil {
					return errors.New("an event without a type was accepted")
				}
				return nil
			},
			want:      errors.New("any"),
			wantCalls: []string{"Begin", "Rollback"},
		},
		{
			name: "bad record ID",
			fn: func(ctx context.Context, tx driver.Tx) error {
				return tx.Create(ctx, driver.Record{Kind: "achievement"})
			},
			want:      errors.New("any"),
			wantCalls: []string{"Begin", "Rollback"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			s := tc.store
			err := driver.Update(ctx, &s, tc.fn)
			switch {
			case tc.want == nil && err != nil:
				t.Errorf("got %v, want nil", err)
			case tc.want != nil && err == nil:
				t.Errorf("got nil, want %v", tc.want)
			case tc.want != nil && tc.want.Error() != "any" && !errors.Is(err, tc.want):
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if d := cmp.Diff(tc.wantCalls, s.calls); d != "" {
				t.Errorf("calls reaching the store (-want +got):\n%s", d)
			}
		})
	}
}

// Update's poison is the first failed write's error, returned by every
// later call and by Update itself.
func TestUpdateFirstErrorWins(t *testing.T) {
	s := &fakeStore{}
	var first, second error
	err := driver.Update(context.Background(), s, func(ctx context.Context, tx driver.Tx) error {
		s.writeErr = driver.ErrStale
		_, first = tx.Replace(ctx, driver.Record{Kind: "achievement", ID: "a1"})
		s.writeErr = driver.ErrExists
		second = tx.Create(ctx, driver.Record{Kind: "achievement", ID: "a2"})
		return nil
	})
	if !errors.Is(first, driver.ErrStale) || second != first || err != first {
		t.Errorf("got first %v, second %v, Update %v; want ErrStale each time", first, second, err)
	}
}

func TestUpdatePanic(t *testing.T) {
	s := &fakeStore{}
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want boom", p)
			}
		}()
		_ = driver.Update(context.Background(), s, func(ctx context.Context, tx driver.Tx) error {
			_ = tx.Create(ctx, driver.Record{Kind: "achievement", ID: "a1"})
			panic("boom")
		})
	}()
	if d := cmp.Diff([]string{"Begin", "Create", "Rollback"}, s.calls); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
}

// runtime.Goexit in fn (t.FailNow in a test) rolls back too.
func TestUpdateGoexit(t *testing.T) {
	s := &fakeStore{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = driver.Update(context.Background(), s, func(context.Context, driver.Tx) error {
			runtime.Goexit()
			return nil
		})
	}()
	<-done
	if d := cmp.Diff([]string{"Begin", "Rollback"}, s.calls); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
}

func TestUpdateUseAfterEnd(t *testing.T) {
	for _, fnErr := range []error{nil, errors.New("roll back")} {
		s := &fakeStore{}
		var kept driver.Tx
		_ = driver.Update(context.Background(), s, func(ctx context.Context, tx driver.Tx) error {
			kept = tx
			return fnErr
		})
		ctx := context.Background()
		rec := driver.Record{Kind: "achievement", ID: "a1"}
		_, errGet := kept.Get(ctx, "achievement", "a1")
		_, errList := kept.List(ctx, driver.Query{Kind: "achievement"})
		_, errReplace := kept.Replace(ctx, rec)
		for i, err := range []error{errGet, errList, kept.Create(ctx, rec), errReplace,
			kept.Delete(ctx, "achievement", "a1", 1), kept.Append(ctx, driver.Event{Kind: "achievement", RecordID: "a1", Type: "x"})} {
			if !errors.Is(err, driver.ErrTxDone) {
				t.Errorf("fn error %v, call %d after the end: got %v, want ErrTxDone", fnErr, i, err)
			}
		}
		if n := len(s.calls); n != 2 {
			t.Errorf("fn error %v: %d calls reached the store (%v), want Begin and its end only", fnErr, n, s.calls)
		}
	}
}

// Calls from several goroutines reach the adapter one at a time (run with
// -race: the fake appends to a slice without a lock).
func TestUpdateSerializesCalls(t *testing.T) {
	s := &fakeStore{}
	err := driver.Update(context.Background(), s, func(ctx context.Context, tx driver.Tx) error {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 50 {
					_ = tx.Create(ctx, driver.Record{Kind: "achievement", ID: "a"})
					_, _ = tx.Get(ctx, "achievement", "a")
				}
			}()
		}
		wg.Wait()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.calls), 2+8*50*2; got != want {
		t.Errorf("got %d calls, want %d", got, want)
	}
}
