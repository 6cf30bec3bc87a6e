package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/pgtest"
	"github.com/commit-labeler/commit-labeler/webhook"
)

// TestFaultReplicasKillDuringBurst runs three bots and two learning
// workers (which take part in River's leader election, so the rescuer
// may run in either kind of process) on one PostgreSQL database, with no
// balancer but the sender, which spreads the
// deliveries over them and sends 5% to two bots at once (a redelivery
// racing the original); one bot, drawn at random, is SIGKILLed 5 times at
// random moments and restarted. Every delivery must be handled and every
// pull request labeled exactly once, with one check run each; the jobs a
// killed bot held are taken over by a live one within seconds, long
// before River's rescue horizon (webhook.DeliveryRescueAfter).
func TestFaultReplicasKillDuringBurst(t *testing.T) {
	needFaults(t)
	n := envInt(t, "CL_FAULTS_N", 10000)
	rng := rand.New(rand.NewPCG(faultSeed(t), 2))
	r := newFaultRig(t, n, "")
	r.dbPath = pgtest.NewDatabase(t)
	r.args[slices.Index(r.args, "--db")+1] = r.dbPath
	addrs := []string{r.addr(), freeAddr(t), freeAddr(t)}
	bots := make([]*botProcess, len(addrs))
	for i, a := range addrs {
		bots[i] = r.startAt(a)
	}
	train := buildCommand(t, r.dir, "train")
	for i := range 2 {
		worker := exec.Command(train, "worker", "--db", r.dbPath, "--workdir", filepath.Join(r.dir, fmt.Sprintf("clones-%d", i)), "--log-level", "warn")
		worker.Env = append(os.Environ(), r.env...)
		var logs bytes.Buffer
		worker.Stdout, worker.Stderr = &logs, &logs
		if err := worker.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			worker.Process.Kill()
			if worker.Wait(); t.Failed() {
				t.Logf("worker %d:\n%s", i, tail(logs.String(), 2000))
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	start := time.Now()
	sent := r.sendSpread(ctx, addrs, 8, rng.Uint64())
	for kill := 1; kill <= 5; kill++ {
		time.Sleep(time.Duration(500+rng.IntN(5500)) * time.Millisecond)
		i := rng.IntN(len(bots))
		r.kill(bots[i])
		t.Logf("kill %d of bot %d at %s: %d pull requests labeled", kill, i, time.Since(start).Round(time.Millisecond), len(r.labelPosts()))
		bots[i] = r.startAt(addrs[i])
	}
	counts := <-sent
	t.Logf("all answered 2xx at %s: %s", time.Since(start).Round(time.Millisecond), counts)
	r.waitLabeled(r.deliveries, webhook.DeliveryRescueAfter/2)
	t.Logf("all labeled at %s", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // room for a duplicate to show up
	r.metrics()
	for _, b := range bots {
		r.stop(b, 30*time.Second)
	}
	o := r.outcome(r.deliveries)
	t.Logf("%s", o)
	r.checkExactlyOnce(o, r.deliveries)
	r.checkNoSecrets()
}

// sendSpread delivers r.deliveries like send, each to one of addrs in
// turn, and one in twenty to two of them at once.
func (r *faultRig) sendSpread(ctx context.Context, addrs []string, workers int, seed uint64) <-chan *sendCounts {
	rng := rand.New(rand.NewPCG(seed, 3)) // route is called in order, from one goroutine
	return r.sendRouted(ctx, r.deliveries, workers, func(i int) []string {
		if rng.IntN(20) == 0 {
			return []string{addrs[i%len(addrs)], addrs[(i+1)%len(addrs)]}
		}
		return []string{addrs[i%len(addrs)]}
	})
}

// TestFaultPostgresRestartDuringBurst runs two bots on one PostgreSQL
// database and restarts PostgreSQL (a fast shutdown, 3 s down) in the
// middle of a burst: the bots answer errors while it is down, the sender
// resends as GitHub does, the bots reconnect by themselves, and every
// delivery is handled and labeled exactly once.
func TestFaultPostgresRestartDuringBurst(t *testing.T) {
	needFaults(t)
	n := envInt(t, "CL_FAULTS_N", 10000)
	cluster := pgtest.Start(t)
	url, err := cluster.CreateDatabase("bot")
	if err != nil {
		t.Fatal(err)
	}
	r := newFaultRig(t, n, "")
	r.dbPath = url
	r.args[slices.Index(r.args, "--db")+1] = url
	addrs := []string{r.addr(), freeAddr(t)}
	bots := make([]*botProcess, len(addrs))
	for i, a := range addrs {
		bots[i] = r.startAt(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	sent := r.sendSpread(ctx, addrs, 8, 1)
	time.Sleep(2 * time.Second)
	t.Logf("PostgreSQL stopped at %s: %d pull requests labeled", time.Since(start).Round(time.Millisecond), len(r.labelPosts()))
	if err := cluster.Restart(3 * time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL up again at %s", time.Since(start).Round(time.Millisecond))
	counts := <-sent
	t.Logf("all answered 2xx at %s: %s", time.Since(start).Round(time.Millisecond), counts)
	if counts.Refused == 0 && counts.Unanswered == 0 {
		t.Errorf("no delivery was refused while PostgreSQL was down: the restart missed the burst")
	}
	r.waitLabeled(r.deliveries, webhook.DeliveryRescueAfter+10*time.Minute)
	t.Logf("all labeled at %s", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second)
	for _, b := range bots {
		r.stop(b, 30*time.Second)
	}
	o := r.outcome(r.deliveries)
	t.Logf("%s", o)
	r.checkExactlyOnce(o, r.deliveries)
}
