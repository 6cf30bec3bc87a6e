package pipeline

// The scripted Ollama model of the labeler tests: what it read in a prompt and
// what it answers.

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/ollama/ollama/api"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/internal/fakeollama"
)

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
