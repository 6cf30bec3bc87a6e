package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
	"github.com/commit-labeler/commit-labeler/internal/pgtest"
)

// envRunAsBot makes the test binary run the bot, with its real handlers and
// model, instead of the tests, so that a test can start, kill and restart it.
const envRunAsBot = "COMMIT_LABELER_TEST_RUN_AS_BOT"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsBot) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	code := m.Run()
	if err := pgtest.StopShared(); err != nil {
		fmt.Fprintln(os.Stderr, "bot tests:", err)
	}
	os.Exit(code)
}

// botProcess is the bot running as a subprocess.
type botProcess struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	logs bytes.Buffer
}

var listeningLine = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startBotProcess starts the bot and waits until it listens.
func startBotProcess(t *testing.T, env []string, args ...string) *botProcess {
	t.Helper()
	p := &botProcess{cmd: exec.Command(os.Args[0], args...)}
	p.cmd.Env = append(os.Environ(), append(env, envRunAsBot+"=1")...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case p.addr = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatalf("bot did not start:\n%s", p.output())
	}
	return p
}

// post sends a delivery of event signed with secret and returns the
// answer's status.
func (p *botProcess) post(t *testing.T, event, id, secret string, body []byte) int {
	t.Helper()
	ghexamples.RequireWebhook(t, event, body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+p.addr+delivery.PathWebhooks, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(delivery.HeaderEvent, event)
	req.Header.Set(delivery.HeaderDelivery, id)
	req.Header.Set(delivery.HeaderSignature, delivery.SignatureHeader([]byte(secret), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (p *botProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// pullRequestPayload is an opened pull request of o/r in installation 1.
func pullRequestPayload(number int) []byte {
	return fmt.Appendf(nil, `{"action":"opened","number":%d,"installation":{"id":1},"repository":{"name":"r","full_name":"o/r","owner":{"login":"o"}},"pull_request":{"number":%d,"title":"feat: %d"},"sender":{"login":"octocat","type":"User"}}`, number, number, number)
}

// TestBotSurvivesKill starts the bot with its real handlers against a GitHub
// that answers 404 to every read, so that the pull requests are labeled
// from their deliveries, queues deliveries whose label additions hang,
// SIGKILLs it, restarts it with GitHub answering and checks each pull
// request was labeled exactly once; then SIGTERM stops it cleanly.
func TestBotSurvivesKill(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	const deliveries = 5
	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(1, "o", "Organization"))
	var (
		mu       sync.Mutex
		hang     = true
		hanging  int
		answered = map[string]int{}
	)
	fake.Handle("POST /repos/{owner}/{repo}/issues/{number}/labels", fakegithub.AuthInstallation, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if hang {
			hanging++
			mu.Unlock()
			<-r.Context().Done() // until the bot dies
			return
		}
		answered[r.PathValue("number")]++
		mu.Unlock()
		fakegithub.WriteJSON(w, http.StatusOK, []*github.Label{{Name: "feat"}})
	})
	dir := t.TempDir()
	env := botEnv(t, fake, dir, "s3cret")
	args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "bot.db"), "--redeliver-interval", "0", "--workers", "2", "--shutdown-timeout", "2s"}

	bot := startBotProcess(t, env, args...)
	for n := 1; n <= deliveries; n++ {
		if code := bot.post(t, "pull_request", fmt.Sprintf("guid-%d", n), "s3cret", pullRequestPayload(n)); code != http.StatusAccepted {
			t.Fatalf("delivery %d: %d\n%s", n, code, bot.output())
		}
	}
	waitFor(t, bot, func() bool { mu.Lock(); defer mu.Unlock(); return hanging == 2 })
	bot.cmd.Process.Signal(syscall.SIGKILL)
	bot.cmd.Wait()

	mu.Lock()
	hang = false
	mu.Unlock()
	bot = startBotProcess(t, env, args...)
	waitFor(t, bot, func() bool { mu.Lock(); defer mu.Unlock(); return len(answered) == deliveries })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	mu.Lock()
	for n := 1; n <= deliveries; n++ {
		if c := answered[fmt.Sprint(n)]; c != 1 {
			t.Errorf("pull request %d labeled %d times", n, c)
		}
	}
	mu.Unlock()

	bot.cmd.Process.Signal(syscall.SIGTERM)
	if err := bot.cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v\n%s", err, bot.output())
	}
	if out := bot.output(); !strings.Contains(out, "shutting down") {
		t.Fatalf("no graceful shutdown:\n%s", out)
	}
}

func waitFor(t *testing.T, bot *botProcess, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; bot log:\n%s", bot.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
