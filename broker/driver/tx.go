package driver

import (
	"context"
	"fmt"
	"sync"
)

// Update runs fn in a read-write transaction of s and keeps the
// transaction's state, so that adapters do not (as database/sql's Tx does
// for its drivers):
//
//   - before every call of the Tx handed to fn, ctx of that call is
//     checked;
//   - a write (Create, Replace, Delete, Append) that returns an error
//     poisons the transaction: every later call returns that first error,
//     and Update rolls back and returns it, even if fn ignored it;
//   - the Tx must not be used once Update returns: calls get ErrTxDone;
//   - if fn returns an error, Update rolls back and returns it; if fn
//     panics, Update rolls back and the panic goes on;
//   - otherwise, if ctx is done Update rolls back and returns ctx.Err(),
//     else it commits and returns the commit's error.
//
// Update calls fn once: it never retries. A caller that wants to run a
// transaction again when its reads were stale retries on ErrStale, and only
// on it.
func Update(ctx context.Context, s Store, fn func(ctx context.Context, tx Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	raw, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	t := &tx{raw: raw}
	ended := false
	defer func() {
		if !ended { // fn panicked or called runtime.Goexit
			t.end()
			_ = raw.Rollback()
		}
	}()
	err = fn(ctx, t)
	poison := t.end()
	ended = true
	if err == nil {
		err = poison
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		_ = raw.Rollback() // the transaction's error says more than the rollback's
		return err
	}
	return raw.Commit()
}

// tx is the Tx that Update hands to fn: it keeps the transaction's state
// around the adapter's Txn.
type tx struct {
	mu   sync.Mutex // held for each call: calls to raw never overlap
	raw  Txn
	err  error // the first failed write
	done bool
}

// end marks the transaction ended, once a call under way has returned, and
// returns the first failed write's error.
func (t *tx) end() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	return t.err
}

// check says whether a call may go to the adapter.
func (t *tx) check(ctx context.Context) error {
	switch {
	case t.done:
		return ErrTxDone
	case t.err != nil:
		return t.err
	}
	return ctx.Err()
}

// fail poisons the transaction with the first failed write's error.
func (t *tx) fail(err error) error {
	if err != nil && t.err == nil && !t.done {
		t.err = err
	}
	return err
}

func (t *tx) Get(ctx context.Context, kind, id string) (Record, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(ctx); err != nil {
		return Record{}, err
	}
	return t.raw.Get(ctx, kind, id)
}

func (t *tx) List(ctx context.Context, q Query) ([]Record, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return t.raw.List(ctx, q)
}

func (t *tx) Create(ctx context.Context, rec Record) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(ctx); err != nil {
		return t.fail(err)
	}
	if err := checkRecord(rec); err != nil {
		return t.fail(fmt.Errorf("driver: create: %w", err))
	}
	return t.fail(t.raw.Create(ctx, rec))
}

func (t *tx) Replace(ctx context.Context, rec Record) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(ctx); err != nil {
		return 0, t.fail(err)
	}
	v, err := t.raw.Replace(ctx, rec)
	return v, t.fail(err)
}

func (t *tx) Delete(ctx context.Context, kind, id string, version int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(ctx); err != nil {
		return t.fail(err)
	}
	return t.fail(t.raw.Delete(ctx, kind, id, version))
}

func (t *tx) Append(ctx context.Context, ev Event) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(ctx); err != nil {
		return t.fail(err)
	}
	if err := checkEvent(ev); err != nil {
		return t.fail(fmt.Errorf("driver: append: %w", err))
	}
	return t.fail(t.raw.Append(ctx, ev))
}
