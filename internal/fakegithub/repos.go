package fakegithub

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/go-github/v93/github"
)

// Repo is a repository of the fake with the state the bot reads and writes.
// Fill it before the test drives the bot; read it back through Repos.
type Repo struct {
	Owner, Name    string
	InstallationID int64
	DefaultBranch  string
	// CloneURL is what GET /repos/{owner}/{repo} gives as clone_url.
	CloneURL string
	// Labels are the repository's labels.
	Labels []*github.Label
	// Pulls by number.
	Pulls map[int]*Pull
	// Commits by SHA, served by GET /repos/{owner}/{repo}/commits/{sha}.
	Commits map[string]*github.RepositoryCommit
	// Files of the default branch by path, served by the contents API.
	Files map[string]string
	// CheckRuns created so far.
	CheckRuns []*github.CheckRun
	// Writer is the user the label changes made through the API are
	// recorded as (default "commit-labeler[bot]", the App's bot user).
	Writer *github.User
}

// Pull is a pull request with its commits, files and labels (by name).
type Pull struct {
	PullRequest *github.PullRequest
	// JSON, when set, is PullRequest's encoding without "labels", served
	// with Labels added in place of encoding PullRequest at each read: a
	// load test makes thousands of pull requests from one example's
	// encoding, and the fake shares the machine with the bot it measures.
	JSON    []byte
	Commits []*github.RepositoryCommit
	Files   []*github.CommitFile
	Labels  []string
	// Events is the issue's label history, oldest first, served by GET
	// /repos/{owner}/{repo}/issues/{number}/events: a test puts a
	// maintainer's earlier changes here, and labels added or removed
	// through the API are appended with Repo.Writer as the actor.
	Events []*github.IssueEvent
}

// Call is one request the repository endpoints answered, with the time it
// arrived and the status sent, faults included.
type Call struct {
	Time   time.Time
	Method string
	Path   string
	Status int
	// RetryAfter is the Retry-After the answer carried, 0 if none.
	RetryAfter time.Duration
	// Installation is the client: the installation whose token the request
	// carried (GitHub keeps rate limits per installation).
	Installation int64
	// Answered is when the answer was written.
	Answered time.Time
}

// Repos serves the repository endpoints a labeling bot uses (pull requests,
// issue labels, repository labels, check runs, contents, commits) over the
// repositories a test adds, optionally failing a share of calls (Faults).
type Repos struct {
	s *Server

	// mu guards the fields below; reads of the repositories (GET calls
	// without faults) share it, so that a bot under load is not served one
	// call at a time.
	mu      sync.RWMutex
	repos   map[string]*Repo
	faults  *Faults
	latency time.Duration
	calls   []Call
}

// NewRepos registers the repository endpoints on s.
func NewRepos(s *Server) *Repos {
	rs := &Repos{s: s, repos: map[string]*Repo{}}
	rs.registerPulls()
	rs.registerIssueLabels()
	rs.registerChecks()
	rs.registerContents()
	rs.registerRepository()
	return rs
}

// Add adds a repository, initialising its nil maps.
func (rs *Repos) Add(r *Repo) *Repo {
	if r.Pulls == nil {
		r.Pulls = map[int]*Pull{}
	}
	if r.Commits == nil {
		r.Commits = map[string]*github.RepositoryCommit{}
	}
	if r.Files == nil {
		r.Files = map[string]string{}
	}
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	if r.Writer == nil {
		r.Writer = &github.User{Login: new("commit-labeler[bot]"), Type: new("Bot")}
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.repos[r.Owner+"/"+r.Name] = r
	return r
}

// Update runs fn on the repository under the fake's lock, for changes and
// reads while the bot may be running.
func (rs *Repos) Update(owner, name string, fn func(*Repo)) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	fn(rs.repos[owner+"/"+name])
}

// IssueLabels returns the label names of a pull request, sorted.
func (rs *Repos) IssueLabels(owner, name string, number int) []string {
	var out []string
	rs.Update(owner, name, func(r *Repo) { out = slices.Sorted(slices.Values(r.Pulls[number].Labels)) })
	return out
}

// RepoLabels returns the repository's labels.
func (rs *Repos) RepoLabels(owner, name string) []*github.Label {
	var out []*github.Label
	rs.Update(owner, name, func(r *Repo) { out = slices.Clone(r.Labels) })
	return out
}

// CheckRuns returns the check runs created in the repository.
func (rs *Repos) CheckRuns(owner, name string) []*github.CheckRun {
	var out []*github.CheckRun
	rs.Update(owner, name, func(r *Repo) { out = slices.Clone(r.CheckRuns) })
	return out
}

// Calls returns the calls answered so far, in arrival order.
func (rs *Repos) Calls() []Call {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return slices.Clone(rs.calls)
}

// CallsFrom returns the calls answered after the first from, in arrival
// order, so that a load test reads each call once.
func (rs *Repos) CallsFrom(from int) []Call {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if from >= len(rs.calls) {
		return nil
	}
	return slices.Clone(rs.calls[from:])
}

// repoHandler is a handler of a repository endpoint, called under the lock
// with the repository the path names.
type repoHandler func(w http.ResponseWriter, r *http.Request, repo *Repo)

// handle registers a repository endpoint behind installation auth. It
// answers 404 when the repository is unknown or not granted to the caller's
// installation, as GitHub does, injects faults and records the call.
func (rs *Repos) handle(pattern string, h repoHandler) {
	rs.s.Handle(pattern, AuthInstallation, func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		arrived := time.Now()
		defer func() {
			rs.mu.Lock()
			rs.calls = append(rs.calls, Call{
				Time: arrived, Method: r.Method, Path: r.URL.Path, Status: rec.status, RetryAfter: rec.retryAfter(),
				Installation: InstallationID(r), Answered: time.Now(),
			})
			rs.mu.Unlock()
		}()
		if !rs.wait(r) {
			rec.status = 0 // the client went away: no answer
			return
		}
		defer rs.lockFor(r)()
		if rs.faults != nil && rs.faults.inject(rec) {
			return
		}
		repo, ok := rs.repos[r.PathValue("owner")+"/"+r.PathValue("repo")]
		if !ok || repo.InstallationID != InstallationID(r) {
			WriteError(rec, http.StatusNotFound, "Not Found")
			return
		}
		h(rec, r, repo)
	})
}

// lockFor takes the lock r needs and returns its unlock: the read lock for
// a GET (which changes no repository) while faults (which draw from one
// generator) are off, the lock otherwise.
func (rs *Repos) lockFor(r *http.Request) (unlock func()) {
	rs.mu.RLock()
	if r.Method == http.MethodGet && rs.faults == nil {
		return rs.mu.RUnlock
	}
	rs.mu.RUnlock()
	rs.mu.Lock()
	return rs.mu.Unlock
}

// statusRecorder keeps the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) retryAfter() time.Duration {
	d, _ := time.ParseDuration(s.Header().Get("Retry-After") + "s")
	return d
}
