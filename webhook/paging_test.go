package webhook

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// loopingFixture is the bot fixture (two items a page) reaching the fake
// GitHub through fakegithub.NextLinks(next), logging into the buffer.
func loopingFixture(t *testing.T, next func(url.Values) url.Values) (*botFixture, *bytes.Buffer) {
	t.Helper()
	f := newBotFixture(t)
	clients, err := ghapp.New(ghapp.Config{AppID: f.fake.AppID(), PrivateKey: f.fake.PrivateKeyPEM(), APIURL: fakegithub.NextLinks(t, f.fake, next)})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	f.cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.app = clients.App()
	f.cfg.Clients = clients
	f.build()
	return f, &logs
}

// TestListsStopOnALoopingLink reads each list the bot and the Action read
// from GitHub behind a Link that never advances: each ends after its second
// request with what it read, and says so in the log.
func TestListsStopOnALoopingLink(t *testing.T) {
	pullPath := fmt.Sprintf("/repos/%s/%s", exOwner, exRepo)
	ref := repoRef{owner: exOwner, name: exRepo, installationID: exInstID}
	page2 := `reason="next page 2 does not advance past page 2"`
	tests := []struct {
		name  string
		next  func(url.Values) url.Values
		setup func(*fakegithub.Repo)
		// read reads the list and checks what it got.
		read    func(ctx context.Context, t *testing.T, f *botFixture, gh *github.Client) error
		path    string
		wantLog string
	}{
		{
			name: "pull request files", next: fakegithub.NextIsPage2, path: pullPath + "/pulls/2/files",
			read: func(ctx context.Context, t *testing.T, f *botFixture, gh *github.Client) error {
				files, err := pullFiles(ctx, gh, ref, exPull, f.handlers.pull.log)
				if len(files) != 3 {
					t.Errorf("%d files, want 3", len(files))
				}
				return err
			},
			wantLog: `list="files of Codertocat/Hello-World#2" items=3 ` + page2,
		},
		{
			name: "pull request commits", next: fakegithub.NextIsPage2, path: pullPath + "/pulls/2/commits",
			read: func(ctx context.Context, t *testing.T, f *botFixture, gh *github.Client) error {
				shas, err := pullCommits(ctx, gh, ref, exPull, f.handlers.pull.log)
				if len(shas) != 3 {
					t.Errorf("%d commits, want 3", len(shas))
				}
				return err
			},
			wantLog: `list="commits of Codertocat/Hello-World#2" items=3 ` + page2,
		},
		{
			name: "pull request labels", next: fakegithub.NextIsPage2, path: pullPath + "/issues/2/labels",
			setup: func(r *fakegithub.Repo) {
				r.Labels = append(r.Labels, &github.Label{Name: "type: fix"}, &github.Label{Name: "type: docs"})
				r.Pulls[exPull].Labels = []string{"bug", "type: fix", "type: docs"}
			},
			read: func(ctx context.Context, t *testing.T, f *botFixture, gh *github.Client) error {
				present, err := issueLabels(ctx, gh, ref, exPull, repoconfig.Default(f.handlers.pull.labeling.configs.vocab), f.handlers.pull.log)
				if !present["fix"] || !present["docs"] {
					t.Errorf("labels present = %v, want fix and docs", present)
				}
				return err
			},
			wantLog: `list="labels of Codertocat/Hello-World#2" items=3 ` + page2,
		},
		{
			name: "pull request label events", next: fakegithub.NextIsPage2, path: pullPath + "/issues/2/events",
			setup: func(r *fakegithub.Repo) {
				maintainer := &github.User{Login: new("octocat"), Type: new("User")}
				r.Pulls[exPull].Events = []*github.IssueEvent{
					fakegithub.LabelEvent("labeled", "type: fix", maintainer),
					fakegithub.LabelEvent("unlabeled", "type: fix", maintainer),
					fakegithub.LabelEvent("labeled", "type: docs", maintainer),
				}
			},
			read: func(ctx context.Context, t *testing.T, f *botFixture, _ *github.Client) error {
				return f.handlers.action.RestorePullLabels(ctx, exOwner, exRepo, exPull)
			},
			wantLog: `list="events of Codertocat/Hello-World#2" items=3 ` + page2,
		},
		{
			name: "check runs of a name", next: fakegithub.NextIsPage2, path: pullPath + "/commits/c0ffee/check-runs",
			setup: func(r *fakegithub.Repo) {
				r.CheckRuns = append(r.CheckRuns, &github.CheckRun{Name: new(checkrun.PullName), HeadSHA: new("c0ffee"), ExternalID: new("another-delivery")})
			},
			read: func(ctx context.Context, t *testing.T, f *botFixture, gh *github.Client) error {
				c := checkrun.Output{Name: checkrun.PullName, HeadSHA: "c0ffee"}
				done, err := checkRunCreatedBy(ctx, gh, exOwner, exRepo, c, "this-delivery", f.handlers.pull.log)
				if done {
					t.Errorf("checkRunCreatedBy found the check run of another delivery")
				}
				return err
			},
			wantLog: `list="check runs \"commit-labeler\" of Codertocat/Hello-World@c0ffee" items=2 ` + page2,
		},
		{
			name: "the App's webhook deliveries", path: "/app/hook/deliveries",
			next: func(q url.Values) url.Values {
				q.Set("cursor", "v1_1")
				return q
			},
			read: func(ctx context.Context, t *testing.T, f *botFixture, _ *github.Client) error {
				now := time.Now()
				fakegithub.ServeHookDeliveries(f.fake,
					fakegithub.NewHookDelivery(1, "a", "push", "", now, 200, false),
					fakegithub.NewHookDelivery(2, "b", "push", "", now.Add(-time.Minute), 200, false),
					fakegithub.NewHookDelivery(3, "c", "push", "", now.Add(-2*time.Minute), 200, false),
				)
				r := &delivery.Redeliverer{App: f.app, DB: f.db, Handles: func(string) bool { return true }, Log: f.handlers.pull.log}
				_, err := r.RedeliverMissed(ctx)
				return err
			},
			wantLog: `list="webhook deliveries of the App" items=4 reason="next cursor \"v1_1\" was read already"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, logs := loopingFixture(t, tt.next)
			if tt.setup != nil {
				f.repos.Update(exOwner, exRepo, tt.setup)
			}
			gh, err := f.handlers.pull.clients.Installation(exInstID)
			if err != nil {
				t.Fatal(err)
			}
			// Following the Link would never end: the deadline fails it.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if err := tt.read(ctx, t, f, gh); err != nil {
				t.Fatal(err)
			}
			if n := f.fake.RequestsTo(http.MethodGet, tt.path); n != 2 {
				t.Errorf("%d requests of %s, want 2", n, tt.path)
			}
			if want := `level=WARN msg="stopped reading a GitHub list" ` + tt.wantLog; !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks\n%s\n%s", want, logs)
			}
		})
	}
}

// TestPullListsStopAtGitHubsCaps lists a pull request with more files and
// commits than GitHub lists of one: the bot reads GitHub's 3,000 files and
// 250 commits, 100 a request, and logs that it stopped.
func TestPullListsStopAtGitHubsCaps(t *testing.T) {
	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(exInstID, exOwner, "User"))
	pull := &fakegithub.Pull{PullRequest: &github.PullRequest{Number: new(exPull)}}
	for i := range ghapp.MaxPullFiles + 1 {
		pull.Files = append(pull.Files, &github.CommitFile{Filename: new(fmt.Sprintf("f%04d", i))})
	}
	for i := range ghapp.MaxPullCommits + 1 {
		pull.Commits = append(pull.Commits, &github.RepositoryCommit{SHA: new(fmt.Sprintf("c%03d", i))})
	}
	fakegithub.NewRepos(fake).Add(&fakegithub.Repo{Owner: exOwner, Name: exRepo, InstallationID: exInstID, Pulls: map[int]*fakegithub.Pull{exPull: pull}})
	clients, err := ghapp.New(ghapp.Config{AppID: fake.AppID(), PrivateKey: fake.PrivateKeyPEM(), APIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	gh, err := clients.Installation(exInstID)
	if err != nil {
		t.Fatal(err)
	}
	ref := repoRef{owner: exOwner, name: exRepo, installationID: exInstID}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	files, err := pullFiles(t.Context(), gh, ref, exPull, log)
	if err != nil {
		t.Fatal(err)
	}
	shas, err := pullCommits(t.Context(), gh, ref, exPull, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != ghapp.MaxPullFiles || files[len(files)-1].GetFilename() != "f2999" {
		t.Errorf("%d files, want the first %d", len(files), ghapp.MaxPullFiles)
	}
	if want := pull.Commits[:ghapp.MaxPullCommits]; !slices.EqualFunc(shas, want, func(sha string, c *github.RepositoryCommit) bool { return sha == c.GetSHA() }) {
		t.Errorf("%d commits, want the first %d", len(shas), ghapp.MaxPullCommits)
	}
	path := fmt.Sprintf("/repos/%s/%s/pulls/%d/", exOwner, exRepo, exPull)
	if n := fake.RequestsTo(http.MethodGet, path+"files"); n != 30 {
		t.Errorf("%d file list requests, want 30", n)
	}
	if n := fake.RequestsTo(http.MethodGet, path+"commits"); n != 3 {
		t.Errorf("%d commit list requests, want 3", n)
	}
	for _, want := range []string{
		`list="files of Codertocat/Hello-World#2" items=3000 reason="cap 3000 reached"`,
		`list="commits of Codertocat/Hello-World#2" items=250 reason="cap 250 reached"`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, &logs)
		}
	}
}

// TestPullRequestLabeledThroughALoopingFilesLink handles a pull_request
// delivery whose files list names page 2 as the next page of every page:
// the bot reads the files in two requests and labels the pull request.
func TestPullRequestLabeledThroughALoopingFilesLink(t *testing.T) {
	f, logs := loopingFixture(t, fakegithub.NextIsPage2)
	f.model.set("readme", "docs", 0.91)
	payload := f.pullExample("opened", "Update the README with new information.", human, nil)
	// Following the Link would never end: the deadline fails it.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	run := delivery.Run{ID: "delivery-looping-files", Attempt: 1}
	if err := f.handlers.pull.Handle(delivery.WithRun(ctx, run), "pull_request", run.ID, payload); err != nil {
		t.Fatal(err)
	}

	if got := f.labels(); !slices.Equal(got, []string{"type: docs"}) {
		t.Fatalf("labels = %v, want [type: docs]", got)
	}
	if in := f.model.calls[0]; in.FilesChanged != 3 {
		t.Errorf("classified %d files, want 3", in.FilesChanged)
	}
	if n := f.fake.RequestsTo(http.MethodGet, fmt.Sprintf("/repos/%s/%s/pulls/%d/files", exOwner, exRepo, exPull)); n != 2 {
		t.Errorf("%d file list requests, want 2", n)
	}
	// A token, the pull request, the configuration, two pages of files,
	// the label looked up and created, added, and the check run.
	if n := len(f.fake.Requests()); n > 9 {
		t.Errorf("%d requests to label one pull request, want at most 9", n)
	}
	if want := `list="files of Codertocat/Hello-World#2" items=3 reason="next page 2 does not advance past page 2"`; !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, logs)
	}
}
