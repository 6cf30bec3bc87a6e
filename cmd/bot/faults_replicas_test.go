package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/pgtest"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestFaultReplicasKillDuringBurst runs bots and two learning workers
// (which take part in River's leader election, so the rescuer may run in
// either kind of process) on one database: on PostgreSQL three bots, on
// SQLite the one bot a file allows, with no balancer but the sender, which
// spreads the deliveries over them and sends 5% twice at once, to two
// bots where there are several (a redelivery racing the original). Early in the burst the learning
// worker cloning a repository is SIGKILLed: the other takes its job over
// and publishes the model within 30 s, and no git process or temporary
// clone of the killed worker is left. Then one bot, drawn at random, is
// SIGKILLed 5 times at random moments and restarted. Every delivery must
// be handled and every pull request labeled exactly once, with a check run
// each (a delivery retried after its check run was created may create a
// second), and each delivery a bot was running when it was killed
// labeled within 30 s of the kill (the test logs their distribution): a
// live bot takes it over within seconds, long before River's rescuer
// would (delivery.DeliveryRescueAfter); on SQLite the restarted bot does.
func TestFaultReplicasKillDuringBurst(t *testing.T) {
	needFaults(t)
	pgtest.OnBothEngines(t, replicasKillDuringBurst)
}

// heldLabeledLimit is how long after its bot's death a delivery it was
// running may take to be labeled.
const heldLabeledLimit = 30 * time.Second

func replicasKillDuringBurst(t *testing.T, source string) {
	n := envInt(t, "CL_FAULTS_N", 10000)
	rng := rand.New(rand.NewPCG(faultSeed(t), 2))
	r := newFaultRig(t, n, "")
	r.dbPath = source
	r.args[slices.Index(r.args, "--db")+1] = r.dbPath
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	db, err := store.Open(ctx, source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	addrs := []string{r.addr()}
	if db.Engine() == store.PostgreSQL {
		addrs = append(addrs, freeAddr(t), freeAddr(t))
	}
	bots := make([]*botProcess, len(addrs))
	for i, a := range addrs {
		bots[i] = r.startAt(a)
	}
	workers := r.startWorkers(2)
	start := time.Now()
	sent := r.sendSpread(ctx, addrs, 8, rng.Uint64())
	t.Logf("learning worker killed mid-clone: its job's model published by the other %s after the kill",
		workers.killMidLearn(db).Round(time.Millisecond))
	var held []heldDelivery
	for kill := 1; kill <= 5; kill++ {
		time.Sleep(time.Duration(500+rng.IntN(5500)) * time.Millisecond)
		i := rng.IntN(len(bots))
		running := r.heldBy(db, bots[i])
		r.kill(bots[i])
		killedAt := time.Now()
		for _, id := range running {
			held = append(held, heldDelivery{id: id, killedAt: killedAt})
		}
		t.Logf("kill %d of bot %d at %s, running %d deliveries: %d pull requests labeled", kill, i,
			killedAt.Sub(start).Round(time.Millisecond), len(running), len(r.labelPosts()))
		bots[i] = r.startAt(addrs[i])
	}
	counts := <-sent
	t.Logf("all answered 2xx at %s: %s", time.Since(start).Round(time.Millisecond), counts)
	r.waitLabeled(r.deliveries, delivery.DeliveryRescueAfter/2)
	t.Logf("all labeled at %s", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // room for a duplicate to show up
	r.checkHeldLabeled(held)
	r.metrics()
	for _, b := range bots {
		r.stop(b, 30*time.Second)
	}
	o := r.outcome(r.deliveries)
	t.Logf("%s", o)
	r.checkExactlyOnce(o, r.deliveries)
	r.checkNoSecrets()
}

// heldDelivery is a delivery a bot was running when it was killed.
type heldDelivery struct {
	id       string
	killedAt time.Time
}

// heldBy lists the deliveries bot is running: on PostgreSQL the delivery
// jobs its River client (bot-HOST-PID-MILLISECONDS) attempts; on SQLite,
// where one bot works the file, every running one.
func (r *faultRig) heldBy(db *store.DB, bot *botProcess) []string {
	r.t.Helper()
	host, _ := os.Hostname()
	client := fmt.Sprintf("bot-%s-%d-", host, bot.cmd.Process.Pid)
	var ids []string
	for id, owner := range runningJobs(r.t, db, river.NewJobListParams().Queues(river.QueueDefault)) {
		if db.Engine() == store.SQLite || strings.HasPrefix(owner, client) {
			ids = append(ids, id)
		}
	}
	return ids
}

// runningJobs maps the running River jobs params selects to the client
// (process) attempting each, by the jobs' delivery_id.
func runningJobs(t *testing.T, db *store.DB, params *river.JobListParams) map[string]string {
	t.Helper()
	client, err := river.NewClient(db.RiverDriver(), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.JobList(context.Background(), params.States(rivertype.JobStateRunning).First(10000))
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]string{}
	for _, j := range res.Jobs {
		var args struct {
			DeliveryID string `json:"delivery_id"`
		}
		if len(j.AttemptedBy) == 0 || json.Unmarshal(j.EncodedArgs, &args) != nil {
			continue
		}
		owners[cmp.Or(args.DeliveryID, fmt.Sprint(j.ID))] = j.AttemptedBy[len(j.AttemptedBy)-1]
	}
	return owners
}

// checkHeldLabeled logs, for the deliveries killed bots held, how long
// after the kill each pull request was labeled (min, p50, p90, max), and
// fails the test for one labeled more than heldLabeledLimit after.
func (r *faultRig) checkHeldLabeled(held []heldDelivery) {
	r.t.Helper()
	labeled := r.labelTimes()
	pulls := map[string]pullKey{}
	for _, d := range r.deliveries {
		pulls[d.guid] = d.pull
	}
	var after []time.Duration
	before := 0
	for _, h := range held {
		times := labeled[pulls[h.id]]
		if len(times) == 0 {
			r.t.Errorf("delivery %s, held by a killed bot, never labeled", h.id)
			continue
		}
		at := slices.MinFunc(times, time.Time.Compare)
		if at.Before(h.killedAt) {
			before++ // its label was applied, its check run not yet
			continue
		}
		after = append(after, at.Sub(h.killedAt))
	}
	slices.Sort(after)
	if len(after) == 0 {
		r.t.Logf("%d deliveries held by killed bots, all labeled before their kill", len(held))
		return
	}
	q := func(p float64) time.Duration { return after[int(p*float64(len(after)-1))].Round(time.Millisecond) }
	r.t.Logf("%d deliveries held by killed bots: %d labeled before their kill; kill → labeled for the other %d: min %s, p50 %s, p90 %s, max %s",
		len(held), before, len(after), q(0), q(0.5), q(0.9), q(1))
	if q(1) > heldLabeledLimit {
		r.t.Errorf("a delivery a killed bot held was labeled %s after the kill, want ≤ %s", q(1), heldLabeledLimit)
	}
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
	r.waitLabeled(r.deliveries, delivery.DeliveryRescueAfter+10*time.Minute)
	t.Logf("all labeled at %s", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second)
	for _, b := range bots {
		r.stop(b, 30*time.Second)
	}
	o := r.outcome(r.deliveries)
	t.Logf("%s", o)
	r.checkExactlyOnce(o, r.deliveries)
}
