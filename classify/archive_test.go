package classify_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
)

func TestArchiveRoundTrip(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{"model.json": `{"format":1}`, "model.onnx": "graph bytes"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := classify.ArchiveDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "unpacked")
	if err := classify.ExtractArchive(data, dst); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if got, err := os.ReadFile(filepath.Join(dst, name)); err != nil || string(got) != content {
			t.Errorf("%s = %q, %v; want %q", name, got, err, content)
		}
	}
}

// archive makes a gzip-compressed tar of one entry.
func archive(t testing.TB, h *tar.Header, content string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(content))
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestExtractArchiveRefusesEntriesOutsideTheDirectory(t *testing.T) {
	for _, h := range []*tar.Header{
		{Name: "../escape", Size: 1, Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "sub/model.onnx", Size: 1, Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "link", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink},
	} {
		err := classify.ExtractArchive(archive(t, h, "x"), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), h.Name) {
			t.Errorf("%s: err %v, want one naming the entry", h.Name, err)
		}
	}
	if err := classify.ExtractArchive([]byte("not gzip"), t.TempDir()); err == nil {
		t.Error("garbage unpacked without an error")
	}
}

func FuzzExtractArchive(f *testing.F) {
	f.Add(archive(f, &tar.Header{Name: "model.json", Size: 2, Typeflag: tar.TypeReg, Mode: 0o644}, "{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if classify.ExtractArchive(data, dir) != nil {
			return
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.Type().IsRegular() {
				t.Errorf("%s is not a plain file", e.Name())
			}
		}
	})
}
