package broker_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/memstore"
)

// flakyStore reports a stale version on the first stale writes of its
// transactions, as PostgreSQL does when a concurrent transaction committed
// first.
type flakyStore struct {
	driver.Store
	stale atomic.Int32 // writes still to refuse
}

func (s *flakyStore) Begin(ctx context.Context) (driver.Txn, error) {
	tx, err := s.Store.Begin(ctx)
	return flakyTxn{tx, s}, err
}

type flakyTxn struct {
	driver.Txn
	s *flakyStore
}

func (t flakyTxn) Replace(ctx context.Context, rec driver.Record) (int64, error) {
	if t.s.stale.Add(-1) >= 0 {
		return 0, driver.ErrStale
	}
	return t.Txn.Replace(ctx, rec)
}

// System.Update retries when the store reports a stale version, and never
// on a refusal of the record's state, a caller's stale version, bad input
// or a forbidden action.
func TestUpdateRetriesOnlyTheStoresStaleVersion(t *testing.T) {
	store := &flakyStore{Store: memstore.New()}
	sys := broker.New(store, &broker.Options{Clock: clock, NewID: broker.SequentialIDs()})
	e, err := sys.Experts.Create(ctx, admin, broker.Expert{Name: "王教授"})
	if err != nil {
		t.Fatal(err)
	}
	rename := func(name string) func(*broker.Tx) error {
		return func(tx *broker.Tx) error {
			v, err := broker.Get[broker.Expert](tx, admin, e.ID)
			if err != nil {
				return err
			}
			v.Name = name
			_, err = broker.Replace(tx, admin, v)
			return err
		}
	}
	calls := 0
	counted := func(fn func(*broker.Tx) error) func(*broker.Tx) error {
		return func(tx *broker.Tx) error { calls++; return fn(tx) }
	}

	store.stale.Store(2)
	if err := sys.Update(ctx, counted(rename("李教授"))); err != nil || calls != 3 {
		t.Errorf("two stale writes from the store: got %v after %d calls, want success on the 3rd", err, calls)
	}
	if got, _ := sys.Experts.Get(ctx, admin, e.ID); got.Name != "李教授" || got.Version != 2 {
		t.Errorf("after the retries: got %q v%d, want 李教授 v2 (one write kept)", got.Name, got.Version)
	}

	calls = 0
	store.stale.Store(100)
	err = sys.Update(ctx, counted(rename("赵教授")))
	if !errors.Is(err, broker.ErrStale) || calls != 50 {
		t.Errorf("a store that stays stale: got %v after %d calls, want ErrStale after 50", err, calls)
	}
	store.stale.Store(0)

	for _, tc := range []struct {
		name string
		fn   func(*broker.Tx) error
		want error
	}{
		{"refusal of the record's state", func(tx *broker.Tx) error {
			return broker.Refused("close", broker.KindExpert, e.ID, "the expert has retired")
		}, broker.ErrConflict},
		{"the caller's stale version", func(tx *broker.Tx) error {
			v, _ := broker.Get[broker.Expert](tx, admin, e.ID)
			v.Version = 1
			_, err := broker.Replace(tx, admin, v)
			return err
		}, broker.ErrStale},
		{"bad input", func(tx *broker.Tx) error {
			_, err := broker.Create(tx, admin, broker.Expert{})
			return err
		}, broker.ErrInvalid},
		{"forbidden", func(tx *broker.Tx) error {
			_, err := broker.Create(tx, broker.Anonymous(), broker.Expert{Name: "钱"})
			return err
		}, broker.ErrForbidden},
	} {
		calls = 0
		err := sys.Update(ctx, counted(tc.fn))
		if !errors.Is(err, tc.want) || calls != 1 {
			t.Errorf("%s: got %v after %d calls, want %v after 1", tc.name, err, calls, tc.want)
		}
	}
	if got, _ := sys.Experts.Get(ctx, admin, e.ID); got.Version != 2 {
		t.Errorf("failed transactions wrote: version %d, want 2", got.Version)
	}
}

// racedStore makes its transactions' next creates fail with ErrExists, as
// when a concurrent transaction created the same record first.
type racedStore struct {
	driver.Store
	exists atomic.Int32 // creates still to refuse
}

func (s *racedStore) Begin(ctx context.Context) (driver.Txn, error) {
	tx, err := s.Store.Begin(ctx)
	return racedTxn{tx, s}, err
}

type racedTxn struct {
	driver.Txn
	s *racedStore
}

func (t racedTxn) Create(ctx context.Context, rec driver.Record) error {
	if t.s.exists.Add(-1) >= 0 {
		return driver.ErrExists
	}
	return t.Txn.Create(ctx, rec)
}

// A transaction that read a record as missing — by its ID, or by finding
// its whole kind without it — and then finds it created by a concurrent
// one is retried (it reads the record again); a create without such a
// read is refused with ErrExists at once.
func TestUpdateRetriesACreateAfterAMissingRead(t *testing.T) {
	store := &racedStore{Store: memstore.New()}
	sys := broker.New(store, &broker.Options{Clock: clock, NewID: broker.SequentialIDs()})
	calls := 0
	createIfMissing := func(tx *broker.Tx) error {
		calls++
		if _, err := broker.Read[broker.Expert](tx, "exp-lin"); !errors.Is(err, broker.ErrNotFound) {
			return err
		}
		_, err := broker.Create(tx, admin, broker.Expert{Meta: broker.Meta{ID: "exp-lin"}, Name: "林教授"})
		return err
	}
	store.exists.Store(1)
	if err := sys.Update(ctx, createIfMissing); err != nil || calls != 2 {
		t.Errorf("read missing, then created concurrently: got %v after %d calls, want success on the 2nd", err, calls)
	}
	calls = 0
	store.exists.Store(1)
	err := sys.Update(ctx, func(tx *broker.Tx) error {
		calls++
		_, err := broker.Create(tx, admin, broker.Expert{Meta: broker.Meta{ID: "exp-wu"}, Name: "吴教授"})
		return err
	})
	if !errors.Is(err, broker.ErrExists) || calls != 1 {
		t.Errorf("create without a read: got %v after %d calls, want ErrExists after 1", err, calls)
	}
	// A Find of the whole kind reads the records it did not return as
	// missing; a filtered one does not.
	for _, tc := range []struct {
		name    string
		filter  broker.ListOptions
		calls   int
		wantErr error
	}{
		{"whole kind", broker.ListOptions{}, 2, nil},
		{"filtered", broker.ListOptions{Broker: "desk-a"}, 1, broker.ErrExists},
	} {
		calls = 0
		store.exists.Store(1)
		id := "exp-" + tc.name
		err := sys.Update(ctx, func(tx *broker.Tx) error {
			calls++
			all, err := broker.Find[broker.Expert](tx, admin, tc.filter)
			if err != nil {
				return err
			}
			for _, e := range all {
				if e.ID == id {
					return nil // created meanwhile: nothing to do
				}
			}
			_, err = broker.Create(tx, admin, broker.Expert{Meta: broker.Meta{ID: id}, Name: "郑教授"})
			return err
		})
		if !errors.Is(err, tc.wantErr) || calls != tc.calls {
			t.Errorf("find (%s), then create: got %v after %d calls, want %v after %d", tc.name, err, calls, tc.wantErr, tc.calls)
		}
	}
}
