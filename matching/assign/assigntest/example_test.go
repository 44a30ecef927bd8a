package assigntest_test

import (
	"fmt"

	"github.com/kexie/techbroker/matching/assign/assigntest"
)

// A popularity-skewed instance listing each item's 3 best experts.
func ExampleGenerate() {
	in, err := assigntest.Generate(assigntest.Config{
		Shape: assigntest.Popular, Items: 4, Experts: 50, Seed: 1, TopK: 3,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(in.Items), "items,", len(in.Experts), "experts,", len(in.Scores), "listed pairs")
	// Output:
	// 4 items, 50 experts, 12 listed pairs
}
