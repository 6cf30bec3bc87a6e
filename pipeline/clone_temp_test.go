package pipeline

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemoveAbandonedClonesKeepsTheOnesInProgress: a temporary clone whose
// process holds its lock stays, one nobody holds (its process died) goes,
// and so does nothing else in the work directory.
func TestRemoveAbandonedClonesKeepsTheOnesInProgress(t *testing.T) {
	workdir := t.TempDir()
	inProgress, release, err := makeTempClone(workdir, "acme_app.git")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	abandoned := filepath.Join(workdir, ".acme_lib.git.tmp-123")
	clone := filepath.Join(workdir, "acme_lib.git")
	for _, dir := range []string{filepath.Join(abandoned, "objects", "pack"), clone} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	if err := RemoveAbandonedClones(workdir, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "temporary clone removed"); n != 1 || !strings.Contains(logs.String(), abandoned) {
		t.Errorf("logged %d removals, want the one of %s:\n%s", n, abandoned, logs.String())
	}
	for dir, want := range map[string]bool{inProgress: true, abandoned: false, clone: true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", dir, err == nil, want)
		}
	}
	release()
	if _, err := os.Stat(inProgress); !os.IsNotExist(err) {
		t.Errorf("a released temporary clone stays: %v", err)
	}
}
