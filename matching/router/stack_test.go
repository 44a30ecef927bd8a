package router

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestFitStackSklearn checks fitStack against scikit-learn's multinomial
// logistic regression on a 12-example, 4-feature, 3-label problem
// (bench/routerselect/testdata/stack_sklearn.py prints the reference):
// the same weights, centred biases and probabilities to 1e-7.
func TestFitStackSklearn(t *testing.T) {
	xs := [][]float64{
		{1.2, -0.3, 0.0, 0.5},
		{0.8, 0.1, 0.2, 0.0},
		{1.5, -0.7, 0.0, 0.9},
		{-0.4, 1.1, 0.3, 0.1},
		{-0.9, 0.8, 0.0, 0.0},
		{0.1, 1.4, 0.6, 0.2},
		{-0.2, -0.5, 1.0, 0.7},
		{0.3, -0.9, 0.8, 0.4},
		{-0.6, -0.2, 1.3, 0.0},
		{0.9, 0.9, 0.1, 0.3},
		{0.0, 0.2, 0.9, 0.8},
		{1.1, 0.4, 0.5, 0.0},
	}
	y := []int{0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 2, 1}
	// scikit-learn's coef_ (label-major) and centred intercept_.
	wantW := [][]float64{
		{1.06274802135, -0.120632769254, -0.955083970897, 0.175484933793},
		{-0.324811305233, 1.064213571842, -0.119964545847, -0.618998004258},
		{-0.737936716117, -0.943580802588, 1.075048516744, 0.443513070464},
	}
	wantB := []float64{0.058547811658, 0.175563993057, -0.234111804716}
	wantP := [][]float64{
		{0.815631461984, 0.081712928373, 0.102655609643},
		{0.575660516484, 0.283722130393, 0.140617353123},
		{0.874596980668, 0.026180459064, 0.099222560268},
		{0.093232051627, 0.797554351827, 0.109213596546},
		{0.076539276699, 0.773944896717, 0.149515826583},
		{0.111862393073, 0.809559017297, 0.07857858963},
		{0.059118334002, 0.064111729896, 0.876769936102},
		{0.153542618835, 0.055626917782, 0.790830463383},
		{0.023079796727, 0.139378798541, 0.837541404732},
		{0.527497182569, 0.423217012661, 0.049285804771},
		{0.133764136833, 0.21402325083, 0.652212612336},
		{0.555475249612, 0.330968506411, 0.113556243977},
	}
	s := fitStack(xs, y, 3, 0.05, 1e-9)
	if s == nil {
		t.Fatal("fitStack failed")
	}
	const tol = 1e-7
	mean := 0.0
	for c := range 3 {
		mean += s.w[4*3+c] / 3
	}
	for c := range 3 {
		for j := range 4 {
			if got := s.w[j*3+c]; math.Abs(got-wantW[c][j]) > tol {
				t.Errorf("w[label %d][feature %d] = %.9f, want %.9f", c, j, got, wantW[c][j])
			}
		}
		if got := s.w[4*3+c] - mean; math.Abs(got-wantB[c]) > tol {
			t.Errorf("bias %d (centred) = %.9f, want %.9f", c, got, wantB[c])
		}
	}
	for i, x := range xs {
		p := s.scores(x)
		softmax(p)
		for c := range 3 {
			if math.Abs(p[c]-wantP[i][c]) > tol {
				t.Errorf("example %d: P(label %d) = %.9f, want %.9f", i, c, p[c], wantP[i][c])
			}
		}
	}
}

// TestStackOutOfFold checks that the stacked combination is fitted on
// out-of-fold votes: when no two examples share a term, an example's
// neighbours from the other folds share nothing with it, its vote is
// empty and the vote's weights stay 0. (Had the vote counted the example
// itself, it would name the example's own label every time, and the
// regression would give it a large weight.)
func TestStackOutOfFold(t *testing.T) {
	labels := []string{"甲", "乙", "丙"}
	var ex []Example
	for i := range 90 {
		// Two CJK characters unique to the example: its own unigrams
		// and bigram.
		ex = append(ex, Example{Text: string([]rune{rune(0x4E00 + 2*i), rune(0x4E01 + 2*i)}), Label: labels[i%3]})
	}
	r, err := Train(ex, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := r.lin.stack
	if s == nil {
		t.Fatal("not stacked")
	}
	for j := s.nc; j < s.nf; j++ {
		for c := range s.nc {
			if w := s.w[j*s.nc+c]; w != 0 {
				t.Errorf("vote feature %d, label %d: weight %v, want 0", j-s.nc, c, w)
			}
		}
	}
}

// TestStackDegenerate trains the stacked router on examples that cannot
// be told apart (the same text, two labels 2 : 1): it must neither fail
// nor panic, its probabilities for that text are the labels' shares, and
// texts that share no term with it (features it never saw in training:
// the margins' biases alone and no vote) still get the majority label.
func TestStackDegenerate(t *testing.T) {
	var ex []Example
	for i := range 60 {
		label := "甲"
		if i%3 == 2 {
			label = "乙"
		}
		ex = append(ex, Example{Text: "同一个标题", Label: label})
	}
	r, err := Train(ex, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.lin.stack == nil {
		t.Fatal("not stacked")
	}
	got := r.Route("同一个标题")
	checkRouting(t, got)
	if got.Label != "甲" || math.Abs(got.Confidence-2.0/3) > 0.03 {
		t.Errorf("Route(the training text) = %s at %.3f, want 甲 at about 0.667", got.Label, got.Confidence)
	}
	for _, text := range []string{"毫无关系", ""} {
		got := r.Route(text)
		checkRouting(t, got)
		if got.Label != "甲" {
			t.Errorf("Route(%q) = %s, want 甲", text, got.Label)
		}
	}
}

// FuzzTrain trains the default router on examples made from
// arbitrary bytes (lines "label<TAB>text", repeated with a counter to
// at least 50 examples, so that the stacked combination is fitted) and
// routes arbitrary text: training either fails with ErrInvalid or gives
// a router whose routings are distributions, and nothing panics.
func FuzzTrain(f *testing.F) {
	f.Add("能源\t电池 储能\n医学\t肿瘤疫苗\n农学\t水稻施肥", "新型电池")
	f.Add("a\tx\nb\tx", "x")
	f.Add("\t\n\xff\tα", "\x00")
	f.Add("甲\t\n乙\t", "")
	f.Fuzz(func(t *testing.T, data, query string) {
		var base []Example
		for line := range strings.SplitSeq(data, "\n") {
			label, text, _ := strings.Cut(line, "\t")
			base = append(base, Example{Text: text, Label: label})
		}
		var ex []Example
		for i := 0; len(ex) < 50 || i < len(base); i++ {
			b := base[i%len(base)]
			ex = append(ex, Example{Text: b.Text + " " + strconv.Itoa(i%7), Label: b.Label})
			if len(ex) > 200 {
				break
			}
		}
		r, err := Train(ex, nil)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Train: %v, want ErrInvalid", err)
			}
			return
		}
		checkRouting(t, r.Route(query))
		checkRouting(t, r.Route(ex[0].Text))
	})
}
