package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker"
)

// small runs the model at a small scale.
func small(t *testing.T, seed uint64, store string) (*result, string) {
	t.Helper()
	var buf bytes.Buffer
	cfg := config{Seed: seed, Scale: 0.25, Store: store, Out: t.TempDir()}
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
}

func TestDeterministic(t *testing.T) {
	a, outA := small(t, 11, "mem:")
	b, outB := small(t, 11, "mem:")
	if a.Summary != b.Summary {
		t.Errorf("same seed, different summaries:\n%s\n%s", a.Summary, b.Summary)
	}
	if !bytes.Equal(a.Markdown, b.Markdown) {
		t.Error("same seed, different report.md")
	}
	if withoutPaths(outA) != withoutPaths(outB) {
		t.Error("same seed, different printed output")
	}
	c, _ := small(t, 12, "mem:")
	if c.Summary == a.Summary {
		t.Error("different seeds gave the same summary")
	}
}

func TestSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	url := "sqlite:" + filepath.Join(t.TempDir(), "yangpu.db")
	res, _ := small(t, 7, url)
	mem, _ := small(t, 7, "mem:")
	if res.Summary != mem.Summary {
		t.Errorf("SQLite and memory stores disagree:\n%s\n%s", res.Summary, mem.Summary)
	}
	// A second run on the same database is refused rather than mixing data.
	var buf bytes.Buffer
	if _, err := run(context.Background(), &buf, config{Seed: 7, Scale: 0.25, Store: url}); err == nil || !strings.Contains(err.Error(), "fresh") {
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
