package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binDir holds the bot and train binaries the tests build, removed after.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bench-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var buildBinaries = sync.OnceValue(func() error {
	out, err := exec.Command("go", "build", "-o", binDir+string(filepath.Separator), "../bot", "../train").CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build ./cmd/bot ./cmd/train: %w\n%s", err, out)
	}
	return nil
})

// builtBinary is the path of bot or train, built once per test run: bench
// drives the real binaries, as it does beside them in bin/.
func builtBinary(t *testing.T, name string) string {
	t.Helper()
	if err := buildBinaries(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(binDir, name)
}
