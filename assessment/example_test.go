package assessment_test

import (
	"fmt"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/assessment/assessmenttest"
	"github.com/shopspring/decimal"
)

// The fighter-aircraft example of Hwang & Yoon (1981).
func ExampleTOPSIS() {
	m := [][]float64{
		{2.0, 1500, 20000, 5.5, 5, 9},
		{2.5, 2700, 18000, 6.5, 3, 5},
		{1.8, 2000, 21000, 4.5, 7, 7},
		{2.2, 1800, 20000, 5.0, 5, 5},
	}
	b, c := assessment.Benefit, assessment.Cost
	res, err := assessment.TOPSIS(m, []float64{0.2, 0.1, 0.1, 0.1, 0.2, 0.3},
		&assessment.TOPSISOptions{Normalization: assessment.Vector, Directions: []assessment.Direction{b, b, b, c, b, b}})
	if err != nil {
		panic(err)
	}
	ranks, _ := assessment.Rank(res.Closeness, nil)
	for i, cc := range res.Closeness {
		fmt.Printf("A%d %.3f rank %d\n", i+1, cc, ranks[i])
	}
	// Output:
	// A1 0.643 rank 1
	// A2 0.268 rank 4
	// A3 0.614 rank 2
	// A4 0.312 rank 3
}

func ExampleEntropyWeights() {
	m := [][]float64{{0, 5}, {1, 5}, {2, 5}} // the second column never varies
	w, err := assessment.EntropyWeights(m, &assessment.EntropyOptions{Normalization: assessment.Sum})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.2f\n", w)
	// Output: [1.00 0.00]
}

// Shares from the article's page, computed on exact amounts.
func ExampleSharePercent() {
	d := decimal.RequireFromString
	a, _ := assessment.SharePercent(d("3297.6"), d("4823.5"), 1)
	b, _ := assessment.SharePercent(d("3847.2"), d("7386.1"), 1)
	c, _ := assessment.SharePercent(d("428"), d("441"), 1)
	fmt.Printf("%s%% %s%% %s%%\n", a, b, c)
	// Output: 68.4% 52.1% 97.1%
}

func ExampleComputeIndex() {
	inds := []assessment.Indicator{
		{ID: "rd", NameEN: "R&D spending", Direction: assessment.Benefit},
		{ID: "energy", NameEN: "Energy per output", Direction: assessment.Cost},
	}
	res, err := assessment.ComputeIndex([]string{"2020", "2021", "2022"},
		[][]float64{{10, 2}, {12, 2}, {15, 1.6}},
		assessment.IndexSpec{Indicators: inds, Weights: []float64{0.6, 0.4}, Base: 0, Method: assessment.Chained})
	if err != nil {
		panic(err)
	}
	for t, p := range res.Periods {
		fmt.Printf("%s %.1f", p, res.Values[t])
		if t > 0 {
			fmt.Printf(" %+.1f%%", 100*res.Growth[t])
		}
		fmt.Println()
	}
	// Output:
	// 2020 100.0
	// 2021 112.0 +12.0%
	// 2022 140.0 +25.0%
}

func ExampleScheme_Score() {
	sc, err := assessment.DefaultScheme().Score(assessmenttest.SevenBrokers("2024"))
	if err != nil {
		panic(err)
	}
	for _, b := range sc.Entities {
		fmt.Printf("%d %-20s %5.1f %s\n", b.Rank, b.ID, b.Total, b.Grade)
	}
	// Output:
	// 1 fudan-ie              74.0 A
	// 3 tongji-design         50.5 B
	// 5 shou-marine           43.1 C
	// 4 xinhua-paediatrics    43.1 C
	// 6 sppc-printing         35.5 D
	// 7 iep-purification      30.4 D
	// 2 csme-machinery        58.2 B
}
