package evaluation

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/kexie/techbroker/evaluation/valuation"
	"github.com/kexie/techbroker/internal/vectortest"
	"github.com/shopspring/decimal"
)

// vector is one published test vector; see testdata/vectors/README.md.
type vector struct {
	ID     string                     `json:"id"`
	Method string                     `json:"method"`
	Source string                     `json:"source"`
	Input  map[string]json.RawMessage `json:"input"`
	Expect map[string]json.RawMessage `json:"expect"`
	Tol    float64                    `json:"tol"`
}

// otherPackageMethods belong to package assessment; a shared
// TECHBROKER_VECTORS directory may hold them, and they are skipped here.
var otherPackageMethods = map[string]bool{"entropy": true, "topsis": true}

// vectorFiles lists testdata/vectors/*.json and, when TECHBROKER_VECTORS
// names a directory, its *.json too.
func vectorFiles(t *testing.T) []string { return vectortest.Files(t) }

func TestVectors(t *testing.T) {
	files := vectorFiles(t)
	if len(files) == 0 {
		t.Fatal("no vector files found under testdata/vectors")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var vs []vector
		if err := json.Unmarshal(data, &vs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, v := range vs {
			t.Run(filepath.Base(f)+"/"+v.ID, func(t *testing.T) {
				if otherPackageMethods[v.Method] {
					t.Skipf("method %q is tested by package assessment", v.Method)
				}
				if v.Source == "" {
					t.Errorf("vector %s has no source", v.ID)
				}
				got, err := runVector(v)
				if err != nil {
					t.Fatal(err)
				}
				checkExpect(t, v, got)
			})
		}
	}
}

// runVector computes the method's outputs by expect key.
func runVector(v vector) (map[string]any, error) {
	in := func(key string, dst any) error {
		raw, ok := v.Input[key]
		if !ok {
			return fmt.Errorf("input %q missing", key)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("input %q: %v", key, err)
		}
		return nil
	}
	opt := func(key string, dst any) error {
		if _, ok := v.Input[key]; !ok {
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
			return nil, err
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
			return nil, err
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
			return nil, err
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
			return nil, err
		}
		x, err := res.Form(ICCForm(form))
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
			return nil, err
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
			return nil, err
		}
		return map[string]any{"pv": x.InexactFloat64()}, nil
	}
	return nil, fmt.Errorf("unknown method %q (want ahp, fuzzy, kendall_w, icc, npv, irr, pv)", v.Method)
}

// checkExpect compares every expected key with absolute tolerance v.Tol;
// null means NaN / no result. An expect key the method does not produce
// fails, so a typo cannot pass silently.
func checkExpect(t *testing.T, v vector, got map[string]any) {
	t.Helper()
	keys := make([]string, 0, len(v.Expect))
	for k := range v.Expect {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		raw := v.Expect[k]
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: expect key %q is not an output of %s", v.ID, k, v.Method)
			continue
		}
		var want any
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Errorf("%s: expect %q: %v", v.ID, k, err)
			continue
		}
		switch gv := g.(type) {
		case float64:
			checkScalar(t, v, k, gv, want)
		case []float64:
			ws, ok := want.([]any)
			if !ok || len(ws) != len(gv) {
				t.Errorf("%s: %s: got %v, want %v", v.ID, k, gv, want)
				continue
			}
			for i := range gv {
				checkScalar(t, v, fmt.Sprintf("%s[%d]", k, i), gv[i], ws[i])
			}
		}
	}
}

func checkScalar(t *testing.T, v vector, key string, got float64, want any) {
	t.Helper()
	if want == nil {
		if !math.IsNaN(got) {
			t.Errorf("%s: %s: got %v, want no result (null)", v.ID, key, got)
		}
		return
	}
	w, ok := want.(float64)
	if !ok {
		t.Errorf("%s: %s: expected value %v is not a number", v.ID, key, want)
		return
	}
	if math.IsNaN(got) || math.Abs(got-w) > v.Tol {
		t.Errorf("%s: %s: got %.10g, want %.10g (tol %g)", v.ID, key, got, w, v.Tol)
	}
}

func TestVectorLoaderRejectsUnknownMethod(t *testing.T) {
	_, err := runVector(vector{ID: "x", Method: "ahpp"})
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
