package analysis_test

import (
	"fmt"

	"github.com/kexie/techbroker/matching/analysis"
)

func ExampleNormalize() {
	fmt.Println(analysis.Normalize("ＰＭ２．５传感器"))
	// Output: pm2.5传感器
}

func ExampleAnalyzer_Terms() {
	a := analysis.New(&analysis.Options{Synonyms: [][]string{{"人工智能", "AI"}}})
	fmt.Println(a.Terms("5G的AI芯片"))
	// Output: [5g ai 芯 芯片 片 人工智能]
}

func ExampleAnalyzer_AppendKeys() {
	a := analysis.New(nil)
	keys, long := a.AppendKeys(nil, nil, "锂电池 Li-ion")
	for _, k := range keys {
		if k == 0 {
			fmt.Print(long[0], " ")
			long = long[1:]
			continue
		}
		fmt.Print(analysis.KeyTerm(k), " ")
	}
	fmt.Println()
	// Output: 锂 锂电 电 电池 池 li-ion li ion
}
