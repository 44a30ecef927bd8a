package assessment

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/kexie/techbroker/internal/vectortest"
)

// vector is one test vector; the file format is shared with the evaluation
// package (see testdata/vectors/README.md).
type vector = vectortest.Vector

// evaluationMethods are vector methods owned by the evaluation package; they
// may share a TECHBROKER_VECTORS directory and are skipped here.
var evaluationMethods = map[string]bool{
	"ahp": true, "fuzzy": true, "kendall_w": true, "icc": true, "npv": true, "irr": true, "pv": true,
}

// methodOutputs lists the keys each method of this package produces.
var methodOutputs = map[string][]string{
	"entropy": {"weights"},
	"topsis":  {"closeness", "ranking"},
}

func TestVectors(t *testing.T) {
	ran := 0
	for _, v := range vectortest.Load(t) {
		t.Run(v.Name(), func(t *testing.T) {
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

// runEntropyVector and runTOPSISVector fail on an input they cannot read
// (decodeInput) and hand the method's outputs, or its error, to
// vectortest.Check, where null means no result.
func runEntropyVector(t *testing.T, v vector) {
	in := decodeInput(t, v)
	got, err := EntropyWeights(in.Matrix, &EntropyOptions{
		Normalization: Normalization(in.Normalization),
		Directions:    in.directions(t),
	})
	vectortest.Check(t, v, methodOutputs["entropy"], map[string]any{"weights": got}, err)
}

func runTOPSISVector(t *testing.T, v vector) {
	in := decodeInput(t, v)
	res, err := TOPSIS(in.Matrix, in.Weights, &TOPSISOptions{
		Normalization: Normalization(in.Normalization),
		Directions:    in.directions(t),
	})
	got := map[string]any{"closeness": res.Closeness}
	if err == nil {
		ranks, rerr := Rank(res.Closeness, &RankOptions{Tol: math.Max(v.Tol, 1e-12)})
		if rerr != nil {
			t.Fatalf("ranking the closeness %v: %v", res.Closeness, rerr)
		}
		got["ranking"] = ranks
	}
	vectortest.Check(t, v, methodOutputs["topsis"], got, err)
}
