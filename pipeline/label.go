package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/store"
)

// Labeler selections of Options.Labeler.
const (
	LabelerConventional = "conventional"
	LabelerOllama       = "ollama"
	LabelerAll          = "all"
)

// labelWriteBatch is how many labelings one transaction stores.
const labelWriteBatch = 500

// labeler is one source of labels run by the label phase. A labeler is
// resumable per commit: it reads only the commits its source has not finished
// with its current labeler version, and stores whole batches per transaction.
type labeler interface {
	// source is the store source the labeler writes (store.SourceHuman, ...).
	source() string
	// run labels what is left, recording outcomes in t.
	run(ctx context.Context, env *Env, t tally) error
}

// Label is the label phase: it turns maintainers' corrections into human
// labels, then runs the labelers selected by Options.Labeler. Precedence
// between sources is applied on read (store.EffectiveLabels), so the order
// of the labelers does not matter.
func Label(ctx context.Context, env *Env) (Counts, error) {
	ls, err := labelersFor(env.Options, commitlabeler.Default())
	if err != nil {
		return Counts{}, err
	}
	return runLabelers(ctx, env, ls)
}

// labelersFor builds the labelers an options set selects; human corrections
// always come first because they are cheap and the most trusted, then a
// learn job's merged pull requests.
func labelersFor(o Options, vocab *commitlabeler.Vocabulary) ([]labeler, error) {
	ls := []labeler{humanLabeler{vocab: vocab}}
	if o.Target != nil && o.Target.InstallationID != 0 {
		ls = append(ls, pullLabeler{vocab: vocab})
	}
	switch o.Labeler {
	case LabelerConventional:
		ls = append(ls, newConventionalLabeler(vocab))
	case LabelerOllama, LabelerAll:
		ol, err := newOllamaLabeler(o.Ollama, vocab)
		if err != nil {
			return nil, err
		}
		if o.Labeler == LabelerAll {
			ls = append(ls, newConventionalLabeler(vocab))
		}
		ls = append(ls, ol)
	default:
		return nil, fmt.Errorf("labeler %q: want %q, %q or %q", o.Labeler, LabelerConventional, LabelerOllama, LabelerAll)
	}
	return ls, nil
}

// runLabelers runs ls in order, stopping at the first error; the counts of
// the labelers that ran (also of the failed one) are returned either way.
func runLabelers(ctx context.Context, env *Env, ls []labeler) (Counts, error) {
	counts := Counts{}
	for _, l := range ls {
		if err := l.run(ctx, env, newTally(counts, l.source())); err != nil {
			return counts, fmt.Errorf("%s labeler: %w", l.source(), err)
		}
	}
	return counts, nil
}

// tally records one labeler's outcomes in the phase counts under
// "<source>.<what>" keys: labeled, none, failed and "label.<name>" per label.
type tally struct {
	counts Counts
	source string
}

func newTally(c Counts, source string) tally {
	t := tally{counts: c, source: source}
	for _, k := range []string{"labeled", "none", "failed"} {
		t.add(k, 0)
	}
	return t
}

func (t tally) add(what string, n int) { t.counts[t.source+"."+what] += int64(n) }

// stored records labelings that were committed.
func (t tally) stored(ls []store.Labeling) {
	for _, l := range ls {
		if len(l.Labels) == 0 {
			t.add("none", 1)
			continue
		}
		t.add("labeled", 1)
		for _, cl := range l.Labels {
			t.add("label."+cl.Label, 1)
		}
	}
}

// vocabularyDigest is a short hash of the vocabulary, part of labeler
// versions so that editing labels.json relabels.
func vocabularyDigest(v *commitlabeler.Vocabulary) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("vocabulary digest: %v", err)) // plain data: cannot fail
	}
	return shortHash(data)
}

// shortHash is the first 8 hex digits of the SHA-256 of the parts.
func shortHash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:8]
}
