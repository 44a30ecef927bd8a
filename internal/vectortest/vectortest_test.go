package vectortest

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func vec(expect string, tol float64) Vector {
	var e map[string]json.RawMessage
	if err := json.Unmarshal([]byte(expect), &e); err != nil {
		panic(err)
	}
	return Vector{ID: "v", Method: "m", Source: "s", Expect: e, Tol: tol}
}

// TestCompare pins the runner's rule (issue 21, defect 9): null means no
// result, and an error from the method is no result, so null + error
// passes, a number + error fails, and null + a number fails.
func TestCompare(t *testing.T) {
	refused := errors.New("valuation: rate = -1: must be greater than -1")
	nan := math.NaN()
	outputs := []string{"npv", "w", "df", "b", "rank"}
	tests := []struct {
		name   string
		expect string
		tol    float64
		got    map[string]any
		err    error
		fail   string // substring of the first difference; "" = pass
	}{
		{"null+error passes", `{"npv": null}`, 0, nil, refused, ""},
		{"number+error fails", `{"npv": 0}`, 0, nil, refused, `got error "valuation: rate = -1: must be greater than -1", want a result for npv`},
		{"null+number fails", `{"npv": null}`, 0, map[string]any{"npv": 12.5}, nil, "npv: got 12.5, want no result (null)"},
		{"null+NaN passes", `{"npv": null}`, 0, map[string]any{"npv": nan}, nil, ""},
		{"number+NaN fails", `{"npv": 1}`, 1, map[string]any{"npv": nan}, nil, "npv: got NaN, want 1"},
		{"within tol passes", `{"npv": 1}`, 0.01, map[string]any{"npv": 1.005}, nil, ""},
		{"outside tol fails", `{"npv": 1}`, 0.001, map[string]any{"npv": 1.005}, nil, "npv: got 1.005, want 1 (tol 0.001)"},
		{"all null+error passes", `{"w": null, "df": null}`, 0, nil, refused, ""},
		{"some number+error fails", `{"w": null, "df": 2}`, 0, nil, refused, "want a result for df"},
		{"partial result passes", `{"w": null, "df": 2}`, 0, map[string]any{"w": nan, "df": 2.0}, nil, ""},
		{"list+error fails", `{"b": [0.5, 0.5]}`, 0, nil, refused, "want a result for b"},
		{"null list+error passes", `{"b": null}`, 0, nil, refused, ""},
		{"null list+values fails", `{"b": null}`, 0, map[string]any{"b": []float64{0.5}}, nil, "b: got [0.5], want no result (null)"},
		{"null list+no values passes", `{"b": null}`, 0, map[string]any{"b": []float64(nil)}, nil, ""},
		{"list element null+NaN passes", `{"b": [0.5, null]}`, 0, map[string]any{"b": []float64{0.5, nan}}, nil, ""},
		{"list element null+number fails", `{"b": [0.5, null]}`, 0, map[string]any{"b": []float64{0.5, 0.5}}, nil, "b[1]: got 0.5, want no result (null)"},
		{"list length differs", `{"b": [0.5]}`, 0, map[string]any{"b": []float64{0.5, 0.5}}, nil, "b: got [0.5 0.5], want [0.5]"},
		{"ranks exact", `{"rank": [1, 2]}`, 0.9, map[string]any{"rank": []int{1, 2}}, nil, ""},
		{"ranks ignore tol", `{"rank": [1, 2]}`, 0.9, map[string]any{"rank": []int{1, 3}}, nil, "rank[1]: got 3, want 2 (exact)"},
		{"unknown key fails", `{"nvp": null}`, 0, nil, refused, `expect key "nvp" is not an output of m`},
		{"unknown key fails without error", `{"nvp": 1}`, 0, map[string]any{}, nil, `expect key "nvp" is not an output of m`},
		{"missing output fails", `{"npv": 1}`, 0, map[string]any{}, nil, `npv: the runner returned no "npv" and no error`},
		{"unknown output type fails", `{"npv": 1}`, 0, map[string]any{"npv": 1}, nil, "npv: the runner returned a int"},
		{"NaN tol fails", `{"npv": 1}`, nan, map[string]any{"npv": 5.0}, nil, "tol = NaN: must be a finite number ≥ 0"},
		{"negative tol fails", `{"npv": 1}`, -1, map[string]any{"npv": 1.0}, nil, "tol = -1"},
		{"error with no expectation fails", `{}`, 0, nil, refused, "expect names no key"},
		{"expected string fails", `{"npv": "1"}`, 0, map[string]any{"npv": 1.0}, nil, "npv: expected value 1 is not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(vec(tt.expect, tt.tol), outputs, tt.got, tt.err)
			switch {
			case tt.fail == "" && len(got) > 0:
				t.Errorf("got differences %q, want a pass", got)
			case tt.fail != "" && len(got) == 0:
				t.Errorf("got a pass, want a difference containing %q", tt.fail)
			case tt.fail != "" && !strings.Contains(got[0], tt.fail):
				t.Errorf("got differences %q, want the first to contain %q", got, tt.fail)
			}
		})
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("ok.json", `[{"id": "a", "method": "npv", "source": "s", "input": {"rate": -1}, "expect": {"npv": null}, "tol": 0}]`)
	vs, err := Read(ok)
	if err != nil || len(vs) != 1 || vs[0].File != "ok.json" || vs[0].Name() != "ok.json/a" {
		t.Fatalf("Read(ok): got %+v, %v", vs, err)
	}
	bad := []struct{ name, body, want string }{
		{"misspelt.json", `[{"id": "a", "method": "npv", "source": "s", "expct": {"npv": 1}, "tol": 0}]`, `unknown field "expct"`},
		{"nosource.json", `[{"id": "a", "method": "npv", "expect": {"npv": 1}, "tol": 0}]`, `vector 0 (id "a") has no source`},
		{"noexpect.json", `[{"id": "a", "method": "npv", "source": "s", "tol": 0}]`, "has no expect"},
		{"dup.json", `[{"id": "a", "method": "npv", "source": "s", "expect": {"npv": 1}}, {"id": "a", "method": "npv", "source": "s", "expect": {"npv": 1}}]`, `id "a" is used twice`},
		{"tol.json", `[{"id": "a", "method": "npv", "source": "s", "expect": {"npv": 1}, "tol": -0.5}]`, "tol = -0.5: must be a finite number ≥ 0"},
		{"object.json", `{"id": "a"}`, "cannot unmarshal object"},
		{"trailing.json", `[] []`, "data after the array"},
	}
	for _, tt := range bad {
		_, err := Read(write(tt.name, tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%s): got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
