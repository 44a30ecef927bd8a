package router

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
)

func TestRouter(t *testing.T) {
	train := []Example{
		{"电池 材料", "能源"}, {"电池 电解质", "能源"}, {"光伏 电池", "能源"},
		{"儿童 哮喘", "医学"}, {"新生儿 黄疸", "医学"}, {"儿童 用药", "医学"},
	}
	for _, opts := range []*Options{nil, {Neighbours: 3}, {Complement: true}, {Binary: true}, {Model: LinearSVM}} {
		r, err := Train(train, opts)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct{ text, want string }{{"电池", "能源"}, {"儿童", "医学"}}
		for _, tt := range tests {
			got := r.Route(tt.text)
			if got.Label != tt.want {
				t.Errorf("%+v: Route(%q) = %s, want %s", opts, tt.text, got.Label, tt.want)
			}
			checkRouting(t, got)
		}
	}
	r, _ := Train(train, &Options{Threshold: 0.99})
	if got := r.Route("城市"); !got.NeedsPerson {
		t.Errorf("Route of an unknown text: %+v, want NeedsPerson", got)
	}
}

// checkRouting checks that the scores are probabilities, sorted, and
// that Label and Confidence are the top score.
func checkRouting(t *testing.T, got Routing) {
	t.Helper()
	sum := 0.0
	for i, s := range got.Scores {
		sum += s.Score
		if s.Score < 0 || s.Score > 1 || math.IsNaN(s.Score) {
			t.Errorf("score %+v, want 0..1", s)
		}
		if i > 0 && s.Score > got.Scores[i-1].Score {
			t.Errorf("scores not sorted: %+v", got.Scores)
		}
	}
	if math.Abs(sum-1) > 1e-9 || got.Confidence != got.Scores[0].Score || got.Label != got.Scores[0].Label {
		t.Errorf("scores %+v sum to %v with %s at %v, want 1 and the top label and score", got.Scores, sum, got.Label, got.Confidence)
	}
}

// topics is a toy corpus of three labels, each with its own words and
// some words shared by all, enough examples (45) for the LinearSVM to
// calibrate.
func topics(seed uint64) []Example {
	words := map[string][]string{
		"能源": {"电池", "光伏", "储能", "电解质", "风电"},
		"医学": {"哮喘", "黄疸", "疫苗", "肿瘤", "用药"},
		"农学": {"水稻", "小麦", "土壤", "施肥", "灌溉"},
	}
	shared := []string{"研究", "分析", "方法", "系统"}
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []Example
	for i := range 15 {
		for _, label := range []string{"能源", "医学", "农学"} {
			w := words[label]
			text := fmt.Sprintf("%s %s %s", w[rng.IntN(len(w))], w[(i+rng.IntN(4))%len(w)], shared[rng.IntN(len(shared))])
			out = append(out, Example{Text: text, Label: label})
		}
	}
	return out
}

func TestRouterLinear(t *testing.T) {
	r, err := Train(topics(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.lin == nil {
		t.Fatal("the default model for 45 examples is not the LinearSVM")
	}
	if r.lin.temp <= 0 || r.lin.temp == 1 {
		t.Errorf("temperature %v, want a fitted one (> 0, not the uncalibrated 1)", r.lin.temp)
	}
	tests := []struct{ text, want string }{
		{"新型储能电池", "能源"}, {"光伏 风电 分析", "能源"},
		{"肿瘤疫苗研究", "医学"}, {"儿童哮喘用药", "医学"},
		{"水稻施肥方法", "农学"}, {"小麦灌溉系统", "农学"},
	}
	for _, tt := range tests {
		got := r.Route(tt.text)
		if got.Label != tt.want {
			t.Errorf("Route(%q) = %s, want %s (%+v)", tt.text, got.Label, tt.want, got.Scores)
		}
		if got.NeedsPerson {
			t.Errorf("Route(%q): confidence %v, want ≥ 0.5 for a clear text", tt.text, got.Confidence)
		}
		checkRouting(t, got)
	}
	// Only shared words: no label should be sure.
	if got := r.Route("研究 分析 方法"); got.Confidence > 0.8 {
		t.Errorf("Route of shared words: %+v, want confidence ≤ 0.8", got)
	}
	checkRouting(t, r.Route(""))

	// Examples without any term (empty, or only stop words) are valid.
	ex := append(topics(1), Example{"", "能源"}, Example{"的 和", "医学"})
	if r, err = Train(ex, nil); err != nil {
		t.Fatal(err)
	}
	if got := r.Route("水稻施肥"); got.Label != "农学" {
		t.Errorf("with empty examples, Route = %+v, want 农学", got)
	}
}

func TestRouterModelChoice(t *testing.T) {
	few := topics(1)[:12]
	many := topics(1)
	tests := []struct {
		name       string
		ex         []Example
		opts       *Options
		wantLinear bool
	}{
		{"default", many, nil, true},
		{"default few", few, nil, false},
		{"alpha", many, &Options{Alpha: 0.5}, false},
		{"complement", many, &Options{Complement: true}, false},
		{"binary", many, &Options{Binary: true}, false},
		{"neighbours", many, &Options{Neighbours: 3}, true},
		{"naive Bayes", many, &Options{Model: NaiveBayes}, false},
		{"linear few", few, &Options{Model: LinearSVM}, true},
	}
	for _, tt := range tests {
		r, err := Train(tt.ex, tt.opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := r.lin != nil; got != tt.wantLinear {
			t.Errorf("%s: LinearSVM = %v, want %v", tt.name, got, tt.wantLinear)
		}
		if got := r.Route("电池 储能"); got.Label != "能源" {
			t.Errorf("%s: Route = %+v, want 能源", tt.name, got)
		}
	}
	r, _ := Train(few, &Options{Model: LinearSVM})
	if r.lin.temp != 1 {
		t.Errorf("temperature with %d examples = %v, want 1 (too few to calibrate)", len(few), r.lin.temp)
	}
}

func TestRouterDeterministic(t *testing.T) {
	ex := topics(2)
	texts := []string{"储能 研究", "疫苗 小麦", "系统", "土壤 电池 肿瘤"}
	route := func(opts *Options) []Routing {
		r, err := Train(ex, opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []Routing
		for _, s := range texts {
			out = append(out, r.Route(s))
		}
		return out
	}
	a, b := route(&Options{Seed: 7}), route(&Options{Seed: 7})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two trainings with one seed differ:\n%+v\n%+v", a, b)
	}
}

func TestRouterConcurrent(t *testing.T) {
	r, err := Train(topics(3), &Options{Neighbours: 3})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"储能 研究", "疫苗", "水稻 灌溉", "系统 分析", "未知"}
	want := make([]Routing, len(texts))
	for i, s := range texts {
		want[i] = r.Route(s)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 50 {
				i := (g + k) % len(texts)
				if got := r.Route(texts[i]); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("concurrent Route(%q) = %+v, want %+v", texts[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestRouterErrors(t *testing.T) {
	one := []Example{{"a", "x"}}
	two := []Example{{"a", "x"}, {"b", "y"}}
	tests := []struct {
		name string
		ex   []Example
		opts *Options
	}{
		{"none", nil, nil},
		{"one label", one, nil},
		{"no label", []Example{{"a", ""}}, nil},
		{"alpha", two, &Options{Alpha: -1}},
		{"neighbours", two, &Options{Neighbours: -1}},
		{"weight", two, &Options{NeighbourWeight: 2}},
		{"threshold", two, &Options{Threshold: 1.5}},
		{"model", two, &Options{Model: 9}},
		{"C negative", two, &Options{C: -1}},
		{"C NaN", two, &Options{C: math.NaN()}},
		{"C infinite", two, &Options{C: math.Inf(1)}},
		{"linear complement", two, &Options{Model: LinearSVM, Complement: true}},
		{"linear binary", two, &Options{Model: LinearSVM, Binary: true}},
		{"linear alpha", two, &Options{Model: LinearSVM, Alpha: 0.2}},
		{"balanced and unbalanced", two, &Options{Balanced: true, Unbalanced: true}},
	}
	for _, tt := range tests {
		if _, err := Train(tt.ex, tt.opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", tt.name, err)
		}
	}
}

// TestSVMDualCD checks the solver on separable points: every training
// point ends on its side with a margin of about 1 or more (the squared
// hinge loss lets a few sit a little inside).
func TestSVMDualCD(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var xs []sparseVec
	var y []float64
	for i := range 200 {
		label := float64(1 - 2*(i%2))
		a, b := rng.Float64(), rng.Float64()
		// Feature 0 carries the label, feature 1 is noise.
		xs = append(xs, sparseVec{idx: []int32{0, 1}, val: []float64{label * (1 + a), b}})
		y = append(y, label)
	}
	w := make([]float64, 3)
	svmDualCD(xs, y, 10, 10, 0.1, rand.New(rand.NewPCG(1, 1)), w)
	for i, x := range xs {
		m := w[2] + w[0]*x.val[0] + w[1]*x.val[1]
		if y[i]*m < 0.9 {
			t.Errorf("point %d: y·margin = %.3f, want ≥ 0.9 (w = %v)", i, y[i]*m, w)
			break
		}
	}
	if math.Abs(w[1]) > 0.5*math.Abs(w[0]) {
		t.Errorf("w = %v, want the noise weight well under the label weight", w)
	}
}

// TestFitTemperature draws labels from softmax(T·margins) for a known T
// and checks that the fit recovers it.
func TestFitTemperature(t *testing.T) {
	for _, want := range []float64{0.5, 3, 10} {
		rng := rand.New(rand.NewPCG(9, uint64(want*10)))
		var margins [][]float64
		var y []int
		p := make([]float64, 4)
		for range 20000 {
			m := make([]float64, 4)
			for c := range m {
				m[c] = rng.NormFloat64() * 0.5
				p[c] = want * m[c]
			}
			softmax(p)
			u, c := rng.Float64(), 0
			for c < len(p)-1 && u > p[c] {
				u -= p[c]
				c++
			}
			margins = append(margins, m)
			y = append(y, c)
		}
		if got := fitTemperature(margins, y); math.Abs(got-want) > 0.1*want {
			t.Errorf("fitTemperature = %.3f, want %.3f ± 10%%", got, want)
		}
	}
}

// TestRouterBinary checks that Binary counts a term once at Route time
// too, as in training: repeating a word changes nothing.
func TestRouterBinary(t *testing.T) {
	for _, opts := range []*Options{{Binary: true}, {Binary: true, Complement: true}} {
		r, err := Train(topics(1), opts)
		if err != nil {
			t.Fatal(err)
		}
		once, twice := r.Route("电池 储能 研究"), r.Route("电池 储能 电池 电池 研究")
		if !reflect.DeepEqual(once, twice) {
			t.Errorf("%+v: Route with a repeated word %+v, without %+v; want equal", opts, twice, once)
		}
	}
}
