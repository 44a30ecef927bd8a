// Command yangpu runs the Yangpu 3+3+N technology-broker model end to end
// over two simulated years (2021–2022), on data from a seeded generator:
//
//	go run ./examples/yangpu                         # in memory, default scale
//	go run ./examples/yangpu -seed 7 -scale 2 -out out/yangpu
//	go run ./examples/yangpu -store sqlite:yangpu.db # persist (a fresh file)
//	go run ./examples/yangpu -store postgres://user@host/db
//
// It builds the system from the Yangpu blueprint (seven industry brokers, 样板间),
// docks academic societies that bring experts, then for each year collects
// achievements and enterprise demands, routes them to a room with a router
// trained on labelled examples, screens them with conflict-free expert panels
// (optimal assignment + panel evaluation), values them (income approach with
// 分成率), cultivates the immature ones, matches demands to achievements with
// explanations, holds a roadshow per room with registrations, 1:1 meetings
// and leads, lists results with the legal trading methods (协议定价 with a
// 15-day 公示, auctions with deposits and bids, 挂牌), closes deals with payment
// schedules, and starts incubations. It ends with the broker scorecard,
// ranking, grading and a district innovation index, written to -out as
// report.md and report.html with charts.
//
// The clock is simulated and IDs are sequential, so the output is the same for
// the same seed and scale.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/pgstore"
	"github.com/kexie/techbroker/broker/sqlitestore"
)

func main() {
	var cfg config
	flag.Uint64Var(&cfg.Seed, "seed", 2021, "seed of the data generator")
	flag.Float64Var(&cfg.Scale, "scale", 1, "size of the generated data (1: 20 achievements and 10 demands per room and year)")
	flag.StringVar(&cfg.Store, "store", "mem:", "store URL: mem:, sqlite:PATH or postgres://…")
	flag.StringVar(&cfg.Out, "out", "out/yangpu", "directory for report.md and report.html")
	flag.Parse()
	start := time.Now()
	if _, err := run(context.Background(), os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "yangpu:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "done in %.1f s\n", time.Since(start).Seconds())
}

// config holds the command's flags.
type config struct {
	Seed  uint64
	Scale float64
	Store string
	Out   string
}

// clock is the simulated clock the System reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// set moves the clock to t; it never moves back.
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, time.UTC) }

// openSystem opens the store named by url and builds the Yangpu system on it.
func openSystem(ctx context.Context, url string, clk *clock, admin broker.Principal) (*broker.System, error) {
	store, err := broker.OpenStore(ctx, url, memstore.Opener{}, sqlitestore.Opener{}, pgstore.Opener{})
	if err != nil {
		return nil, err
	}
	sys, err := broker.Build(ctx, store, broker.Yangpu(), admin, &broker.Options{Clock: clk.Now, NewID: broker.SequentialIDs()})
	if err != nil {
		store.Close()
		return nil, err
	}
	page, err := sys.Achievements.List(ctx, admin, broker.ListOptions{Limit: 1})
	if err != nil {
		sys.Close()
		return nil, err
	}
	if len(page.Items) > 0 {
		sys.Close()
		return nil, fmt.Errorf("store %s already holds achievements: give a fresh database", url)
	}
	return sys, nil
}

// progress prints "label i/n" every step items and at the end.
type progress struct {
	w     io.Writer
	label string
	n     int
	step  int
	i     int
}

func newProgress(w io.Writer, label string, n int) *progress {
	return &progress{w: w, label: label, n: n, step: max(1, n/4)}
}

func (p *progress) tick() {
	p.i++
	if p.i%p.step == 0 || p.i == p.n {
		fmt.Fprintf(p.w, "    %s %d/%d\n", p.label, p.i, p.n)
	}
}
