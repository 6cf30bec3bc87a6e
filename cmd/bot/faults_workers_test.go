package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// learningWorkers are the `train worker` processes of a fault run, on the
// rig's database and one work directory.
type learningWorkers struct {
	t      *testing.T
	cmds   []*exec.Cmd
	clones string
}

// startWorkers starts n learning workers with the bots' environment.
func (r *faultRig) startWorkers(n int) *learningWorkers {
	r.t.Helper()
	w := &learningWorkers{t: r.t, clones: filepath.Join(r.dir, "clones")}
	train := buildCommand(r.t, r.dir, "train")
	for i := range n {
		cmd := exec.Command(train, "worker", "--db", r.dbPath, "--workdir", w.clones, "--log-level", "warn")
		cmd.Env = append(os.Environ(), r.env...)
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			r.t.Fatal(err)
		}
		r.t.Cleanup(func() {
			cmd.Process.Kill()
			if cmd.Wait(); r.t.Failed() {
				r.t.Logf("worker %d:\n%s", i, tail(logs.String(), 2000))
			}
		})
		w.cmds = append(w.cmds, cmd)
	}
	return w
}

// learnTakeoverLimit is how long after its worker's death a learn job may
// take to be done by another worker.
const learnTakeoverLimit = 30 * time.Second

// killMidLearn asks for a repository to be learned whose clone the git
// server holds, SIGKILLs the worker cloning it and returns how long after
// the kill another worker published its model. It fails the test after
// learnTakeoverLimit, or when a git process of the killed worker or its
// temporary clone is left.
func (w *learningWorkers) killMidLearn(db *store.DB) time.Duration {
	t := w.t
	t.Helper()
	ctx := context.Background()
	url, cloning, _ := gittest.HeldRepository(t)
	learn, err := delivery.NewLearnQueue(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := learn.EnqueueLearn(ctx, learnjob.Args{Repo: "acme/app", CloneURL: url, Reason: learnjob.ReasonManual}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cloning:
	case <-time.After(time.Minute):
		t.Fatal("no learning worker fetched the repository within a minute")
	}
	learner := w.learner(db)
	abandoned, _ := filepath.Glob(filepath.Join(w.clones, ".*.tmp-*"))
	learner.Process.Kill()
	killedAt := time.Now()
	learner.Wait()
	for {
		if v, err := db.ServedModelVersion(ctx, "acme/app"); err == nil && v == 1 {
			break
		}
		if time.Since(killedAt) > learnTakeoverLimit {
			t.Fatalf("no worker published the model of the killed worker's learn job within %v", learnTakeoverLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(killedAt)
	if len(abandoned) == 0 {
		t.Errorf("no temporary clone of the worker killed mid-clone in %s", w.clones)
	}
	for _, dir := range abandoned {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the killed worker's temporary clone %s outlived the takeover (%v)", dir, err)
		}
		if pids := gittest.ProcessesCloningInto(t, dir); len(pids) > 0 {
			t.Errorf("git processes %v of the killed worker outlived the takeover", pids)
		}
	}
	return took
}

// learner is the worker running the learn job: the job's attempt names
// its River client, HOST-PID-MILLISECONDS.
func (w *learningWorkers) learner(db *store.DB) *exec.Cmd {
	t := w.t
	t.Helper()
	for _, owner := range runningJobs(t, db, river.NewJobListParams().Kinds(learnjob.Kind)) {
		parts := strings.Split(owner, "-")
		if len(parts) < 3 {
			continue
		}
		pid, _ := strconv.Atoi(parts[len(parts)-2])
		for _, cmd := range w.cmds {
			if cmd.Process.Pid == pid {
				return cmd
			}
		}
	}
	t.Fatal("no learning worker runs the learn job")
	return nil
}
