package pgtest

import (
	"net"
	"strconv"
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
