package main

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
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
	r.metrics()
	r.stop(bot, 30*time.Second)
	o := r.outcome(r.deliveries)
	t.Logf("%s", o)
	r.checkExactlyOnce(o, r.deliveries)
	r.checkNoSecrets()
}
