package pgstore

import (
	"os"
	"testing"

	"github.com/kexie/techbroker/internal/pgnote"
)

// TestMain says, in one line, when the package's PostgreSQL tests are
// skipped and how to run them.
func TestMain(m *testing.M) {
	pgnote.Skipped("./broker/pgstore")
	os.Exit(m.Run())
}
