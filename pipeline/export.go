package pipeline

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/commit-labeler/commit-labeler/store"
)

// Counters of the export phase.
const (
	CountExported  = "exported"
	CountUnlabeled = "unlabeled"
)

// ExportFile writes every labeled commit of the store to path as JSON Lines
// in the corpus schema (docs/corpus.md), gzip-compressed when path ends in
// .gz: what train import and train eval read. It writes a temporary file
// beside path and renames it into place, so an interrupted export leaves
// no partial corpus.
func ExportFile(ctx context.Context, env *Env, path string) (Counts, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	buf := bufio.NewWriterSize(tmp, 1<<20)
	var w io.Writer = buf
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		zw = gzip.NewWriter(buf)
		w = zw
	}
	counts, err := Export(ctx, env, w)
	if err == nil && zw != nil {
		err = zw.Close()
	}
	if err == nil {
		err = buf.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return counts, fmt.Errorf("export %s: %w", path, err)
	}
	return counts, nil
}

// Export writes every commit with effective labels (store.EffectiveLabels)
// to w, one record of the corpus schema a line, in the store's order; a
// commit without labels is counted and left out, since a record needs one.
func Export(ctx context.Context, env *Env, w io.Writer) (Counts, error) {
	counts := Counts{CountExported: 0, CountUnlabeled: 0}
	labels, err := effectiveLabelNames(ctx, env)
	if err != nil {
		return counts, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	err = env.DB.ForEachCommit(ctx, store.CommitFilter{}, func(c *store.Commit) error {
		ls := labels[c.ID]
		if ls == nil {
			counts[CountUnlabeled]++
			return nil
		}
		counts[CountExported]++
		return enc.Encode(corpusRecord(c, ls))
	})
	return counts, err
}

// corpusRecord is c with its labels as a line of a corpus file.
func corpusRecord(c *store.Commit, labels []string) importRecord {
	files := make([]importFile, len(c.Files))
	for i, f := range c.Files {
		files[i] = importFile{Path: new(f.Path), OldPath: f.OldPath, Status: new(f.Status),
			Additions: new(f.Additions), Deletions: new(f.Deletions), Binary: f.Binary}
	}
	return importRecord{
		Repo: new(c.Repo), SHA: new(c.SHA), Date: new(c.AuthoredAt), Subject: new(c.Subject), Body: c.Body,
		Labels: labels, Files: &files, FilesChanged: new(c.FilesChanged),
		Additions: new(c.Additions), Deletions: new(c.Deletions), Diff: c.Diff, AuthorIsBot: c.AuthorIsBot,
	}
}
