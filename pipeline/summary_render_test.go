package pipeline

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromium is Debian's browser, which renders the page headless.
const chromium = "/usr/bin/chromium"

// headless runs chromium headless and offline on the page with extra
// arguments and returns its standard output.
func headless(t *testing.T, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=1280,2000"}
	cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), "file://"+page)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// TestSummaryRendersInChromium renders summary.html in a real browser: the
// rendered DOM has every chart and the screenshot is not blank. Set
// COMMIT_LABELER_SCREENSHOT=FILE.png to keep the screenshot (and the page
// as FILE.html).
func TestSummaryRendersInChromium(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skip(chromium + " absent: apt-get install chromium (or scripts/setup.sh chromium) to render the summary page")
	}
	env, dir := summaryFixture(t)
	if _, err := Summarize(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, SummaryHTML)

	dom, err := html.Parse(bytes.NewReader(headless(t, page, "--dump-dom")))
	if err != nil {
		t.Fatal(err)
	}
	if got := svgTitles(dom); !reflect.DeepEqual(got, summaryChartTitles) {
		t.Errorf("rendered chart titles = %q, want %q", got, summaryChartTitles)
	}
	if n := len(findElements(dom, "rect")); n < 100 {
		t.Errorf("rendered DOM has %d rect elements, want the bars and cells of every chart", n)
	}

	shot := filepath.Join(t.TempDir(), "summary.png")
	headless(t, page, "--screenshot="+shot, "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if v := lumaVariance(img); v < 100 {
		t.Errorf("screenshot luma variance %.1f: the page looks blank", v)
	}
	if keep := os.Getenv("COMMIT_LABELER_SCREENSHOT"); keep != "" {
		for from, to := range map[string]string{shot: keep, page: strings.TrimSuffix(keep, ".png") + ".html"} {
			data, err := os.ReadFile(from)
			if err == nil {
				err = os.WriteFile(to, data, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("screenshot and page kept in %s and .html", keep)
	}
	if strings.Contains(string(headless(t, page, "--dump-dom")), "<script") {
		t.Errorf("rendered DOM has a script element")
	}
}

// lumaVariance is the variance of the pixels' luma (0–255): near 0 for a
// blank page.
func lumaVariance(img image.Image) float64 {
	b := img.Bounds()
	var sum, sq, n float64
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			sum += l
			sq += l * l
			n++
		}
	}
	mean := sum / n
	return sq/n - mean*mean
}
