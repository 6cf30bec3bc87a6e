package checkrun

import (
	"context"
	"strings"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// wordsModel gives every commit fix 0.41 against a threshold of 0.55.
type wordsModel struct{}

func (wordsModel) Classify(_ context.Context, commits []classify.Commit) ([]classify.Prediction, error) {
	out := make([]classify.Prediction, len(commits))
	for i := range out {
		out[i] = classify.Prediction{Source: classify.SourceModel, Abstain: true, Labels: []classify.LabelScore{},
			Scores: []classify.LabelScore{{Label: "fix", Probability: 0.41}, {Label: "docs", Probability: 0.2}}}
	}
	return out, nil
}

func (wordsModel) Meta() *classify.Meta {
	return &classify.Meta{Thresholds: map[string]float64{"fix": 0.55, "docs": 0.5}}
}

// decide is the bot's decision for a subject under the defaults.
func decide(t *testing.T, subject string) decision.Decision {
	t.Helper()
	vocab := commitlabeler.Default()
	d, err := decision.Decide(t.Context(), wordsModel{}, vocab, repoconfig.Default(vocab), []classify.Commit{{Subject: subject}})
	if err != nil {
		t.Fatal(err)
	}
	return d[0]
}

// TestPullCheckRunWords: the title rule quotes the header it read; an
// abstention names the closest label, its probability and its threshold.
func TestPullCheckRunWords(t *testing.T) {
	cfg := repoconfig.Default(commitlabeler.Default())
	for _, tc := range []struct {
		subject      string
		lines        []LabelLine
		summary, row string
	}{
		{"fix(parser): handle empty input", []LabelLine{{Label: "fix", Confidence: 1, Source: classify.SourceTitle, Action: "applied"}},
			"Decided by the title rule: `fix(parser): …` → fix.", "| fix | type: fix | 100% | title rule | applied |"},
		{`Revert "feat: add x"`, []LabelLine{{Label: "revert", Confidence: 1, Source: classify.SourceTitle, Action: "applied"}},
			"Decided by the title rule: `Revert \"…\"` → revert.", "| revert |"},
		{"Handle empty input", nil,
			"Decided by the global model.", "| – | – | – | – | no label reached its threshold: closest fix 0.41 < 0.55 |"},
	} {
		t.Run(tc.subject, func(t *testing.T) {
			run := Pull("abc", decide(t, tc.subject), classify.Commit{Subject: tc.subject}, tc.lines, cfg, Model{})
			if !strings.HasPrefix(run.Summary, tc.summary) || !strings.Contains(run.Text, tc.row) {
				t.Errorf("summary %q, want it to begin %q; text lacks %q:\n%s", run.Summary, tc.summary, tc.row, run.Text)
			}
		})
	}
}

// TestPushCheckRunWords: the title counts commits in the right number, and
// a commit without a label says so, with the label that came closest.
func TestPushCheckRunWords(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rows  []CommitRow
		title string
		want  []string
	}{
		{"one commit", []CommitRow{{SHA: "1111111aaa", Subject: "fix: bug", Decision: decide(t, "fix: bug")}},
			"1 commit classified", []string{"| 1111111 | fix: bug | fix | 100% | title rule |"}},
		{"two commits, one without a label", []CommitRow{
			{SHA: "1111111aaa", Subject: "docs: explain setup", Decision: decide(t, "docs: explain setup")},
			{SHA: "2222222bbb", Subject: "Handle empty input", Decision: decide(t, "Handle empty input")},
		}, "2 commits classified", []string{
			"| 1111111 | docs: explain setup | docs | 100% | title rule |",
			"| 2222222 | Handle empty input | no label | closest fix 41% < 55% | model |",
		}},
		{"a skipped commit", []CommitRow{{SHA: "3333333ccc", Subject: "Bump deps", Skipped: "author dependabot[bot] ignored"}},
			"1 commit classified", []string{"| 3333333 | Bump deps | – |  | author dependabot[bot] ignored |"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := Push("abc", tc.rows, Model{})
			if run.Title != tc.title {
				t.Errorf("title %q, want %q", run.Title, tc.title)
			}
			for _, w := range tc.want {
				if !strings.Contains(run.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, run.Text)
				}
			}
		})
	}
}
