package pipeline

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/commit-labeler/commit-labeler/store"
)

// Stride is phase 3: it marks commits whose patch repeats an earlier commit
// (forks, cherry-picks) as duplicates and draws a time-strided sample of at
// most Options.StridePerYear commits per (repository, year) from the rest.
// The sample bounds what the paid labeler sees. It is a pure function of the
// stored commits, the limit and the seed, so it is recomputed whole.
func Stride(ctx context.Context, env *Env) (Counts, error) {
	perYear := env.Options.StridePerYear
	if perYear <= 0 {
		return nil, fmt.Errorf("stride: --stride-per-year must be positive, got %d", perYear)
	}
	refs, err := env.DB.CommitRefs(ctx)
	if err != nil {
		return nil, err
	}
	dups := findDuplicates(refs)
	samples := strideSample(refs, dups, perYear, env.Options.Seed)
	if err := env.DB.ReplaceSamples(ctx, samples, dups); err != nil {
		return nil, err
	}
	return Counts{"commits": int64(len(refs)), "duplicates": int64(len(dups)), "sampled": int64(len(samples))}, nil
}

// findDuplicates keeps, for each patch id, the earliest commit (by author
// time, then repository, then sha) and marks the others as its duplicates.
// refs come ordered by (repository, time, sha).
func findDuplicates(refs []store.CommitRef) []store.Duplicate {
	first := make(map[string]store.CommitRef)
	for _, r := range refs {
		if r.PatchID == "" {
			continue
		}
		if f, ok := first[r.PatchID]; !ok || earlier(r, f) {
			first[r.PatchID] = r
		}
	}
	var dups []store.Duplicate
	for _, r := range refs {
		if f, ok := first[r.PatchID]; ok && f.ID != r.ID {
			dups = append(dups, store.Duplicate{CommitID: r.ID, DuplicateOf: f.ID})
		}
	}
	return dups
}

func earlier(a, b store.CommitRef) bool {
	if a.AuthoredUnix != b.AuthoredUnix {
		return a.AuthoredUnix < b.AuthoredUnix
	}
	if a.RepoID != b.RepoID {
		return a.RepoID < b.RepoID
	}
	return a.SHA < b.SHA
}

// strideSample takes, in each (repository, year) group of non-duplicate
// commits ordered by time, perYear commits at even time-order strides from a
// seeded offset, so the sample covers the whole year.
func strideSample(refs []store.CommitRef, dups []store.Duplicate, perYear int, seed int64) []store.Sample {
	isDup := make(map[int64]bool, len(dups))
	for _, d := range dups {
		isDup[d.CommitID] = true
	}
	type group struct {
		repo int64
		year int
	}
	var order []group
	members := make(map[group][]store.CommitRef)
	for _, r := range refs {
		if isDup[r.ID] {
			continue
		}
		g := group{r.RepoID, time.Unix(r.AuthoredUnix, 0).UTC().Year()}
		if _, ok := members[g]; !ok {
			order = append(order, g)
		}
		members[g] = append(members[g], r)
	}
	var out []store.Sample
	for _, g := range order {
		m := members[g]
		if len(m) <= perYear {
			for _, r := range m {
				out = append(out, store.Sample{CommitID: r.ID, Year: g.year})
			}
			continue
		}
		stride := float64(len(m)) / float64(perYear)
		offset := groupRand(seed, g.repo, g.year).Float64() * stride
		for i := 0; i < perYear; i++ {
			out = append(out, store.Sample{CommitID: m[int(offset+float64(i)*stride)].ID, Year: g.year})
		}
	}
	return out
}

// groupRand is a generator determined by the seed and the group alone, so a
// group's sample does not change when other repositories are added.
func groupRand(seed int64, repo int64, year int) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%d", seed, repo, year)
	return rand.New(rand.NewPCG(h.Sum64(), uint64(seed)))
}
