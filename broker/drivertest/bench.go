package drivertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/exchange"
)

// BenchHarness makes a new, empty store for one benchmark.
type BenchHarness func(b *testing.B) driver.Store

// RunBenchmarks runs the storage benchmarks against stores made by
// newStore: Import (100k generated achievements through broker's CSV
// import, validation and normalization included; 10k under -short),
// CreateStream10k (the adapter alone: one batch of 10k records), Bid16
// (16 concurrent bidders on one auction), CaseTransition,
// ReviewPlanInvite100x5 (expert review: plan and invite 100 panels of 5
// from 2,000 qualified experts), Get,
// ListPage and ConflictingWriters (8 goroutines on 2 records, checking that
// no successful write is lost).
func RunBenchmarks(b *testing.B, newStore BenchHarness) {
	open := func(b *testing.B) driver.Store {
		s := newStore(b)
		b.Cleanup(func() { _ = s.Close() })
		return s
	}
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	data := GenerateAchievementsCSV(n, 1)
	b.Run(fmt.Sprintf("Import%d", n), func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s := open(b)
			sys := broker.New(s, nil)
			b.StartTimer()
			rep, err := sys.Achievements.Import(context.Background(), broker.PlatformAdmin("bench"), bytes.NewReader(data), broker.ImportOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if len(rep.Created) != n {
				b.Fatalf("created %d, want %d", len(rep.Created), n)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})

	b.Run("CreateStream10k", func(b *testing.B) { benchCreateStream(b, open) })
	b.Run("Bid16", func(b *testing.B) { benchBids(b, open) })
	b.Run("CaseTransition", func(b *testing.B) { benchCaseTransition(b, open) })
	b.Run("ReviewPlanInvite100x5", func(b *testing.B) { benchReviewPlan(b, open) })

	s := open(b)
	sys := broker.New(s, nil)
	ctx := context.Background()
	admin := broker.PlatformAdmin("bench")
	rep, err := sys.Achievements.Import(ctx, admin, bytes.NewReader(GenerateAchievementsCSV(10_000, 2)), broker.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ids := rep.Created
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := sys.Achievements.Get(ctx, admin, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetParallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := sys.Achievements.Get(ctx, admin, ids[i%len(ids)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
	b.Run("ListPage50ByBroker", func(b *testing.B) {
		b.ReportAllocs()
		cursor := ""
		for i := 0; i < b.N; i++ {
			p, err := sys.Achievements.List(ctx, admin, broker.ListOptions{Broker: "marine-tech", Limit: 50, Cursor: cursor})
			if err != nil {
				b.Fatal(err)
			}
			cursor = p.Next
		}
	})
	b.Run("ConflictingWriters8", func(b *testing.B) {
		// 8 goroutines (on 2 cores) share 2 records, so writers really
		// conflict; every successful Modify must show in the final version.
		b.ReportAllocs()
		hot := ids[:2]
		start := map[string]int64{}
		for _, id := range hot {
			a, err := sys.Achievements.Get(ctx, admin, id)
			if err != nil {
				b.Fatal(err)
			}
			start[id] = a.Version
		}
		var mu sync.Mutex
		gaveUp := 0
		done := map[string]int64{}
		b.SetParallelism(4) // 2 cores × 4 = 8 goroutines
		var next int
		b.RunParallel(func(pb *testing.PB) {
			mu.Lock()
			id := hot[next%len(hot)]
			next++
			mu.Unlock()
			for pb.Next() {
				_, err := sys.Achievements.Modify(ctx, admin, id, func(a *broker.Achievement) error {
					a.Readiness.Evidence = []string{fmt.Sprint(a.Version)}
					return nil
				})
				if errors.Is(err, broker.ErrConflict) { // still conflicting after Modify's retries
					mu.Lock()
					gaveUp++
					mu.Unlock()
					continue
				}
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				done[id]++
				mu.Unlock()
			}
		})
		for _, id := range hot {
			a, err := sys.Achievements.Get(ctx, admin, id)
			if err != nil {
				b.Fatal(err)
			}
			if a.Version != start[id]+done[id] {
				b.Errorf("lost updates on %s: version %d, want %d + %d successful writes", id, a.Version, start[id], done[id])
			}
		}
		b.ReportMetric(float64(gaveUp), "gave-up")
	})
}

var (
	genTopics = []struct{ broker, subject, owner string }{
		{"info-eng", "面向边缘计算的轻量化图像识别", "复旦大学"},
		{"smart-design", "基于参数化建模的装配式建筑设计", "同济大学"},
		{"marine-tech", "深远海养殖网箱水质在线监测", "上海海洋大学"},
		{"pediatrics", "新生儿黄疸无创经皮检测", "上海交通大学医学院附属新华医院"},
		{"green-printing", "水性油墨低VOCs柔版印刷", "上海出版印刷高等专科学校"},
		{"indoor-air", "室内甲醛光催化降解净化", "上海市室内环境净化行业协会"},
		{"mech-digital", "数控机床主轴故障智能诊断", "上海理工大学"},
	}
	genForms = []string{"方法", "系统", "装置", "工艺", "平台", "材料"}
)

// GenerateAchievementsCSV returns a CSV of n valid, distinct achievements in
// the import format, deterministic for a seed.
func GenerateAchievementsCSV(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b strings.Builder
	b.Grow(n * 400)
	b.WriteString("title,summary,abstract,keywords,owner,broker,inventors,readiness_scale,readiness_level,transfer_modes,asking_price\n")
	for i := 0; i < n; i++ {
		t := genTopics[r.IntN(len(genTopics))]
		form := genForms[r.IntN(len(genForms))]
		price := decimal.New(int64(r.IntN(50000)+100), 2) // 100.00 … 50099.00 × 100 yuan
		fmt.Fprintf(&b, "一种%s%s（编号%d）,%s的%s,本成果提出了一种%s%s，经实验验证性能稳定，可在相关企业推广应用。,%s;%s;技术转移,%s,%s,张伟:%d;李娜:%d,nasa-trl,%d,转让;许可,%s\n",
			t.subject, form, i, t.subject, form, t.subject, form, t.subject[:9], form, t.owner, t.broker,
			50, 30, 1+r.IntN(9), price.Mul(decimal.NewFromInt(100)).StringFixed(2))
	}
	return []byte(b.String())
}

// benchCreateStream measures the adapter alone: 10,000 records of about
// 1 KB and their events in one driver.StreamCreator call with one batch
// (skipped for stores without it).
func benchCreateStream(b *testing.B, open func(*testing.B) driver.Store) {
	const n = 10_000
	body := []byte(`{"title":"` + strings.Repeat("深远海养殖网箱水质在线监测", 20) + `","price":"415000000.01"}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := open(b)
		sc, ok := s.(driver.StreamCreator)
		if !ok {
			b.Skip("store does not implement driver.StreamCreator")
		}
		recs := make([]driver.Record, n)
		evs := make([]driver.Event, n)
		now := time.Now().UTC().Truncate(time.Microsecond)
		for j := range recs {
			recs[j] = driver.Record{Kind: "achievement", ID: fmt.Sprintf("ach-%08d", j), Broker: "marine-tech", Stage: "collected", Key: fmt.Sprintf("k%d", j), Created: now, Updated: now, Body: body}
			evs[j] = driver.Event{Kind: "achievement", RecordID: recs[j].ID, Type: "imported", Actor: "bench", Time: now}
		}
		b.StartTimer()
		err := sc.CreateStream(context.Background(), func(yield func(driver.Batch, error) bool) {
			yield(driver.Batch{Records: recs, Events: evs}, nil)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// benchBids: 16 bidders bid concurrently on one auction, each raising by
// one increment, so every bid is valid; it reports bids/s and checks that
// none is lost.
func benchBids(b *testing.B, open func(*testing.B) driver.Store) {
	const bidders = 16
	f := newExFixture(b, open(b))
	ctx := context.Background()
	l := f.listing(b, exchange.MethodBidding, "", 24*time.Hour)
	orgs := make([]string, bidders)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("竞买人%02d", i)
		if _, err := f.x.PayDeposit(ctx, f.op, l.ID, orgs[i], decimal.NewFromInt(100000), ""); err != nil {
			b.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, bidders)
	b.ResetTimer()
	for w := range bidders {
		n := b.N / bidders
		if w < b.N%bidders {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := broker.EnterpriseUser("u-"+orgs[w], orgs[w])
			for range n {
				if _, err := f.x.PlaceBid(ctx, p, l.ID, exchange.PlaceBid{Bidder: orgs[w], Raise: 1}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	st, err := f.x.Book(ctx, f.staff, l.ID)
	if err != nil || st.Bids != int64(b.N) {
		b.Fatalf("book: %d bids, %v; want %d", st.Bids, err, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bids/s")
}

// benchCaseTransition: one guarded stage change with its audit event, a
// case alternating between Promoting and Listed.
func benchCaseTransition(b *testing.B, open func(*testing.B) driver.Store) {
	f := newPlatformFixture(b, open(b))
	ctx := context.Background()
	c := f.drive(b, f.openCase(b), broker.StagePromoting)
	list := broker.CaseMove{To: broker.StageListed, ListingRef: "lst-000001", Evidence: []string{"挂牌公告"}}
	back := broker.CaseMove{To: broker.StagePromoting, Reason: "挂牌期满未成交"}
	b.ResetTimer()
	var err error
	for i := 0; i < b.N; i++ {
		mv := list
		if i%2 == 1 {
			mv = back
		}
		mv.Version = c.Version
		if c, err = f.sys.MoveCase(ctx, f.staff, c.ID, mv); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
}
