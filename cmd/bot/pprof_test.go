package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// TestPprofOnItsOwnAddress: --pprof serves Go's profiles on its own
// listener, never on the webhook address.
func TestPprofOnItsOwnAddress(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	fake := fakegithub.New(t)
	dir := t.TempDir()
	pprofAddr := freeAddr(t)
	bot := startBotProcess(t, botEnv(t, fake, dir, "s3cret"), "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "bot.db"),
		"--redeliver-interval", "0", "--pprof", pprofAddr)
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + pprofAddr + "/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("--pprof index: %d\n%s", code, body)
	}
	if code, _ := get("http://" + bot.addr + "/debug/pprof/"); code == http.StatusOK {
		t.Errorf("profiles reachable on the webhook address %s (%s is the webhook path)", bot.addr, delivery.PathWebhooks)
	}
}
