package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexie/techbroker/matching/assign"
)

func runArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, _, err := runArgsStderr(t, args...)
	return out, err
}

func runArgsStderr(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	return writeNamed(t, "scores.csv", body)
}

func writeNamed(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHandMade(t *testing.T) {
	// p2 may only go to r1 (r2 is in conflict), so p1 goes to r2:
	// 0.8 + 0.7 = 1.50, although r1 likes p1 best.
	path := writeFile(t, "reviewer,paper,score\nr1,p1,0.9\nr1,p2,0.8\nr2,p1,0.7\nr2,p2,conflict\n")
	out, err := runArgs(t, "-scores", path, "-cover", "1", "-max-load", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"total affinity: 1.50\n",
		"worst paper total: 0.70 (p1)\n",
		"reviewer load: min 1, max 1\n",
		"solve time: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
}

func TestGenerateThenSolve(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.csv")
	out, err := runArgs(t, "-generate", path, "-reviewers", "40", "-papers", "70", "-seed", "7", "-density", "0.8")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "wrote ") {
		t.Errorf("got %q, want a 'wrote' line", out)
	}
	for _, fair := range []bool{false, true} {
		args := []string{"-scores", path, "-cover", "3", "-max-load", "7", "-min-load", "2", "-json"}
		if fair {
			args = append(args, "-fair")
		}
		out, err := runArgs(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]float64
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output %q is not one JSON object: %v", out, err)
		}
		for _, k := range []string{"total", "min_item", "min_load", "max_load", "seconds"} {
			if _, ok := got[k]; !ok {
				t.Errorf("JSON %q lacks key %q", out, k)
			}
		}
		if len(got) != 5 {
			t.Errorf("JSON has %d keys, want 5", len(got))
		}
		if got["min_load"] < 2 || got["max_load"] > 7 {
			t.Errorf("loads [%v, %v] outside [2, 7]", got["min_load"], got["max_load"])
		}
		// The program's total is the proven optimum of the same file.
		p, err := load(path, "", "", 3, 2, 7, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		res, err := assign.Solve(context.Background(), p, &assign.Options{Fair: fair})
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Verify(p); err != nil {
			t.Fatal(err)
		}
		if math.Abs(got["total"]-res.Total) > 1e-9 {
			t.Errorf("fair=%v: got total %v, want %v", fair, got["total"], res.Total)
		}
		if len(p.Forbidden) == 0 {
			t.Errorf("generated file has no conflicts")
		}
	}
}

func TestSameSeedSameFile(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	for _, p := range []string{a, b} {
		if _, err := runArgs(t, "-generate", p, "-reviewers", "5", "-papers", "6", "-seed", "3"); err != nil {
			t.Fatal(err)
		}
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if !bytes.Equal(x, y) {
		t.Errorf("same seed wrote different files")
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"bad header", "reviewer,item,grade\n", `scores.csv: row 1: column 3 "grade": want "score"`},
		{"bad first column", "author,paper,score\n", `row 1: column 1 "author": want "reviewer" or "expert"`},
		{"short header", "reviewer,paper\n", "row 1: header has 2 columns"},
		{"not a number", "reviewer,paper,score\nr1,p1,0.5\nr1,p2,high\n", `scores.csv: row 3: score "high": not a finite number`},
		{"NaN", "reviewer,paper,score\nr1,p1,NaN\n", `row 2: score "NaN"`},
		{"+inf", "reviewer,paper,score\nr1,p1,+inf\n", `row 2: score "+inf"`},
		{"empty reviewer", "reviewer,paper,score\n,p1,1\n", `row 2: expert "": empty ID`},
		{"empty paper", "expert,item,score\nr1, ,1\n", `row 2: item "": empty ID`},
		{"duplicate", "reviewer,paper,score\nr1,p1,1\nr2,p1,1\nr1,p1,2\n", "row 4: pair (r1, p1) already given in row 2"},
		{"too many fields", "reviewer,paper,score\nr1,p1,1,2\n", "row 2: 4 fields, want at most 3"},
		{"missing score", "reviewer,paper,score\nr1,p1\n", `row 2: score "": not a finite number`},
		{"unterminated quote", "reviewer,paper,score\nr1,\"p1,1\n", "scores.csv"},
		{"empty", "", "scores.csv: row 1: empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runArgs(t, "-scores", writeFile(t, tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestBothHeaders: expert,item,score reads as reviewer,paper,score.
func TestBothHeaders(t *testing.T) {
	body := "r1,p1,0.9\nr1,p2,0.8\nr2,p1,0.7\nr2,p2,conflict\n"
	var outs []string
	for _, h := range []string{"reviewer,paper,score\n", "Expert, Item, Score\n", "\ufeffexpert,paper,score\n"} {
		out, err := runArgs(t, "-scores", writeFile(t, h+body), "-cover", "1", "-max-load", "1", "-json")
		if err != nil {
			t.Fatalf("header %q: %v", h, err)
		}
		var s map[string]float64
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, fmt.Sprint(s["total"], s["min_item"]))
	}
	if outs[0] != outs[1] || outs[0] != outs[2] || outs[0] != "1.5 0.7" {
		t.Errorf("got %q, want three times %q", outs, "1.5 0.7")
	}
}

// TestPool reproduces the report of issue 24: reviewers with no listed
// pair are left out of the pool when it is taken from the scores file, so
// a minimum load does not bind them and the reported total is above the
// optimum for the whole pool. With -experts the pool is complete.
func TestPool(t *testing.T) {
	scores := writeFile(t, "reviewer,paper,score\nr1,p1,0.9\nr1,p2,0.8\nr1,p3,0.7\nr1,p4,0.6\nr2,p1,0.5\n")
	args := []string{"-scores", scores, "-cover", "1", "-min-load", "1", "-max-load", "3", "-json"}
	out, stderr, err := runArgsStderr(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if want := "no -experts file: the pool is the 2 reviewers that appear in " + scores; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
	if want := "no -items file: the pool is the 4 papers that appear in " + scores; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
	total := func(out string) float64 {
		t.Helper()
		var s map[string]float64
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("output %q: %v", out, err)
		}
		return s["total"]
	}
	// r2 takes p1 (0.5), r1 the other three (0.8 + 0.7 + 0.6).
	if got := total(out); math.Abs(got-2.6) > 1e-9 {
		t.Errorf("scores-only pool: got total %v, want 2.6", got)
	}
	// r3 and r4 have no listed pair but are in the pool; each must still
	// take a paper, at affinity 0, so r1 keeps one: p2 (0.8), r2 p1 (0.5).
	experts := writeNamed(t, "experts.csv", "expert,min_load,max_load\nr1,,\nr2\nr3,1,\nr4,,2\n")
	out, stderr, err = runArgsStderr(t, append(args, "-experts", experts)...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr, "-experts") {
		t.Errorf("stderr %q speaks of -experts although it was given", stderr)
	}
	if got := total(out); math.Abs(got-1.3) > 1e-9 {
		t.Errorf("explicit pool: got total %v, want 1.3", got)
	}
	// An items file adds a paper nobody scored, with its own coverage.
	items := writeNamed(t, "items.csv", "paper,cover\np1\np2,1\np3,\np4\np5,2\n")
	p, err := load(scores, experts, items, 1, 1, 3, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(p.Experts, p.Items), "[r1 r2 r3 r4] [p1 p2 p3 p4 p5]"; got != want {
		t.Errorf("pool %s, want %s", got, want)
	}
	res, err := assign.Solve(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Verify(p); err != nil {
		t.Fatal(err)
	}
	if got := len(res.Panels[4]); got != 2 {
		t.Errorf("p5 got %d reviewers, want 2", got)
	}
	if got := res.Load[3]; got < 1 || got > 2 {
		t.Errorf("r4 has load %d, want within its bounds [1, 2]", got)
	}
}

func TestPoolBadRows(t *testing.T) {
	scores := "reviewer,paper,score\nr1,p1,0.9\n"
	tests := []struct {
		name, experts, items, want string
	}{
		{"bad min", "expert,min_load,max_load\nr1,x,3\n", "", `experts.csv: row 2: min_load "x": not a non-negative integer`},
		{"negative max", "expert,min_load,max_load\nr1,,3\nr2,0,-1\n", "", `experts.csv: row 3: max_load "-1": not a non-negative integer`},
		{"min above max", "expert,min_load,max_load\nr1,4,3\n", "", `experts.csv: row 2: min_load "4": exceeds max_load 3`},
		{"min above default max", "expert,min_load\nr1,9\n", "", `row 2: min_load "9": exceeds the default maximum load 4 (-max-load)`},
		{"duplicate expert", "expert\nr1\nr2\nr1\n", "", `experts.csv: row 4: expert "r1": already listed in row 2`},
		{"empty expert", "expert,min_load,max_load\n,,3\n", "", `experts.csv: row 2: expert "": empty ID`},
		{"bad expert header", "name,min_load\n", "", `experts.csv: row 1: column 1 "name": want "expert" or "reviewer"`},
		{"header too wide", "expert,min_load,max_load,team\n", "", "experts.csv: row 1: header has 4 columns, want at most 3"},
		{"row too wide", "expert,min_load\nr1,1,2\n", "", "experts.csv: row 2: 3 fields, want at most 2"},
		{"empty experts file", "", "", "experts.csv: row 1: empty file: want header expert,min_load,max_load"},
		{"scored expert not listed", "expert\nr2\n", "", `scores.csv: row 2: expert "r1": not listed in`},
		{"bad cover", "", "item,cover\np1,two\n", `items.csv: row 2: cover "two": not a non-negative integer`},
		{"duplicate item", "", "item\np1\np1\n", `items.csv: row 3: item "p1": already listed in row 2`},
		{"scored item not listed", "", "item\np2\n", `scores.csv: row 2: item "p1": not listed in`},
		{"bad item header", "", "item,k\n", `items.csv: row 1: column 2 "k": want "cover"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"-scores", writeFile(t, scores)}
			if tt.experts != "" || strings.HasPrefix(tt.name, "empty experts") {
				args = append(args, "-experts", writeNamed(t, "experts.csv", tt.experts))
			}
			if tt.items != "" {
				args = append(args, "-items", writeNamed(t, "items.csv", tt.items))
			}
			_, err := runArgs(t, args...)
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("got error %v, want a *RowError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestGenerateShapes writes each assigntest shape, top-k listed, and
// solves it with its pool given in full.
func TestGenerateShapes(t *testing.T) {
	for _, shape := range []string{"uniform", "popular", "clustered", "conflicts"} {
		t.Run(shape, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, shape+".csv")
			out, err := runArgs(t, "-generate", path, "-shape", shape, "-reviewers", "60", "-papers", "90", "-top", "15", "-seed", "2")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out, "wrote ") {
				t.Errorf("got %q, want a 'wrote' line", out)
			}
			var pool strings.Builder
			pool.WriteString("expert\n")
			for e := range 60 {
				fmt.Fprintf(&pool, "e%d\n", e)
			}
			experts := filepath.Join(dir, "experts.csv")
			if err := os.WriteFile(experts, []byte(pool.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := load(path, experts, "", 3, 1, 6, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Experts) != 60 || len(p.Items) != 90 {
				t.Fatalf("got %d experts, %d items, want 60, 90", len(p.Experts), len(p.Items))
			}
			if shape == "conflicts" && len(p.Forbidden) == 0 {
				t.Errorf("conflicts shape wrote no conflicts")
			}
			res, err := assign.Solve(context.Background(), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Verify(p); err != nil {
				t.Fatal(err)
			}
		})
	}
	// -pop alone implies the popular shape.
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	for _, args := range [][]string{{"-generate", a, "-pop", "0.7"}, {"-generate", b, "-shape", "popular"}} {
		if _, err := runArgs(t, append(args, "-reviewers", "8", "-papers", "5", "-top", "3")...); err != nil {
			t.Fatal(err)
		}
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if !bytes.Equal(x, y) || !bytes.HasPrefix(x, []byte("expert,item,score\n")) {
		t.Errorf("-pop 0.7 and -shape popular wrote different files:\n%s\n%s", x, y)
	}
	if _, err := runArgs(t, "-generate", a, "-shape", "skewed"); err == nil || !strings.Contains(err.Error(), "unknown shape") {
		t.Errorf("got %v, want an unknown-shape error", err)
	}
}

func TestInfeasibleFile(t *testing.T) {
	path := writeFile(t, "reviewer,paper,score\nr1,p1,1\nr2,p1,-inf\n")
	_, err := runArgs(t, "-scores", path, "-cover", "2", "-max-load", "1")
	if !errors.Is(err, assign.ErrInfeasible) || !strings.Contains(err.Error(), `"p1"`) {
		t.Fatalf("got %v, want an infeasibility error naming p1", err)
	}
}
