package assign_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/kexie/techbroker/matching/assign"
)

// Three achievements need two reviewers each; four experts take at most two
// each. Alice co-authored the battery patent, so she may not review it.
func ExampleSolve() {
	var b assign.Builder
	for _, s := range []struct {
		expert, item string
		score        float64
	}{
		{"alice", "battery", 0.9}, {"bob", "battery", 0.7}, {"carol", "battery", 0.2},
		{"alice", "sensor", 0.8}, {"bob", "sensor", 0.1}, {"dave", "sensor", 0.6},
		{"carol", "printing", 0.9}, {"dave", "printing", 0.5}, {"alice", "printing", 0.4},
	} {
		b.SetAffinity(s.expert, s.item, s.score)
	}
	b.Forbid("alice", "battery", "co-inventor")
	p := b.Problem(2, 0, 2)

	res, err := assign.Solve(context.Background(), p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, panel := range res.Panels {
		fmt.Print(p.Items[i], ":")
		for _, e := range panel {
			fmt.Print(" ", p.Experts[e])
		}
		fmt.Printf(" (%.1f)\n", res.ItemTotal[i])
	}
	fmt.Printf("total %.1f, proven optimal: %v\n", res.Total, res.Verify(p) == nil)
	// Output:
	// battery: bob carol (0.9)
	// sensor: alice dave (1.4)
	// printing: carol dave (1.4)
	// total 3.7, proven optimal: true
}

// An item whose every expert is in conflict cannot be covered; the error
// names it and the conflicts.
func ExampleInfeasibleError() {
	var b assign.Builder
	b.SetAffinity("alice", "battery", 0.9)
	b.SetAffinity("bob", "battery", 0.7)
	b.Forbid("alice", "battery", "same institution")
	_, err := assign.Solve(context.Background(), b.Problem(2, 0, 1), nil)
	var ie *assign.InfeasibleError
	if errors.As(err, &ie) {
		fmt.Println(ie.Reason, ie.Items, ie.Experts)
	}
	fmt.Println(err)
	// Output:
	// not enough allowed experts for an item [battery] [alice]
	// assign: infeasible: not enough allowed experts for an item: item "battery" needs 2 more experts but only 1 are allowed; items "battery"; experts "alice"; conflicts "alice/battery: same institution"
}
