package drivertest_test

import (
	"bytes"
	"fmt"

	"github.com/kexie/techbroker/broker/drivertest"
)

// The benchmarks' data: valid, distinct achievements in broker's CSV
// import format, the same for the same seed.
func ExampleGenerateAchievementsCSV() {
	data := drivertest.GenerateAchievementsCSV(1000, 1)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	fmt.Println(string(lines[0]))
	fmt.Println(len(lines)-1, "rows")
	fmt.Println(bytes.Equal(data, drivertest.GenerateAchievementsCSV(1000, 1)))
	// Output:
	// title,summary,abstract,keywords,owner,broker,inventors,readiness_scale,readiness_level,transfer_modes,asking_price
	// 1000 rows
	// true
}
