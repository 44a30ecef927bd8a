// Command assignment assigns reviewers to papers (or experts to
// achievements) optimally with package matching/assign.
//
// It reads a long-format CSV file with the header reviewer,paper,score
// (or expert,item,score: the two are the same):
//
//	reviewer,paper,score
//	r1,p1,0.82
//	r1,p2,conflict
//	r2,p1,-inf
//
// Pairs that are not listed have affinity 0; a score of -inf or the word
// conflict forbids the pair. It prints the total affinity, the worst-served
// paper's total, the minimum and maximum reviewer load and the solve time:
//
//	go run ./examples/assignment -scores FILE.csv -cover 3 -max-load 4 [-min-load 2] [-fair] [-json]
//
// # The pool
//
// By default the pool is whoever appears in the scores file, and the
// program says so on stderr with the counts: a reviewer with no listed
// pair is then not in the pool, and no minimum load applies to them. To
// give the pool explicitly, pass
//
//   - -experts FILE, a CSV with the header expert,min_load,max_load
//     (reviewer is accepted for expert; the load columns may be left out,
//     and so may a row's values: -min-load and -max-load apply, and a row
//     giving only max_load gets min(-min-load, max_load) as its minimum);
//   - -items FILE, a CSV with the header item,cover (paper is accepted for
//     item; an empty or missing cover means -cover).
//
// The IDs are those of the scores file. Everyone listed is in the pool even
// with no scored pair; a scores row naming someone not listed is an error.
// Every bad row is reported with its file, row (the header is row 1),
// field and value.
//
// # Generated instances
//
// Without real data, generate a seeded random instance first:
//
//	go run ./examples/assignment -generate demo.csv -reviewers 200 -papers 400 -seed 1
//	go run ./examples/assignment -scores demo.csv -cover 3 -max-load 7
//
// The default generator (-shape topics) draws topic mixtures for reviewers
// and papers and scores a pair by their cosine plus noise (-density,
// -conflict-rate). The shapes of package matching/assign/assigntest are
// available too: -shape uniform, popular (-pop, the weight of expert
// popularity, 0.7 by default, and -alpha, its Pareto tail index; giving
// -pop alone implies this shape), clustered (-clusters) and conflicts
// (-institutions, -conflict-rate), each dense or with only every paper's
// -top k reviewers listed. The instance of issue 24:
//
//	go run ./examples/assignment -generate pop.csv -shape popular -reviewers 2840 -papers 5062 -top 100
//	go run ./examples/assignment -scores pop.csv -cover 3 -max-load 6
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/kexie/techbroker/matching/assign"
	"github.com/kexie/techbroker/matching/assign/assigntest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "assignment:", err)
		os.Exit(1)
	}
}

// summary is what the program reports; its JSON form is the -json output.
type summary struct {
	Total   float64 `json:"total"`
	MinItem float64 `json:"min_item"`
	MinLoad int     `json:"min_load"`
	MaxLoad int     `json:"max_load"`
	Seconds float64 `json:"seconds"`

	worstItem string
	items     int
	experts   int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("assignment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scores := fs.String("scores", "", "long-format CSV `file` with header reviewer,paper,score (or expert,item,score)")
	experts := fs.String("experts", "", "CSV `file` with header expert,min_load,max_load: the reviewer pool (loads optional)")
	items := fs.String("items", "", "CSV `file` with header item,cover: the paper pool (cover optional)")
	cover := fs.Int("cover", 3, "reviewers per paper")
	minLoad := fs.Int("min-load", 0, "minimum papers per reviewer")
	maxLoad := fs.Int("max-load", 4, "maximum papers per reviewer")
	fair := fs.Bool("fair", false, "maximize the smallest assigned affinity first, then the total")
	asJSON := fs.Bool("json", false, "print one JSON object")
	generate := fs.String("generate", "", "write a seeded random instance to `file` and exit")
	reviewers := fs.Int("reviewers", 100, "with -generate: number of reviewers")
	papers := fs.Int("papers", 200, "with -generate: number of papers")
	seed := fs.Uint64("seed", 1, "with -generate: random seed")
	shape := fs.String("shape", "topics", "with -generate: topics, uniform, popular, clustered or conflicts")
	conflicts := fs.Float64("conflict-rate", 0.01, "with -generate: fraction of pairs in conflict (shape topics; conflicts: of pairs across institutions, default 0.05)")
	density := fs.Float64("density", 1, "with -generate -shape topics: fraction of pairs listed (the rest have affinity 0)")
	pop := fs.Float64("pop", 0.7, "with -generate: weight of expert popularity in the affinity (implies -shape popular)")
	alpha := fs.Float64("alpha", 1.5, "with -generate -shape popular: Pareto tail index of popularity")
	top := fs.Int("top", 0, "with -generate, shapes other than topics: list only each paper's `k` best reviewers (0: all)")
	clusters := fs.Int("clusters", 20, "with -generate -shape clustered: number of topic clusters")
	institutions := fs.Int("institutions", 40, "with -generate -shape conflicts: number of institutions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *generate != "" {
		if set["pop"] && !set["shape"] {
			*shape = "popular"
		}
		f, err := os.Create(*generate)
		if err != nil {
			return err
		}
		var rows int
		if *shape == "topics" {
			rows, err = writeInstance(f, *reviewers, *papers, *seed, *conflicts, *density)
		} else {
			c := assigntest.Config{Items: *papers, Experts: *reviewers, Seed: *seed, TopK: *top,
				Pop: *pop, Alpha: *alpha, Clusters: *clusters, Institutions: *institutions}
			if set["conflict-rate"] {
				c.ConflictRate = *conflicts
			}
			c.Shape, err = assigntest.ParseShape(*shape)
			if err == nil {
				rows, err = writeShape(f, c)
			}
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: %d reviewers, %d papers, %d rows\n", *generate, *reviewers, *papers, rows)
		return nil
	}
	if *scores == "" {
		fs.Usage()
		return errors.New("-scores or -generate is required")
	}
	p, err := load(*scores, *experts, *items, *cover, *minLoad, *maxLoad, stderr)
	if err != nil {
		return err
	}
	s, err := solve(ctx, p, *fair)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(s)
	}
	fmt.Fprintf(stdout, "papers %d, reviewers %d\n", s.items, s.experts)
	fmt.Fprintf(stdout, "total affinity: %.2f\n", s.Total)
	fmt.Fprintf(stdout, "worst paper total: %.2f (%s)\n", s.MinItem, s.worstItem)
	fmt.Fprintf(stdout, "reviewer load: min %d, max %d\n", s.MinLoad, s.MaxLoad)
	fmt.Fprintf(stdout, "solve time: %.3fs\n", s.Seconds)
	return nil
}

// load reads the pool files, if any, then the scores, and builds the
// problem. Without a pool file it tells stderr who the pool is.
func load(scores, experts, items string, cover, minLoad, maxLoad int, stderr io.Writer) (*assign.Problem, error) {
	var pl *pool
	read := func(path string, fn func(io.Reader) error) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return fn(f)
	}
	if experts != "" || items != "" {
		pl = &pool{}
	}
	if experts != "" {
		if err := read(experts, func(r io.Reader) error { return readExperts(r, experts, minLoad, maxLoad, pl) }); err != nil {
			return nil, err
		}
	}
	if items != "" {
		if err := read(items, func(r io.Reader) error { return readItems(r, items, pl) }); err != nil {
			return nil, err
		}
	}
	var b assign.Builder
	if pl != nil {
		for _, id := range pl.experts {
			b.Expert(id)
			if l, ok := pl.load[id]; ok {
				b.SetLoad(id, l[0], l[1])
			}
		}
		for _, id := range pl.items {
			b.Item(id)
			if k, ok := pl.cover[id]; ok {
				b.SetCover(id, k)
			}
		}
	}
	if err := read(scores, func(r io.Reader) error { return readScores(r, scores, &b, pl) }); err != nil {
		return nil, err
	}
	p := b.Problem(cover, minLoad, maxLoad)
	if experts == "" {
		fmt.Fprintf(stderr, "assignment: no -experts file: the pool is the %d reviewers that appear in %s\n", len(p.Experts), scores)
	}
	if items == "" {
		fmt.Fprintf(stderr, "assignment: no -items file: the pool is the %d papers that appear in %s\n", len(p.Items), scores)
	}
	return p, nil
}

func solve(ctx context.Context, p *assign.Problem, fair bool) (*summary, error) {
	start := time.Now()
	res, err := assign.Solve(ctx, p, &assign.Options{Fair: fair})
	if err != nil {
		return nil, err
	}
	s := &summary{Total: res.Total, Seconds: time.Since(start).Seconds(), items: len(p.Items), experts: len(p.Experts)}
	if res.MinItem >= 0 {
		s.MinItem = res.ItemTotal[res.MinItem]
		s.worstItem = p.Items[res.MinItem]
	}
	s.MinLoad, s.MaxLoad = res.Load[0], res.Load[0]
	for _, l := range res.Load {
		s.MinLoad = min(s.MinLoad, l)
		s.MaxLoad = max(s.MaxLoad, l)
	}
	return s, nil
}

// writeInstance writes a seeded random instance. Reviewers and papers get
// random topic mixtures; a pair's score is the cosine of the two mixtures
// plus a little noise, so that affinities cluster as real ones do.
func writeInstance(w io.Writer, nR, nP int, seed uint64, conflictRate, density float64) (int, error) {
	if nR <= 0 || nP <= 0 {
		return 0, fmt.Errorf("-reviewers and -papers must be positive, got %d and %d", nR, nP)
	}
	if conflictRate < 0 || conflictRate > 1 || density <= 0 || density > 1 {
		return 0, fmt.Errorf("-conflict-rate must be in [0,1] and -density in (0,1], got %v and %v", conflictRate, density)
	}
	const topics = 8
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	mix := func() [topics]float64 {
		var v [topics]float64
		var norm float64
		for t := range v {
			v[t] = rng.ExpFloat64()
			v[t] *= v[t] // sharpen
			norm += v[t] * v[t]
		}
		norm = math.Sqrt(norm)
		for t := range v {
			v[t] /= norm
		}
		return v
	}
	rev := make([][topics]float64, nR)
	for r := range rev {
		rev[r] = mix()
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"reviewer", "paper", "score"}); err != nil {
		return 0, err
	}
	rows := 0
	for p := range nP {
		pv := mix()
		for r := range nR {
			if density < 1 && rng.Float64() >= density {
				continue
			}
			score := "conflict"
			if rng.Float64() >= conflictRate {
				var dot float64
				for t := range topics {
					dot += rev[r][t] * pv[t]
				}
				dot += 0.05 * rng.NormFloat64()
				score = strconv.FormatFloat(math.Round(dot*1e4)/1e4, 'f', -1, 64)
			}
			if err := cw.Write([]string{fmt.Sprintf("r%d", r+1), fmt.Sprintf("p%d", p+1), score}); err != nil {
				return rows, err
			}
			rows++
		}
	}
	cw.Flush()
	return rows, cw.Error()
}

// writeShape writes an instance of an assigntest shape with the header
// expert,item,score; conflicts are written as "conflict" rows (a listed
// pair in conflict is written once, as a conflict).
func writeShape(w io.Writer, c assigntest.Config) (int, error) {
	in, err := assigntest.Generate(c)
	if err != nil {
		return 0, err
	}
	conflict := make(map[assigntest.Pair]bool, len(in.Conflicts))
	for _, p := range in.Conflicts {
		conflict[p] = true
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"expert", "item", "score"}); err != nil {
		return 0, err
	}
	rows := 0
	write := func(i, e int, score string) error {
		rows++
		return cw.Write([]string{in.Experts[e], in.Items[i], score})
	}
	format := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for i, row := range in.Affinity {
		for e, v := range row {
			if !conflict[assigntest.Pair{Item: i, Expert: e}] {
				if err := write(i, e, format(v)); err != nil {
					return rows, err
				}
			}
		}
	}
	for _, s := range in.Scores {
		if !conflict[assigntest.Pair{Item: s.Item, Expert: s.Expert}] {
			if err := write(s.Item, s.Expert, format(s.Value)); err != nil {
				return rows, err
			}
		}
	}
	for _, p := range in.Conflicts {
		if err := write(p.Item, p.Expert, "conflict"); err != nil {
			return rows, err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rows, err
	}
	return rows, bw.Flush()
}
