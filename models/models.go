// Package models ships commit-labeler's default model inside the binaries:
// models/default is embedded and extracted once to the user's cache, where
// ONNX Runtime reads it like any model directory.
package models

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

//go:embed default
var embedded embed.FS

// defaultRoot is the embedded directory of the default model.
const defaultRoot = "default"

// metaFile is a model directory's description (classify.MetaFile).
const metaFile = "model.json"

// ErrNoDefault is returned by DefaultDir when the build ships no model.
var ErrNoDefault = errors.New("no default model in this build (models/default holds no model.json): pass --model DIR")

// DefaultDir returns the directory of the shipped default model, extracting
// it on first use to CacheDir()/models/default-<first 12 hex digits of the
// SHA-256 of its model.json>. Extraction writes a temporary directory and
// renames it into place, so concurrent processes never see half a model;
// a cache emptied meanwhile is filled again.
func DefaultDir() (string, error) {
	sub, err := fs.Sub(embedded, defaultRoot)
	if err != nil {
		return "", err
	}
	return Extract(sub, filepath.Join(CacheDir(), "models"), "default")
}

// CacheDir is commit-labeler's cache: $COMMIT_LABELER_CACHE, else
// commit-labeler under the user's cache directory ($XDG_CACHE_HOME or ~/.cache).
func CacheDir() string {
	if d := os.Getenv("COMMIT_LABELER_CACHE"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "commit-labeler")
}

// Extract copies the model in fsys (model.json at its root) to
// root/<name>-<hash>/ unless it is there already, and returns that directory.
func Extract(fsys fs.FS, root, name string) (string, error) {
	meta, err := fs.ReadFile(fsys, metaFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoDefault
	}
	if err != nil {
		return "", fmt.Errorf("models: %w", err)
	}
	sum := sha256.Sum256(meta)
	dir := filepath.Join(root, name+"-"+hex.EncodeToString(sum[:])[:12])
	if _, err := os.Stat(filepath.Join(dir, metaFile)); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("models: extract %s: %w", name, err)
	}
	tmp, err := os.MkdirTemp(root, "."+name+"-*")
	if err != nil {
		return "", fmt.Errorf("models: extract %s: %w", name, err)
	}
	defer os.RemoveAll(tmp)
	if err := copyFS(tmp, fsys); err != nil {
		return "", fmt.Errorf("models: extract %s to %s: %w", name, tmp, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process may have extracted the same model meanwhile.
		if _, statErr := os.Stat(filepath.Join(dir, metaFile)); statErr == nil {
			return dir, nil
		}
		return "", fmt.Errorf("models: extract %s: %w", name, err)
	}
	return dir, nil
}

// copyFS copies every file of fsys into dir, which exists; os.CopyFS would
// refuse the existing temporary directory.
func copyFS(dir string, fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(fsys, path.Clean(p))
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
