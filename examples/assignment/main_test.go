package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexie/techbroker/matching/assign"
)

func runArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), err
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scores.csv")
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
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := readScores(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := b.Problem(3, 2, 7)
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
		{"bad header", "expert,paper,score\n", `row 1: header column 1 is "expert"`},
		{"not a number", "reviewer,paper,score\nr1,p1,0.5\nr1,p2,high\n", `row 3: score "high"`},
		{"NaN", "reviewer,paper,score\nr1,p1,NaN\n", `row 2: score "NaN"`},
		{"+inf", "reviewer,paper,score\nr1,p1,+inf\n", `row 2: score "+inf"`},
		{"empty reviewer", "reviewer,paper,score\n,p1,1\n", "row 2: empty reviewer"},
		{"duplicate", "reviewer,paper,score\nr1,p1,1\nr2,p1,1\nr1,p1,2\n", "row 4: pair (r1, p1) already given in row 2"},
		{"wrong field count", "reviewer,paper,score\nr1,p1\n", "line 2"},
		{"empty", "", "empty file"},
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

func TestInfeasibleFile(t *testing.T) {
	path := writeFile(t, "reviewer,paper,score\nr1,p1,1\nr2,p1,-inf\n")
	_, err := runArgs(t, "-scores", path, "-cover", "2", "-max-load", "1")
	if !errors.Is(err, assign.ErrInfeasible) || !strings.Contains(err.Error(), `"p1"`) {
		t.Fatalf("got %v, want an infeasibility error naming p1", err)
	}
}
