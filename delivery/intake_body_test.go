package delivery

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadBodyIntoARecycledBuffer(t *testing.T) {
	for _, tc := range []struct {
		name       string
		previous   string // what the buffer held for an earlier request
		body       string
		length     int64 // Content-Length announced; -1 for none
		wantStatus int   // 0: read
	}{
		{name: "shorter than the previous body", previous: strings.Repeat("x", 4096), body: `{"action":"opened"}`, length: 19},
		{name: "longer than the previous body", previous: `{}`, body: strings.Repeat("y", 70000), length: 70000},
		{name: "no length announced", previous: strings.Repeat("x", 100), body: `{"a":1}`, length: -1},
		{name: "announced over the cap", body: `{}`, length: MaxPayloadBytes + 1, wantStatus: http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf := takeBodyBuffer()
			buf.WriteString(tc.previous)
			putBodyBuffer(buf)
			buf = takeBodyBuffer()
			r := httptest.NewRequest(http.MethodPost, PathWebhooks, strings.NewReader(tc.body))
			r.ContentLength = tc.length
			got, err := readBody(r, buf)
			var ie *intakeError
			switch {
			case tc.wantStatus != 0:
				if !errors.As(err, &ie) || ie.status != tc.wantStatus {
					t.Fatalf("err %v, want status %d", err, tc.wantStatus)
				}
			case err != nil:
				t.Fatal(err)
			case !bytes.Equal(got, []byte(tc.body)):
				t.Fatalf("read %d bytes %.20q…, want the request's %d", len(got), got, len(tc.body))
			}
		})
	}
}
