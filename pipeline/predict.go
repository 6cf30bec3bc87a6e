package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/store"
)

// commitRecord is a commit to classify: a corpus record (docs/corpus.md) or just
// {subject, body, files, diff}. Fields that reveal a label are not read;
// totals missing are summed from the files.
type commitRecord struct {
	Subject      *string      `json:"subject"`
	Body         string       `json:"body"`
	Files        []importFile `json:"files"`
	FilesChanged *int         `json:"files_changed"`
	Additions    *int         `json:"additions"`
	Deletions    *int         `json:"deletions"`
	Diff         string       `json:"diff"`
	AuthorIsBot  bool         `json:"author_is_bot"`
}

// DecodeCommit parses one JSON line into the commit it describes. Files need
// a path; a missing status reads as M (modified) and missing line counts as 0.
func DecodeCommit(line []byte) (classify.Commit, error) {
	var r commitRecord
	if err := json.Unmarshal(line, &r); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return classify.Commit{}, &fieldError{typeErr.Field, fmt.Errorf("%s value where %s is expected", typeErr.Value, typeErr.Type)}
		}
		return classify.Commit{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if r.Subject == nil {
		return classify.Commit{}, &fieldError{"subject", errors.New("missing")}
	}
	zero, modified := 0, "M"
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == nil {
			f.Status = &modified
		}
		if f.Additions == nil {
			f.Additions = &zero
		}
		if f.Deletions == nil {
			f.Deletions = &zero
		}
	}
	files, err := convertImportFiles(r.Files)
	if err != nil {
		return classify.Commit{}, err
	}
	c := store.Commit{Subject: *r.Subject, Body: r.Body, Files: files, Diff: r.Diff, AuthorIsBot: r.AuthorIsBot, FilesChanged: len(files)}
	for _, f := range files {
		c.Additions += f.Additions
		c.Deletions += f.Deletions
	}
	for _, total := range []struct {
		name string
		dst  *int
		src  *int
	}{{"files_changed", &c.FilesChanged, r.FilesChanged}, {"additions", &c.Additions, r.Additions}, {"deletions", &c.Deletions, r.Deletions}} {
		if total.src != nil {
			if *total.src < 0 {
				return classify.Commit{}, &fieldError{total.name, fmt.Errorf("negative count %d", *total.src)}
			}
			*total.dst = *total.src
		}
	}
	return classifyCommit(&c), nil
}

// LineDecision is the decision for one input line.
type LineDecision struct {
	// Line is the 1-based input line number.
	Line int `json:"line"`
	decision.Decision
}

// Decider decides the labels of a batch of commits, one decision each, in
// order (decision.Decide with a model and a configuration).
type Decider func(ctx context.Context, commits []classify.Commit) ([]decision.Decision, error)

// ClassifyBatch is the most commits ClassifyLines sends to the model at once.
const ClassifyBatch = 64

// LineError is an input line ClassifyLines could not read.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ClassifyLines reads JSON lines of commits (DecodeCommit) from in and
// writes one LineDecision per valid line to out, in input order. Lines
// are decided in batches of at most ClassifyBatch, a batch being sent as
// soon as no more input is waiting, so a slow producer gets each answer
// without delay. An invalid line is reported to bad and skipped. It returns
// how many lines were classified and how many were invalid.
func ClassifyLines(ctx context.Context, decide Decider, in io.Reader, out io.Writer, bad func(*LineError)) (classified, invalid int, err error) {
	br := bufio.NewReaderSize(in, 1<<20)
	enc := json.NewEncoder(out)
	var commits []classify.Commit
	var lines []int
	flush := func() error {
		if len(commits) == 0 {
			return nil
		}
		decisions, err := decide(ctx, commits)
		if err != nil {
			return fmt.Errorf("lines %d-%d: %w", lines[0], lines[len(lines)-1], err)
		}
		for i, d := range decisions {
			if err := enc.Encode(LineDecision{Line: lines[i], Decision: d}); err != nil {
				return err
			}
		}
		if f, ok := out.(interface{ Flush() error }); ok {
			if err := f.Flush(); err != nil {
				return err
			}
		}
		classified += len(commits)
		commits, lines = commits[:0], lines[:0]
		return nil
	}
	for no := 1; ; no++ {
		data, readErr := readLine(br)
		if readErr != nil && readErr != io.EOF {
			return classified, invalid, fmt.Errorf("line %d: %w", no, readErr)
		}
		if len(bytes.TrimSpace(data)) > 0 {
			commit, err := DecodeCommit(data)
			if err != nil {
				invalid++
				bad(&LineError{Line: no, Err: err})
			} else {
				commits, lines = append(commits, commit), append(lines, no)
			}
		}
		if readErr == io.EOF {
			return classified, invalid, flush()
		}
		if len(commits) >= ClassifyBatch || br.Buffered() == 0 {
			if err := flush(); err != nil {
				return classified, invalid, err
			}
		}
	}
}
