package pgtest

import (
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestClusterStartsRestartsAndStops(t *testing.T) {
	c := Start(t)
	dial := func() error {
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(c.port), time.Second)
		if err == nil {
			conn.Close()
		}
		return err
	}
	if err := dial(); err != nil {
		t.Fatalf("cluster not listening: %v", err)
	}
	if _, err := c.CreateDatabase("bot"); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(0); err != nil {
		t.Fatal(err)
	}
	if err := dial(); err != nil {
		t.Fatalf("cluster not listening after a restart: %v", err)
	}
}

// TestDurableClusterSyncs asks each server what it does with its writes.
func TestDurableClusterSyncs(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		// want is fsync's and synchronous_commit's settings.
		want string
	}{
		{"default", nil, "off on"},
		{"durable", []Option{Durable()}, "on on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := StartCluster(tc.opts...)
			if isNotInstalled(err) {
				t.Skipf("pgtest: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Stop() })
			if got := show(t, c, "fsync") + " " + show(t, c, "synchronous_commit"); got != tc.want {
				t.Errorf("fsync, synchronous_commit = %s, want %s", got, tc.want)
			}
		})
	}
}

// show is a setting of c's server, as psql prints it.
func show(t *testing.T, c *Cluster, setting string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(c.bin, "psql"), "--no-psqlrc", "--tuples-only", "--no-align",
		c.URL("postgres"), "--command", "SHOW "+setting).CombinedOutput()
	if err != nil {
		t.Fatalf("psql SHOW %s: %v\n%s", setting, err, out)
	}
	return strings.TrimSpace(string(out))
}
