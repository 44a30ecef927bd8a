// Package vectortest runs the test vectors of the numeric packages
// (evaluation, assessment): it finds the vector files, reads them, and
// compares a method's outputs with a vector's expectations, so that both
// packages apply one rule for tolerances and for "no result".
//
// # Files
//
// Every *.json under the package's testdata/vectors/ and, when the
// environment variable TECHBROKER_VECTORS names a directory, every *.json
// there too, so that outside vector sets run without code changes. A file
// holds one JSON array of Vector.
//
// # Expectations
//
// Every number in expect is compared with absolute tolerance tol; absent
// keys are not checked; an expect key the method does not produce fails.
// null means "no result": the method returned an error, or NaN for a
// number, or no values for a list. So an error from the method passes when
// every expected key is null, and fails when any key expects a number. An
// input the runner cannot read is the vector's fault and always fails: the
// packages report it before calling Check, never as a method error.
package vectortest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// Vector is one test vector; see the packages' testdata/vectors/README.md.
type Vector struct {
	ID     string                     `json:"id"`
	Method string                     `json:"method"`
	Source string                     `json:"source"`
	Input  json.RawMessage            `json:"input"`
	Expect map[string]json.RawMessage `json:"expect"`
	Tol    float64                    `json:"tol"`
	// File is the base name of the file the vector was read from.
	File string `json:"-"`
}

// Name is the vector's name for t.Run: file/id.
func (v Vector) Name() string { return v.File + "/" + v.ID }

// Load reads the vectors of Files(tb), failing the test on a file that
// Read refuses and when there are none.
func Load(tb testing.TB) []Vector {
	tb.Helper()
	var all []Vector
	for _, f := range Files(tb) {
		vs, err := Read(f)
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, vs...)
	}
	if len(all) == 0 {
		tb.Fatal("vectortest: no vectors found under testdata/vectors")
	}
	return all
}

// Read reads one vector file. It refuses a file that is not one JSON array
// of vectors, a field it does not know (a misspelt "expect" would otherwise
// check nothing), and a vector without an id, a method, a source or an
// expected key, with a repeated id, or whose tol is not a finite number ≥ 0.
func Read(path string) ([]Vector, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var vs []Vector
	if err := dec.Decode(&vs); err != nil {
		return nil, fmt.Errorf("vectortest: %s: %w", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("vectortest: %s: data after the array of vectors", path)
	}
	base := filepath.Base(path)
	seen := make(map[string]bool, len(vs))
	var errs []error
	for i := range vs {
		v := &vs[i]
		v.File = base
		var missing []string
		if v.ID == "" {
			missing = append(missing, "id")
		}
		if v.Method == "" {
			missing = append(missing, "method")
		}
		if v.Source == "" {
			missing = append(missing, "source")
		}
		if len(v.Expect) == 0 {
			missing = append(missing, "expect")
		}
		if len(missing) > 0 {
			errs = append(errs, fmt.Errorf("vectortest: %s: vector %d (id %q) has no %s", base, i, v.ID, strings.Join(missing, ", ")))
		}
		if v.ID != "" && seen[v.ID] {
			errs = append(errs, fmt.Errorf("vectortest: %s: id %q is used twice", base, v.ID))
		}
		seen[v.ID] = true
		if p := tolProblem(v.Tol); p != "" {
			errs = append(errs, fmt.Errorf("vectortest: %s: %s: %s", base, v.ID, p))
		}
	}
	return vs, errors.Join(errs...)
}

func tolProblem(tol float64) string {
	if !(tol >= 0) || math.IsInf(tol, 0) {
		return fmt.Sprintf("tol = %v: must be a finite number ≥ 0", tol)
	}
	return ""
}

// Check reports with tb.Errorf every difference Compare finds.
func Check(tb testing.TB, v Vector, outputs []string, got map[string]any, err error) {
	tb.Helper()
	for _, p := range Compare(v, outputs, got, err) {
		tb.Errorf("%s: %s", v.ID, p)
	}
}

// Compare compares what a method returned with v.Expect and returns the
// differences, one readable line each; none means the vector passes.
// outputs lists every key the method can produce; got holds the outputs
// when err is nil: float64 and []float64 are compared with v.Tol, []int
// (ranks, counts) exactly; err is the method's own error,
// which is "no result" for every output (see the package doc). Keys are
// compared in sorted order.
func Compare(v Vector, outputs []string, got map[string]any, err error) []string {
	var out []string
	if p := tolProblem(v.Tol); p != "" {
		out = append(out, p)
	}
	keys := make([]string, 0, len(v.Expect))
	for k := range v.Expect {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var valued []string // keys that expect a value, not null
	for _, k := range keys {
		if !slices.Contains(outputs, k) {
			out = append(out, fmt.Sprintf("expect key %q is not an output of %s (outputs: %s)", k, v.Method, strings.Join(outputs, ", ")))
			continue
		}
		var want any
		if e := json.Unmarshal(v.Expect[k], &want); e != nil {
			out = append(out, fmt.Sprintf("expect %q: %v", k, e))
			continue
		}
		if want != nil {
			valued = append(valued, k)
		}
		if err != nil {
			continue
		}
		g, ok := got[k]
		if !ok {
			out = append(out, fmt.Sprintf("%s: the runner returned no %q and no error", k, k))
			continue
		}
		switch gv := g.(type) {
		case float64:
			out = appendScalar(out, k, gv, want, v.Tol)
		case []float64:
			if want == nil {
				if len(gv) > 0 {
					out = append(out, fmt.Sprintf("%s: got %v, want no result (null)", k, gv))
				}
				continue
			}
			ws, ok := want.([]any)
			if !ok || len(ws) != len(gv) {
				out = append(out, fmt.Sprintf("%s: got %v, want %v", k, gv, want))
				continue
			}
			for i := range gv {
				out = appendScalar(out, fmt.Sprintf("%s[%d]", k, i), gv[i], ws[i], v.Tol)
			}
		case []int:
			if want == nil {
				if len(gv) > 0 {
					out = append(out, fmt.Sprintf("%s: got %v, want no result (null)", k, gv))
				}
				continue
			}
			ws, ok := want.([]any)
			if !ok || len(ws) != len(gv) {
				out = append(out, fmt.Sprintf("%s: got %v, want %v", k, gv, want))
				continue
			}
			for i := range gv {
				if w, ok := ws[i].(float64); !ok || w != float64(gv[i]) {
					out = append(out, fmt.Sprintf("%s[%d]: got %d, want %v (exact)", k, i, gv[i], ws[i]))
				}
			}
		default:
			out = append(out, fmt.Sprintf("%s: the runner returned a %T, want float64, []float64 or []int", k, g))
		}
	}
	if err != nil {
		switch {
		case len(valued) > 0:
			out = append(out, fmt.Sprintf("got error %q, want a result for %s", err, strings.Join(valued, ", ")))
		case len(keys) == 0:
			out = append(out, fmt.Sprintf("got error %q and expect names no key", err))
		}
	}
	return out
}

func appendScalar(out []string, key string, got float64, want any, tol float64) []string {
	if want == nil {
		if !math.IsNaN(got) {
			out = append(out, fmt.Sprintf("%s: got %v, want no result (null)", key, got))
		}
		return out
	}
	w, ok := want.(float64)
	if !ok {
		return append(out, fmt.Sprintf("%s: expected value %v is not a number", key, want))
	}
	if math.IsNaN(got) || !(math.Abs(got-w) <= tol) {
		out = append(out, fmt.Sprintf("%s: got %.10g, want %.10g (tol %g)", key, got, w, tol))
	}
	return out
}
