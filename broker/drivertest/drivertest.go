package drivertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
)

// Harness makes a new, empty store for one test.
type Harness func(t *testing.T) driver.Store

// RunConformanceTests runs the whole suite against stores made by newStore.
func RunConformanceTests(t *testing.T, newStore Harness) {
	t.Helper()
	open := func(t *testing.T) driver.Store {
		s := newStore(t)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, open(t)) })
	t.Run("CreateDuplicate", func(t *testing.T) { testDuplicate(t, open(t)) })
	t.Run("VersionConflict", func(t *testing.T) { testConflict(t, open(t)) })
	t.Run("NoAliasing", func(t *testing.T) { testNoAliasing(t, open(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
	t.Run("TimePrecision", func(t *testing.T) { testTimePrecision(t, open(t)) })
	t.Run("FilterAndPaging", func(t *testing.T) { testPaging(t, open(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, open(t)) })
	t.Run("CancelInsideTransaction", func(t *testing.T) { testCancelInsideTx(t, open(t)) })
	t.Run("IgnoredWriteErrorAborts", func(t *testing.T) { testIgnoredWriteError(t, open(t)) })
	t.Run("FailedWritePoisons", func(t *testing.T) { testFailedWritePoisons(t, open) })
	t.Run("ContextCheckedEachCall", func(t *testing.T) { testContextEachCall(t, open(t)) })
	t.Run("PanicRollsBack", func(t *testing.T) { testPanic(t, open(t)) })
	t.Run("UseAfterEnd", func(t *testing.T) { testUseAfterEnd(t, open(t)) })
	t.Run("ConcurrentCallsInTransaction", func(t *testing.T) { testConcurrentCalls(t, open(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("AtomicTransaction", func(t *testing.T) { testAtomic(t, open(t)) })
	t.Run("TransactionReadsOwnWrites", func(t *testing.T) { testReadOwnWrites(t, open(t)) })
	t.Run("EventsInOrder", func(t *testing.T) { testEvents(t, open(t)) })
	t.Run("BulkCreate", func(t *testing.T) { testBulk(t, open(t)) })
	t.Run("StreamCreate", func(t *testing.T) { testStream(t, open) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open(t)) })
	t.Run("FindKeys", func(t *testing.T) { testFindKeys(t, open(t)) })
	t.Run("Service", func(t *testing.T) { testService(t, open(t)) })
	t.Run("ServiceImport", func(t *testing.T) { testImport(t, open(t)) })
	t.Run("ServiceImportLarge", func(t *testing.T) { testImportLarge(t, open(t)) })
	t.Run("Platforms", func(t *testing.T) { testPlatforms(t, open) })
	t.Run("Everyone", func(t *testing.T) { testEveryone(t, open) })
	t.Run("Activity", func(t *testing.T) { testActivity(t, open) })
	t.Run("Exchange", func(t *testing.T) { testExchange(t, open) })
	t.Run("Capital", func(t *testing.T) { testCapital(t, open) })
	t.Run("Federation", func(t *testing.T) { testFederation(t, open) })
	t.Run("Review", func(t *testing.T) { testReview(t, open) })
}

var t0 = time.Date(2026, 11, 27, 8, 30, 0, 123456000, time.UTC)

func rec(kind, id string) driver.Record {
	return driver.Record{Kind: kind, ID: id, Created: t0, Updated: t0, Body: []byte(`{"n":0}`)}
}

func create(t testing.TB, s driver.Store, recs ...driver.Record) {
	t.Helper()
	err := driver.Update(context.Background(), s, func(ctx context.Context, tx driver.Tx) error {
		for _, r := range recs {
			if err := tx.Create(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
}

func replace(s driver.Store, r driver.Record) (int64, error) {
	var v int64
	err := driver.Update(context.Background(), s, func(ctx context.Context, tx driver.Tx) error {
		var err error
		v, err = tx.Replace(ctx, r)
		return err
	})
	return v, err
}

func testNotFound(t *testing.T, s driver.Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "achievement", "nope"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("Get missing: got %v, want ErrNotFound", err)
	}
	if _, err := replace(s, rec("achievement", "nope")); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("Replace missing: got %v, want ErrNotFound", err)
	}
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error { return tx.Delete(ctx, "achievement", "nope", 1) })
	if !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("Delete missing: got %v, want ErrNotFound", err)
	}
	recs, err := s.List(ctx, driver.Query{Kind: "achievement"})
	if err != nil || len(recs) != 0 {
		t.Errorf("List empty: got %d records, %v; want 0, nil", len(recs), err)
	}
}

func testDuplicate(t *testing.T, s driver.Store) {
	create(t, s, rec("achievement", "a1"))
	err := driver.Update(context.Background(), s, func(ctx context.Context, tx driver.Tx) error {
		return tx.Create(ctx, rec("achievement", "a1"))
	})
	if !errors.Is(err, driver.ErrExists) {
		t.Fatalf("duplicate create: got %v, want ErrExists", err)
	}
	// Same ID, other kind: no clash.
	create(t, s, rec("demand", "a1"))
	got, _ := s.Get(context.Background(), "achievement", "a1")
	if got.Version != 1 {
		t.Errorf("version after create: got %d, want 1", got.Version)
	}
}

func testConflict(t *testing.T, s driver.Store) {
	create(t, s, rec("achievement", "a1"))
	r := rec("achievement", "a1")
	r.Version = 1
	r.Body = []byte(`{"n":1}`)
	v, err := replace(s, r)
	if err != nil || v != 2 {
		t.Fatalf("replace at version 1: got (%d, %v), want (2, nil)", v, err)
	}
	r.Body = []byte(`{"n":2}`)
	if _, err := replace(s, r); !errors.Is(err, driver.ErrStale) {
		t.Fatalf("replace at stale version 1: got %v, want ErrStale", err)
	}
	got, _ := s.Get(context.Background(), "achievement", "a1")
	if string(got.Body) != `{"n":1}` || got.Version != 2 {
		t.Errorf("after stale write: got version %d body %s, want 2 {\"n\":1}", got.Version, got.Body)
	}
	err = driver.Update(context.Background(), s, func(ctx context.Context, tx driver.Tx) error { return tx.Delete(ctx, "achievement", "a1", 1) })
	if !errors.Is(err, driver.ErrStale) {
		t.Errorf("delete at stale version: got %v, want ErrStale", err)
	}
}

func testNoAliasing(t *testing.T, s driver.Store) {
	ctx := context.Background()
	r := rec("achievement", "a1")
	body := []byte(`{"t":"原文"}`)
	r.Body = body
	create(t, s, r)
	copy(body, `{"t":"XXXX"}`) // caller changes its slice after the call
	got, _ := s.Get(ctx, "achievement", "a1")
	if string(got.Body) != `{"t":"原文"}` {
		t.Fatalf("store aliased the caller's body: got %s", got.Body)
	}
	got.Body[2] = 'X' // caller changes what it got
	again, _ := s.Get(ctx, "achievement", "a1")
	if string(again.Body) != `{"t":"原文"}` {
		t.Fatalf("store handed out its own body: got %s", again.Body)
	}
	list, _ := s.List(ctx, driver.Query{Kind: "achievement"})
	list[0].Body[2] = 'Y'
	again, _ = s.Get(ctx, "achievement", "a1")
	if string(again.Body) != `{"t":"原文"}` {
		t.Fatalf("List handed out the store's body: got %s", again.Body)
	}
}

// Money and Chinese text survive a round trip exactly.
func testRoundTrip(t *testing.T, s driver.Store) {
	ctx := context.Background()
	type doc struct {
		Title string          `json:"title"`
		Price decimal.Decimal `json:"price"`
		Tiny  decimal.Decimal `json:"tiny"`
	}
	in := doc{
		Title: "基于深度学习的新生儿黄疸无创检测方法——𠮷野家测试 ✓ \"quoted\" \\ back",
		Price: decimal.RequireFromString("415000000.01"),
		Tiny:  decimal.RequireFromString("0.1234567890123456789"),
	}
	body, _ := json.Marshal(in)
	r := rec("achievement", "中文ID-1")
	r.Body = body
	r.Broker, r.Stage, r.Key = "海洋技术", "已挂牌", "键"
	create(t, s, r)
	got, err := s.Get(ctx, "achievement", "中文ID-1")
	if err != nil {
		t.Fatal(err)
	}
	var out doc
	if err := json.Unmarshal(got.Body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Title != in.Title || !out.Price.Equal(in.Price) || out.Price.String() != "415000000.01" || !out.Tiny.Equal(in.Tiny) {
		t.Errorf("round trip: got %+v, want %+v", out, in)
	}
	if got.Broker != "海洋技术" || got.Stage != "已挂牌" || got.Key != "键" {
		t.Errorf("indexed fields: got %q %q %q", got.Broker, got.Stage, got.Key)
	}
}

func testTimePrecision(t *testing.T, s driver.Store) {
	r := rec("achievement", "a1")
	r.Created = time.Date(2021, 4, 1, 23, 59, 59, 999999000, time.UTC)
	r.Updated = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	create(t, s, r)
	got, _ := s.Get(context.Background(), "achievement", "a1")
	if !got.Created.Equal(r.Created) || !got.Updated.Equal(r.Updated) {
		t.Errorf("times: got %v %v, want %v %v", got.Created, got.Updated, r.Created, r.Updated)
	}
	if got.Created.Location() != time.UTC {
		t.Errorf("location: got %v, want UTC", got.Created.Location())
	}
	if got.Updated.Nanosecond() != 6000 {
		t.Errorf("microseconds lost: got %d ns", got.Updated.Nanosecond())
	}
}

func testPaging(t *testing.T, s driver.Store) {
	ctx := context.Background()
	var recs []driver.Record
	for i := 0; i < 57; i++ {
		r := rec("achievement", fmt.Sprintf("a%03d", (i*37)%57)) // created out of order
		r.Broker = []string{"marine-tech", "info-eng", "pediatrics"}[i%3]
		r.Stage = []string{"listed", "collected"}[i%2]
		r.Updated = t0.Add(time.Duration(i) * time.Minute)
		recs = append(recs, r)
	}
	create(t, s, recs...)
	create(t, s, rec("demand", "d1"))

	want := map[string]driver.Record{}
	for _, r := range recs {
		want[r.ID] = r
	}
	for _, q := range []driver.Query{
		{Kind: "achievement"},
		{Kind: "achievement", Broker: "info-eng"},
		{Kind: "achievement", Stage: "listed"},
		{Kind: "achievement", Broker: "marine-tech", Stage: "collected"},
		{Kind: "achievement", UpdatedBefore: t0.Add(20 * time.Minute)},
	} {
		var expect []string
		for id := 0; id < 57; id++ {
			r := want[fmt.Sprintf("a%03d", id)]
			if (q.Broker == "" || r.Broker == q.Broker) && (q.Stage == "" || r.Stage == q.Stage) &&
				(q.UpdatedBefore.IsZero() || r.Updated.Before(q.UpdatedBefore)) {
				expect = append(expect, r.ID)
			}
		}
		for _, size := range []int{1, 5, 10, 100} {
			var got []string
			qq := q
			qq.Limit = size
			for page := 0; page < 100; page++ {
				rs, err := s.List(ctx, qq)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rs {
					got = append(got, r.ID)
				}
				if len(rs) < size {
					break
				}
				qq.After = rs[len(rs)-1].ID
			}
			if d := cmp.Diff(expect, got); d != "" {
				t.Errorf("query %+v, page size %d (-want +got):\n%s", q, size, d)
			}
		}
	}
	rs, _ := s.List(ctx, driver.Query{Kind: "demand"})
	if len(rs) != 1 {
		t.Errorf("kinds are separate: got %d demands, want 1", len(rs))
	}
}

func testCancelled(t *testing.T, s driver.Store) {
	create(t, s, rec("achievement", "a1"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, "achievement", "a1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get: got %v, want context.Canceled", err)
	}
	if _, err := s.List(ctx, driver.Query{Kind: "achievement"}); !errors.Is(err, context.Canceled) {
		t.Errorf("List: got %v, want context.Canceled", err)
	}
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error { return tx.Create(ctx, rec("achievement", "a2")) })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update: got %v, want context.Canceled", err)
	}
	if _, err := s.Get(context.Background(), "achievement", "a2"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("a cancelled Update wrote: got %v, want ErrNotFound", err)
	}
}

// 8 goroutines × 200 read-increment-write cycles on one record: every
// increment must land (conflicts are retried), none may be lost.
func testConcurrent(t *testing.T, s driver.Store) {
	const workers, perWorker = 8, 200
	n := perWorker
	if testing.Short() {
		n = 50
	}
	ctx := context.Background()
	create(t, s, rec("achievement", "counter"))
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	var mu sync.Mutex
	conflicts := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				for {
					cur, err := s.Get(ctx, "achievement", "counter")
					if err != nil {
						errc <- err
						return
					}
					var d struct{ N int }
					if err := json.Unmarshal(cur.Body, &d); err != nil {
						errc <- err
						return
					}
					d.N++
					cur.Body, _ = json.Marshal(map[string]int{"n": d.N})
					_, err = replace(s, cur)
					if errors.Is(err, driver.ErrStale) {
						mu.Lock()
						conflicts++
						mu.Unlock()
						continue
					}
					if err != nil {
						errc <- err
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, "achievement", "counter")
	var d struct{ N int }
	_ = json.Unmarshal(got.Body, &d)
	if d.N != workers*n || got.Version != int64(workers*n+1) {
		t.Errorf("lost updates: counter %d version %d, want %d and %d (%d conflicts retried)", d.N, got.Version, workers*n, workers*n+1, conflicts)
	}
}

func testAtomic(t *testing.T, s driver.Store) {
	ctx := context.Background()
	create(t, s, rec("listing", "l1"), rec("case", "c1"))
	boom := errors.New("boom")
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		l, _ := tx.Get(ctx, "listing", "l1")
		l.Stage = "closed"
		if _, err := tx.Replace(ctx, l); err != nil {
			return err
		}
		if err := tx.Create(ctx, rec("deal", "d1")); err != nil {
			return err
		}
		if err := tx.Append(ctx, driver.Event{Kind: "deal", RecordID: "d1", Type: "created", Time: t0}); err != nil {
			return err
		}
		return boom // the case move fails: nothing may be kept
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: got %v, want boom", err)
	}
	l, _ := s.Get(ctx, "listing", "l1")
	if l.Stage != "" || l.Version != 1 {
		t.Errorf("listing changed by a failed transaction: stage %q version %d", l.Stage, l.Version)
	}
	if _, err := s.Get(ctx, "deal", "d1"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("deal created by a failed transaction: %v", err)
	}
	evs, _ := s.Events(ctx, driver.EventQuery{Kind: "deal"})
	if len(evs) != 0 {
		t.Errorf("events kept from a failed transaction: %d", len(evs))
	}
	// A failing write inside the transaction also aborts it.
	err = driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		if err := tx.Create(ctx, rec("deal", "d2")); err != nil {
			return err
		}
		return tx.Create(ctx, rec("listing", "l1")) // duplicate
	})
	if !errors.Is(err, driver.ErrExists) {
		t.Fatalf("got %v, want ErrExists", err)
	}
	if _, err := s.Get(ctx, "deal", "d2"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("deal d2 kept after the transaction failed: %v", err)
	}
}

func testReadOwnWrites(t *testing.T, s driver.Store) {
	ctx := context.Background()
	create(t, s, rec("case", "c0"))
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		r := rec("case", "c1")
		r.Key = "k"
		if err := tx.Create(ctx, r); err != nil {
			return err
		}
		got, err := tx.Get(ctx, "case", "c1")
		if err != nil || got.Version != 1 {
			return fmt.Errorf("tx.Get of its own write: %v version %d", err, got.Version)
		}
		got.Stage = "screened"
		if v, err := tx.Replace(ctx, got); err != nil || v != 2 {
			return fmt.Errorf("tx.Replace of its own write: %d %v", v, err)
		}
		list, err := tx.List(ctx, driver.Query{Kind: "case"})
		if err != nil || len(list) != 2 || list[1].Stage != "screened" {
			return fmt.Errorf("tx.List: %v %+v", err, list)
		}
		byKey, err := tx.List(ctx, driver.Query{Kind: "case", Key: "k"})
		if err != nil || len(byKey) != 1 {
			return fmt.Errorf("tx.List by key: %v %d", err, len(byKey))
		}
		return tx.Delete(ctx, "case", "c0", 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "case", "c0"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("delete in tx not committed: %v", err)
	}
}

func testEvents(t *testing.T, s driver.Store) {
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
			id := fmt.Sprintf("c%d", i%3)
			return tx.Append(ctx, driver.Event{Kind: "case", RecordID: id, Type: fmt.Sprintf("e%02d", i), Actor: "张三", Time: t0.Add(time.Duration(i) * time.Second), Body: []byte(`{"reason":"补充材料"}`)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Events(ctx, driver.EventQuery{})
	if err != nil || len(all) != 30 {
		t.Fatalf("all events: got %d, %v", len(all), err)
	}
	for i, e := range all {
		if e.Type != fmt.Sprintf("e%02d", i) || (i > 0 && e.Seq <= all[i-1].Seq) {
			t.Fatalf("event %d: got %+v (not in order)", i, e)
		}
		if e.Actor != "张三" || !e.Time.Equal(t0.Add(time.Duration(i)*time.Second)) || string(e.Body) != `{"reason":"补充材料"}` {
			t.Fatalf("event %d fields: got %+v", i, e)
		}
	}
	one, _ := s.Events(ctx, driver.EventQuery{Kind: "case", RecordID: "c1"})
	if len(one) != 10 || one[0].Type != "e01" || one[9].Type != "e28" {
		t.Errorf("events of c1: got %d", len(one))
	}
	after, _ := s.Events(ctx, driver.EventQuery{AfterSeq: all[24].Seq, Limit: 3})
	if len(after) != 3 || after[0].Seq != all[25].Seq {
		t.Errorf("events after seq: got %+v", after)
	}
}

func testBulk(t *testing.T, s driver.Store) {
	ctx := context.Background()
	var recs []driver.Record
	var evs []driver.Event
	for i := 0; i < 500; i++ {
		r := rec("achievement", fmt.Sprintf("b%04d", i))
		r.Key = fmt.Sprintf("k%d", i%10)
		recs = append(recs, r)
		evs = append(evs, driver.Event{Kind: "achievement", RecordID: r.ID, Type: "imported", Time: t0})
	}
	bulk := func(recs []driver.Record, evs []driver.Event) error {
		if sc, ok := s.(driver.StreamCreator); ok { // a stream of one batch
			return sc.CreateStream(ctx, func(yield func(driver.Batch, error) bool) {
				yield(driver.Batch{Records: recs, Events: evs}, nil)
			})
		}
		return driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
			for _, r := range recs {
				if err := tx.Create(ctx, r); err != nil {
					return err
				}
			}
			for _, e := range evs {
				if err := tx.Append(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := bulk(recs, evs); err != nil {
		t.Fatal(err)
	}
	byKey, _ := s.List(ctx, driver.Query{Kind: "achievement", Key: "k3"})
	if len(byKey) != 50 {
		t.Errorf("by key: got %d, want 50", len(byKey))
	}
	// A bulk create with one clash writes nothing.
	more := []driver.Record{rec("achievement", "z1"), rec("achievement", "b0001")}
	if err := bulk(more, nil); !errors.Is(err, driver.ErrExists) {
		t.Fatalf("bulk with duplicate: got %v, want ErrExists", err)
	}
	if _, err := s.Get(ctx, "achievement", "z1"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("bulk with duplicate kept z1: %v", err)
	}
	all, _ := s.Events(ctx, driver.EventQuery{Kind: "achievement"})
	if len(all) != 500 {
		t.Errorf("events: got %d, want 500", len(all))
	}
}

func testDelete(t *testing.T, s driver.Store) {
	ctx := context.Background()
	r := rec("achievement", "a1")
	r.Key = "k"
	create(t, s, r)
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error { return tx.Delete(ctx, "achievement", "a1", 1) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "achievement", "a1"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if l, _ := s.List(ctx, driver.Query{Kind: "achievement", Key: "k"}); len(l) != 0 {
		t.Errorf("key index kept a deleted record")
	}
	create(t, s, r) // the ID can be used again
}

// testService runs package broker's System over the store.
func testService(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := broker.New(s, &broker.Options{NewID: broker.SequentialIDs(), Clock: func() time.Time { return t0 }})
	admin := broker.PlatformAdmin("admin")
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{
		Title: "  一种ＡＩ辅助的海水养殖投喂系统 ", Keywords: []string{"养殖", "AI", "养殖", "ai"},
		AskingPrice: decimal.RequireFromString("1500000.00"),
		Inventors:   []broker.Inventor{{Name: "王海", Share: decimal.NewFromInt(60)}, {Name: "李渔", Share: decimal.NewFromInt(40)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "一种AI辅助的海水养殖投喂系统" || len(a.Keywords) != 2 || a.Version != 1 {
		t.Errorf("normalized create: got %q %v v%d", a.Title, a.Keywords, a.Version)
	}
	got, err := sys.Achievements.Get(ctx, admin, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, got, cmp.Comparer(func(x, y decimal.Decimal) bool { return x.Equal(y) })); d != "" {
		t.Errorf("get after create (-want +got):\n%s", d)
	}
	got.Summary = "投喂精度提升"
	upd, err := sys.Achievements.Update(ctx, admin, got)
	if err != nil || upd.Version != 2 {
		t.Fatalf("update: %v v%d", err, upd.Version)
	}
	if _, err := sys.Achievements.Update(ctx, admin, got); !errors.Is(err, broker.ErrStale) {
		t.Errorf("stale update: got %v, want ErrStale", err)
	}
	_, err = sys.Achievements.Create(ctx, admin, broker.Achievement{AskingPrice: decimal.NewFromInt(-1)})
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, broker.ErrInvalid) || len(ve.Fields) != 2 {
		t.Errorf("bad create: got %v, want a ValidationError on title and asking_price", err)
	}
	if evs, _ := sys.Events(ctx, admin, broker.KindAchievement, a.ID); len(evs) != 2 || evs[0].Type != "created" || evs[1].Type != "updated" {
		t.Errorf("events: got %+v", evs)
	}
}

func testImport(t *testing.T, s driver.Store) {
	ctx := context.Background()
	sys := broker.New(s, &broker.Options{NewID: broker.SequentialIDs(), Clock: func() time.Time { return t0 }})
	admin := broker.PlatformAdmin("admin")
	csvText := "title,owner,asking_price,keywords\n" +
		"海洋微藻固碳技术,上海海洋大学,120万元,微藻;固碳\n" +
		",复旦大学,-5,\n" +
		"海洋微藻固碳技术,上海海洋大学,,藻类\n"
	rep, err := sys.Achievements.Import(ctx, admin, strings.NewReader(csvText), broker.ImportOptions{})
	if !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("import with a bad row: got %v, want ErrInvalid", err)
	}
	if len(rep.Errors) != 2 || rep.Errors[0].Row != 3 {
		t.Errorf("errors: got %+v, want title and asking_price on row 3", rep.Errors)
	}
	if l, _ := sys.Achievements.List(ctx, admin, broker.ListOptions{}); len(l.Items) != 0 {
		t.Fatalf("a failed import wrote %d records", len(l.Items))
	}
	rep, err = sys.Achievements.Import(ctx, admin, strings.NewReader(csvText), broker.ImportOptions{Partial: true, OnDuplicate: broker.DuplicateMerge})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != 1 || len(rep.Errors) != 2 {
		t.Errorf("partial import: got %d created, %d errors", len(rep.Created), len(rep.Errors))
	}
	a, err := sys.Achievements.Get(ctx, admin, rep.Created[0])
	if err != nil {
		t.Fatal(err)
	}
	if !a.AskingPrice.Equal(decimal.NewFromInt(1200000)) || len(a.Keywords) != 3 {
		t.Errorf("merged row: price %v keywords %v", a.AskingPrice, a.Keywords)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"title":"海洋微藻固碳技术","owner":"上海海洋大学"}` + "\n")
	rep, err = sys.Achievements.Import(ctx, admin, &buf, broker.ImportOptions{Format: broker.JSONLines})
	if err != nil || len(rep.Duplicates) != 1 || rep.Duplicates[0].Of != a.ID {
		t.Errorf("duplicate of a stored record: %v %+v", err, rep)
	}
}

// testFindKeys checks driver.KeyFinder, when the store has it, against List.
func testFindKeys(t *testing.T, s driver.Store) {
	kf, ok := s.(driver.KeyFinder)
	if !ok {
		t.Skip("store does not implement driver.KeyFinder; imports fall back to List")
	}
	var recs []driver.Record
	for i := 0; i < 1200; i++ {
		r := rec("achievement", fmt.Sprintf("r%04d", 1199-i))
		r.Key = fmt.Sprintf("k%03d", i%600) // each key held by two records
		recs = append(recs, r)
	}
	other := rec("demand", "d1")
	other.Key = "k000"
	create(t, s, append(recs, other)...)
	keys := []string{"nope"}
	for i := 0; i < 700; i += 3 {
		keys = append(keys, fmt.Sprintf("k%03d", i))
	}
	got, err := kf.FindKeys(context.Background(), "achievement", keys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, k := range keys {
		l, err := s.List(context.Background(), driver.Query{Kind: "achievement", Key: k, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(l) > 0 {
			want[k] = l[0].ID
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("FindKeys (-List +FindKeys):\n%s", d)
	}
}

// testCancelInsideTx: a context cancelled in the middle of a transaction
// aborts it; the error matches context.Canceled and nothing is kept.
func testCancelInsideTx(t *testing.T, s driver.Store) {
	for _, afterCancel := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
			if err := tx.Create(ctx, rec("achievement", "a1")); err != nil {
				return err
			}
			cancel()
			if afterCancel {
				return tx.Create(ctx, rec("achievement", "a2"))
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("write after cancel %v: got %v, want context.Canceled", afterCancel, err)
		}
		if _, err := s.Get(context.Background(), "achievement", "a1"); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("write after cancel %v: a1 kept (%v)", afterCancel, err)
		}
	}
}

// testIgnoredWriteError: a failed write aborts the transaction even when fn
// ignores its error (the driver contract).
func testIgnoredWriteError(t *testing.T, s driver.Store) {
	ctx := context.Background()
	create(t, s, rec("achievement", "a1"))
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		_ = tx.Create(ctx, rec("achievement", "a2"))
		_ = tx.Create(ctx, rec("achievement", "a1")) // duplicate, error ignored
		return nil
	})
	if !errors.Is(err, driver.ErrExists) {
		t.Errorf("Update: got %v, want ErrExists", err)
	}
	if _, err := s.Get(ctx, "achievement", "a2"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("a2 kept: got %v, want ErrNotFound", err)
	}
}

// countAll returns the number of records of kind and of all events.
func countAll(t *testing.T, s driver.Store, kind string) (recs, evs int) {
	t.Helper()
	l, err := s.List(context.Background(), driver.Query{Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Events(context.Background(), driver.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return len(l), len(e)
}

// testFailedWritePoisons: after any write fails, every later call of the
// transaction returns that first error, and the transaction keeps nothing
// and reports that error even though fn ignored it and returned nil.
func testFailedWritePoisons(t *testing.T, open func(*testing.T) driver.Store) {
	stale := rec("achievement", "a1")
	stale.Version = 7
	missing := rec("achievement", "nope")
	missing.Version = 1
	noID := rec("achievement", "")
	for _, tc := range []struct {
		name  string
		write func(ctx context.Context, tx driver.Tx) error
		want  error // nil: any error
	}{
		{"DuplicateCreate", func(ctx context.Context, tx driver.Tx) error { return tx.Create(ctx, rec("achievement", "a1")) }, driver.ErrExists},
		{"CreateWithoutID", func(ctx context.Context, tx driver.Tx) error { return tx.Create(ctx, noID) }, nil},
		{"StaleReplace", func(ctx context.Context, tx driver.Tx) error { _, err := tx.Replace(ctx, stale); return err }, driver.ErrStale},
		{"ReplaceMissing", func(ctx context.Context, tx driver.Tx) error { _, err := tx.Replace(ctx, missing); return err }, driver.ErrNotFound},
		{"StaleDelete", func(ctx context.Context, tx driver.Tx) error { return tx.Delete(ctx, "achievement", "a1", 2) }, driver.ErrStale},
		{"DeleteMissing", func(ctx context.Context, tx driver.Tx) error { return tx.Delete(ctx, "achievement", "nope", 1) }, driver.ErrNotFound},
		{"AppendWithoutType", func(ctx context.Context, tx driver.Tx) error {
			return tx.Append(ctx, driver.Event{Kind: "achievement", RecordID: "a1", Time: t0})
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			create(t, s, rec("achievement", "a1"))
			var first error
			var later []error
			err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
				if err := tx.Create(ctx, rec("achievement", "a2")); err != nil {
					return err
				}
				if err := tx.Append(ctx, driver.Event{Kind: "achievement", RecordID: "a2", Type: "created", Time: t0}); err != nil {
					return err
				}
				first = tc.write(ctx, tx)
				_, err := tx.Get(ctx, "achievement", "a1")
				later = append(later, err)
				_, err = tx.List(ctx, driver.Query{Kind: "achievement"})
				later = append(later, err)
				later = append(later, tx.Create(ctx, rec("achievement", "a3")))
				return nil // the errors are ignored
			})
			if first == nil || (tc.want != nil && !errors.Is(first, tc.want)) {
				t.Fatalf("the failing write: got %v, want %v", first, tc.want)
			}
			for i, err := range later {
				if err != first {
					t.Errorf("call %d after the failed write: got %v, want the first error (%v)", i, err, first)
				}
			}
			if err != first {
				t.Errorf("Update: got %v, want the first error (%v)", err, first)
			}
			if r, e := countAll(t, s, "achievement"); r != 1 || e != 0 {
				t.Errorf("after the poisoned transaction: %d records and %d events, want 1 and 0", r, e)
			}
		})
	}
}

// testContextEachCall: each call of a transaction checks its own context.
// A read with a done context fails and leaves the transaction usable; a
// write with one fails and poisons it.
func testContextEachCall(t *testing.T, s driver.Store) {
	bg := context.Background()
	create(t, s, rec("achievement", "a1"))
	done, cancel := context.WithCancel(bg)
	cancel()
	err := driver.Update(bg, s, func(_ context.Context, tx driver.Tx) error {
		if _, err := tx.Get(done, "achievement", "a1"); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("tx.Get with a cancelled context: got %v, want context.Canceled", err)
		}
		if _, err := tx.List(done, driver.Query{Kind: "achievement"}); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("tx.List with a cancelled context: got %v, want context.Canceled", err)
		}
		if _, err := tx.Get(bg, "achievement", "a1"); err != nil {
			return fmt.Errorf("tx.Get after a cancelled read: got %v, want the record", err)
		}
		return tx.Create(bg, rec("achievement", "a2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = driver.Update(bg, s, func(_ context.Context, tx driver.Tx) error {
		if err := tx.Create(bg, rec("achievement", "a3")); err != nil {
			return err
		}
		_ = tx.Append(done, driver.Event{Kind: "achievement", RecordID: "a3", Type: "created", Time: t0}) // ignored
		if _, err := tx.Get(bg, "achievement", "a1"); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("tx.Get after a cancelled write: got %v, want context.Canceled", err)
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update after a cancelled write: got %v, want context.Canceled", err)
	}
	if r, e := countAll(t, s, "achievement"); r != 2 || e != 0 {
		t.Errorf("got %d records and %d events, want a1 and a2 only", r, e)
	}
}

// testPanic: a panic in fn rolls the transaction back and goes on to the
// caller; the store is usable afterwards (its write lock or connection was
// given back).
func testPanic(t *testing.T, s driver.Store) {
	ctx := context.Background()
	type boom struct{}
	func() {
		defer func() {
			if p := recover(); p != (boom{}) {
				t.Errorf("recovered %v, want the panic of fn", p)
			}
		}()
		_ = driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
			if err := tx.Create(ctx, rec("achievement", "a1")); err != nil {
				return err
			}
			if err := tx.Append(ctx, driver.Event{Kind: "achievement", RecordID: "a1", Type: "created", Time: t0}); err != nil {
				return err
			}
			panic(boom{})
		})
		t.Error("Update returned after fn panicked")
	}()
	// A store that kept its lock would block here: fail with a message
	// rather than at the test binary's timeout.
	errc := make(chan error, 1)
	go func() {
		errc <- driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
			return tx.Create(ctx, rec("achievement", "a2"))
		})
	}()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("no transaction could start after a panic in one (the store kept its lock)")
	}
	if _, err := s.Get(ctx, "achievement", "a1"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("a1 from the panicked transaction: got %v, want ErrNotFound", err)
	}
	if r, e := countAll(t, s, "achievement"); r != 1 || e != 0 {
		t.Errorf("got %d records and %d events, want a2 only", r, e)
	}
}

// testUseAfterEnd: a Tx kept past the end of its transaction, committed or
// rolled back, refuses every call with ErrTxDone and writes nothing.
func testUseAfterEnd(t *testing.T, s driver.Store) {
	ctx := context.Background()
	create(t, s, rec("achievement", "a1"))
	for _, fail := range []bool{false, true} {
		var kept driver.Tx
		_ = driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
			kept = tx
			if fail {
				return errors.New("roll back")
			}
			return nil
		})
		a1 := rec("achievement", "a1")
		a1.Version = 1
		calls := map[string]error{}
		_, calls["Get"] = kept.Get(ctx, "achievement", "a1")
		_, calls["List"] = kept.List(ctx, driver.Query{Kind: "achievement"})
		calls["Create"] = kept.Create(ctx, rec("achievement", "late"))
		_, calls["Replace"] = kept.Replace(ctx, a1)
		calls["Delete"] = kept.Delete(ctx, "achievement", "a1", 1)
		calls["Append"] = kept.Append(ctx, driver.Event{Kind: "achievement", RecordID: "a1", Type: "late", Time: t0})
		for name, err := range calls {
			if !errors.Is(err, driver.ErrTxDone) {
				t.Errorf("rolled back %v: %s after the end: got %v, want ErrTxDone", fail, name, err)
			}
		}
	}
	got, err := s.Get(ctx, "achievement", "a1")
	if err != nil || got.Version != 1 {
		t.Errorf("a1: got version %d, %v; want 1, unchanged", got.Version, err)
	}
	if r, e := countAll(t, s, "achievement"); r != 1 || e != 0 {
		t.Errorf("got %d records and %d events, want a1 only", r, e)
	}
}

// testConcurrentCalls: goroutines share one transaction; every write lands
// (and, under -race, none races another inside the store).
func testConcurrentCalls(t *testing.T, s driver.Store) {
	const workers, each = 8, 25
	ctx := context.Background()
	err := driver.Update(ctx, s, func(ctx context.Context, tx driver.Tx) error {
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					id := fmt.Sprintf("w%d-%02d", w, i)
					if err := tx.Create(ctx, rec("achievement", id)); err != nil {
						errs[w] = err
						return
					}
					if err := tx.Append(ctx, driver.Event{Kind: "achievement", RecordID: id, Type: "created", Time: t0}); err != nil {
						errs[w] = err
						return
					}
					if _, err := tx.Get(ctx, "achievement", id); err != nil {
						errs[w] = err
						return
					}
				}
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, e := countAll(t, s, "achievement"); r != workers*each || e != workers*each {
		t.Errorf("got %d records and %d events, want %d of each", r, e, workers*each)
	}
}
