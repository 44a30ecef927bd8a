package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/matching/eval"
)

// writeCorpus writes a small synthetic corpus in the CSL file formats.
func writeCorpus(t *testing.T) (data, train, route string) {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("id\tsplit\ttitle\tabstract\tkeywords\tcategory\tdiscipline\n")
	for _, p := range eval.Synthetic(r, 60, nil) {
		fmt.Fprintf(&b, "%s\tdev\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Title, p.Abstract, strings.Join(p.Keywords, "_"), p.Category, p.Discipline)
	}
	data = filepath.Join(dir, "csl.tsv")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(data, b.String())
	labelled := func(n int) string {
		var b strings.Builder
		for _, p := range eval.Synthetic(r, n, nil) {
			fmt.Fprintf(&b, "to category\t%s\t%s\n", p.Title, p.Category)
		}
		return b.String()
	}
	train, route = filepath.Join(dir, "train.tsv"), filepath.Join(dir, "route.tsv")
	write(train, labelled(200))
	write(route, labelled(50))
	return data, train, route
}

func TestJSONKeys(t *testing.T) {
	data, train, route := writeCorpus(t)
	var out bytes.Buffer
	if err := run([]string{"-data", data, "-train", train, "-route", route, "-json"}, &out); err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	var keys []string
	for k, v := range got {
		keys = append(keys, k)
		if v < 0 || v > 1 {
			t.Errorf("%s = %v, want 0..1", k, v)
		}
	}
	slices.Sort(keys)
	want := []string{"disc_p10", "kw2_mrr10", "route_acc", "title_mrr10", "title_r1"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

func TestTable(t *testing.T) {
	data, _, _ := writeCorpus(t)
	var out bytes.Buffer
	if err := run([]string{"-data", data}, &out); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"title_mrr10", "title_r1", "kw2_mrr10", "disc_p10", "route_acc"} {
		if !strings.Contains(out.String(), k) {
			t.Errorf("table lacks %s:\n%s", k, out.String())
		}
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"-data", "x", "-train", "y"}, {"-data", filepath.Join(t.TempDir(), "missing.tsv")}} {
		if err := run(args, &bytes.Buffer{}); err == nil {
			t.Errorf("run(%q): got nil error", args)
		}
	}
}
