package pipeline

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// CountImported counts the records an import stored; CountAlreadyPresent
// (shared with extract) those it found stored already.
const CountImported = "imported"

// ImportLabelerVersion is the labeler version of the conventional labels an
// import stores.
const ImportLabelerVersion = "import/1"

// maxImportLine bounds one JSON line of an import file.
const maxImportLine = 64 << 20

// importLine is one non-blank line of the import file.
type importLine struct {
	no   int
	data []byte
}

// importItem is a decoded line with its features, or the error that makes it invalid.
type importItem struct {
	commit   importedCommit
	features []byte
	err      error
}

// Import stores the records of a JSON Lines file (gzip-compressed or not) in
// the format of docs/corpus.md: repositories, commits with their files, the
// conventional labels of each record (confidence 1, in the order given) and
// the commit's features. Lines are decoded and enriched on all cores and
// written in transactions of writeBatch records, so a killed import leaves
// whole records only. Commits already stored are skipped and counted, so a
// rerun completes an interrupted import. The first invalid record stops the
// import with an error naming file, line and field; the records before it
// are stored, none after it.
func Import(ctx context.Context, env *Env, path string) (Counts, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	r, err := decompressed(f, path)
	if err != nil {
		return nil, err
	}
	vocab := commitlabeler.Default()
	counts := Counts{CountImported: 0, CountAlreadyPresent: 0}
	progress := env.Progress("import", -1)
	defer progress.Done()
	w := importWriter{db: env.DB, repoIDs: make(map[string]int64)}

	flow := batchFlow[importLine, importItem]{
		Size: writeBatch,
		Transform: func(l importLine) importItem {
			it, err := enrichImportLine(l.data, vocab)
			if err != nil {
				it.err = fmt.Errorf("import: %s:%d: %w", path, l.no, err)
			}
			return it
		},
		Write: func(items []importItem) error {
			imported, present, err := w.write(ctx, items)
			counts[CountImported] += imported
			counts[CountAlreadyPresent] += present
			progress.Add(int(imported + present))
			return err
		},
	}
	err = flow.Run(ctx, func(ctx context.Context, emit func(importLine) error) error {
		return readLines(r, path, emit)
	})
	return counts, err
}

// enrichImportLine decodes and validates a line and builds its features.
func enrichImportLine(line []byte, vocab *commitlabeler.Vocabulary) (importItem, error) {
	c, err := decodeImportRecord(line, vocab)
	if err != nil {
		return importItem{}, err
	}
	data, err := json.Marshal(classify.BuildFeatures(classifyCommit(&c.Commit)))
	if err != nil {
		return importItem{}, fmt.Errorf("features: %w", err)
	}
	return importItem{commit: c, features: data}, nil
}

// decompressed returns the content of an import file, gunzipped when it
// starts with the gzip magic bytes.
func decompressed(f io.Reader, path string) (io.Reader, error) {
	br := bufio.NewReaderSize(f, 1<<20)
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("import: read %s: %w", path, err)
	}
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("import: %s: %w", path, err)
		}
		return gz, nil
	}
	if strings.HasSuffix(path, ".gz") {
		return nil, fmt.Errorf("import: %s: named .gz but not gzip-compressed", path)
	}
	return br, nil
}

// readLines emits every non-blank line of r with its 1-based number.
func readLines(r io.Reader, path string, emit func(importLine) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for no := 1; ; no++ {
		data, err := readLine(br)
		if errors.Is(err, errLineTooLong) {
			return fmt.Errorf("import: %s:%d: %w", path, no, err)
		}
		if len(bytes.TrimSpace(data)) > 0 {
			if emitErr := emit(importLine{no: no, data: data}); emitErr != nil {
				return emitErr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("import: read %s at line %d: %w", path, no, err)
		}
	}
}

var errLineTooLong = fmt.Errorf("line longer than %d bytes", maxImportLine)

// readLine returns the next line without its line break, in a new slice.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > maxImportLine {
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}

// importWriter stores batches of import items.
type importWriter struct {
	db *store.DB
	// repoIDs caches repository ids by name. A failed transaction ends the
	// import, so ids of rolled-back rows are never reused.
	repoIDs map[string]int64
}

// write stores the items before the first invalid one in one transaction and
// returns that item's error; it counts the commits stored and those already there.
func (w *importWriter) write(ctx context.Context, items []importItem) (imported, present int64, err error) {
	var invalid error
	for i, it := range items {
		if it.err != nil {
			items, invalid = items[:i], it.err
			break
		}
	}
	if len(items) == 0 {
		return 0, 0, invalid
	}
	err = w.db.Tx(ctx, func(tx *sql.Tx) error {
		imported, present = 0, 0
		cw, err := store.NewCommitWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer cw.Close()
		lw, err := store.NewLabelingWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer lw.Close()
		fw, err := store.NewFeatureWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer fw.Close()
		for _, it := range items {
			isNew, err := w.insert(ctx, tx, cw, lw, fw, it)
			if err != nil {
				return fmt.Errorf("import: %s@%s: %w", it.commit.Repo, it.commit.Commit.SHA, err)
			}
			if isNew {
				imported++
			} else {
				present++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return imported, present, invalid
}

// insert stores one record unless its commit is already stored.
func (w *importWriter) insert(ctx context.Context, tx *sql.Tx, cw *store.CommitWriter, lw *store.LabelingWriter, fw *store.FeatureWriter, it importItem) (bool, error) {
	repoID, ok := w.repoIDs[it.commit.Repo]
	if !ok {
		id, err := w.db.EnsureRepository(ctx, tx, it.commit.Repo)
		if err != nil {
			return false, err
		}
		w.repoIDs[it.commit.Repo], repoID = id, id
	}
	c := it.commit.Commit
	c.RepoID = repoID
	isNew, err := cw.Insert(&c)
	if err != nil || !isNew {
		return false, err
	}
	labels := make([]store.CommitLabel, len(it.commit.Labels))
	for i, l := range it.commit.Labels {
		labels[i] = store.CommitLabel{Label: l, Confidence: 1}
	}
	if err := lw.Put(store.Labeling{CommitID: c.ID, Source: store.SourceConventional, LabelerVersion: ImportLabelerVersion, Labels: labels}); err != nil {
		return false, err
	}
	return true, fw.Put(c.ID, classify.FeaturesVersion, it.features)
}
