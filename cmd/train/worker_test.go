package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/internal/pgtest"
	"github.com/commit-labeler/commit-labeler/internal/testkind"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/pipeline"
	"github.com/commit-labeler/commit-labeler/store"
)

// testHeartbeat is the workers' heartbeat in tests: one killed is taken
// for dead after store.StaleHeartbeats of them.
const testHeartbeat = 200 * time.Millisecond

// workerProcess runs `train worker` on db as a child process of the test
// binary, with a 10-minute --job-timeout unless flags say otherwise.
func workerProcess(t *testing.T, db, workdir string, logs *bytes.Buffer, flags ...string) *exec.Cmd {
	t.Helper()
	args := append([]string{"worker", "--db", db, "--workdir", workdir, "--poll", "100ms", "--job-timeout", "10m", "--log-level", "info",
		"--heartbeat", testHeartbeat.String()}, flags...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envRunAsTrain+"=1")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestWorkerKilledMidLearnPublishesNothingAndTheJobIsRetried kills the
// learning worker while it clones (the git server holds the first
// request): nothing is published, and `train runs` shows its clone run
// died and its job stranded. A new request to learn the repository takes
// the job over rather than being dropped, and a second worker, started
// then, works it long before its 10-minute timeout, removes the abandoned
// temporary clone and the git helpers still cloning into it, clones
// (cloned=1) and publishes the model, whose figures `train runs` and the
// worker's log show. Learning the same history again publishes no new
// version.
func TestWorkerKilledMidLearnPublishesNothingAndTheJobIsRetried(t *testing.T) {
	testkind.Require(t)
	pgtest.OnBothEngines(t, workerKilledMidLearn)
}

func workerKilledMidLearn(t *testing.T, dbPath string) {
	url, cloning, release := gittest.HeldRepository(t)
	dir := t.TempDir()
	var logs1, logs2 bytes.Buffer
	worker := workerProcess(t, dbPath, filepath.Join(dir, "clones"), &logs1)
	ctx := context.Background()
	db, learn := learnQueue(t, dbPath, url, &logs1)
	select {
	case <-cloning:
	case <-time.After(30 * time.Second):
		t.Fatalf("the worker never fetched the repository\n%s", logs1.String())
	}
	worker.Process.Kill()
	worker.Wait()
	abandoned, _ := filepath.Glob(filepath.Join(dir, "clones", ".*.tmp-*"))
	if len(abandoned) != 1 {
		t.Fatalf("temporary clones after the worker was killed mid-clone: %q, want one", abandoned)
	}
	// The server still holds the clone's request: the killed worker's git
	// helpers, if alive, wait for it.
	t.Logf("git processes left cloning into %s right after the kill: %v", abandoned[0], gittest.ProcessesCloningInto(t, abandoned[0]))
	if v, err := db.ServedModelVersion(ctx, "acme/app"); err != nil || v != 0 {
		t.Fatalf("a worker killed while cloning published version %d (%v)", v, err)
	}
	time.Sleep(store.StaleHeartbeats * testHeartbeat)
	runs := trainRuns(t, dbPath)
	if len(runs.Runs) == 0 || runs.Runs[0].Phase != pipeline.PhaseClone || runs.Runs[0].Status != store.RunDied {
		t.Errorf("train runs after the worker was killed: %+v, want its clone run %s", runs.Runs, store.RunDied)
	}
	if len(runs.LearnJobs) != 1 || runs.LearnJobs[0].State != "running" || !strings.Contains(runs.LearnJobs[0].Stranded, "is not alive") {
		t.Errorf("train runs after the worker was killed: learn jobs %+v, want the one running stranded", runs.LearnJobs)
	}

	queued, err := learn.EnqueueLearn(ctx, learnjob.Args{Repo: "acme/app", CloneURL: url, Reason: learnjob.ReasonManual})
	if err != nil || !queued {
		t.Errorf("a learn request while the job is stuck on a dead worker: queued %v (%v), want it taken over", queued, err)
	}

	workerProcess(t, dbPath, filepath.Join(dir, "clones"), &logs2)
	deadline := time.Now().Add(60 * time.Second)
	waitModel(t, db, deadline, "the abandoned job was not taken over", &logs1, &logs2)
	if _, err := os.Stat(abandoned[0]); !os.IsNotExist(err) {
		t.Errorf("the killed worker's temporary clone %s outlived the job's takeover (%v)", abandoned[0], err)
	}
	if pids := gittest.ProcessesCloningInto(t, abandoned[0]); len(pids) > 0 {
		t.Errorf("git processes %v of the killed worker outlived the job's takeover", pids)
	}
	release()
	// River completes the job once Work returns, just after publishing.
	var attempt int
	var state string
	for {
		err := db.SQL().QueryRowContext(ctx, `SELECT attempt, state FROM river_job WHERE kind = ?`, learnjob.Kind).Scan(&attempt, &state)
		if err == nil && state == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("learn job: attempt %d, state %q (%v); want completed", attempt, state, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if attempt != 2 {
		t.Errorf("learn job completed at attempt %d, want 2 (the first worker died)", attempt)
	}
	runs = trainRuns(t, dbPath)
	var clone, learned *trainRun
	for i := range runs.Runs {
		r := &runs.Runs[i]
		switch {
		case r.Phase == pipeline.PhaseClone && clone == nil:
			clone = r
		case r.Phase == pipeline.PhaseLearn && learned == nil:
			learned = r
		}
	}
	if clone == nil || clone.Counts["cloned"] != 1 || clone.Counts["fetched"] != 0 {
		t.Errorf("the second worker's clone run: %+v, want cloned=1", clone)
	}
	if learned == nil || !strings.HasPrefix(learned.Model, "acme/app v1 accepted: on the newest ") || !strings.Contains(learned.Model, "macro-F1") {
		t.Errorf("the learn run: %+v, want its model's figures", learned)
	}
	code, text, errOut := train(t, "runs", "--db", dbPath)
	if code != 0 || !strings.Contains(text, "acme/app v1 accepted: on the newest") || !strings.Contains(text, "completed  acme/app") {
		t.Errorf("train runs: exit %d\n%s%s", code, text, errOut)
	}

	// The same history and labels again: the job completes, no version.
	if _, err := learn.EnqueueLearn(ctx, learnjob.Args{Repo: "acme/app", CloneURL: url, Reason: learnjob.ReasonManual}); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(logs2.String(), "unchanged=true") {
		if time.Now().After(deadline) {
			t.Fatalf("the second learn never finished:\n%s", logs2.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m, ok, err := db.RepositoryModel(ctx, "acme/app", 0); err != nil || !ok || m.Version != 1 {
		t.Errorf("relearning unchanged history: newest version %d (%v), want 1", m.Version, err)
	}
	for _, line := range strings.Split(logs2.String(), "\n") {
		if strings.Contains(line, `msg="repository learned"`) && strings.Count(line, " reason=") != 1 {
			t.Errorf("the repository learned line has %d reason= keys, want 1:\n%s", strings.Count(line, " reason="), line)
		}
	}
}

// learnQueue opens dbPath and enqueues learning acme/app from url, once
// the workers have made River's tables.
func learnQueue(t *testing.T, dbPath, url string, logs *bytes.Buffer) (*store.DB, *delivery.LearnQueue) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	learn, err := delivery.NewLearnQueue(db)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := learn.EnqueueLearn(ctx, learnjob.Args{Repo: "acme/app", CloneURL: url, Reason: learnjob.ReasonManual})
		if err == nil {
			return db, learn
		}
		if time.Now().After(deadline) {
			t.Fatalf("cannot enqueue: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitModel waits until acme/app's first model is served, and fails the
// test with failure and the workers' logs after deadline.
func waitModel(t *testing.T, db *store.DB, deadline time.Time, failure string, logs ...*bytes.Buffer) {
	t.Helper()
	for {
		if v, err := db.ServedModelVersion(context.Background(), "acme/app"); err == nil && v == 1 {
			return
		}
		if time.Now().After(deadline) {
			for i, l := range logs {
				t.Logf("worker %d:\n%s", i+1, l)
			}
			t.Fatal(failure)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLiveWorkerTakesOverADeadOnesLearnJob: of two learning workers on one
// database and work directory, the one cloning is killed; the other takes
// its job over within seconds (the job's timeout is 10 minutes), kills the
// git helpers left cloning and removes their temporary clone, and
// publishes the model well within 30 s of the kill.
func TestLiveWorkerTakesOverADeadOnesLearnJob(t *testing.T) {
	testkind.Require(t)
	pgtest.OnBothEngines(t, liveWorkerTakesOver)
}

func liveWorkerTakesOver(t *testing.T, dbPath string) {
	url, cloning, _ := gittest.HeldRepository(t)
	clones := filepath.Join(t.TempDir(), "clones")
	logs := []*bytes.Buffer{{}, {}}
	workers := []*exec.Cmd{workerProcess(t, dbPath, clones, logs[0]), workerProcess(t, dbPath, clones, logs[1])}
	db, _ := learnQueue(t, dbPath, url, logs[0])
	select {
	case <-cloning:
	case <-time.After(30 * time.Second):
		t.Fatalf("no worker fetched the repository\n%s\n%s", logs[0], logs[1])
	}
	killed := 0
	for !strings.Contains(logs[killed].String(), "learning the repository") {
		killed = 1 - killed
		time.Sleep(10 * time.Millisecond)
	}
	abandoned, _ := filepath.Glob(filepath.Join(clones, ".*.tmp-*"))
	workers[killed].Process.Kill()
	killedAt := time.Now()
	workers[killed].Wait()
	waitModel(t, db, killedAt.Add(30*time.Second), "the live worker did not take the job over within 30 s", logs[killed], logs[1-killed])
	t.Logf("kill → model published by the other worker: %v", time.Since(killedAt).Round(time.Millisecond))
	if !strings.Contains(logs[1-killed].String(), "jobs of dead processes taken over") {
		t.Errorf("the live worker's log does not say it took the job over:\n%s", logs[1-killed])
	}
	for _, dir := range abandoned {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the killed worker's temporary clone %s outlived the takeover (%v)", dir, err)
		}
		if pids := gittest.ProcessesCloningInto(t, dir); len(pids) > 0 {
			t.Errorf("git processes %v of the killed worker outlived the takeover", pids)
		}
	}
}

// TestWorkerLearnsAgainAfterPostgreSQLRestarts restarts the server under
// a learning worker: the restart drops its liveness, so it stops working
// under that id, and once the server is back it works under a fresh one;
// a repository asked for afterwards is learned by that same process.
func TestWorkerLearnsAgainAfterPostgreSQLRestarts(t *testing.T) {
	testkind.Require(t)
	cluster := pgtest.Start(t)
	dbURL, err := cluster.CreateDatabase("worker")
	if err != nil {
		t.Fatal(err)
	}
	url, _, release := gittest.HeldRepository(t)
	release()
	var logs bytes.Buffer
	workerProcess(t, dbURL, filepath.Join(t.TempDir(), "clones"), &logs)
	waitLog := func(what string, within time.Duration) {
		t.Helper()
		for deadline := time.Now().Add(within); !strings.Contains(logs.String(), what); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the worker's log does not say %q within %v:\n%s", what, within, logs.String())
			}
		}
	}
	waitLog("learning repositories from", 30*time.Second)
	if err := cluster.Restart(time.Second); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	waitLog("working again under a fresh id", 15*time.Second)
	t.Logf("working again %v after the server was back", time.Since(back).Round(time.Millisecond))
	db, _ := learnQueue(t, dbURL, url, &logs)
	waitModel(t, db, time.Now().Add(60*time.Second), "the worker did not learn the repository asked for after the restart", &logs)
}

// TestRescuerUsesTheTimeoutTheDeadWorkerRecorded: with takeover off (no
// live worker looks for dead ones' jobs), a worker with `--job-timeout 2m`
// is killed mid-clone. Two minutes later (its attempt's start moved back
// by 2 min), a worker with `--job-timeout 10m` leads River's rescuer and
// retries the job on the 2 minutes the dead worker recorded in it, not on
// its own 10, and learns the repository.
func TestRescuerUsesTheTimeoutTheDeadWorkerRecorded(t *testing.T) {
	testkind.Require(t)
	pgtest.OnBothEngines(t, rescuerUsesRecordedTimeout)
}

func rescuerUsesRecordedTimeout(t *testing.T, dbPath string) {
	url, cloning, _ := gittest.HeldRepository(t)
	clones := filepath.Join(t.TempDir(), "clones")
	var logs1, logs2 bytes.Buffer
	noTakeover := []string{"--takeover-every", "1h"}
	first := workerProcess(t, dbPath, clones, &logs1, append(noTakeover, "--job-timeout", "2m")...)
	db, _ := learnQueue(t, dbPath, url, &logs1)
	select {
	case <-cloning:
	case <-time.After(30 * time.Second):
		t.Fatalf("the worker never fetched the repository\n%s", logs1.String())
	}
	first.Process.Kill()
	first.Wait()
	ctx := context.Background()
	exec := db.RiverDriver().GetExecutor()
	var id int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM river_job WHERE kind = ?`, learnjob.Kind).Scan(&id); err != nil {
		t.Fatal(err)
	}
	job, err := exec.JobGetByID(ctx, &riverdriver.JobGetByIDParams{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if got := learnjob.TimeoutOf(job, 0); got != 2*time.Minute {
		t.Fatalf("the killed worker recorded a timeout of %v in its job (metadata %s), want 2m", got, job.Metadata)
	}
	started := job.AttemptedAt.Add(-2 * time.Minute)
	if _, err := exec.JobUpdateFull(ctx, &riverdriver.JobUpdateFullParams{ID: id, AttemptedAtDoUpdate: true, AttemptedAt: &started}); err != nil {
		t.Fatal(err)
	}
	workerProcess(t, dbPath, clones, &logs2, noTakeover...)
	waitModel(t, db, time.Now().Add(60*time.Second), "the dead worker's job was not rescued", &logs1, &logs2)
	if strings.Contains(logs2.String(), "jobs of dead processes taken over") {
		t.Errorf("the job was taken over, not rescued:\n%s", logs2.String())
	}
}

// trainRun is a run as `train runs --json` shows it.
type trainRun struct {
	store.Run
	Model string `json:"model"`
}

// trainRuns is `train runs --json` on db.
func trainRuns(t *testing.T, db string) (out struct {
	Runs      []trainRun        `json:"runs"`
	LearnJobs []learnjob.Status `json:"learn_jobs"`
}) {
	t.Helper()
	code, stdout, stderr := train(t, "runs", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("train runs: exit %d: %s", code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("train runs --json %q: %v", stdout, err)
	}
	return out
}

// TestAuditFindsMistypedCommitsAndTakesVerdicts: in a history whose
// documentation commits are typed docs, the few typed feat are listed by
// the audit as docs; a verdict recorded with train correct becomes a
// human label, and the commit is no longer audited.
func TestAuditFindsMistypedCommitsAndTakesVerdicts(t *testing.T) {
	testkind.Require(t)
	mistyped := map[int]string{103: "feat", 203: "feat", 303: "feat"}
	repo := gittest.ConventionalHistory(t, 400, "docs", mistyped)
	dir := t.TempDir()
	db := filepath.Join(dir, "corpus.db")
	for _, phase := range []string{"clone", "extract", "label"} {
		args := []string{phase, "--db", db}
		if phase == "clone" {
			args = append(args, "--workdir", filepath.Join(dir, "clones"), "--repo", repo.Dir)
		}
		if code, _, errOut := train(t, args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", phase, code, errOut)
		}
	}
	name := filepath.Base(repo.Dir)
	audit := func() []pipeline.AuditRow {
		t.Helper()
		code, stdout, errOut := train(t, "audit", "--db", db, "--repo", name, "--min-confidence", "0.5", "--json")
		if code != 0 {
			t.Fatalf("audit: exit %d: %s", code, errOut)
		}
		var rep struct {
			Audited       int
			Disagreements []pipeline.AuditRow
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("audit JSON %q: %v", stdout, err)
		}
		return rep.Disagreements
	}
	rows := audit()
	found := map[string]bool{}
	for _, r := range rows {
		if r.Declared == "feat" && r.Predicted == "docs" {
			found[r.SHA] = true
		}
	}
	if len(found) != len(mistyped) || len(rows) > 2*len(mistyped) {
		t.Fatalf("audit listed %+v; want the %d mistyped commits (feat, predicted docs) and little else", rows, len(mistyped))
	}
	var sha string
	for s := range found {
		sha = s
	}
	if code, _, errOut := train(t, "correct", "--db", db, "--repo", name, "--sha", sha, "--label", "docs"); code != 0 {
		t.Fatalf("correct: exit %d: %s", code, errOut)
	}
	if code, _, errOut := train(t, "correct", "--db", db, "--repo", name, "--sha", sha, "--label", "bogus"); code != 2 || !strings.Contains(errOut, "bogus") {
		t.Errorf("a label outside the vocabulary: exit %d, %s", code, errOut)
	}
	if code, _, errOut := train(t, "label", "--db", db); code != 0 {
		t.Fatalf("label: exit %d: %s", code, errOut)
	}
	for _, r := range audit() {
		if r.SHA == sha {
			t.Errorf("commit %s still audited after a maintainer's verdict", sha)
		}
	}
}
