package models

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

func TestExtract(t *testing.T) {
	model := fstest.MapFS{
		"model.json":      {Data: []byte(`{"format":1,"kind":"x","labels":["feat"]}`)},
		"model.onnx":      {Data: []byte("onnx")},
		"members/a/x.bin": {Data: []byte("member")},
	}
	root := t.TempDir()
	dir, err := Extract(model, root, "default")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != root || len(filepath.Base(dir)) != len("default-")+12 {
		t.Fatalf("extracted to %s", dir)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "members", "a", "x.bin")); err != nil || string(b) != "member" {
		t.Fatalf("nested file: %q, %v", b, err)
	}
	// A second extraction finds the directory in place and leaves no temporary one.
	again, err := Extract(model, root, "default")
	entries, _ := os.ReadDir(root)
	if err != nil || again != dir || len(entries) != 1 {
		t.Fatalf("second extraction: %s, %v, %d entries", again, err, len(entries))
	}
}

func TestExtractWithoutModel(t *testing.T) {
	_, err := Extract(fstest.MapFS{"README.md": {Data: []byte("no model yet")}}, t.TempDir(), "default")
	if !errors.Is(err, ErrNoDefault) {
		t.Fatalf("err = %v, want ErrNoDefault", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("COMMIT_LABELER_CACHE", t.TempDir())
	dir, err := DefaultDir()
	if errors.Is(err, ErrNoDefault) {
		t.Skip("no default model committed yet (models/default/README.md)")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, metaFile)); err != nil {
		t.Fatal(err)
	}
}
