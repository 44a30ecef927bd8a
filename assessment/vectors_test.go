package assessment

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/kexie/techbroker/internal/vectortest"
)

// vector is one test vector; the file format is shared with the evaluation
// package (see testdata/vectors/README.md).
type vector struct {
	ID     string                     `json:"id"`
	Method string                     `json:"method"`
	Source string                     `json:"source"`
	Input  json.RawMessage            `json:"input"`
	Expect map[string]json.RawMessage `json:"expect"`
	Tol    float64                    `json:"tol"`
}

// evaluationMethods are vector methods owned by the evaluation package; they
// may share a TECHBROKER_VECTORS directory and are skipped here.
var evaluationMethods = map[string]bool{
	"ahp": true, "fuzzy": true, "kendall_w": true, "icc": true, "npv": true, "irr": true, "pv": true,
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	files := vectortest.Files(t)
	var all []vector
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var vs []vector
		if err := json.Unmarshal(b, &vs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i := range vs {
			vs[i].ID = filepath.Base(f) + ":" + vs[i].ID
		}
		all = append(all, vs...)
	}
	return all
}

func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	ran := 0
	for _, v := range vs {
		t.Run(v.ID, func(t *testing.T) {
			switch v.Method {
			case "entropy":
				runEntropyVector(t, v)
			case "topsis":
				runTOPSISVector(t, v)
			default:
				if evaluationMethods[v.Method] {
					t.Skipf("method %q belongs to the evaluation package", v.Method)
				}
				t.Fatalf("unknown method %q", v.Method)
			}
			ran++
		})
	}
	if ran == 0 {
		t.Fatal("no assessment vectors ran")
	}
}

type matrixInput struct {
	Matrix        [][]float64 `json:"matrix"`
	Weights       []float64   `json:"weights"`
	Types         []int       `json:"types"`
	Normalization string      `json:"normalization"`
}

func (in matrixInput) directions(t *testing.T) []Direction {
	t.Helper()
	if in.Types == nil {
		return nil
	}
	d := make([]Direction, len(in.Types))
	for j, x := range in.Types {
		if x != 1 && x != -1 {
			t.Fatalf("types[%d] = %d, want 1 or -1", j, x)
		}
		d[j] = Direction(x)
	}
	return d
}

func decodeInput(t *testing.T, v vector) matrixInput {
	t.Helper()
	var in matrixInput
	if err := json.Unmarshal(v.Input, &in); err != nil {
		t.Fatalf("input: %v", err)
	}
	if len(in.Matrix) == 0 {
		t.Fatal("input.matrix is empty")
	}
	for i, r := range in.Matrix {
		if len(r) != len(in.Matrix[0]) {
			t.Fatalf("input.matrix row %d has %d columns, row 0 has %d", i, len(r), len(in.Matrix[0]))
		}
	}
	return in
}

// expectFloats decodes expect[key]; ok is false when the key is absent.
// A JSON null means "no result": the method must fail.
func expectFloats(t *testing.T, v vector, key string) (want []float64, null, ok bool) {
	t.Helper()
	raw, ok := v.Expect[key]
	if !ok {
		return nil, false, false
	}
	if string(raw) == "null" {
		return nil, true, true
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatalf("expect.%s: %v", key, err)
	}
	return want, false, true
}

func checkFloats(t *testing.T, key string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", key, len(got), got, len(want), want)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol || math.IsNaN(got[i]) {
			t.Errorf("%s[%d]: got %.12g, want %.12g (tol %g)", key, i, got[i], want[i], tol)
		}
	}
}

func runEntropyVector(t *testing.T, v vector) {
	in := decodeInput(t, v)
	got, err := EntropyWeights(in.Matrix, &EntropyOptions{
		Normalization: Normalization(in.Normalization),
		Directions:    in.directions(t),
	})
	want, null, ok := expectFloats(t, v, "weights")
	if !ok {
		return
	}
	if null {
		if err == nil {
			t.Fatalf("got weights %v, want an error (expect null)", got)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	checkFloats(t, "weights", got, want, v.Tol)
}

func runTOPSISVector(t *testing.T, v vector) {
	in := decodeInput(t, v)
	res, err := TOPSIS(in.Matrix, in.Weights, &TOPSISOptions{
		Normalization: Normalization(in.Normalization),
		Directions:    in.directions(t),
	})
	want, null, ok := expectFloats(t, v, "closeness")
	if ok && null {
		if err == nil {
			t.Fatalf("got closeness %v, want an error (expect null)", res.Closeness)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		checkFloats(t, "closeness", res.Closeness, want, v.Tol)
	}
	wantRank, null, ok := expectFloats(t, v, "ranking")
	if ok && !null {
		ranks, err := Rank(res.Closeness, &RankOptions{Tol: math.Max(v.Tol, 1e-12)})
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float64, len(ranks))
		for i, r := range ranks {
			got[i] = float64(r)
		}
		checkFloats(t, "ranking", got, wantRank, 0)
	}
}
