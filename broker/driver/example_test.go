package driver_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/memstore"
)

// Run transactions with Update over a store (here the in-memory one): a
// write names the version it read, a stale one is ErrStale, and a failed
// write aborts the transaction even when the error is ignored.
func Example() {
	ctx := context.Background()
	var store driver.Store = memstore.New()
	defer store.Close()

	err := driver.Update(ctx, store, func(ctx context.Context, tx driver.Tx) error {
		return tx.Create(ctx, driver.Record{Kind: "listing", ID: "l1", Stage: "draft", Body: []byte(`{}`)})
	})
	fmt.Println("create:", err)

	l1, _ := store.Get(ctx, "listing", "l1")
	l1.Stage = "listed"
	var v int64
	err = driver.Update(ctx, store, func(ctx context.Context, tx driver.Tx) error {
		var err error
		v, err = tx.Replace(ctx, l1) // l1.Version is 1, as stored
		return err
	})
	fmt.Println("replace:", v, err)

	// l1 still names version 1: someone else's write came in between.
	err = driver.Update(ctx, store, func(ctx context.Context, tx driver.Tx) error {
		_, err := tx.Replace(ctx, l1)
		return err
	})
	fmt.Println("stale replace:", errors.Is(err, driver.ErrStale))

	err = driver.Update(ctx, store, func(ctx context.Context, tx driver.Tx) error {
		_ = tx.Create(ctx, driver.Record{Kind: "deal", ID: "d1", Body: []byte(`{}`)})
		_ = tx.Create(ctx, driver.Record{Kind: "listing", ID: "l1", Body: []byte(`{}`)}) // ignored: ErrExists
		return nil
	})
	_, getErr := store.Get(ctx, "deal", "d1")
	fmt.Println("ignored failure:", errors.Is(err, driver.ErrExists), errors.Is(getErr, driver.ErrNotFound))
	// Output:
	// create: <nil>
	// replace: 2 <nil>
	// stale replace: true
	// ignored failure: true true
}
