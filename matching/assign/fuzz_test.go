package assign

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// FuzzSolve: on random small instances, any returned assignment respects
// coverage, loads, forbidden and forced pairs, carries a valid certificate
// and matches brute force; any error is typed, and infeasibility agrees
// with brute force.
func FuzzSolve(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed, uint8(seed), seed%2 == 0)
	}
	f.Fuzz(func(t *testing.T, seed uint64, cands uint8, fair bool) {
		p := smallProblem(rand.New(rand.NewPCG(seed, ^seed)))
		res, err := Solve(context.Background(), p, &Options{Fair: fair, Candidates: int(cands % 6), method: method(cands / 6 % 2)})
		want := brute(p, DefaultScale)
		if err != nil {
			if !errors.Is(err, ErrInfeasible) {
				t.Fatalf("got %v, want nil or ErrInfeasible", err)
			}
			if want.feasible {
				t.Fatalf("got %v, but brute force finds objective %d", err, want.best)
			}
			return
		}
		if !want.feasible {
			t.Fatalf("got a result, brute force finds none")
		}
		checkAssignment(t, p, res)
		if err := res.Verify(p); err != nil {
			t.Fatal(err)
		}
		if !fair && res.Objective != want.best {
			t.Fatalf("got objective %d, want %d", res.Objective, want.best)
		}
	})
}

// FuzzSolveBytes decodes arbitrary bytes into a problem, including
// malformed ones: Solve must never panic, errors must be typed, and any
// result must be a valid assignment.
func FuzzSolveBytes(f *testing.F) {
	f.Add([]byte{3, 2, 1, 0, 2, 10, 20, 30, 40, 50, 60, 0, 1, 1, 0})
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{2, 2, 1, 1, 1, 255, 255, 255, 255, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(int8(b))
		}
		nE, nI := next()%5, next()%5
		p := &Problem{Cover: next() % 4, MinLoad: next() % 3, MaxLoad: next() % 5}
		for e := range max(nE, 0) {
			p.Experts = append(p.Experts, fmt.Sprint("e", e))
		}
		for i := range max(nI, 0) {
			p.Items = append(p.Items, fmt.Sprint("i", i))
		}
		if next()%2 == 0 {
			for range max(nI, 0) {
				row := make([]float64, max(nE, 0))
				for e := range row {
					v := next()
					switch v {
					case -128:
						row[e] = math.NaN()
					case 127:
						row[e] = math.Inf(-1)
					default:
						row[e] = float64(v) / 7
					}
				}
				p.Affinity = append(p.Affinity, row)
			}
		} else {
			p.ListedOnly = next()%2 == 0
			for n := next() % 8; n > 0; n-- {
				p.Scores = append(p.Scores, Score{next() % 5, next() % 5, float64(next()) / 3})
			}
		}
		for n := next() % 4; n > 0; n-- {
			p.Forbidden = append(p.Forbidden, Conflict{next() % 5, next() % 5, "fuzz"})
		}
		for n := next() % 3; n > 0; n-- {
			p.Forced = append(p.Forced, Pair{next() % 5, next() % 5})
		}
		if next()%3 == 0 {
			p.CoverOverride = map[int]int{next() % 5: next() % 4}
			p.LoadOverride = map[int]Load{next() % 5: {next() % 3, next() % 4}}
		}
		res, err := Solve(context.Background(), p, &Options{Fair: next()%2 == 0, Candidates: max(next()%4, 0), method: method(max(next(), 0) % 2)})
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrInfeasible) {
				t.Fatalf("got untyped error %v", err)
			}
			if res != nil {
				t.Fatalf("got a result together with error %v", err)
			}
			return
		}
		checkAssignment(t, p, res)
		if err := res.Verify(p); err != nil {
			t.Fatal(err)
		}
	})
}
