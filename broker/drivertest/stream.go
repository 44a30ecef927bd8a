package drivertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
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

// testImportLarge imports more rows than one block of the import pipeline,
// so that with a driver.StreamCreator earlier blocks reach the store
// before a later row fails: a bad row near the end, or a cancellation
// after the first blocks, must still write nothing.
func testImportLarge(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := broker.New(s, &broker.Options{NewID: broker.SequentialIDs(), Clock: func() time.Time { return t0 }})
	admin := broker.PlatformAdmin("admin")
	const n = 5000
	lines := strings.Split(strings.TrimSuffix(string(GenerateAchievementsCSV(n, 3)), "\n"), "\n")
	// Line 1 is the header; data row i is on line i+2 and lines[i+1].
	badLine := 4500
	bad := slices.Clone(lines)
	cells := strings.Split(bad[badLine-1], ",")
	cells[len(cells)-1] = "-5" // asking_price
	bad[badLine-1] = strings.Join(cells, ",")
	dupLine := 3000
	bad[dupLine-1] = lines[10] // line 11 again
	input := func(ls []string) io.Reader { return strings.NewReader(strings.Join(ls, "\n") + "\n") }
	stored := func() (recs, evs int) {
		t.Helper()
		l, err := s.List(ctx, driver.Query{Kind: "achievement", Limit: 2 * n})
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Events(ctx, driver.EventQuery{Kind: "achievement"})
		if err != nil {
			t.Fatal(err)
		}
		return len(l), len(e)
	}

	rep, err := sys.Achievements.Import(ctx, admin, input(bad), broker.ImportOptions{})
	if !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("import with a bad row: got %v, want ErrInvalid", err)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Row != badLine || rep.Errors[0].Field != "asking_price" {
		t.Errorf("errors: got %+v, want asking_price on row %d", rep.Errors, badLine)
	}
	if len(rep.Created) != 0 {
		t.Errorf("a failed import reports %d records created", len(rep.Created))
	}
	if r, e := stored(); r != 0 || e != 0 {
		t.Fatalf("a failed import wrote %d records and %d events", r, e)
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err = sys.Achievements.Import(cctx, admin, input(lines), broker.ImportOptions{Progress: func(p broker.Progress) {
		if p.Phase == "validate" && p.Done >= 4000 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: got %v, want context.Canceled", err)
	}
	if r, e := stored(); r != 0 || e != 0 {
		t.Fatalf("a cancelled import wrote %d records and %d events", r, e)
	}

	rep, err = sys.Achievements.Import(ctx, admin, input(bad), broker.ImportOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != n-2 || len(rep.Errors) != 1 || len(rep.Duplicates) != 1 || rep.Duplicates[0].Row != dupLine || rep.Duplicates[0].Of != "row 11" {
		t.Errorf("partial import: got %d created, errors %+v, duplicates %+v; want %d, one on row %d, row %d of row 11",
			len(rep.Created), rep.Errors, rep.Duplicates, n-2, badLine, dupLine)
	}
	if r, e := stored(); r != n-2 || e != n-2 {
		t.Errorf("partial import stored %d records and %d events, want %d of each", r, e, n-2)
	}
	// Importing the original rows again creates only the two that were
	// replaced above.
	rep, err = sys.Achievements.Import(ctx, admin, input(lines), broker.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != 2 || len(rep.Duplicates) != n-2 {
		t.Errorf("second import: got %d created and %d duplicates, want 2 (rows %d and %d) and %d", len(rep.Created), len(rep.Duplicates), dupLine, badLine, n-2)
	}
}
