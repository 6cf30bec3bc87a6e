package loadgen

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// FakeGitHub is the GitHub the bot under load talks to, on loopback: App 1
// installed on the examples' repository, serving every generated pull
// request, and counting the labels the bot adds.
type FakeGitHub struct {
	*fakegithub.Server
	repos       *fakegithub.Repos
	ds          *Deliveries
	owner, name string
	// pullJSON encodes the example pull request for each number and title.
	pullJSON template

	mu      sync.Mutex
	read    int               // calls read so far
	labeled map[int]time.Time // pull request → its first successful "add labels"
	posts   map[int]int       // pull request → successful "add labels" calls
}

// StartFakeGitHub starts the fake for the deliveries ds makes.
func StartFakeGitHub(ds *Deliveries) (*FakeGitHub, error) {
	s, err := fakegithub.Start(fakegithub.WithoutRequestLog())
	if err != nil {
		return nil, err
	}
	pullJSON, err := newTemplate(ds.PullRequest)
	if err != nil {
		s.Close()
		return nil, err
	}
	f := &FakeGitHub{Server: s, repos: fakegithub.NewRepos(s), ds: ds, owner: ds.Owner, name: ds.Repo,
		pullJSON: pullJSON, labeled: map[int]time.Time{}, posts: map[int]int{}}
	s.AddInstallation(fakegithub.NewInstallation(InstallationID, ds.Owner, "User"),
		fakegithub.NewRepository(ds.Owner, ds.Repo, "", false))
	f.repos.Add(&fakegithub.Repo{Owner: ds.Owner, Name: ds.Repo, InstallationID: InstallationID,
		DefaultBranch: ds.PullRequest.GetBase().GetRef()})
	return f, nil
}

// AddPull makes the delivery's pull request exist (a Target's BeforeSend).
func (f *FakeGitHub) AddPull(d Delivery) {
	pr := *f.ds.PullRequest
	head := *pr.GetHead()
	head.SHA = new(HeadSHA(d.Number))
	pr.Number, pr.Title, pr.Head = new(d.Number), new(d.Title), &head
	pull := &fakegithub.Pull{
		PullRequest: &pr,
		JSON:        f.pullJSON.fill(d),
		Commits:     []*github.RepositoryCommit{{SHA: new(head.GetSHA())}},
		Files: []*github.CommitFile{{Filename: new("src/export.go"), Status: new("modified"),
			Additions: new(12), Deletions: new(3), Changes: new(15),
			Patch: new("@@ -1,3 +1,12 @@\n-old\n+new")}},
	}
	f.repos.Update(f.owner, f.name, func(r *fakegithub.Repo) { r.Pulls[d.Number] = pull })
}

// Labeling is how a step's pull requests were labeled.
type Labeling struct {
	// Labeled counts the pull requests that got a label.
	Labeled int
	// Duplicates counts "add labels" calls beyond each pull request's first.
	Duplicates int
	// Elapsed runs from the step's first send to its last pull request's
	// first label.
	Elapsed time.Duration
	// Complete tells whether every pull request was labeled in time.
	Complete bool
	// CPU is the CPU time the bot used from the step's first send until
	// the wait ended (0 when unknown).
	CPU time.Duration
}

// PerSecond returns pull requests labeled per second.
func (l Labeling) PerSecond() float64 {
	if l.Elapsed <= 0 {
		return 0
	}
	return float64(l.Labeled) / l.Elapsed.Seconds()
}

// WaitLabeled waits until every pull request of the step has a label, the
// labels stop coming for quiet, or ctx ends, and reports the labeling.
// Each poll looks only at the pull requests still unlabeled: the wait runs
// beside the bot it measures.
func (f *FakeGitHub) WaitLabeled(ctx context.Context, st Step, quiet time.Duration) Labeling {
	unlabeled, lastProgress := slices.Clone(st.Numbers), time.Now()
	for len(unlabeled) > 0 && ctx.Err() == nil {
		before := len(unlabeled)
		if unlabeled = f.stillUnlabeled(unlabeled); len(unlabeled) < before {
			lastProgress = time.Now()
		} else if time.Since(lastProgress) > quiet {
			break
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
		}
	}
	return f.labeling(st)
}

// stillUnlabeled reads the new calls and returns the numbers (filtered in
// place) of the pull requests without a label yet.
func (f *FakeGitHub) stillUnlabeled(numbers []int) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readCallsLocked()
	return slices.DeleteFunc(numbers, func(n int) bool { _, ok := f.labeled[n]; return ok })
}

// readCallsLocked counts the "add labels" calls made since the last read.
func (f *FakeGitHub) readCallsLocked() {
	calls := f.repos.CallsFrom(f.read)
	f.read += len(calls)
	for _, c := range calls {
		if n, ok := f.labelsCall(c); ok {
			f.posts[n]++
			if _, seen := f.labeled[n]; !seen {
				f.labeled[n] = c.Time
			}
		}
	}
}

// labeling reads the new calls and summarises the step's pull requests.
func (f *FakeGitHub) labeling(st Step) Labeling {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readCallsLocked()
	var l Labeling
	for _, n := range st.Numbers {
		at, ok := f.labeled[n]
		if !ok {
			continue
		}
		l.Labeled++
		l.Duplicates += f.posts[n] - 1
		l.Elapsed = max(l.Elapsed, at.Sub(st.Start))
	}
	l.Complete = l.Labeled == len(st.Numbers)
	return l
}

// labelsCall reports whether c successfully added labels to a pull request
// of the repository, and which.
func (f *FakeGitHub) labelsCall(c fakegithub.Call) (int, bool) {
	prefix := fmt.Sprintf("/repos/%s/%s/issues/", f.owner, f.name)
	rest, ok := strings.CutPrefix(c.Path, prefix)
	if c.Method != "POST" || c.Status/100 != 2 || !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, "/labels")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil
}
