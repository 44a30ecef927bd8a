package drivertest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/kexie/techbroker/broker/driver"
)

// testStream checks driver.StreamCreator, for stores that implement it:
// every batch lands in one transaction; an error yielded by the stream, a
// repeated or stored ID, or a cancelled context writes nothing; a stream
// that stops early is not ranged further.
func testStream(t *testing.T, open func(*testing.T) driver.Store) {
	if sc, ok := open(t).(driver.StreamCreator); !ok || sc == nil {
		t.Skip("store does not implement driver.StreamCreator")
	}
	batch := func(from, n int) driver.Batch {
		var b driver.Batch
		for i := from; i < from+n; i++ {
			r := rec("achievement", fmt.Sprintf("s%05d", i))
			r.Key = fmt.Sprintf("k%d", i%7)
			b.Records = append(b.Records, r)
			b.Events = append(b.Events, driver.Event{Kind: "achievement", RecordID: r.ID, Type: "imported", Actor: "u", Time: t0})
		}
		return b
	}
	// stream yields the batches, then err if it is not nil; it counts the
	// batches the store pulled.
	stream := func(pulled *int, err error, bs ...driver.Batch) iter.Seq2[driver.Batch, error] {
		return func(yield func(driver.Batch, error) bool) {
			for _, b := range bs {
				*pulled++
				if !yield(b, nil) {
					return
				}
			}
			if err != nil {
				*pulled++
				yield(driver.Batch{}, err)
			}
		}
	}
	count := func(t *testing.T, s driver.Store) (recs, evs int) {
		t.Helper()
		l, err := s.List(context.Background(), driver.Query{Kind: "achievement", Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Events(context.Background(), driver.EventQuery{Kind: "achievement"})
		if err != nil {
			t.Fatal(err)
		}
		return len(l), len(e)
	}
	ctx := context.Background()

	t.Run("Commits", func(t *testing.T) {
		s := open(t)
		sc := s.(driver.StreamCreator)
		var pulled int
		if err := sc.CreateStream(ctx, stream(&pulled, nil, batch(0, 300), batch(300, 1), driver.Batch{}, batch(301, 299))); err != nil {
			t.Fatal(err)
		}
		if r, e := count(t, s); r != 600 || e != 600 {
			t.Errorf("got %d records and %d events, want 600 and 600", r, e)
		}
		got, err := s.Get(ctx, "achievement", "s00301")
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || string(got.Body) != `{"n":0}` || got.Key != "k0" {
			t.Errorf("got version %d, body %s, key %q; want 1, {\"n\":0}, k0", got.Version, got.Body, got.Key)
		}
	})
	t.Run("EmptyStream", func(t *testing.T) {
		s := open(t)
		var pulled int
		if err := s.(driver.StreamCreator).CreateStream(ctx, stream(&pulled, nil)); err != nil {
			t.Fatal(err)
		}
		if r, e := count(t, s); r != 0 || e != 0 {
			t.Errorf("got %d records and %d events, want none", r, e)
		}
	})
	t.Run("YieldedErrorWritesNothing", func(t *testing.T) {
		s := open(t)
		boom := errors.New("row 12: bad title")
		var pulled int
		err := s.(driver.StreamCreator).CreateStream(ctx, stream(&pulled, boom, batch(0, 300), batch(300, 300)))
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want the yielded error", err)
		}
		if r, e := count(t, s); r != 0 || e != 0 {
			t.Errorf("got %d records and %d events after a failed stream, want none", r, e)
		}
		// The store is still usable afterwards.
		create(t, s, rec("achievement", "after"))
	})
	t.Run("RepeatedIDWritesNothing", func(t *testing.T) {
		s := open(t)
		var pulled int
		err := s.(driver.StreamCreator).CreateStream(ctx, stream(&pulled, nil, batch(0, 300), batch(299, 5), batch(1000, 10)))
		if !errors.Is(err, driver.ErrExists) {
			t.Fatalf("got %v, want ErrExists", err)
		}
		if r, e := count(t, s); r != 0 || e != 0 {
			t.Errorf("got %d records and %d events, want none", r, e)
		}
	})
	t.Run("StoredIDWritesNothing", func(t *testing.T) {
		s := open(t)
		create(t, s, rec("achievement", "s00150"))
		var pulled int
		err := s.(driver.StreamCreator).CreateStream(ctx, stream(&pulled, nil, batch(0, 100), batch(100, 100)))
		if !errors.Is(err, driver.ErrExists) {
			t.Fatalf("got %v, want ErrExists", err)
		}
		if r, _ := count(t, s); r != 1 {
			t.Errorf("got %d records, want only the stored one", r)
		}
	})
	t.Run("CancelledWritesNothing", func(t *testing.T) {
		s := open(t)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		seq := func(yield func(driver.Batch, error) bool) {
			if !yield(batch(0, 100), nil) {
				return
			}
			cancel()
			yield(batch(100, 100), nil)
		}
		if err := s.(driver.StreamCreator).CreateStream(cctx, seq); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if r, e := count(t, s); r != 0 || e != 0 {
			t.Errorf("got %d records and %d events, want none", r, e)
		}
	})
	t.Run("BadRecordWritesNothing", func(t *testing.T) {
		s := open(t)
		bad := batch(100, 3)
		bad.Records[1].ID = ""
		var pulled int
		if err := s.(driver.StreamCreator).CreateStream(ctx, stream(&pulled, nil, batch(0, 100), bad, batch(200, 5))); err == nil {
			t.Fatal("a record without an ID was accepted")
		}
		if pulled != 2 {
			t.Errorf("the store pulled %d batches, want 2 (it must stop at the bad one)", pulled)
		}
		if r, e := count(t, s); r != 0 || e != 0 {
			t.Errorf("got %d records and %d events, want none", r, e)
		}
	})
}
