package main

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/kexie/techbroker/matching/assign"
)

// readErrorTyped fails unless err is nil, a *RowError naming the file, or
// a CSV syntax error prefixed with the file name.
func readErrorTyped(t *testing.T, file string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var re *RowError
	var pe *csv.ParseError
	switch {
	case errors.As(err, &re):
		if re.File != file || re.Row < 1 {
			t.Fatalf("row error %v names file %q row %d", err, re.File, re.Row)
		}
	case errors.As(err, &pe):
		if !strings.HasPrefix(err.Error(), file+": ") {
			t.Fatalf("CSV error %v does not name the file", err)
		}
	default:
		t.Fatalf("untyped error %v", err)
	}
}

// FuzzReadExperts: any bytes either fail with a typed error naming the
// file, or give unique non-empty IDs with 0 ≤ min ≤ max loads.
func FuzzReadExperts(f *testing.F) {
	for _, s := range []string{
		"expert,min_load,max_load\nr1,1,3\nr2,,\nr3\n",
		"reviewer\nr1\n",
		"expert,min_load\nr1,2\n",
		"expert,min_load,max_load\nr1,4,3\n",
		"\ufeffExpert , MIN_LOAD,max_load\n\"r,1\",0,9\n",
		"",
	} {
		f.Add(s, 1, 4)
	}
	f.Fuzz(func(t *testing.T, body string, minLoad, maxLoad int) {
		if minLoad < 0 || maxLoad < minLoad || maxLoad > 1<<20 {
			return // the flags are checked by the problem, not the reader
		}
		var p pool
		err := readExperts(strings.NewReader(body), "experts.csv", minLoad, maxLoad, &p)
		readErrorTyped(t, "experts.csv", err)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, id := range p.experts {
			if id == "" || seen[id] {
				t.Fatalf("expert ID %q empty or repeated", id)
			}
			seen[id] = true
		}
		for id, l := range p.load {
			if !seen[id] || l[0] < 0 || l[0] > l[1] {
				t.Fatalf("expert %q: loads %v", id, l)
			}
		}
	})
}

// FuzzReadItems: the same for the items file.
func FuzzReadItems(f *testing.F) {
	for _, s := range []string{"item,cover\np1,2\np2,\np3\n", "paper\np1\n", "item,cover\np1,-1\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var p pool
		err := readItems(strings.NewReader(body), "items.csv", &p)
		readErrorTyped(t, "items.csv", err)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, id := range p.items {
			if id == "" || seen[id] {
				t.Fatalf("item ID %q empty or repeated", id)
			}
			seen[id] = true
		}
		for id, k := range p.cover {
			if !seen[id] || k < 0 {
				t.Fatalf("item %q: cover %d", id, k)
			}
		}
	})
}

// FuzzReadScores: any bytes either fail with a typed error naming the
// file, or give a problem that Solve accepts or rejects with a typed
// error (never a panic); with a pool, every name is from the pool.
func FuzzReadScores(f *testing.F) {
	for _, s := range []string{
		"reviewer,paper,score\nr1,p1,0.5\nr1,p2,conflict\nr2,p1,-inf\n",
		"expert,item,score\nr1,p1,1e300\n",
		"reviewer,paper,score\nr1,p1,0.5\nr1,p1,0.4\n",
		"reviewer,paper,score\nr1,\"p\n1\",0.5\n",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, withPool bool) {
		var b assign.Builder
		var pl *pool
		if withPool {
			pl = &pool{}
			if err := readExperts(strings.NewReader("expert\nr1\nr2\n"), "experts.csv", 0, 3, pl); err != nil {
				t.Fatal(err)
			}
			for _, id := range pl.experts {
				b.Expert(id)
			}
		}
		err := readScores(strings.NewReader(body), "scores.csv", &b, pl)
		readErrorTyped(t, "scores.csv", err)
		if err != nil {
			return
		}
		p := b.Problem(1, 0, 3)
		if withPool && len(p.Experts) != 2 {
			t.Fatalf("pool of 2 experts grew to %q", p.Experts)
		}
		if len(p.Items) > 50 || len(p.Experts) > 50 {
			return // keep each input quick
		}
		if _, err := assign.Solve(t.Context(), p, nil); err != nil && !errors.Is(err, assign.ErrInvalid) && !errors.Is(err, assign.ErrInfeasible) {
			t.Fatalf("untyped solve error %v", err)
		}
	})
}
