package classify

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxArchivedFile bounds one file unpacked from a model archive.
const maxArchivedFile = 1 << 30

// ArchiveDir packs the files of a model directory into a gzip-compressed
// tar, the form in which a repository model travels through the store.
func ArchiveDir(dir string) ([]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("archive model: %w", err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("archive model: %w", err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.Name(), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return nil, fmt.Errorf("archive model: %w", err)
		}
		if _, err := tw.Write(data); err != nil {
			return nil, fmt.Errorf("archive model: %w", err)
		}
	}
	if err := errors.Join(tw.Close(), zw.Close()); err != nil {
		return nil, fmt.Errorf("archive model: %w", err)
	}
	return buf.Bytes(), nil
}

// ExtractArchive unpacks an ArchiveDir archive into dir (created): plain
// file names only, each at most 1 GiB.
func ExtractArchive(data []byte, dir string) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("unpack model: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("unpack model: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unpack model: %w", err)
		}
		if h.Typeflag != tar.TypeReg || h.Name != filepath.Base(h.Name) || strings.HasPrefix(h.Name, ".") || h.Size > maxArchivedFile {
			return fmt.Errorf("unpack model: entry %q is not a plain file of the model directory", h.Name)
		}
		f, err := os.Create(filepath.Join(dir, h.Name))
		if err != nil {
			return fmt.Errorf("unpack model: %w", err)
		}
		_, err = io.Copy(f, io.LimitReader(tr, maxArchivedFile))
		if err = errors.Join(err, f.Close()); err != nil {
			return fmt.Errorf("unpack model %s: %w", h.Name, err)
		}
	}
}
