package report_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kexie/techbroker/assessment/report"
	"golang.org/x/text/language"
)

// chromium returns the browser to use: $TECHBROKER_CHROMIUM, else chromium
// on PATH. Without one the test is skipped, except in CI (CI=true), where
// it fails.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TECHBROKER_CHROMIUM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found (set TECHBROKER_CHROMIUM or install Debian's chromium package)")
	}
	t.Skip("chromium not found; set TECHBROKER_CHROMIUM to run the browser check")
	return ""
}

// TestHTMLInBrowser renders the seven-broker report in headless Chromium,
// takes a screenshot and a DOM dump, and checks that the page rendered.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, sampleReport(t), language.Chinese); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
	}
	url := "file://" + page
	run := func(extra ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(append(args, extra...), url)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %v: %v\n%s", bin, extra, err, stderr.String())
		}
		return stdout.Bytes()
	}
	run("--screenshot="+shot, "--window-size=1280,2000")
	dom := string(run("--dump-dom"))

	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot does not decode as PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 1000 {
		t.Errorf("screenshot is %v, want about 1280×2000", b)
	}
	if n := distinctColours(img); n < 50 {
		t.Errorf("screenshot has %d distinct colours, want ≥ 50 (page blank or unstyled?)", n)
	}
	for _, want := range []string{"<title>技术券商考核报告</title>", `<h1 id="title">技术券商考核报告</h1>`, `class="radar"`, `class="funnel"`, "信息工程与应用"} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM dump lacks %q", want)
		}
	}
	if os.Getenv("CI") == "true" {
		// Without a CJK font Chromium draws Chinese as empty boxes.
		out, err := exec.Command("fc-list", ":lang=zh").Output()
		if err != nil || len(bytes.TrimSpace(out)) == 0 {
			t.Error("no font with Chinese glyphs (fc-list :lang=zh is empty); install fonts-noto-cjk")
		}
	}
	if dst := os.Getenv("TECHBROKER_SCREENSHOT"); dst != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// distinctColours counts distinct RGBA values, sampling every pixel.
func distinctColours(img image.Image) int {
	seen := map[uint64]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[uint64(r>>8)<<24|uint64(g>>8)<<16|uint64(bl>>8)<<8|uint64(a>>8)] = true
		}
	}
	return len(seen)
}
