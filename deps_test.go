package commitlabeler

import (
	"os/exec"
	"strings"
	"testing"
)

// shippedBinaries are the commands a user installs.
var shippedBinaries = []string{"./cmd/bot", "./cmd/train"}

// testOnlyPackages are test doubles and harnesses: fakes of GitHub and
// Ollama, the load generator, fixtures. They belong to tests and to
// cmd/bench, never to what ships.
var testOnlyPackages = []string{
	"internal/fakegithub", "internal/fakeollama", "internal/ghexamples", "internal/ghspec", "internal/gittest",
	"internal/loadgen", "internal/onnxfixture", "internal/perf", "internal/testkind",
}

// TestShippedBinariesCarryNoTestDoubles lists what bot and train link
// (go list -deps) and fails on any test-only package.
func TestShippedBinariesCarryNoTestDoubles(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH: go list -deps needs it")
	}
	for _, bin := range shippedBinaries {
		out, err := exec.Command("go", "list", "-deps", bin).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", bin, err, out)
		}
		for dep := range strings.FieldsSeq(string(out)) {
			for _, banned := range testOnlyPackages {
				if strings.HasSuffix(dep, "/"+banned) {
					t.Errorf("%s links %s: test doubles and harnesses must stay out of shipped binaries", bin, dep)
				}
			}
		}
	}
}
