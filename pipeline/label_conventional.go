package pipeline

import (
	"context"
	"fmt"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// conventionalLabeler labels every extracted commit from its Conventional
// Commits header. A subject without a header gets a "none" labeling, so that
// it is not read again.
type conventionalLabeler struct {
	vocab   *commitlabeler.Vocabulary
	version string
}

func newConventionalLabeler(vocab *commitlabeler.Vocabulary) conventionalLabeler {
	return conventionalLabeler{vocab: vocab, version: "conventional/1+" + vocabularyDigest(vocab)}
}

func (conventionalLabeler) source() string { return store.SourceConventional }

func (l conventionalLabeler) run(ctx context.Context, env *Env, t tally) error {
	progress := env.Progress("label conventional", -1)
	defer progress.Done()
	batch := make([]store.Labeling, 0, labelWriteBatch)
	flush := func() error {
		if err := env.DB.PutLabelings(ctx, batch); err != nil {
			return err
		}
		t.stored(batch)
		progress.Add(len(batch))
		batch = batch[:0]
		return nil
	}
	filter := store.CommitFilter{NotLabeledBy: store.SourceConventional, NotLabeledByVersion: l.version}
	err := env.DB.ForEachCommit(ctx, filter, func(c *store.Commit) error {
		batch = append(batch, store.Labeling{
			CommitID:       c.ID,
			Source:         store.SourceConventional,
			LabelerVersion: l.version,
			Labels:         conventionalLabels(c.Subject, l.vocab),
		})
		if len(batch) == labelWriteBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("version %s: %w", l.version, err)
	}
	return flush()
}

// conventionalLabels maps a subject's header to labels of confidence 1: none
// without a header, else the type's label and i18n for an i18n scope.
func conventionalLabels(subject string, vocab *commitlabeler.Vocabulary) []store.CommitLabel {
	h, ok := classify.ParseHeader(subject)
	if !ok {
		return nil
	}
	names := h.Labels(vocab)
	out := make([]store.CommitLabel, len(names))
	for i, n := range names {
		out[i] = store.CommitLabel{Label: n, Confidence: 1}
	}
	return out
}
