package main

import (
	"os"
	"testing"

	"github.com/kexie/techbroker/internal/pgnote"
)

// TestMain says, in one line, when the PostgreSQL run of the main job is
// skipped and how to run it.
func TestMain(m *testing.M) {
	pgnote.Skipped("./examples/yangpu")
	os.Exit(m.Run())
}
