package pipeline

import (
	"context"
	"hash/fnv"
	"regexp"
	"slices"

	"github.com/commit-labeler/commit-labeler/classify"
)

// pullRequestSubject matches a subject ending in the number of the pull
// request it was merged from, as GitHub writes squash merges: the
// commits the learning worker labels from their pull request.
var pullRequestSubject = regexp.MustCompile(`\(#[0-9]+\)$`)

// weighHistory weighs a repository's history as the learning worker would
// by the source of each commit's labels, which a corpus of commits does
// not record, so it is inferred. A commit merged from a pull request
// (pullRequestSubject) counts as labeled from it; of the commits to which
// the global model applied a label their labels do not hold, a
// deterministic share corrections (by the commit's ID) counts as
// corrected by a maintainer, who corrects what the bot got wrong.
func weighHistory(ctx context.Context, global classify.Model, history []classify.Example, corrections float64, opts classify.LearnOptions) ([]classify.Example, error) {
	opts = opts.WithDefaults()
	var scored []classify.Scored
	if corrections > 0 {
		var err error
		if scored, err = classify.Score(ctx, global, history); err != nil {
			return nil, err
		}
	}
	out := slices.Clone(history)
	for i := range out {
		switch {
		case scored != nil && corrected(out[i], scored[i], corrections):
			out[i].Weight = opts.CorrectionWeight
		case pullRequestSubject.MatchString(out[i].Features.Subject):
			out[i].Weight = opts.PullRequestWeight
		}
	}
	return out, nil
}

// corrected says whether a maintainer corrects the labels s applied to e:
// one of them is wrong, and e falls in the share corrected.
func corrected(e classify.Example, s classify.Scored, share float64) bool {
	wrong := slices.ContainsFunc(s.Applied, func(l string) bool { return !slices.Contains(e.Labels, l) })
	if !wrong {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte(e.ID))
	return float64(h.Sum32()%1000) < share*1000
}
