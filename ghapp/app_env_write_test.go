package ghapp

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplaceFile0600KeepsOldFileWhenWriteFails makes the credentials'
// write fail in each of its steps and checks that nothing is renamed into
// place, no temporary file is left beside it and the error names the file.
func TestReplaceFile0600KeepsOldFileWhenWriteFails(t *testing.T) {
	errRefused := errors.New("disk refused the write")
	tests := []struct {
		name    string
		old     string // the file's content before, "" for no file
		write   func(*os.File) error
		wantErr error
	}{
		{"short write over an existing key", "old key", func(f *os.File) error {
			f.WriteString("new k")
			return io.ErrShortWrite
		}, io.ErrShortWrite},
		{"refused write, no file yet", "", func(*os.File) error { return errRefused }, errRefused},
		{"close fails after a whole write", "old key", func(f *os.File) error {
			f.WriteString("new key")
			return f.Close()
		}, os.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "private-key.pem")
			if tt.old != "" {
				if err := os.WriteFile(path, []byte(tt.old), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := replaceFile0600(path, tt.write)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("replaceFile0600 = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			got, rerr := os.ReadFile(path)
			switch {
			case tt.old == "" && !errors.Is(rerr, os.ErrNotExist):
				t.Errorf("%s exists after a failed write: %q, %v", path, got, rerr)
			case tt.old != "" && string(got) != tt.old:
				t.Errorf("%s = %q after a failed write, want the old %q", path, got, tt.old)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != min(len(tt.old), 1) {
				t.Errorf("%s holds %d files after a failed write, want only the old one", dir, len(entries))
			}
		})
	}
}

func TestWriteFile0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.env")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFile0600(path, []byte("GITHUB_APP_ID=1\n")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "GITHUB_APP_ID=1\n" {
		t.Fatalf("%s = %q, %v", path, got, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("%s mode %v, want 0600", path, fi.Mode().Perm())
	}
}
