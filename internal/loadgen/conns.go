package loadgen

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/commit-labeler/commit-labeler/delivery"
)

// request is a delivery's HTTP/1.1 request, built and signed before its
// step starts, so that sending it costs the generator a write and a read,
// with the connections of the replica it goes to.
type request struct {
	head, body []byte
	conns      *conns
}

// newRequest builds dv's signed POST to u, sent over cs.
func newRequest(u *url.URL, cs *conns, secret []byte, dv Delivery) request {
	head := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"User-Agent: GitHub-Hookshot/loadgen\r\n%s: pull_request\r\n%s: %s\r\n%s: %s\r\nContent-Length: %d\r\n\r\n",
		u.RequestURI(), u.Host, delivery.HeaderEvent, delivery.HeaderDelivery, dv.ID,
		delivery.HeaderSignature, delivery.SignatureHeader(secret, dv.Body), len(dv.Body))
	return request{head: head, body: dv.Body, conns: cs}
}

// conns keeps a target's kept-alive loopback connections: a send takes an
// idle one or dials, and puts it back after a complete answer. The
// generator shares the machine with the server it measures, so it writes
// prepared bytes instead of going through net/http's client (which took
// twice the CPU per request here).
type conns struct {
	addr    string
	timeout time.Duration
	idle    chan *conn
}

// conn is one connection with its read buffer.
type conn struct {
	net.Conn
	r *bufio.Reader
}

func newConns(u *url.URL, timeout time.Duration, max int) (*conns, error) {
	if u.Scheme != "http" {
		return nil, fmt.Errorf("loadgen: %s: only http:// targets can be driven", u)
	}
	return &conns{addr: u.Host, timeout: timeout, idle: make(chan *conn, max)}, nil
}

// do sends req and returns the answer's status once its body is read.
func (cs *conns) do(req request) (int, error) {
	c, err := cs.get()
	if err != nil {
		return 0, err
	}
	status, keep, err := c.roundTrip(req, cs.timeout)
	if err != nil || !keep {
		c.Close()
		return status, err
	}
	select {
	case cs.idle <- c:
	default:
		c.Close()
	}
	return status, nil
}

func (cs *conns) get() (*conn, error) {
	select {
	case c := <-cs.idle:
		return c, nil
	default:
	}
	nc, err := net.DialTimeout("tcp", cs.addr, cs.timeout)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: nc, r: bufio.NewReaderSize(nc, 4096)}, nil
}

// close closes the idle connections.
func (cs *conns) close() {
	for {
		select {
		case c := <-cs.idle:
			c.Close()
		default:
			return
		}
	}
}

// roundTrip writes req and reads the whole answer, reporting its status
// and whether the connection can carry another request.
func (c *conn) roundTrip(req request, timeout time.Duration) (status int, keep bool, err error) {
	c.SetDeadline(time.Now().Add(timeout))
	bufs := net.Buffers{req.head, req.body}
	if _, err := bufs.WriteTo(c.Conn); err != nil {
		return 0, false, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, false, err
	}
	return resp.StatusCode, !resp.Close, nil
}
