package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kexie/techbroker/broker"
)

// small runs the model at a small scale.
func small(t *testing.T, seed uint64, store string) (*result, string) {
	t.Helper()
	var buf bytes.Buffer
	cfg := config{Seed: seed, Scale: 0.2, Store: store, Out: t.TempDir()}
	res, err := run(context.Background(), &buf, cfg)
	if err != nil {
		t.Fatalf("run(seed %d, %s): %v\n%s", seed, store, err, buf.String())
	}
	for _, name := range []string{"report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(cfg.Out, name))
		if err != nil {
			t.Fatalf("report not written: %v", err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	return res, buf.String()
}

func TestRun(t *testing.T) {
	res, out := small(t, 7, "mem:")
	for _, want := range []string{
		"Built the system from the Yangpu blueprint: 7 industry brokers",
		"qualified for evaluation",
		"router trained on",
		"Screening by conflict-free expert panels",
		"income approach, 分成率 25%",
		"signals: text",
		"matched terms:",
		"roadshow",
		"协议定价",
		"公示",
		"schedule:",
		"incubations started",
		"杨浦区创新指数",
		"== Summary",
		"合计",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if len(res.Rooms) != 7 {
		t.Fatalf("got %d rooms in the summary, want 7", len(res.Rooms))
	}
	deals := 0
	for _, r := range res.Rooms {
		n := 0
		for _, c := range r.Stages {
			n += c
		}
		if n == 0 {
			t.Errorf("room %s has no cases", r.ID)
		}
		if r.Deals > r.Listings {
			t.Errorf("room %s: got %d deals on %d listings", r.ID, r.Deals, r.Listings)
		}
		if r.Grade == "" || r.Rank < 1 || r.Rank > 7 {
			t.Errorf("room %s: grade %q rank %d", r.ID, r.Grade, r.Rank)
		}
		if r.Stages[broker.StageIncubating]+r.Stages[broker.StageClosed] > r.Deals {
			t.Errorf("room %s: %d incubating or closed cases but %d deals", r.ID, r.Stages[broker.StageIncubating]+r.Stages[broker.StageClosed], r.Deals)
		}
		deals += r.Deals
	}
	if deals == 0 {
		t.Error("no deals at all")
	}
	if res.PanelViolations != 0 {
		t.Errorf("got %d panel violations (panelist at the owner, or panel size not 3), want 0", res.PanelViolations)
	}
	if res.Routing < 0.9 {
		t.Errorf("routing accuracy %.2f, want at least 0.9 on the generator's separable sectors", res.Routing)
	}
	md := string(res.Markdown)
	for _, want := range []string{"# 杨浦区技术券商考核报告（2022年度）", "绿色印刷与包装技术", "杨浦区创新指数"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if !strings.Contains(string(res.HTML), "<svg") {
		t.Error("report.html has no chart")
	}
	checkDeterministic(t, res, out)
}

// checkDeterministic reruns seed 7 in memory and on SQLite: both must give
// the run's summary, Markdown and printed output again; another seed must
// not.
func checkDeterministic(t *testing.T, first *result, firstOut string) {
	again, againOut := small(t, 7, "mem:")
	if again.Summary != first.Summary {
		t.Errorf("same seed, different summaries:\n%s\n%s", first.Summary, again.Summary)
	}
	if !bytes.Equal(again.Markdown, first.Markdown) {
		t.Error("same seed, different report.md")
	}
	if withoutPaths(againOut) != withoutPaths(firstOut) {
		t.Error("same seed, different printed output")
	}
	other, _ := small(t, 8, "mem:")
	if other.Summary == first.Summary {
		t.Error("different seeds gave the same summary")
	}
	if testing.Short() {
		return
	}
	url := "sqlite:" + filepath.Join(t.TempDir(), "yangpu.db")
	lite, _ := small(t, 7, url)
	if lite.Summary != first.Summary {
		t.Errorf("SQLite and memory stores disagree:\n%s\n%s", lite.Summary, first.Summary)
	}
	// A second run on the same database is refused rather than mixing data.
	if _, err := run(context.Background(), &bytes.Buffer{}, config{Seed: 7, Scale: 0.2, Store: url}); err == nil || !strings.Contains(err.Error(), "fresh") {
		t.Errorf("second run on %s: got %v, want a refusal", url, err)
	}
}

func TestBadScale(t *testing.T) {
	for _, s := range []float64{0, -1, 1000} {
		if _, err := run(context.Background(), &bytes.Buffer{}, config{Seed: 1, Scale: s}); err == nil {
			t.Errorf("scale %v: got no error", s)
		}
	}
}

// withoutPaths drops the line naming the (temporary) output directory.
func withoutPaths(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.Contains(l, "wrote ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestPostgres runs the model on PostgreSQL when DATABASE_URL names a
// database (as for package pgstore's tests), in a schema of its own that
// is dropped afterwards. Under CI=true a missing DATABASE_URL fails.
func TestPostgres(t *testing.T) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DATABASE_URL is not set under CI=true")
		}
		t.Skip("DATABASE_URL is not set; set it to a PostgreSQL database to run this test")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("yangpu_test_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
		conn.Close(context.Background())
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	pg, _ := small(t, 7, url+sep+"search_path="+schema)
	mem, _ := small(t, 7, "mem:")
	if pg.Summary != mem.Summary {
		t.Errorf("PostgreSQL and memory stores disagree:\n%s\n%s", pg.Summary, mem.Summary)
	}
}
