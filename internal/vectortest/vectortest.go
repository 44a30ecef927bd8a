// Package vectortest finds the test-vector files that the numeric packages'
// tests run (evaluation, assessment): every *.json under the package's
// testdata/vectors/ and, when the environment variable TECHBROKER_VECTORS
// names a directory, every *.json there too, so that outside vector sets run
// without code changes.
package vectortest

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the directory of extra vector files.
const EnvVar = "TECHBROKER_VECTORS"

// Files returns the vector files for the calling package's test. It fails
// the test when TECHBROKER_VECTORS is set but holds no *.json file, so that a
// mistyped directory cannot pass silently.
func Files(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "vectors", "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if dir := os.Getenv(EnvVar); dir != "" {
		more, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			tb.Fatal(err)
		}
		if len(more) == 0 {
			tb.Fatalf("%s=%s holds no *.json files", EnvVar, dir)
		}
		files = append(files, more...)
	}
	return files
}
