package exchange_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kexie/techbroker/broker/exchange"
)

// BenchmarkBid: 16 bidders bid concurrently on one auction (memstore), each
// raising by one increment, so every bid is valid. It reports bids/s, the
// process CPU time per bid (cpu-µs/bid, where the platform can measure it)
// and checks afterwards that every accepted bid is stored, numbered 1..n
// without gaps ("lost" must be 0).
func BenchmarkBid(b *testing.B) {
	const bidders = 16
	x, _ := newExchange(b)
	l := mustListing(b, x, sampleListing(exchange.MethodBidding), exStart.Add(30*exDay))
	orgs := make([]string, bidders)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("竞买人%02d", i)
	}
	payDeposits(b, x, l.ID, orgs...)
	var accepted atomic.Int64
	var failed atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	var wg sync.WaitGroup
	for w := 0; w < bidders; w++ {
		n := b.N / bidders
		if w < b.N%bidders {
			n++
		}
		wg.Add(1)
		go func(org string, n int) {
			defer wg.Done()
			p := enterprise(org)
			for i := 0; i < n; i++ {
				if _, err := x.PlaceBid(exCtx, p, l.ID, exchange.PlaceBid{Bidder: org, Raise: 1}); err != nil {
					failed.Store(err)
					return
				}
				accepted.Add(1)
			}
		}(orgs[w], n)
	}
	wg.Wait()
	b.StopTimer()
	cpu := processCPU() - cpu0
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(accepted.Load())/b.Elapsed().Seconds(), "bids/s")
	if cpu > 0 {
		// CPU time of the whole process (bidders, store, GC) per bid: on a
		// shared machine this, unlike bids/s, does not depend on the other
		// load. 1e6 / (this figure) is the rate one free core sustains.
		b.ReportMetric(float64(cpu.Microseconds())/float64(accepted.Load()), "cpu-µs/bid")
	}
	bids, err := x.ListBids(exCtx, exStaff, l.ID)
	if err != nil {
		b.Fatal(err)
	}
	lost := accepted.Load() - int64(len(bids))
	for i, bid := range bids {
		if bid.Seq != int64(i+1) {
			lost++
		}
	}
	b.ReportMetric(float64(lost), "lost")
	if lost != 0 || int(accepted.Load()) != b.N {
		b.Fatalf("accepted %d of %d bids, %d lost", accepted.Load(), b.N, lost)
	}
}
