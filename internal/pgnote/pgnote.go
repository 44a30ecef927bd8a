// Package pgnote tells whoever runs the tests that the PostgreSQL tests of
// a package are skipped and how to run them, so that an "ok" line is not
// taken for their coverage.
//
// go test hides a passing package's output unless it runs with -v or in
// one directory, so the one line goes both to standard error (shown then)
// and, when the tests run in a terminal, to the terminal itself (shown
// always). In CI, where DATABASE_URL is required, nothing is printed: the
// tests fail instead.
package pgnote

import (
	"fmt"
	"io"
	"os"
)

// Skipped prints, once, the line saying that pkg's PostgreSQL tests are
// skipped because DATABASE_URL is not set, and the command that runs them.
// It prints nothing when DATABASE_URL is set or CI is "true". Call it from
// the package's TestMain.
func Skipped(pkg string) {
	if os.Getenv("DATABASE_URL") != "" || os.Getenv("CI") == "true" {
		return
	}
	line := fmt.Sprintf("%s: PostgreSQL tests skipped (DATABASE_URL is not set); run them with "+
		"DATABASE_URL='postgres://USER@HOST:5432/DB?sslmode=disable' go test %s\n", pkg, pkg)
	write(os.Stderr, line)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		write(tty, line)
		tty.Close()
	}
}

func write(w io.Writer, s string) { _, _ = io.WriteString(w, s) }
