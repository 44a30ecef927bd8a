package eval

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cslDir finds the CSL sample: $TECHBROKER_CSL, else ../shared/data/csl
// beside the module root.
func cslDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("TECHBROKER_CSL"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "data", "csl")
}

func readCSL(tb testing.TB) ([]Paper, []Labelled, []Labelled) {
	tb.Helper()
	dir := cslDir(tb)
	f, err := os.Open(filepath.Join(dir, "csl_dev.tsv"))
	if err != nil {
		tb.Skipf("CSL sample not found in %s: %v", dir, err)
	}
	defer f.Close()
	papers, err := ReadPapers(f)
	if err != nil {
		tb.Fatal(err)
	}
	read := func(name string) []Labelled {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			tb.Skipf("CSL sample incomplete: %v", err)
		}
		defer f.Close()
		l, err := ReadLabelled(f)
		if err != nil {
			tb.Fatal(err)
		}
		return l
	}
	return papers, read("cls_ctg_train.tsv"), read("cls_ctg_dev.tsv")
}

func checkRange(t *testing.T, r Result) {
	t.Helper()
	for name, v := range map[string]float64{"title_mrr10": r.TitleMRR10, "title_r1": r.TitleR1, "kw2_mrr10": r.KW2MRR10, "disc_p10": r.DiscP10, "route_acc": r.RouteAcc} {
		if v < 0 || v > 1 {
			t.Errorf("%s = %v, want 0..1", name, v)
		}
	}
	if r.TitleR1 > r.TitleMRR10 {
		t.Errorf("title_r1 %v > title_mrr10 %v", r.TitleR1, r.TitleMRR10)
	}
}

// TestCSL runs the tasks on part of the real sample (examples/matching-eval
// runs all of it) and checks the figures are far above chance.
func TestCSL(t *testing.T) {
	papers, train, route := readCSL(t)
	papers, train, route = papers[:min(100, len(papers))], train[:min(1000, len(train))], route[:min(100, len(route))]
	res, err := Run(DefaultBuiltIn(train), papers, train, route)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	checkRange(t, res)
	// Chance for disc_p10: the probability that another random paper
	// shares the discipline; for routing: always answering the most
	// common label.
	count := map[string]int{}
	for _, p := range papers {
		count[p.Discipline]++
	}
	chance := 0.0
	for _, c := range count {
		chance += float64(c*(c-1)) / float64(len(papers)*(len(papers)-1))
	}
	labels := map[string]int{}
	most := 0
	for _, l := range route {
		labels[l.Category]++
		most = max(most, labels[l.Category])
	}
	majority := float64(most) / float64(len(route))
	floor := map[string][2]float64{
		"title_mrr10": {res.TitleMRR10, 0.9},
		"kw2_mrr10":   {res.KW2MRR10, 0.8},
		"disc_p10":    {res.DiscP10, 3 * chance},
		"route_acc":   {res.RouteAcc, majority + 0.1},
	}
	for name, v := range floor {
		if v[0] < v[1] {
			t.Errorf("%s = %.4f, want ≥ %.4f", name, v[0], v[1])
		}
	}
}

func TestSynthetic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	papers := Synthetic(r, 120, nil)
	var train, route []Labelled
	for i, p := range Synthetic(r, 400, nil) {
		l := Labelled{Title: p.Title, Category: p.Category}
		if i < 300 {
			train = append(train, l)
		} else {
			route = append(route, l)
		}
	}
	res, err := Run(DefaultBuiltIn(train), papers, train, route)
	if err != nil {
		t.Fatal(err)
	}
	checkRange(t, res)
	// Sixteen disciplines: chance for disc_p10 is about 1/16; four
	// categories: chance for routing about 1/4.
	if res.DiscP10 < 0.2 || res.RouteAcc < 0.4 || res.TitleMRR10 < 0.5 {
		t.Errorf("got %+v, want disc_p10 ≥ 0.2, route_acc ≥ 0.4, title_mrr10 ≥ 0.5", res)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"columns", "id\tsplit\ttitle\n", "row 1 has 3 columns"},
		{"empty title", "id\tsplit\ttitle\tabstract\tkeywords\tcategory\tdiscipline\nx\tdev\t\ta\tb\tc\td\n", "row 2: empty id or title"},
	}
	for _, tt := range tests {
		_, err := ReadPapers(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := ReadLabelled(strings.NewReader("to category\tt\t\n")); err == nil {
		t.Error("ReadLabelled with an empty category: got nil error")
	}
}
