// Command yangpu runs the Yangpu 3+3+N technology-broker model end to end
// on a simulated clock that follows the source article's dates, from the
// opening of the Shanghai Technology Exchange (2020-10-28) through the two
// years 2021–2022 of the seven model rooms (样板间), on data from a seeded
// generator:
//
//	go run ./examples/yangpu                         # in memory, default seed and scale
//	go run ./examples/yangpu -json                   # one JSON object of the figures on stdout
//	go run ./examples/yangpu -seed 7 -lang en -out out/yangpu
//	go run ./examples/yangpu -store sqlite:yangpu.db # persist (a fresh file)
//	go run ./examples/yangpu -store postgres://user@host/db
//
// It builds the whole model from the Yangpu blueprint (package
// broker/blueprint: rooms, partners, packages, societies, staff roles,
// scorecard, policy rules) on 2020-10-28, records the 2020 strategic
// agreement, opens the Taizhou workstation (2020-12), signs the intent
// agreements with Wuxi, Tongling and Jiaxing (2021-04) and holds the broker
// training (2021-05). Each year the rooms collect achievements and demands,
// route them, screen them through the expert think tank's review panels
// (planned, invited, scored blind, locked, decided: package broker/review),
// value them (income approach, signed valuation reports), cultivate and
// promote them, match demands to them, hold roadshows whose leads open
// cases that move through the demand loop, list the best on the exchange
// (the exchange operator posts the 公示 and confirms deposits), close
// deals, record companies' declines, and incubate spin-offs; the
// workstation forwards Taizhou's offers and requests. The 科协 then reads
// every room's figures and scores them with the model's scorecard; the
// report goes to -out as report.md (Chinese or English, -lang), report.html
// and the charts as SVG files.
//
// The figures come from the records the run writes (the exchange's ledger
// for listings and deals); the generator's rates per room are calibrated so
// that the default run reproduces the article's outcome: 45 listings and
// more than 4.15亿元 of deals in 2021–2022. The clock is simulated and IDs
// are sequential, so the same seed and scale give the same output.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

func main() {
	var cfg config
	flag.Uint64Var(&cfg.Seed, "seed", 2021, "seed of the data generator")
	flag.Float64Var(&cfg.Scale, "scale", 1, "size of the generated data (1: the calibrated rates, about 8 achievements and 4 demands per room and year)")
	flag.StringVar(&cfg.Store, "store", "mem:", "store URL: mem:, sqlite:PATH or postgres://…")
	flag.StringVar(&cfg.Out, "out", "out/yangpu", "directory for report.md, report.html and the charts (empty: write no files)")
	flag.StringVar(&cfg.Lang, "lang", "zh", "language of report.md: zh or en")
	flag.BoolVar(&cfg.JSON, "json", false, "print one JSON object of the figures on stdout (the narrative goes to stderr)")
	flag.Parse()
	start := time.Now()
	var narrative io.Writer = os.Stdout
	if cfg.JSON {
		narrative = os.Stderr
	}
	res, err := run(context.Background(), narrative, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "yangpu:", err)
		os.Exit(1)
	}
	if cfg.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res.Figures); err != nil {
			fmt.Fprintln(os.Stderr, "yangpu:", err)
			os.Exit(1)
		}
	}
	fmt.Fprintf(os.Stderr, "done in %.1f s\n", time.Since(start).Seconds())
}

// config holds the command's flags.
type config struct {
	Seed  uint64
	Scale float64
	Store string
	Out   string
	Lang  string
	JSON  bool
}

// clock is the simulated clock the Systems read.
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
