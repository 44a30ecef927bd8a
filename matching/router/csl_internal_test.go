package router

import (
	"os"
	"path/filepath"
	"testing"
)

// OpenCSL opens a file of the CSL sample from $TECHBROKER_CSL, else
// ../shared/data/csl beside the module root, and skips the test when it
// is absent. It is exported for the external tests too (csl_test.go),
// being part of the test binary only.
func OpenCSL(tb testing.TB, name string) *os.File {
	tb.Helper()
	dir := os.Getenv("TECHBROKER_CSL")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "csl")
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		tb.Skipf("CSL sample not found: %v", err)
	}
	return f
}
