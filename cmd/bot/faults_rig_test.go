package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"
	"github.com/riverqueue/river"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
	"github.com/commit-labeler/commit-labeler/internal/loadgen"
	"github.com/commit-labeler/commit-labeler/store"
)

// envFaults runs the long fault runs (make faults).
const envFaults = "CL_FAULTS"

// needFaults skips a long fault run unless CL_FAULTS=1.
func needFaults(t *testing.T) {
	t.Helper()
	if os.Getenv(envFaults) != "1" {
		t.Skipf("long fault run: set %s=1 (make faults)", envFaults)
	}
}

// envInt reads a positive integer from the environment, def when unset.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// rigInstallations is how many installations (GitHub clients, each with its
// own rate limits) the rig's pull requests are spread over, one repository each.
const rigInstallations = 3

// labelingActions are the pull_request actions the bot labels on.
var labelingActions = map[string]bool{"opened": true, "reopened": true, "synchronize": true, "ready_for_review": true}

// sentDelivery is one webhook delivery as GitHub sends it.
type sentDelivery struct {
	guid, event string
	body        []byte
	pull        pullKey
}

// pullKey names a pull request: "owner/name#number".
type pullKey string

var labelsPath = regexp.MustCompile(`^/repos/([^/]+/[^/]+)/issues/(\d+)/labels$`)

// faultRig runs the bot as a process, with its real handlers and shipped
// model, against a fake GitHub holding open pull requests whose Conventional
// Commits titles ("docs: ...") make their label certain, and delivers them
// as GitHub does: signed, each with its own GUID, resent until answered 2xx.
type faultRig struct {
	t          *testing.T
	fake       *fakegithub.Server
	repos      *fakegithub.Repos
	dir        string
	dbPath     string
	secret     string
	env        []string
	args       []string
	deliveries []sentDelivery

	mu      sync.Mutex
	bots    []*botProcess
	answers [][]byte // bodies of refused deliveries and /metrics pages, for the secrets check
}

// newFaultRig makes n pull requests, each delivered once, from GitHub's
// labeling pull_request examples; dbDir holds the database (t.TempDir() when
// empty). args are the bot's extra flags.
func newFaultRig(t *testing.T, n int, dbDir string, args ...string) *faultRig {
	t.Helper()
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	var examples []json.RawMessage
	for _, raw := range ghexamples.Load(t)["pull_request"] {
		var ev github.PullRequestEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if labelingActions[ev.GetAction()] && !ev.GetPullRequest().GetDraft() {
			examples = append(examples, raw)
		}
	}
	if len(examples) == 0 {
		t.Fatal("no labeling pull_request example")
	}
	r := &faultRig{t: t, fake: fakegithub.New(t), dir: t.TempDir(), secret: "whsec-" + randomHex(16)}
	r.repos = fakegithub.NewRepos(r.fake)
	if dbDir == "" {
		dbDir = r.dir
	}
	r.dbPath = filepath.Join(dbDir, "bot.db")
	repos := map[int64]*fakegithub.Repo{}
	for i := int64(1); i <= rigInstallations; i++ {
		r.fake.AddInstallation(fakegithub.NewInstallation(i, "Codertocat", "User"))
		repos[i] = r.repos.Add(&fakegithub.Repo{Owner: "Codertocat", Name: fmt.Sprintf("Hello-World-%d", i), InstallationID: i})
	}
	for number := 1; number <= n; number++ {
		inst := int64(1 + number%rigInstallations)
		repo := repos[inst]
		var ev map[string]any
		if err := json.Unmarshal(examples[number%len(examples)], &ev); err != nil {
			t.Fatal(err)
		}
		pr := ev["pull_request"].(map[string]any)
		pr["number"], pr["title"], pr["state"] = number, fmt.Sprintf("docs: %s (%d)", pr["title"], number), "open"
		// Each pull request its own head commit, as on GitHub: a rerun looks
		// for the check run it made among that commit's runs.
		pr["head"].(map[string]any)["sha"] = loadgen.HeadSHA(number)
		if _, ok := ev["after"]; ok {
			ev["after"] = loadgen.HeadSHA(number)
		}
		ev["number"], ev["installation"] = number, map[string]any{"id": inst}
		rep := ev["repository"].(map[string]any)
		rep["name"], rep["full_name"] = repo.Name, repo.Owner+"/"+repo.Name
		body, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var typed github.PullRequestEvent
		if err := json.Unmarshal(body, &typed); err != nil {
			t.Fatal(err)
		}
		repo.Pulls[number] = &fakegithub.Pull{PullRequest: typed.PullRequest}
		r.deliveries = append(r.deliveries, sentDelivery{
			guid: fmt.Sprintf("%08x-0000-4000-8000-%012d", number, number), event: "pull_request", body: body,
			pull: pullKey(fmt.Sprintf("%s/%s#%d", repo.Owner, repo.Name, number)),
		})
	}
	r.env = botEnv(t, r.fake, r.dir, r.secret)
	r.args = append([]string{"--addr", freeAddr(t), "--db", r.dbPath, "--redeliver-interval", "0", "--shutdown-timeout", "3s"}, args...)
	return r
}

// botEnv is the environment of a bot process with the real handlers against
// fake, its files under dir.
func botEnv(t *testing.T, fake *fakegithub.Server, dir, secret string) []string {
	t.Helper()
	keyPath := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyPath, fake.PrivateKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{
		"COMMIT_LABELER_CACHE=" + filepath.Join(dir, "cache"), classify.ORTLibraryEnv + "=" + classify.ORTLibraryPath(),
		"GITHUB_APP_ID=1", "GITHUB_PRIVATE_KEY_PATH=" + keyPath, "GITHUB_PRIVATE_KEY=",
		"GITHUB_WEBHOOK_SECRET=" + secret, "GITHUB_API_URL=" + fake.URL, "HOME=" + dir, "XDG_CONFIG_HOME=" + dir,
	}
}

// freeAddr returns a loopback address free now, so that restarts of the bot
// listen where the sender keeps sending.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// start starts a bot process and waits until it listens.
func (r *faultRig) start() *botProcess {
	r.t.Helper()
	return r.startAt(r.addr())
}

// startAt starts a bot like start, listening on addr.
func (r *faultRig) startAt(addr string) *botProcess {
	r.t.Helper()
	args := slices.Clone(r.args)
	args[slices.Index(args, "--addr")+1] = addr
	bot := startBotProcess(r.t, r.env, args...)
	r.mu.Lock()
	r.bots = append(r.bots, bot)
	r.mu.Unlock()
	return bot
}

// logs returns the stderr of every bot process so far.
func (r *faultRig) logs() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b bytes.Buffer
	for _, bot := range r.bots {
		b.WriteString(bot.output())
	}
	return b.String()
}

// stop sends SIGTERM and checks the process exits 0 within limit, returning
// how long it took.
func (r *faultRig) stop(bot *botProcess, limit time.Duration) time.Duration {
	r.t.Helper()
	start := time.Now()
	bot.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- bot.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			r.t.Fatalf("bot after SIGTERM: %v\n%s", err, tail(bot.output(), 4000))
		}
	case <-time.After(limit):
		bot.cmd.Process.Kill()
		r.t.Fatalf("bot still running %s after SIGTERM\n%s", limit, tail(bot.output(), 4000))
	}
	return time.Since(start)
}

// kill SIGKILLs the process.
func (r *faultRig) kill(bot *botProcess) {
	bot.cmd.Process.Signal(syscall.SIGKILL)
	bot.cmd.Wait()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// sendCounts are what the sender saw.
type sendCounts struct {
	mu sync.Mutex
	// Deliveries is how many distinct deliveries were sent.
	Deliveries int
	// Posts counts requests, resends included.
	Posts int
	// Accepted counts 202 "queued" answers, Duplicate 200 "duplicate" ones.
	Accepted, Duplicate int
	// Refused counts non-2xx answers, Unanswered requests without an
	// answer (refused connection, reset, timeout): both were resent.
	Refused, Unanswered int
	// Statuses counts the answers by status.
	Statuses map[int]int
}

func (c *sendCounts) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("sent %d deliveries in %d requests: accepted %d, duplicate %d, refused %d, unanswered %d (statuses %v)",
		c.Deliveries, c.Posts, c.Accepted, c.Duplicate, c.Refused, c.Unanswered, c.Statuses)
}

// resendDelay is how long the sender waits before resending a delivery.
const resendDelay = 50 * time.Millisecond

// send delivers ds with workers senders at once, resending each until it is
// answered 2xx or ctx ends; the channel gets the counts when all are in.
func (r *faultRig) send(ctx context.Context, ds []sentDelivery, workers int) <-chan *sendCounts {
	addr := r.addr()
	return r.sendRouted(ctx, ds, workers, func(int) []string { return []string{addr} })
}

// sendRouted is send with each delivery (by its index in ds) posted to the
// bots at the addresses route gives, each resent to its bot until
// answered 2xx.
func (r *faultRig) sendRouted(ctx context.Context, ds []sentDelivery, workers int, route func(i int) []string) <-chan *sendCounts {
	counts := &sendCounts{Deliveries: len(ds), Statuses: map[int]int{}}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	type target struct {
		d    sentDelivery
		addr string
	}
	next := make(chan target)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for tg := range next {
				for ctx.Err() == nil && !r.postSigned(ctx, client, tg.addr, tg.d, []byte(r.secret), counts) {
					time.Sleep(resendDelay)
				}
			}
		})
	}
	out := make(chan *sendCounts, 1)
	go func() {
		for i, d := range ds {
			for _, a := range route(i) {
				select {
				case next <- target{d, a}:
				case <-ctx.Done():
				}
			}
		}
		close(next)
		wg.Wait()
		out <- counts
	}()
	return out
}

// post sends d once, reporting whether it was answered 2xx.
func (r *faultRig) post(ctx context.Context, client *http.Client, d sentDelivery, counts *sendCounts) bool {
	return r.postSigned(ctx, client, r.addr(), d, []byte(r.secret), counts)
}

// postSigned sends d once to the bot at addr, signed with secret.
func (r *faultRig) postSigned(ctx context.Context, client *http.Client, addr string, d sentDelivery, secret []byte, counts *sendCounts) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+delivery.PathWebhooks, bytes.NewReader(d.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(delivery.HeaderEvent, d.event)
	req.Header.Set(delivery.HeaderDelivery, d.guid)
	req.Header.Set(delivery.HeaderSignature, delivery.SignatureHeader(secret, d.body))
	resp, err := client.Do(req)
	counts.mu.Lock()
	defer counts.mu.Unlock()
	counts.Posts++
	if err != nil {
		counts.Unanswered++
		return false
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	counts.Statuses[resp.StatusCode]++
	switch {
	case resp.StatusCode == http.StatusAccepted:
		counts.Accepted++
	case resp.StatusCode == http.StatusOK && bytes.HasPrefix(body, []byte("duplicate")):
		counts.Duplicate++
	case resp.StatusCode/100 == 2:
	default:
		counts.Refused++
		r.keep(body)
		return false
	}
	return true
}

// keep records an answer for the secrets check.
func (r *faultRig) keep(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.answers) < 1000 {
		r.answers = append(r.answers, b)
	}
}

// addr is where the bot listens (the same across restarts).
func (r *faultRig) addr() string { return r.args[1] }

// get fetches a path of the bot, returning the status (0 when unanswered)
// and body.
func (r *faultRig) get(path string) (int, []byte) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + r.addr() + path)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// metrics fetches /metrics, kept for the secrets check.
// finish ends a run: it scrapes /metrics, stops the bot within limit, then
// checks that every delivery was handled once and no secret leaked.
func (r *faultRig) finish(bot *botProcess, limit time.Duration) {
	r.t.Helper()
	r.metrics()
	r.stop(bot, limit)
	o := r.outcome(r.deliveries)
	r.t.Logf("%s", o)
	r.checkExactlyOnce(o, r.deliveries)
	r.checkNoSecrets()
}

func (r *faultRig) metrics() []byte {
	_, body := r.get(delivery.PathMetrics)
	r.keep(body)
	return body
}

// labelPosts counts the label additions GitHub applied (200), per pull request.
func (r *faultRig) labelPosts() map[pullKey]int {
	posts := map[pullKey]int{}
	for k, times := range r.labelTimes() {
		posts[k] = len(times)
	}
	return posts
}

// labelTimes lists when GitHub received the label additions it applied
// (200), per pull request.
func (r *faultRig) labelTimes() map[pullKey][]time.Time {
	times := map[pullKey][]time.Time{}
	for _, c := range r.repos.Calls() {
		if m := labelsPath.FindStringSubmatch(c.Path); m != nil && c.Method == http.MethodPost && c.Status == http.StatusOK {
			k := pullKey(m[1] + "#" + m[2])
			times[k] = append(times[k], c.Time)
		}
	}
	return times
}

// waitLabeled waits until every delivery's pull request got a label and
// as many check runs were created (a delivery's last call to GitHub: a
// job whose check run failed after its label is still retrying), or fails
// the test after limit.
func (r *faultRig) waitLabeled(ds []sentDelivery, limit time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		posts := r.labelPosts()
		missing := 0
		for _, d := range ds {
			if posts[d.pull] == 0 {
				missing++
			}
		}
		checks := r.checkRuns()
		if missing == 0 && checks >= len(ds) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%d of %d pull requests unlabeled, %d check runs after %s\n%s", missing, len(ds), checks, limit, tail(r.logs(), 6000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkRuns counts the check runs created.
func (r *faultRig) checkRuns() int {
	n := 0
	for _, c := range r.repos.Calls() {
		if c.Method == http.MethodPost && c.Status == http.StatusCreated && filepath.Base(c.Path) == "check-runs" {
			n++
		}
	}
	return n
}

// outcome is what happened to the deliveries, counted once the bot stopped.
type outcome struct {
	// Handled counts deliveries stored as done; Statuses all of them.
	Handled  int
	Statuses map[store.DeliveryStatus]int
	// Jobs counts River's delivery jobs by state.
	Jobs map[string]int
	// Labeled counts pull requests labeled once, Duplicated more than once,
	// Missing never.
	Labeled, Duplicated, Missing int
	// CheckRuns counts the explanation check runs created.
	CheckRuns int
	// Integrity is PRAGMA integrity_check's answer (ok on PostgreSQL).
	Integrity string
}

func (o outcome) String() string {
	return fmt.Sprintf("handled %d (deliveries %v, jobs %v); pull requests labeled once %d, more than once %d, never %d; %d check runs; integrity %s",
		o.Handled, o.Statuses, o.Jobs, o.Labeled, o.Duplicated, o.Missing, o.CheckRuns, o.Integrity)
}

// outcome reads the stopped bot's database and the fake's label additions.
func (r *faultRig) outcome(ds []sentDelivery) outcome {
	r.t.Helper()
	o := outcome{Jobs: map[string]int{}}
	posts := r.labelPosts()
	for _, d := range ds {
		switch posts[d.pull] {
		case 0:
			o.Missing++
		case 1:
			o.Labeled++
		default:
			o.Duplicated++
		}
	}
	o.CheckRuns = r.checkRuns()
	ctx := context.Background()
	db, err := store.Open(ctx, r.dbPath)
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	if o.Statuses, err = db.DeliveryCounts(ctx); err != nil {
		r.t.Fatal(err)
	}
	o.Handled = o.Statuses[store.DeliveryDone]
	rows, err := db.SQL().QueryContext(ctx, `SELECT state, count(*) FROM river_job WHERE queue = ? GROUP BY state`, river.QueueDefault)
	if err != nil {
		r.t.Fatal(err)
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			r.t.Fatal(err)
		}
		o.Jobs[state] = n
	}
	rows.Close()
	o.Integrity = "ok" // PostgreSQL checks its own pages
	if db.Engine() == store.SQLite {
		if err := db.SQL().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&o.Integrity); err != nil {
			r.t.Fatal(err)
		}
	}
	return o
}

// checkExactlyOnce fails unless every delivery was handled and its pull
// request labeled exactly once, on an intact database.
func (r *faultRig) checkExactlyOnce(o outcome, ds []sentDelivery) {
	r.t.Helper()
	if o.Handled != len(ds) || o.Labeled != len(ds) || o.Duplicated != 0 || o.Missing != 0 || o.Integrity != "ok" {
		r.t.Errorf("want %d handled and labeled exactly once, integrity ok; got %s", len(ds), o)
	}
	if n := o.Jobs["completed"]; n != len(ds) {
		r.t.Errorf("%d jobs completed, want %d (%v)", n, len(ds), o.Jobs)
	}
}
