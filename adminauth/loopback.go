package adminauth

import (
	"net"
	"strings"
)

// Loopback reports whether the listen address addr (HOST:PORT) reaches
// this machine alone: a loopback IP (127.0.0.0/8, ::1) or localhost. An
// empty host (":8081") listens on every interface, and a host name may
// resolve anywhere: neither is loopback.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
