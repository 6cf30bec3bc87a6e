package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestLocalFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bot.db")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		source string
		want   string
		err    error
	}{
		{file, file, nil},
		{"sqlite://" + file, file, nil},
		{"file:" + file, file, nil},
		{filepath.Join(dir, "missing.db"), "", fs.ErrNotExist},
		{"postgres://u@h/db", "", ErrNotLocalFile},
		{"mysql://u@h/db", "", ErrNotLocalFile},
	} {
		got, err := LocalFile(tc.source)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("LocalFile(%q) = %q, %v; want %q, %v", tc.source, got, err, tc.want, tc.err)
		}
	}
}

// TestOpenSharedRefusesAFile: the refusal creates no file.
func TestOpenSharedRefusesAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bot.db")
	if _, err := OpenShared(context.Background(), file); !errors.Is(err, ErrNotShared) {
		t.Errorf("OpenShared(%s): %v, want ErrNotShared", file, err)
	}
	if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenShared(%s) left the file: %v", file, err)
	}
}
