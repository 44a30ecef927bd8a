// Command matching-eval measures the matching engine on the CSL sample.
//
//	go run ./examples/matching-eval -data PATH/csl_dev.tsv -train PATH/cls_ctg_train.tsv -route PATH/cls_ctg_dev.tsv [-json]
//
// It prints title_mrr10, title_r1, kw2_mrr10, disc_p10 and route_acc (see
// package matching/eval for their definitions), as a table or, with
// -json, as one JSON object.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kexie/techbroker/matching/eval"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "matching-eval:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("matching-eval", flag.ContinueOnError)
	data := fs.String("data", "", "CSL papers file (csl_*.tsv)")
	train := fs.String("train", "", "labelled titles to train the router (cls_ctg_train.tsv)")
	route := fs.String("route", "", "labelled titles to test the router (cls_ctg_*.tsv)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("-data is required")
	}
	if (*train == "") != (*route == "") {
		return errors.New("-train and -route go together")
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
		if rt, err = readFile(*route, eval.ReadLabelled); err != nil {
			return err
		}
	}
	res, err := eval.Run(eval.DefaultBuiltIn(tr), papers, tr, rt)
	if err != nil {
		return err
	}
	return write(out, res, *asJSON)
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

func write(out io.Writer, r eval.Result, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(out).Encode(r)
	}
	_, err := fmt.Fprintf(out, "%-12s %s\n%-12s %.4f\n%-12s %.4f\n%-12s %.4f\n%-12s %.4f\n%-12s %.4f\n",
		"metric", "value",
		"title_mrr10", r.TitleMRR10, "title_r1", r.TitleR1, "kw2_mrr10", r.KW2MRR10,
		"disc_p10", r.DiscP10, "route_acc", r.RouteAcc)
	return err
}
