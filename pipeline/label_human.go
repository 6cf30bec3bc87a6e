package pipeline

import (
	"context"
	"database/sql"
	"fmt"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/store"
)

// humanLabelerVersion versions how corrections become labels.
const humanLabelerVersion = "human/1"

// humanLabeler turns maintainers' label corrections into human labels. The
// corrections are few and keep arriving, so every run recomputes all of them
// in one transaction instead of resuming.
type humanLabeler struct {
	vocab *commitlabeler.Vocabulary
}

func (humanLabeler) source() string { return store.SourceHuman }

func (l humanLabeler) run(ctx context.Context, env *Env, t tally) error {
	corrections, err := env.DB.Corrections(ctx)
	if err != nil {
		return err
	}
	commits, invalid := foldCorrections(corrections, l.vocab)
	t.add("invalid_label", invalid)
	var stored []store.Labeling
	cleared := 0
	err = env.DB.Tx(ctx, func(tx *sql.Tx) error {
		w, err := store.NewLabelingWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		for _, c := range commits {
			if c.commitID == 0 {
				t.add("unknown_commit", 1) // not extracted yet: labeled by a later run
				continue
			}
			if len(c.labels) == 0 {
				if err := w.Clear(c.commitID, store.SourceHuman); err != nil {
					return fmt.Errorf("commit %s of %s: %w", c.sha, c.repo, err)
				}
				cleared++
				continue
			}
			lab := store.Labeling{CommitID: c.commitID, Source: store.SourceHuman, LabelerVersion: humanLabelerVersion, Labels: c.labels}
			if err := w.Put(lab); err != nil {
				return fmt.Errorf("commit %s of %s: %w", c.sha, c.repo, err)
			}
			stored = append(stored, lab)
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.stored(stored)
	t.add("cleared", cleared)
	return nil
}

// correctedCommit is a commit's human labels after all its corrections.
type correctedCommit struct {
	commitID  int64
	repo, sha string
	labels    []store.CommitLabel
}

// foldCorrections applies, per commit, the latest action of each label:
// labels whose latest action is "added" remain, in the order of those
// actions. corrections must be grouped by commit and oldest first, as
// store.Corrections returns them. Labels outside the vocabulary are dropped
// and counted.
func foldCorrections(corrections []store.CommitCorrection, vocab *commitlabeler.Vocabulary) (out []correctedCommit, invalid int) {
	for i := 0; i < len(corrections); {
		first := corrections[i]
		var order []string        // labels in order of their latest action
		added := map[string]int{} // label → pull request of its latest "added"
		for ; i < len(corrections) && corrections[i].Repo == first.Repo && corrections[i].SHA == first.SHA; i++ {
			c := corrections[i]
			if !vocab.Has(c.Label) {
				invalid++
				continue
			}
			order = moveToEnd(order, c.Label)
			delete(added, c.Label)
			if c.Action == store.CorrectionAdded {
				added[c.Label] = c.PullNumber
			}
		}
		cc := correctedCommit{commitID: first.CommitID, repo: first.Repo, sha: first.SHA}
		for _, name := range order {
			if pr, ok := added[name]; ok {
				cc.labels = append(cc.labels, store.CommitLabel{
					Label: name, Confidence: 1, Reason: fmt.Sprintf("maintainer correction on pull request #%d", pr),
				})
			}
		}
		out = append(out, cc)
	}
	return out, invalid
}

// moveToEnd returns s with name removed and appended.
func moveToEnd(s []string, name string) []string {
	for i, x := range s {
		if x == name {
			s = append(s[:i], s[i+1:]...)
			break
		}
	}
	return append(s, name)
}
