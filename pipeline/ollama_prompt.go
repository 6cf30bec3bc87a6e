package pipeline

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// Limits of what the prompt shows of one commit: they bound a batch of
// BatchSize commits well inside the model's context window.
const (
	promptBodyLimit  = 600  // characters of message body
	promptDiffLimit  = 1500 // characters of diff, cut at a line boundary
	promptFilesLimit = 20   // changed files listed
	maxModelLabels   = 3    // labels kept per commit
	maxReasonLength  = 200  // characters of a label's reason
)

// systemTemplate is the instruction message; it receives the vocabulary labels.
const systemTemplate = `You classify git commits by their type of change. Use only these labels:
{{range .}}- {{.Name}}: {{.Description}}
{{end}}
For every commit you are given, answer with its id and 1 to 3 labels, the best fitting first.
Give each label a confidence between 0 and 1 and a one-line reason.
Commit messages have any type prefix removed: judge from the message, the changed files and the diff.
Answer every id exactly once, in JSON.`

// itemsTemplate is the user message; it receives the batch's promptItems.
const itemsTemplate = `{{range .}}=== Commit {{.ID}} ===
Message:
{{.Message}}
Files ({{.FilesChanged}} changed, +{{.Additions}} -{{.Deletions}}):
{{range .Files}}{{.Status}} {{.Path}} +{{.Additions}} -{{.Deletions}}{{if .Binary}} (binary){{end}}
{{end}}{{if .MoreFiles}}... and {{.MoreFiles}} more files
{{end}}Diff excerpt:
{{.Diff}}

{{end}}`

var (
	systemTmpl = template.Must(template.New("system").Parse(systemTemplate))
	itemsTmpl  = template.Must(template.New("items").Parse(itemsTemplate))
)

// promptItem is one commit as the model sees it: never its header.
type promptItem struct {
	// ID names the commit within its batch; answers are matched by it.
	ID           string
	Message      string
	Files        []store.File
	MoreFiles    int
	FilesChanged int
	Additions    int
	Deletions    int
	Diff         string
}

// newPromptItem prepares c for the prompt under the batch-local id.
func newPromptItem(id string, c *store.Commit) promptItem {
	msg := classify.MaskSubject(c.Subject)
	if body := strings.TrimSpace(c.Body); body != "" {
		msg += "\n\n" + cutRunes(body, promptBodyLimit)
	}
	files := c.Files
	more := max(c.FilesChanged, len(files)) - min(len(files), promptFilesLimit)
	if len(files) > promptFilesLimit {
		files = files[:promptFilesLimit]
	}
	return promptItem{
		ID:           id,
		Message:      msg,
		Files:        files,
		MoreFiles:    more,
		FilesChanged: c.FilesChanged,
		Additions:    c.Additions,
		Deletions:    c.Deletions,
		Diff:         classify.TruncateDiff(c.Diff, promptDiffLimit),
	}
}

// batchID is the id of the i-th commit of a batch.
func batchID(i int) string { return "c" + strconv.Itoa(i+1) }

// renderSystem renders the instruction message for vocab.
func renderSystem(vocab *commitlabeler.Vocabulary) string {
	var b strings.Builder
	if err := systemTmpl.Execute(&b, vocab.Labels); err != nil {
		panic(fmt.Sprintf("system prompt: %v", err)) // fixed template over plain data
	}
	return b.String()
}

// renderItems renders the user message of a batch.
func renderItems(items []promptItem) string {
	var b strings.Builder
	if err := itemsTmpl.Execute(&b, items); err != nil {
		panic(fmt.Sprintf("items prompt: %v", err)) // fixed template over plain data
	}
	return b.String()
}

// answerSchema is the JSON schema the model's answer must follow; Ollama
// constrains decoding to it.
func answerSchema(vocab *commitlabeler.Vocabulary) json.RawMessage {
	type obj = map[string]any
	label := obj{
		"type": "object",
		"properties": obj{
			"label":      obj{"type": "string", "enum": vocab.Names()},
			"confidence": obj{"type": "number", "minimum": 0, "maximum": 1},
			"reason":     obj{"type": "string"},
		},
		"required": []string{"label", "confidence", "reason"},
	}
	commit := obj{
		"type": "object",
		"properties": obj{
			"id":     obj{"type": "string"},
			"labels": obj{"type": "array", "items": label, "minItems": 1, "maxItems": maxModelLabels},
		},
		"required": []string{"id", "labels"},
	}
	schema := obj{
		"type":       "object",
		"properties": obj{"commits": obj{"type": "array", "items": commit}},
		"required":   []string{"commits"},
	}
	data, err := json.Marshal(schema)
	if err != nil {
		panic(fmt.Sprintf("answer schema: %v", err)) // plain data: cannot fail
	}
	return data
}

// ollamaLabelerVersion names the model and hashes everything that shapes the
// prompt and the answer, so that changing any of it relabels.
func ollamaLabelerVersion(model, system string, schema json.RawMessage) string {
	limits := fmt.Sprint(promptBodyLimit, promptDiffLimit, promptFilesLimit, maxModelLabels, maxReasonLength)
	return "ollama/" + model + "/" + shortHash([]byte(systemTemplate), []byte(itemsTemplate), []byte(system), schema, []byte(limits))
}

// cutRunes returns s cut to at most n characters (runes), marking a cut with "…".
func cutRunes(s string, n int) string {
	count := 0
	for i := range s {
		if count == n {
			return s[:i] + "…"
		}
		count++
	}
	return s
}
