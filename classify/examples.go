package classify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
)

// Example is one labeled commit for training or evaluation.
type Example struct {
	// ID identifies the commit (repository/sha) in fingerprints.
	ID string
	// Repo is the repository, which validation holds out whole.
	Repo string
	// Time is the commit's author time (Unix seconds), which orders a
	// repository's history (LearnRepository).
	Time int64
	// Features are the commit's features (BuildFeatures).
	Features *Features
	// Labels are the commit's labels, the first being the primary one.
	Labels []string
	// Weight is how many commits labeled by their header the example
	// counts as when a repository is learned (0 counts as 1): labels a
	// maintainer gave weigh more (LearnOptions.CorrectionWeight).
	Weight float64
}

// Fingerprint identifies a training set by its commit ids and labels.
func Fingerprint(examples []Example) string {
	ids := make([]string, len(examples))
	for i, e := range examples {
		ids[i] = e.ID + "\x00" + fmt.Sprint(e.Labels)
	}
	sort.Strings(ids)
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// featuresOf are the features of examples, in their order.
func featuresOf(examples []Example) []*Features {
	out := make([]*Features, len(examples))
	for i := range examples {
		out[i] = examples[i].Features
	}
	return out
}

// repoNames are the distinct repositories of examples, sorted.
func repoNames(examples []Example) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range examples {
		if !seen[e.Repo] {
			seen[e.Repo] = true
			out = append(out, e.Repo)
		}
	}
	sort.Strings(out)
	return out
}
