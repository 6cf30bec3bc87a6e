package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/internal/fakeollama"
	"github.com/commit-labeler/commit-labeler/store"
)

// newTestEnv opens a fresh store in the test's temporary directory.
func newTestEnv(t testing.TB) *Env {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "labels.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Env{
		DB:       db,
		Options:  DefaultOptions(),
		Log:      slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		Progress: NoProgress,
	}
}

// testCommit is a commit with a subject, a body and one file; sha derives from the subject.
func testCommit(i int, subject string) store.Commit {
	return store.Commit{
		SHA:          fmt.Sprintf("%040x", i+1),
		AuthoredAt:   "2024-01-02T03:04:05+00:00",
		AuthoredUnix: 1704164645 + int64(i),
		Subject:      subject,
		Body:         "Body of commit " + fmt.Sprint(i) + ".\n",
		FilesChanged: 1,
		Additions:    3,
		Deletions:    1,
		Diff:         "diff --git a/x.go b/x.go\n@@ -1 +1 @@\n-old\n+new",
		Files:        []store.File{{Path: "x.go", Status: "M", Additions: 3, Deletions: 1}},
	}
}

// insertCommits stores the commits in repository repo and returns their ids.
func insertCommits(t testing.TB, db *store.DB, repo string, commits []store.Commit) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, len(commits))
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		repoID, err := db.EnsureRepository(ctx, tx, repo)
		if err != nil {
			return err
		}
		w, err := store.NewCommitWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		for i := range commits {
			commits[i].RepoID = repoID
			if _, err := w.Insert(&commits[i]); err != nil {
				return err
			}
			ids[i] = commits[i].ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// sampleAll puts every given commit in the stride sample.
func sampleAll(t testing.TB, db *store.DB, ids []int64, dups ...store.Duplicate) {
	t.Helper()
	samples := make([]store.Sample, len(ids))
	for i, id := range ids {
		samples[i] = store.Sample{CommitID: id, Year: 2024}
	}
	if err := db.ReplaceSamples(context.Background(), samples, dups); err != nil {
		t.Fatal(err)
	}
}

// labelRows dumps every label and labeling row, keyed by commit SHA, sorted.
func labelRows(t testing.TB, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT c.sha || ' ' || l.source || ' ' || l.label || ' ' || l.rank || ' ' || l.confidence || ' ' || l.reason || ' ' || l.labeler_version
		 FROM commit_labels l JOIN commits c ON c.id = l.commit_id`,
		`SELECT c.sha || ' ' || l.source || ' done ' || l.status || ' ' || l.labeler_version
		 FROM labelings l JOIN commits c ON c.id = l.commit_id`,
	} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

// sourceLabels returns, per commit id, the label names a source stored in rank order.
func sourceLabels(t testing.TB, db *store.DB, source string) map[int64][]string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT commit_id, label FROM commit_labels WHERE source = ? ORDER BY commit_id, rank`, source)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var label string
		if err := rows.Scan(&id, &label); err != nil {
			t.Fatal(err)
		}
		out[id] = append(out[id], label)
	}
	return out
}

// promptCommit is one commit of a recorded prompt.
type promptCommit struct {
	ID      string
	Subject string // the first message line, as the model saw it
}

var promptCommitPattern = regexp.MustCompile(`(?m)^=== Commit (\S+) ===\nMessage:\n(.*)$`)

// promptCommits reads the commits of a chat request's user message.
func promptCommits(req *api.ChatRequest) []promptCommit {
	var out []promptCommit
	for _, m := range req.Messages {
		if m.Role != "user" {
			continue
		}
		for _, g := range promptCommitPattern.FindAllStringSubmatch(m.Content, -1) {
			out = append(out, promptCommit{ID: g[1], Subject: g[2]})
		}
	}
	return out
}

// answerLabel is a label of a scripted model answer.
type answerLabel struct {
	Label      string  `json:"label"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
}

// answerCommit is a commit of a scripted model answer.
type answerCommit struct {
	ID     string        `json:"id"`
	Labels []answerLabel `json:"labels"`
}

// modelLabel is what the scripted model answers for a masked subject: its
// first word when that is a label, else "other", with confidence 0.9.
func modelLabel(subject string) answerLabel {
	word, _, _ := strings.Cut(subject, " ")
	if !commitlabeler.Default().Has(word) {
		word = "other"
	}
	return answerLabel{Label: word, Confidence: 0.9, Reason: "because\nof " + word}
}

// correctAnswer answers every commit of the request with modelLabel.
func correctAnswer(req *api.ChatRequest) []answerCommit {
	var out []answerCommit
	for _, c := range promptCommits(req) {
		out = append(out, answerCommit{ID: c.ID, Labels: []answerLabel{modelLabel(c.Subject)}})
	}
	return out
}

// content encodes an answer as the model's message content.
func content(commits []answerCommit) string {
	data, err := json.Marshal(map[string]any{"commits": commits})
	if err != nil {
		panic(err)
	}
	return string(data)
}

// correctModel is a script answering every request correctly.
func correctModel(_ int, req *api.ChatRequest) fakeollama.Reply {
	return fakeollama.Reply{Content: content(correctAnswer(req))}
}
