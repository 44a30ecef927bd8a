// Command matchbench compares the matching engine with Bleve v2 in one run.
//
//	cd bench && go run ./matchbench -data PATH/csl_dev.tsv -train PATH/cls_ctg_train.tsv -route PATH/cls_ctg_dev.tsv [-scale 100000] [-json]
//
// It runs the four tasks of package matching/eval (title_mrr10, title_r1,
// kw2_mrr10, disc_p10, route_acc) with both engines, then a scale run on a
// synthetic corpus of -scale documents whose words are the keywords of the
// -data file: index build rate, query latency (p50 and p95 of -queries
// title queries, top 10) and memory per document (Go heap growth after GC
// for the engine; index bytes on disk for Bleve, after Close). The build
// time runs from an empty index to one ready to search (the engine: after
// AddBatch and Compact; Bleve: after Close, which persists it); the
// joining of each document's fields into one text, done before, and the
// garbage collections and the directory walk that measure the memory are
// not part of it.
//
// Bleve is set up as the issue asks: bleve.NewUsing(dir, mapping,
// scorch.Name, scorch.Name, nil), the cjk analyzer, IndexMapping.ScoringModel
// "bm25"; fields are not stored and carry no term vectors (the engine
// stores neither). Both index title, keywords and abstract as one text
// field; routing with Bleve is a 10-nearest-neighbour vote over an index
// of the training titles.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kexie/techbroker/matching/eval"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "matchbench:", err)
		os.Exit(1)
	}
}

// Figures are one engine's results.
type Figures struct {
	eval.Result
	BuildDocsPerS float64 `json:"build_docs_per_s"`
	QueryP50Ms    float64 `json:"query_p50_ms"`
	QueryP95Ms    float64 `json:"query_p95_ms"`
	BytesPerDoc   float64 `json:"bytes_per_doc"`
}

// scaler is what the scale run needs from an engine.
type scaler interface {
	// build indexes docs, whose texts (title, keywords and abstract
	// joined, prepared before the clock starts) are texts, and returns the
	// bytes per document it costs and the time the indexing took (without
	// the measuring of the memory).
	build(docs []eval.Paper, texts []string) (bytesPerDoc float64, took time.Duration, err error)
	query(text string) error
	close() error
}

func run(args []string, out, logw io.Writer) error {
	fs := flag.NewFlagSet("matchbench", flag.ContinueOnError)
	data := fs.String("data", "", "CSL papers file (csl_*.tsv)")
	train := fs.String("train", "", "labelled titles to train routers (cls_ctg_train.tsv)")
	route := fs.String("route", "", "labelled titles to test routers (cls_ctg_*.tsv)")
	scale := fs.Int("scale", 100000, "documents in the synthetic scale run (0 skips it)")
	queries := fs.Int("queries", 1000, "queries in the scale run")
	reps := fs.Int("reps", 3, "builds of each engine in the scale run, alternating between the engines; the median rate is reported")
	seed := fs.Uint64("seed", 1, "seed of the synthetic corpus and queries")
	cpuprof := fs.String("cpuprofile", "", "write a CPU profile of the engine's first scale build to this file")
	memprof := fs.String("memprofile", "", "write a heap profile after each build of the engine's scale run (the last one stays) to this file")
	quality := fs.Bool("quality", true, "run the quality tasks (false: only the scale run)")
	only := fs.String("only", "", "run one engine only: \"engine\" or \"bleve\" (default both)")
	evalScale := fs.Bool("evalscale", true, "also run the scale run of the engine in the eval configuration")
	asJSON := fs.Bool("json", false, "print one JSON object {\"engine\": {...}, \"bleve\": {...}}")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *reps < 1 {
		return fmt.Errorf("-reps %d, want ≥ 1", *reps)
	}
	if *only != "" && *only != "engine" && *only != "bleve" {
		return fmt.Errorf("-only %q, want engine or bleve", *only)
	}
	runEngine, runBleve := *only != "bleve", *only != "engine"
	if *data == "" {
		return errors.New("-data is required")
	}
	papers, err := readFile(*data, eval.ReadPapers)
	if err != nil {
		return err
	}
	var tr, rt []eval.Labelled
	if *train != "" {
		if tr, err = readFile(*train, eval.ReadLabelled); err != nil {
			return err
		}
	}
	if *route != "" {
		if rt, err = readFile(*route, eval.ReadLabelled); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "matchbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var eng, blv, evalCfg Figures
	if *quality && runEngine {
		fmt.Fprintln(logw, "quality: engine")
		if eng.Result, err = eval.Run(eval.DefaultBuiltIn(tr), papers, tr, rt); err != nil {
			return fmt.Errorf("engine: %w", err)
		}
	}
	if *quality && runBleve {
		fmt.Fprintln(logw, "quality: bleve")
		be := &bleveEngine{dir: tmp}
		if blv.Result, err = eval.Run(be, papers, tr, rt); err != nil {
			return fmt.Errorf("bleve: %w", err)
		}
		be.closeAll()
	}

	if *scale > 0 {
		var vocab []string
		seen := map[string]bool{}
		for _, p := range papers {
			for _, k := range p.Keywords {
				if !seen[k] {
					seen[k] = true
					vocab = append(vocab, k)
				}
			}
		}
		docs := eval.Synthetic(rand.New(rand.NewPCG(*seed, 7)), *scale, vocab)
		qr := rand.New(rand.NewPCG(*seed, 8))
		qs := make([]string, *queries)
		for i := range qs {
			qs[i] = docs[qr.IntN(len(docs))].Title
		}
		if runEngine && *evalScale {
			es, err := newEngineScaler(tr, false)
			if err != nil {
				return err
			}
			if err := scaleRuns(logw, []scaler{es}, []string{"engine (eval configuration)"}, []*Figures{&evalCfg}, docs, qs, 1); err != nil {
				return err
			}
		}
		var scalers []scaler
		var figs []*Figures
		var names []string
		if runEngine {
			es, err := newEngineScaler(tr, true)
			if err != nil {
				return err
			}
			es.memprof, es.cpuprof = *memprof, *cpuprof
			scalers, figs, names = append(scalers, es), append(figs, &eng), append(names, "engine (default options)")
		}
		if runBleve {
			scalers, figs, names = append(scalers, &bleveScaler{dir: filepath.Join(tmp, "scale")}), append(figs, &blv), append(names, "bleve")
		}
		if err := scaleRuns(logw, scalers, names, figs, docs, qs, *reps); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(map[string]Figures{"engine": eng, "bleve": blv})
	}
	if err := table(out, eng, blv, *scale); err != nil {
		return err
	}
	if *scale > 0 && runEngine && *evalScale {
		_, err = fmt.Fprintf(out, "\nscale run of the engine in the eval configuration (feedback + category): %.0f docs/s, p50 %.3f ms, p95 %.3f ms, %.0f bytes/doc\n",
			evalCfg.BuildDocsPerS, evalCfg.QueryP50Ms, evalCfg.QueryP95Ms, evalCfg.BytesPerDoc)
	}
	return err
}

// scaleRuns builds docs reps times with each scaler, in turn (engine,
// Bleve, engine, Bleve, ...), so that the machine's drift in speed over
// the minutes of the run falls on both alike; each one's build rate is
// the median of its builds, its memory and queries those of its last
// build.
func scaleRuns(logw io.Writer, scalers []scaler, names []string, figs []*Figures, docs []eval.Paper, qs []string, reps int) error {
	texts := joinAll(docs)
	rates := make([][]float64, len(scalers))
	for r := range reps {
		for k, s := range scalers {
			fmt.Fprintf(logw, "scale: %s, %d documents, build %d of %d\n", names[k], len(docs), r+1, reps)
			if r > 0 {
				if err := s.close(); err != nil {
					return fmt.Errorf("%s scale: %w", names[k], err)
				}
				runtime.GC()
			}
			rate, err := build(s, docs, texts, figs[k])
			if err != nil {
				return fmt.Errorf("%s scale: %w", names[k], err)
			}
			rates[k] = append(rates[k], rate)
		}
	}
	for k, s := range scalers {
		slices.Sort(rates[k])
		n := len(rates[k])
		figs[k].BuildDocsPerS = (rates[k][(n-1)/2] + rates[k][n/2]) / 2 // the median
		if reps > 1 {
			fmt.Fprintf(logw, "scale: %s build docs/s, sorted: %.0f\n", names[k], rates[k])
		}
		if err := measureQueries(s, qs, figs[k]); err != nil {
			return fmt.Errorf("%s scale: %w", names[k], err)
		}
		if err := s.close(); err != nil {
			return err
		}
		runtime.GC()
	}
	return nil
}

func joinAll(docs []eval.Paper) []string {
	texts := make([]string, len(docs))
	for i, p := range docs {
		texts[i] = joinPaper(p, eval.Title|eval.Keywords|eval.Abstract)
	}
	return texts
}

// build indexes texts with s, sets f's memory per document and returns
// the build rate in documents per second.
func build(s scaler, docs []eval.Paper, texts []string, f *Figures) (float64, error) {
	bpd, took, err := s.build(docs, texts)
	if err != nil {
		return 0, err
	}
	f.BytesPerDoc = bpd
	return float64(len(docs)) / took.Seconds(), nil
}

// measureQueries times the queries qs on s's index.
func measureQueries(s scaler, qs []string, f *Figures) error {
	lat := make([]float64, 0, len(qs))
	for _, q := range qs {
		t := time.Now()
		if err := s.query(q); err != nil {
			return err
		}
		lat = append(lat, float64(time.Since(t).Nanoseconds())/1e6)
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		f.QueryP50Ms = lat[len(lat)*50/100]
		f.QueryP95Ms = lat[min(len(lat)-1, len(lat)*95/100)]
	}
	return nil
}

func table(out io.Writer, e, b Figures, scale int) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "metric\tengine\tbleve\tengine/bleve\t")
	row := func(name string, x, y float64, format string) {
		ratio := "-"
		if y != 0 {
			ratio = fmt.Sprintf("%.2f", x/y)
		}
		fmt.Fprintf(tw, "%s\t"+format+"\t"+format+"\t%s\t\n", name, x, y, ratio)
	}
	row("title_mrr10", e.TitleMRR10, b.TitleMRR10, "%.4f")
	row("title_r1", e.TitleR1, b.TitleR1, "%.4f")
	row("kw2_mrr10", e.KW2MRR10, b.KW2MRR10, "%.4f")
	row("disc_p10", e.DiscP10, b.DiscP10, "%.4f")
	row("route_acc", e.RouteAcc, b.RouteAcc, "%.4f")
	if scale > 0 {
		row(fmt.Sprintf("build_docs_per_s (%d docs)", scale), e.BuildDocsPerS, b.BuildDocsPerS, "%.0f")
		row("query_p50_ms", e.QueryP50Ms, b.QueryP50Ms, "%.3f")
		row("query_p95_ms", e.QueryP95Ms, b.QueryP95Ms, "%.3f")
		row("bytes_per_doc", e.BytesPerDoc, b.BytesPerDoc, "%.0f")
	}
	return tw.Flush()
}

func readFile[T any](path string, read func(io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

func joinPaper(p eval.Paper, fields eval.Field) string {
	var parts []string
	if fields.Has(eval.Title) {
		parts = append(parts, p.Title)
	}
	if fields.Has(eval.Keywords) {
		parts = append(parts, strings.Join(p.Keywords, " "))
	}
	if fields.Has(eval.Abstract) {
		parts = append(parts, p.Abstract)
	}
	return strings.Join(parts, "\n")
}
