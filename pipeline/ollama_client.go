package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// ollamaHost is one Ollama server of the pool.
type ollamaHost struct {
	name   string
	client *api.Client
}

// newOllamaHosts parses the host URLs; requests are spread over all of them.
func newOllamaHosts(hosts []string, hc *http.Client) ([]ollamaHost, error) {
	if len(hosts) == 0 {
		return nil, errors.New("ollama: no host")
	}
	out := make([]ollamaHost, 0, len(hosts))
	for _, h := range hosts {
		u, err := url.Parse(strings.TrimSpace(h))
		if err != nil {
			return nil, fmt.Errorf("ollama host %q: %w", h, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("ollama host %q: want an http(s)://host:port URL", h)
		}
		out = append(out, ollamaHost{name: u.Host, client: api.NewClient(u, hc)})
	}
	return out, nil
}

// errNoFinalResponse is a chat answer cut before its final ("done") message.
var errNoFinalResponse = errors.New("answer ended without a final response")

// chat sends one non-streaming chat request and returns the message content.
func (h ollamaHost) chat(ctx context.Context, req *api.ChatRequest, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var content strings.Builder
	done := false
	err := h.client.Chat(ctx, req, func(r api.ChatResponse) error {
		content.WriteString(r.Message.Content)
		done = done || r.Done
		return nil
	})
	if err == nil && !done {
		err = errNoFinalResponse
	}
	return content.String(), err
}

// retryable reports whether a failed request may succeed when repeated:
// transport errors, timeouts, 5xx, 429 and malformed answers are; other
// HTTP errors (unknown model, bad request, unauthorized) are not.
func retryable(err error) bool {
	var se api.StatusError
	if errors.As(err, &se) {
		return se.StatusCode == http.StatusTooManyRequests || se.StatusCode >= 500
	}
	var ae api.AuthorizationError
	return !errors.As(err, &ae)
}

// backoff is exponential backoff with jitter.
type backoff struct {
	base, max time.Duration
}

// delay is the wait before retry attempt (0-based): half of base·2^attempt
// (capped at max) plus a random part up to the other half, so that
// concurrent workers do not retry in step.
func (b backoff) delay(attempt int) time.Duration {
	d := b.base << min(attempt, 30)
	if d > b.max || d <= 0 {
		d = b.max
	}
	half := d / 2
	return half + rand.N(half+1)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// shortError is err's text cut for logs: server messages may echo input.
func shortError(err error) string { return cutRunes(err.Error(), 200) }
