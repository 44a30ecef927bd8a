// Command assignment assigns reviewers to papers (or experts to
// achievements) optimally with package matching/assign.
//
// It reads a long-format CSV file with the header reviewer,paper,score:
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
// Without real data, generate a seeded random instance first:
//
//	go run ./examples/assignment -generate demo.csv -reviewers 200 -papers 400 -seed 1
//	go run ./examples/assignment -scores demo.csv -cover 3 -max-load 7
package main

import (
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
	"strings"
	"time"

	"github.com/kexie/techbroker/matching/assign"
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
	scores := fs.String("scores", "", "long-format CSV `file` with header reviewer,paper,score")
	cover := fs.Int("cover", 3, "reviewers per paper")
	minLoad := fs.Int("min-load", 0, "minimum papers per reviewer")
	maxLoad := fs.Int("max-load", 4, "maximum papers per reviewer")
	fair := fs.Bool("fair", false, "maximize the smallest assigned affinity first, then the total")
	asJSON := fs.Bool("json", false, "print one JSON object")
	generate := fs.String("generate", "", "write a seeded random instance to `file` and exit")
	reviewers := fs.Int("reviewers", 100, "with -generate: number of reviewers")
	papers := fs.Int("papers", 200, "with -generate: number of papers")
	seed := fs.Uint64("seed", 1, "with -generate: random seed")
	conflicts := fs.Float64("conflict-rate", 0.01, "with -generate: fraction of pairs in conflict")
	density := fs.Float64("density", 1, "with -generate: fraction of pairs listed (the rest have affinity 0)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *generate != "" {
		f, err := os.Create(*generate)
		if err != nil {
			return err
		}
		rows, err := writeInstance(f, *reviewers, *papers, *seed, *conflicts, *density)
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
	f, err := os.Open(*scores)
	if err != nil {
		return err
	}
	b, err := readScores(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *scores, err)
	}
	p := b.Problem(*cover, *minLoad, *maxLoad)
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

// readScores parses the long-format CSV. Errors name the line.
func readScores(r io.Reader) (*assign.Builder, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: want header reviewer,paper,score")
	}
	if err != nil {
		return nil, err
	}
	for i, want := range []string{"reviewer", "paper", "score"} {
		got := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
		if got != want {
			return nil, fmt.Errorf("row 1: header column %d is %q, want %q (header reviewer,paper,score)", i+1, header[i], want)
		}
	}
	var b assign.Builder
	seen := map[[2]string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err // csv.ParseError names the line
		}
		row, _ := cr.FieldPos(0)
		reviewer, paper := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		raw := strings.TrimSpace(rec[2])
		if reviewer == "" || paper == "" {
			return nil, fmt.Errorf("row %d: empty reviewer or paper", row)
		}
		key := [2]string{reviewer, paper}
		if prev, ok := seen[key]; ok {
			return nil, fmt.Errorf("row %d: pair (%s, %s) already given in row %d", row, reviewer, paper, prev)
		}
		seen[key] = row
		if low := strings.ToLower(raw); low == "conflict" || low == "-inf" {
			b.Forbid(reviewer, paper, fmt.Sprintf("conflict (row %d)", row))
			continue
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("row %d: score %q is not a finite number, -inf or conflict", row, raw)
		}
		b.SetAffinity(reviewer, paper, v)
	}
	return &b, nil
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
