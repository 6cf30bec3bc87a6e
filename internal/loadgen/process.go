package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
)

// startTimeout bounds a server's start (the bot loads its model first).
const startTimeout = time.Minute

// Process is a webhook server the run started; Stop ends it.
type Process struct {
	// URL is its webhook endpoint.
	URL string
	// LogPath is the file holding its stderr.
	LogPath string
	cmd     *exec.Cmd
	exited  chan struct{}
}

// BotConfig is how to start the bot under load.
type BotConfig struct {
	// Binary is the bot executable, Args its extra flags.
	Binary string
	Args   []string
	// Dir holds its key, log and (unless DB is set) its SQLite database.
	Dir string
	// DB is its --db: empty for a SQLite file in Dir.
	DB     string
	Secret []byte
	GitHub *FakeGitHub
}

// StartBot starts the bot on a free loopback port, talking to the fake
// GitHub, and waits until its /healthz answers.
func StartBot(ctx context.Context, c BotConfig) (*Process, error) {
	keyPath := filepath.Join(c.Dir, "app-key.pem")
	if err := os.WriteFile(keyPath, c.GitHub.PrivateKeyPEM(), 0o600); err != nil {
		return nil, fmt.Errorf("loadgen: App key: %w", err)
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	db := c.DB
	if db == "" {
		db = filepath.Join(c.Dir, "bot.db")
	}
	args := append([]string{"--addr", addr, "--db", db, "--redeliver-interval", "0"}, c.Args...)
	cmd := exec.CommandContext(ctx, c.Binary, args...)
	cmd.Env = append(os.Environ(),
		ghapp.EnvAppID+"=1", ghapp.EnvPrivateKeyPath+"="+keyPath, ghapp.EnvPrivateKey+"=",
		ghapp.EnvWebhookSecret+"="+string(c.Secret), ghapp.EnvAPIURL+"="+c.GitHub.URL,
		"XDG_CONFIG_HOME="+c.Dir)
	p, err := start(cmd, filepath.Join(c.Dir, "bot.log"), nil)
	if err != nil {
		return nil, fmt.Errorf("loadgen: start bot %s: %w", c.Binary, err)
	}
	p.URL = "http://" + addr + delivery.PathWebhooks
	if err := p.waitHealthy("http://" + addr + delivery.PathHealth); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// ProbotConfig is how to start the Probot app (scripts/setup-probot.sh).
type ProbotConfig struct {
	// Dir is where setup-probot.sh installed probot and app.mjs.
	Dir    string
	LogDir string
	Secret []byte
	GitHub *FakeGitHub
}

// StartProbot starts the minimal Probot app on a free loopback port.
func StartProbot(ctx context.Context, c ProbotConfig) (*Process, error) {
	app := filepath.Join(c.Dir, "app.mjs")
	if _, err := os.Stat(filepath.Join(c.Dir, "node_modules", "probot", "package.json")); err != nil {
		return nil, fmt.Errorf("loadgen: probot is not installed in %s (run scripts/setup-probot.sh): %w", c.Dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("loadgen: probot needs node: %w", err)
	}
	cmd := exec.CommandContext(ctx, node, app)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "APP_ID=1", "PRIVATE_KEY="+string(c.GitHub.PrivateKeyPEM()),
		"WEBHOOK_SECRET="+string(c.Secret), "BENCH_PORT=0", "NODE_ENV=production", "LOG_LEVEL=warn")
	port := make(chan string, 1)
	p, err := start(cmd, filepath.Join(c.LogDir, "probot.log"), func(line string) {
		if rest, ok := strings.CutPrefix(line, "listening "); ok {
			port <- rest
		}
	})
	if err != nil {
		return nil, fmt.Errorf("loadgen: start probot %s: %w", app, err)
	}
	select {
	case pt := <-port:
		p.URL = "http://127.0.0.1:" + pt + delivery.PathWebhooks
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("loadgen: probot exited at start: see %s", p.LogPath)
	case <-time.After(startTimeout):
		p.Stop()
		return nil, fmt.Errorf("loadgen: probot did not listen within %s: see %s", startTimeout, p.LogPath)
	}
}

// start runs cmd with stderr into logPath, handing each stdout line to
// onLine when given.
func start(cmd *exec.Cmd, logPath string, onLine func(string)) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logFile
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	var scan *bufio.Scanner
	if onLine != nil {
		out, err := cmd.StdoutPipe()
		if err != nil {
			logFile.Close()
			return nil, err
		}
		scan = bufio.NewScanner(out)
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	p := &Process{LogPath: logPath, cmd: cmd, exited: make(chan struct{})}
	if scan != nil {
		go func() {
			for scan.Scan() {
				onLine(scan.Text())
			}
		}()
	}
	go func() {
		cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

// waitHealthy polls url until it answers 200, the process exits or the
// start timeout passes.
func (p *Process) waitHealthy(url string) error {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("loadgen: %s exited at start: see %s", p.cmd.Path, p.LogPath)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("loadgen: %s not healthy within %s: see %s", p.cmd.Path, startTimeout, p.LogPath)
}

// Stop sends SIGTERM and waits for the process to end (killing it after 30 s).
func (p *Process) Stop() {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// freeLoopbackAddr returns a 127.0.0.1 address with a port free right now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("loadgen: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat times
// (100 on every Linux architecture Go supports).
const clockTicks = 100

// CPUTime returns the user+system CPU time the process has used so far,
// 0 where /proc is unreadable.
func (p *Process) CPUTime() time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name, which may hold spaces:
	// state is field 3, utime 14, stime 15.
	i := strings.LastIndexByte(string(raw), ')')
	fields := strings.Fields(string(raw[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}
