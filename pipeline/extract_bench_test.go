package pipeline_test

import (
	"errors"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/perf"
)

// BenchmarkExtract measures the extract phase (git log stream, parsing,
// SQLite writes into a real file) against plain git producing the same
// patches with numstat into io.Discard, on the same repository: the
// repository at $BENCH_REPO, or one generated from the Go source tree and
// cached under the user cache directory (what `bench train` measures too).
func BenchmarkExtract(b *testing.B) {
	repo, err := perf.GoSourceRepository(perf.ExtractCommits)
	if errors.Is(err, perf.ErrNoGoSource) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	var total perf.ExtractComparison
	for b.Loop() {
		c, err := perf.CompareExtract(b.Context(), repo, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		total.Commits += c.Commits
		total.Git += c.Git
		total.Extract += c.Extract
	}
	b.ReportMetric(total.GitPerSecond(), "git-commits/s")
	b.ReportMetric(total.ExtractPerSecond(), "extract-commits/s")
	b.ReportMetric(total.Git.Seconds()/total.Extract.Seconds(), "extract/git")
}
