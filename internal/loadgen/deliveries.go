// Package loadgen drives webhook servers (the bot, a Probot app) with
// GitHub's own example deliveries at fixed open-loop rates and measures
// their answers and, through a fake GitHub, the labels the bot applies.
// `bench bot` is its command.
package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
)

// labeledActions are the pull_request actions the bot labels on.
var labeledActions = map[string]bool{"opened": true, "reopened": true, "synchronize": true, "ready_for_review": true}

// titles rotate over the deliveries: Conventional Commits headers, which
// the bot labels from directly, so that every pull request gets a label.
var titles = []string{
	"feat: add the export button", "fix: crash on an empty config", "docs: explain the setup",
	"refactor: split the parser", "test: cover the retry path", "chore: bump the linter",
}

// Placeholders the templates carry where each delivery differs.
const (
	numberMark = "987654321"
	titleMark  = "__LOADGEN_TITLE__"
	// shaMark stands for the head commit: each pull request has its own,
	// as on GitHub, so that a rerun's search for the check run it already
	// made looks among that commit's runs, not every run of the load.
	shaMark = "feedfacefeedfacefeedfacefeedfacefeedface"
)

// HeadSHA is the head commit of the generated pull request number n.
func HeadSHA(n int) string { return fmt.Sprintf("%040x", n) }

// InstallationID is the installation every generated delivery names.
const InstallationID = 1

// Delivery is one generated delivery: its own GUID and pull request.
type Delivery struct {
	ID     string
	Number int
	Title  string
	Body   []byte
}

// Deliveries makes pull_request deliveries from GitHub's examples, each
// with a fresh delivery GUID and pull request number. Safe for concurrent use.
type Deliveries struct {
	templates []template
	// PullRequest is the example pull request the fake GitHub serves for
	// every number (copied, with the number and title replaced).
	PullRequest *github.PullRequest
	// Owner and Repo name the examples' repository.
	Owner, Repo string
	next        atomic.Int64
}

// NewDeliveries reads the examples (ghexamples.Read) and keeps those of
// the actions the bot labels on, open and not drafts.
func NewDeliveries() (*Deliveries, error) {
	all, err := ghexamples.Read()
	if err != nil {
		return nil, fmt.Errorf("loadgen: %w (run scripts/fetch-github-descriptions.sh)", err)
	}
	ds := &Deliveries{}
	for _, raw := range all["pull_request"] {
		var ev github.PullRequestEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("loadgen: pull_request example: %w", err)
		}
		pr := ev.GetPullRequest()
		if !labeledActions[ev.GetAction()] || pr.GetDraft() || pr.GetState() != "open" {
			continue
		}
		tmpl, err := deliveryTemplate(raw)
		if err != nil {
			return nil, err
		}
		ds.templates = append(ds.templates, tmpl)
		if ds.PullRequest == nil {
			ds.PullRequest, ds.Owner, ds.Repo = pr, ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName()
		}
	}
	if len(ds.templates) == 0 {
		return nil, errors.New("loadgen: the examples hold no open pull_request delivery to label")
	}
	return ds, nil
}

// template is an encoding with a delivery's pull request number and title
// marked.
type template []byte

// fill returns the encoding with d's number and title.
func (t template) fill(d Delivery) []byte {
	title, _ := json.Marshal(d.Title)
	body := bytes.ReplaceAll(t, []byte(numberMark), strconv.AppendInt(nil, int64(d.Number), 10))
	body = bytes.ReplaceAll(body, []byte(shaMark), []byte(HeadSHA(d.Number)))
	return bytes.Replace(body, []byte(strconv.Quote(titleMark)), title, 1)
}

// newTemplate encodes pr, without labels, marking its number, title and
// head commit.
func newTemplate(pr *github.PullRequest) (template, error) {
	marked := *pr
	mark, _ := strconv.Atoi(numberMark)
	marked.Number, marked.Title, marked.Labels = &mark, new(titleMark), nil
	raw, err := json.Marshal(&marked)
	if err != nil {
		return nil, fmt.Errorf("loadgen: pull request template: %w", err)
	}
	return markHead(raw, pr.GetHead().GetSHA()), nil
}

// markHead replaces the example's head commit, wherever the encoding
// names it (a synchronize delivery's "after" too), with shaMark.
func markHead(raw []byte, sha string) template {
	if sha == "" {
		return raw
	}
	return bytes.ReplaceAll(raw, []byte(sha), []byte(shaMark))
}

// deliveryTemplate marks an example's pull request number, title and head
// commit, and names installation 1.
func deliveryTemplate(raw []byte) (template, error) {
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("loadgen: pull_request example: %w", err)
	}
	mark, _ := strconv.Atoi(numberMark)
	ev["number"] = mark
	pr := ev["pull_request"].(map[string]any)
	pr["number"], pr["title"] = mark, titleMark
	ev["installation"] = map[string]any{"id": InstallationID}
	sha, _ := pr["head"].(map[string]any)["sha"].(string)
	marked, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	return markHead(marked, sha), nil
}

// Next returns a new delivery: the next pull request number (from 1), a
// GUID naming the run and that number, and the body filled in.
func (ds *Deliveries) Next(run string) Delivery {
	n := int(ds.next.Add(1))
	d := Delivery{ID: fmt.Sprintf("%s-%08d", run, n), Number: n, Title: titles[n%len(titles)]}
	d.Body = ds.templates[n%len(ds.templates)].fill(d)
	return d
}

// Issued returns how many deliveries Next has made.
func (ds *Deliveries) Issued() int { return int(ds.next.Load()) }
