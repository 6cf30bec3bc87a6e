package webhook

import (
	"fmt"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/ghapp"
)

// BenchmarkCommitInputLargePull builds the classifier input of a pull
// request with GitHub's maximum of 3000 listed files.
func BenchmarkCommitInputLargePull(b *testing.B) {
	files := make([]*github.CommitFile, ghapp.MaxPullFiles)
	for i := range files {
		files[i] = apiFile(fmt.Sprintf("pkg/%04d/file.go", ghapp.MaxPullFiles-i), "modified",
			"@@ -10,3 +10,4 @@ func x() {\n a := 1\n-b := 2\n+b := 3\n+c := 4\n return", 2, 1)
	}
	b.ReportAllocs()
	for b.Loop() {
		commitInput("Speed up the parser", "Body.", files)
	}
}
