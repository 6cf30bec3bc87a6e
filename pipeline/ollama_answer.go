package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/store"
)

// errMalformedAnswer marks model output that is not the JSON document the
// schema asks for; the request is retried.
var errMalformedAnswer = errors.New("malformed model answer")

// modelAnswer is the document answerSchema describes.
type modelAnswer struct {
	Commits []struct {
		ID     string `json:"id"`
		Labels []struct {
			Label      string  `json:"label"`
			Confidence float64 `json:"confidence"`
			Reason     string  `json:"reason"`
		} `json:"labels"`
	} `json:"commits"`
}

// answerStats counts what parseAnswer dropped from a well-formed answer.
type answerStats struct {
	// UnknownIDs are answers for ids that are not in the batch.
	UnknownIDs int
	// DuplicateIDs are second answers for an id; the first one counts.
	DuplicateIDs int
	// InvalidLabels are labels outside the vocabulary, repeated, or with a
	// confidence outside 0..1.
	InvalidLabels int
	// ExtraLabels are valid labels beyond the maxModelLabels most confident.
	ExtraLabels int
}

// parseAnswer decodes the model's answer and validates it against the
// batch's ids and the vocabulary. Answers are matched by id, never by
// position. The result holds only known ids with at least one valid label,
// each with at most maxModelLabels labels, most confident first. The error
// (errMalformedAnswer) is only for content that is not the expected JSON.
func parseAnswer(content string, ids map[string]bool, vocab *commitlabeler.Vocabulary) (map[string][]store.CommitLabel, answerStats, error) {
	var stats answerStats
	var a modelAnswer
	if err := json.Unmarshal([]byte(content), &a); err != nil {
		return nil, stats, fmt.Errorf("%w: %v", errMalformedAnswer, err)
	}
	if a.Commits == nil {
		return nil, stats, fmt.Errorf("%w: no commits array", errMalformedAnswer)
	}
	out := make(map[string][]store.CommitLabel, len(a.Commits))
	answered := make(map[string]bool, len(a.Commits))
	for _, c := range a.Commits {
		id := strings.TrimSpace(c.ID)
		switch {
		case !ids[id]:
			stats.UnknownIDs++
			continue
		case answered[id]:
			stats.DuplicateIDs++
			continue
		}
		answered[id] = true
		var labels []store.CommitLabel
		seen := make(map[string]bool, len(c.Labels))
		for _, l := range c.Labels {
			name := strings.ToLower(strings.TrimSpace(l.Label))
			if !vocab.Has(name) || seen[name] || !(l.Confidence >= 0 && l.Confidence <= 1) {
				stats.InvalidLabels++
				continue
			}
			seen[name] = true
			labels = append(labels, store.CommitLabel{Label: name, Confidence: l.Confidence, Reason: oneLine(l.Reason)})
		}
		sort.SliceStable(labels, func(i, j int) bool { return labels[i].Confidence > labels[j].Confidence })
		if len(labels) > maxModelLabels {
			stats.ExtraLabels += len(labels) - maxModelLabels
			labels = labels[:maxModelLabels]
		}
		if len(labels) > 0 {
			out[id] = labels
		}
	}
	return out, stats, nil
}

// oneLine collapses whitespace (newlines included) and cuts to maxReasonLength.
func oneLine(s string) string {
	return cutRunes(strings.Join(strings.Fields(s), " "), maxReasonLength)
}
