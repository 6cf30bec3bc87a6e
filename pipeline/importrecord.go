package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/store"
)

// importRecord is one line of a corpus file (docs/corpus.md).
// Pointers tell a missing required field from a zero value; fields that
// reveal the label (type, scope, breaking, masked_subject) are not read.
type importRecord struct {
	Repo         *string       `json:"repo"`
	SHA          *string       `json:"sha"`
	Date         *string       `json:"date"`
	Subject      *string       `json:"subject"`
	Body         string        `json:"body"`
	Labels       []string      `json:"labels"`
	Files        *[]importFile `json:"files"`
	FilesChanged *int          `json:"files_changed"`
	Additions    *int          `json:"additions"`
	Deletions    *int          `json:"deletions"`
	Diff         string        `json:"diff"`
	AuthorIsBot  bool          `json:"author_is_bot"`
}

// importFile is one entry of a record's files.
type importFile struct {
	Path      *string `json:"path"`
	OldPath   string  `json:"old_path"`
	Status    *string `json:"status"`
	Additions *int    `json:"additions"`
	Deletions *int    `json:"deletions"`
	Binary    bool    `json:"binary"`
}

// fieldError is a record that is not valid, naming the field at fault.
type fieldError struct {
	Field string
	Err   error
}

func (e *fieldError) Error() string { return fmt.Sprintf("field %q: %v", e.Field, e.Err) }
func (e *fieldError) Unwrap() error { return e.Err }

// importedCommit is a decoded and validated record: the commit to store
// (RepoID unset) with its repository name and its labels in rank order.
type importedCommit struct {
	Repo   string
	Commit store.Commit
	Labels []string
}

// decodeImportRecord parses and validates one JSON line against vocab.
func decodeImportRecord(line []byte, vocab *commitlabeler.Vocabulary) (importedCommit, error) {
	var r importRecord
	if err := json.Unmarshal(line, &r); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return importedCommit{}, &fieldError{typeErr.Field, fmt.Errorf("%s value where %s is expected", typeErr.Value, typeErr.Type)}
		}
		return importedCommit{}, fmt.Errorf("invalid JSON: %w", err)
	}
	return r.validate(vocab)
}

// validate checks every field and converts the record.
func (r *importRecord) validate(vocab *commitlabeler.Vocabulary) (importedCommit, error) {
	var out importedCommit
	for _, req := range []struct {
		name    string
		present bool
	}{
		{"repo", r.Repo != nil}, {"sha", r.SHA != nil}, {"date", r.Date != nil}, {"subject", r.Subject != nil},
		{"labels", r.Labels != nil}, {"files", r.Files != nil}, {"files_changed", r.FilesChanged != nil},
		{"additions", r.Additions != nil}, {"deletions", r.Deletions != nil},
	} {
		if !req.present {
			return out, &fieldError{req.name, errors.New("missing")}
		}
	}
	if *r.Repo == "" || strings.ContainsFunc(*r.Repo, isSpaceOrControl) {
		return out, &fieldError{"repo", fmt.Errorf("%q is not a repository name", *r.Repo)}
	}
	sha := strings.ToLower(*r.SHA)
	if !isCommitID(sha) {
		return out, &fieldError{"sha", fmt.Errorf("%q is not a 40 or 64 digit hex commit id", *r.SHA)}
	}
	authored, err := time.Parse(time.RFC3339, *r.Date)
	if err != nil {
		return out, &fieldError{"date", fmt.Errorf("%q is not an ISO 8601 date with offset", *r.Date)}
	}
	if strings.TrimSpace(*r.Subject) == "" {
		return out, &fieldError{"subject", errors.New("empty")}
	}
	if err := validateLabels(r.Labels, vocab); err != nil {
		return out, err
	}
	for _, n := range []struct {
		name  string
		value int
	}{{"files_changed", *r.FilesChanged}, {"additions", *r.Additions}, {"deletions", *r.Deletions}} {
		if n.value < 0 {
			return out, &fieldError{n.name, fmt.Errorf("negative count %d", n.value)}
		}
	}
	files, err := convertImportFiles(*r.Files)
	if err != nil {
		return out, err
	}
	if *r.FilesChanged < len(files) {
		return out, &fieldError{"files_changed", fmt.Errorf("%d is less than the %d files listed", *r.FilesChanged, len(files))}
	}
	out.Repo = *r.Repo
	out.Labels = r.Labels
	out.Commit = store.Commit{
		SHA:          sha,
		AuthoredAt:   *r.Date,
		AuthoredUnix: authored.Unix(),
		Subject:      *r.Subject,
		Body:         r.Body,
		FilesChanged: *r.FilesChanged,
		Additions:    *r.Additions,
		Deletions:    *r.Deletions,
		Diff:         r.Diff,
		PatchID:      diffTextPatchID(r.Diff),
		AuthorIsBot:  r.AuthorIsBot,
		Files:        files,
	}
	return out, nil
}

// validateLabels checks that labels is a non-empty list of distinct
// vocabulary names.
func validateLabels(labels []string, vocab *commitlabeler.Vocabulary) error {
	if len(labels) == 0 {
		return &fieldError{"labels", errors.New("empty")}
	}
	for i, l := range labels {
		if !vocab.Has(l) {
			return &fieldError{fmt.Sprintf("labels.%d", i), fmt.Errorf("%q is not a label of the vocabulary (%s)", l, strings.Join(vocab.Names(), ", "))}
		}
		for _, prev := range labels[:i] {
			if prev == l {
				return &fieldError{fmt.Sprintf("labels.%d", i), fmt.Errorf("%q listed twice", l)}
			}
		}
	}
	return nil
}

// convertImportFiles validates the files of a record.
func convertImportFiles(in []importFile) ([]store.File, error) {
	files := make([]store.File, len(in))
	for i, f := range in {
		field := func(name string) string { return fmt.Sprintf("files.%d.%s", i, name) }
		switch {
		case f.Path == nil || *f.Path == "":
			return nil, &fieldError{field("path"), errors.New("missing or empty")}
		case f.Status == nil:
			return nil, &fieldError{field("status"), errors.New("missing")}
		case len(*f.Status) != 1 || !strings.Contains("AMDRCT", *f.Status):
			return nil, &fieldError{field("status"), fmt.Errorf("%q is not one of A, M, D, R, C, T", *f.Status)}
		case f.Additions == nil || *f.Additions < 0:
			return nil, &fieldError{field("additions"), errors.New("missing or negative")}
		case f.Deletions == nil || *f.Deletions < 0:
			return nil, &fieldError{field("deletions"), errors.New("missing or negative")}
		}
		files[i] = store.File{Path: *f.Path, OldPath: f.OldPath, Status: *f.Status,
			Additions: *f.Additions, Deletions: *f.Deletions, Binary: f.Binary}
	}
	return files, nil
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f
}
