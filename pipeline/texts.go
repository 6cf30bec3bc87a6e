package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/commit-labeler/commit-labeler/classify"
)

// TextRecord is one line `train texts` writes: a labeled commit as the text
// a transformer reads, for fine-tuning one outside Go (scripts/finetune).
type TextRecord struct {
	ID     string   `json:"id"`
	Repo   string   `json:"repo"`
	Labels []string `json:"labels"`
	Text   string   `json:"text"`
	// Valid marks the commits of the validation repositories, which
	// fine-tuning leaves out so that `train train --import` calibrates the
	// model, and fits an ensemble's weights, on repositories it never saw.
	Valid bool `json:"valid,omitempty"`
}

// WriteTexts writes each labeled commit as a TextRecord, one JSON line
// each, its text by the named recipe (classify.TextRecipe), split by
// repository as TrainModels splits them: the same Options give the same
// hold-out and validation repositories.
func WriteTexts(ctx context.Context, env *Env, recipe string, w io.Writer) (Counts, error) {
	text, err := classify.TextRecipe(recipe)
	if err != nil {
		return nil, err
	}
	counts := Counts{}
	_, train, valid, err := splitExamples(ctx, env, counts)
	if err != nil {
		return counts, err
	}
	counts[CountTrainExamples], counts[CountValidExamples] = int64(len(train)), int64(len(valid))
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, set := range []struct {
		examples []classify.Example
		valid    bool
	}{{train, false}, {valid, true}} {
		for _, e := range set.examples {
			if err := enc.Encode(TextRecord{ID: e.ID, Repo: e.Repo, Labels: e.Labels, Text: text(e.Features), Valid: set.valid}); err != nil {
				return counts, fmt.Errorf("texts: %w", err)
			}
		}
	}
	return counts, bw.Flush()
}
