package evaluation

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kexie/techbroker/evaluation/valuation"
	"github.com/kexie/techbroker/internal/vectortest"
	"github.com/shopspring/decimal"
)

// vector is one published test vector; see testdata/vectors/README.md.
type vector = vectortest.Vector

// otherPackageMethods belong to package assessment; a shared
// TECHBROKER_VECTORS directory may hold them, and they are skipped here.
var otherPackageMethods = map[string]bool{"entropy": true, "topsis": true}

// methodOutputs lists, for every method of this package, the keys it
// produces; an expect key outside them fails.
var methodOutputs = map[string][]string{
	"ahp":       {"weights", "lambda_max", "ci", "cr"},
	"fuzzy":     {"b"},
	"kendall_w": {"w", "chi2", "df", "p"},
	"icc":       {"icc"},
	"npv":       {"npv"},
	"irr":       {"irr"},
	"pv":        {"pv"},
}

// vectorFiles lists testdata/vectors/*.json and, when TECHBROKER_VECTORS
// names a directory, its *.json too.
func vectorFiles(t *testing.T) []string { return vectortest.Files(t) }

// TestVectors runs every vector through the shared runner: an input that
// cannot be read fails; the method's outputs, or its error, are compared
// by vectortest.Check (null = no result).
func TestVectors(t *testing.T) {
	for _, v := range vectortest.Load(t) {
		t.Run(v.Name(), func(t *testing.T) {
			if otherPackageMethods[v.Method] {
				t.Skipf("method %q is tested by package assessment", v.Method)
			}
			got, merr, err := runVector(v)
			if err != nil {
				t.Fatal(err)
			}
			vectortest.Check(t, v, methodOutputs[v.Method], got, merr)
		})
	}
}

// runVector computes the method's outputs by expect key. err is a fault
// of the vector (an unknown method, an input missing or unreadable) and
// fails the test whatever the expectation; merr is the method's own error,
// which the runner compares with the expectation (null = no result).
func runVector(v vector) (got map[string]any, merr, err error) {
	got, err = runMethod(v)
	var me methodError
	if errors.As(err, &me) {
		return nil, me.err, nil
	}
	return got, nil, err
}

// methodError marks an error returned by the method under test, as opposed
// to one about the vector's input.
type methodError struct{ err error }

func (e methodError) Error() string { return e.err.Error() }

// runMethod computes the outputs; the method's own errors are wrapped in
// methodError.
func runMethod(v vector) (map[string]any, error) {
	if _, ok := methodOutputs[v.Method]; !ok {
		return nil, fmt.Errorf("unknown method %q (want ahp, fuzzy, kendall_w, icc, npv, irr, pv)", v.Method)
	}
	var input map[string]json.RawMessage
	if err := json.Unmarshal(v.Input, &input); err != nil {
		return nil, fmt.Errorf("input: %v", err)
	}
	in := func(key string, dst any) error {
		raw, ok := input[key]
		if !ok {
			return fmt.Errorf("input %q missing", key)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("input %q: %v", key, err)
		}
		return nil
	}
	opt := func(key string, dst any) error {
		if _, ok := input[key]; !ok {
			return nil
		}
		return in(key, dst)
	}
	switch v.Method {
	case "ahp":
		var m [][]float64
		var ri, method string
		if err := in("matrix", &m); err != nil {
			return nil, err
		}
		if err := opt("ri", &ri); err != nil {
			return nil, err
		}
		if err := opt("method", &method); err != nil {
			return nil, err
		}
		o := &AHPOptions{RI: RandomIndexTable(ri)}
		switch method {
		case "", "eigenvector":
			o.Method = Eigenvector
		case "geometric":
			o.Method = GeometricMean
		case "arithmetic":
			o.Method = ArithmeticMean
		default:
			return nil, fmt.Errorf("unknown ahp method %q", method)
		}
		r, err := AHP(m, o)
		var rie *RandomIndexError
		if err != nil && !(errors.As(err, &rie) && len(r.Weights) > 0) {
			return nil, methodError{err}
		}
		return map[string]any{"weights": r.Weights, "lambda_max": r.LambdaMax, "ci": r.CI, "cr": r.CR}, nil
	case "fuzzy":
		var w []float64
		var r [][]float64
		var op string
		var norm bool
		if err := in("weights", &w); err != nil {
			return nil, err
		}
		if err := in("membership", &r); err != nil {
			return nil, err
		}
		if err := in("operator", &op); err != nil {
			return nil, err
		}
		if err := opt("normalize", &norm); err != nil {
			return nil, err
		}
		fop, err := ParseFuzzyOperator(op)
		if err != nil {
			return nil, err
		}
		b, err := FuzzyEvaluate(w, r, fop, norm)
		if err != nil {
			return nil, methodError{err}
		}
		return map[string]any{"b": b}, nil
	case "kendall_w":
		var r [][]float64
		var tc bool
		if err := in("ratings", &r); err != nil {
			return nil, err
		}
		if err := opt("tie_correction", &tc); err != nil {
			return nil, err
		}
		k, err := KendallW(r, tc)
		if err != nil {
			return nil, methodError{err}
		}
		return map[string]any{"w": k.W, "chi2": k.Chi2, "df": float64(k.DF), "p": k.P}, nil
	case "icc":
		var r [][]float64
		var form string
		if err := in("ratings", &r); err != nil {
			return nil, err
		}
		if err := in("form", &form); err != nil {
			return nil, err
		}
		res, err := ICC(r)
		if err != nil {
			return nil, methodError{err}
		}
		x, err := res.Form(ICCForm(form)) // an unknown form is the vector's fault
		if err != nil {
			return nil, err
		}
		return map[string]any{"icc": x}, nil
	case "npv":
		var rate decimal.Decimal
		var vals []decimal.Decimal
		if err := in("rate", &rate); err != nil {
			return nil, err
		}
		if err := in("values", &vals); err != nil {
			return nil, err
		}
		x, err := valuation.NPV(rate, vals)
		if err != nil {
			return nil, methodError{err}
		}
		return map[string]any{"npv": x.InexactFloat64()}, nil
	case "irr":
		var vals []decimal.Decimal
		if err := in("values", &vals); err != nil {
			return nil, err
		}
		r := valuation.IRR(vals)
		return map[string]any{"irr": r.Float}, nil
	case "pv":
		var rate, pmt, fv decimal.Decimal
		var nper int
		when := "end"
		if err := in("rate", &rate); err != nil {
			return nil, err
		}
		if err := in("nper", &nper); err != nil {
			return nil, err
		}
		if err := in("pmt", &pmt); err != nil {
			return nil, err
		}
		if err := opt("fv", &fv); err != nil {
			return nil, err
		}
		if err := opt("when", &when); err != nil {
			return nil, err
		}
		var w valuation.When
		switch when {
		case "end":
			w = valuation.End
		case "begin":
			w = valuation.Begin
		default:
			return nil, fmt.Errorf("unknown when %q", when)
		}
		x, err := valuation.PV(rate, nper, pmt, fv, w)
		if err != nil {
			return nil, methodError{err}
		}
		return map[string]any{"pv": x.InexactFloat64()}, nil
	}
	return nil, fmt.Errorf("no runner for method %q", v.Method)
}

func TestVectorLoaderRejectsUnknownMethod(t *testing.T) {
	_, _, err := runVector(vector{ID: "x", Method: "ahpp"})
	if err == nil {
		t.Fatal("got nil error for unknown method, want failure")
	}
	if !otherPackageMethods["entropy"] || !otherPackageMethods["topsis"] || otherPackageMethods["ahpp"] {
		t.Error("skip list wrong")
	}
}

func TestVectorFilesFromEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "outside.json")
	if err := os.WriteFile(file, []byte(`[{"id":"e","method":"entropy","source":"x","input":{},"expect":{},"tol":0}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TECHBROKER_VECTORS", dir)
	if files := vectorFiles(t); !slices.Contains(files, file) {
		t.Errorf("got files %v, want them to include %s", files, file)
	}
}

// TestVectorInputFaultIsNotNoResult: a vector whose input the runner
// cannot read fails even when it expects no result, while the method's
// own refusal is handed to the runner as "no result" (issue 21, defect 9).
func TestVectorInputFaultIsNotNoResult(t *testing.T) {
	null := map[string]json.RawMessage{"npv": json.RawMessage("null")}
	for _, input := range []string{`{"rat": -1, "values": [1, 2]}`, `{"rate": "x", "values": [1, 2]}`, `[]`} {
		_, merr, err := runVector(vector{ID: "typo", Method: "npv", Input: json.RawMessage(input), Expect: null})
		if err == nil || merr != nil {
			t.Errorf("input %s: got vector fault %v, method error %v; want a vector fault only", input, err, merr)
		}
	}
	v := vector{ID: "m1", Method: "npv", Input: json.RawMessage(`{"rate": -1, "values": [1, 2]}`), Expect: null}
	_, merr, err := runVector(v)
	if err != nil || merr == nil {
		t.Fatalf("rate -1: got vector fault %v, method error %v; want the method's error", err, merr)
	}
	if p := vectortest.Compare(v, methodOutputs["npv"], nil, merr); len(p) > 0 {
		t.Errorf("rate -1 with npv null: got %q, want a pass", p)
	}
	v.Expect = map[string]json.RawMessage{"npv": json.RawMessage("0")}
	if p := vectortest.Compare(v, methodOutputs["npv"], nil, merr); len(p) == 0 {
		t.Error("rate -1 with npv 0: got a pass, want a failure")
	}
}
