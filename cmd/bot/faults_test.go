package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// faultSeed is CL_FAULTS_SEED, else the time: logged so that a run can be
// repeated.
func faultSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CL_FAULTS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CL_FAULTS_SEED=%q: %v", v, err)
		}
		seed = n
	}
	t.Logf("seed %d (CL_FAULTS_SEED to repeat)", seed)
	return seed
}

// TestFaultKillDuringBurst sends a burst of signed pull_request deliveries
// (CL_FAULTS_N, default 10,000) and SIGKILLs the bot at random moments five
// times, restarting it each time; the sender resends whatever got no 2xx,
// as GitHub redelivers. Every delivery must be handled and every pull
// request labeled exactly once.
func TestFaultKillDuringBurst(t *testing.T) {
	needFaults(t)
	n := envInt(t, "CL_FAULTS_N", 10000)
	rng := rand.New(rand.NewPCG(faultSeed(t), 1))
	r := newFaultRig(t, n, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	bot := r.start()
	sent := r.send(ctx, r.deliveries, 8)
	for kill := 1; kill <= 5; kill++ {
		time.Sleep(time.Duration(500+rng.IntN(5500)) * time.Millisecond)
		r.kill(bot)
		t.Logf("kill %d at %s: %d pull requests labeled", kill, time.Since(start).Round(time.Millisecond), len(r.labelPosts()))
		bot = r.start()
	}
	counts := <-sent
	t.Logf("all answered 2xx at %s: %s", time.Since(start).Round(time.Millisecond), counts)
	r.waitLabeled(r.deliveries, 20*time.Minute)
	t.Logf("all labeled at %s", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // room for a duplicate to show up
	r.finish(bot, 30*time.Second)
}

// TestFaultGitHubErrors runs the bot against a GitHub failing 30% of its
// calls with 502, 429 with Retry-After or 403 secondary rate limit: every
// pull request gets its label, no client (installation) sends a request
// before a Retry-After it was answered expired, and /healthz stays 200.
func TestFaultGitHubErrors(t *testing.T) {
	needFaults(t)
	n := envInt(t, "CL_FAULTS_GITHUB_N", 60)
	r := newFaultRig(t, n, "")
	r.repos.SetFaults(fakegithub.NewFaults(0.3, faultSeed(t), time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bot := r.start()
	health := r.watchHealth(ctx)
	start := time.Now()
	<-r.send(ctx, r.deliveries, 4)
	r.waitLabeled(r.deliveries, 8*time.Minute)
	took := time.Since(start)
	time.Sleep(time.Second)
	r.metrics()
	polls, bad := health()
	r.stop(bot, 30*time.Second)

	calls := r.repos.Calls()
	statuses := map[int]int{}
	waits := 0
	for _, c := range calls {
		statuses[c.Status]++
		if c.RetryAfter > 0 {
			waits++
		}
	}
	early, inFlight := fakegithub.EarlyCalls(calls, inFlightGrace)
	for _, e := range early {
		t.Errorf("installation %d: %s %s at %s, %s after the %d answer with Retry-After %s",
			e.Installation, e.Method, e.Path, e.Time.Format(time.StampMilli), e.Time.Sub(e.Ignored.Answered).Round(time.Millisecond),
			e.Ignored.Status, e.Ignored.RetryAfter)
	}
	if bad > 0 {
		t.Errorf("/healthz not 200 on %d of %d polls", bad, polls)
	}
	o := r.outcome(r.deliveries)
	t.Logf("%d pull requests labeled in %s; %d GitHub calls, statuses %v; %d Retry-After answers, %d requests early, %d already in flight; /healthz %d polls, %d not 200",
		n, took.Round(time.Millisecond), len(calls), statuses, waits, len(early), inFlight, polls, bad)
	t.Logf("%s", o)
	r.checkExactlyOnce(o, r.deliveries)
	r.checkNoSecrets()
}

// inFlightGrace is how soon after a Retry-After answer a request of the same
// client may still arrive: sent by another worker before the answer was read.
const inFlightGrace = 100 * time.Millisecond

// watchHealth polls /healthz every 100 ms until ctx ends or the returned
// function is called, which reports the polls and those not answered 200.
func (r *faultRig) watchHealth(ctx context.Context) func() (polls, bad int) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan [2]int, 1)
	go func() {
		var polls, bad int
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				done <- [2]int{polls, bad}
				return
			case <-tick.C:
			}
			polls++
			if status, _ := r.get(delivery.PathHealth); status != http.StatusOK {
				bad++
			}
		}
	}()
	return func() (int, int) {
		cancel()
		res := <-done
		return res[0], res[1]
	}
}

// mountTmpfs mounts a tmpfs of size (mount's syntax, "16m") on a fresh
// directory until the test ends, skipping the test when mounting is not
// permitted.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes zeros to path until the disk is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// TestFaultDiskFull fills the disk under the bot's database (a small
// tmpfs) during a burst: intake answers 5xx with a clear log line, so that
// GitHub redelivers, the process stays up, and once space returns the
// redeliveries are accepted and every queued job runs, exactly once, on an
// intact database.
func TestFaultDiskFull(t *testing.T) {
	needFaults(t)
	disk := mountTmpfs(t, "16m")
	r := newFaultRig(t, 200, disk, "--workers", "2")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bot := r.start()
	first, rest := r.deliveries[:100], r.deliveries[100:]
	t.Logf("before the disk fills: %s", <-r.send(ctx, first, 4))
	filler := filepath.Join(disk, "filler")
	fill(t, filler)
	t.Logf("disk full with %d of %d pull requests labeled", len(r.labelPosts()), len(first))
	sent := r.send(ctx, rest, 4)
	for !strings.Contains(bot.output(), "delivery not stored") {
		if ctx.Err() != nil {
			t.Fatalf("no delivery refused on a full disk\n%s", tail(bot.output(), 4000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // the disk stays full a while
	health, _ := r.get(delivery.PathHealth)
	if bot.cmd.ProcessState != nil {
		t.Fatalf("bot exited on a full disk\n%s", tail(bot.output(), 4000))
	}
	t.Logf("log lines naming the full disk, by message: %v", linesBy(bot.output(), "disk is full"))
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	t.Logf("space back (/healthz was %d while full): %s", health, <-sent)
	r.waitLabeled(r.deliveries, 5*time.Minute)
	time.Sleep(time.Second)
	r.finish(bot, 30*time.Second)
}

var logMessage = regexp.MustCompile(`msg="?([^"=]+?)"? [a-z_]+=`)

// linesBy counts the log lines containing s by their message.
func linesBy(logs, s string) map[string]int {
	counts := map[string]int{}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, s) {
			msg := "?"
			if m := logMessage.FindStringSubmatch(line); m != nil {
				msg = m[1]
			}
			counts[msg]++
		}
	}
	return counts
}

// TestFaultReadOnlyDatabase starts the bot on a database file it cannot
// write (a read-only bind mount: as root, file modes do not stop writes):
// it must exit at start-up with an error naming the file, not take
// deliveries it cannot store.
func TestFaultReadOnlyDatabase(t *testing.T) {
	needFaults(t)
	r := newFaultRig(t, 3, "")
	bot := r.start()
	r.stop(bot, 30*time.Second)
	if out, err := exec.Command("mount", "--bind", r.dbPath, r.dbPath).CombinedOutput(); err != nil {
		t.Skipf("cannot bind-mount the database read-only (needs root or CAP_SYS_ADMIN): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", r.dbPath).Run() })
	if out, err := exec.Command("mount", "-o", "remount,ro,bind", r.dbPath).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v: %s", err, out)
	}
	cmd := exec.Command(os.Args[0], r.args...)
	cmd.Env = append(os.Environ(), append(r.env, envRunAsBot+"=1")...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		logs := stderr.String()
		if !errors.As(err, &exit) || exit.ExitCode() != exitFailure || strings.Contains(logs, "msg=listening") ||
			!strings.Contains(logs, r.dbPath) || !strings.Contains(logs, "readonly database") {
			t.Fatalf("want exit %d before listening, naming %s as read-only; got %v\n%s", exitFailure, r.dbPath, err, tail(logs, 3000))
		}
		t.Logf("exit %d: %s", exit.ExitCode(), logs[strings.LastIndex(logs, "level=ERROR"):])
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("bot still running on a read-only database\n%s", tail(stderr.String(), 3000))
	}
}

// TestFaultTermDuringBurst SIGTERMs the bot twice during a burst
// (CL_FAULTS_TERM_N deliveries, default 2,000), --shutdown-timeout 3s:
// first while GitHub answers in 0.1 s (running jobs finish), then while it
// answers in 30 s (running jobs are cancelled and requeued). Each time the
// process must exit 0 within the deadline and a few seconds; after the
// restarts every delivery is handled and labeled exactly once.
func TestFaultTermDuringBurst(t *testing.T) {
	needFaults(t)
	const deadline = 3 * time.Second
	n := envInt(t, "CL_FAULTS_TERM_N", 2000)
	r := newFaultRig(t, n, "", "--shutdown-timeout", deadline.String())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	bot := r.start()
	sent := r.send(ctx, r.deliveries, 8)
	for i, latency := range []time.Duration{100 * time.Millisecond, 30 * time.Second} {
		r.waitLabeledCount((1 + 4*i) * n / 40) // the first during intake
		r.repos.SetLatency(latency)
		time.Sleep(time.Second) // every worker waits on GitHub
		took := r.stop(bot, deadline+5*time.Second)
		logs := bot.output()
		after := logs[strings.LastIndex(logs, "shutting down"):]
		t.Logf("SIGTERM with GitHub answering in %s: exit 0 after %s; after SIGTERM: %d handled, %d cancelled for a retry (%v)",
			latency, took.Round(time.Millisecond), strings.Count(after, "delivery handled"),
			strings.Count(after, "delivery failed, will retry"), linesBy(after, "level=ERROR"))
		r.repos.SetLatency(0)
		bot = r.start()
	}
	t.Logf("%s", <-sent)
	r.waitLabeled(r.deliveries, 15*time.Minute)
	time.Sleep(time.Second)
	r.finish(bot, deadline+5*time.Second)
}

// waitLabeledCount waits until at least n pull requests got a label.
func (r *faultRig) waitLabeledCount(n int) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for len(r.labelPosts()) < n {
		if time.Now().After(deadline) {
			r.t.Fatalf("fewer than %d pull requests labeled after 10 minutes\n%s", n, tail(r.logs(), 4000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
