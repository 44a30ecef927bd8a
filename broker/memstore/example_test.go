package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/memstore"
)

// Open a store, write a record and its event in one transaction, and read
// them back.
func Example() {
	ctx := context.Background()
	store := memstore.New()
	defer store.Close()

	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	err := driver.Update(ctx, store, func(ctx context.Context, tx driver.Tx) error {
		err := tx.Create(ctx, driver.Record{Kind: "achievement", ID: "ach-1", Stage: "collected",
			Created: now, Updated: now, Body: []byte(`{"title":"深远海养殖网箱水质在线监测"}`)})
		if err != nil {
			return err
		}
		return tx.Append(ctx, driver.Event{Kind: "achievement", RecordID: "ach-1", Type: "created", Actor: "张三", Time: now})
	})
	if err != nil {
		panic(err)
	}

	rec, err := store.Get(ctx, "achievement", "ach-1")
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.ID, rec.Version, rec.Stage, string(rec.Body))
	evs, err := store.Events(ctx, driver.EventQuery{Kind: "achievement", RecordID: "ach-1"})
	if err != nil {
		panic(err)
	}
	fmt.Println(evs[0].Seq, evs[0].Type, evs[0].Actor)

	// A record changed through what Get returned stays as stored.
	rec.Body[2] = 'X'
	again, _ := store.Get(ctx, "achievement", "ach-1")
	fmt.Println(string(again.Body))

	_, err = store.Get(ctx, "achievement", "ach-2")
	fmt.Println(errors.Is(err, driver.ErrNotFound))
	// Output:
	// ach-1 1 collected {"title":"深远海养殖网箱水质在线监测"}
	// 1 created 张三
	// {"title":"深远海养殖网箱水质在线监测"}
	// true
}
