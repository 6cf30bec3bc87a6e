package classify_test

import (
	"errors"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
)

// requireRuntime loads ONNX Runtime, skipping the test only when the library
// is not installed.
func requireRuntime(tb testing.TB) {
	tb.Helper()
	err := classify.InitRuntime()
	if errors.Is(err, classify.ErrRuntimeMissing) {
		tb.Skipf("ONNX Runtime absent, run scripts/setup.sh to install it: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

func TestInitRuntimeIsIdempotent(t *testing.T) {
	requireRuntime(t)
	if err := classify.InitRuntime(); err != nil {
		t.Fatalf("second InitRuntime: %v", err)
	}
}
