// Package pgtest runs a throw-away PostgreSQL cluster for tests: Debian's
// postgresql binaries, initdb in a temporary directory, pg_ctl on a free
// loopback port, as an unprivileged user when the tests run as root
// (PostgreSQL refuses to run as root). Tests skip, saying how to install
// it, only where the binaries are absent.
package pgtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Cluster is a running PostgreSQL cluster owned by a test.
type Cluster struct {
	bin, dir string
	port     int
	cred     *syscall.Credential
	// durable is Durable's: the server syncs its writes.
	durable bool
}

// Option configures a cluster StartCluster starts.
type Option func(*Cluster)

// Durable has the server sync what it writes and each commit wait until
// its WAL is on disk (fsync and synchronous_commit on), as a production
// server does, for measurements to compare with a SQLite database that
// syncs each commit. Without it the server syncs nothing (fsync off):
// tests need no durability, only speed.
func Durable() Option { return func(c *Cluster) { c.durable = true } }

// binDir finds the directory of pg_ctl and initdb: Debian keeps them under
// /usr/lib/postgresql/VERSION/bin, the newest version first; else PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", fmt.Errorf("PostgreSQL's initdb not found in /usr/lib/postgresql/*/bin or PATH (apt-get install postgresql, or scripts/setup.sh postgres)")
	}
	return filepath.Dir(p), nil
}

// Start starts a cluster, stopped when the test ends, and skips the test
// where PostgreSQL is not installed.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := StartCluster()
	if err != nil {
		if isNotInstalled(err) {
			tb.Skipf("pgtest: %v", err)
		}
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// shared is a test binary's cluster (NewDatabase), started on first use.
var shared struct {
	once      sync.Once
	c         *Cluster
	err       error
	databases atomic.Int64
}

// NewDatabase creates a database in the test binary's shared cluster,
// started by the first call (a second), and returns its URL; the test
// skips where PostgreSQL is not installed. A package's TestMain calls
// StopShared after its tests.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	shared.once.Do(func() { shared.c, shared.err = StartCluster() })
	if shared.err != nil {
		if isNotInstalled(shared.err) {
			tb.Skipf("pgtest: %v", shared.err)
		}
		tb.Fatalf("pgtest: shared cluster: %v", shared.err)
	}
	url, err := shared.c.CreateDatabase(fmt.Sprintf("test_%d", shared.databases.Add(1)))
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return url
}

// StopShared stops the shared cluster if NewDatabase started one.
func StopShared() error {
	if shared.c == nil {
		return nil
	}
	return shared.c.Stop()
}

type notInstalled struct{ error }

func isNotInstalled(err error) bool { _, ok := err.(notInstalled); return ok }

// StartCluster starts a cluster outside a test (`bench bot` measures bots
// on a Durable one); the caller stops it, which also removes its
// directory.
func StartCluster(opts ...Option) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, notInstalled{err}
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, dir: dir}
	for _, opt := range opts {
		opt(c)
	}
	if os.Geteuid() == 0 {
		if c.cred, err = unprivileged(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := c.run("initdb", "--pgdata", c.data(), "--auth", "trust", "--username", "postgres", "--encoding", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// unprivileged is the user the cluster runs as under root: Debian's
// postgres user, else nobody.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("running as root and neither user postgres nor nobody exists to run PostgreSQL as")
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// run runs one of PostgreSQL's programs as the cluster's user.
func (c *Cluster) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s", name, args, err, out.String())
	}
	return nil
}

// Start starts the cluster's server (again, after Stop) and waits until it
// accepts connections.
func (c *Cluster) Start() error {
	sync := "-c fsync=off"
	if c.durable {
		sync = "-c fsync=on -c synchronous_commit=on"
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s %s -c max_connections=200", c.port, c.dir, sync)
	return c.run("pg_ctl", "start", "--pgdata", c.data(), "--wait", "--timeout", "60", "--log", filepath.Join(c.dir, "server.log"), "-o", opts)
}

// Stop stops the server (fast shutdown: sessions are cut, as in a restart
// of the database under running bots) and, when it was the last use,
// nothing else; Cleanup then removes the directory.
func (c *Cluster) Stop() error {
	if _, err := os.Stat(filepath.Join(c.data(), "postmaster.pid")); err != nil {
		return os.RemoveAll(c.dir)
	}
	err := c.run("pg_ctl", "stop", "--pgdata", c.data(), "--mode", "fast", "--wait", "--timeout", "60")
	if rerr := os.RemoveAll(c.dir); err == nil {
		err = rerr
	}
	return err
}

// Restart stops the server and starts it again on the same port, keeping
// its data: what a restart of the database looks like to its clients.
func (c *Cluster) Restart(down time.Duration) error {
	if err := c.run("pg_ctl", "stop", "--pgdata", c.data(), "--mode", "fast", "--wait", "--timeout", "60"); err != nil {
		return err
	}
	time.Sleep(down)
	return c.Start()
}

// URL is the connection URL of a database of the cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, database)
}

// CreateDatabase creates a database and returns its URL.
func (c *Cluster) CreateDatabase(name string) (string, error) {
	if err := c.run("createdb", "--host", "127.0.0.1", "--port", strconv.Itoa(c.port), "--username", "postgres", name); err != nil {
		return "", err
	}
	return c.URL(name), nil
}

// freePort returns a loopback port free now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
