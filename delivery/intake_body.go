package delivery

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// maxPreallocBytes bounds the buffer allocated for a body before it is
// read, and the buffers bodyBuffers keeps.
const maxPreallocBytes = 1 << 20

// bodyBuffers recycles the buffers request bodies are read into: a body
// (about 30 kB for a pull_request) was half of the bytes the bot allocated
// under load, and each garbage collection they brought on took a share of
// the cores from the requests waiting for an answer.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// takeBodyBuffer returns an empty buffer from bodyBuffers.
func takeBodyBuffer() *bytes.Buffer {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

// putBodyBuffer gives buf back once nothing reads the body in it any more;
// nil and buffers grown past maxPreallocBytes are left to the collector.
func putBodyBuffer(buf *bytes.Buffer) {
	if buf != nil && buf.Cap() <= maxPreallocBytes+bytes.MinRead {
		bodyBuffers.Put(buf)
	}
}

// readBody reads the request's body into buf, refusing one over
// MaxPayloadBytes without buffering more than that.
func readBody(r *http.Request, buf *bytes.Buffer) ([]byte, error) {
	if r.ContentLength > MaxPayloadBytes {
		return nil, refuse(http.StatusRequestEntityTooLarge, "payload over %d bytes", MaxPayloadBytes)
	}
	// GitHub sends Content-Length: growing the buffer to that size once
	// saves ReadFrom's growing copies (a tenth of the intake's CPU). Up to
	// a bound, since nothing is verified yet: a client announcing 25 MB
	// and sending little gets no 25 MB buffer for it.
	buf.Grow(int(min(max(r.ContentLength, 0), maxPreallocBytes)) + bytes.MinRead)
	_, err := buf.ReadFrom(io.LimitReader(r.Body, MaxPayloadBytes+1))
	body := buf.Bytes()
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "unreadable body")
	}
	if len(body) > MaxPayloadBytes {
		return nil, refuse(http.StatusRequestEntityTooLarge, "payload over %d bytes", MaxPayloadBytes)
	}
	return body, nil
}
