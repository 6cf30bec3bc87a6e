package ghapp

// The most items read of each list (List.Cap). Two are GitHub's own limits;
// the others are no documented limit of GitHub's but what the reader needs,
// with room to spare, at a cost of requests an installation can afford:
// reaching one is logged, and the reader works with what it read.
const (
	// MaxPullFiles: GitHub lists at most 3,000 files of a pull request
	// ("Responses include a maximum of 3000 files",
	// https://docs.github.com/rest/pulls/pulls#list-pull-requests-files).
	// A larger pull request is classified on its first 3,000.
	MaxPullFiles = 3000
	// MaxPullCommits: GitHub "lists a maximum of 250 commits for a pull
	// request" (https://docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request).
	MaxPullCommits = 250
	// MaxIssueLabels bounds a pull request's labels, of which the bot looks
	// for its vocabulary's 13: 10 pages.
	MaxIssueLabels = 1000
	// MaxIssueEvents bounds a pull request's events, oldest first, from
	// which the Action replays the label changes: every label, assignment,
	// reference and push is one. 30 pages hold the history of all but the
	// busiest pull requests, at 3% of an Action token's 1,000 requests an
	// hour.
	MaxIssueEvents = 3000
	// MaxCheckRuns bounds the check runs of one name on one commit, one per
	// delivery that wrote it; GitHub itself lists only those of the 1,000
	// most recent check suites of a ref
	// (https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference).
	MaxCheckRuns = 1000
	// MaxInstallations and MaxInstallationRepositories bound what `train
	// --installations` clones, and what a person signed in to the admin
	// page may see (UserAccess): 10,000 of each is more than one run
	// clones, at 100 requests a list.
	MaxInstallations            = 10000
	MaxInstallationRepositories = 10000
	// MaxClosedPulls bounds the closed pull requests a learn job reads, the
	// most recently updated first: 100 requests, 2% of an installation's
	// 5,000 an hour. A repository with more gets the labels of its 10,000
	// most recently updated; its other commits are labeled by their
	// Conventional Commits headers and maintainers' corrections alone.
	MaxClosedPulls = 10000
	// MaxHookDeliveries bounds the App's webhook deliveries the redelivery
	// looks through each run, newest first: an App receiving more than
	// 10,000 deliveries within the window has the older ones left out.
	MaxHookDeliveries = 10000
)
